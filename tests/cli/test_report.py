"""How errors look on the terminal: one block per problem, pointing at the user's own line."""

from __future__ import annotations

import io
import runpy

import pytest

from iac import CfnResource, ConstructError
from iac.cli.report import format_error, use_color, user_frames
from iac.errors import AppError, Problem, UsageError, ValidationError


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_is_used_on_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)

    assert use_color(_Terminal()) is True


def test_no_color_turns_colour_off_even_on_a_terminal(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    assert use_color(_Terminal()) is False


def test_no_colour_when_the_stream_is_not_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)

    assert use_color(io.StringIO()) is False


def test_without_colour_the_message_has_no_escape_codes():
    text = format_error(UsageError("no app found", hint="pass --app"), color=False)

    assert text == "error: no app found\n   = hint: pass --app"
    assert "\x1b[" not in text


def test_with_colour_the_label_is_styled():
    assert "\x1b[" in format_error(UsageError("no app found"), color=True)


def test_a_construct_error_shows_the_users_line_its_source_and_the_path(stack):
    with pytest.raises(ConstructError) as caught:
        CfnResource(stack, "a/b", type="AWS::SQS::Queue")

    lines = format_error(caught.value).splitlines()

    assert lines[0] == "error: construct id 'a/b' must not contain '/' (it separates path components)"
    assert lines[1].startswith("  --> ") and lines[1].endswith(f"test_report.py:{caught.value.location.line}")
    assert lines[2] == '   |     CfnResource(stack, "a/b", type="AWS::SQS::Queue")'
    assert lines[3] == "   = construct: Main"
    assert lines[4] == "   = hint: use 'a-b', or nest constructs to build a path"


def test_a_validation_error_shows_every_problem_and_a_count():
    error = ValidationError([Problem("first", path="Main/A"), Problem("second", path="Main/B", severity="warning",
                                                                      code="W1001")])

    text = format_error(error)

    assert "error: first\n   = construct: Main/A" in text
    assert "warning[W1001]: second\n   = construct: Main/B" in text
    assert text.endswith("1 error, 1 warning found")


def _raise_from_user_code():
    raise RuntimeError("boom")


def test_user_frames_keep_the_users_code_and_drop_the_machinery(tmp_path):
    app_file = tmp_path / "app.py"
    app_file.write_text("def build():\n    raise RuntimeError('boom')\n\nbuild()\n")
    try:
        runpy.run_path(str(app_file), run_name="__main__")
    except RuntimeError as error:
        frames = user_frames(error)

    joined = "\n".join(frames)
    assert "app.py:4, in <module>" in joined
    assert "app.py:2, in build" in joined
    assert "<frozen" not in joined and "runpy.py" not in joined
    assert "test_report.py" in joined  # the caller here is user code too


def test_an_app_error_lists_only_the_users_frames():
    try:
        _raise_from_user_code()
    except RuntimeError as error:
        app_error = AppError("the app app.py raised RuntimeError: boom", original=error)

    text = format_error(app_error)

    assert text.startswith("error: the app app.py raised RuntimeError: boom\n")
    assert "Traceback (your code only; run with --debug for the full one):" in text
    assert "in _raise_from_user_code" in text
    assert 'raise RuntimeError("boom")' in text


def test_a_recursion_in_the_users_code_is_one_screen(tmp_path):
    app = tmp_path / "deep.py"
    app.write_text("def f():\n    return f()\n", encoding="utf-8")
    namespace: dict = {}
    exec(compile(app.read_text(), str(app), "exec"), namespace)
    try:
        namespace["f"]()
    except RecursionError as error:
        lines = user_frames(error)

    assert len(lines) <= 6
    assert lines[-1].startswith("  [the line above repeated ") and lines[-1].endswith(" more times]")
