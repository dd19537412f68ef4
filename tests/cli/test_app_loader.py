"""Finding and running the user's app: --app, else [tool.iac] app in pyproject.toml, else ./app.py."""

from __future__ import annotations

import sys

import pytest

from iac import App
from iac.cli.app_loader import AppSyntaxError, discover_app_spec, load_app
from iac.errors import AppError, UsageError

ONE_STACK_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
"""


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def module_name(tmp_path, monkeypatch):
    """A module name no other test uses (imports are cached), removed from sys.modules afterwards."""
    name = "user_app_" + "".join(c for c in tmp_path.name if c.isalnum())
    yield name
    sys.modules.pop(name, None)


# -- discovery -------------------------------------------------------------------------------


def test_the_app_option_wins_over_everything(in_tmp, write_app):
    write_app(ONE_STACK_APP)
    (in_tmp / "pyproject.toml").write_text('[tool.iac]\napp = "infra/main.py"\n')

    assert discover_app_spec("other.py") == "other.py"


def test_pyproject_tool_iac_app_is_used_when_there_is_no_option(in_tmp, write_app):
    write_app(ONE_STACK_APP)
    (in_tmp / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.iac]\napp = "infra/main.py"\n')

    assert discover_app_spec(None) == "infra/main.py"


def test_app_py_in_the_working_directory_is_the_default(in_tmp, write_app):
    write_app(ONE_STACK_APP)

    assert discover_app_spec(None) == "app.py"


def test_a_pyproject_without_tool_iac_falls_back_to_app_py(in_tmp, write_app):
    write_app(ONE_STACK_APP)
    (in_tmp / "pyproject.toml").write_text('[project]\nname = "x"\n')

    assert discover_app_spec(None) == "app.py"


def test_no_app_anywhere_is_a_usage_error_with_a_hint(in_tmp):
    with pytest.raises(UsageError, match="no app found") as caught:
        discover_app_spec(None)

    assert "--app" in caught.value.hint and "[tool.iac]" in caught.value.hint


def test_a_pyproject_app_that_is_not_a_string_is_a_usage_error(in_tmp):
    (in_tmp / "pyproject.toml").write_text("[tool.iac]\napp = 3\n")

    with pytest.raises(UsageError, match=r"\[tool.iac\] app .* must be a string"):
        discover_app_spec(None)


def test_a_broken_pyproject_is_a_usage_error(in_tmp):
    (in_tmp / "pyproject.toml").write_text("[tool.iac\n")

    with pytest.raises(UsageError, match="cannot read .*pyproject.toml"):
        discover_app_spec(None)


# -- running a file --------------------------------------------------------------------------


def test_an_app_file_runs_and_gives_its_app(in_tmp, write_app):
    app = load_app(str(write_app(ONE_STACK_APP)))

    assert isinstance(app, App)
    assert [stack.path for stack in app.stacks] == ["Main"]


def test_an_app_file_runs_as_main(in_tmp, write_app):
    write_app("""
        from iac import App, CfnResource, Stack

        if __name__ == "__main__":
            app = App()
            CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
    """)

    assert load_app("app.py").stacks[0].path == "Main"


def test_app_synth_inside_the_app_does_not_write_when_the_cli_runs_it(in_tmp, write_app):
    write_app(ONE_STACK_APP + "    app.synth()\n")

    app = load_app("app.py")

    assert app.captured_assembly is not None
    assert not (in_tmp / "iac.out").exists()


def test_an_app_file_can_import_its_sibling_modules_and_the_path_is_restored(in_tmp, write_app, module_name):
    write_app("""
        def add_queue(stack):
            from iac import CfnResource
            return CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    """, name=f"infra/{module_name}.py")
    write_app(f"""
        from iac import App, Stack
        from {module_name} import add_queue

        app = App()
        add_queue(Stack(app, "Main"))
    """, name="infra/app.py")
    path_before = list(sys.path)

    app = load_app("infra/app.py")

    assert app.stacks[0].find_child("Queue") is not None
    assert sys.path == path_before


def test_a_missing_app_file_is_a_usage_error(in_tmp):
    with pytest.raises(UsageError, match="app file not found: missing.py"):
        load_app("missing.py")


def test_an_app_file_that_creates_no_app_is_a_usage_error(in_tmp, write_app):
    write_app("x = 1\n")

    with pytest.raises(UsageError, match="app.py ran but created no App"):
        load_app("app.py")


def test_an_app_file_that_creates_two_apps_is_a_usage_error(in_tmp, write_app):
    write_app("from iac import App\nfirst, second = App(), App()\n")

    with pytest.raises(UsageError, match="app.py created 2 Apps; an app file must create exactly one"):
        load_app("app.py")


def test_an_exception_in_the_app_becomes_an_app_error_holding_it(in_tmp, write_app):
    write_app("from iac import App\napp = App()\nraise KeyError('oops')\n")

    with pytest.raises(AppError, match="the app app.py raised KeyError: 'oops'") as caught:
        load_app("app.py")

    assert isinstance(caught.value.original, KeyError)


def test_sys_exit_zero_in_the_app_is_a_failed_run_naming_the_line_of_the_exit(in_tmp, write_app):
    write_app(ONE_STACK_APP + "    import sys\n    sys.exit(0)\n")

    with pytest.raises(UsageError, match=r"the app app.py exited \(sys.exit\(0\)\) before it finished") as caught:
        load_app("app.py")

    assert caught.value.location.file == str(in_tmp / "app.py")
    assert caught.value.location.line == 6
    assert "sys.exit" in caught.value.hint


def test_sys_exit_after_app_synth_is_still_a_failed_run(in_tmp, write_app):
    write_app(ONE_STACK_APP + "    app.synth()\n    raise SystemExit\n")

    with pytest.raises(UsageError, match=r"exited \(sys.exit\(None\)\) before it finished") as caught:
        load_app("app.py")

    assert caught.value.location.line == 6


def test_sys_exit_with_an_error_status_is_a_failed_run_with_that_status_in_the_message(in_tmp, write_app):
    write_app("import sys\nsys.exit(3)\n")

    with pytest.raises(UsageError, match=r"exited \(sys.exit\(3\)\)") as caught:
        load_app("app.py")

    assert caught.value.exit_status == 2


def test_an_exit_inside_a_library_the_app_calls_points_at_the_apps_own_line(in_tmp, write_app):
    write_app("""
        import argparse

        from iac import App

        app = App()
        argparse.ArgumentParser(prog="app").parse_args(["--no-such-option"])
    """)

    with pytest.raises(UsageError, match=r"exited \(sys.exit\(2\)\)") as caught:
        load_app("app.py")

    assert (caught.value.location.file, caught.value.location.line) == (str(in_tmp / "app.py"), 6)


def test_an_exit_in_a_module_colon_function_app_names_the_function_line(in_tmp, write_app, module_name):
    write_app("""
        import sys

        from iac import App

        def build():
            app = App()
            sys.exit("stop here")
    """, name=f"{module_name}.py")

    with pytest.raises(UsageError, match=r"exited \(sys.exit\('stop here'\)\)") as caught:
        load_app(f"{module_name}:build")

    assert (caught.value.location.file, caught.value.location.line) == (str(in_tmp / f"{module_name}.py"), 7)


def test_a_keyboard_interrupt_in_the_app_reaches_the_caller_unchanged(in_tmp, write_app):
    write_app(ONE_STACK_APP + "    raise KeyboardInterrupt\n")

    with pytest.raises(KeyboardInterrupt):
        load_app("app.py")


# -- module:attribute ------------------------------------------------------------------------


def test_module_colon_attribute_takes_the_app_object(in_tmp, write_app, module_name):
    write_app(ONE_STACK_APP, name=f"{module_name}.py")

    assert load_app(f"{module_name}:app").stacks[0].path == "Main"


def test_module_colon_function_calls_it_for_the_app(in_tmp, write_app, module_name):
    write_app("""
        from iac import App, CfnResource, Stack

        def build():
            app = App()
            CfnResource(Stack(app, "Built"), "Queue", type="AWS::SQS::Queue")
            return app
    """, name=f"{module_name}.py")

    assert load_app(f"{module_name}:build").stacks[0].path == "Built"


def test_an_unknown_module_is_a_usage_error(in_tmp):
    with pytest.raises(UsageError, match="cannot import app module 'no_such_module_xyz'"):
        load_app("no_such_module_xyz:app")


def test_a_missing_attribute_is_a_usage_error(in_tmp, write_app, module_name):
    write_app(ONE_STACK_APP, name=f"{module_name}.py")

    with pytest.raises(UsageError, match=f"module '{module_name}' has no attribute 'nothing'"):
        load_app(f"{module_name}:nothing")


def test_an_attribute_that_is_not_an_app_is_a_usage_error(in_tmp, write_app, module_name):
    write_app("value = 42\n", name=f"{module_name}.py")

    with pytest.raises(UsageError, match="is a int, not an App"):
        load_app(f"{module_name}:value")


def test_a_module_whose_own_import_fails_is_an_app_error(in_tmp, write_app, module_name):
    write_app("import no_such_dependency_xyz\n", name=f"{module_name}.py")

    with pytest.raises(AppError, match="ModuleNotFoundError: No module named 'no_such_dependency_xyz'"):
        load_app(f"{module_name}:app")


@pytest.mark.parametrize("spec", [":app", "module:"])
def test_a_malformed_module_spec_is_a_usage_error(in_tmp, spec):
    with pytest.raises(UsageError, match="must be a file"):
        load_app(spec)


def test_a_pyproject_tool_iac_that_is_not_a_table_is_a_usage_error(in_tmp):
    (in_tmp / "pyproject.toml").write_text("[tool]\niac = \"app.py\"\n")

    with pytest.raises(UsageError, match=r"\[tool.iac\] .* must be a table"):
        discover_app_spec(None)


def test_a_syntax_error_is_said_at_its_file_and_line(in_tmp, write_app):
    write_app("import helper\n")
    write_app("value = (\n", name="helper.py")

    with pytest.raises(AppSyntaxError, match="not valid Python: SyntaxError") as caught:
        load_app("app.py")

    assert caught.value.location is not None
    assert caught.value.location.file.endswith("helper.py") and caught.value.location.line == 1


def test_a_base_exception_of_the_apps_own_is_an_app_error(in_tmp, write_app):
    write_app("from iac import App\napp = App()\nclass Odd(BaseException):\n    pass\nraise Odd('odd')\n")

    with pytest.raises(AppError, match="raised Odd: odd"):
        load_app("app.py")
