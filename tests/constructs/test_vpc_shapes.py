"""ec2.Vpc with subnet_configuration: the groups' subnets, ranges and ids, an internet gateway only
with a public group, NAT gateways only for PRIVATE_WITH_EGRESS groups, and selection by type and group."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import ec2
from iac.constructs.ec2 import SubnetConfiguration, SubnetType
from iac.synth import synthesize
from iac.synth.lint import lint_template

PUBLIC, EGRESS, ISOLATED = SubnetType.PUBLIC, SubnetType.PRIVATE_WITH_EGRESS, SubnetType.PRIVATE_ISOLATED


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def types(app: App) -> Counter[str]:
    return Counter(r["Type"] for r in resources(app).values())


def isolated_vpc(stack: Stack, **options: Any) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=[
        SubnetConfiguration(name="Isolated", subnet_type=ISOLATED, cidr_mask=24)], **options)


# -- shapes ----------------------------------------------------------------------------------------


def test_an_isolated_vpc_has_no_internet_gateway_no_nat_and_no_routes(app, stack):
    vpc = isolated_vpc(stack)

    assert types(app) == {"AWS::EC2::VPC": 1, "AWS::EC2::Subnet": 2, "AWS::EC2::RouteTable": 2,
                          "AWS::EC2::SubnetRouteTableAssociation": 2}
    assert vpc.internet_gateway is None and vpc.internet_gateway_attachment is None
    assert vpc.nat_gateways == [] and vpc.internet_connectivity == []
    assert [s.id for s in vpc.isolated_subnets] == ["IsolatedSubnet1", "IsolatedSubnet2"]
    assert [s.cidr_block for s in vpc.isolated_subnets] == ["10.0.0.0/24", "10.0.1.0/24"]
    assert vpc.public_subnets == [] and vpc.private_subnets == []


def test_the_isolated_subnets_ids_are_pinned(app, stack):
    vpc = isolated_vpc(stack)

    assert sorted(resources(app)) == [
        "Vpc8378EB38",
        "VpcIsolatedSubnet14D7AEEBF", "VpcIsolatedSubnet1RouteTable4771E3E5",
        "VpcIsolatedSubnet1RouteTableAssociationD300FCBB",
        "VpcIsolatedSubnet2B1E01A6C", "VpcIsolatedSubnet2RouteTable1D30AF7D",
        "VpcIsolatedSubnet2RouteTableAssociationF7B18CCA",
    ]
    assert [s.resource.logical_id for s in vpc.isolated_subnets] == ["VpcIsolatedSubnet14D7AEEBF",
                                                                    "VpcIsolatedSubnet2B1E01A6C"]


def test_three_tiers_route_public_to_the_gateway_and_egress_through_nat(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, subnet_configuration=[
        SubnetConfiguration(name="Ingress", subnet_type=PUBLIC, cidr_mask=24),
        SubnetConfiguration(name="App", subnet_type=EGRESS, cidr_mask=20),
        SubnetConfiguration(name="Db", subnet_type=ISOLATED, cidr_mask=26),
    ])

    written = resources(app)
    assert types(app) == {"AWS::EC2::VPC": 1, "AWS::EC2::Subnet": 6, "AWS::EC2::RouteTable": 6,
                          "AWS::EC2::SubnetRouteTableAssociation": 6, "AWS::EC2::Route": 4,
                          "AWS::EC2::NatGateway": 1, "AWS::EC2::EIP": 1, "AWS::EC2::InternetGateway": 1,
                          "AWS::EC2::VPCGatewayAttachment": 1}
    assert {name: [s.cidr_block for s in subnets] for name, subnets in vpc.subnet_groups.items()} == {
        "Ingress": ["10.0.0.0/24", "10.0.1.0/24"],
        "App": ["10.0.16.0/20", "10.0.32.0/20"],
        "Db": ["10.0.48.0/26", "10.0.48.64/26"],
    }
    [nat] = vpc.nat_gateways
    assert nat is vpc.subnet_groups["Ingress"][0].nat_gateway
    for subnet in vpc.private_subnets:
        assert written[subnet.default_route.logical_id]["Properties"]["NatGatewayId"] == {"Ref": nat.logical_id}
    for subnet in vpc.public_subnets:
        assert written[subnet.default_route.logical_id]["Properties"]["GatewayId"] == {
            "Ref": vpc.internet_gateway.logical_id}
    assert all(s.default_route is None for s in vpc.isolated_subnets)


def test_groups_without_a_mask_share_what_the_masked_ones_leave():
    assert ec2.subnet_group_cidr_blocks("10.0.0.0/16", 2, [24, None, None]) == [
        ["10.0.0.0/24", "10.0.1.0/24"], ["10.0.32.0/19", "10.0.64.0/19"], ["10.0.96.0/19", "10.0.128.0/19"]]


def test_the_default_shape_is_the_public_and_private_groups(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)

    assert [(g.name, g.subnet_type, g.cidr_mask) for g in vpc.subnet_configuration] == [
        ("Public", PUBLIC, None), ("Private", EGRESS, None)]
    assert list(vpc.subnet_groups) == ["Public", "Private"]
    assert [s.subnet_group_name for s in vpc.subnets] == ["Public", "Public", "Private", "Private"]


def test_nat_gateways_default_to_one_per_zone_only_with_egress_groups(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3, subnet_configuration=[
        SubnetConfiguration(name="Public", subnet_type=PUBLIC), SubnetConfiguration(name="App", subnet_type=EGRESS)])
    web = ec2.Vpc(stack, "Web", max_azs=3, subnet_configuration=[
        SubnetConfiguration(name="Public", subnet_type=PUBLIC), SubnetConfiguration(name="Db", subnet_type=ISOLATED)])

    assert len(vpc.nat_gateways) == 3
    assert web.nat_gateways == [] and web.internet_gateway is not None


# -- selection -------------------------------------------------------------------------------------


def test_select_by_group_name_type_and_default(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=[
        SubnetConfiguration(name="Public", subnet_type=PUBLIC, cidr_mask=24),
        SubnetConfiguration(name="Db", subnet_type=ISOLATED, cidr_mask=24),
        SubnetConfiguration(name="Cache", subnet_type=ISOLATED, cidr_mask=24),
    ])

    assert vpc.select_subnets(subnet_group_name="Cache").subnets == tuple(vpc.subnet_groups["Cache"])
    assert vpc.select_subnets(subnet_type=ISOLATED).subnets == tuple(vpc.isolated_subnets)
    assert vpc.select_subnets().subnets == tuple(vpc.isolated_subnets)  # no egress subnets: isolated next
    assert vpc.select_subnets(subnet_type=ISOLATED, one_per_az=True).subnets == tuple(vpc.subnet_groups["Db"])
    with pytest.raises(ConstructError, match="has no subnet group 'Cach' .*'Public', 'Db', 'Cache'") as caught:
        vpc.select_subnets(subnet_group_name="Cach")
    assert caught.value.location.file == __file__
    with pytest.raises(ConstructError, match="not subnet_type and subnet_group_name"):
        vpc.select_subnets(subnet_type=ISOLATED, subnet_group_name="Db")


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("groups, options, message", [
    ([("App", EGRESS)], {}, "'App' is PRIVATE_WITH_EGRESS, which routes through NAT gateways, and NAT gateways "
                            "live in public subnets"),
    ([("Public", PUBLIC), ("App", EGRESS)], {"nat_gateways": 0}, "'App' is PRIVATE_WITH_EGRESS but nat_gateways is 0"),
    ([("Public", PUBLIC), ("Db", ISOLATED)], {"nat_gateways": 1}, "nat_gateways is 1 but no subnet group is "
                                                                   "PRIVATE_WITH_EGRESS"),
    ([("Db", ISOLATED), ("Db", ISOLATED)], {}, "two subnet groups are named 'Db'"),
    ([], {}, "an empty subnet_configuration makes no subnets"),
])
def test_impossible_shapes_are_errors_at_the_users_line(stack, groups, options, message):
    configuration = [SubnetConfiguration(name=name, subnet_type=kind) for name, kind in groups]
    with pytest.raises(ConstructError, match=message) as caught:
        ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=configuration, **options)
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Vpc"


def test_masks_that_overflow_the_range_are_refused(stack):
    with pytest.raises(ConstructError, match=r"masks \(/17, /17, x 2 zones\) take more than the VPC range"):
        ec2.Vpc(stack, "Vpc", max_azs=2, subnet_configuration=[
            SubnetConfiguration(name="A", subnet_type=ISOLATED, cidr_mask=17),
            SubnetConfiguration(name="B", subnet_type=ISOLATED, cidr_mask=17)])
    with pytest.raises(ConstructError, match="a cidr_mask of 16 does not fit a /20 VPC range"):
        ec2.Vpc(stack, "Small", cidr="10.0.0.0/20", subnet_configuration=[
            SubnetConfiguration(name="A", subnet_type=ISOLATED, cidr_mask=16)])


@pytest.mark.parametrize("options, message", [
    ({"name": "db-tier", "subnet_type": ISOLATED}, "name must be letters and digits"),
    ({"name": "Db", "subnet_type": "Isolated"}, "subnet_type: 'Isolated' is not one of Public, PrivateWithEgress"),
    ({"name": "Db", "subnet_type": ISOLATED, "cidr_mask": 30}, "cidr_mask must be a prefix length from 16 to 28"),
])
def test_a_bad_subnet_configuration_is_an_error_at_the_users_line(options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        SubnetConfiguration(**options)
    assert caught.value.location.file == __file__


def test_three_tier_and_isolated_vpcs_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Net")
    isolated_vpc(stack)
    ec2.Vpc(stack, "Tiers", max_azs=3, nat_gateways=1, subnet_configuration=[
        SubnetConfiguration(name="Ingress", subnet_type=PUBLIC, cidr_mask=24),
        SubnetConfiguration(name="App", subnet_type=EGRESS),
        SubnetConfiguration(name="Db", subnet_type=ISOLATED, cidr_mask=28)])

    assert lint_template(synthesize(app).stack("Net").body, "us-east-1") == []


# -- dual stack ------------------------------------------------------------------------------------


def dual_stack(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, ipv6=True, subnet_configuration=[
        SubnetConfiguration(name="Public", subnet_type=PUBLIC, cidr_mask=24),
        SubnetConfiguration(name="App", subnet_type=EGRESS, cidr_mask=24),
        SubnetConfiguration(name="Db", subnet_type=ISOLATED, cidr_mask=24)])


def test_a_dual_stack_vpc_cuts_a_64_per_subnet_from_its_amazon_provided_block(app, stack):
    vpc = dual_stack(stack)

    written = resources(app)
    block = vpc.ipv6_cidr_block
    assert block.logical_id == "VpcIpv6CidrBlockEDBB20EB"
    assert written[block.logical_id]["Properties"] == {"VpcId": {"Ref": vpc.resource.logical_id},
                                                       "AmazonProvidedIpv6CidrBlock": True}
    vpc_block = {"Fn::Select": [0, {"Fn::GetAtt": [vpc.resource.logical_id, "Ipv6CidrBlocks"]}]}
    for index, subnet in enumerate(vpc.subnets):
        subnet_written = written[subnet.resource.logical_id]
        assert subnet_written["Properties"]["Ipv6CidrBlock"] == {
            "Fn::Select": [index, {"Fn::Cidr": [vpc_block, 6, "64"]}]}
        assert subnet_written["Properties"]["AssignIpv6AddressOnCreation"] is True
        assert subnet_written["DependsOn"] == [block.logical_id]


def test_dual_stack_routes_public_to_the_gateway_and_egress_out_only(app, stack):
    vpc = dual_stack(stack)

    written = resources(app)
    eigw = vpc.egress_only_internet_gateway
    assert written[eigw.logical_id] == {"Type": "AWS::EC2::EgressOnlyInternetGateway",
                                        "Properties": {"VpcId": {"Ref": vpc.resource.logical_id}}}
    for subnet in vpc.public_subnets:
        assert written[subnet.ipv6_default_route.logical_id]["Properties"] == {
            "RouteTableId": {"Ref": subnet.route_table.logical_id}, "DestinationIpv6CidrBlock": "::/0",
            "GatewayId": {"Ref": vpc.internet_gateway.logical_id}}
    for subnet in vpc.private_subnets:
        assert written[subnet.ipv6_default_route.logical_id]["Properties"] == {
            "RouteTableId": {"Ref": subnet.route_table.logical_id}, "DestinationIpv6CidrBlock": "::/0",
            "EgressOnlyInternetGatewayId": {"Ref": eigw.logical_id}}
        assert written[subnet.ipv6_default_route.logical_id]["DependsOn"] == [vpc.ipv6_cidr_block.logical_id]
    assert all(s.ipv6_default_route is None for s in vpc.isolated_subnets)


def test_ipv4_only_is_the_default_and_writes_nothing_of_ipv6(app, stack):
    ec2.Vpc(stack, "Vpc", max_azs=2)

    written = resources(app)
    assert not {"AWS::EC2::VPCCidrBlock", "AWS::EC2::EgressOnlyInternetGateway"} & set(types(app))
    assert all("Ipv6CidrBlock" not in r["Properties"] for r in written.values() if r["Type"] == "AWS::EC2::Subnet")


def test_a_dual_stack_vpc_passes_cfn_lint_with_no_findings():
    app = App()
    dual_stack(Stack(app, "Net"))

    assert lint_template(synthesize(app).stack("Net").body, "us-east-1") == []


@pytest.mark.parametrize("options, message", [
    ({"subnet_type": "Private"}, "subnet_type: 'Private' is not one of Public, PrivateWithEgress, PrivateIsolated"),
    ({"subnet_type": PUBLIC, "subnet_group_name": "Db"}, "not subnet_type and subnet_group_name"),
])
def test_a_bad_subnet_selection_is_an_error_at_the_users_line(options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        ec2.SubnetSelection(**options)
    assert caught.value.location.file == __file__
