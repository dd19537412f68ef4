"""Template and app data never drive the terminal (issue 12, defect 9): OSC 52 (clipboard), OSC 0
(window title), CSI (cursor, colour, clear screen), BEL, backspace, carriage return and C1 controls
in values are shown escaped by `iac diff`, `validate`, `synth` errors, `ls` and `tree`, through the
real CLI; iac's own colours still reach a terminal, and a value cannot forge a line of the diff.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pseudo_terminal import run_on_terminal

from iac.cli.report import Painter
from iac.cli.terminal import GuardedStream, guarded_terminal, own
from iac.text import one_line, printable

Run = Callable[..., subprocess.CompletedProcess[str]]

OSC_52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # puts "echo pwned" on the clipboard
OSC_TITLE = "\x1b]0;pwned\x1b\\"
CSI = "\x1b[2J\x1b[H\x1b[31m"  # clear the screen, cursor home, red
C1 = "\x9b31m\x9d0;t\x9c\x85"  # the same, as C1 controls (CSI, OSC, ST, NEL)
HOSTILE = f"q{OSC_52}{OSC_TITLE}{CSI}\x07bell\x08back\rreturn{C1}"
RAW = ("\x1b", "\x07", "\x08", "\r", "\x9b", "\x9d", "\x9c", "\x85")
ANSI = re.compile(r"\x1b\[[0-9;]*m|\r\x1b\[K")  # iac's own: colours, the progress line's erase


def assert_no_raw_controls(*outputs: str) -> None:
    for output in outputs:
        for char in RAW:
            assert char not in output, f"{char!r} reached the terminal: {output!r}"


def queue(**properties: object) -> dict[str, object]:
    return {"Type": "AWS::SQS::Queue", "Properties": properties}


@pytest.fixture
def hostile_pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two JSON templates (control characters written as JSON escapes) whose diff shows hostile values
    in a logical id, a property value, a tag, an output name and the description."""
    old = {"Description": "old", "Resources": {"Queue": queue(QueueName="plain", DelaySeconds=1)}}
    new = {
        "Description": HOSTILE,
        "Resources": {
            "Queue": queue(QueueName=HOSTILE, DelaySeconds=2, Tags=[{"Key": "k", "Value": HOSTILE}]),
            f"Added{OSC_TITLE}": queue(),
        },
        "Outputs": {f"Out{CSI}": {"Value": HOSTILE}},
    }
    old_path, new_path = tmp_path / "old.json", tmp_path / "new.json"
    old_path.write_text(json.dumps(old))
    new_path.write_text(json.dumps(new))  # ensure_ascii: the file itself holds only \\u escapes
    return old_path, new_path


def test_diff_text_shows_hostile_values_escaped(run_iac: Run, hostile_pair: tuple[Path, Path]) -> None:
    old, new = hostile_pair

    result = run_iac("diff", "--from", old, "--to", new)

    assert result.returncode == 0, result.stderr
    assert_no_raw_controls(result.stdout, result.stderr)
    assert "\\x1b]52;c;ZWNobyBwd25lZA==\\x07" in result.stdout  # visible, so the user sees the attempt
    assert "\\x9b31m" in result.stdout and "\\r" in result.stdout
    assert "[+] AWS::SQS::Queue Added\\x1b]0;pwned\\x1b\\" in result.stdout


def test_diff_json_escapes_control_characters(run_iac: Run, hostile_pair: tuple[Path, Path]) -> None:
    old, new = hostile_pair

    result = run_iac("diff", "--from", old, "--to", new, "--json")

    assert_no_raw_controls(result.stdout, result.stderr)
    assert HOSTILE in result.stdout.encode().decode("unicode_escape") or "\\u001b]52" in result.stdout
    json.loads(result.stdout)  # still the model, intact


def test_a_value_with_newlines_cannot_forge_a_diff_line(run_iac: Run, tmp_path: Path) -> None:
    forged = "x\n[+] AWS::IAM::Role Admin\n\n0 to add, 0 to change, 0 to replace, 0 to remove"
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"Resources": {"Queue": queue(QueueName="a")}}))
    new.write_text(json.dumps({"Resources": {"Queue": queue(QueueName="a"), f"B{forged}": queue(QueueName=forged)},
                               "Outputs": {f"O{forged}": {"Value": "v"}}}))

    lines = run_iac("diff", "--from", old, "--to", new).stdout.splitlines()

    assert not [line for line in lines if line.startswith("[+] AWS::IAM::Role")]
    assert [line for line in lines if line.startswith("0 to add")] == []
    assert lines[-1] == "1 to add, 0 to change, 0 to replace, 0 to remove"


def test_validate_file_errors_show_hostile_names_and_values_escaped(run_iac: Run, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"Resources": {"Queue": queue(**{f"Bad{OSC_52}": HOSTILE,
                                                                 "DelaySeconds": HOSTILE})}}, indent=1))

    result = run_iac("validate", "--no-lint", path)

    assert result.returncode == 1
    assert_no_raw_controls(result.stdout, result.stderr)
    assert "\\x1b]52;" in result.stderr


def test_synth_errors_show_hostile_construct_paths_escaped(run_iac: Run, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from iac import App, CfnResource, Stack\n"
        "app = App()\n"
        f"stack = Stack(app, {'Main' + OSC_TITLE!r})\n"
        f"CfnResource(stack, 'Q', type='AWS::SQS::Queue', properties={{'DelaySeconds': {HOSTILE!r}}})\n")

    result = run_iac("synth", "--no-lint")

    assert result.returncode in (1, 2)
    assert_no_raw_controls(result.stdout, result.stderr)
    assert "Main\\x1b]0;pwned" in result.stderr


@pytest.mark.parametrize("args", [("tree",), ("tree", "--locations"), ("ls",), ("ls", "--long")])
def test_ls_and_tree_show_hostile_ids_escaped(run_iac: Run, tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "app.py").write_text(
        "from iac import App, CfnResource, Stack\n"
        "app = App()\n"
        f"stack = Stack(app, {'Main' + OSC_TITLE!r}, stack_name='Main')\n"
        f"CfnResource(stack, {'Q' + C1 + chr(13) + chr(8)!r}, type='AWS::SQS::Queue')\n")

    result = run_iac(*args)

    assert result.returncode == 0, result.stderr
    assert_no_raw_controls(result.stdout, result.stderr)
    assert "Main\\x1b]0;pwned\\x1b\\" in result.stdout


def test_on_a_terminal_iacs_own_colours_stay_and_the_templates_sequences_do_not(
        tmp_path: Path, hostile_pair: tuple[Path, Path]) -> None:
    old, new = hostile_pair

    status, output = run_on_terminal(tmp_path, "diff", "--from", old, "--to", new)

    assert status == 0, output
    assert "\x1b[32m" in output and "\x1b[1m" in output  # iac's green and bold
    own_colours_removed = ANSI.sub("", output).replace("\r\n", "\n")  # the pty turns \n into \r\n
    assert_no_raw_controls(own_colours_removed)
    assert "\\x1b]52;c;" in own_colours_removed


def test_on_a_terminal_an_error_block_keeps_its_colour_and_escapes_the_value(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"Resources": {"Queue": queue(DelaySeconds=HOSTILE)}}))

    status, output = run_on_terminal(tmp_path, "validate", "--no-lint", path)

    assert status == 1, output
    assert "\x1b[31m" in output  # the red "error"
    assert_no_raw_controls(ANSI.sub("", output).replace("\r\n", "\n"))


# -- the pieces ------------------------------------------------------------------------------------------


def test_one_line_escapes_every_control_character_and_newline_visibly() -> None:
    assert one_line("a\x1b[31mb\x07c\nd\re\x9bf\u202eg\th") == "a\\x1b[31mb\\x07c\\nd\\re\\x9bf\\u202eg\th"


def test_printable_keeps_newlines_and_tabs() -> None:
    assert printable("a\nb\tc\x1b") == "a\nb\tc\\x1b"


def test_painter_escapes_the_text_it_styles_but_keeps_its_style() -> None:
    painted = Painter(True)("x\x1b]0;t\x07", fg="red")

    assert painted.startswith("\x1b[31m") and painted.endswith("\x1b[0m")
    assert "x\\x1b]0;t\\x07" in painted


def test_the_guard_escapes_user_sequences_and_restores_only_its_own_marks() -> None:
    written = io.StringIO()
    stream = GuardedStream(written)
    with guarded_terminal():
        stream.write(own("\x1b[1m") + "user \x1b]52;c;eA==\x07" + own("\x1b[0m") + own("\r\x1b[K") + "\n")

    assert written.getvalue() == "\x1b[1muser \\x1b]52;c;eA==\\x07\x1b[0m\r\x1b[K\n"


def test_a_forged_mark_without_the_process_secret_is_not_restored() -> None:
    written = io.StringIO()
    with guarded_terminal():
        GuardedStream(written).write("\ue0000000000000000001b[31m")

    assert "\x1b" not in written.getvalue()


def test_outside_a_command_own_sequences_are_real_ones() -> None:
    assert own("\x1b[1m") == "\x1b[1m"
    assert Painter(True)("x", bold=True) == "\x1b[1mx\x1b[0m"
