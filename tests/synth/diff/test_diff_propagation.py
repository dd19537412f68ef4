"""Propagation: a replaced resource (or a parameter whose value changes) reaches every property that
refers to it, as a Dynamic detail; where that property is create-only the referrer is replaced too,
to a fixed point."""

from __future__ import annotations

import itertools

import pytest
from diff_helpers import (
    change_of,
    changed_ids,
    detail_at,
    diff,
    edited,
    function,
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


def _with_referrer(value: object, *, create_only: bool) -> tuple[dict, dict]:
    """Table T renamed (replaced); resource R refers to T through `value` in a create-only property
    (SSM parameter Name) or an ordinary one (its Value)."""
    name = "Name" if create_only else "Value"
    other = {"Value": "v"} if create_only else {"Name": "/fixed/name"}
    old = template({
        "T": table("orders"),
        "R": resource("AWS::SSM::Parameter", {"Type": "String", name: value, **other}),
    })
    new = edited(old, lambda t: props(t, "T").update(TableName="orders-v2"))
    return old, new


def test_ref_to_replaced_resource_gives_a_dynamic_resource_reference_detail() -> None:
    change = change_of(diff(*_with_referrer(ref("T"), create_only=False)), "R")
    detail = detail_at(change, "/Properties/Value")
    assert detail.evaluation == "Dynamic"
    assert detail.change_source == "ResourceReference"
    assert detail.causing_entity == "T"
    assert detail.target.requires_recreation == "Never"
    assert change.replacement == "False"


def test_getatt_list_form_gives_a_resource_attribute_detail() -> None:
    change = change_of(diff(*_with_referrer(getatt("T", "Arn"), create_only=False)), "R")
    detail = detail_at(change, "/Properties/Value")
    assert (detail.evaluation, detail.change_source, detail.causing_entity) == ("Dynamic", "ResourceAttribute", "T.Arn")


def test_getatt_string_form_gives_a_resource_attribute_detail() -> None:
    change = change_of(diff(*_with_referrer({"Fn::GetAtt": "T.StreamArn"}, create_only=False)), "R")
    detail = detail_at(change, "/Properties/Value")
    assert (detail.change_source, detail.causing_entity) == ("ResourceAttribute", "T.StreamArn")


def test_sub_variable_is_a_resource_reference() -> None:
    change = change_of(diff(*_with_referrer({"Fn::Sub": "table ${T} in ${AWS::Region}"}, create_only=False)), "R")
    detail = detail_at(change, "/Properties/Value")
    assert (detail.evaluation, detail.change_source, detail.causing_entity) == ("Dynamic", "ResourceReference", "T")


def test_sub_attribute_is_a_resource_attribute() -> None:
    change = change_of(diff(*_with_referrer({"Fn::Sub": "${T.Arn}/index/*"}, create_only=False)), "R")
    detail = detail_at(change, "/Properties/Value")
    assert (detail.change_source, detail.causing_entity) == ("ResourceAttribute", "T.Arn")


def test_sub_escaped_variable_is_not_a_reference() -> None:
    result = diff(*_with_referrer({"Fn::Sub": "literal ${!T} text"}, create_only=False))
    assert changed_ids(result) == {"T"}


def test_sub_list_form_variable_map_is_followed_and_local_names_are_not_resources() -> None:
    value = {"Fn::Sub": ["${Prefix}-${T}", {"Prefix": {"Fn::GetAtt": ["T", "Arn"]}}]}
    change = change_of(diff(*_with_referrer(value, create_only=False)), "R")
    assert {d.causing_entity for d in change.details} == {"T", "T.Arn"}
    value = {"Fn::Sub": ["${T}-x", {"T": "not-the-table"}]}
    assert changed_ids(diff(*_with_referrer(value, create_only=False))) == {"T"}


# Target paths name the property a reference changes, never the functions computing it (a change
# set's Target.Path is a property path).
@pytest.mark.parametrize(("value", "path"), [
    ({"Fn::Join": ["-", ["app", ref("T")]]}, "/Properties/Value"),
    ({"Fn::If": ["IsProd", ref("T"), "none"]}, "/Properties/Value"),
    ({"Fn::Select": [0, [getatt("T", "Arn"), "x"]]}, "/Properties/Value"),
    ({"Fn::Join": ["", [{"Fn::If": ["IsProd", {"Fn::Sub": "${T}"}, "x"]}]]}, "/Properties/Value"),
], ids=["join", "if", "select", "join-if-sub"])
def test_references_nested_in_join_if_select_propagate(value: object, path: str) -> None:
    change = change_of(diff(*_with_referrer(value, create_only=False)), "R")
    detail = detail_at(change, path)
    assert detail.evaluation == "Dynamic" and detail.causing_entity in ("T", "T.Arn")


def test_reference_in_a_create_only_property_replaces_the_referrer() -> None:
    change = change_of(diff(*_with_referrer({"Fn::Sub": "/tables/${T}"}, create_only=True)), "R")
    # CloudFormation's rule: Always + Dynamic (the new value is computed at deploy time) is Conditional
    assert change.replacement == "Conditional"
    detail = detail_at(change, "/Properties/Name")
    assert (detail.target.requires_recreation, detail.evaluation, detail.certain) == ("Always", "Dynamic", True)
    assert change.reasons == ["may replace: create-only property Name follows the replacement of T"]
    assert change.policy_action == "ReplaceAndDelete"


def test_reference_nested_below_a_create_only_property_replaces_the_referrer() -> None:
    old = template({"Vpc": vpc(), "Sn": subnet({"Fn::If": ["Shared", ref("Vpc"), "vpc-123"]})})
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.9.0.0/16"))
    change = change_of(diff(old, new), "Sn")
    assert detail_at(change, "/Properties/VpcId").target.requires_recreation == "Always"
    # only when the condition picks the branch that refers to the VPC: a possible replacement
    assert change.replacement == "Conditional"


def test_no_propagation_from_a_modify_that_is_not_a_replacement() -> None:
    old = template({
        "Fn": function(128),
        "Alias": resource("AWS::Lambda::Alias", {"FunctionName": ref("Fn"), "FunctionVersion": "1", "Name": "live"}),
        "Perm": resource("AWS::Lambda::Permission", {"FunctionName": getatt("Fn", "Arn"),
                                                     "Action": "lambda:InvokeFunction",
                                                     "Principal": "s3.amazonaws.com"}),
    })
    new = edited(old, lambda t: props(t, "Fn").update(MemorySize=512))
    assert changed_ids(diff(old, new)) == {"Fn"}


def test_added_resource_referring_to_a_replaced_one_stays_a_plain_add() -> None:
    old = template({"T": table("a")})
    new = template({"T": table("b"), "R": resource("AWS::SSM::Parameter", {"Type": "String", "Name": ref("T"),
                                                                           "Value": "v"})})
    assert change_of(diff(old, new), "R").details == []


def test_type_change_propagates_like_a_replacement() -> None:
    old = template({"Thing": resource("AWS::SNS::Topic"),
                    "P": resource("AWS::SSM::Parameter", {"Type": "String", "Name": {"Fn::Sub": "/x/${Thing}"},
                                                          "Value": "v"})})
    new = edited(old, lambda t: t["Resources"]["Thing"].update(Type="AWS::SQS::Queue"))
    change = change_of(diff(old, new), "P")
    assert change.replacement == "Conditional"
    assert detail_at(change, "/Properties/Name").causing_entity == "Thing"
    assert detail_at(change, "/Properties/Name").certain


def _network() -> dict:
    return template({
        "Vpc": vpc("10.0.0.0/16"),
        "Subnet": subnet(ref("Vpc"), "10.0.0.0/24"),
        "Eip": resource("AWS::EC2::EIP", {"Domain": "vpc"}),
        "Nat": resource("AWS::EC2::NatGateway", {"SubnetId": ref("Subnet"),
                                                 "AllocationId": getatt("Eip", "AllocationId")}),
        "RouteTable": resource("AWS::EC2::RouteTable", {"VpcId": ref("Vpc")}),
        "Route": resource("AWS::EC2::Route", {"RouteTableId": ref("RouteTable"), "DestinationCidrBlock": "0.0.0.0/0",
                                              "NatGatewayId": ref("Nat")}),
        "Assoc": resource("AWS::EC2::SubnetRouteTableAssociation", {"SubnetId": ref("Subnet"),
                                                                    "RouteTableId": ref("RouteTable")}),
        "Sg": security_group({"Fn::GetAtt": "Vpc.VpcId"}),
        "Endpoint": resource("AWS::EC2::VPCEndpoint", {
            "VpcId": ref("Vpc"), "ServiceName": "com.amazonaws.us-east-1.s3", "VpcEndpointType": "Interface"}),
        "Worker": function(VpcConfig={"SubnetIds": [ref("Subnet")], "SecurityGroupIds": [getatt("Sg", "GroupId")]},
                           Environment={"Variables": {"VPC": {"Fn::Sub": "${Vpc}"}}}),
    })


def test_transitive_replacement_chain_reaches_a_fixed_point() -> None:
    old = _network()
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.1.0.0/16"))
    result = diff(old, new)
    replaced = {c.logical_id: c.replacement for c in result.resources if c.is_replacement}
    # Vpc -> Subnet (VpcId) -> Nat (SubnetId) -> Route (RouteTableId via RouteTable); Sg (VpcId); Assoc.
    # Only the Vpc's own change is Static: every follower's new value is computed, so Conditional, but its
    # cause is certain all along the chain.
    assert replaced == {"Vpc": "True", **{lid: "Conditional" for lid in (
        "Subnet", "Nat", "RouteTable", "Route", "Assoc", "Sg", "Endpoint")}}
    nat = change_of(result, "Nat")
    assert nat.reasons == ["may replace: create-only property SubnetId follows the replacement of Subnet"]
    assert detail_at(nat, "/Properties/SubnetId").certain
    route = change_of(result, "Route")
    assert detail_at(route, "/Properties/NatGatewayId").target.requires_recreation == "Never"
    assert detail_at(route, "/Properties/RouteTableId").target.requires_recreation == "Always"
    # the function's references are updatable: Dynamic details, no replacement
    worker = change_of(result, "Worker")
    assert worker.replacement == "False"
    assert {d.causing_entity for d in worker.details} == {"Vpc", "Subnet", "Sg.GroupId"}
    assert all(d.evaluation == "Dynamic" and d.target.requires_recreation == "Never" for d in worker.details)
    assert "Eip" not in changed_ids(result)


def test_fixed_point_does_not_depend_on_declaration_order() -> None:
    old = _network()
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.1.0.0/16"))

    def summary(o: dict, n: dict) -> set:
        return {(c.logical_id, c.action, c.replacement,
                 frozenset((d.target.path, d.causing_entity, d.target.requires_recreation) for d in c.details))
                for c in diff(o, n).resources}

    expected = summary(old, new)
    names = list(old["Resources"])
    for order in itertools.islice(itertools.permutations(reversed(names)), 0, 40, 7):
        reordered_old = template({k: old["Resources"][k] for k in order})
        reordered_new = template({k: new["Resources"][k] for k in order})
        assert summary(reordered_old, reordered_new) == expected


def test_conditional_upstream_replacement_gives_conditional_downstream() -> None:
    old = _network()
    new = edited(old, lambda t: props(t, "Vpc").update(InstanceTenancy="dedicated"))
    result = diff(old, new)
    assert change_of(result, "Vpc").replacement == "Conditional"
    for logical_id in ("Subnet", "Nat", "RouteTable", "Route", "Sg", "Endpoint"):
        change = change_of(result, logical_id)
        assert change.replacement == "Conditional", logical_id
        assert change.reasons[0].startswith("may replace")
    subnet_detail = detail_at(change_of(result, "Subnet"), "/Properties/VpcId")
    assert subnet_detail.certain is False
    assert change_of(result, "Worker").replacement == "False"


def test_a_certain_cause_wins_over_a_conditional_one() -> None:
    old = template({
        "VpcA": vpc("10.0.0.0/16"), "VpcB": vpc("10.1.0.0/16"),
        "P": resource("AWS::SSM::Parameter", {"Type": "String", "Value": "v",
                                              "Name": {"Fn::Sub": "/vpcs/${VpcA}/${VpcB}"}}),
    })
    new = edited(old, lambda t: (props(t, "VpcA").update(InstanceTenancy="dedicated"),
                                 props(t, "VpcB").update(CidrBlock="10.2.0.0/16")))
    change = change_of(diff(old, new), "P")
    assert change.replacement == "Conditional"
    assert {d.causing_entity: d.certain for d in change.details} == {"VpcA": False, "VpcB": True}


def test_a_resource_first_reached_conditionally_then_certainly_ends_certain_downstream() -> None:
    # Subnet is reached by VpcA (conditional, through VpcId) and by VpcB (certain, through CidrBlock);
    # the NAT gateway that refers to the subnet must end up certainly replaced whatever the order.
    old = template({
        "VpcA": vpc("10.0.0.0/16"), "VpcB": vpc("10.1.0.0/16"),
        "Subnet": subnet(ref("VpcA"), {"Fn::Select": [0, {"Fn::Cidr": [getatt("VpcB", "CidrBlock"), 2, 8]}]}),
        "Nat": resource("AWS::EC2::NatGateway", {"SubnetId": ref("Subnet"), "AllocationId": "eipalloc-1"}),
    })
    new = edited(old, lambda t: (props(t, "VpcA").update(InstanceTenancy="dedicated"),
                                 props(t, "VpcB").update(CidrBlock="10.2.0.0/16")))
    result = diff(old, new)
    assert change_of(result, "Subnet").replacement == "Conditional"
    assert change_of(result, "Nat").replacement == "Conditional"
    assert detail_at(change_of(result, "Nat"), "/Properties/SubnetId").certain is True


def test_reference_cycle_terminates() -> None:
    # Not deployable, but the diff must not loop: two parameters whose names follow each other.
    old = template({
        "T": table("a"),
        "A": resource("AWS::SSM::Parameter", {"Type": "String", "Value": "v", "Name": {"Fn::Sub": "${B}${T}"}}),
        "B": resource("AWS::SSM::Parameter", {"Type": "String", "Value": "v", "Name": {"Fn::Sub": "${A}"}}),
    })
    new = edited(old, lambda t: props(t, "T").update(TableName="b"))
    result = diff(old, new)
    assert {c.logical_id: c.replacement for c in result.resources} == {
        "T": "True", "A": "Conditional", "B": "Conditional"}


# -- parameters -----------------------------------------------------------------------------

def _parameterized() -> dict:
    return template(
        {"Vpc": vpc(ref("Cidr")),
         "Fn": function(ref("Memory"))},
        Parameters={"Cidr": {"Type": "String", "Default": "10.0.0.0/16"},
                    "Memory": {"Type": "Number", "Default": 128}},
    )


def test_parameter_value_change_propagates_as_parameter_reference() -> None:
    tpl = _parameterized()
    result = diff(tpl, tpl, parameters={"Cidr": "10.5.0.0/16"})
    change = change_of(result, "Vpc")
    detail = detail_at(change, "/Properties/CidrBlock")
    assert (detail.evaluation, detail.change_source, detail.causing_entity) == (
        "Dynamic", "ParameterReference", "Cidr")
    # the deployed value is not known (the old default is no known value of a deployed stack): only "may"
    assert change.replacement == "Conditional"
    assert not detail.certain
    assert change.reasons == ["may replace: create-only property CidrBlock follows the parameter Cidr"]
    assert changed_ids(result) == {"Vpc"}


def test_parameter_value_change_on_an_ordinary_property_is_a_modify() -> None:
    tpl = _parameterized()
    change = change_of(diff(tpl, tpl, parameters={"Memory": "1024"}), "Fn")
    assert change.replacement == "False"
    assert detail_at(change, "/Properties/MemorySize").change_source == "ParameterReference"


def test_parameter_value_equal_to_the_old_default_is_no_change() -> None:
    tpl = _parameterized()
    assert diff(tpl, tpl, parameters={"Cidr": "10.0.0.0/16", "Memory": "128"}).resources == []


def test_parameter_default_change_without_a_value_may_replace() -> None:
    old = _parameterized()
    new = edited(old, lambda t: t["Parameters"]["Cidr"].update(Default="10.7.0.0/16"))
    result = diff(old, new)
    change = change_of(result, "Vpc")
    assert change.replacement == "Conditional"
    assert detail_at(change, "/Properties/CidrBlock").change_source == "ParameterReference"
    assert [(v.section, v.name, v.action) for v in result.values] == [("Parameters", "Cidr", "Modify")]


def test_parameter_replacement_propagates_to_resources() -> None:
    tpl = template({"Vpc": vpc(ref("Cidr")), "Sn": subnet(ref("Vpc"))},
                   Parameters={"Cidr": {"Type": "String", "Default": "10.0.0.0/16"}})
    result = diff(tpl, tpl, parameters={"Cidr": "10.5.0.0/16"})
    subnet_change = change_of(result, "Sn")
    assert subnet_change.replacement == "Conditional"
    assert detail_at(subnet_change, "/Properties/VpcId").change_source == "ResourceReference"


def test_a_value_for_a_parameter_without_default_may_replace_only() -> None:
    tpl = template({"Vpc": vpc(ref("Cidr"))}, Parameters={"Cidr": {"Type": "String"}})
    change = change_of(diff(tpl, tpl, parameters={"Cidr": "10.5.0.0/16"}), "Vpc")
    assert change.replacement == "Conditional"  # the deployed value was passed and is unknown


def test_a_create_only_path_below_an_fn_if_branch_is_found() -> None:
    old = template({"Vpc": vpc(), "Sn": subnet({"Fn::If": ["Shared", ref("Vpc"), ref("Vpc")]})})
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.9.0.0/16"))
    change = change_of(diff(old, new), "Sn")
    assert [d.target.path for d in change.details] == ["/Properties/VpcId"]  # one detail per property


def test_a_reference_in_an_fn_if_branch_below_a_nested_create_only_path_may_replace() -> None:
    from iac.specs import resource_schema

    assert "/properties/KubernetesNetworkConfig/ServiceIpv4Cidr" in resource_schema("AWS::EKS::Cluster").create_only
    cluster = resource("AWS::EKS::Cluster", {
        "RoleArn": "arn:aws:iam::1:role/eks", "ResourcesVpcConfig": {"SubnetIds": ["subnet-1"]},
        "KubernetesNetworkConfig": {"Fn::If": ["Custom", {"ServiceIpv4Cidr": getatt("P", "Value")},
                                               {"Ref": "AWS::NoValue"}]}})
    old = template({"P": resource("AWS::SSM::Parameter", {"Type": "String", "Value": "10.100.0.0/16", "Name": "a"}),
                    "Eks": cluster})
    new = edited(old, lambda t: props(t, "P").update(Name="b"))
    change = change_of(diff(old, new), "Eks")
    assert detail_at(change, "/Properties/KubernetesNetworkConfig/ServiceIpv4Cidr").target.requires_recreation \
        == "Always"
    assert change.replacement == "Conditional"


def test_a_changed_mapping_reaches_the_properties_that_look_it_up() -> None:
    def queue_named_by(value: str) -> dict:
        return template({"Q": resource("AWS::SQS::Queue", {"QueueName": {"Fn::FindInMap": ["M", "k", "n"]}})},
                        Mappings={"M": {"k": {"n": value}}})

    change = change_of(diff(queue_named_by("q1"), queue_named_by("q2")), "Q")
    assert detail_at(change, "/Properties/QueueName").causing_entity == "Mappings/M"
    assert change.replacement == "Conditional"  # which entry the keys pick is known only at deploy time


def test_a_changed_condition_reaches_the_properties_that_branch_on_it() -> None:
    def queue(condition: dict) -> dict:
        return template({"Q": resource("AWS::SQS::Queue",
                                       {"DelaySeconds": {"Fn::If": ["Slow", 30, 0]}})},
                        Conditions={"Slow": condition})

    change = change_of(diff(queue({"Fn::Equals": ["a", "a"]}), queue({"Fn::Equals": ["a", "b"]})), "Q")
    assert detail_at(change, "/Properties/DelaySeconds").causing_entity == "Conditions/Slow"
    assert change.replacement == "False"


def test_the_reference_index_skips_lookups_only_when_no_entry_changed() -> None:
    from iac.synth.diff.conditions import Conditions
    from iac.synth.diff.engine import _reference_index
    from iac.synth.diff.model import ResourceChange

    value = {"Fn::If": ["C", {"Fn::FindInMap": ["M", "k", ref("T")]}, {"Fn::Sub": "${T.Arn}/x"}]}
    resources = {"T": table(), "Q": resource("AWS::SQS::Queue", {"QueueName": value, "Tags": [ref("T")]})}
    changes = {lid: ResourceChange(action="Modify", logical_id=lid, resource_type=r["Type"])
               for lid, r in resources.items()}
    conds = Conditions({}, {})
    full = _reference_index(resources, changes, {}, conds, set())
    plain = _reference_index(resources, changes, {}, conds, set(), lookups=False)
    assert set(full) == {"T", "Mappings/M", "Conditions/C"}
    assert full["Mappings/M"] == [("Q", "QueueName", ("QueueName",), None, True)]
    assert {key: occurrences for key, occurrences in full.items() if "/" not in key} == dict(plain)
