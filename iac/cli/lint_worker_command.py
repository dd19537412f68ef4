"""`iac lint-worker status|start|stop`: the warm lint worker that serves changed templates (iac.synth.lint_worker)."""

from __future__ import annotations

import time

import click

from iac.cli.common import handle_errors
from iac.errors import UsageError


@click.group(name="lint-worker", short_help="Show, start or stop the warm lint worker.")
def lint_worker() -> None:
    """The warm lint worker: a process of yours that keeps cfn-lint's rules built, so a synth of a
    changed template lints in a fraction of a second. The first synth that lints starts it; it stops
    after IAC_LINT_WORKER_IDLE minutes (default 10) without work. IAC_LINT_WORKER=0 turns it off.

    \b
    Examples:
      iac lint-worker status
      iac lint-worker stop
    """


@lint_worker.command(name="status")
@handle_errors
def status() -> None:
    """The workers running in your cache folder: pid, versions, memory, requests served."""
    from iac.synth.lint_worker import running_workers, socket_path, worker_enabled, worker_identity

    folder = _folder()
    found, problems = running_workers()
    if not worker_enabled():
        click.echo("the lint worker is off here (IAC_LINT_WORKER=0, or CI is set): synths lint in process")
    if not found:
        click.echo(f"no lint worker runs (its socket would be {socket_path(folder, worker_identity())})")
    for info in found:
        versions = info.versions
        age = _duration(time.time() - info.started)
        click.echo(
            f"pid {info.pid}: up {age}, {info.requests} request{'s' if info.requests != 1 else ''}, "
            f"{info.rss_mb:.0f} MB, stops after {info.idle_minutes:g} idle minutes; "
            f"iac {versions.get('iac')}, cfn-lint {versions.get('cfn-lint')}, "
            f"python {versions.get('python')}"
            + ("" if info.current else " (another version: this iac does not use it)")
        )
        click.echo(f"  {info.socket}")
    for problem in problems:
        click.echo(problem, err=True)


@lint_worker.command(name="start")
@handle_errors
def start() -> None:
    """Start the worker now (the next synth finds it warm) and wait until it answers."""
    from iac.synth.lint_worker import WorkerUnavailable, start_worker

    _folder()
    try:
        info = start_worker()
    except WorkerUnavailable as error:
        raise UsageError(str(error)) from error
    click.echo(f"lint worker pid {info.pid} runs ({info.socket})")


@lint_worker.command(name="stop")
@handle_errors
def stop() -> None:
    """Stop every lint worker in your cache folder (a later synth starts one again)."""
    from iac.synth.lint_worker import stop_workers

    _folder()
    stopped = stop_workers()
    if not stopped:
        click.echo("no lint worker was running")
    for info in stopped:
        click.echo(f"stopped lint worker pid {info.pid}")


def _folder() -> str:
    """The private cache folder the workers' sockets are in; a usage error when it is not yours alone."""
    from iac.synth.lint_worker import WorkerUnavailable, worker_folder

    try:
        return worker_folder()
    except WorkerUnavailable as error:
        raise UsageError(f"lint worker: {error}") from error


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"
