"""`iac validate --format json|sarif`: every problem as a document, the SARIF one valid against the
SARIF 2.1.0 schema (OASIS, tests/checks/sarif-schema-2.1.0.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from iac.checks import all_rules
from iac.cli.main import cli

SCHEMA = json.loads((Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

TEMPLATE = """\
Parameters:
  Password:
    Type: String
    NoEcho: true
    Default: correct-horse-battery
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.micro
      AllocatedStorage: "20"
      MasterUsername: app
      ManageMasterUserPassword: true
      StorageEncrypted: true
      DeletionProtection: true
      PubliclyAccessible: true
"""

APP = """\
from iac import App, CfnResource, Stack

app = App()
stack = Stack(app, "Logging")
CfnResource(stack, "Group", type="AWS::Logs::LogGroup")
app.synth()
"""


def run(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(cli, ["validate", "--no-lint", *args])
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "stack.yaml").write_text(TEMPLATE)
    return "stack.yaml"


def test_json_lists_every_problem_with_rule_severity_and_place(template: str) -> None:
    status, document = run("--format", "json", template)
    assert status == 1
    assert (document["valid"], document["errors"], document["warnings"]) == (False, 1, 2)
    by_rule = {problem["rule"]: problem for problem in document["problems"]}
    assert set(by_rule) == {"IAC-RDS-002", "IAC-LOGS-001", "IAC-SECRET-001"}
    database = by_rule["IAC-RDS-002"]
    assert (database["severity"], database["logical_id"], database["file"], database["line"]) == (
        "error", "Db", "stack.yaml", 19)


def test_json_of_an_app_names_the_stack_and_the_construct(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(APP)
    status, document = run("--format", "json")
    assert status == 0
    (problem,) = document["problems"]
    assert (problem["rule"], problem["stack"], problem["logical_id"], problem["construct_path"]) == (
        "IAC-LOGS-001", "Logging", "Group", "Logging/Group")
    assert (problem["file"], problem["line"]) == ("app.py", 5)


def test_sarif_validates_against_the_sarif_2_1_0_schema(template: str) -> None:
    status, document = run("--format", "sarif", template)
    assert status == 1
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    (sarif_run,) = document["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert {rule.id for rule in all_rules()} <= {descriptor["id"] for descriptor in rules}
    levels = {result["ruleId"]: result["level"] for result in sarif_run["results"]}
    assert levels == {"IAC-RDS-002": "error", "IAC-LOGS-001": "warning", "IAC-SECRET-001": "warning"}
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stack.yaml"


def test_sarif_with_strict_makes_warnings_errors(template: str) -> None:
    _, document = run("--format", "sarif", "--strict", template)
    jsonschema.Draft4Validator(SCHEMA).validate(document)
    assert {result["level"] for result in document["runs"][0]["results"]} == {"error"}


def test_no_document_holds_the_secret(template: str) -> None:
    for format_ in ("json", "sarif"):
        result = CliRunner().invoke(cli, ["validate", "--no-lint", "--format", format_, template])
        assert "correct-horse" not in result.stdout


SUPPRESSED = """\
Resources:
  AuditLogs:
    Type: AWS::Logs::LogGroup
    Metadata:
      iac:suppress:
        - {id: IAC-LOGS-001, reason: audit logs are kept for good}
"""


def test_json_and_sarif_show_suppressed_findings_with_their_reason(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "audit.yaml").write_text(SUPPRESSED)
    status, document = run("--format", "json", "audit.yaml")
    assert (status, document["problems"]) == (0, [])
    (entry,) = document["suppressed"]
    assert (entry["rule"], entry["logical_id"], entry["reason"], entry["line"]) == (
        "IAC-LOGS-001", "AuditLogs", "audit logs are kept for good", 2)
    status, sarif = run("--format", "sarif", "audit.yaml")
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    (result,) = sarif["runs"][0]["results"]
    assert result["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                       "justification": "audit logs are kept for good"}]


def test_info_findings_are_notes_not_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kept.yaml").write_text("Resources:\n  Kept:\n    Type: AWS::S3::Bucket\n    DeletionPolicy: Retain\n"
                                        "    Properties:\n      BucketEncryption:\n"
                                        "        ServerSideEncryptionConfiguration:\n"
                                        "          - ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}\n")
    status, document = run("--format", "json", "kept.yaml")
    assert "IAC-S3-004" not in {problem["rule"] for problem in document["problems"]}
    assert [note["rule"] for note in document["notes"]] == ["IAC-S3-004"]
    _, sarif = run("--format", "sarif", "kept.yaml")
    jsonschema.Draft4Validator(SCHEMA).validate(sarif)
    assert {r["level"] for r in sarif["runs"][0]["results"] if r["ruleId"] == "IAC-S3-004"} == {"note"}


SUPPRESSED_APP = """\
import iac
from iac import App, CfnResource, Stack

app = App()
stack = Stack(app, "Logging")
iac.suppress(CfnResource(stack, "Group", type="AWS::Logs::LogGroup"), "IAC-LOGS-001", reason="audit")
CfnResource(stack, "Db", type="AWS::RDS::DBInstance", properties={"PubliclyAccessible": True})
app.synth()
"""


def test_validate_of_an_app_lists_its_suppressed_findings_also_when_it_fails(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(SUPPRESSED_APP.replace('CfnResource(stack, "Db"', '# CfnResource(stack, "Db"'))
    result = CliRunner().invoke(cli, ["validate", "--no-lint"])
    assert (result.exit_code, result.stdout) == (0, "1 stack valid (1 finding suppressed)\n")
    (tmp_path / "app.py").write_text(SUPPRESSED_APP)
    status, document = run("--format", "json")
    assert status == 1
    assert "IAC-RDS-002" in {problem["rule"] for problem in document["problems"]}
    (entry,) = document["suppressed"]
    assert (entry["rule"], entry["logical_id"], entry["reason"]) == ("IAC-LOGS-001", "Group", "audit")
