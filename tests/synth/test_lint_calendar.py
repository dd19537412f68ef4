"""cfn-lint's runtime rules judge by iac's calendar (IAC_TODAY), and the lint cache's key carries the day.

cfn-lint asks `datetime.today()` for a Lambda runtime's deprecation and block dates; left alone, a template
linted by `iac validate` would be judged by the machine's clock while iac's own rules use IAC_TODAY, and a
cached result from yesterday would stand today."""

from __future__ import annotations

import datetime

import pytest

from iac.constructs import awslambda
from iac.synth.lint import lint_template
from iac.synth.lint_cache import lint_context

TEMPLATE = """Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "exports.handler = async () => 1"}
"""


def runtime_rule_ids() -> list[str]:
    return [finding.rule_id for finding in lint_template(TEMPLATE, "us-east-1") if finding.rule_id.startswith("E253")
            or finding.rule_id == "W2531"]


@pytest.mark.parametrize(("day_of", "expected"), [
    ("before", []), ("deprecated", ["W2531"]), ("create_block", ["E2531"]), ("update_block", ["E2533"])])
def test_cfn_lints_runtime_rules_read_iacs_date(monkeypatch: pytest.MonkeyPatch, day_of: str,
                                                 expected: list[str]) -> None:
    lifecycle = awslambda.runtime_lifecycle("nodejs20.x")
    assert lifecycle is not None and lifecycle.deprecated and lifecycle.create_block and lifecycle.update_block
    day = {"before": lifecycle.deprecated - datetime.timedelta(days=1), "deprecated": lifecycle.deprecated,
           "create_block": lifecycle.create_block, "update_block": lifecycle.update_block}[day_of]
    monkeypatch.setenv("IAC_TODAY", day.isoformat())
    assert runtime_rule_ids() == expected


def test_the_lint_context_changes_with_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAC_TODAY", "2027-07-01")
    first = lint_context()
    monkeypatch.setenv("IAC_TODAY", "2027-07-02")
    assert lint_context() != first
    assert lint_context().endswith(":day 2027-07-02")
