"""`iac import` end to end: the real `iac` command in a subprocess, and mypy on what it writes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "tests" / "templates" / "good"


def _iac() -> list[str]:
    """The installed `iac` entry point (next to this interpreter), else `python -m iac`."""
    script = Path(sys.executable).with_name("iac")
    return [str(script)] if script.exists() else [sys.executable, "-m", "iac"]


def run(*args: str | os.PathLike[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR",)}
    environment["NO_COLOR"] = "1"
    return subprocess.run([*_iac(), *map(str, args)], cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=120)


def test_import_writes_the_app_and_proves_the_round_trip(tmp_path: Path) -> None:
    shutil.copy(GOOD / "sam-app.yaml", tmp_path / "template.yaml")
    completed = run("import", "template.yaml", "--stack-name", "Items", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "Wrote app.py: stack Items, 2 resources",
        "Round trip holds: app.py synthesizes to template.yaml (normalized)",
    ]
    source = (tmp_path / "app.py").read_text(encoding="utf-8")
    assert 'stack = Stack(\n    app,\n    "Items",' in source
    # the app is an ordinary iac app: `iac synth` runs it, `iac diff` against the template shows nothing
    synth = run("synth", "--no-lint", "-q", cwd=tmp_path)
    assert synth.returncode == 0, synth.stderr
    diff = run("diff", "--template", "template.yaml", cwd=tmp_path)
    assert diff.returncode == 0, diff.stderr
    assert "0 to add, 0 to change, 0 to replace, 0 to remove" in diff.stdout

    checked = run("import", "template.yaml", "--check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.strip() == "Round trip holds: app.py synthesizes to template.yaml (normalized)"


def test_check_reports_each_difference_and_exits_1(tmp_path: Path) -> None:
    shutil.copy(GOOD / "sam-app.yaml", tmp_path / "template.yaml")
    assert run("import", "template.yaml", cwd=tmp_path).returncode == 0
    app = tmp_path / "app.py"
    app.write_text(app.read_text(encoding="utf-8").replace('"Handler": "index.handler"', '"Handler": "main.handler"'),
                   encoding="utf-8")
    completed = run("import", "template.yaml", "--check", cwd=tmp_path)
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        "Round trip fails: app.py synthesizes a template that differs from template.yaml in 1 place:",
        "  Resources.GetItemsFunction.Properties.Handler: the template has 'index.handler', the app writes "
        "'main.handler'",
    ]


def test_an_existing_app_is_kept_unless_forced_and_dash_prints(tmp_path: Path) -> None:
    shutil.copy(GOOD / "vpc.yaml", tmp_path / "vpc.yaml")
    (tmp_path / "app.py").write_text("# mine\n", encoding="utf-8")
    refused = run("import", "vpc.yaml", cwd=tmp_path)
    assert refused.returncode == 2
    assert "app.py exists" in refused.stderr and "--force" in refused.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == "# mine\n"
    printed = run("import", "vpc.yaml", "-o", "-", cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith('"""The stack of vpc.yaml') and printed.stdout.endswith("app.synth()\n")
    assert "Round trip holds" in printed.stderr
    forced = run("import", "vpc.yaml", "--force", cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert (tmp_path / "app.py").read_text(encoding="utf-8") == printed.stdout


@pytest.mark.parametrize(("content", "message"), [
    ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n  A:\n    Type: AWS::SNS::Topic\n", "duplicate key 'A'"),
    ("Resources: {}\n", "has no resources"),
    ("- a list\n", "a template must be a mapping"),
    ("Resources:\n  A: {Type: AWS::SNS::Topic}\nOutputz: {}\n", "unknown top-level section 'Outputz'"),
    ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: {DisplayName: [\n", "invalid YAML"),
    ("Resources:\n  - A\n  - B\n", "Resources must be a mapping, got list"),
    ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    Properties: [1]\n", "Resources.A.Properties must be a mapping"),
    ("Resources:\n  A:\n    Type: AWS::SNS::Topic\n    DependsOn: {B: 1}\n", "A.DependsOn must be a logical id"),
    ("Resources:\n  A:\n    Type: [AWS::SNS::Topic]\n", "Resources.A.Type must be a type name, got list"),
    ("Resources:\n  A: {Type: AWS::SNS::Topic}\nMappings:\n  M: [1]\n", "Mappings.M must be a mapping, got list"),
    ("Resources:\n  A: {Type: AWS::SNS::Topic}\nConditions:\n  C: 5\n", "Conditions.C must be a mapping, got int"),
])
def test_bad_input_is_one_message_and_exit_2_never_a_traceback(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    completed = run("import", "bad.yaml", cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr and len(completed.stderr.splitlines()) <= 12
    assert not (tmp_path / "app.py").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    shutil.copy(GOOD / "vpc.yaml", tmp_path / "vpc.yaml")
    missing = run("import", "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "template file not found: nope.yaml" in missing.stderr
    bad_name = run("import", "vpc.yaml", "--stack-name", "1-bad_name", cwd=tmp_path)
    assert bad_name.returncode == 2 and "stack name '1-bad_name' is invalid" in bad_name.stderr
    no_app = run("import", "vpc.yaml", "--check", "-o", "other.py", cwd=tmp_path)
    assert no_app.returncode == 2 and "other.py is not a file" in no_app.stderr
    region = run("import", "vpc.yaml", "--region", "eu-west-1", cwd=tmp_path)
    assert region.returncode == 2 and "--region is for a deployed --stack only" in region.stderr, region.stderr
    no_folder = run("import", "vpc.yaml", "-o", "missing/app.py", cwd=tmp_path)
    assert no_folder.returncode == 2 and "folder missing does not exist" in no_folder.stderr, no_folder.stderr
    (tmp_path / "folder").mkdir()
    a_folder = run("import", "vpc.yaml", "-o", "folder", "--force", cwd=tmp_path)
    assert a_folder.returncode == 2 and "cannot write folder: it is a directory" in a_folder.stderr, a_folder.stderr
    (tmp_path / "binary.yaml").write_bytes(b"Resources:\n  A: \xff\xfe\x00\n")
    binary = run("import", "binary.yaml", cwd=tmp_path)
    assert binary.returncode == 2 and "not UTF-8 text" in binary.stderr, binary.stderr
    directory = run("import", "folder", cwd=tmp_path)
    assert directory.returncode == 2 and "is a directory" in directory.stderr, directory.stderr
    for completed in (no_folder, a_folder, binary, directory):
        assert "Traceback" not in completed.stderr and "internal error" not in completed.stderr
    assert not (tmp_path / "app.py").exists()


#: Some apps written by import_template, for mypy --strict (test_roundtrip.py type-checks every corpus app).
MYPY_CLEAN = ["sam-app.yaml", "vpc.yaml", "sns-sqs-fanout.yaml", "conditions-mappings.yaml", "ecs-service.yaml",
              "lambda-api.yaml", "s3-bucket-policy.json"]


def test_generated_apps_pass_mypy(tmp_path: Path) -> None:
    from iac.importer import import_template

    for name in MYPY_CLEAN:
        (tmp_path / (name.replace(".", "_").replace("-", "_") + ".py")).write_text(
            import_template(str(GOOD / name)), encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / ".mypy_cache"),
                                "--no-error-summary", "--strict", "."], cwd=tmp_path, capture_output=True, text=True,
                               timeout=600)
    assert completed.returncode == 0, completed.stdout + completed.stderr
