"""How errors look on the terminal: one block per problem, pointing at the user's own line.

    error: there is already a construct with id 'Queue' in Network
      --> app.py:14
       |     CfnResource(net, "Queue", type="AWS::SQS::Queue")
       = construct: Network/Queue
       = hint: ids must be unique among the children of one scope; pick another id

Colour only on a terminal and never when NO_COLOR is set. Every field of a block may come from a
template or an app, so each is shown on one line with its control characters escaped (iac.cli.terminal).
"""

from __future__ import annotations

import os
from typing import IO

import click

from iac.cli.terminal import own
from iac.constructs.core.source import SourceLocation, is_iac_file
from iac.errors import AppError, IacError, Problem, ValidationError
from iac.text import one_line, printable

_HIDDEN_FRAME_PARTS = (os.sep + "runpy.py", os.sep + "click" + os.sep, os.sep + "importlib" + os.sep, "<frozen ")
#: A source line longer than this (minified JSON, a generated file) is cut: the block stays one screen.
SOURCE_LINE_SHOWN = 160


def use_color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class Painter:
    """Styles text for the terminal. The text's own control characters are escaped first, so the only
    escape sequences in the result are the style's, marked as iac's own for the terminal guard."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, **style: object) -> str:
        text = printable(text)
        return own(click.style(text, **style)) if self.color else text  # type: ignore[arg-type]


def format_error(error: IacError, *, color: bool = False) -> str:
    paint = Painter(color)
    if isinstance(error, ValidationError):
        blocks = [_block(problem, paint) for problem in error.problems]
        blocks.append(paint(count_summary(error.problems), bold=True))
        return "\n\n".join(blocks)
    if isinstance(error, AppError):
        return _app_error(error, paint)
    return _block(error, paint)


def format_problems(problems: list[Problem], *, color: bool = False) -> str:
    """Warnings (or any problems) as blocks, for printing after a successful run."""
    paint = Painter(color)
    return "\n\n".join(_block(problem, paint) for problem in problems)


def format_quiet_problems(problems: list[Problem], *, color: bool = False, see_all: str = "") -> str:
    """What --quiet prints of a successful run's problems: each error in full, the warnings as one line per
    rule (count, rule, the first one's message and construct path; the rules with most first), then how to
    see every warning. A quiet run of 2,000 resources that all draw one warning prints four lines, not
    2,000 blocks; like cfn-lint's and eslint's quiet modes, nothing serious is left out."""
    paint = Painter(color)
    errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
    warnings = [p for p in problems if getattr(p, "severity", "error") != "error"]
    blocks = [_block(error, paint) for error in errors]
    if warnings:
        rules: dict[str, list[Problem]] = {}
        for warning in warnings:
            rules.setdefault(getattr(warning, "code", None) or "other", []).append(warning)
        width = len(f"{max(len(found) for found in rules.values()):,}")
        lines = [paint(f"{len(warnings):,} warning{'s' if len(warnings) != 1 else ''}", fg="yellow", bold=True)
                 + f" ({len(rules)} rule{'s' if len(rules) != 1 else ''}), not shown one by one with --quiet:"]
        for code, found in sorted(rules.items(), key=lambda item: (-len(item[1]), item[0])):
            first = found[0]
            where = f" ({one_line(first.path)}{', ...' if len(found) > 1 else ''})" if first.path else ""
            lines.append(f"  {len(found):>{width},}  {one_line(code)}  {one_line(first.message)}{where}")
        lines.append(paint("   = ", fg="blue") + f"hint: {see_all or 'run without --quiet to see each one'}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def count_summary(problems: list[IacError]) -> str:
    errors = sum(1 for p in problems if getattr(p, "severity", "error") == "error")
    warnings = len(problems) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts) + " found" if parts else "no problems found"


def _block(error: IacError, paint: Painter) -> str:
    severity = getattr(error, "severity", "error")
    code = getattr(error, "code", None)
    label = severity + (f"[{code}]" if code else "")
    colour = "red" if severity == "error" else "yellow"
    lines = [paint(f"{one_line(label)}:", fg=colour, bold=True) + " " + paint(one_line(error.message), bold=True)]
    lines.extend(_where(error.location, paint))
    if error.path:
        lines.append(paint("   = ", fg="blue") + f"construct: {one_line(error.path)}")
    for name in ("property_path", "expected", "given"):
        value = getattr(error, name, None)
        if value:
            lines.append(paint("   = ", fg="blue") + f"{name.replace('_path', '')}: {one_line(value)}")
    if error.hint:
        lines.append(paint("   = ", fg="blue") + f"hint: {one_line(error.hint)}")
    return "\n".join(lines)


def _where(location: SourceLocation | None, paint: Painter) -> list[str]:
    if location is None:
        return []
    lines = [paint("  --> ", fg="blue") + one_line(location)]
    source = source_line(location)
    if source:
        lines.append(paint("   | ", fg="blue") + "    " + source)
    return lines


def source_line(location: SourceLocation) -> str:
    """The located line as it can be shown: read only from a regular file (a FIFO would block the read,
    a device never end it), cut to SOURCE_LINE_SHOWN characters, control characters escaped."""
    try:
        if not os.path.isfile(location.file):
            return ""
    except (TypeError, ValueError):
        return ""
    text = location.source_line
    if len(text) > SOURCE_LINE_SHOWN:
        text = text[:SOURCE_LINE_SHOWN] + " …"
    return one_line(text)


def _app_error(error: AppError, paint: Painter) -> str:
    lines = [paint("error:", fg="red", bold=True) + " " + paint(one_line(error.message), bold=True)]
    frames = user_frames(error.original)
    if frames:
        lines.append("Traceback (your code only; run with --debug for the full one):")
        lines.extend(frames)
    return "\n".join(lines)


def user_frames(exception: BaseException) -> list[str]:
    """The traceback lines of `exception` that are in the user's code, not iac's or Python's."""
    import traceback  # for an error's frames only: not imported on every start

    lines: list[str] = []
    previous: tuple[str, int | None] | None = None
    repeated = 0
    for frame in traceback.extract_tb(exception.__traceback__):
        if is_iac_file(frame.filename) or any(part in frame.filename for part in _HIDDEN_FRAME_PARTS):
            continue
        if (frame.filename, frame.lineno) == previous:  # a recursion: one screen, not a thousand frames
            repeated += 1
            continue
        if repeated:
            lines.append(_repeated(repeated))
            repeated = 0
        previous = (frame.filename, frame.lineno)
        location = SourceLocation(file=frame.filename, line=frame.lineno or 0)
        lines.append(f"  {one_line(location)}, in {one_line(frame.name)}")
        if frame.line:
            lines.append(f"    {one_line(frame.line.strip())}")
    if repeated:
        lines.append(_repeated(repeated))
    return lines


def _repeated(count: int) -> str:
    return f"  [the line above repeated {count} more time{'s' if count != 1 else ''}]"
