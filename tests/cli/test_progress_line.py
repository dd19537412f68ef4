"""The progress line of `iac synth` and `iac validate` (iac/cli/progress.py): phases and counts on a
terminal, rewritten in place and erased at the end; nothing when piped, with --quiet or a document output."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import sys
import termios

from pseudo_terminal import run_on_terminal

from iac.cli.common import load_assembly
from iac.cli.progress import ERASE_LINE, REDRAW_INTERVAL, ProgressLine
from iac.synth.phases import APP_LOAD, LINT, SCHEMA_VALIDATION, SYNTHESIS, Phases
from iac.synth.synthesizer import validate_assembly
from iac.synth.template_files import validate_files

QUEUE = '{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}\n'

PRINTING_APP = """
from iac import App, Stack
from iac.cfn import sqs

app = App()
print("hello from the app")
sqs.Queue(Stack(app, "Main"), "Queue")
"""


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_line_names_each_phase_and_counts_and_is_erased_at_the_end():
    stream, clock = io.StringIO(), Clock()
    line = ProgressLine(stream, "synth", clock=clock)
    line.phase_started(APP_LOAD)
    line(LINT, 0, 3)
    clock.now += REDRAW_INTERVAL
    line(LINT, 1, 3)
    line(LINT, 3, 3)
    line.clear()
    line.clear()  # once erased, nothing more
    assert stream.getvalue() == (
        f"{ERASE_LINE}synth: running the app…{ERASE_LINE}synth: linting 0/3 stacks{ERASE_LINE}synth: linting 1/3 stacks"
        f"{ERASE_LINE}synth: linting 3/3 stacks{ERASE_LINE}"
    )


def test_counts_are_redrawn_at_most_every_interval_but_the_first_and_last_always():
    stream, clock = io.StringIO(), Clock()
    line = ProgressLine(stream, "validate", unit="file", clock=clock)
    for done in range(101):
        line(SCHEMA_VALIDATION, done, 100)
        clock.now += REDRAW_INTERVAL / 10
    drawn = stream.getvalue().split(ERASE_LINE)[1:]
    assert drawn[0] == "validate: validating 0/100 files"
    assert drawn[-1] == "validate: validating 100/100 files"
    counts = [int(text.split()[-2].split("/")[0]) for text in drawn]
    assert 11 <= len(counts) <= 12  # about every tenth step (the clock's floats round), the first and the last
    assert all(later - earlier >= 9 for earlier, later in zip(counts[:-2], counts[1:-1], strict=True))


def test_one_thing_counted_is_singular_and_nothing_to_count_draws_nothing():
    stream = io.StringIO()
    line = ProgressLine(stream, "synth")
    line(LINT, 0, 0)
    assert stream.getvalue() == ""
    line(LINT, 0, 1)
    assert stream.getvalue() == f"{ERASE_LINE}synth: linting 0/1 stack"


def test_control_characters_in_what_the_line_names_are_shown_escaped():
    stream = io.StringIO()
    line = ProgressLine(stream, "sy\x1b]52;c;eA==\x07nth")
    line.phase_started("a\rphase\n")
    assert stream.getvalue() == f"{ERASE_LINE}sy\\x1b]52;c;eA==\\x07nth: a\\rphase\\n…"


def test_what_else_is_written_erases_the_line_first():
    stream = io.StringIO()
    line = ProgressLine(stream, "synth")
    saved = sys.stdout
    sys.stdout = stream
    try:
        with line.around():
            line.phase_started(APP_LOAD)
            print("hello")
    finally:
        sys.stdout = saved
    assert stream.getvalue() == f"{ERASE_LINE}synth: running the app…{ERASE_LINE}hello\n"


def test_synth_and_validate_call_the_phase_hook_in_order(hello_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    started: list[str] = []
    steps: list[tuple[str, int, int]] = []
    phases = Phases(on_phase=started.append, on_progress=lambda *step: steps.append(step))
    _, assembly = load_assembly(str(hello_app), None, phases)
    validate_assembly(assembly, phases=phases)
    assert started == [APP_LOAD, SYNTHESIS, SCHEMA_VALIDATION, LINT]
    assert steps[:2] == [(SCHEMA_VALIDATION, 0, 2), (SCHEMA_VALIDATION, 1, 2)]
    assert steps[2:] == [(LINT, 0, 2), (LINT, 1, 2), (LINT, 2, 2)]

    started.clear()
    steps.clear()
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.json").write_text(QUEUE)
    validate_files([str(tmp_path)], region=None, lint=False, strict=False, phases=phases)
    assert started == [SCHEMA_VALIDATION]
    assert steps == [(SCHEMA_VALIDATION, 0, 3), (SCHEMA_VALIDATION, 1, 3), (SCHEMA_VALIDATION, 2, 3)]


# -- the real command, on a pseudo-terminal and in a pipe ---------------------------------------------------


def test_synth_on_a_terminal_shows_the_line_and_erases_it(tmp_path, hello_app):
    status, shown = run_on_terminal(tmp_path, "synth", "--app", hello_app, streams=("stderr",))
    assert status == 0
    for text in (
        "synth: running the app…",
        "synth: validating 0/2 stacks",
        "synth: linting 0/2 stacks",
        "synth: linting 2/2 stacks",
        "synth: writing the assembly…",
    ):
        assert f"{ERASE_LINE}{text}" in shown
    assert shown.endswith(ERASE_LINE)
    assert "Synthesized" not in shown  # stdout went elsewhere: the summary is never part of the line


def test_synth_piped_shows_no_line(run_iac, hello_app):
    result = run_iac("synth", "--app", hello_app)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "\r" not in result.stdout and "\x1b" not in result.stdout


def test_validate_of_files_counts_files_on_a_terminal_and_nothing_when_piped(tmp_path, run_iac):
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.json").write_text(QUEUE.replace('"Queue"', f'"Queue{name}"'))
    status, shown = run_on_terminal(tmp_path, "validate", folder, streams=("stderr",))
    assert status == 0
    assert f"{ERASE_LINE}validate: validating 0/3 files" in shown
    assert f"{ERASE_LINE}validate: linting 0/3 files" in shown
    assert shown.endswith(ERASE_LINE)
    piped = run_iac("validate", folder)
    assert piped.returncode == 0 and piped.stderr == "", piped.stderr
    assert piped.stdout == "3 templates valid\n"


def test_document_output_and_quiet_show_no_line_on_a_terminal(tmp_path, hello_app):
    for args in (
        ("validate", "--app", hello_app, "--format", "json"),
        ("synth", "--app", hello_app, "--quiet"),
        ("diff", "--app", hello_app),
        ("diff", "--app", hello_app, "--json"),
    ):
        status, shown = run_on_terminal(tmp_path, *args, streams=("stderr",))
        assert status == 0, args
        assert shown == "", args


def test_an_app_that_prints_gets_its_own_line(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(PRINTING_APP)
    status, shown = run_on_terminal(tmp_path, "synth", "--no-lint")
    assert status == 0, shown
    assert f"synth: running the app…{ERASE_LINE}hello from the app\r\n" in shown


def test_piped_stderr_with_the_terminal_on_stdout_shows_no_line(tmp_path, hello_app):
    """The line is stderr's: stdout on a terminal is not enough."""
    status, shown = run_on_terminal(tmp_path, "synth", "--app", hello_app, streams=("stdout",))
    assert status == 0
    assert "synth:" not in shown and shown.startswith("Synthesized 2 stacks")


def test_the_line_is_cut_to_the_terminals_width(tmp_path):
    """A line that wrapped would leave its first row behind when erased."""
    controller, terminal = pty.openpty()
    try:
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 20, 0, 0))
        with open(terminal, "w", closefd=False) as stream:
            line = ProgressLine(stream, "validate", unit="file")
            line(LINT, 7, 1200)
        shown = os.read(controller, 1000).decode()
    finally:
        os.close(controller)
        os.close(terminal)
    assert shown == f"{ERASE_LINE}validate: linting …"
    assert len(shown) - len(ERASE_LINE) == 19
