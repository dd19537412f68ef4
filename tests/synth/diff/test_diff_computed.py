"""Replacement by CloudFormation's rule (issue 16, part 3): a create-only property whose new value is computed at
deploy time (a reference to a resource being replaced, a parameter without known value) gives Replacement
Conditional, not True; a GetAtt of an attribute that may keep its value across a replacement (an availability
zone, a property it echoes) is only a possible cause; data at risk says "may lose data". Minimal template pairs."""

from __future__ import annotations

from diff_helpers import (
    change_of,
    detail_at,
    diff,
    edited,
    findings_of,
    getatt,
    props,
    ref,
    resource,
    security_group,
    subnet,
    table,
    template,
    vpc,
)

from iac.synth.diff import diff_pairs


def test_a_create_only_reference_to_a_replaced_resource_is_conditional_as_in_a_change_set() -> None:
    old = template({"Vpc": vpc("10.0.0.0/16"), "Sn": subnet(ref("Vpc"))})
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.1.0.0/16"))
    result = diff_pairs([("S", old, new, None)]).to_json()
    by_id = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in result["stacks"][0]["Changes"]}
    assert by_id["Vpc"]["Replacement"] == "True"  # Static + Always
    [detail] = by_id["Sn"]["Details"]
    assert (detail["Target"]["RequiresRecreation"], detail["Evaluation"]) == ("Always", "Dynamic")
    assert by_id["Sn"]["Replacement"] == "Conditional"  # Dynamic + Always
    assert "Certain" not in detail  # the cause itself (the VPC's replacement) is certain


def test_a_create_only_property_following_a_parameter_without_known_value_may_replace() -> None:
    old = template({"T": table(ref("Name"))}, Parameters={"Name": {"Type": "String", "Default": "orders"}})
    new = edited(old, lambda t: t["Parameters"]["Name"].update(Default="orders-2"))
    change = change_of(diff(old, new), "T")
    assert change.replacement == "Conditional"
    assert change.reasons == ["may replace: create-only property TableName follows the parameter Name"]


def test_a_getatt_of_an_availability_zone_is_a_possible_cause_only() -> None:
    old = template({"Vpc": vpc(), "A": subnet(ref("Vpc"), "10.0.0.0/24"),
                    "B": subnet("vpc-123", "10.1.0.0/24", AvailabilityZone=getatt("A", "AvailabilityZone"))})
    new = edited(old, lambda t: props(t, "A").update(CidrBlock="10.0.9.0/24"))
    change = change_of(diff(old, new), "B")
    detail = detail_at(change, "/Properties/AvailabilityZone")
    assert (detail.target.requires_recreation, detail.certain) == ("Always", False)
    assert change.replacement == "Conditional"


def test_a_getatt_echoing_a_property_that_did_not_change_is_a_possible_cause_only() -> None:
    old = template({"Sg": security_group("vpc-123"),
                    "Sn": subnet({"Fn::GetAtt": ["Sg", "VpcId"]})})
    new = edited(old, lambda t: props(t, "Sg").update(GroupDescription="web servers"))  # replaces the group
    assert change_of(diff(old, new), "Sg").replacement == "True"
    assert not detail_at(change_of(diff(old, new), "Sn"), "/Properties/VpcId").certain


def test_a_getatt_echoing_a_property_that_changed_is_a_certain_cause() -> None:
    old = template({"Vpc": vpc("10.0.0.0/16"),
                    "Sn": subnet("vpc-123", {"Fn::Select": [0, {"Fn::Cidr": [getatt("Vpc", "CidrBlock"), 2, 8]}]})})
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.1.0.0/16"))
    assert detail_at(change_of(diff(old, new), "Sn"), "/Properties/CidrBlock").certain


def test_a_getatt_of_an_identity_is_a_certain_cause() -> None:
    old = template({"T": table("orders"),
                    "P": resource("AWS::SSM::Parameter", {"Type": "String", "Value": getatt("T", "Arn"),
                                                          "Name": {"Fn::Sub": "/t/${T.Arn}"}})})
    new = edited(old, lambda t: props(t, "T").update(TableName="orders-2"))
    change = change_of(diff(old, new), "P")
    assert detail_at(change, "/Properties/Name").certain
    assert change.replacement == "Conditional"


def test_data_following_a_replaced_resource_may_lose_data_it_does_not_will() -> None:
    old = template({"P": resource("AWS::SSM::Parameter", {"Type": "String", "Value": "v", "Name": "/a"}),
                    "T": table({"Fn::Sub": "t-${P}"})})
    new = edited(old, lambda t: props(t, "P").update(Name="/b"))
    result = diff(old, new)
    assert change_of(result, "T").replacement == "Conditional"
    messages = [f.message for f in findings_of(result, "data-at-risk") if f.logical_id == "T"]
    assert len(messages) == 1 and "may lose its data" in messages[0] and "will" not in messages[0]


def test_a_volume_in_the_zone_of_a_replaced_instance_may_fail_to_update() -> None:
    """AWS::EC2::Volume's AvailabilityZone cannot be updated (a "Fails" correction): if the instance lands
    elsewhere, the stack update fails; it may as well land in the same zone."""
    old = template({
        "I": resource("AWS::EC2::Instance", {"ImageId": "ami-1", "InstanceType": "t3.micro"}),
        "V": resource("AWS::EC2::Volume", {"Size": 10, "AvailabilityZone": getatt("I", "AvailabilityZone")}),
    })
    new = edited(old, lambda t: props(t, "I").update(ImageId="ami-2"))
    result = diff(old, new)
    assert change_of(result, "I").replacement == "True"
    volume = change_of(result, "V")
    assert volume.replacement == "False" and not detail_at(volume, "/Properties/AvailabilityZone").certain
    [finding] = [f for f in findings_of(result, "deployability") if f.logical_id == "V"]
    assert "AvailabilityZone may fail" in finding.message
