"""Replacement from the registry schemas: createOnly (Always), conditionalCreateOnly (Conditionally),
nested create-only paths, ordinary properties (Never), read-only properties (ignored)."""

from __future__ import annotations

import pytest
from diff_helpers import (
    change_of,
    detail_at,
    diff,
    edited,
    function,
    props,
    resource,
    table,
    template,
    vpc,
)

from iac.errors import UsageError
from iac.specs import resource_schema


def test_schema_facts_used_below_hold() -> None:
    """The tests below lean on these registry facts; if cfn-lint's schemas change, start here."""
    assert "/properties/TableName" in resource_schema("AWS::DynamoDB::Table").create_only
    assert "/properties/KeySchema" in resource_schema("AWS::DynamoDB::Table").conditional_create_only
    assert "/properties/CidrBlock" in resource_schema("AWS::EC2::VPC").create_only
    assert "/properties/InstanceTenancy" in resource_schema("AWS::EC2::VPC").conditional_create_only
    assert "/properties/HealthCheckConfig/Type" in resource_schema("AWS::Route53::HealthCheck").create_only
    assert "/properties/HealthCheckConfig" not in resource_schema("AWS::Route53::HealthCheck").create_only
    assert "/properties/ReplicationInfoList/*/SourceKafkaClusterArn" in resource_schema(
        "AWS::MSK::Replicator").create_only
    assert "Arn" in resource_schema("AWS::DynamoDB::Table").read_only_roots


def test_create_only_table_name_change_is_replacement_true() -> None:
    change = change_of(diff(template({"T": table("orders")}), template({"T": table("orders-v2")})), "T")
    assert change.replacement == "True"
    assert detail_at(change, "/Properties/TableName").target.requires_recreation == "Always"
    assert change.reasons == ["replace: create-only property TableName changed"]
    assert change.policy_action == "ReplaceAndDelete"


def test_create_only_vpc_cidr_change_is_replacement_true() -> None:
    change = change_of(diff(template({"Vpc": vpc("10.0.0.0/16")}), template({"Vpc": vpc("10.1.0.0/16")})), "Vpc")
    assert change.replacement == "True"
    assert "create-only property CidrBlock" in change.reasons[0]


def test_setting_a_create_only_property_that_was_absent_replaces() -> None:
    change = change_of(diff(template({"T": table()}), template({"T": table("orders")})), "T")
    assert change.replacement == "True"


def test_ordinary_property_lambda_memory_size_is_replacement_false() -> None:
    change = change_of(diff(template({"Fn": function(128)}), template({"Fn": function(256)})), "Fn")
    assert change.replacement == "False"
    assert detail_at(change, "/Properties/MemorySize").target.requires_recreation == "Never"
    assert change.reasons == [] and change.policy_action is None


def test_conditional_create_only_property_is_replacement_conditional() -> None:
    change = change_of(diff(template({"Vpc": vpc(InstanceTenancy="default")}),
                            template({"Vpc": vpc(InstanceTenancy="dedicated")})), "Vpc")
    assert change.replacement == "Conditional"
    assert detail_at(change, "/Properties/InstanceTenancy").target.requires_recreation == "Conditionally"
    assert change.reasons[0].startswith("may replace")
    assert change.is_replacement


def test_always_wins_over_conditionally_in_one_resource() -> None:
    old = template({"Vpc": vpc("10.0.0.0/16", InstanceTenancy="default")})
    new = template({"Vpc": vpc("10.1.0.0/16", InstanceTenancy="dedicated")})
    assert change_of(diff(old, new), "Vpc").replacement == "True"


def _health_check(**config: object) -> dict:
    return resource("AWS::Route53::HealthCheck", {"HealthCheckConfig": {
        "Type": "HTTPS", "FullyQualifiedDomainName": "example.com", "Port": 443, "ResourcePath": "/health",
        **config}})


def test_nested_create_only_path_change_replaces() -> None:
    change = change_of(diff(template({"Check": _health_check()}), template({"Check": _health_check(Type="HTTP")})),
                       "Check")
    assert change.replacement == "True"
    assert detail_at(change, "/Properties/HealthCheckConfig/Type").target.requires_recreation == "Always"
    assert "HealthCheckConfig/Type" in change.reasons[0]


def test_change_beside_a_nested_create_only_path_does_not_replace() -> None:
    change = change_of(diff(template({"Check": _health_check()}),
                            template({"Check": _health_check(ResourcePath="/ready")})), "Check")
    assert change.replacement == "False"
    assert detail_at(change, "/Properties/HealthCheckConfig").target.requires_recreation == "Never"


def _replicator(source_arn: str, topics: list[str]) -> dict:
    return resource("AWS::MSK::Replicator", {
        "ReplicatorName": "r", "ServiceExecutionRoleArn": "arn:aws:iam::1:role/r",
        "KafkaClusters": [],
        "ReplicationInfoList": [{
            "SourceKafkaClusterArn": source_arn, "TargetKafkaClusterArn": "arn:target",
            "TargetCompressionType": "NONE",
            "TopicReplication": {"TopicsToReplicate": topics},
            "ConsumerGroupReplication": {"ConsumerGroupsToReplicate": ["*"]},
        }],
    })


def test_nested_create_only_path_through_a_list_wildcard_replaces() -> None:
    change = change_of(diff(template({"R": _replicator("arn:a", ["t"])}),
                            template({"R": _replicator("arn:b", ["t"])})), "R")
    assert change.replacement == "True"


def test_change_beside_a_wildcard_create_only_path_does_not_replace() -> None:
    change = change_of(diff(template({"R": _replicator("arn:a", ["t"])}),
                            template({"R": _replicator("arn:a", ["t", "u"])})), "R")
    assert change.replacement == "False"


def test_nested_create_only_change_inside_fn_if_is_at_least_conditional() -> None:
    def check(kind: str) -> dict:
        return resource("AWS::Route53::HealthCheck", {"HealthCheckConfig": {"Fn::If": [
            "IsProd", {"Type": kind, "FullyQualifiedDomainName": "example.com", "Port": 443},
            {"Type": kind, "FullyQualifiedDomainName": "dev.example.com", "Port": 443}]}})
    change = change_of(diff(template({"Check": check("HTTPS")}), template({"Check": check("TCP")})), "Check")
    assert change.replacement in ("True", "Conditional")


def test_change_beside_a_nested_create_only_path_inside_fn_if_does_not_replace() -> None:
    def check(port: int) -> dict:
        return resource("AWS::Route53::HealthCheck", {"HealthCheckConfig": {"Fn::If": [
            "IsProd", {"Type": "HTTPS", "FullyQualifiedDomainName": "example.com", "Port": port},
            {"Type": "HTTPS", "FullyQualifiedDomainName": "dev.example.com", "Port": 443}]}})
    change = change_of(diff(template({"Check": check(443)}), template({"Check": check(8443)})), "Check")
    assert change.replacement == "False"


def test_nested_create_only_parent_becoming_computed_may_replace() -> None:
    old = template({"Check": _health_check()})
    new = template({"Check": resource("AWS::Route53::HealthCheck", {"HealthCheckConfig": {"Ref": "CheckConfig"}})})
    assert change_of(diff(old, new), "Check").replacement in ("True", "Conditional")


def test_read_only_property_change_is_ignored() -> None:
    old = template({"T": table("orders", Arn="arn:aws:dynamodb:us-east-1:1:table/orders")})
    new = template({"T": table("orders", Arn="arn:aws:dynamodb:us-east-1:1:table/other")})
    assert diff(old, new).resources == []


def test_read_only_property_is_ignored_beside_a_real_change() -> None:
    old = template({"T": table("orders", Arn="arn:1", StreamArn="arn:s1")})
    new = template({"T": table("orders", Arn="arn:2", StreamArn="arn:s2", TableClass="STANDARD_INFREQUENT_ACCESS")})
    change = change_of(diff(old, new), "T")
    assert [d.target.name for d in change.details] == ["TableClass"]
    assert change.replacement == "False"


def test_unknown_region_is_a_usage_error() -> None:
    old = template({"T": table("orders")})
    new = edited(old, lambda t: props(t, "T").update(TableName="orders-2"))
    with pytest.raises(UsageError, match="unknown region"):
        diff(old, new, region="us-east-9")
