"""Hostile template files through the real `iac` in a subprocess (bounded by its timeout): YAML alias
bombs, nesting past Python's stack, special files, and CloudFormation's quotas on `validate FILE`
(issue 12, defects 8 and 11a). Each run must end with exit 2 (input) or 1 (validation), one message
naming the file and line, and no traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from iac.synth.limits import MAX_DESCRIPTION_BYTES, MAX_RESOURCES, MAX_TEMPLATE_BYTES

Run = Callable[..., subprocess.CompletedProcess[str]]

GOOD = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
APP = "from iac import App, CfnResource, Stack\napp = App()\nstack = Stack(app, 'Main')\n" \
      "CfnResource(stack, 'Queue', type='AWS::SQS::Queue')\n"


def alias_bomb() -> str:
    """A "billion laughs" inside a valid-looking template: 9 levels of 9 aliases, 9**9 values."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return GOOD + "    Metadata:\n" + "".join(f"      {line}\n" for line in lines)


def deep_json(depth: int = 2000) -> str:
    return '{\n"Resources": {"Queue": {"Type": "AWS::SQS::Queue",\n"Metadata": ' + "[" * depth + "]" * depth + "}}\n}\n"


def assert_input_error(result: subprocess.CompletedProcess[str], *mentions: str, status: int = 2) -> None:
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "internal error" not in result.stderr
    for text in mentions:
        assert text in result.stderr


@pytest.fixture
def bomb(tmp_path: Path) -> Path:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    assert len(path.read_bytes()) < 500  # a few hundred bytes ...
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    return path


# -- defect 8: alias bombs and deep nesting, on every path that reads a template ---------------------


def test_validate_file_refuses_a_yaml_alias_bomb(run_iac: Run, bomb: Path) -> None:
    result = run_iac("validate", bomb)  # ... that used to hang iac (cfn-lint alone refuses it in a second)

    assert_input_error(result, "YAML aliases expand to more than 250,000 values", "bomb.yaml:10")


def test_diff_from_to_refuses_a_yaml_alias_bomb(run_iac: Run, bomb: Path, good: Path) -> None:
    assert_input_error(run_iac("diff", "--from", good, "--to", bomb), "YAML aliases expand", "bomb.yaml:10")
    assert_input_error(run_iac("diff", "--from", bomb, "--to", good), "YAML aliases expand", "bomb.yaml:10")


def test_diff_template_refuses_a_yaml_alias_bomb(run_iac: Run, bomb: Path, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)

    assert_input_error(run_iac("diff", "--template", bomb), "YAML aliases expand", "bomb.yaml:10")


def test_diff_against_an_assembly_holding_a_yaml_alias_bomb(run_iac: Run, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP)
    assert run_iac("synth", "--no-lint", "--out", "old.out").returncode == 0
    template = tmp_path / "old.out" / "Main.template.json"
    template.write_text(alias_bomb())  # read back as YAML: not JSON, since it does not start with "{"

    result = run_iac("diff", "--against", "old.out")

    assert_input_error(result, "YAML aliases expand")


def test_validate_file_refuses_json_nested_two_thousand_deep(run_iac: Run, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(deep_json())

    result = run_iac("validate", path)

    assert_input_error(result, "the template nests deeper than 128 levels", "deep.json:3")


def test_diff_refuses_json_nested_deeper_than_the_bound_but_within_pythons_stack(run_iac: Run, tmp_path: Path,
                                                                                 good: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(deep_json(500))  # json parses it; every recursive walk after it would not

    assert_input_error(run_iac("diff", "--from", good, "--to", path), "nests deeper than 128 levels", "deep.json:3")


def test_validate_refuses_a_fifo_without_blocking(run_iac: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer forever

    assert_input_error(run_iac("validate", fifo), "not a regular file")


def test_validate_and_diff_refuse_a_device_without_reading_it(run_iac: Run, good: Path) -> None:
    assert_input_error(run_iac("validate", "/dev/zero"), "not a regular file")
    assert_input_error(run_iac("diff", "--from", good, "--to", "/dev/zero"), "not a regular file")


# -- defect 11a: iac's own CloudFormation quotas apply to template files too -------------------------------


def test_validate_file_applies_the_resource_quota(run_iac: Run, tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("Description: many queues\nResources:\n"
                    + "".join(f"  Queue{i}:\n    Type: AWS::SQS::Queue\n" for i in range(MAX_RESOURCES + 1)))

    result = run_iac("validate", "--no-lint", path)  # cfn-lint's own check is not what catches it

    assert_input_error(result, f"has {MAX_RESOURCES + 1} resources; CloudFormation allows at most {MAX_RESOURCES}",
                       "many.yaml:2", status=1)


def test_validate_file_applies_the_resource_quota_before_cfn_lint(run_iac: Run, tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"Resources": {f"Q{i}": {"Type": "AWS::SQS::Queue"} for i in range(501)}}, indent=1))

    result = run_iac("validate", path)

    assert_input_error(result, "has 501 resources", "many.json:2", "1 error found", status=1)
    assert "E3010" not in result.stderr  # cfn-lint would only say it again


def test_validate_file_applies_the_template_size_quota(run_iac: Run, tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    filler = "# " + "x" * 1000 + "\n"
    path.write_text(GOOD + filler * (MAX_TEMPLATE_BYTES // len(filler) + 1))

    result = run_iac("validate", "--no-lint", path)

    line = 3 + (MAX_TEMPLATE_BYTES - len(GOOD)) // len(filler) + 1  # where the file passes 1 MB
    assert_input_error(result, f"CloudFormation accepts at most {MAX_TEMPLATE_BYTES:,}", f"large.yaml:{line}",
                       status=1)


def test_validate_file_applies_the_description_quota(run_iac: Run, tmp_path: Path) -> None:
    path = tmp_path / "described.yaml"
    path.write_text(GOOD + "Description: " + "d" * (MAX_DESCRIPTION_BYTES + 1) + "\n")

    result = run_iac("validate", "--no-lint", path)

    assert_input_error(result, f"the limit is {MAX_DESCRIPTION_BYTES}", "described.yaml:4", status=1)


def test_validate_file_within_the_quotas_is_valid(run_iac: Run, tmp_path: Path) -> None:
    path = tmp_path / "five-hundred.yaml"
    path.write_text("Resources:\n" + "".join(f"  Queue{i}:\n    Type: AWS::SQS::Queue\n" for i in range(500)))

    result = run_iac("validate", "--no-lint", path)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "1 template valid\n"
