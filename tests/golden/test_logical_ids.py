"""Logical ids are a contract: every sample's and every `iac init` template's ids and types match the
checked-in golden files (tests/golden/logical_ids/), which only `make golden` writes.

A renamed construct (the Lambda function's `ServiceRole`, the pipeline's documented `ArtifactBucket`)
changes a logical id, and CloudFormation then deletes the resource and creates another: the last two
tests make such a rename in a copy of iac and show this test failing on it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from golden_ids import GOLDEN, REPO, UPDATE_COMMAND, GoldenApp, changes, golden_apps, read_golden, render, snapshot

APPS = golden_apps()
THIS_FILE = Path(__file__).resolve()


def mismatch_message(app: GoldenApp, lines: list[str]) -> str:
    return "\n".join([
        f"the logical ids of {app.name} differ from {app.golden_file.relative_to(REPO)} (+ added, - removed, "
        "~ type changed):", *lines, "",
        "A removed or changed id makes CloudFormation delete that resource and create a new one (stored data "
        "included) on the next deploy (an id ending in a hash of content, a Lambda Version's or an API "
        "Deployment's, changes with that content by design). If the change is meant, update the file and say "
        "so in the commit:",
        f"  {UPDATE_COMMAND}",
    ])


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_logical_ids_match_the_golden_file(app: GoldenApp) -> None:
    golden = read_golden(app)
    assert golden is not None, f"{app.golden_file.relative_to(REPO)} is missing: run {UPDATE_COMMAND} and commit it"
    lines = changes(golden, snapshot(app))
    assert not lines, mismatch_message(app, lines)


def test_every_sample_and_template_is_covered_and_no_golden_file_is_stale() -> None:
    assert {app.kind for app in APPS} == {"sample", "template"}
    assert len([app for app in APPS if app.kind == "sample"]) == len(list((REPO / "samples").glob("*/app.py")))
    stale = sorted(path.name for path in set(GOLDEN.glob("*.json")) - {app.golden_file for app in APPS})
    assert not stale, f"golden files of no sample or template: {stale}; {UPDATE_COMMAND} removes them"


@pytest.mark.parametrize("app", APPS, ids=lambda app: app.name)
def test_golden_files_are_sorted_one_id_per_line(app: GoldenApp) -> None:
    golden = read_golden(app)
    if golden is None:
        pytest.skip("no golden file (the test above fails)")
    assert app.golden_file.read_text(encoding="utf-8") == render(golden), (
        f"{app.golden_file.name} is not in the form {UPDATE_COMMAND} writes")


def test_changes_lists_added_removed_and_retyped_ids_per_stack() -> None:
    old = {"Api": {"Keep": "AWS::SQS::Queue", "Gone": "AWS::S3::Bucket", "Retyped": "AWS::SNS::Topic"},
           "Old": {"Table": "AWS::DynamoDB::Table"}}
    new = {"Api": {"Keep": "AWS::SQS::Queue", "Added": "AWS::S3::Bucket", "Retyped": "AWS::SQS::Queue"},
           "New": {"Fn": "AWS::Lambda::Function"}}
    assert changes(old, new) == [
        "Api:", "  + Added (AWS::S3::Bucket)", "  - Gone (AWS::S3::Bucket)",
        "  ~ Retyped (AWS::SNS::Topic -> AWS::SQS::Queue)",
        "New (new stack):", "  + Fn (AWS::Lambda::Function)",
        "Old (stack removed):", "  - Table (AWS::DynamoDB::Table)",
    ]
    assert changes(old, old) == []


# -- the test bites: a rename inside a construct fails it --------------------------------------------------------

RENAMES = [
    # (module of iac, the child's creation as written there, renamed, golden file, an id that goes, one that comes)
    ("constructs/awslambda.py", 'iam.Role(self, "ServiceRole",', 'iam.Role(self, "ExecutionRole",',
     "sample-serverless_api", "- GetFunctionServiceRoleE63CDF24 (AWS::IAM::Role)", "+ GetFunctionExecutionRole"),
    ("constructs/codepipeline/pipeline.py", 's3.Bucket(self, "ArtifactBucket")', 's3.Bucket(self, "Artifacts")',
     "init-pipeline", "- ReleasePipelineArtifactBucket6CC9EF5C (AWS::S3::Bucket)", "+ ReleasePipelineArtifacts"),
]


@pytest.mark.parametrize(("module", "written", "renamed", "name", "removed", "added"), RENAMES,
                         ids=["lambda-service-role", "pipeline-artifact-bucket"])
def test_renaming_a_constructs_child_fails_the_golden_test(module: str, written: str, renamed: str, name: str,
                                                          removed: str, added: str, tmp_path: Path) -> None:
    copy = tmp_path / "iac"
    shutil.copytree(REPO / "iac", copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = (copy / module).read_text(encoding="utf-8")
    assert source.count(written) == 1, f"iac/{module} no longer creates {written!r}: update RENAMES in this test"
    (copy / module).write_text(source.replace(written, renamed), encoding="utf-8")
    golden_file = GOLDEN / f"{name}.json"
    before = hashlib.sha256(golden_file.read_bytes()).hexdigest()

    # `python -m pytest` run from tmp_path puts tmp_path first on sys.path: the renamed copy is the iac imported
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--rootdir", str(REPO),
         f"{THIS_FILE}::test_logical_ids_match_the_golden_file[{name}]"],
        cwd=tmp_path, capture_output=True, text=True, env=environment, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert removed in output and added in output, output
    assert "make golden" in output
    assert hashlib.sha256(golden_file.read_bytes()).hexdigest() == before, "the test wrote the golden file"


def test_update_rewrites_the_file_and_prints_what_changed(tmp_path: Path) -> None:
    """`make golden` in a checkout where the Lambda role was renamed: the file follows, and says how."""
    checkout = tmp_path / "checkout"
    for folder in ("iac", "samples"):
        shutil.copytree(REPO / folder, checkout / folder, ignore=shutil.ignore_patterns("__pycache__", "iac.out"))
    shutil.copytree(GOLDEN.parent, checkout / "tests" / "golden", ignore=shutil.ignore_patterns("__pycache__"))
    module, written, renamed, name, removed, added = RENAMES[0]
    path = checkout / "iac" / module
    path.write_text(path.read_text(encoding="utf-8").replace(written, renamed), encoding="utf-8")
    update = [sys.executable, str(checkout / "tests" / "golden" / "update.py")]

    first = subprocess.run([*update, name], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"tests/golden/logical_ids/{name}.json:" in first.stdout
    assert removed in first.stdout and added in first.stdout
    written_file = (checkout / "tests" / "golden" / "logical_ids" / f"{name}.json").read_text(encoding="utf-8")
    assert added.split()[1] in written_file and removed.split()[1] not in written_file

    again = subprocess.run([*update, "--check", name], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert (again.returncode, again.stdout) == (0, f"tests/golden/logical_ids/{name}.json: unchanged\n")
