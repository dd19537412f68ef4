"""Replacement corrections (iac/spec_corrections.json "replacement"): each entry still disagrees with the pinned
registry schema (a schema that caught up retires the entry), names a real property, and is applied by the diff."""

from __future__ import annotations

import pytest
from diff_helpers import change_of, diff, edited, findings_of, props, resource, table, template

from iac import specs
from iac.specs import REPLACEMENT_VERDICTS, all_replacement_corrections, resource_schema

CORRECTIONS = all_replacement_corrections()


def _schema_verdict(resource_type: str, pointer: str) -> str:
    """What the schema alone says an update at `pointer` does: Always, Conditionally or Never."""
    schema = resource_schema(resource_type)
    assert schema is not None
    parts = pointer.split("/")
    for marked, verdict in ((schema.create_only, "Always"), (schema.conditional_create_only, "Conditionally")):
        for mark in marked:
            if parts[:len(mark.split("/"))] == mark.split("/"):
                return verdict
    return "Never"


def test_there_are_corrections_and_each_has_a_reason_and_a_documentation_url() -> None:
    assert len(CORRECTIONS) >= 10
    for correction in CORRECTIONS:
        assert correction.requires in REPLACEMENT_VERDICTS
        assert len(correction.why) > 20
        assert correction.url.startswith("https://docs.aws.amazon.com/")


@pytest.mark.parametrize("correction", CORRECTIONS, ids=[f"{c.resource_type}{c.pointer}" for c in CORRECTIONS])
def test_every_correction_still_disagrees_with_the_pinned_schema(correction: specs.ReplacementCorrection) -> None:
    """When this fails the schema caught up: remove the entry from iac/spec_corrections.json."""
    schema_says = _schema_verdict(correction.resource_type, correction.pointer)
    if correction.requires == "Fails":
        assert schema_says == "Never", "the schema now marks it create-only: check what an update does today"
    else:
        assert schema_says != correction.requires, f"the schema now says {schema_says} too: drop the entry"


@pytest.mark.parametrize("correction", CORRECTIONS, ids=[f"{c.resource_type}{c.pointer}" for c in CORRECTIONS])
def test_every_correction_names_a_property_of_its_type(correction: specs.ReplacementCorrection) -> None:
    names = [part for part in correction.pointer.split("/")[2:] if part != "*"]
    assert specs.property_schema(correction.resource_type, *names) is not None


def test_corrections_are_found_by_type() -> None:
    assert {c.pointer for c in specs.replacement_corrections("AWS::KMS::Key")} == {
        "/properties/KeySpec", "/properties/KeyUsage", "/properties/MultiRegion"}
    assert specs.replacement_corrections("AWS::SQS::Queue") == ()


# -- applied by the diff ------------------------------------------------------------------------

def test_a_changed_table_key_schema_replaces_the_table() -> None:
    old = template({"T": table("orders")})
    new = edited(old, lambda t: props(t, "T").update(
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}]))
    change = change_of(diff(old, new), "T")
    assert change.replacement == "True"
    assert "replace: create-only property KeySchema changed" in change.reasons


def test_changing_the_type_of_an_existing_attribute_definition_replaces_the_table() -> None:
    old = template({"T": table("orders")})
    new = edited(old, lambda t: props(t, "T")["AttributeDefinitions"][0].update(AttributeType="N"))
    assert change_of(diff(old, new), "T").replacement == "True"


def test_adding_an_attribute_definition_does_not_replace_the_table() -> None:
    old = template({"T": table("orders")})
    new = edited(old, lambda t: props(t, "T")["AttributeDefinitions"].insert(
        0, {"AttributeName": "byDate", "AttributeType": "S"}))
    assert change_of(diff(old, new), "T").replacement == "False"


def _cluster(core_type: str) -> dict:
    return resource("AWS::EMR::Cluster", {
        "Name": "c", "ReleaseLabel": "emr-6.15.0", "JobFlowRole": "r", "ServiceRole": "s",
        "Instances": {"MasterInstanceGroup": {"InstanceCount": 1, "InstanceType": "m5.xlarge"},
                      "CoreInstanceGroup": {"InstanceCount": 2, "InstanceType": core_type}}})


def test_an_emr_core_instance_type_change_replaces_the_cluster_and_a_count_change_does_not() -> None:
    old = template({"C": _cluster("m5.xlarge")})
    assert change_of(diff(old, template({"C": _cluster("r5.xlarge")})), "C").replacement == "True"
    bigger = edited(old, lambda t: props(t, "C")["Instances"]["CoreInstanceGroup"].update(InstanceCount=4))
    assert change_of(diff(old, bigger), "C").replacement == "False"


def _shards(count: int, **attributes: object) -> dict:
    return template({"R": resource("AWS::ElastiCache::ReplicationGroup", {
        "ReplicationGroupDescription": "r", "CacheNodeType": "cache.r6g.large", "Engine": "redis",
        "NumNodeGroups": count}, **attributes)})


def test_a_shard_count_change_replaces_the_replication_group_unless_online_resharding() -> None:
    assert change_of(diff(_shards(2), _shards(3)), "R").replacement == "True"
    online = {"UpdatePolicy": {"UseOnlineResharding": True}}
    assert change_of(diff(_shards(2, **online), _shards(3, **online)), "R").replacement == "False"


def test_a_kms_key_spec_change_is_refused_not_replaced() -> None:
    def key(spec: str) -> dict:
        return template({"K": resource("AWS::KMS::Key", {"KeySpec": spec, "KeyUsage": "SIGN_VERIFY"})})

    result = diff(key("RSA_2048"), key("ECC_NIST_P256"))
    assert change_of(result, "K").replacement == "False"
    [finding] = findings_of(result, "deployability")
    assert finding.logical_id == "K" and "KeySpec" in finding.message and "fails" in finding.message


def _group(launch: object) -> dict:
    return resource("AWS::AutoScaling::AutoScalingGroup", {
        "MinSize": "1", "MaxSize": "3", "LaunchConfigurationName": launch, "VPCZoneIdentifier": ["subnet-1"]})


def test_a_launch_configuration_replaced_for_a_new_ami_updates_its_group_and_nothing_downstream() -> None:
    def app(image: str) -> dict:
        return template({
            "Lc": resource("AWS::AutoScaling::LaunchConfiguration", {"ImageId": image, "InstanceType": "t3.micro"}),
            "Asg": _group({"Ref": "Lc"}),
            "Up": resource("AWS::AutoScaling::ScalingPolicy", {
                "AutoScalingGroupName": {"Ref": "Asg"}, "AdjustmentType": "ChangeInCapacity",
                "ScalingAdjustment": 1}),
        })

    result = diff(app("ami-1"), app("ami-2"))
    assert change_of(result, "Lc").replacement == "True"
    assert change_of(result, "Asg").replacement == "False"
    assert {c.logical_id for c in result.resources} == {"Lc", "Asg"}  # the scaling policy is not touched
