"""Merging CloudFormation's change set into iac's diff: where both speak, CloudFormation's word wins.

The change-set entries are written from DescribeChangeSet's documented shape (Action, Replacement,
Scope, Details with Target/Evaluation/ChangeSource/CausingEntity, PolicyAction): moto returns only
Action, LogicalResourceId and ResourceType.
"""

from __future__ import annotations

from typing import Any

from iac.deploy.live_diff import merge_change_set
from iac.synth.diff import diff_templates

TABLE_PROPS = {"BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "pk",
                                                                           "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}


def _table(**extra: Any) -> dict[str, Any]:
    return {"Type": "AWS::DynamoDB::Table", "Properties": {**TABLE_PROPS, **extra}}


def _entry(logical_id: str, action: str, resource_type: str, **fields: Any) -> dict[str, Any]:
    return {"Type": "Resource", "ResourceChange": {"Action": action, "LogicalResourceId": logical_id,
                                                   "ResourceType": resource_type, **fields}}


OLD = {"Resources": {"Table": _table(TableName="orders"),
                     "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}}}
NEW = {"Resources": {"Table": _table(TableName="orders", SSESpecification={"SSEEnabled": True}),
                     "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 90}}}}


def test_cloudformations_replacement_wins_and_the_disagreement_is_said() -> None:
    predicted = diff_templates(OLD, NEW, stack="Data", region="us-east-1")
    table = next(c for c in predicted.resources if c.logical_id == "Table")
    assert table.replacement == "False" and not predicted.findings
    changes = [
        _entry("Table", "Modify", "AWS::DynamoDB::Table", Replacement="True", Scope=["Properties"],
               PolicyAction="ReplaceAndDelete",
               Details=[{"Target": {"Attribute": "Properties", "Name": "SSESpecification", "RequiresRecreation":
                                    "Always"}, "Evaluation": "Static", "ChangeSource": "DirectModification"}]),
        _entry("Queue", "Modify", "AWS::SQS::Queue", Replacement="False"),
    ]
    merged = merge_change_set(predicted, changes, OLD, NEW).diff
    table = next(c for c in merged.resources if c.logical_id == "Table")
    assert table.replacement == "True" and table.policy_action == "ReplaceAndDelete"
    assert "CloudFormation: replacement True (iac predicted False)" in table.reasons
    assert [(d.target.name, d.target.requires_recreation) for d in table.details] == [("SSESpecification", "Always")]
    assert table.details[0].after == {"SSEEnabled": True}  # iac's own value where the change set has none
    assert table.data_at_risk
    assert [f.kind for f in merged.findings] == ["data-at-risk"]


def test_a_change_only_cloudformation_sees_is_added() -> None:
    predicted = diff_templates(OLD, OLD, stack="Data", region="us-east-1")
    changes = [_entry("Queue", "Modify", "AWS::SQS::Queue", Replacement="False", Details=[
        {"Target": {"Attribute": "Properties", "Name": "VisibilityTimeout", "RequiresRecreation": "Never"},
         "Evaluation": "Dynamic", "ChangeSource": "ParameterReference", "CausingEntity": "Timeout"}])]
    merged = merge_change_set(predicted, changes, OLD, OLD).diff
    [queue] = merged.resources
    assert (queue.action, queue.resource_type, queue.replacement) == ("Modify", "AWS::SQS::Queue", "False")
    assert queue.reasons == ["CloudFormation: Modify (iac predicted no change)"]
    assert queue.details[0].causing_entity == "Timeout"


def test_a_predicted_change_cloudformation_does_not_list_is_dropped_and_named() -> None:
    predicted = diff_templates(OLD, NEW, stack="Data", region="us-east-1")
    merged = merge_change_set(predicted, [_entry("Queue", "Modify", "AWS::SQS::Queue")], OLD, NEW)
    assert [c.logical_id for c in merged.diff.resources] == ["Queue"]
    assert merged.unconfirmed == ("Table",)


def test_entries_that_carry_only_what_moto_gives_keep_iacs_details() -> None:
    predicted = diff_templates(OLD, NEW, stack="Data", region="us-east-1")
    changes = [_entry("Queue", "Modify", "AWS::SQS::Queue"), _entry("Table", "Modify", "AWS::DynamoDB::Table")]
    merged = merge_change_set(predicted, changes, OLD, NEW).diff
    queue = next(c for c in merged.resources if c.logical_id == "Queue")
    assert queue.replacement == "False" and [d.target.name for d in queue.details] == ["VisibilityTimeout"]
    assert not queue.reasons
