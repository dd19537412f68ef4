"""[tool.iac.checks] in pyproject.toml turns rules and packs off (or on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac.checks import project_selection, rule_by_id, run_checks, selection_from
from iac.errors import UsageError

TWO_FINDINGS = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"}, "Topic": {"Type": "AWS::SNS::Topic"}}}


def found(selection: object) -> list[str]:
    return [r.rule.id for r in run_checks(TWO_FINDINGS, selection)]  # type: ignore[arg-type]


def test_every_rule_runs_by_default() -> None:
    assert found(selection_from({})) == ["IAC-LOGS-001", "IAC-SNS-001"]


def test_a_rule_can_be_turned_off() -> None:
    assert found(selection_from({"IAC-SNS-001": False})) == ["IAC-LOGS-001"]


def test_a_pack_can_be_turned_off_and_one_of_its_rules_back_on() -> None:
    assert found(selection_from({"storage": False, "logging": False})) == []
    assert found(selection_from({"storage": False, "IAC-SNS-001": True})) == ["IAC-LOGS-001", "IAC-SNS-001"]


def test_an_unknown_name_is_refused_with_did_you_mean() -> None:
    with pytest.raises(UsageError) as raised:
        selection_from({"IAC-SNS-01": False}, source="pyproject.toml")
    assert "pyproject.toml" in raised.value.message
    assert raised.value.hint == "did you mean 'IAC-SNS-001'?"


def test_a_value_must_be_true_or_false() -> None:
    with pytest.raises(UsageError, match="must be true or false"):
        selection_from({"logging": "off"})


def test_the_working_directorys_pyproject_decides(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.iac]\napp = "app.py"\n\n[tool.iac.checks]\nlogging = false\n')
    selection = project_selection(str(tmp_path))
    logs = rule_by_id("IAC-LOGS-001")
    sns = rule_by_id("IAC-SNS-001")
    assert logs is not None and sns is not None
    assert not selection.enabled(logs) and selection.enabled(sns)


def test_no_pyproject_runs_every_rule(tmp_path: Path) -> None:
    assert project_selection(str(tmp_path)).settings == {}
