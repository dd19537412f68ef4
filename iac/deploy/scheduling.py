"""Running stacks in dependency order: dependencies first, independent stacks side by side.

Work runs on worker threads; questions for the person at the terminal (`ask`) run on the calling
thread, one at a time, so prompts never interleave and Ctrl-C always reaches the loop here. After a
failure no new stack starts (those already running finish); after Ctrl-C every wait stops at once.

Ctrl-C raises KeyboardInterrupt in the calling thread at any bytecode, even inside the thread pool's own
bookkeeping (between a worker's start and its registration), so what each stack's work did is never
read from the pool's futures alone: every piece of work records its own outcome, and after Ctrl-C the
loop waits until each piece that started has recorded one. Work that had not started when Ctrl-C came
never starts.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs

from iac.deploy.polling import Interrupted, Poller

R = TypeVar("R")
TICK_SECONDS = 0.05


@attrs.define
class Ran(Generic[R]):
    """How one stack's work ended: its value, the error it raised, or why it never started."""

    value: R | None = None
    error: BaseException | None = None
    skipped: str | None = None


@attrs.define
class _Question:
    function: Callable[[], Any]
    answered: threading.Event = attrs.field(factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


class Scheduler:
    def __init__(self, *, concurrency: int = 4, poller: Poller | None = None) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        self.concurrency = concurrency
        self.poller = poller or Poller()
        self.interrupted = False
        self._questions: queue.Queue[_Question] = queue.Queue()
        self._loop_thread: threading.Thread | None = None
        self._finished = threading.Condition()
        self._active = 0
        self._outcomes: dict[str, Ran[Any]] = {}

    def ask(self, function: Callable[[], R]) -> R:
        """Run `function` on the scheduler's own thread (where prompts belong) and return its result."""
        if self._loop_thread is None or threading.current_thread() is self._loop_thread:
            return function()
        question = _Question(function)
        self._questions.put(question)
        while not question.answered.wait(TICK_SECONDS):
            self.poller.check()
        if question.error is not None:
            raise question.error
        return question.value

    def run(self, names: list[str], dependencies: dict[str, set[str]], work: Callable[[str], R]) -> dict[str, Ran[R]]:
        """`work(name)` for each name once its dependencies (among `names`) succeeded; the results
        in the order of `names`. Sets `interrupted` (and stops every wait) on Ctrl-C."""
        self._loop_thread = threading.current_thread()
        results: dict[str, Ran[R]] = {}
        running: dict[concurrent.futures.Future[Ran[R]], str] = {}
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="iac-stack")
        try:
            while True:
                self._skip_blocked(names, dependencies, results, running)
                if not self.interrupted and not any(r.error for r in results.values()):
                    for name in self._ready(names, dependencies, results, running):
                        running[pool.submit(self._run_one, work, name)] = name
                if not running:
                    break
                self._answer_questions()
                done, _ = concurrent.futures.wait(running, timeout=TICK_SECONDS,
                                                  return_when=concurrent.futures.FIRST_COMPLETED)
                for future in done:
                    results[running.pop(future)] = future.result()
        except KeyboardInterrupt:
            self.interrupted = True
            self.poller.cancel.set()
            self._wait_for_started_work()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self._wait_for_started_work()
            self._loop_thread = None
        with self._finished:
            for name, outcome in self._outcomes.items():
                results.setdefault(name, outcome)
        for name in names:
            results.setdefault(name, Ran(skipped="interrupted" if self.interrupted else "not started"))
        return {name: results[name] for name in names}

    def _run_one(self, work: Callable[[str], R], name: str) -> Ran[R]:
        """`work(name)`, its outcome recorded where the loop finds it whatever Ctrl-C interrupted;
        nothing runs once the run was interrupted."""
        with self._finished:
            if self.poller.cancel.is_set():
                return Ran(skipped="interrupted")
            self._active += 1
        outcome: Ran[R]
        try:
            outcome = Ran(value=work(name))
        except BaseException as error:  # Interrupted, an iac error, or a bug: the caller reports each
            outcome = Ran(error=error)
        with self._finished:
            self._outcomes[name] = outcome
            self._active -= 1
            self._finished.notify_all()
        return outcome

    def _wait_for_started_work(self) -> None:
        """Until every piece of work that started has ended; questions they ask meanwhile are refused."""
        while True:
            self._refuse_questions()
            with self._finished:
                if self._active == 0:
                    return
                self._finished.wait(TICK_SECONDS)

    def _ready(self, names: list[str], dependencies: dict[str, set[str]], results: dict[str, Ran[R]],
               running: dict[concurrent.futures.Future[Ran[R]], str]) -> list[str]:
        started = set(results) | set(running.values())
        room = self.concurrency - len(running)
        ready = [n for n in names if n not in started
                 and all(d in results and results[d].error is None and results[d].skipped is None
                         for d in dependencies.get(n, set()) if d in names)]
        return ready[:max(room, 0)]

    def _skip_blocked(self, names: list[str], dependencies: dict[str, set[str]], results: dict[str, Ran[R]],
                      running: dict[concurrent.futures.Future[Ran[R]], str]) -> None:
        changed = True
        while changed:
            changed = False
            for name in names:
                if name in results or name in running.values():
                    continue
                blocked = [d for d in dependencies.get(name, set()) if d in names and d in results
                           and (results[d].error is not None or results[d].skipped is not None)]
                if blocked:
                    results[name] = Ran(skipped=f"{blocked[0]} did not complete")
                    changed = True

    def _answer_questions(self) -> None:
        while True:
            try:
                question = self._questions.get_nowait()
            except queue.Empty:
                return
            try:
                question.value = question.function()
            except KeyboardInterrupt:
                question.error = Interrupted()
                question.answered.set()
                raise
            except BaseException as error:
                question.error = error
            question.answered.set()

    def _refuse_questions(self) -> None:
        while True:
            try:
                question = self._questions.get_nowait()
            except queue.Empty:
                return
            question.error = Interrupted()
            question.answered.set()
