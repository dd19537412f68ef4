"""ec2: the VPC's computed subnet ranges, routes and NAT gateways, subnet selection, and security
groups whose rules are exactly the ones asked for."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from iac import App, ConstructError, Fn, Stack
from iac.constructs import ec2
from iac.constructs.ec2 import Peer, Port, SubnetType
from iac.specs import property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

NO_TRAFFIC = {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "IpProtocol": "icmp",
              "FromPort": 252, "ToPort": 86}

#: zones -> (public ranges, private ranges) of a 10.0.0.0/16 VPC (third octets)
EXPECTED_THIRD_OCTETS = {
    1: ("/17", [0], [128]),
    2: ("/18", [0, 64], [128, 192]),
    3: ("/19", [0, 32, 64], [96, 128, 160]),
    4: ("/19", [0, 32, 64, 96], [128, 160, 192, 224]),
    5: ("/20", [0, 16, 32, 48, 64], [80, 96, 112, 128, 144]),
    6: ("/20", [0, 16, 32, 48, 64, 80], [96, 112, 128, 144, 160, 176]),
}


def _ranges(zones: int) -> tuple[list[str], list[str]]:
    mask, public, private = EXPECTED_THIRD_OCTETS[zones]
    return [f"10.0.{octet}.0{mask}" for octet in public], [f"10.0.{octet}.0{mask}" for octet in private]


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def props(app: App, resource: Any) -> dict[str, Any]:
    return resources(app)[resource.logical_id].get("Properties", {})


def ref(resource: Any) -> dict[str, str]:
    return {"Ref": resource.logical_id}


def group_id(group: ec2.SecurityGroup) -> dict[str, Any]:
    return {"Fn::GetAtt": [group.resource.logical_id, "GroupId"]}


# -- subnet ranges ---------------------------------------------------------------------------------


@pytest.mark.parametrize("zones", range(1, 7))
def test_subnet_ranges_split_the_vpc_into_equal_blocks_public_first(zones):
    assert ec2.subnet_cidr_blocks("10.0.0.0/16", zones) == _ranges(zones)


@pytest.mark.parametrize("zones", range(1, 7))
def test_the_vpc_writes_the_computed_ranges_and_selects_zones_in_order(app, stack, zones):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=zones)
    public, private = _ranges(zones)

    written = resources(app)
    for subnets, ranges in ((vpc.public_subnets, public), (vpc.private_subnets, private)):
        assert [written[s.resource.logical_id]["Properties"]["CidrBlock"] for s in subnets] == ranges
        assert [written[s.resource.logical_id]["Properties"]["AvailabilityZone"] for s in subnets] == [
            {"Fn::Select": [index, {"Fn::GetAZs": ""}]} for index in range(zones)]


def test_subnet_ranges_follow_a_smaller_vpc_range():
    assert ec2.subnet_cidr_blocks("192.168.0.0/24", 2) == (
        ["192.168.0.0/26", "192.168.0.64/26"], ["192.168.0.128/26", "192.168.0.192/26"])


def test_a_range_too_small_for_the_subnets_is_an_error_at_the_users_line(stack):
    with pytest.raises(ConstructError, match=r"too small for 6 subnets .* each would be a /30") as caught:
        ec2.Vpc(stack, "Vpc", cidr="10.0.0.0/27", max_azs=3)
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Vpc"


@pytest.mark.parametrize("cidr, message", [
    ("10.0.0.1/16", "did you mean 10.0.0.0/16"),
    ("10.0.0.0/8", "must be /16"),
    ("banana", "not an IPv4 network range"),
])
def test_bad_vpc_ranges_are_refused(stack, cidr, message):
    with pytest.raises(ConstructError, match=message):
        ec2.Vpc(stack, "Vpc", cidr=cidr)


@pytest.mark.parametrize("max_azs, message", [
    (0, "max_azs: 0 is not a whole number from 1 to 6"),
    (7, "max_azs: 7 is not a whole number from 1 to 6"),
    (True, "max_azs must be int, got bool True"),
])
def test_max_azs_is_one_to_six(stack, max_azs, message):
    with pytest.raises(ConstructError, match=message) as caught:
        ec2.Vpc(stack, "Vpc", max_azs=max_azs)
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Vpc"


# -- what a VPC is made of -------------------------------------------------------------------------


def test_two_zones_make_what_the_cdk_makes(app, stack):
    ec2.Vpc(stack, "Vpc", max_azs=2)

    assert Counter(r["Type"] for r in resources(app).values()) == {
        "AWS::EC2::VPC": 1, "AWS::EC2::Subnet": 4, "AWS::EC2::RouteTable": 4,
        "AWS::EC2::SubnetRouteTableAssociation": 4, "AWS::EC2::Route": 4, "AWS::EC2::NatGateway": 2,
        "AWS::EC2::EIP": 2, "AWS::EC2::InternetGateway": 1, "AWS::EC2::VPCGatewayAttachment": 1}


def test_public_subnets_route_to_the_internet_gateway_once_it_is_attached(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)

    written = resources(app)
    for subnet in vpc.public_subnets:
        route = written[subnet.default_route.logical_id]
        assert route["Properties"] == {"RouteTableId": ref(subnet.route_table), "DestinationCidrBlock": "0.0.0.0/0",
                                       "GatewayId": ref(vpc.internet_gateway)}
        assert route["DependsOn"] == [vpc.internet_gateway_attachment.logical_id]
        assert written[subnet.route_table_association.logical_id]["Properties"] == {
            "RouteTableId": ref(subnet.route_table), "SubnetId": ref(subnet.resource)}


def test_each_zone_gets_a_nat_gateway_and_its_private_subnet_routes_through_it(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3)

    written = resources(app)
    assert len(vpc.nat_gateways) == 3
    for public, private in zip(vpc.public_subnets, vpc.private_subnets, strict=True):
        assert written[private.default_route.logical_id]["Properties"]["NatGatewayId"] == ref(public.nat_gateway)
        assert written[public.nat_gateway.logical_id]["Properties"]["SubnetId"] == ref(public.resource)
        assert private.subnet_type == SubnetType.PRIVATE_WITH_EGRESS


def test_a_nat_gateway_waits_for_its_subnet_to_reach_the_internet(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1)
    [public] = vpc.public_subnets

    nat = resources(app)[public.nat_gateway.logical_id]
    assert nat["DependsOn"] == [public.default_route.logical_id, public.route_table_association.logical_id]
    eip_id = nat["Properties"]["AllocationId"]["Fn::GetAtt"][0]
    assert resources(app)[eip_id]["Properties"]["Domain"] == "vpc"


@pytest.mark.parametrize("zones, nat_gateways, used", [
    (3, 1, [0, 0, 0]),
    (3, 2, [0, 1, 0]),
    (2, 2, [0, 1]),
])
def test_fewer_nat_gateways_are_shared_by_zone_index(app, stack, zones, nat_gateways, used):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=zones, nat_gateways=nat_gateways)

    written = resources(app)
    assert [r["Type"] for r in written.values()].count("AWS::EC2::NatGateway") == nat_gateways
    assert [r["Type"] for r in written.values()].count("AWS::EC2::EIP") == nat_gateways
    assert [written[s.default_route.logical_id]["Properties"]["NatGatewayId"] for s in vpc.private_subnets] == [
        ref(vpc.nat_gateways[index]) for index in used]


def test_no_nat_gateways_make_isolated_private_subnets(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)

    types = [r["Type"] for r in resources(app).values()]
    assert "AWS::EC2::NatGateway" not in types and "AWS::EC2::EIP" not in types
    assert types.count("AWS::EC2::Route") == 2  # the public subnets' routes only
    assert vpc.private_subnets == []  # PRIVATE_WITH_EGRESS only, as in the CDK
    assert [s.subnet_type for s in vpc.isolated_subnets] == [SubnetType.PRIVATE_ISOLATED] * 2
    assert [s.id for s in vpc.isolated_subnets] == ["PrivateSubnet1", "PrivateSubnet2"]  # same ids as with NAT


def test_more_nat_gateways_than_zones_is_an_error(stack):
    with pytest.raises(ConstructError, match="nat_gateways is 3 but the VPC spans 2 zones") as caught:
        ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=3)
    assert caught.value.location.file == __file__


def test_given_zone_names_are_used_up_to_max_azs(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, availability_zones=["eu-west-1a", "eu-west-1b", "eu-west-1c"])

    assert [props(app, s.resource)["AvailabilityZone"] for s in vpc.public_subnets] == ["eu-west-1a", "eu-west-1b"]


def test_the_vpc_enables_dns_and_names_its_resources_by_path(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1)

    assert props(app, vpc.resource) == {"CidrBlock": "10.0.0.0/16", "EnableDnsHostnames": True,
                                        "EnableDnsSupport": True, "Tags": [{"Key": "Name", "Value": "Main/Vpc"}]}
    assert props(app, vpc.public_subnets[0].resource)["Tags"] == [{"Key": "Name", "Value": "Main/Vpc/PublicSubnet1"}]


# -- subnet selection ------------------------------------------------------------------------------


def test_select_subnets_by_type_and_by_default(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)

    assert vpc.select_subnets(subnet_type=SubnetType.PUBLIC).subnets == tuple(vpc.public_subnets)
    assert vpc.select_subnets(subnet_type=SubnetType.PRIVATE_WITH_EGRESS).subnets == tuple(vpc.private_subnets)
    assert vpc.select_subnets().subnets == tuple(vpc.private_subnets)
    assert vpc.select_subnets(ec2.SubnetSelection(subnets=vpc.public_subnets[:1])).subnet_ids == [
        vpc.public_subnets[0].subnet_id]


def test_selecting_a_type_the_vpc_lacks_is_an_error_at_the_users_line(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=0)

    with pytest.raises(ConstructError, match="has no PrivateWithEgress subnets") as caught:
        vpc.select_subnets(subnet_type=SubnetType.PRIVATE_WITH_EGRESS)
    assert caught.value.location.file == __file__


def test_selecting_another_vpcs_subnet_is_an_error(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1)
    other = ec2.Vpc(stack, "Other", max_azs=1)

    with pytest.raises(ConstructError, match="is not a subnet of VPC Main/Vpc"):
        vpc.select_subnets(subnets=other.public_subnets)


# -- ports and peers -------------------------------------------------------------------------------


@pytest.mark.parametrize("port, fields, text", [
    (Port.tcp(443), {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}, "443"),
    (Port.tcp_range(8000, 8080), {"IpProtocol": "tcp", "FromPort": 8000, "ToPort": 8080}, "8000-8080"),
    (Port.all_tcp(), {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535}, "0-65535"),
    (Port.udp(53), {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53}, "udp 53"),
    (Port.all_traffic(), {"IpProtocol": "-1"}, "all traffic"),
    (Port.icmp_ping(), {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1}, "icmp 8:-1"),
])
def test_ports_write_protocol_and_range(port, fields, text):
    assert port.rule_fields() == fields
    assert str(port) == text


@pytest.mark.parametrize("make, message", [
    (lambda: Port.tcp(70000), "Port.tcp must be a port number from 0 to 65535"),
    (lambda: Port.tcp_range(90, 80), "start 90 is above end 80"),
    (lambda: Peer.ipv4("10.0.0.0/33"), "is not an IPv4 range"),
    (lambda: Peer.ipv4("2001:db8::/32"), "is not an IPv4 range"),
    (lambda: Peer.ipv6("10.0.0.0/8"), "is not an IPv6 range"),
])
def test_bad_ports_and_peers_are_errors_at_the_users_line(make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make()
    assert caught.value.location.file == __file__


# -- security groups -------------------------------------------------------------------------------


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


def test_a_new_group_lets_nothing_in_or_out(app, stack, vpc):
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc)

    assert props(app, group.resource) == {"GroupDescription": "Main/Group", "VpcId": ref(vpc.resource),
                                          "SecurityGroupEgress": [NO_TRAFFIC]}


def test_allow_all_outbound_writes_the_one_all_traffic_rule(app, stack, vpc):
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc, allow_all_outbound=True)
    group.allow_to(Peer.any_ipv4(), Port.tcp(443))

    assert props(app, group.resource)["SecurityGroupEgress"] == [
        {"CidrIp": "0.0.0.0/0", "Description": "Allow all outbound traffic", "IpProtocol": "-1"}]


def test_rules_for_address_ranges_are_inline_and_replace_the_no_traffic_rule(app, stack, vpc):
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc)
    group.allow_from(Peer.any_ipv4(), Port.tcp(443), "clients")
    group.allow_from(Peer.ipv6("2001:db8::/32"), Port.tcp(443))
    group.allow_to(Peer.ipv4("10.1.0.0/16"), Port.udp(53))
    group.allow_from(Peer.any_ipv4(), Port.tcp(443))  # the same rule again: written once

    properties = props(app, group.resource)
    assert properties["SecurityGroupIngress"] == [
        {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Description": "clients"},
        {"CidrIpv6": "2001:db8::/32", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "Description": "from 2001:db8::/32:443"},
    ]
    assert properties["SecurityGroupEgress"] == [
        {"CidrIp": "10.1.0.0/16", "IpProtocol": "udp", "FromPort": 53, "ToPort": 53,
         "Description": "to 10.1.0.0/16:udp 53"}]


def test_allow_from_a_group_writes_its_egress_and_our_ingress_as_separate_resources(app, stack, vpc):
    web = ec2.SecurityGroup(stack, "Web", vpc=vpc)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    db.allow_from(web, Port.tcp(5432))

    written = resources(app)
    rules = {key: r for key, r in written.items() if r["Type"].startswith("AWS::EC2::SecurityGroup") and
             r["Type"] != "AWS::EC2::SecurityGroup"}
    assert sorted((r["Type"], r["Properties"]["Description"]) for r in rules.values()) == [
        ("AWS::EC2::SecurityGroupEgress", "to Db:5432"), ("AWS::EC2::SecurityGroupIngress", "from Web:5432")]
    ingress = written[db.find_child("From Web:5432").logical_id]["Properties"]
    assert ingress == {"GroupId": group_id(db), "SourceSecurityGroupId": group_id(web), "IpProtocol": "tcp",
                       "FromPort": 5432, "ToPort": 5432, "Description": "from Web:5432"}
    egress = written[web.find_child("To Db:5432").logical_id]["Properties"]
    assert egress == {"GroupId": group_id(web), "DestinationSecurityGroupId": group_id(db), "IpProtocol": "tcp",
                      "FromPort": 5432, "ToPort": 5432, "Description": "to Db:5432"}
    # neither group lists the other inline: no cycle, and the no-traffic rule keeps EC2's default out
    assert "SecurityGroupIngress" not in written[db.resource.logical_id]["Properties"]
    assert written[web.resource.logical_id]["Properties"]["SecurityGroupEgress"] == [NO_TRAFFIC]


def test_allow_to_a_group_is_the_same_pair_of_rules(app, stack, vpc):
    web = ec2.SecurityGroup(stack, "Web", vpc=vpc)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    web.allow_to(db, Port.tcp(5432))
    db.allow_from(web, Port.tcp(5432))  # already there: nothing new

    assert [c.id for c in web.children if c.id != "Resource"] == ["To Db:5432"]
    assert [c.id for c in db.children if c.id != "Resource"] == ["From Web:5432"]
    assert [(r.direction, r.port) for r in db.ingress_rules] == [("ingress", Port.tcp(5432))]


def test_a_groups_connections_are_the_group(app, stack, vpc):
    web = ec2.SecurityGroup(stack, "Web", vpc=vpc)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    db.connections.allow_from(web.connections, Port.tcp(5432))

    assert db.connections.security_groups == [db]
    assert [c.id for c in db.children if c.id != "Resource"] == ["From Web:5432"]


def test_a_peer_that_allows_all_outbound_gets_no_egress_rule(app, stack, vpc):
    web = ec2.SecurityGroup(stack, "Web", vpc=vpc, allow_all_outbound=True)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    db.allow_from(web, Port.tcp(5432))

    assert [r["Type"] for r in resources(app).values()].count("AWS::EC2::SecurityGroupEgress") == 0
    assert web.egress_rules == []


def test_a_bad_peer_is_an_error_at_the_users_line(stack, vpc):
    group = ec2.SecurityGroup(stack, "Group", vpc=vpc)
    with pytest.raises(ConstructError, match="the peer must be ec2.Peer.ipv4") as caught:
        group.allow_from("0.0.0.0/0", Port.tcp(80))
    assert caught.value.location.file == __file__
    with pytest.raises(ConstructError, match="the port must be an ec2.Port"):
        group.allow_to(Peer.any_ipv4(), 443)


def test_a_group_needs_a_vpc(stack):
    with pytest.raises(ConstructError, match="vpc must be Vpc, got str 'vpc-123'") as caught:
        ec2.SecurityGroup(stack, "Group", vpc="vpc-123")
    assert caught.value.location.file == __file__
    with pytest.raises(ConstructError, match="SecurityGroup 'Other' needs the argument vpc="):
        ec2.SecurityGroup(stack, "Other")


def test_a_group_description_is_checked_against_the_registry_schema(stack, vpc):
    longest = property_length("AWS::EC2::SecurityGroup", "GroupDescription")[1]
    assert longest is not None
    ec2.SecurityGroup(stack, "Fits", vpc=vpc, description="x" * longest)
    with pytest.raises(ConstructError, match=r"description: 'x+' is too long .*AWS::EC2::SecurityGroup "
                                             r"GroupDescription, per its schema") as caught:
        ec2.SecurityGroup(stack, "TooLong", vpc=vpc, description="x" * (longest + 1))
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/TooLong"


@pytest.mark.parametrize("make, message, hint", [
    (lambda s: ec2.Vpc(s, "Vpc", max_az=2), "Vpc 'Vpc' has no argument 'max_az'", "did you mean max_azs?"),
    (lambda s: ec2.SecurityGroup(s, "Group", vpc=ec2.Vpc(s, "Vpc"), allow_all_outbund=True),
     "SecurityGroup 'Group' has no argument 'allow_all_outbund'", "did you mean allow_all_outbound?"),
])
def test_a_misspelt_prop_names_the_closest_one_at_the_users_line(stack, make, message, hint):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack)
    assert caught.value.hint == hint
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("options, message", [
    ({"nat_gateways": 7}, "nat_gateways: 7 is not a whole number from 0 to 6"),
    ({"availability_zones": []}, r"availability_zones: \[\] is not a non-empty list of zone names"),
    ({"availability_zones": ["eu-west-1a", "eu-west-1a"]}, "a zone is listed twice"),
    ({"availability_zones": "eu-west-1a"}, r"availability_zones must be Sequence\[str\] \| None"),
    ({"enable_dns_support": False}, "enable_dns_hostnames needs enable_dns_support"),
    ({"enable_dns_hostnames": "yes"}, "enable_dns_hostnames must be bool, got str 'yes'"),
    ({"cidr": f"{Fn.sub('${AWS::StackName}')}"}, "cidr: .* is not a literal IPv4 range .*deploy-time value"),
    ({"cidr": Fn.sub("${AWS::StackName}")}, "cidr must be str, got Sub"),
])
def test_bad_vpc_props_are_errors_at_the_users_line(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        ec2.Vpc(stack, "Vpc", **options)
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Vpc"


def test_vpc_and_groups_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Net")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3, nat_gateways=2)
    web = ec2.SecurityGroup(stack, "Web", vpc=vpc)
    db = ec2.SecurityGroup(stack, "Db", vpc=vpc, allow_all_outbound=True)
    web.allow_from(Peer.any_ipv4(), Port.tcp(443))
    db.allow_from(web, Port.tcp(5432))
    web.allow_to(Peer.ipv4(vpc.cidr), Port.all_traffic())

    assert lint_template(synthesize(app).stack("Net").body, "us-east-1") == []


def test_generated_descriptions_keep_to_the_characters_and_length_ec2_takes():
    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    web = ec2.SecurityGroup(stack, "Web's group ü", vpc=vpc)
    db = ec2.SecurityGroup(stack, "D" * 300, vpc=vpc)
    db.allow_from(web, Port.tcp(5432))

    template = synthesize(app).template("Main")["Resources"]
    assert template[web.resource.logical_id]["Properties"]["GroupDescription"] == "Main/Web_s group _"
    assert len(template[db.resource.logical_id]["Properties"]["GroupDescription"]) == 255
    rule = next(entry for entry in template.values() if entry["Type"] == "AWS::EC2::SecurityGroupIngress")
    assert rule["Properties"]["Description"] == "from Web_s group _:5432"
    validate_assembly(synthesize(app), lint=False)  # the schema's GroupDescription pattern and length hold


def test_groups_made_for_other_constructs_describe_them_as_ec2_takes():
    from iac.constructs import awslambda

    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    endpoint = vpc.add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.SQS, id="Queues' endpoint")
    function = awslambda.Function(stack, "Résumé parser", runtime="python3.13", handler="index.main",
                                  code=awslambda.Code.from_inline("def main(event, context):\n    pass\n"), vpc=vpc)

    template = synthesize(app).template("Main")["Resources"]
    descriptions = [template[group.resource.logical_id]["Properties"]["GroupDescription"]
                    for group in (*endpoint.security_groups, *function.connections.security_groups)]
    assert descriptions == ["Main/Vpc/Queues_ endpoint (interface endpoint)", "Main/R_sum_ parser (Lambda function)"]
    validate_assembly(synthesize(app), lint=False)
