"""Layer 3 of validation: cfn-lint's full rule set, in process, on every serialized template.

cfn-lint is imported and its rules built only when a template actually needs linting (that costs
about a second); results are cached (iac.synth.lint_cache: keyed by everything that decides them,
signed with the user's private key), so an unchanged stack is never linted twice. Several stacks are
linted in parallel worker processes (forked after the rules are built, so each worker starts warm).
A changed stack goes first to the warm lint worker, a process that outlives the command with the rules
built (iac.synth.lint_worker; the same code, so the same findings); when it cannot answer, in process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from iac.synth.lint_cache import CACHE_FILE, SEVERITIES, LintCache, LintFinding, cache_key, lint_context

__all__ = ["CACHE_FILE", "LintCache", "LintFinding", "cache_key", "lint_bodies", "lint_template"]


#: prctl(2) option: the signal this process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1

_rules: Any = None


def _linter_rules() -> Any:
    """cfn-lint's rule collection, built once per process (it is the expensive part)."""
    global _rules
    if _rules is None:
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner

        _rules = Runner(ConfigMixIn(regions=["us-east-1"])).rules
        _on_iacs_calendar(_rules)
    return _rules


def _on_iacs_calendar(rules: Any) -> None:
    """Make the cfn-lint rules that read the calendar (`datetime.today()`, e.g. a runtime's deprecation and
    block dates) read iac's (iac.clock: `IAC_TODAY`), so one date decides every finding, ours and cfn-lint's.

    cfn-lint loads its rule files as modules of their bare file names, so the only handle on what a rule
    calls `datetime` is its own functions' globals. A rule whose module does not hold the stdlib class there
    (another cfn-lint version) is left as it is."""
    import datetime

    from iac import clock

    class OnIacsCalendar(datetime.datetime):
        @classmethod
        def today(cls) -> OnIacsCalendar:
            day = clock.today()
            return cls(day.year, day.month, day.day)

    for key in list(rules):
        for function in vars(type(rules[key])).values():
            module_globals = getattr(function, "__globals__", None)
            if module_globals is not None and module_globals.get("datetime") is datetime.datetime:
                module_globals["datetime"] = OnIacsCalendar
                break


def lint_template(body: str, region: str, *, filename: str | None = None) -> list[LintFinding]:
    """cfn-lint's findings for one template text (JSON or YAML) in `region`."""
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode.decode import decode_str
    from cfnlint.runner.template.runner import run_template_by_data

    template, matches = decode_str(body)
    if not matches and template is not None:
        config = ConfigMixIn(regions=[region])  # fresh per template: a template's Metadata may tune it
        matches = list(run_template_by_data(template, config, _linter_rules()))
    return sorted((_finding(match) for match in matches or ()), key=lambda f: (f.line or 0, f.rule_id, f.message))


def _finding(match: Any) -> LintFinding:
    severity = getattr(match.rule, "severity", "error")
    # Plain str/int only: cfn-lint's str_node subclasses cannot be pickled back from a lint worker,
    # and a parse-error Match (from decode_str) has no `path` at all.
    return LintFinding(
        rule_id=str(match.rule.id),
        severity=severity if severity in SEVERITIES else "error",
        message=str(match.message),
        path=tuple(int(p) if isinstance(p, int) else str(p) for p in getattr(match, "path", None) or ()),
        line=match.linenumber,
    )


Progress = Callable[[int, int], None]


def lint_bodies(items: dict[str, tuple[str, str]], cache: LintCache, *, jobs: int | None = None,
                progress: Progress | None = None) -> dict[str, list[LintFinding]]:
    """Lint {name: (body, region)}; cached results are reused, the rest linted in parallel.

    `progress(done, total)` is called before the first template is linted and after each one.
    """
    results: dict[str, list[LintFinding]] = {}
    missing: dict[str, tuple[str, str, str]] = {}
    context = lint_context()
    for name, (body, region) in items.items():
        key = cache_key(body, region, context=context)
        cached = cache.get(key)
        if cached is not None:
            results[name] = cached
        else:
            missing[name] = (key, body, region)
    if missing:
        for name, findings in _lint_missing(missing, cache, context, jobs, progress or _no_progress).items():
            results[name] = findings
            cache.put(missing[name][0], findings)
    return results


def _lint_missing(missing: dict[str, tuple[str, str, str]], cache: LintCache, context: str, jobs: int | None,
                  progress: Progress) -> dict[str, list[LintFinding]]:
    """The warm lint worker's findings when it gives them all (iac.synth.lint_worker), else in process.

    Not for a run that must lint every template itself (`cache.fresh`: deploy). The first run that
    finds no worker lints in process and then starts one, detached, for the next run.
    """
    if cache.fresh or not _worker_enabled():
        return _lint_all(missing, jobs, progress)
    from iac.synth import lint_worker

    items = {name: (body, region) for name, (_, body, region) in missing.items()}
    answered = lint_worker.lint_with_worker(items, context=context, jobs=jobs or _default_jobs(), progress=progress)
    if answered is not None:
        return answered
    linted = _lint_all(missing, jobs, progress)
    lint_worker.start_missing_worker()
    return linted


def _worker_enabled() -> bool:
    from iac.synth.lint_worker import worker_enabled

    return worker_enabled()


def _lint_all(missing: dict[str, tuple[str, str, str]], jobs: int | None, progress: Progress
              ) -> dict[str, list[LintFinding]]:
    import multiprocessing  # with the pool below: only when there is something to lint
    from concurrent.futures import ProcessPoolExecutor, as_completed

    total = len(missing)
    progress(0, total)
    _linter_rules()  # build before forking, so every worker inherits warm rules
    workers = min(jobs or _default_jobs(), total)
    results: dict[str, list[LintFinding]] = {}
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for name, (_, body, region) in missing.items():
            results[name] = lint_template(body, region)
            progress(len(results), total)
        return results
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(os.getpid(),))
    try:
        with _sigint_blocked():  # the workers fork here: none may see a Ctrl-C before it ignores them
            futures = {pool.submit(_lint_job, (body, region)): name for name, (_, body, region) in missing.items()}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            progress(len(results), total)
    except BaseException:  # Ctrl-C, or a worker that failed: the others' work is not wanted any more
        _stop_workers(pool, set(multiprocessing.active_children()) - before)
        raise
    pool.shutdown(wait=True)
    return {name: results[name] for name in missing}


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT held back (not lost) while the block runs: a Ctrl-C then arrives as the block ends."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not POSIX
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _stop_workers(pool: Any, workers: set[Any]) -> None:
    """Kill the pool's workers now, mid-template: waiting for them to finish could take seconds."""
    for worker in workers:
        worker.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.join(timeout=1.0)


def _start_worker(parent: int) -> None:
    """Initializer of every lint worker: it dies with iac and leaves Ctrl-C to iac.

    A worker is a fork of iac that holds iac's stdout and stderr: one that outlived a killed iac
    would keep `iac synth | cat` waiting forever. Ctrl-C reaches the whole process group; iac
    stops the workers itself, so a worker ignores it rather than print a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by _sigint_blocked in iac
    _die_with_parent(parent)
    if os.getppid() != parent:  # iac died before the line above took effect: nobody will collect this work
        os._exit(1)


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this process when its parent dies (PR_SET_PDEATHSIG); elsewhere a
    watchdog thread checks for a new parent (a dead parent's children are adopted) and exits."""
    if sys.platform.startswith("linux") and _set_parent_death_signal(signal.SIGKILL):
        return
    threading.Thread(target=_watch_parent, args=(parent,), name="iac-lint-parent-watch", daemon=True).start()


def _set_parent_death_signal(signal_number: int) -> bool:
    import ctypes  # only in a worker: iac itself never needs it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_PDEATHSIG, int(signal_number), 0, 0, 0)) == 0
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return False


def _watch_parent(parent: int) -> None:  # pragma: no cover - Linux uses PR_SET_PDEATHSIG
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _no_progress(done: int, total: int) -> None:
    pass


def _lint_job(job: tuple[str, str]) -> list[LintFinding]:
    return lint_template(*job)


def _default_jobs() -> int:
    configured = os.environ.get("IAC_LINT_JOBS")
    if configured and configured.isdigit():
        return max(1, int(configured))
    return os.cpu_count() or 1
