"""The canary_function sample (the seed's slide 61): it holds what SAM's transform makes of the same
template, and a code change publishes a new version without replacing anything."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "canary_function"
STACK = "CanaryFunction"

#: What SAM makes of slide 61 (a function with AutoPublishAlias and a DeploymentPreference, plus the
#: template's own PreTrafficHook function and ErrorsAlarm): resource type -> how many.
SAM_MAKES = {
    "AWS::Lambda::Function": 2,  # GetFunction, PreTrafficHook
    "AWS::IAM::Role": 3,  # GetFunctionRole, PreTrafficHookRole, CodeDeployServiceRole
    "AWS::Lambda::Version": 1,
    "AWS::Lambda::Alias": 1,
    "AWS::CodeDeploy::Application": 1,  # ServerlessDeploymentApplication
    "AWS::CodeDeploy::DeploymentGroup": 1,
    "AWS::CloudWatch::Alarm": 1,
}


def _synth(app: Path, out: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "iac", "synth", "--app", str(app), "--out", str(out), "--strict"],
        capture_output=True, text=True, cwd=app.parent, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    return json.loads((out / f"{STACK}.template.json").read_text())


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _synth(SAMPLE / "app.py", tmp_path_factory.mktemp("canary") / "out")


def _one(template: dict[str, Any], resource_type: str, path_suffix: str = "") -> dict[str, Any]:
    found = [r for r in template["Resources"].values() if r["Type"] == resource_type
             and r["Metadata"]["iac:path"].endswith(path_suffix)]
    assert len(found) == 1, f"{resource_type} {path_suffix}: {len(found)}"
    return found[0]


def _id(template: dict[str, Any], resource_type: str, path_suffix: str = "") -> str:
    resource = _one(template, resource_type, path_suffix)
    return next(k for k, v in template["Resources"].items() if v is resource)


def test_the_sample_holds_at_least_what_sam_makes(template):
    counts = Counter(r["Type"] for r in template["Resources"].values())
    missing = {resource_type: n - counts[resource_type] for resource_type, n in SAM_MAKES.items()
               if counts[resource_type] < n}
    assert missing == {}


def test_the_alias_moves_through_codedeploy_with_the_pre_traffic_hook(template):
    alias = _one(template, "AWS::Lambda::Alias")
    assert alias["Properties"]["Name"] == "live"
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [_id(template, "AWS::Lambda::Version"), "Version"]}
    assert alias["UpdatePolicy"] == {"CodeDeployLambdaAliasUpdate": {
        "ApplicationName": {"Ref": _id(template, "AWS::CodeDeploy::Application")},
        "DeploymentGroupName": {"Ref": _id(template, "AWS::CodeDeploy::DeploymentGroup")},
        "BeforeAllowTrafficHook": {"Ref": _id(template, "AWS::Lambda::Function", "PreTrafficHook/Resource")},
    }}


def test_the_group_shifts_10_percent_for_10_minutes_and_rolls_back_on_the_alarm(template):
    group = _one(template, "AWS::CodeDeploy::DeploymentGroup")["Properties"]
    assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent10Minutes"
    assert group["AlarmConfiguration"] == {"Enabled": True,
                                           "Alarms": [{"Name": {"Ref": _id(template, "AWS::CloudWatch::Alarm")}}]}
    assert {"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"} <= set(group["AutoRollbackConfiguration"]["Events"])
    assert _one(template, "AWS::CodeDeploy::Application")["Properties"] == {"ComputePlatform": "Lambda"}
    alarm = _one(template, "AWS::CloudWatch::Alarm")["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Errors")


def test_the_api_invokes_the_alias(template):
    permission = _one(template, "AWS::Lambda::Permission")["Properties"]
    assert permission["FunctionName"] == {"Ref": _id(template, "AWS::Lambda::Alias")}


def test_a_code_change_publishes_a_new_version_and_replaces_nothing(tmp_path):
    sample = tmp_path / "canary_function"
    shutil.copytree(SAMPLE, sample)
    old = _synth(sample / "app.py", tmp_path / "old")
    with (sample / "src" / "index.js").open("a", encoding="utf-8") as source:
        source.write("// a change\n")
    new = _synth(sample / "app.py", tmp_path / "new")

    result = subprocess.run(
        [sys.executable, "-m", "iac", "diff", "--from", str(tmp_path / "old" / f"{STACK}.template.json"),
         "--to", str(tmp_path / "new" / f"{STACK}.template.json"), "--json"],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    changes = [c["ResourceChange"] for stack in report["stacks"] for c in stack["Changes"] if c["Type"] == "Resource"]
    by_action: dict[str, set[str]] = {}
    for change in changes:
        by_action.setdefault(change["Action"], set()).add(change["LogicalResourceId"])

    old_version, new_version = _id(old, "AWS::Lambda::Version"), _id(new, "AWS::Lambda::Version")
    assert old_version != new_version
    assert by_action["Add"] == {new_version}
    assert by_action["Remove"] == {old_version}
    assert report["summary"]["replace"] == 0
    assert all(c.get("Replacement", "False") == "False" for c in changes if c["Action"] == "Modify")
    # Modified in place: the code, the alias (CodeDeploy moves it), the hook (it tests the new version).
    assert by_action["Modify"] == {_id(new, "AWS::Lambda::Function", "GetFunction/Resource"),
                                   _id(new, "AWS::Lambda::Alias"),
                                   _id(new, "AWS::Lambda::Function", "PreTrafficHook/Resource")}
