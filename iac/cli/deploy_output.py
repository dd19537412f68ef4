"""How `iac deploy`, `iac bootstrap` and `iac destroy` look on a terminal: progress lines per stack,
the change set for review, approval asked on a terminal (refused without one), the closing summary."""

from __future__ import annotations

import shlex
import sys
import threading

import click

from iac.cli.diff_render import render_diff
from iac.cli.report import Painter, format_error, use_color
from iac.deploy.deployment import (
    DEPLOYED_STATE,
    FAILED,
    INTERRUPTED,
    NOT_FOLLOWED,
    PENDING,
    UNCHANGED,
    StackResult,
    follow_command,
)
from iac.deploy.destroy import Destroyed
from iac.deploy.events import StackEvent
from iac.deploy.polling import Interrupted
from iac.deploy.reporter import Review
from iac.deploy.scheduling import Ran
from iac.errors import IacError
from iac.synth import StackArtifact
from iac.synth.diff import DiffResult

EXIT_INTERRUPTED = 130


def finish_deploy(results: list[StackResult], reporter: TerminalReporter, *, interrupted: bool) -> None:
    """Per stack: deployed, no changes, change set left, not followed, or failed with its failing events;
    outputs. Exits 130 when interrupted, else 1 (2 for credentials) when a stack failed or iac lost
    track of one (its outcome is not known, so the run cannot count as a success)."""
    paint = reporter.paint
    click.echo("")
    for result in results:
        click.echo(_summary_line(result, paint))
        if result.outputs and result.state in (DEPLOYED_STATE, UNCHANGED):
            for key, value in result.outputs.items():
                click.echo(f"  {result.stack}.{key} = {value}")
    failed = [r for r in results if r.state == FAILED]
    for result in failed:
        _report_error(result.stack, "deploying", result.error)
        if result.failures:
            click.echo(f"failing events of {result.stack}:", err=True)
            for event in result.failures:
                click.echo(f"  {event.logical_id} ({event.resource_type}) {event.status}: {event.reason or ''}",
                           err=True)
    not_followed = [r for r in results if r.state == NOT_FOLLOWED]
    for result in not_followed:
        _report_error(result.stack, "following", result.error)
    if interrupted:
        click.echo(interrupted_message(results), err=True)
        sys.exit(EXIT_INTERRUPTED)
    if failed or not_followed:
        sys.exit(_failure_status([r.error for r in failed + not_followed]))


def _report_error(stack: str, doing: str, error: BaseException | None) -> None:
    """An iac error in its usual block; anything else is a bug in iac, and said so."""
    if isinstance(error, IacError):
        click.echo(format_error(error, color=use_color(sys.stderr)), err=True)
    elif error is not None:
        click.echo(f"internal error in iac while {doing} {stack}: {type(error).__name__}: {error}\n"
                   "This is a bug in iac; please report it.", err=True)


def _failure_status(errors: list[BaseException | None]) -> int:
    """The errors' own exit status when every one is an iac error (2 for credentials), else 1."""
    statuses = [error.exit_status for error in errors if isinstance(error, IacError)]
    return max(statuses) if statuses and len(statuses) == len(errors) else 1


def _summary_line(result: StackResult, paint: Painter) -> str:
    if result.state == DEPLOYED_STATE:
        return paint(f"{result.stack}: deployed", fg="green", bold=True)
    if result.state == UNCHANGED:
        return paint(f"{result.stack}: no changes", fg="green")
    if result.state == PENDING and result.change_set is not None:
        name = result.change_set.name
        return (f"{result.stack}: change set {name} created, not executed; execute it with\n"
                f"  {_aws('execute-change-set', result, '--change-set-name', name)}")
    if result.state == FAILED:
        return paint(f"{result.stack}: FAILED", fg="red", bold=True)
    if result.state == NOT_FOLLOWED:
        return paint(f"{result.stack}: {NOT_FOLLOWED} (CloudFormation carries on; see below)", fg="yellow",
                     bold=True)
    return paint(f"{result.stack}: {result.state}" + (f" ({result.note})" if result.note else ""), fg="yellow")


def interrupted_message(results: list[StackResult]) -> str:
    """What Ctrl-C left behind, stack by stack: executed ones go on in CloudFormation; a change set made
    but not executed is left for review (the stack is untouched); a stack without one is untouched."""
    lines = ["interrupted: iac stopped waiting, but CloudFormation does not stop with it."]
    stopped = [r for r in results if r.state == INTERRUPTED]
    for result in stopped:
        lines.append(_interrupted_line(result))
    if not any(r.executed for r in stopped):
        lines.append("  No stack was being changed.")
    return "\n".join(lines)


def _interrupted_line(result: StackResult) -> str:
    if result.executed:
        return (f"  {result.stack} goes on deploying; follow it with\n"
                f"    {follow_command(result.stack, result.region)}\n"
                "  or in the CloudFormation console; iac deploy refuses the stack until it is finished.")
    if result.change_set_name is None:
        return f"  {result.stack}: untouched (no change set was created)."
    name = result.change_set.name if result.change_set is not None else result.change_set_name
    change_set = ["--change-set-name", name]
    line = (f"  {result.stack}: change set {name} was created and left for review, not executed; the stack is "
            f"untouched.\n"
            f"    execute it: {_aws('execute-change-set', result, *change_set)}\n"
            f"    or discard it: {_aws('delete-change-set', result, *change_set)}")
    if result.new_stack:
        line += (f"\n    the new stack {result.stack} holds no resources (REVIEW_IN_PROGRESS); remove it with "
                 f"{_aws('delete-stack', result)}")
    return line


def _aws(command: str, result: StackResult, *arguments: str) -> str:
    """An `aws cloudformation` command for the stack, quoted for a POSIX shell."""
    region = ["--region", result.region] if result.region else []
    return shlex.join(["aws", "cloudformation", command, "--stack-name", result.stack, *arguments, *region])


class TerminalReporter:
    """Progress lines per stack (`Network | 2/3 | 12:00:01 | CREATE_COMPLETE | AWS::SQS::Queue | Queue`),
    the change set for review, and approval asked on a terminal (refused without one)."""

    def __init__(self, artifacts: list[StackArtifact], *, interactive: bool | None = None) -> None:
        self.width = max((len(a.stack_name) for a in artifacts), default=0)
        self.paint = Painter(use_color(sys.stdout))
        self.interactive = is_terminal() if interactive is None else interactive
        self._lock = threading.Lock()

    def _echo(self, text: str) -> None:
        with self._lock:
            click.echo(text)

    def note(self, stack: str, text: str) -> None:
        self._echo(f"{self.paint(stack.ljust(self.width), bold=True)} | {text}")

    def event(self, stack: str, event: StackEvent, done: int, total: int) -> None:
        colour = "red" if event.failed else "green" if event.status.endswith("_COMPLETE") else "yellow"
        when = event.timestamp.astimezone().strftime("%H:%M:%S") if event.timestamp else "--:--:--"
        progress = f"{done}/{total}".rjust(7)
        line = (f"{self.paint(stack.ljust(self.width), bold=True)} | {progress} | {when} | "
                f"{self.paint(event.status.ljust(28), fg=colour)} | {event.resource_type} | {event.logical_id}")
        if event.reason and (event.failed or not event.is_stack):
            line += f"  {self.paint(event.reason, fg='red' if event.failed else None)}"
        self._echo(line)

    def review(self, review: Review) -> str | None:
        with self._lock:
            click.echo(render_review(review, self.paint))
        if review.approval is None:
            return None
        if not self.interactive:
            message = (f"approval required ({review.approval}) and there is no terminal to ask on; "
                       "the change set was deleted")
            click.echo(self.paint(f"{review.stack}: {message}", fg="red"), err=True)
            return message
        try:
            confirmed = click.confirm(f"{review.stack}: {review.approval}. Deploy these changes?", default=False)
        except click.exceptions.Abort:  # Ctrl-C or end of input at the prompt: stop the whole run
            raise KeyboardInterrupt from None
        if confirmed:
            return None
        return "declined at the prompt; the change set was deleted"


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def render_review(review: Review, paint: Painter) -> str:
    """iac's diff (CloudFormation's word merged in), then CloudFormation's own change set."""
    lines = [render_diff(DiffResult(stacks=[review.diff]), color=paint.color)]
    change_set = review.change_set
    count = len(change_set.changes)
    lines.append(paint(f"CloudFormation change set {change_set.name} ({change_set.type}, "
                       f"{count} resource change{'s' if count != 1 else ''}):", bold=True))
    for entry in change_set.changes:
        data = entry.get("ResourceChange") or {}
        replacement = f"  replacement: {data['Replacement']}" if data.get("Replacement") else ""
        lines.append(f"  {data.get('Action', '?'):<8} {data.get('ResourceType', '?')}  "
                     f"{data.get('LogicalResourceId', '?')}{replacement}")
    for logical_id in review.unconfirmed:
        lines.append(paint(f"  note: iac predicted a change to {logical_id}; CloudFormation does not list it",
                           fg="yellow"))
    if review.approval:
        lines.append(paint(f"approval needed: {review.approval}", fg="yellow", bold=True))
    return "\n".join(lines)


def finish_destroy(ran: dict[str, Ran[Destroyed]], *, interrupted: bool) -> None:
    """Per stack: deleted, not deployed, or why not; what CloudFormation kept. Exits 1 on a failure."""
    click.echo("")
    errors: list[BaseException | None] = []
    for name, outcome in ran.items():
        if isinstance(outcome.error, Interrupted) and interrupted:
            click.echo(f"{name}: interrupted")
        elif outcome.error is not None:
            errors.append(outcome.error)
            _report_error(name, "deleting", outcome.error)
        elif outcome.skipped is not None or outcome.value is None:
            click.echo(f"{name}: not deleted ({outcome.skipped})")
        else:
            gone = outcome.value
            click.echo(f"{name}: deleted" if gone.existed else f"{name}: not deployed")
            for kept in gone.retained:
                verb = "snapshot kept" if kept.policy == "Snapshot" else "retained"
                click.echo(f"  {verb} ({kept.policy} policy): {kept.resource_type} {kept.logical_id}"
                           + (f" = {kept.physical_id}" if kept.physical_id else ""))
    if interrupted:
        click.echo("interrupted: iac stopped waiting, but CloudFormation goes on deleting the stacks it started; "
                   "follow them with aws cloudformation describe-stack-events --stack-name NAME", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if errors:
        sys.exit(_failure_status(errors))
