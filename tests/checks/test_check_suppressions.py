"""Suppressions: iac.suppress writes them into the template, run_checks honours them, and a
suppression that matches nothing (or is malformed) is a finding itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import iac
from iac import App, CfnResource, ConstructError, Parameter, Stack
from iac.checks import SUPPRESS_KEY, run_checks
from iac.synth import synthesize

HERE = str(Path(__file__).resolve())


def log_group(stack: Stack, id: str = "Logs", **properties: Any) -> CfnResource:
    return CfnResource(stack, id, type="AWS::Logs::LogGroup", properties=properties)


def template_of(app: App, stack: str = "S") -> dict[str, Any]:
    (artifact,) = [a for a in synthesize(app).stacks if a.name == stack]
    found: dict[str, Any] = artifact.template
    return found


def results(app: App) -> list[tuple[str, str | None]]:
    return [(r.rule.id, r.suppressed_by) for r in run_checks(template_of(app))]


def test_suppress_writes_the_reason_into_the_resources_metadata() -> None:
    app = App()
    logs = log_group(Stack(app, "S"))
    iac.suppress(logs, "IAC-LOGS-001", reason="kept forever for audit")
    entry = template_of(app)["Resources"]["Logs"]
    assert entry["Metadata"][SUPPRESS_KEY] == [{"id": "IAC-LOGS-001", "reason": "kept forever for audit"}]
    assert results(app) == [("IAC-LOGS-001", "kept forever for audit")]


def test_suppress_on_a_construct_covers_every_resource_below_it() -> None:
    app = App()
    stack = Stack(app, "S")
    group = iac.Construct(stack, "Group")
    log_group(group, "A")
    log_group(group, "B")
    iac.suppress(group, "IAC-LOGS-001", reason="audit")
    assert results(app) == [("IAC-LOGS-001", "audit"), ("IAC-LOGS-001", "audit")]


def test_suppress_on_a_stack_goes_into_the_templates_metadata() -> None:
    app = App()
    stack = Stack(app, "S")
    log_group(stack)
    iac.suppress(stack, "IAC-LOGS-001", reason="audit")
    assert template_of(app)["Metadata"][SUPPRESS_KEY] == [{"id": "IAC-LOGS-001", "reason": "audit"}]
    assert results(app) == [("IAC-LOGS-001", "audit")]


def test_suppress_on_a_parameter_targets_it_in_the_templates_metadata() -> None:
    app = App()
    stack = Stack(app, "S")
    log_group(stack, RetentionInDays=30)
    secret = Parameter(stack, "Token", type="String", no_echo=True, default="not-a-real-one")
    iac.suppress(secret, "IAC-SECRET-001", reason="a placeholder the deploy overrides")
    metadata = template_of(app)["Metadata"][SUPPRESS_KEY]
    assert metadata == [{"id": "IAC-SECRET-001", "reason": "a placeholder the deploy overrides", "target": "Token"}]
    assert results(app) == [("IAC-SECRET-001", "a placeholder the deploy overrides")]


def test_a_suppression_that_matches_nothing_is_a_warning() -> None:
    app = App()
    logs = log_group(Stack(app, "S"), RetentionInDays=30)
    iac.suppress(logs, "IAC-LOGS-001", reason="audit")
    (result,) = run_checks(template_of(app))
    assert (result.rule.id, result.rule.severity) == ("IAC-CHECK-001", "warning")
    assert result.finding.path == ("Resources", "Logs", "Metadata", SUPPRESS_KEY, 0)
    assert "IAC-LOGS-001" in result.finding.message and "'audit'" in result.finding.message


def test_one_suppress_call_over_several_resources_warns_once_when_none_matched() -> None:
    app = App()
    group = iac.Construct(Stack(app, "S"), "Group")
    log_group(group, "A", RetentionInDays=30)
    log_group(group, "B", RetentionInDays=30)
    iac.suppress(group, "IAC-LOGS-001", reason="audit")
    messages = [r.finding.message for r in run_checks(template_of(app))]
    assert len(messages) == 1 and "and 1 more" in messages[0]


def test_a_suppression_needs_a_reason() -> None:
    app = App()
    logs = log_group(Stack(app, "S"))
    with pytest.raises(ConstructError) as raised:
        iac.suppress(logs, "IAC-LOGS-001", reason="  ")
    assert raised.value.path == "S/Logs"
    assert raised.value.location is not None and raised.value.location.file == HERE


def test_a_misspelt_rule_id_is_refused_with_did_you_mean() -> None:
    app = App()
    logs = log_group(Stack(app, "S"))
    with pytest.raises(ConstructError) as raised:
        iac.suppress(logs, "IAC-LOG-001", reason="audit")
    assert raised.value.hint == "did you mean 'IAC-LOGS-001'?"
    assert raised.value.location is not None and raised.value.location.file == HERE


def test_a_template_suppression_without_a_reason_is_ignored_and_said() -> None:
    loaded = {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup",
                                     "Metadata": {SUPPRESS_KEY: [{"id": "IAC-LOGS-001"}]}}}}
    assert sorted((r.rule.id, r.suppressed_by) for r in run_checks(loaded)) == [
        ("IAC-CHECK-002", None), ("IAC-LOGS-001", None)]


def test_a_template_level_suppression_with_a_target_covers_that_entry_only() -> None:
    loaded = {"Metadata": {SUPPRESS_KEY: [{"id": "IAC-LOGS-001", "reason": "audit", "target": "A"}]},
              "Resources": {"A": {"Type": "AWS::Logs::LogGroup"}, "B": {"Type": "AWS::Logs::LogGroup"}}}
    assert [(r.finding.path[1], r.suppressed_by) for r in run_checks(loaded)] == [("A", "audit"), ("B", None)]


def test_a_constructs_accepted_finding_is_written_only_when_the_rule_finds_it() -> None:
    from iac.checks.suppress import accept_finding

    app = App()
    stack = Stack(app, "S")
    kept = CfnResource(stack, "Kept", type="AWS::S3::Bucket", deletion_policy="Retain")
    scratch = CfnResource(stack, "Scratch", type="AWS::S3::Bucket", deletion_policy="Delete")
    for bucket in (kept, scratch):
        accept_finding(bucket, "IAC-S3-004", reason="artifacts a rerun rebuilds")
    resources = template_of(app)["Resources"]
    assert resources["Kept"]["Metadata"][SUPPRESS_KEY] == [{"id": "IAC-S3-004", "reason": "artifacts a rerun rebuilds"}]
    assert SUPPRESS_KEY not in resources["Scratch"].get("Metadata", {})
