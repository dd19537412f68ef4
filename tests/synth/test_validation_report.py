"""Validation through the public API: `app.synth()` raises a ValidationError whose Problems point at
the user's construct and line; construct `validate()` hooks; `iac:path` metadata; the report format.
"""

from __future__ import annotations

import inspect
import io
import os
import re
from pathlib import Path

import pytest

from iac import App, CfnResource, Construct, Stack, ValidationError
from iac.cli.report import count_summary, format_error, format_problems, use_color
from iac.errors import Problem
from iac.synth.template_files import validate_files

HERE = os.path.abspath(__file__)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def next_line() -> int:
    """The line after the caller's: put the construct call there."""
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 1


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """app.synth() writes to ./iac.out by default: keep that inside tmp_path."""
    monkeypatch.chdir(tmp_path)


def synth_problems(app: App, **options: object) -> list[Problem]:
    with pytest.raises(ValidationError) as raised:
        app.synth(**options)  # type: ignore[arg-type]
    return raised.value.problems  # type: ignore[return-value]


# -- schema problems carry the construct path and the user's line -----------------------------------


def typo_app() -> tuple[App, int]:
    app = App()
    network = Stack(app, "Network")
    line = next_line()
    CfnResource(network, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 60})
    return app, line


def test_typo_in_property_raises_validation_error() -> None:
    app, _ = typo_app()
    problems = synth_problems(app)
    assert len(problems) == 1
    assert isinstance(problems[0], Problem)


def test_problem_names_the_construct_path() -> None:
    app, _ = typo_app()
    assert synth_problems(app)[0].path == "Network/Queue"


def test_problem_points_at_the_line_of_the_cfnresource_call() -> None:
    app, line = typo_app()
    location = synth_problems(app)[0].location
    assert location is not None
    assert (location.file, location.line) == (HERE, line)
    assert location.source_line.startswith('CfnResource(network, "Queue"')


def test_problem_names_the_property_path_and_suggests_the_fix() -> None:
    app, _ = typo_app()
    problem = synth_problems(app)[0]
    assert problem.property_path == "Resources.Queue.Properties.VisibilityTimout"
    assert problem.hint == "did you mean VisibilityTimeout?"
    assert problem.code == "schema"
    assert problem.severity == "error"


def test_failed_synth_writes_nothing(tmp_path: Path) -> None:
    app, _ = typo_app()
    synth_problems(app, outdir=str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_failed_synth_leaves_previous_assembly_unchanged(tmp_path: Path) -> None:
    good = App()
    CfnResource(Stack(good, "Network"), "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimeout": 60})
    out = tmp_path / "out"
    good.synth(outdir=str(out), lint=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    app, _ = typo_app()
    synth_problems(app, outdir=str(out))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_several_problems_in_one_app_are_reported_together() -> None:
    app = App()
    network = Stack(app, "Network")
    service = Stack(app, "Service")
    first = next_line()
    CfnResource(network, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 60})
    second = next_line()
    CfnResource(network, "Topic", type="AWS::SNS::Topc")
    third = next_line()
    CfnResource(service, "Table", type="AWS::Logs::LogGroup", properties={"RetentionInDays": 8})
    problems = synth_problems(app)
    found = sorted((p.path, p.location.line if p.location else None) for p in problems)
    assert found == sorted([("Network/Queue", first), ("Network/Topic", second), ("Service/Table", third)])


def test_problem_inside_a_user_construct_points_at_the_construct_that_made_the_resource() -> None:
    lines: list[int] = []

    class Queues(Construct):
        def __init__(self, scope: Construct, id: str) -> None:
            super().__init__(scope, id)
            lines.append(next_line())
            CfnResource(self, "Main", type="AWS::SQS::Queue", properties={"DelaySeconds": 901})

    app = App()
    Queues(Stack(app, "Network"), "Work")
    problem = synth_problems(app)[0]
    assert problem.path == "Network/Work/Main"
    assert problem.expected == "at most 900"
    # The user's line that made the resource is the CfnResource call inside Queues.__init__.
    assert problem.location is not None
    assert (problem.location.file, problem.location.line) == (HERE, lines[0])


def test_error_text_names_path_and_location() -> None:
    app, line = typo_app()
    with pytest.raises(ValidationError) as raised:
        app.synth()
    text = str(raised.value)
    assert "1 problem found" in text
    assert "construct Network/Queue" in text
    assert f"test_validation_report.py:{line}" in text


# -- construct validate() hook ---------------------------------------------------------------------


class Picky(Construct):
    """A construct that judges itself once the tree is built."""

    def __init__(self, scope: Construct, id: str, messages: list[str]) -> None:
        super().__init__(scope, id)
        self.messages = messages

    def validate(self) -> list[str]:
        return list(self.messages)


def test_validate_hook_messages_become_problems() -> None:
    app = App()
    stack = Stack(app, "Main")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    Picky(stack, "Picky", ["needs a listener", "needs a target"])
    problems = synth_problems(app)
    assert [p.message for p in problems] == ["needs a listener", "needs a target"]
    assert {p.path for p in problems} == {"Main/Picky"}
    # Picky is defined in this file, so its recorded location (first frame outside iac) is here.
    assert all(p.location is not None and p.location.file == HERE for p in problems)


def test_validate_hooks_of_several_constructs_are_reported_together() -> None:
    app = App()
    stack = Stack(app, "Main")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    Picky(stack, "One", ["first problem"])
    Picky(Picky(stack, "Two", []), "Three", ["second problem"])
    problems = synth_problems(app)
    assert sorted((p.path, p.message) for p in problems) == [
        ("Main/One", "first problem"),
        ("Main/Two/Three", "second problem"),
    ]


def test_validate_hook_returning_nothing_does_not_fail(tmp_path: Path) -> None:
    app = App()
    stack = Stack(app, "Main")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    Picky(stack, "Fine", [])
    assembly = app.synth(outdir=str(tmp_path / "out"), lint=False)
    assert assembly.stacks[0].resource_count == 1


# -- iac:path metadata ---------------------------------------------------------------------------------


def test_resources_carry_their_construct_path_in_metadata(tmp_path: Path) -> None:
    app = App()
    CfnResource(Stack(app, "Network"), "Queue", type="AWS::SQS::Queue")
    template = app.synth(outdir=str(tmp_path / "out"), lint=False).template("Network")
    assert template["Resources"]["Queue"]["Metadata"] == {"iac:path": "Network/Queue"}


def test_path_metadata_is_absent_when_turned_off(tmp_path: Path) -> None:
    app = App(path_metadata=False)
    CfnResource(Stack(app, "Network"), "Queue", type="AWS::SQS::Queue")
    template = app.synth(outdir=str(tmp_path / "out"), lint=False).template("Network")
    assert "Metadata" not in template["Resources"]["Queue"]


def test_path_metadata_keeps_user_metadata(tmp_path: Path) -> None:
    app = App()
    resource = CfnResource(Stack(app, "Network"), "Queue", type="AWS::SQS::Queue")
    resource.add_override("Metadata.Owner", "team-a")
    template = app.synth(outdir=str(tmp_path / "out"), lint=False).template("Network")
    assert template["Resources"]["Queue"]["Metadata"] == {"Owner": "team-a", "iac:path": "Network/Queue"}


# -- the report format ---------------------------------------------------------------------------------


def typo_report(color: bool = False) -> tuple[str, int]:
    app, line = typo_app()
    with pytest.raises(ValidationError) as raised:
        app.synth()
    return format_error(raised.value, color=color), line


def test_report_block_shows_location_source_path_property_and_hint() -> None:
    text, line = typo_report()
    lines = text.splitlines()
    assert lines[0] == "error[schema]: unknown property 'VisibilityTimout'"
    assert lines[1].startswith("  --> ") and lines[1].endswith(f"test_validation_report.py:{line}")
    assert lines[2].strip().startswith('| ') and 'CfnResource(network, "Queue"' in lines[2]
    assert "   = construct: Network/Queue" in lines
    assert "   = property: Resources.Queue.Properties.VisibilityTimout" in lines
    assert "   = hint: did you mean VisibilityTimeout?" in lines
    assert lines[-1] == "1 error found"


def test_report_has_one_block_per_problem() -> None:
    app = App()
    stack = Stack(app, "Main")
    CfnResource(stack, "A", type="AWS::SQS::Queue", properties={"VisibilityTimout": 1})
    CfnResource(stack, "B", type="AWS::SQS::Queue", properties={"DelaySecond": 1})
    with pytest.raises(ValidationError) as raised:
        app.synth()
    text = format_error(raised.value)
    assert text.count("error[schema]:") == 2
    assert "did you mean VisibilityTimeout?" in text and "did you mean DelaySeconds?" in text
    assert text.endswith("2 errors found")


def test_report_is_plain_without_color() -> None:
    text, _ = typo_report(color=False)
    assert not ANSI.search(text)


def test_report_is_coloured_with_color() -> None:
    text, _ = typo_report(color=True)
    assert ANSI.search(text)
    assert ANSI.sub("", text) == typo_report(color=False)[0]


def test_warnings_are_labelled_as_warnings() -> None:
    text = format_problems([Problem("Parameter Unused not used.", code="W2001", severity="warning")])
    assert text.startswith("warning[W2001]: Parameter Unused not used.")


def test_count_summary_counts_errors_and_warnings() -> None:
    problems: list = [Problem("a"), Problem("b", severity="warning"), Problem("c", severity="warning")]
    assert count_summary(problems) == "1 error, 2 warnings found"
    assert count_summary([]) == "no problems found"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_color_is_used_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(FakeTerminal()) is True
    assert use_color(io.StringIO()) is False


def test_no_color_turns_color_off_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(FakeTerminal()) is False


# -- template files: findings located in the file ------------------------------------------------------


def test_file_findings_are_located_at_the_line_of_the_entry() -> None:
    path = TEMPLATES / "broken" / "unknown-property.json"
    report = validate_files([str(path)], region=None, lint=False, strict=False)
    problem = report.errors[0]
    assert problem.location is not None
    assert problem.location.file == str(path)
    assert problem.location.source_line == '"VisibilityTimout": 60'
    assert problem.hint == "did you mean VisibilityTimeout?"


def test_file_findings_name_the_construct_from_iac_path_metadata(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"
    path.write_text('{"Resources": {"Queue": {"Type": "AWS::SQS::Queue",\n'
                    '  "Metadata": {"iac:path": "Network/Queue"},\n'
                    '  "Properties": {"VisibilityTimout": 60}}}}\n')
    report = validate_files([str(path)], region=None, lint=False, strict=False)
    assert [(p.path, p.location.line if p.location else None) for p in report.errors] == [("Network/Queue", 3)]


def test_file_report_counts_files_and_collects_problems_of_all() -> None:
    broken = TEMPLATES / "broken"
    files = [broken / "unknown-type.yaml", broken / "bad-enum.yaml", broken / "empty.yaml"]
    report = validate_files([str(f) for f in files], region=None, lint=False, strict=False)
    assert report.files == 3
    assert sorted(os.path.basename(p.location.file) for p in report.errors if p.location) == [
        "bad-enum.yaml", "empty.yaml", "unknown-type.yaml"]
