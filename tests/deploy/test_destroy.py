"""What destroying a stack leaves behind: resources kept (or snapshotted) by their deletion policy."""

from __future__ import annotations

from iac.deploy.destroy import retained_resources


def test_retained_and_snapshotted_resources_are_listed_with_their_physical_ids() -> None:
    template = {"Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain"},
        "Logs": {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "RetainExceptOnCreate"},
        "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-postgresql"}},
        "Queue": {"Type": "AWS::SQS::Queue"},
        "Gone": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete"},
    }}
    kept = retained_resources(template, {"Table": "orders", "Db": "db-cluster-1"})
    assert [(k.logical_id, k.policy, k.physical_id) for k in kept] == [
        ("Table", "Retain", "orders"), ("Logs", "RetainExceptOnCreate", None), ("Db", "Snapshot", "db-cluster-1")]


def test_a_stack_without_a_template_keeps_nothing() -> None:
    assert retained_resources(None, {}) == []
