"""`iac diff`: text and JSON output, exit status (--fail, --require-approval), and every input mode:
--from/--to, the app against iac.out (default), --out, --against DIR, --template FILE.

Most runs go through click's CliRunner (in process, from tmp_path); two run the real command.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from iac.synth.serialize import to_yaml

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY = re.compile(r"^(\d+) to add, (\d+) to change, (\d+) to replace, (\d+) to remove", re.MULTILINE)


def _table(name: str) -> dict[str, Any]:
    return {"Type": "AWS::DynamoDB::Table", "Properties": {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}


def _sg(*ingress: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::EC2::SecurityGroup", "Properties": {
        "GroupDescription": "web", "VpcId": "vpc-123", "SecurityGroupIngress": list(ingress)}}


HTTPS_INTERNAL = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8"}
SSH_ANYWHERE = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}

OLD = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
        "Table": _table("orders"),
        "TableParam": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Name": "/app/table", "Value": {"Fn::Sub": "${Table}"}}},
        "Legacy": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "legacy"}},
        "Web": _sg(HTTPS_INTERNAL),
    },
}
NEW = {
    "Resources": {
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 90}},
        "Table": _table("orders-v2"),
        "TableParam": {"Type": "AWS::SSM::Parameter", "Properties": {
            "Type": "String", "Name": "/app/table", "Value": {"Fn::Sub": "${Table}"}}},
        "Alerts": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "alerts", "TopicName": "alerts"}},
        "Web": _sg(HTTPS_INTERNAL),
    },
}


def _write(path: Path, template: dict[str, Any]) -> Path:
    path.write_text(to_yaml(template) if path.suffix == ".yaml" else json.dumps(template, indent=1),
                    encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path):
    """`files(old, new)`: write the two templates (old as YAML, new as JSON) and return their paths."""

    def write(old: dict[str, Any], new: dict[str, Any], name: str = "Main") -> tuple[Path, Path]:
        return _write(tmp_path / "old.yaml", old), _write(tmp_path / f"{name}.template.json", new)

    return write


def _summary(output: str) -> tuple[int, int, int, int]:
    match = SUMMARY.search(ANSI.sub("", output))
    assert match, output
    return tuple(int(n) for n in match.groups())  # type: ignore[return-value]


def _no_traceback(*outputs: str) -> None:
    for output in outputs:
        assert "Traceback" not in output and "internal error" not in output, output


# -- --from / --to ---------------------------------------------------------------------------


def test_from_to_text_lists_adds_changes_replacements_and_removes(invoke, files) -> None:
    old, new = files(OLD, NEW)
    result = invoke("diff", "--from", old, "--to", new)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Stack Main" in out
    assert "[~] AWS::SQS::Queue Queue\n" in out
    assert "    ~ VisibilityTimeout: 60 → 90" in out
    assert "[+] AWS::SNS::Topic Alerts" in out
    assert "[-] AWS::SNS::Topic Legacy" in out
    assert re.search(r"^\[~\] AWS::DynamoDB::Table Table  replace", out, re.MULTILINE)
    assert "└─ replace: create-only property TableName changed" in out
    assert '~ TableName: "orders" → "orders-v2"' in out
    assert "~ Value: follows Table (known at deploy time)" in out
    assert "DATA AT RISK" in out
    assert _summary(out) == (1, 2, 1, 1)
    assert "\x1b[" not in out  # no colour when not on a terminal
    _no_traceback(result.output)


def test_from_to_identical_templates_say_no_changes(invoke, files) -> None:
    old, new = files(OLD, OLD)
    result = invoke("diff", "--from", old, "--to", new)
    assert result.exit_code == 0
    assert "Stack Main\n  no changes" in result.stdout
    assert _summary(result.stdout) == (0, 0, 0, 0)


def test_yaml_and_json_forms_of_one_template_have_no_changes(invoke, tmp_path) -> None:
    old = _write(tmp_path / "a.yaml", NEW)
    new = _write(tmp_path / "b.json", NEW)
    result = invoke("diff", "--from", old, "--to", new, "--fail")
    assert result.exit_code == 0, result.output
    assert "no changes" in result.stdout


def test_json_output_mirrors_the_change_set_model(invoke, files) -> None:
    old, new = files(OLD, NEW)
    result = invoke("diff", "--from", old, "--to", new, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["summary"] == {"add": 1, "change": 2, "replace": 1, "remove": 1, "possible": 0,
                               "widens_access": False, "data_at_risk": True}
    [stack] = data["stacks"]
    assert stack["StackName"] == "Main"
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in stack["Changes"]}
    assert all(c["Type"] == "Resource" for c in stack["Changes"])
    table = changes["Table"]
    assert (table["Action"], table["Replacement"], table["Scope"], table["PolicyAction"]) == (
        "Modify", "True", ["Properties"], "ReplaceAndDelete")
    assert table["Details"] == [{
        "Target": {"Attribute": "Properties", "Name": "TableName", "Path": "/Properties/TableName",
                   "RequiresRecreation": "Always"},
        "Evaluation": "Static", "ChangeSource": "DirectModification", "Before": "orders", "After": "orders-v2"}]
    assert table["Reasons"] == ["replace: create-only property TableName changed"]
    assert table["DataAtRisk"] is True
    param = changes["TableParam"]
    assert param["Replacement"] == "False"
    assert param["Details"] == [{
        "Target": {"Attribute": "Properties", "Name": "Value", "Path": "/Properties/Value",
                   "RequiresRecreation": "Never"},
        "Evaluation": "Dynamic", "ChangeSource": "ResourceReference", "CausingEntity": "Table"}]
    assert changes["Alerts"] == {"Action": "Add", "LogicalResourceId": "Alerts", "ResourceType": "AWS::SNS::Topic"}
    assert changes["Legacy"]["Action"] == "Remove" and changes["Legacy"]["PolicyAction"] == "Delete"
    assert {f["kind"] for f in stack["Findings"]} == {"data-at-risk"}
    assert stack["WidensAccess"] is False
    assert stack["ValueChanges"] == [] and stack["IamStatementChanges"] == []


def test_json_output_has_security_tables(invoke, files) -> None:
    old, new = files({"Resources": {"Web": _sg(HTTPS_INTERNAL)}},
                     {"Resources": {"Web": _sg(HTTPS_INTERNAL, SSH_ANYWHERE)}})
    data = json.loads(invoke("diff", "--from", old, "--to", new, "--json").stdout)
    [rule] = data["stacks"][0]["SecurityGroupRuleChanges"]
    assert rule == {"action": "Add", "logical_id": "Web", "group": "Web", "direction": "ingress", "protocol": "tcp",
                    "ports": "22", "peer": "0.0.0.0/0", "widens": True}
    assert data["summary"]["widens_access"] is True


def test_text_output_shows_security_and_rename_sections(invoke, files) -> None:
    role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}}}
    admin = json.loads(json.dumps(role))
    admin["Properties"]["ManagedPolicyArns"] = ["arn:aws:iam::aws:policy/AdministratorAccess"]
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 5}}
    old, new = files({"Resources": {"Role": role, "Web": _sg(HTTPS_INTERNAL), "Jobs": queue}},
                     {"Resources": {"Role": admin, "Web": _sg(HTTPS_INTERNAL, SSH_ANYWHERE), "JobsQueue": queue}})
    out = invoke("diff", "--from", old, "--to", new).stdout
    assert "IAM statement changes" in out
    assert "+ Allow (managed policy) on arn:aws:iam::aws:policy/AdministratorAccess" in out
    assert "(widens access)" in out
    assert "Security group rule changes" in out
    assert "+ Web ingress tcp 22 from 0.0.0.0/0  (open to the internet)" in out
    assert "rename? [IAC-DIFF-003]: looks like a rename of Jobs to JobsQueue" in out
    assert "access widens [IAC-DIFF-009]: IAM access widens on Role" in out
    assert "access widens [IAC-DIFF-010]: network access widens on Web: 1 rule added (from or to 0.0.0.0/0), open " \
        "to the internet" in out
    assert 'fix: keep the old identity: call .override_logical_id("Jobs")' in out
    assert out.rstrip().endswith("; access widens; DATA AT RISK")


SCRIPT = "\n".join(f"line {n}" for n in range(12))


def _custom(**properties: Any) -> dict[str, Any]:
    return {"Resources": {"Seed": {"Type": "Custom::Seed", "Properties": {
        "ServiceToken": "arn:aws:lambda:us-east-1:1:function:seed", **properties}}}}


def test_long_multi_line_string_is_a_compact_line_diff(invoke, files) -> None:
    old, new = files(_custom(Script=SCRIPT), _custom(Script=SCRIPT.replace("line 6", "line six")))
    out = invoke("diff", "--from", old, "--to", new).stdout
    assert "    ~ Script:\n" in out
    assert "        -line 6\n" in out and "        +line six\n" in out
    assert "         line 5\n" in out  # context
    assert "line 1\n" not in out  # far from the change: left out


def test_json_document_change_is_a_compact_line_diff(invoke, files) -> None:
    variables = {f"VAR_{n:02}": f"value-{n}" for n in range(20)}
    old, new = files(_custom(Settings={"Variables": variables}),
                     _custom(Settings={"Variables": {**variables, "VAR_10": "changed"}}))
    out = invoke("diff", "--from", old, "--to", new).stdout
    assert re.search(r"^\s*-\s+VAR_10: value-10$", out, re.MULTILINE)
    assert re.search(r"^\s*\+\s+VAR_10: changed$", out, re.MULTILINE)
    assert "VAR_09" in out and "VAR_01" not in out


def test_short_values_are_shown_inline(invoke, files) -> None:
    old, new = files(_custom(Size=1, Mode="a"), _custom(Size=2, Mode=["a", "b"]))
    out = invoke("diff", "--from", old, "--to", new).stdout
    assert "    ~ Size: 1 → 2\n" in out
    assert '    ~ Mode: "a" → ["a", "b"]\n' in out


def test_multi_line_string_nested_in_a_property_is_a_line_diff(invoke, files) -> None:
    old, new = files(_custom(Code={"ZipFile": SCRIPT}), _custom(Code={"ZipFile": SCRIPT.replace("line 6", "line six")}))
    out = invoke("diff", "--from", old, "--to", new).stdout
    assert "line 0" not in out  # far from the change
    assert re.search(r"^\s*\+.*\bline six\b", out, re.MULTILINE)
    assert re.search(r"^\s*-.*\bline 6\b", out, re.MULTILINE)


def test_section_changes_are_listed(invoke, files) -> None:
    old_template = {"Description": "v1", "Parameters": {"Env": {"Type": "String"}},
                    "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}, "Outputs": {"Url": {"Value": {"Ref": "Q"}}}}
    new_template = {"Description": "v2", "Parameters": {"Env": {"Type": "String"}, "Tier": {"Type": "String"}},
                    "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    old, new = files(old_template, new_template)
    out = invoke("diff", "--from", old, "--to", new).stdout
    assert "Description\n[~]\n" in out
    assert "Parameters\n[+] Tier" in out
    assert "Outputs\n[-] Url" in out
    assert _summary(out) == (0, 0, 0, 0)


def test_parameters_option_propagates_a_value_change(invoke, files) -> None:
    template = {"Parameters": {"Cidr": {"Type": "String", "Default": "10.0.0.0/16"}},
                "Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}}}}
    old, new = files(template, template)
    result = invoke("diff", "--from", old, "--to", new, "--parameters", "Cidr=10.9.0.0/16", "--json")
    [change] = json.loads(result.stdout)["stacks"][0]["Changes"]
    detail = change["ResourceChange"]["Details"][0]
    # the value the stack runs with is not known offline (its old default is no known value): may replace
    assert change["ResourceChange"]["Replacement"] == "Conditional"
    assert (detail["Evaluation"], detail["ChangeSource"], detail["CausingEntity"]) == (
        "Dynamic", "ParameterReference", "Cidr")
    same = invoke("diff", "--from", old, "--to", new, "-p", "Cidr=10.0.0.0/16", "--fail")
    assert same.exit_code == 0


def _regional_table(home: str) -> dict:
    return {"Conditions": {"InHome": {"Fn::Equals": [{"Ref": "AWS::Region"}, home]},
                           "Mine": {"Fn::Equals": [{"Ref": "AWS::AccountId"}, "111111111111"]}},
            "Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Condition": "InHome", "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}},
                          "Q": {"Type": "AWS::SQS::Queue", "Condition": "Mine"}}}


def test_a_condition_that_may_flip_shows_a_possible_deletion(invoke, files) -> None:
    old, new = files(_regional_table("us-east-1"), _regional_table("eu-west-1"))
    result = invoke("diff", "--from", old, "--to", new)
    assert "[-] AWS::DynamoDB::Table T  may be deleted  DATA AT RISK" in result.output
    assert "may be deleted (or created): Condition InHome may change value" in result.output
    assert "(1 of the adds and removes only if a condition allows)" in result.output
    data = json.loads(invoke("diff", "--from", old, "--to", new, "--json").stdout)
    assert data["summary"]["possible"] == 1
    assert data["stacks"][0]["Changes"][0]["ResourceChange"]["Certain"] is False


def test_region_and_account_given_evaluate_the_conditions(invoke, files) -> None:
    old, new = files(_regional_table("us-east-1"), _regional_table("eu-west-1"))
    result = invoke("diff", "--from", old, "--to", new, "--region", "us-east-1", "--json")
    [change] = json.loads(result.stdout)["stacks"][0]["Changes"]
    assert change["ResourceChange"]["Action"] == "Remove" and "Certain" not in change["ResourceChange"]
    elsewhere = invoke("diff", "--from", old, "--to", new, "--region", "ap-south-1", "--account", "2" * 12, "--json")
    # the table is in neither deployment there, the queue in neither account: only the Conditions section changes
    assert json.loads(elsewhere.stdout)["stacks"][0]["Changes"] == []


def test_bad_parameters_option_is_a_usage_error(invoke, files) -> None:
    old, new = files(OLD, OLD)
    result = invoke("diff", "--from", old, "--to", new, "--parameters", "Cidr")
    assert result.exit_code == 2
    assert "NAME=VALUE" in result.output
    _no_traceback(result.output)


# -- exit status ------------------------------------------------------------------------------


def test_fail_exits_1_on_changes(invoke, files) -> None:
    old, new = files(OLD, NEW)
    result = invoke("diff", "--from", old, "--to", new, "--fail")
    assert result.exit_code == 1
    assert "[~]" in result.stdout  # the diff is still printed


def test_fail_exits_0_without_changes(invoke, files) -> None:
    old, new = files(OLD, OLD)
    assert invoke("diff", "--from", old, "--to", new, "--fail").exit_code == 0


def test_fail_exits_1_on_a_section_only_change(invoke, files) -> None:
    old, new = files(OLD, {**OLD, "Description": "now described"})
    assert invoke("diff", "--from", old, "--to", new, "--fail").exit_code == 1


def test_require_approval_widening_exits_1_when_access_widens(invoke, files) -> None:
    old, new = files({"Resources": {"Web": _sg(HTTPS_INTERNAL)}},
                     {"Resources": {"Web": _sg(HTTPS_INTERNAL, SSH_ANYWHERE)}})
    result = invoke("diff", "--from", old, "--to", new, "--require-approval", "widening")
    assert result.exit_code == 1
    assert "approval required: access widens" in result.stderr
    assert "approval required" not in result.stdout


def test_require_approval_widening_exits_1_when_data_is_at_risk(invoke, files) -> None:
    old, new = files({"Resources": {"Table": _table("a")}}, {"Resources": {"Table": _table("b")}})
    result = invoke("diff", "--from", old, "--to", new, "--require-approval", "widening")
    assert result.exit_code == 1
    assert "data is at risk" in result.stderr


def test_ignore_acknowledges_the_finding_and_approval_is_not_asked(invoke, files) -> None:
    old, new = files({"Resources": {"Table": _table("a")}}, {"Resources": {"Table": _table("b")}})
    result = invoke("diff", "--from", old, "--to", new, "--require-approval", "widening", "--ignore", "IAC-DIFF-002")
    assert result.exit_code == 0
    assert "acknowledged [IAC-DIFF-002] DATA AT RISK: AWS::DynamoDB::Table Table will be REPLACED" in result.stdout
    assert "    reason: ignored with --ignore IAC-DIFF-002" in result.stdout
    assert not result.stdout.rstrip().endswith("DATA AT RISK")


def test_a_metadata_acknowledgement_is_shown_with_its_reason(invoke, files) -> None:
    acknowledged = {**_table("b"), "Metadata": {"iac:acknowledge": [
        {"id": "IAC-DIFF-002", "reason": "a cache, rebuilt on start"}]}}
    old, new = files({"Resources": {"Table": _table("a")}}, {"Resources": {"Table": acknowledged}})
    result = invoke("diff", "--from", old, "--to", new, "--require-approval", "widening")
    assert result.exit_code == 0
    assert "    reason: a cache, rebuilt on start" in result.stdout


def test_ignore_with_an_unknown_id_is_a_usage_error_with_a_suggestion(invoke, files) -> None:
    old, new = files(OLD, NEW)
    result = invoke("diff", "--from", old, "--to", new, "--ignore", "IAC-DIFF-02")
    assert result.exit_code == 2
    assert "no diff finding has this id" in result.output and "IAC-DIFF-002" in result.output
    _no_traceback(result.output)


def test_require_approval_widening_exits_0_for_a_narrowing_change(invoke, files) -> None:
    old, new = files({"Resources": {"Web": _sg(HTTPS_INTERNAL, SSH_ANYWHERE)}},
                     {"Resources": {"Web": _sg(HTTPS_INTERNAL)}})
    result = invoke("diff", "--from", old, "--to", new, "--require-approval", "widening")
    assert result.exit_code == 0
    assert "- Web ingress tcp 22 from 0.0.0.0/0" in result.stdout


def test_require_approval_never_exits_0_even_when_access_widens(invoke, files) -> None:
    old, new = files({"Resources": {"Web": _sg(HTTPS_INTERNAL)}},
                     {"Resources": {"Web": _sg(HTTPS_INTERNAL, SSH_ANYWHERE)}})
    assert invoke("diff", "--from", old, "--to", new, "--require-approval", "never").exit_code == 0
    assert invoke("diff", "--from", old, "--to", new).exit_code == 0


def test_require_approval_any_change(invoke, files) -> None:
    old, new = files(OLD, NEW)
    changed = invoke("diff", "--from", old, "--to", new, "--require-approval", "any-change")
    assert changed.exit_code == 1 and "approval required" in changed.stderr
    same_old, same_new = files(OLD, OLD)
    assert invoke("diff", "--from", same_old, "--to", same_new, "--require-approval", "any-change").exit_code == 0


def test_json_stays_parseable_when_approval_is_required(invoke, files) -> None:
    old, new = files({"Resources": {"Web": _sg(HTTPS_INTERNAL)}},
                     {"Resources": {"Web": _sg(HTTPS_INTERNAL, SSH_ANYWHERE)}})
    result = invoke("diff", "--from", old, "--to", new, "--json", "--require-approval", "widening")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["widens_access"] is True


def test_unknown_require_approval_level_is_a_usage_error(invoke, files) -> None:
    old, new = files(OLD, NEW)
    result = invoke("diff", "--from", old, "--to", new, "--require-approval", "sometimes")
    assert result.exit_code == 2


# -- input errors -------------------------------------------------------------------------------


def test_from_without_to_is_a_usage_error(invoke, files) -> None:
    old, _ = files(OLD, NEW)
    result = invoke("diff", "--from", old)
    assert result.exit_code == 2
    assert "--from and --to go together" in result.output
    _no_traceback(result.output)


def test_to_without_from_is_a_usage_error(invoke, files) -> None:
    _, new = files(OLD, NEW)
    result = invoke("diff", "--to", new)
    assert result.exit_code == 2
    _no_traceback(result.output)


def test_from_to_with_against_is_a_usage_error(invoke, files, tmp_path) -> None:
    old, new = files(OLD, NEW)
    result = invoke("diff", "--from", old, "--to", new, "--against", tmp_path)
    assert result.exit_code == 2
    _no_traceback(result.output)


def test_missing_template_file_is_an_input_error(invoke, files, tmp_path) -> None:
    _, new = files(OLD, NEW)
    result = invoke("diff", "--from", tmp_path / "nope.yaml", "--to", new)
    assert result.exit_code == 2
    assert "template file not found" in result.output and "nope.yaml" in result.output
    _no_traceback(result.output)


def test_broken_template_is_an_input_error_with_its_line(invoke, files, tmp_path) -> None:
    old, _ = files(OLD, NEW)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n "Resources": {\n  "Q": {"Type": "AWS::SQS::Queue",}\n }\n}\n', encoding="utf-8")
    result = invoke("diff", "--from", old, "--to", broken)
    assert result.exit_code == 2
    assert "broken.json" in result.output and "3" in result.output
    _no_traceback(result.output)


def test_template_that_is_not_a_mapping_is_an_input_error(invoke, files, tmp_path) -> None:
    old, _ = files(OLD, NEW)
    listed = tmp_path / "list.yaml"
    listed.write_text("- just\n- a list\n", encoding="utf-8")
    result = invoke("diff", "--from", old, "--to", listed)
    assert result.exit_code == 2
    _no_traceback(result.output)


def test_real_process_from_to_with_fail(run_iac, files) -> None:
    old, new = files(OLD, NEW)
    completed = run_iac("diff", "--from", old, "--to", new, "--fail")
    assert completed.returncode == 1, completed.stderr
    assert "[~] AWS::DynamoDB::Table Table  replace" in ANSI.sub("", completed.stdout)
    assert _summary(completed.stdout) == (1, 2, 1, 1)
    missing = run_iac("diff", "--from", old, "--to", "missing.json")
    assert missing.returncode == 2
    assert "template file not found" in missing.stderr
    _no_traceback(completed.stdout, completed.stderr, missing.stdout, missing.stderr)


# -- the app against an assembly ------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthesized_hello(tmp_path_factory, hello_app_path) -> Path:
    """The hello sample copied into a folder and synthesized once by the real `iac synth`."""
    import subprocess
    import sys

    folder = tmp_path_factory.mktemp("hello")
    shutil.copy(hello_app_path, folder / "app.py")
    completed = subprocess.run([sys.executable, "-m", "iac", "synth", "--no-lint", "-q"], cwd=folder,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert (folder / "iac.out" / "manifest.json").is_file()
    return folder


@pytest.fixture(scope="module")
def hello_app_path() -> Path:
    return Path(__file__).resolve().parents[2] / "samples" / "hello" / "app.py"


@pytest.fixture
def hello(synthesized_hello: Path, tmp_path: Path) -> Path:
    """tmp_path holding app.py and its iac.out (a fresh copy per test)."""
    shutil.copy(synthesized_hello / "app.py", tmp_path / "app.py")
    shutil.copytree(synthesized_hello / "iac.out", tmp_path / "iac.out")
    return tmp_path


def _edit_app(folder: Path, old: str, new: str) -> None:
    app = folder / "app.py"
    text = app.read_text(encoding="utf-8")
    assert old in text
    app.write_text(text.replace(old, new), encoding="utf-8")


def test_default_mode_without_edits_has_no_changes(invoke, hello) -> None:
    result = invoke("diff", "--fail")
    assert result.exit_code == 0, result.output
    assert "Stack Network\n  no changes" in result.stdout
    assert "Stack Service\n  no changes" in result.stdout


def test_default_mode_shows_an_edit_and_does_not_touch_the_assembly(invoke, hello, tree_digest) -> None:
    before = tree_digest(hello / "iac.out")
    _edit_app(hello, 'visibility_timeout=60', 'visibility_timeout=120')
    result = invoke("diff")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "[~] AWS::SQS::Queue Queue (Network/Queue)" in out
    assert "~ VisibilityTimeout: 60 → 120" in out
    assert "Stack Service\n  no changes" in out
    assert _summary(out) == (0, 1, 0, 0)
    assert tree_digest(hello / "iac.out") == before
    assert sorted(p.name for p in hello.iterdir()) == ["app.py", "iac.out"]


def test_default_mode_replacement_follows_into_the_topic_and_the_other_stack(invoke, hello) -> None:
    _edit_app(hello, 'visibility_timeout=60', 'visibility_timeout=60, queue_name="orders"')
    data = json.loads(invoke("diff", "--json").stdout)
    stacks = {s["StackName"]: s for s in data["stacks"]}
    network = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in stacks["Network"]["Changes"]}
    assert network["Queue"]["Replacement"] == "True"
    [topic_detail] = network["Topic"]["Details"]
    assert (topic_detail["Evaluation"], topic_detail["ChangeSource"], topic_detail["CausingEntity"]) == (
        "Dynamic", "ResourceAttribute", "Queue.QueueName")
    # Service imports the queue's Arn: the export changes while in use
    assert any(f["kind"] == "deployability" and "Service" in f["message"] for f in stacks["Network"]["Findings"])


def test_default_mode_with_a_stack_name_shows_only_that_stack(invoke, hello) -> None:
    _edit_app(hello, 'visibility_timeout=60', 'visibility_timeout=61')
    out = invoke("diff", "Service").stdout
    assert "Stack Service" in out and "Stack Network" not in out
    unknown = invoke("diff", "Nope")
    assert unknown.exit_code == 2 and "no stack matches 'Nope'" in unknown.output


def test_default_mode_without_an_assembly_is_all_adds(invoke, hello) -> None:
    shutil.rmtree(hello / "iac.out")
    result = invoke("diff")
    assert result.exit_code == 0, result.output
    assert "[+] AWS::SQS::Queue Queue (Network/Queue)" in result.stdout
    assert _summary(result.stdout) == (3, 0, 0, 0)
    assert not (hello / "iac.out").exists()


def test_stack_removed_from_the_app_is_all_removes(invoke, hello) -> None:
    app = hello / "app.py"
    text = app.read_text(encoding="utf-8")
    app.write_text(text[:text.index("service = Stack")] + "app.synth()\n", encoding="utf-8")
    result = invoke("diff")
    assert result.exit_code == 0, result.output
    assert "Stack Service\nResources\n[-] AWS::SNS::Subscription Sub (Service/Sub)" in result.stdout
    assert _summary(result.stdout) == (0, 0, 0, 1)


def test_out_option_names_the_baseline_assembly(invoke, hello) -> None:
    (hello / "iac.out").rename(hello / "build")
    _edit_app(hello, 'visibility_timeout=60', 'visibility_timeout=75')
    result = invoke("diff", "--out", "build")
    assert _summary(result.stdout) == (0, 1, 0, 0)


def test_against_another_assembly(invoke, hello, tree_digest) -> None:
    shutil.copytree(hello / "iac.out", hello / "main.out")
    _edit_app(hello, 'visibility_timeout=60', 'visibility_timeout=61')
    assert invoke("synth", "--no-lint", "-q").exit_code == 0  # iac.out now has the edit
    before = tree_digest(hello / "main.out")
    against = invoke("diff", "--against", "main.out", "--fail")
    assert against.exit_code == 1
    assert "~ VisibilityTimeout: 60 → 61" in against.stdout
    assert tree_digest(hello / "main.out") == before
    assert invoke("diff", "--fail").exit_code == 0  # against the fresh iac.out: nothing


def test_against_a_folder_that_is_not_an_assembly_is_an_input_error(invoke, hello) -> None:
    (hello / "junk").mkdir()
    (hello / "junk" / "notes.txt").write_text("x", encoding="utf-8")
    result = invoke("diff", "--against", "junk")
    assert result.exit_code == 2
    assert "not a cloud assembly" in result.output
    _no_traceback(result.output)


def test_against_a_folder_that_does_not_exist_is_an_input_error(invoke, hello) -> None:
    result = invoke("diff", "--against", "mian.out")
    assert result.exit_code == 2
    assert "--against mian.out: no such assembly directory" in result.output
    _no_traceback(result.output)


def test_template_file_against_one_stack(invoke, hello) -> None:
    baseline = json.loads((hello / "iac.out" / "Network.template.json").read_text(encoding="utf-8"))
    baseline["Resources"]["Queue"]["Properties"]["VisibilityTimeout"] = 30
    (hello / "deployed.yaml").write_text(to_yaml(baseline), encoding="utf-8")
    result = invoke("diff", "Network", "--template", "deployed.yaml")
    assert result.exit_code == 0, result.output
    assert "Stack Network" in result.stdout and "Stack Service" not in result.stdout
    assert "~ VisibilityTimeout: 30 → 60" in result.stdout


def test_template_file_needs_exactly_one_stack(invoke, hello) -> None:
    (hello / "deployed.json").write_text(json.dumps({"Resources": {}}), encoding="utf-8")
    result = invoke("diff", "--template", "deployed.json")
    assert result.exit_code == 2
    assert "--template compares one stack; 2 selected" in result.output
    _no_traceback(result.output)


def test_template_with_against_is_a_usage_error(invoke, hello) -> None:
    (hello / "deployed.json").write_text(json.dumps({"Resources": {}}), encoding="utf-8")
    result = invoke("diff", "Network", "--template", "deployed.json", "--against", "iac.out")
    assert result.exit_code == 2
    _no_traceback(result.output)


def test_real_process_default_mode_with_a_yaml_assembly(run_iac, hello, tree_digest) -> None:
    assert run_iac("synth", "--no-lint", "-q", "--format", "yaml").returncode == 0
    assert (hello / "iac.out" / "Network.template.yaml").is_file()
    before = tree_digest(hello / "iac.out")
    _edit_app(hello, 'visibility_timeout=60', 'visibility_timeout=90')
    completed = run_iac("diff", "--fail")
    assert completed.returncode == 1, completed.stderr
    assert "~ VisibilityTimeout: 60 → 90" in ANSI.sub("", completed.stdout)
    assert tree_digest(hello / "iac.out") == before
    _no_traceback(completed.stdout, completed.stderr)


def test_colour_on_a_terminal(files, monkeypatch) -> None:
    from click.testing import CliRunner

    from iac.cli import cli

    monkeypatch.setattr("iac.cli.diff_command.use_color", lambda stream: True)
    old, new = files(OLD, NEW)
    result = CliRunner().invoke(cli, ["diff", "--from", str(old), "--to", str(new)], color=True)
    assert result.exit_code == 0
    assert "\x1b[" in result.stdout
    plain = ANSI.sub("", result.stdout)
    assert "[~] AWS::DynamoDB::Table Table  replace" in plain
    assert _summary(plain) == (1, 2, 1, 1)
