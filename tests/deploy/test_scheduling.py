"""The scheduler: dependencies first, independent stacks side by side, nothing new after a failure,
and questions asked on the calling thread."""

from __future__ import annotations

import threading
import time

import pytest

from iac.deploy.scheduling import Scheduler


def test_a_stack_starts_only_after_its_dependencies_finished() -> None:
    log: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> str:
        with lock:
            log.append(f"start {name}")
        time.sleep(0.05)
        with lock:
            log.append(f"end {name}")
        return name

    ran = Scheduler(concurrency=4).run(["Network", "Service", "Api"], {"Service": {"Network"}, "Api": {"Service"}},
                                       work)
    assert [r.value for r in ran.values()] == ["Network", "Service", "Api"]
    assert log == ["start Network", "end Network", "start Service", "end Service", "start Api", "end Api"]


def test_independent_stacks_run_at_the_same_time() -> None:
    both_running = threading.Barrier(2, timeout=5)

    def work(name: str) -> str:
        both_running.wait()  # only returns when the other stack runs too
        return name

    ran = Scheduler(concurrency=2).run(["A", "B"], {}, work)
    assert {name: r.value for name, r in ran.items()} == {"A": "A", "B": "B"}


def test_concurrency_one_runs_one_at_a_time() -> None:
    running = []
    peak = []

    def work(name: str) -> None:
        running.append(name)
        peak.append(len(running))
        time.sleep(0.02)
        running.remove(name)

    Scheduler(concurrency=1).run(["A", "B", "C"], {}, work)
    assert max(peak) == 1


def test_after_a_failure_dependents_are_skipped_and_nothing_new_starts() -> None:
    started: list[str] = []

    def work(name: str) -> str:
        started.append(name)
        if name == "Network":
            raise RuntimeError("boom")
        return name

    ran = Scheduler(concurrency=1).run(["Network", "Service", "Other"], {"Service": {"Network"}}, work)
    assert started == ["Network"]
    assert str(ran["Network"].error) == "boom"
    assert ran["Service"].skipped == "Network did not complete"
    assert ran["Other"].skipped == "not started"


def test_questions_from_workers_are_answered_on_the_calling_thread() -> None:
    scheduler = Scheduler(concurrency=2)
    caller = threading.current_thread()
    answered_on: list[threading.Thread] = []

    def work(name: str) -> str:
        return scheduler.ask(lambda: answered_on.append(threading.current_thread()) or f"yes {name}")

    ran = scheduler.run(["A", "B"], {}, work)
    assert {r.value for r in ran.values()} == {"yes A", "yes B"}
    assert answered_on == [caller, caller]


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Scheduler(concurrency=0)
