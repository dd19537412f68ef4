"""--quiet's report of a successful run's problems (report.format_quiet_problems): errors in full, warnings
counted per rule, and how to see them all."""

from __future__ import annotations

from iac.cli.report import format_problems, format_quiet_problems
from iac.errors import Problem


def _warning(code: str | None, index: int) -> Problem:
    return Problem(f"topic {index} is not encrypted", path=f"App/S/Topic{index}", code=code, severity="warning",
                   hint="set kms_master_key")


def test_two_thousand_warnings_of_one_rule_are_one_line():
    warnings = [_warning("IAC-SNS-001", index) for index in range(2000)]

    text = format_quiet_problems(warnings, see_all="run without --quiet, or iac validate --format json")

    lines = text.splitlines()
    assert len(lines) == 3
    assert lines[0] == "2,000 warnings (1 rule), not shown one by one with --quiet:"
    assert lines[1] == "  2,000  IAC-SNS-001  topic 0 is not encrypted (App/S/Topic0, ...)"
    assert lines[2] == "   = hint: run without --quiet, or iac validate --format json"
    assert "Topic1999" not in text


def test_rules_are_counted_most_first_and_errors_stay_in_full():
    error = Problem("bucket name is too long", path="App/S/Bucket", code="schema", hint="shorten it")
    problems = [_warning("W3005", 0), error, *(_warning("IAC-SNS-001", i) for i in range(1, 4)), _warning(None, 9)]

    text = format_quiet_problems(problems)

    assert text.startswith(format_problems([error]) + "\n\n")
    summary = text.split("\n\n")[1].splitlines()
    assert summary[0] == "5 warnings (3 rules), not shown one by one with --quiet:"
    assert summary[1:4] == ["  3  IAC-SNS-001  topic 1 is not encrypted (App/S/Topic1, ...)",
                            "  1  W3005  topic 0 is not encrypted (App/S/Topic0)",
                            "  1  other  topic 9 is not encrypted (App/S/Topic9)"]
    assert summary[4] == "   = hint: run without --quiet to see each one"


def test_no_warnings_print_only_the_errors_and_nothing_prints_nothing():
    error = Problem("bad", code="E3002")
    assert format_quiet_problems([error]) == format_problems([error])
    assert format_quiet_problems([]) == ""


def test_control_characters_in_a_message_stay_on_one_line():
    text = format_quiet_problems([Problem("a\nb\x1b[2J", code="X\n1", severity="warning")])
    assert len(text.splitlines()) == 3
    assert "\x1b" not in text


def test_iac_synth_quiet_prints_one_line_per_warning_rule_and_without_quiet_each_one(tmp_path):
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    app = tmp_path / "app.py"
    app.write_text("from iac import App, CfnResource, Stack\n"
                   "app = App()\nstack = Stack(app, 'Topics')\n"
                   "for index in range(5):\n"
                   "    CfnResource(stack, f'Topic{index}', type='AWS::SNS::Topic', properties={})\n"
                   "app.synth()\n")
    env = {**os.environ, "NO_COLOR": "1"}

    def synth(*options: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "iac", "synth", "--app", str(app), "--out",
                               str(tmp_path / "out"), "--no-lint", *options], capture_output=True, text=True,
                              env=env, cwd=tmp_path)

    quiet = synth("--quiet")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout == ""
    assert "5 warnings (1 rule), not shown one by one with --quiet:" in quiet.stderr
    assert "  5  IAC-SNS-001  " in quiet.stderr
    assert quiet.stderr.count("IAC-SNS-001") == 1
    loud = synth()
    assert loud.returncode == 0, loud.stderr
    assert loud.stderr.count("IAC-SNS-001") == 5
