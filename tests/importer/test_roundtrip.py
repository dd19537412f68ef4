"""Every template under tests/ that CloudFormation would accept imports into an app that synthesizes back
to it (iac.importer), and the generated code is ruff-format clean, within 100 columns, with no unused import."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from iac.cfn._base import snake_case
from iac.importer import canonical, differences, generate, read_template, stack_name_from, synthesized_template

TESTS = Path(__file__).resolve().parents[1]
SUFFIXES = (".yaml", ".yml", ".json", ".template")
#: Files under tests/ that are not templates CloudFormation would accept, or that iac cannot write, and why
#: (patterns match the end of the path below tests/, as pathlib's `match` does).
EXCLUDED = {
    "templates/broken/*": "broken on purpose (bad syntax, duplicate keys, no resources, ...): the loader's tests",
    "golden/*/*": "construct-path -> logical-id listings, not templates",
    "checks/sarif-schema-2.1.0.json": "the SARIF JSON schema, not a template",
    "importer/**": "this folder's own inputs",
    "RainModules/bucket.yml": "a Rain module (a resource without Type), which Rain expands before CloudFormation "
                              "sees it",
    "CodeBuildAndCodePipeline/codebuild-app-build.yml": "a CodeBuild buildspec, not a template",
}


def _exclusion(relative: str) -> str | None:
    path = PurePosixPath(relative)
    for pattern, reason in EXCLUDED.items():
        if path.match(pattern) or (pattern.endswith("/**") and relative.startswith(pattern[:-2])):
            return reason
    return None


def _candidates() -> list[str]:
    return [path.relative_to(TESTS).as_posix() for path in sorted(TESTS.rglob("*"))
            if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts]


def _templates() -> list[str]:
    return [relative for relative in _candidates() if _exclusion(relative) is None]


TEMPLATES = _templates()


def _app_file(folder: Path, relative: str) -> Path:
    return folder / (re.sub(r"[^A-Za-z0-9]+", "_", relative) + ".py")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("imported")
    apps = {}
    for relative in TEMPLATES:
        path = TESTS / relative
        target = _app_file(folder, relative)
        target.write_text(generate(read_template(str(path)), stack_name=stack_name_from(str(path)),
                                   source=relative), encoding="utf-8")
        apps[relative] = target
    return apps


def test_the_corpus_is_the_one_expected() -> None:
    assert len(TEMPLATES) >= 120
    for pattern in EXCLUDED:
        assert any(_exclusion(relative) == EXCLUDED[pattern] and PurePosixPath(relative).match(pattern)
                   for relative in _candidates()) or pattern.endswith("/**"), f"an exclusion names nothing: {pattern}"


@pytest.mark.parametrize("relative", TEMPLATES)
def test_round_trip(relative: str, generated: dict[str, Path]) -> None:
    found = differences(read_template(str(TESTS / relative)), synthesized_template(str(generated[relative])))
    assert found == []


def test_the_fn_foreach_templates_keep_their_loops(generated: dict[str, Path]) -> None:
    """The loops are ForEach constructs whose template is the loop as written (test_round_trip compares it)."""
    looped = [relative for relative in TEMPLATES if "Fn::ForEach::" in (TESTS / relative).read_text(encoding="utf-8")]
    assert len(looped) >= 5, looped
    for relative in looped:
        source = generated[relative].read_text(encoding="utf-8")
        assert "ForEach(\n    stack," in source and "from iac import" in source, relative
        template = synthesized_template(str(generated[relative]))
        assert any(key.startswith("Fn::ForEach::") for section in ("Resources", "Outputs", "Conditions")
                   for key in template.get(section) or {}), relative


def test_generated_code_is_ruff_format_clean(generated: dict[str, Path]) -> None:
    folder = next(iter(generated.values())).parent
    completed = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "--isolated", "--line-length",
                                "100", "--target-version", "py311", str(folder)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_generated_code_has_no_unused_import_or_undefined_name(generated: dict[str, Path]) -> None:
    folder = next(iter(generated.values())).parent
    completed = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select", "F,E9",
                                "--target-version", "py311", str(folder)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_generated_code_passes_mypy_strict(generated: dict[str, Path]) -> None:
    """Every app type-checks against iac.cfn's stubs: what a typed argument cannot take (a value of a type the
    schema does not allow) is written through an escape hatch instead (tests/importer/corpus_report.py
    lists the failures per template when this fails)."""
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    folder = next(iter(generated.values())).parent
    completed = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                                "--explicit-package-bases", "--cache-dir", str(folder / ".mypy_cache"), "."],
                               cwd=folder, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_lines_are_within_100_columns_where_they_can_break(generated: dict[str, Path]) -> None:
    """A line over 100 is one that cannot break: a name alone (`variable.attr_x`), in parentheses of its own."""
    unbreakable = re.compile(r"^ *[A-Za-z_][A-Za-z_0-9.]*$")
    long_lines = [f"{path.name}: {line}" for path in generated.values()
                  for line in path.read_text(encoding="utf-8").splitlines()
                  if len(line) > 100 and not unbreakable.match(line)]
    assert long_lines == []


def test_every_resource_is_one_constructor_named_after_its_logical_id(generated: dict[str, Path]) -> None:
    relative = "templates/good/vpc.yaml"
    template = read_template(str(TESTS / relative))
    tree = ast.parse(generated[relative].read_text(encoding="utf-8"))
    made = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.value.args) >= 2:
            logical_id = node.value.args[1]
            if isinstance(logical_id, ast.Constant):
                target = node.targets[0]
                assert isinstance(target, ast.Name)
                made[logical_id.value] = (target.id, ast.unparse(node.value.func))
    for logical_id, resource in template["Resources"].items():
        variable, function = made[logical_id]
        assert function == f"ec2.{resource['Type'].rsplit('::', 1)[1]}", logical_id
        assert variable == snake_case(logical_id)  # iac.cfn's mapping (PublicSubnetARouteTable: public_subnet_a_...)


def test_canonical_form_ignores_what_cloudformation_reads_alike() -> None:
    left = {"Transform": "AWS::Serverless-2016-10-31",
            "Resources": {"A": {"Type": "T", "DependsOn": "B", "Properties": {"N": 10, "G": {"Fn::GetAtt": "B.Arn"}}},
                          "B": {"Type": "T", "Metadata": {"iac:path": "S/B"}}}}
    right = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": ["AWS::Serverless-2016-10-31"],
             "Resources": {"B": {"Type": "T"},
                           "A": {"Properties": {"G": {"Fn::GetAtt": ["B", "Arn"]}, "N": "10"}, "DependsOn": ["B"],
                                 "Type": "T"}}}
    assert canonical(left) == canonical(right)
    assert differences(left, right) == []
    right["Resources"]["A"]["DependsOn"] = ["B", "C"]
    right["Resources"]["B"]["Properties"] = {"X": 1}
    assert differences(left, right) == [
        "Resources.A.DependsOn: the template has ['B'], the app writes ['B', 'C']",
        "Resources.B: Properties is in the app's template only: {'X': '1'}",
    ]
