"""`iac validate` and the validation side of `iac synth`: exit statuses, messages that point at the
user's line, the previous assembly kept on failure, template files (good and broken), NO_COLOR.

Most runs use click's CliRunner in process (cfn-lint is built once per process); a handful run the
real `iac` command in a subprocess, end to end.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from pseudo_terminal import run_on_terminal

from iac.synth.lint import lint_template

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
GOOD = TEMPLATES / "good"
BROKEN = TEMPLATES / "broken"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

GOOD_TEMPLATES = sorted(p.name for p in GOOD.iterdir())

Invoke = Callable[..., Result]


def hello_source(hello_app: Path, *, typo: bool) -> str:
    """The hello sample; with `typo`, its queue made as a CfnResource whose property is misspelt (the
    typed class would refuse the misspelt keyword itself, before the schema layer could)."""
    source = hello_app.read_text()
    typed = 'queue = sqs.Queue(network, "Queue", visibility_timeout=60)'
    assert typed in source and "queue.attr_arn" in source
    if not typo:
        return source
    untyped = 'queue = CfnResource(network, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 60})'
    source = source.replace(typed, untyped).replace("queue.attr_arn", 'queue.get_att("Arn")')
    return source.replace("from iac import ", "from iac import CfnResource, ", 1)


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def assert_no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert "internal error" not in output


LINT_ONLY_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    stack = Stack(app, "Main")
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    CfnResource(stack, "Policy", type="AWS::SQS::QueuePolicy", properties={
        "Queues": [queue.ref],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Alow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage", "Resource": queue.get_att("Arn"),
        }]},
    })
    app.synth()
"""

WARNING_APP = """
    from iac import App, CfnResource, Parameter, Stack

    app = App()
    stack = Stack(app, "Main")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    Parameter(stack, "Unused", type="String")
    app.synth()
"""


# -- iac synth: the "done when" case, end to end ----------------------------------------


def test_synth_typo_in_hello_fails_naming_construct_line_and_fix_and_keeps_previous_assembly(
    tmp_path: Path,
    hello_app: Path,
    invoke: Invoke,
    run_iac: Callable[..., subprocess.CompletedProcess[str]],
    tree_digest: Callable[[Path], dict[str, tuple[str, int]]],
) -> None:
    app_file = tmp_path / "app.py"
    app_file.write_text(hello_source(hello_app, typo=False))
    first = invoke("synth")
    assert first.exit_code == 0, first.output
    before = tree_digest(tmp_path / "iac.out")

    app_file.write_text(hello_source(hello_app, typo=True))
    result = run_iac("synth")

    line = line_of(app_file, "VisibilityTimout")
    assert result.returncode == 1, result.stderr
    assert "Network/Queue" in result.stderr
    assert f"app.py:{line}" in result.stderr
    assert "did you mean VisibilityTimeout" in result.stderr
    assert "VisibilityTimout" in result.stderr  # the source line is shown
    assert_no_traceback(result.stdout + result.stderr)
    assert tree_digest(tmp_path / "iac.out") == before


def test_synth_typo_reports_the_block_in_process(write_app: Callable[..., Path], hello_app: Path,
                                                 invoke: Invoke) -> None:
    app_file = write_app(hello_source(hello_app, typo=True))
    result = invoke("synth")
    assert result.exit_code == 1
    line = line_of(app_file, "VisibilityTimout")
    assert f"error[schema]: unknown property 'VisibilityTimout'\n  --> app.py:{line}\n" in result.stderr
    assert "   = construct: Network/Queue" in result.stderr
    assert "   = property: Resources.Queue.Properties.VisibilityTimout" in result.stderr
    assert "   = hint: did you mean VisibilityTimeout?" in result.stderr
    assert result.stderr.rstrip().endswith("1 error found")
    assert not Path("iac.out").exists()


def test_hello_sample_passes_both_layers_with_no_warnings(hello_app: Path, invoke: Invoke) -> None:
    result = invoke("synth", "--strict", "--app", hello_app, "--out", "out")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_synth_lint_error_fails_with_rule_and_user_line(write_app: Callable[..., Path], invoke: Invoke) -> None:
    app_file = write_app(LINT_ONLY_APP)
    result = invoke("synth")
    assert result.exit_code == 1
    assert "error[E3512]:" in result.stderr
    assert "Main/Policy" in result.stderr
    line = line_of(app_file, 'CfnResource(stack, "Policy"')
    assert f"app.py:{line}" in result.stderr
    assert not Path("iac.out").exists()
    assert_no_traceback(result.output)


def test_synth_no_lint_skips_cfn_lint(write_app: Callable[..., Path], invoke: Invoke) -> None:
    write_app(LINT_ONLY_APP)
    result = invoke("synth", "--no-lint")
    assert result.exit_code == 0, result.output
    assert Path("iac.out/Main.template.json").exists()
    assert not Path("iac.out/.lint-cache.json").exists()


def test_synth_no_lint_still_runs_the_schema_layer(write_app: Callable[..., Path], hello_app: Path,
                                                   invoke: Invoke) -> None:
    write_app(hello_source(hello_app, typo=True))
    result = invoke("synth", "--no-lint")
    assert result.exit_code == 1
    assert "did you mean VisibilityTimeout?" in result.stderr


def test_synth_prints_warnings_and_succeeds(write_app: Callable[..., Path], invoke: Invoke) -> None:
    app_file = write_app(WARNING_APP)
    result = invoke("synth")
    assert result.exit_code == 0, result.output
    assert "warning[W2001]: Parameter Unused not used." in result.stderr
    assert f"app.py:{line_of(app_file, 'Parameter(stack')}" in result.stderr
    assert "Main/Unused" in result.stderr
    assert Path("iac.out/Main.template.json").exists()


def test_synth_strict_fails_on_warnings_and_writes_nothing(write_app: Callable[..., Path], invoke: Invoke) -> None:
    write_app(WARNING_APP)
    result = invoke("synth", "--strict")
    assert result.exit_code == 1
    assert "warning[W2001]" in result.stderr
    assert "1 warning found" in result.stderr
    assert not Path("iac.out").exists()
    assert_no_traceback(result.output)


def test_synth_unknown_stack_region_is_a_usage_error(write_app: Callable[..., Path], invoke: Invoke) -> None:
    write_app("""
        from iac import App, CfnResource, Stack

        app = App()
        CfnResource(Stack(app, "Main", region="eu-wset-1"), "Queue", type="AWS::SQS::Queue")
        app.synth()
    """)
    result = invoke("synth")
    assert result.exit_code == 2, result.output
    assert "unknown region 'eu-wset-1'" in result.stderr
    assert "did you mean 'eu-west-1'?" in result.stderr
    assert_no_traceback(result.output)


# -- iac validate with no TEMPLATE: the app ------------------------------------------------------


def test_validate_runs_the_app_and_writes_nothing(tmp_path: Path, hello_app: Path,
                                                  write_app: Callable[..., Path], invoke: Invoke) -> None:
    write_app(hello_source(hello_app, typo=False))
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == "2 stacks valid\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.py"]


def test_validate_app_with_typo_fails_like_synth(hello_app: Path, write_app: Callable[..., Path],
                                                 invoke: Invoke) -> None:
    app_file = write_app(hello_source(hello_app, typo=True))
    result = invoke("validate")
    assert result.exit_code == 1
    assert f"app.py:{line_of(app_file, 'VisibilityTimout')}" in result.stderr
    assert "did you mean VisibilityTimeout?" in result.stderr


def test_validate_app_reports_warnings_and_strict_fails(write_app: Callable[..., Path], invoke: Invoke) -> None:
    write_app(WARNING_APP)
    relaxed = invoke("validate")
    assert relaxed.exit_code == 0
    assert relaxed.stdout == "1 stack valid (1 warning found)\n"
    assert "warning[W2001]" in relaxed.stderr
    assert invoke("validate", "--strict").exit_code == 1


def test_validate_app_with_no_lint(write_app: Callable[..., Path], invoke: Invoke) -> None:
    write_app(LINT_ONLY_APP)
    assert invoke("validate").exit_code == 1
    assert invoke("validate", "--no-lint").exit_code == 0


# -- iac validate TEMPLATE...: the good templates ----------------------------------------------------


def test_validate_good_templates_in_a_subprocess(run_iac: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    result = run_iac("validate", *(GOOD / name for name in GOOD_TEMPLATES))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{len(GOOD_TEMPLATES)} templates valid\n"
    assert result.stderr == ""  # no warnings either


@pytest.mark.parametrize("name", GOOD_TEMPLATES)
def test_good_template_is_valid_with_no_warnings(name: str, invoke: Invoke) -> None:
    result = invoke("validate", "--strict", GOOD / name)
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 template valid\n"


def test_validate_good_templates_folder_exits_zero(invoke: Invoke) -> None:
    result = invoke("validate", GOOD)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{len(GOOD_TEMPLATES)} templates valid\n"


def test_sam_template_passes_cfn_lint() -> None:
    """The SAM template is valid: cfn-lint (which runs the transform) finds nothing in it."""
    assert lint_template((GOOD / "sam-app.yaml").read_text(), "us-east-1") == []


def test_sam_template_passes_the_schema_layer_without_the_generated_reference(tmp_path: Path,
                                                                             invoke: Invoke) -> None:
    """Only the reference to the transform-generated API fails; the SAM resources themselves are skipped."""
    text = (GOOD / "sam-app.yaml").read_text()
    trimmed = tmp_path / "sam.yaml"
    trimmed.write_text(text[: text.index("  ApiUrl:")] + text[text.index("  FunctionArn:"):])
    result = invoke("validate", "--strict", trimmed)
    assert result.exit_code == 0, result.output


def test_validate_good_templates_in_another_region(invoke: Invoke) -> None:
    result = invoke("validate", "--no-lint", "--region", "eu-west-1", *(GOOD / name for name in GOOD_TEMPLATES))
    assert result.exit_code == 0, result.output


# -- iac validate TEMPLATE...: broken templates ------------------------------------------------------

BROKEN_CASES = {
    # file: (exit status, line, text in the report)
    "unknown-type.yaml": (1, 5, "did you mean AWS::SQS::Queue?"),
    "unknown-property.json": (1, 8, "did you mean VisibilityTimeout?"),
    "wrong-type.json": (1, 8, "expected: an integer"),
    "missing-required.yaml": (1, 8, "required property 'Endpoint' is missing"),  # the item, as cfn-lint says
    "bad-enum.yaml": (1, 8, "did you mean STANDARD?"),
    "bad-ref.yaml": (1, 10, "did you mean QueueName?"),
    "bad-getatt.yaml": (1, 9, "did you mean Arn?"),
    "lint-only.yaml": (1, 14, "error[E3512]: 'Alow' is not one of ['Allow', 'Deny']"),
    "no-resources.json": (1, 1, "the template has no resources"),
    "malformed.yaml": (2, 5, "invalid YAML"),
    "duplicate-keys.yaml": (2, 7, "duplicate key 'Queue' (first at line 3)"),
    "duplicate-keys.json": (2, 5, "duplicate key 'Queue'"),
    "not-a-mapping.yaml": (2, 1, "a template must be a mapping"),
    "empty.yaml": (2, 1, "the template is empty"),
}


def test_every_broken_template_has_a_case() -> None:
    assert sorted(BROKEN_CASES) == sorted(p.name for p in BROKEN.iterdir())


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_template_fails_with_file_line_and_message(name: str, invoke: Invoke) -> None:
    status, line, text = BROKEN_CASES[name]
    result = invoke("validate", BROKEN / name)
    assert result.exit_code == status, result.output
    assert f"--> {BROKEN / name}:{line}\n" in result.stderr
    assert text in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result.output)


def test_lint_only_template_passes_with_no_lint(invoke: Invoke) -> None:
    assert invoke("validate", "--no-lint", BROKEN / "lint-only.yaml").exit_code == 0


def test_broken_folder_reports_every_file_in_one_run(invoke: Invoke) -> None:
    result = invoke("validate", BROKEN)
    assert result.exit_code == 2  # some files cannot even be read: an input error
    for name in BROKEN_CASES:
        assert f"{BROKEN / name}:" in result.stderr
    assert_no_traceback(result.output)


def test_schema_errors_alone_exit_one_even_with_several_files(invoke: Invoke) -> None:
    result = invoke("validate", BROKEN / "unknown-type.yaml", BROKEN / "bad-enum.yaml", GOOD / "vpc.yaml")
    assert result.exit_code == 1
    assert "unknown-type.yaml:5" in result.stderr and "bad-enum.yaml:8" in result.stderr


def test_validate_unknown_region_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("validate", "--region", "us-est-1", GOOD / "vpc.yaml")
    assert result.exit_code == 2
    assert "unknown region 'us-est-1'" in result.stderr
    assert "hint: did you mean" in result.stderr
    assert_no_traceback(result.output)


def test_validate_missing_file_is_a_usage_error(invoke: Invoke) -> None:
    result = invoke("validate", "no-such-template.yaml")
    assert result.exit_code == 2
    assert "no such template file or folder: no-such-template.yaml" in result.stderr
    assert_no_traceback(result.output)


# -- colour -----------------------------------------------------------------------------------------------


def stderr_on_terminal(tmp_path: Path, *args: str, no_color: bool) -> str:
    """Run the real `iac` with stderr on a pseudo-terminal; return what it wrote there."""
    status, shown = run_on_terminal(tmp_path, *args, streams=("stderr",),
                                    env={"NO_COLOR": "1"} if no_color else None)
    assert status == 1
    return shown


@pytest.mark.parametrize("no_color", [False, True], ids=["terminal", "NO_COLOR"])
def test_report_colour_on_a_terminal_respects_no_color(tmp_path: Path, hello_app: Path, no_color: bool) -> None:
    (tmp_path / "app.py").write_text(hello_source(hello_app, typo=True))
    output = stderr_on_terminal(tmp_path, "synth", "--no-lint", no_color=no_color)
    assert "did you mean VisibilityTimeout?" in output
    assert bool(ANSI.search(output)) is not no_color


def test_report_is_plain_when_not_a_terminal(hello_app: Path, write_app: Callable[..., Path],
                                             invoke: Invoke) -> None:
    write_app(hello_source(hello_app, typo=True))
    result = invoke("synth", "--no-lint")
    assert result.exit_code == 1
    assert not ANSI.search(result.output)


def test_validate_file_reports_a_noecho_default_and_fails_with_strict(tmp_path: Path, invoke: Invoke) -> None:
    template = tmp_path / "t.yaml"
    template.write_text("Parameters:\n  Pass:\n    Type: String\n    NoEcho: true\n    Default: hunter22\n"
                        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", encoding="utf-8")

    relaxed = invoke("validate", "--no-lint", str(template))
    strict = invoke("validate", "--no-lint", "--strict", str(template))

    assert relaxed.exit_code == 0 and "IAC-SECRET-001" in relaxed.output
    assert strict.exit_code == 1 and "t.yaml:5" in strict.output
