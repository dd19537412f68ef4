"""The `iac` command: exit status 0 ok, 1 validation failed, 2 usage or input error.

End-to-end tests run the real command in a subprocess against files in a temporary directory;
the many small error paths run in process through click's CliRunner.
"""

from __future__ import annotations

import json
import re
from importlib import metadata

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")

ONE_STACK_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
"""

TWO_STACK_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    queue = CfnResource(Stack(app, "Network"), "Queue", type="AWS::SQS::Queue")
    CfnResource(Stack(app, "Service"), "Topic", type="AWS::SNS::Topic",
                properties={"DisplayName": queue.get_att("Arn")})
"""

CYCLE_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    stack = Stack(app, "Main")
    a = CfnResource(stack, "A", type="AWS::SQS::Queue")
    b = CfnResource(stack, "B", type="AWS::SQS::Queue", depends_on=[a])
    a.add_depends_on(b)
"""

RAISING_APP = """
    from iac import App, CfnResource, Stack


    def add_queues(stack):
        raise RuntimeError("no queue for you")


    app = App()
    add_queues(Stack(app, "Main"))
"""

DUPLICATE_ID_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    stack = Stack(app, "Main")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    CfnResource(stack, "Queue", type="AWS::SNS::Topic")
"""


def iac_frames(text: str) -> list[str]:
    """Lines of `text` that point into iac's own source files."""
    return [line for line in text.splitlines() if re.search(r"[/\\]iac[/\\](cli|synth|constructs|errors)", line)]


# -- iac synth, end to end ---------------------------------------------------------------------


def test_synth_of_the_hello_sample_writes_the_assembly_and_prints_a_summary(run_iac, hello_app, tmp_path):
    result = run_iac("synth", "--app", hello_app, "--out", "out")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"Synthesized 2 stacks to out/ in \d+\.\d\ds", lines[0])
    assert re.fullmatch(r"  Network +2 resources +[\d,]+ B +out/Network\.template\.json", lines[1])
    assert re.fullmatch(r"  Service +1 resource +[\d,]+ B +out/Service\.template\.json +\(depends on Network\)",
                        lines[2])
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["stacks"]["Service"]["dependencies"] == ["Network"]
    assert (tmp_path / "out" / "Network.template.json").is_file()
    assert result.stderr == ""


def test_synth_writes_to_iac_out_in_the_working_directory_by_default(run_iac, write_app, tmp_path):
    write_app(ONE_STACK_APP)

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "iac.out" / "Main.template.json").is_file()


def test_synth_of_the_same_app_twice_writes_identical_files(run_iac, write_app, tmp_path, tree_digest):
    write_app(TWO_STACK_APP)

    run_iac("synth", "--no-lint", "--out", "one", env={"PYTHONHASHSEED": "1"})
    run_iac("synth", "--no-lint", "--out", "two", env={"PYTHONHASHSEED": "2"})

    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")


def test_synth_print_writes_one_template_to_stdout_and_nothing_to_disk(run_iac, hello_app, tmp_path):
    result = run_iac("synth", "Service", "--print", "--no-lint", "--app", hello_app, "--out", "out")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Resources"]["Sub"]["Type"] == "AWS::SNS::Subscription"
    assert not (tmp_path / "out").exists()


def test_synth_format_yaml_writes_yaml_templates(run_iac, hello_app, tmp_path):
    result = run_iac("synth", "--format", "yaml", "--no-lint", "--app", hello_app, "--out", "out")

    assert result.returncode == 0, result.stderr
    text = (tmp_path / "out" / "Service.template.yaml").read_text()
    assert "TopicArn: !ImportValue Network:ExportsOutputRefTopic" in text
    assert "out/Service.template.yaml" in result.stdout


def test_an_exception_in_the_app_shows_the_users_frames_and_no_iac_traceback(run_iac, write_app):
    write_app(RAISING_APP)

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 2
    assert "error: the app app.py raised RuntimeError: no queue for you" in result.stderr
    assert "app.py:9, in <module>" in result.stderr
    assert "app.py:5, in add_queues" in result.stderr
    assert 'raise RuntimeError("no queue for you")' in result.stderr
    assert "Traceback (most recent call last)" not in result.stderr
    assert iac_frames(result.stderr) == []
    assert "<frozen" not in result.stderr and "runpy" not in result.stderr
    assert result.stdout == ""


def test_debug_shows_the_full_traceback(run_iac, write_app):
    write_app(RAISING_APP)

    result = run_iac("synth", "--no-lint", "--debug")

    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError: no queue for you" in result.stderr


def test_a_duplicate_construct_id_shows_the_users_line_and_source(run_iac, write_app):
    write_app(DUPLICATE_ID_APP)

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 2
    assert "error: there is already a construct with id 'Queue' in Main (created at app.py:5)" in result.stderr
    assert "--> app.py:6" in result.stderr
    assert 'CfnResource(stack, "Queue", type="AWS::SNS::Topic")' in result.stderr
    assert "construct: Main/Queue" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cycle_is_a_validation_failure_with_exit_status_1(run_iac, write_app):
    write_app(CYCLE_APP)

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 1
    assert "dependency cycle between resources: A -> B -> A" in result.stderr
    assert "--> app.py:5" in result.stderr


def test_a_failing_synth_leaves_the_previous_assembly_unchanged(run_iac, write_app, tmp_path, tree_digest):
    write_app(TWO_STACK_APP)
    assert run_iac("synth", "--no-lint").returncode == 0
    before = tree_digest(tmp_path / "iac.out")
    write_app(CYCLE_APP)

    assert run_iac("synth", "--no-lint").returncode == 1

    assert tree_digest(tmp_path / "iac.out") == before


def test_module_colon_attribute_runs_an_app_object(run_iac, write_app, tmp_path):
    write_app(ONE_STACK_APP, name="infra.py")

    result = run_iac("synth", "--no-lint", "--app", "infra:app")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "iac.out" / "Main.template.json").is_file()


def test_module_colon_function_runs_a_function_returning_an_app(run_iac, write_app):
    write_app("""
        from iac import App, CfnResource, Stack

        def build():
            app = App()
            CfnResource(Stack(app, "Built"), "Queue", type="AWS::SQS::Queue")
            return app
    """, name="infra.py")

    result = run_iac("ls", "--app", "infra:build")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Built\n"


def test_errors_have_no_colour_when_not_on_a_terminal(run_iac, write_app):
    write_app(DUPLICATE_ID_APP)

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 2
    assert not ANSI.search(result.stderr)


def test_errors_have_no_colour_with_no_color_set(run_iac, write_app):
    write_app(CYCLE_APP)

    result = run_iac("synth", "--no-lint", env={"NO_COLOR": "1"})

    assert result.returncode == 1
    assert "\x1b[" not in result.stderr and "\x1b[" not in result.stdout


def test_version_prints_the_package_version(run_iac):
    result = run_iac("--version")

    assert result.returncode == 0
    assert result.stdout == f"iac, version {metadata.version('iac-cfn')}\n"


# -- iac synth, in process -------------------------------------------------------------------


@pytest.fixture
def two_stacks(write_app):
    return write_app(TWO_STACK_APP)


def test_stack_names_select_the_stacks_in_the_summary(invoke, two_stacks):
    result = invoke("synth", "--no-lint", "Service")

    assert result.exit_code == 0, result.output
    assert "Synthesized 2 stacks" in result.stdout
    assert "Service.template.json" in result.stdout
    assert "Network.template.json" not in result.stdout


def test_stack_selection_accepts_glob_patterns(invoke, two_stacks):
    result = invoke("synth", "--no-lint", "--print", "Net*")

    assert result.exit_code == 0, result.output
    assert "Queue" in json.loads(result.stdout)["Resources"]


def test_an_unknown_stack_is_a_usage_error(invoke, two_stacks):
    result = invoke("synth", "--no-lint", "Nope")

    assert result.exit_code == 2
    assert "no stack matches 'Nope' (stacks: Network, Service)" in result.stderr


def test_print_with_several_stacks_is_a_usage_error(invoke, two_stacks, tmp_path):
    result = invoke("synth", "--no-lint", "--print")

    assert result.exit_code == 2
    assert "--print needs exactly one stack; 2 selected (Network, Service)" in result.stderr
    assert not (tmp_path / "iac.out").exists()


def test_quiet_prints_nothing_on_success(invoke, two_stacks, tmp_path):
    result = invoke("synth", "--no-lint", "--quiet")

    assert result.exit_code == 0
    assert result.stdout == ""
    assert (tmp_path / "iac.out" / "manifest.json").is_file()


def test_pyproject_names_the_app(invoke, write_app, tmp_path):
    write_app(ONE_STACK_APP, name="infra/main.py")
    (tmp_path / "pyproject.toml").write_text('[tool.iac]\napp = "infra/main.py"\n')

    result = invoke("ls")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Main\n"


def test_app_py_in_the_working_directory_is_found(invoke, write_app):
    write_app(ONE_STACK_APP)

    result = invoke("ls")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Main\n"


def test_no_app_found_is_a_usage_error(invoke):
    result = invoke("synth")

    assert result.exit_code == 2
    assert "error: no app found" in result.stderr
    assert "hint:" in result.stderr


def test_a_missing_app_file_is_a_usage_error(invoke):
    result = invoke("synth", "--app", "missing.py")

    assert result.exit_code == 2
    assert "error: app file not found: missing.py" in result.stderr


def test_an_app_that_creates_no_app_is_a_usage_error(invoke, write_app):
    write_app("print('hello')\n")

    result = invoke("synth")

    assert result.exit_code == 2
    assert "app.py ran but created no App" in result.stderr


def test_an_app_that_creates_two_apps_is_a_usage_error(invoke, write_app):
    write_app("from iac import App\nApp()\nApp()\n")

    result = invoke("synth")

    assert result.exit_code == 2
    assert "created 2 Apps" in result.stderr


def test_a_construct_error_in_the_app_is_a_usage_error_at_the_users_line(invoke, write_app):
    write_app("""
        from iac import App, CfnResource, Stack

        app = App()
        CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue", deletion_policy="Keep")
    """)

    result = invoke("synth")

    assert result.exit_code == 2
    assert "deletion_policy must be one of" in result.stderr
    assert "--> app.py:4" in result.stderr


def test_a_synth_error_is_a_validation_failure(invoke, write_app):
    write_app("""
        from iac import App, CfnResource, Stack

        app = App()
        one, two = Stack(app, "One"), Stack(app, "Two")
        a = CfnResource(one, "A", type="AWS::SNS::Topic")
        b = CfnResource(two, "B", type="AWS::SNS::Topic", properties={"DisplayName": a.get_att("TopicName")})
        a.properties["DisplayName"] = b.get_att("TopicName")
    """)

    result = invoke("synth", "--no-lint")

    assert result.exit_code == 1
    assert "stacks depend on each other: One -> Two -> One" in result.stderr


def test_an_output_directory_holding_other_files_is_a_usage_error(invoke, write_app, tmp_path):
    write_app(ONE_STACK_APP)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "code.py").write_text("x = 1\n")

    result = invoke("synth", "--no-lint", "--out", "src")

    assert result.exit_code == 2
    assert "refusing to replace" in result.stderr and "it holds files iac did not write (code.py)" in result.stderr
    assert (tmp_path / "src" / "code.py").read_text() == "x = 1\n"


def test_an_unknown_format_is_a_usage_error(invoke, write_app):
    write_app(ONE_STACK_APP)

    result = invoke("synth", "--format", "toml")

    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_an_unknown_option_is_a_usage_error(invoke):
    result = invoke("synth", "--frobnicate")

    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_ls_lists_stacks_dependencies_first(invoke, write_app):
    write_app("""
        from iac import App, CfnResource, Stack

        app = App()
        consumer, producer = Stack(app, "Consumer"), Stack(app, "Producer")
        queue = CfnResource(producer, "Queue", type="AWS::SQS::Queue")
        CfnResource(consumer, "Topic", type="AWS::SNS::Topic", properties={"DisplayName": queue.get_att("Arn")})
    """)

    result = invoke("ls")

    assert result.exit_code == 0, result.output
    assert result.stdout == "Producer\nConsumer\n"


def test_help_lists_the_commands(invoke):
    result = invoke("--help")

    assert result.exit_code == 0
    assert "synth" in result.stdout and "ls" in result.stdout


def test_a_syntax_error_in_the_app_names_the_file_and_line(invoke, write_app):
    write_app("from iac import App\napp = App(\n")

    result = invoke("synth")

    assert result.exit_code == 2
    assert "the app app.py is not valid Python: SyntaxError" in result.stderr
    assert "--> app.py:2" in result.stderr
    assert "<frozen" not in result.stderr
