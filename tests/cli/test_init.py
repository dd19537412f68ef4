"""`iac init`: project templates, as a new user meets them.

The end-to-end tests do what the README of a generated project says, in a fresh directory and
through the real command: `iac init TEMPLATE demo`, then `iac synth` and `pytest` inside demo/.
They run for every template in the package, so a template dropped in later is covered too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from iac.cli import init_command, project_templates
from iac.cli.install_source import InstallSource
from iac.cli.project_templates import available_templates, camel_case, render_project

TEMPLATES = [t.name for t in available_templates()]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["NO_COLOR"] = "1"
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


# -- end to end ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_new_project_synthesizes_and_its_tests_pass(template: str, tmp_path: Path) -> None:
    created = run("-m", "iac", "init", template, "demo", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    demo = tmp_path / "demo"

    synth = run("-m", "iac", "synth", "--strict", cwd=demo)
    assert synth.returncode == 0, synth.stderr
    assert synth.stderr == ""
    assert synth.stdout.startswith("Synthesized ")
    assert list((demo / "iac.out").glob("*.template.json"))

    tests = run("-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=demo)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout and "failed" not in tests.stdout


@pytest.mark.parametrize("template", TEMPLATES)
def test_new_project_has_app_pyproject_tests_readme_and_gitignore(template: str, invoke, tmp_path: Path) -> None:
    result = invoke("init", template, "demo")
    assert result.exit_code == 0, result.output
    demo = tmp_path / "demo"
    pyproject = tomllib.loads((demo / "pyproject.toml").read_text())
    assert pyproject["tool"]["iac"]["app"] == "app.py"
    assert pyproject["project"]["name"] == "demo"
    assert any(dependency.startswith("iac-cfn") for dependency in pyproject["project"]["dependencies"])
    assert "iac.out/" in (demo / ".gitignore").read_text().splitlines()
    assert "from iac.testing import" in (demo / "tests" / "test_app.py").read_text()
    readme = (demo / "README.md").read_text()
    assert "iac synth" in readme and "python -m pytest" in readme
    assert "Demo" in (demo / "app.py").read_text()  # the project name, in CamelCase, names the stack
    for path in demo.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert "{{" not in text and "{%" not in text, path


def test_init_prints_the_files_and_the_next_commands(invoke) -> None:
    result = invoke("init", "serverless-api", "demo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Created demo in demo/ from the serverless-api template:"
    assert "  app.py" in lines and "  tests/test_app.py" in lines and "  .gitignore" in lines
    next_steps = lines[lines.index("Next:") + 1:lines.index("", lines.index("Next:"))]
    assert [line.split("  ")[1] for line in next_steps] == ["cd demo", "iac synth", "iac tree", "python -m pytest"]


# -- the iac a project requires: the one running init, installed the same way -----------------------------

CHECKOUT = InstallSource(kind="checkout", requirement="iac-cfn @ file:///src/iac", location="/src/iac",
                         editable=True, portable=False, version="1.4.2")
WHEEL = InstallSource(kind="archive", requirement="iac-cfn @ file:///w/iac_cfn-1.4.2-py3-none-any.whl",
                      location="/w/iac_cfn-1.4.2-py3-none-any.whl", portable=False, version="1.4.2")
INDEX = InstallSource(kind="index", requirement="iac-cfn==1.4.2", version="1.4.2")
GIT = InstallSource(kind="vcs", requirement=f"iac-cfn @ git+https://example.com/iac.git@{'a' * 40}", version="1.4.2")


@pytest.mark.parametrize("source", [CHECKOUT, WHEEL, INDEX, GIT], ids=lambda s: s.kind)
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_project_requires_iac_as_it_is_installed_here(template: str, source: InstallSource) -> None:
    chosen = next(t for t in available_templates() if t.name == template)
    files = render_project(chosen, "demo", source=source)
    dependencies = tomllib.loads(files["pyproject.toml"])["project"]["dependencies"]
    assert dependencies == [source.requirement]
    assert str(Requirement(dependencies[0])) == source.requirement  # pip reads it as written
    readme = files["README.md"]
    assert f"`pyproject.toml` requires `{source.requirement}`: {source.reason}." in readme.replace("\n", " ")
    assert ("--find-links wheels" in readme) == (not source.portable)
    assert (f"pip install -e {source.location}" in readme) == source.editable


@pytest.mark.parametrize(("source", "install"), [(INDEX, "pip install -e '.[test]'"),
                                                 (CHECKOUT, "pip install --find-links wheels -e '.[test]'")],
                         ids=["index", "checkout"])
def test_the_pipeline_build_installs_iac_the_same_reproducible_way(source: InstallSource, install: str) -> None:
    chosen = next(t for t in available_templates() if t.name == "pipeline")
    files = render_project(chosen, "demo", source=source)
    assert f'install_commands=["{install}"]' in files["app.py"]
    assert install in files["README.md"]
    assert ("before the first push" in files["README.md"]) == (not source.portable)


@pytest.mark.parametrize(("source", "says"), [
    (CHECKOUT, ["iac is an editable install of the checkout /src/iac", "pip install -e /src/iac",
                "needs iac's wheel on your package index or in the project's wheels/ folder"]),
    (WHEEL, ["iac was installed from /w/iac_cfn-1.4.2-py3-none-any.whl, so the project installs that same file",
             "wheels/ folder"]),
    (INDEX, ["iac 1.4.2 was installed from a package index, so the project pins that release."]),
], ids=["checkout", "wheel", "index"])
def test_init_says_which_requirement_it_recorded_and_why(invoke, monkeypatch: pytest.MonkeyPatch,
                                                         source: InstallSource, says: list[str]) -> None:
    monkeypatch.setattr(init_command, "install_source", lambda: source)
    result = invoke("init", "empty", "demo")
    assert result.exit_code == 0, result.output
    after = result.stdout.split("\npyproject.toml requires ", 1)[1]
    assert after.startswith(source.requirement + "\n")
    flowing = " ".join(line.strip() for line in after.splitlines())
    for said in says:
        assert said in flowing
    assert ("wheels/" in flowing) == (not source.portable)
    assert all(len(line) <= 100 for line in result.stdout.splitlines())


# -- listing and choosing --------------------------------------------------------------------------------


def test_init_without_a_template_lists_them(invoke) -> None:
    result = invoke("init")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Project templates (iac init TEMPLATE [DIR]):"
    assert [line.split()[0] for line in lines[1:]] == TEMPLATES
    assert {"serverless-api", "empty"} <= set(TEMPLATES)
    assert "DynamoDB" in next(line for line in lines if line.split()[0] == "serverless-api")


def test_unknown_template_suggests_the_close_one(invoke, tmp_path: Path) -> None:
    result = invoke("init", "serverless", "demo")
    assert result.exit_code == 2
    assert "error: there is no project template 'serverless'; did you mean 'serverless-api'?" in result.stderr
    assert not (tmp_path / "demo").exists()


def test_a_template_folder_dropped_in_is_listed_and_used(invoke, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "templates"
    shutil.copytree(project_templates.templates_root(), root)
    (root / "queue-worker").mkdir()
    (root / "queue-worker" / "template.toml").write_text('description = "a queue and its worker"\norder = 25\n')
    (root / "queue-worker" / "app.py.jinja").write_text(
        'from iac import App, CfnResource, Stack\n\napp = App()\n'
        'CfnResource(Stack(app, "{{ stack_name }}"), "Queue", type="AWS::SQS::Queue")\n')
    monkeypatch.setattr(project_templates, "templates_root", lambda: root)

    listed = [line.split()[0] for line in invoke("init").stdout.splitlines()[1:]]
    assert listed == ["serverless-api", "fargate-service", "queue-worker", "pipeline", "empty"]
    result = invoke("init", "queue-worker", "jobs")
    assert result.exit_code == 0, result.output
    assert '(Stack(app, "Jobs"), "Queue"' in (tmp_path / "jobs" / "app.py").read_text()
    assert (tmp_path / "jobs" / ".gitignore").is_file()  # _common files come along
    assert (tmp_path / "jobs" / "pyproject.toml").is_file()


# -- where it writes ---------------------------------------------------------------------------------------


def test_init_writes_into_the_current_directory_when_it_is_empty(invoke, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "orders").mkdir()
    monkeypatch.chdir(tmp_path / "orders")
    result = invoke("init", "empty")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Created orders in the current directory from the empty template:")
    assert "cd " not in result.stdout
    assert 'OrdersStack(app, "Orders")' in (tmp_path / "orders" / "app.py").read_text()


def test_init_refuses_a_non_empty_directory(invoke, tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    result = invoke("init", "empty", "demo")
    assert result.exit_code == 2
    assert "error: directory demo is not empty (it holds notes.txt)" in result.stderr
    assert "--force" in result.stderr
    assert sorted(os.listdir(tmp_path / "demo")) == ["notes.txt"]


def test_a_git_folder_alone_does_not_make_a_directory_non_empty(invoke, tmp_path: Path) -> None:
    (tmp_path / "demo" / ".git").mkdir(parents=True)
    assert invoke("init", "empty", "demo").exit_code == 0
    assert (tmp_path / "demo" / "app.py").is_file()


def test_force_overwrites_the_templates_files_and_keeps_the_others(invoke, tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    demo.mkdir()
    (demo / "app.py").write_text("old")
    (demo / "notes.txt").write_text("mine")
    result = invoke("init", "empty", "demo", "--force")
    assert result.exit_code == 0, result.output
    assert "  app.py  (overwritten)" in result.stdout.splitlines()
    assert (demo / "app.py").read_text() != "old"
    assert (demo / "notes.txt").read_text() == "mine"


def test_a_file_in_the_way_is_an_error(invoke, tmp_path: Path) -> None:
    (tmp_path / "demo").write_text("a file")
    result = invoke("init", "empty", "demo")
    assert result.exit_code == 2
    assert "Directory 'demo' is a file" in result.stderr


# -- names ------------------------------------------------------------------------------------------------


def test_name_option_names_the_project_and_in_camel_case_the_stack(invoke, tmp_path: Path) -> None:
    result = invoke("init", "serverless-api", "svc", "--name", "orders-api")
    assert result.exit_code == 0, result.output
    assert 'name = "orders-api"' in (tmp_path / "svc" / "pyproject.toml").read_text()
    app = (tmp_path / "svc" / "app.py").read_text()
    assert "class OrdersApiStack(Stack):" in app and 'OrdersApiStack(app, "OrdersApi")' in app
    assert "from app import OrdersApiStack" in (tmp_path / "svc" / "tests" / "test_app.py").read_text()


@pytest.mark.parametrize("name", ["9lives", "my app", "a--b", "trailing-", "naïve", "x" * 65, "iac-cfn", "IAC_CFN"])
def test_bad_project_names_are_refused(invoke, tmp_path: Path, name: str) -> None:
    result = invoke("init", "empty", "demo", "--name", name)
    assert result.exit_code == 2
    assert f"error: project name {name!r}" in result.stderr
    assert not (tmp_path / "demo").exists()


def test_a_bad_directory_name_asks_for_a_name(invoke, tmp_path: Path) -> None:
    result = invoke("init", "empty", "2024 work")
    assert result.exit_code == 2
    assert "project name '2024 work' is invalid (taken from the directory name; pass --name NAME)" in result.stderr
    assert invoke("init", "empty", "2024 work", "--name", "work").exit_code == 0


@pytest.mark.parametrize(("name", "stack"), [("demo", "Demo"), ("orders-api", "OrdersApi"), ("my_svc2", "MySvc2"),
                                             ("API", "API")])
def test_camel_case_stack_names(name: str, stack: str) -> None:
    assert camel_case(name) == stack


def test_a_name_ending_in_stack_is_not_doubled() -> None:
    template = next(t for t in available_templates() if t.name == "empty")
    assert "class BillingStack(Stack):" in render_project(template, "billing-stack")["app.py"]
