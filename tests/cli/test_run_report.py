"""What commands say about their own run on stderr: --verbose timings per phase, lint progress on a terminal."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner
from pseudo_terminal import run_on_terminal

from iac.cli.common import handle_errors
from iac.cli.run_report import format_timings
from iac.synth.lint import LintCache, lint_bodies
from iac.synth.phases import Phases

TIMING_LINE = r"  {name} +\d+\.\d\ds"

BROKEN_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 1})
"""


def phase_names(stderr: str) -> list[str]:
    """The phases of the timing table in `stderr`, in order (total last)."""
    names = []
    for line in stderr[stderr.index("timing (iac "):].splitlines()[1:]:
        names.append(re.split(r"\s{2,}", line.strip())[0])
        if names[-1] == "total":
            return names
    raise AssertionError(f"no timing table in {stderr!r}")


def test_synth_verbose_times_every_phase(invoke, hello_app):
    result = invoke("synth", "--app", hello_app, "--out", "out", "--verbose")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Synthesized 2 stacks to out/")
    assert result.stderr.startswith("timing (iac synth):\n")
    assert phase_names(result.stderr) == ["app load", "synthesis", "schema validation", "lint", "write", "total"]
    assert re.search(TIMING_LINE.format(name="app load") + r"  \S*samples/hello/app\.py$", result.stderr, re.M)
    assert re.search(TIMING_LINE.format(name="lint") + "  2 stacks linted$", result.stderr, re.M)


def test_synth_verbose_says_when_the_lint_cache_answered(invoke, hello_app):
    invoke("synth", "--app", hello_app, "--out", "out")
    result = invoke("synth", "--app", hello_app, "--out", "out", "-v")
    assert re.search(TIMING_LINE.format(name="lint") + "  2 stacks from the cache$",
                     result.stderr, re.M)


def test_synth_verbose_without_lint_has_no_lint_phase(invoke, hello_app):
    result = invoke("synth", "--app", hello_app, "--out", "out", "--no-lint", "-v")
    assert phase_names(result.stderr) == ["app load", "synthesis", "schema validation", "write", "total"]


def test_verbose_timings_print_when_validation_fails_too(invoke, write_app):
    write_app(BROKEN_APP)
    result = invoke("synth", "--verbose")
    assert result.exit_code == 1
    # cfn-lint runs after a schema error too (every problem in one round), so its phase is timed
    assert phase_names(result.stderr) == ["app load", "synthesis", "schema validation", "lint", "total"]
    assert result.stderr.rstrip().endswith("1 error found")  # the error comes last, where the eye lands


def test_validate_verbose_for_the_app_and_for_files(invoke, hello_app, tmp_path):
    result = invoke("validate", "--app", hello_app, "--no-lint", "--verbose")
    assert result.exit_code == 0, result.output
    assert phase_names(result.stderr) == ["app load", "synthesis", "schema validation", "total"]
    (tmp_path / "stack.yaml").write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
    result = invoke("validate", "stack.yaml", "--no-lint", "--verbose")
    assert result.exit_code == 0, result.output
    assert phase_names(result.stderr) == ["schema validation", "total"]


def test_diff_verbose_times_loading_reading_and_comparing(invoke, hello_app):
    invoke("synth", "--app", hello_app, "--no-lint")
    result = invoke("diff", "--app", hello_app, "--verbose")
    assert result.exit_code == 0, result.output
    assert phase_names(result.stderr) == ["app load", "synthesis", "baseline read", "diff", "total"]


def test_no_timings_without_verbose(invoke, hello_app):
    result = invoke("synth", "--app", hello_app, "--out", "out", "--no-lint")
    assert result.stderr == ""


# -- progress ----------------------------------------------------------------------------------------------


def stderr_on_terminal(cwd: Path, *args: str) -> str:
    """Run the real `iac` with stderr on a pseudo-terminal; return what it wrote there."""
    status, shown = run_on_terminal(cwd, *args, streams=("stderr",))
    assert status == 0
    return shown


def test_lint_progress_shows_on_a_terminal_and_is_erased(tmp_path, hello_app):
    shown = stderr_on_terminal(tmp_path, "synth", "--app", str(hello_app))
    assert "\r\x1b[Ksynth: linting 0/2 stacks" in shown
    assert shown.endswith("\r\x1b[K")


def test_quiet_synth_shows_no_progress(tmp_path, hello_app):
    assert stderr_on_terminal(tmp_path, "synth", "--app", str(hello_app), "--quiet") == ""


def test_lint_reports_progress_per_stack(tmp_path):
    seen: list[tuple[int, int]] = []
    body = '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}'
    lint_bodies({"A": (body, "us-east-1"), "B": (body + "\n", "us-east-1")}, LintCache(), jobs=1,
                progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_phases_add_up_and_keep_their_order():
    phases = Phases()
    with phases.phase("b"):
        pass
    phases.add("a", 1.0)
    phases.add("b", 2.0)
    phases.note("a", "one note")
    assert list(phases.seconds) == ["b", "a"]
    assert phases.seconds["b"] >= 2.0
    assert format_timings(phases, 3.5, "timing:").splitlines() == [
        "timing:", "  b          2.00s", "  a          1.00s  one note", "  total      3.50s"]


# -- a closed pipe ------------------------------------------------------------------------------------------


def test_a_reader_that_leaves_early_gets_no_internal_error():
    @click.command()
    @handle_errors
    def talk() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    result = CliRunner().invoke(talk, [])
    assert result.exit_code == 1
    assert "internal error" not in result.output
