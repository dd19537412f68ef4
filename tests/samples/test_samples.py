"""Every sample synthesizes through the real CLI with zero lint findings, deterministically."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted(p.parent.name for p in (REPO / "samples").glob("*/app.py"))


def _synth(app: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iac", "synth", "--app", str(app), "--out", str(out), "--strict"],
        capture_output=True, text=True, cwd=app.parent, env={**os.environ, "NO_COLOR": "1"},
    )


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if not p.name.startswith(".")}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_synthesizes_with_no_errors_or_warnings(name: str, tmp_path: Path) -> None:
    result = _synth(REPO / "samples" / name / "app.py", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Synthesized" in result.stdout


def test_serverless_sample_holds_what_sam_makes_and_a_read_only_policy(tmp_path: Path) -> None:
    result = _synth(REPO / "samples" / "serverless_api" / "app.py", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    template = json.loads((tmp_path / "out" / "ServerlessApi.template.json").read_text())
    types = [r["Type"] for r in template["Resources"].values()]
    for expected in ("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
                     "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::Lambda::Permission", "AWS::DynamoDB::Table"):
        assert expected in types
    policy = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Policy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert actions == {"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
                       "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"}
    table_id = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table")
    assert all(s["Resource"] == {"Fn::GetAtt": [table_id, "Arn"]} for s in statements)


def test_serverless_asset_is_identical_across_synths_and_after_touch(tmp_path: Path) -> None:
    sample = tmp_path / "serverless_api"
    shutil.copytree(REPO / "samples" / "serverless_api", sample)
    first = _synth(sample / "app.py", tmp_path / "first")
    os.utime(sample / "src" / "index.js", (2_000_000_000, 2_000_000_000))
    second = _synth(sample / "app.py", tmp_path / "second")
    assert first.returncode == second.returncode == 0
    assert _digests(tmp_path / "first") == _digests(tmp_path / "second")
    assert any(name.startswith("asset.") for name in _digests(tmp_path / "first"))


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_diffed_against_its_own_synth_has_no_changes(name: str, tmp_path: Path) -> None:
    app = REPO / "samples" / name / "app.py"
    out = tmp_path / "out"
    synth = subprocess.run([sys.executable, "-m", "iac", "synth", "--app", str(app), "--out", str(out),
                            "--no-lint", "--quiet"], capture_output=True, text=True, cwd=app.parent)
    assert synth.returncode == 0, synth.stderr
    diff = subprocess.run([sys.executable, "-m", "iac", "diff", "--app", str(app), "--out", str(out), "--fail"],
                          capture_output=True, text=True, cwd=app.parent, env={**os.environ, "NO_COLOR": "1"})
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert "0 to add, 0 to change, 0 to replace, 0 to remove" in diff.stdout
