"""The checks inside synth and validate: findings at the user's line, severity deciding the exit,
[tool.iac.checks] honoured, suppressions in template files honoured, --list-rules."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from click.testing import CliRunner

import iac
from iac import App, CfnResource, Stack, ValidationError
from iac.checks import all_rules
from iac.cli.main import cli
from iac.synth import synthesize_app
from iac.synth.template_files import validate_files

HERE = str(Path(__file__).resolve())


def public_database(stack: Stack) -> tuple[CfnResource, int]:
    line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    database = CfnResource(stack, "Db", type="AWS::RDS::DBInstance", properties={
        "Engine": "postgres", "DBInstanceClass": "db.t4g.micro", "AllocatedStorage": "20",
        "MasterUsername": "app", "ManageMasterUserPassword": True, "StorageEncrypted": True,
        "DeletionProtection": True, "PubliclyAccessible": True})
    return database, line


def test_an_error_finding_fails_synth_at_the_users_line() -> None:
    app = App()
    _, line = public_database(Stack(app, "Data"))
    with pytest.raises(ValidationError) as raised:
        synthesize_app(app, lint=False)
    (problem,) = [p for p in raised.value.problems if getattr(p, "code", None) == "IAC-RDS-002"]
    assert problem.path == "Data/Db"
    assert problem.location is not None and (problem.location.file, problem.location.line) == (HERE, line)
    assert problem.hint is not None and "PubliclyAccessible: false" in problem.hint


def test_a_suppressed_error_lets_synth_pass() -> None:
    app = App()
    database, _ = public_database(Stack(app, "Data"))
    iac.suppress(database, "IAC-RDS-002", reason="a read replica for a partner's BI tool, behind an IP allow list")
    assembly = synthesize_app(app, lint=False)
    assert [getattr(p, "code", None) for p in assembly.warnings] == []


def test_a_warning_is_kept_and_fails_with_strict() -> None:
    app = App()
    CfnResource(Stack(app, "Logs"), "Group", type="AWS::Logs::LogGroup")
    assembly = synthesize_app(app, lint=False)
    assert [getattr(p, "code", None) for p in assembly.warnings] == ["IAC-LOGS-001"]
    with pytest.raises(ValidationError, match="IAC-LOGS-001|no retention|forever"):
        synthesize_app(app, lint=False, strict=True)


def test_the_projects_pyproject_turns_a_pack_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.iac.checks]\nlogging = false\n")
    monkeypatch.chdir(tmp_path)
    app = App()
    CfnResource(Stack(app, "Logs"), "Group", type="AWS::Logs::LogGroup")
    assert synthesize_app(app, lint=False, strict=True).warnings == []


def test_validate_file_reports_a_finding_at_its_line_and_honours_its_suppressions(tmp_path: Path) -> None:
    template = tmp_path / "logs.yaml"
    template.write_text(
        "Resources:\n"
        "  Kept:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    Metadata:\n"
        "      iac:suppress:\n"
        "        - {id: IAC-LOGS-001, reason: audit trail kept for good}\n"
        "  Forgotten:\n"
        "    Type: AWS::Logs::LogGroup\n")
    report = validate_files([str(template)], region=None, lint=False, strict=False)
    assert report.errors == []
    (warning,) = report.warnings
    assert warning.code == "IAC-LOGS-001" and warning.property_path == "Resources.Forgotten"
    assert warning.location is not None and warning.location.line == 7


def test_list_rules_prints_every_rule() -> None:
    result = CliRunner().invoke(cli, ["validate", "--list-rules"])
    assert result.exit_code == 0, result.output
    for rule in all_rules():
        assert any(line.split()[:2] == [rule.id, rule.severity] for line in result.output.splitlines())


def test_validate_says_how_many_findings_are_suppressed(tmp_path: Path) -> None:
    template = tmp_path / "audit.yaml"
    template.write_text("Resources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Metadata:\n      iac:suppress:\n"
                        "        - {id: IAC-LOGS-001, reason: audit logs are kept for good}\n")
    result = CliRunner().invoke(cli, ["validate", "--no-lint", "--strict", str(template)])
    assert (result.exit_code, result.stdout) == (0, "1 template valid (1 finding suppressed)\n")
