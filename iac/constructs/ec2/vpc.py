"""VPCs: a public and a private subnet in every availability zone by default, or the subnet groups
`subnet_configuration=` lists, with the routes, gateways and NAT gateways their types need.

    vpc = ec2.Vpc(stack, "Network", max_azs=2)

A Vpc makes, per availability zone, a public subnet (its route table sends 0.0.0.0/0 to the internet
gateway) and a private subnet (0.0.0.0/0 goes to a NAT gateway, so tasks can pull images and call
AWS without being reachable from the internet). Subnet ranges are computed, never hand-typed; see
`subnet_cidr_blocks` for the scheme. The zones are `Fn::Select(i, Fn::GetAZs(""))`: the names are
only known to CloudFormation (AZ letters are mapped per account), so a template works in any region.

With `subnet_configuration=[SubnetConfiguration(name=, subnet_type=, cidr_mask=)]` the VPC has those
groups instead, one subnet per zone each: an internet gateway only if a group is PUBLIC, NAT gateways
only for PRIVATE_WITH_EGRESS groups, no route out at all for PRIVATE_ISOLATED ones (endpoints reach AWS
services: endpoints.py); `ipv6=True` makes it dual stack.

Stability contract (changing these ids replaces the resources): subnets live at `<vpc>/<group>Subnet<n>`
(n from 1, in zone order); the default groups are "Public" and "Private", so a default VPC's subnets are
`<vpc>/PublicSubnet<n>` and `<vpc>/PrivateSubnet<n>` whatever `nat_gateways` is.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import attrs

from iac.constructs.core import CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.tokens import stable_key
from iac.constructs.ec2.subnet_ranges import MAX_SUBNET_PREFIX, subnet_cidr_blocks, subnet_group_cidr_blocks
from iac.errors import ConstructError

ANY_IPV4 = "0.0.0.0/0"
ANY_IPV6 = "::/0"
IPV6_SUBNET_HOST_BITS = "64"  # each subnet a /64 of the VPC's Amazon-provided /56 (EC2 takes /64 subnets only)
MIN_VPC_PREFIX = 16  # EC2's limits for a VPC's primary range
MAX_VPC_PREFIX = 28
MAX_AZS = 6
MAX_IPV6_SUBNETS = 256  # /64s in the /56 EC2 gives a VPC


class SubnetType:
    """What a subnet can reach: the internet both ways, the internet outbound only, or nothing outside."""

    PUBLIC = "Public"
    PRIVATE_WITH_EGRESS = "PrivateWithEgress"  # default route to a NAT gateway
    PRIVATE_ISOLATED = "PrivateIsolated"  # no default route (a VPC with nat_gateways=0)


SUBNET_TYPES = (SubnetType.PUBLIC, SubnetType.PRIVATE_WITH_EGRESS, SubnetType.PRIVATE_ISOLATED)


# -- subnet ranges ---------------------------------------------------------------------------------

def vpc_cidr_rule(value: Any) -> str | None:
    """A VPC range iac can cut into subnets: a literal IPv4 network, /16 to /28."""
    if not isinstance(value, str) or is_token(value):
        return (f"{value!r} is not a literal IPv4 range such as '10.0.0.0/16' (the subnet ranges are computed "
                "from it, so it cannot be a deploy-time value)")
    try:
        network = ipaddress.IPv4Network(value)
    except ValueError:
        try:
            hint = f"; did you mean {ipaddress.IPv4Network(value, strict=False)}?"
        except ValueError:
            hint = ""
        return f"{value!r} is not an IPv4 network range such as '10.0.0.0/16'{hint}"
    if not MIN_VPC_PREFIX <= network.prefixlen <= MAX_VPC_PREFIX:
        return (f"{value} is a /{network.prefixlen}; a VPC range must be /{MIN_VPC_PREFIX} (65,536 addresses) "
                f"to /{MAX_VPC_PREFIX}")
    return None


def count_rule(low: int, high: int) -> Any:
    """A whole number from `low` to `high` (zones a VPC spans, NAT gateways it has)."""
    def rule(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return f"{value!r} is not a whole number from {low} to {high}"
        return None

    rule.__name__ = f"count_{low}_to_{high}"
    return rule


def zones_rule(value: Any) -> str | None:
    """Zone names, each once."""
    if not value or not all(isinstance(zone, str) and zone for zone in value):
        return f"{value!r} is not a non-empty list of zone names such as 'eu-west-1a'"
    if len(set(value)) != len(value):
        return f"a zone is listed twice: {list(value)}"
    return None


# -- subnets ---------------------------------------------------------------------------------------

def subnet_type_rule(value: str) -> str | None:
    return None if value in SUBNET_TYPES else f"{value!r} is not one of {', '.join(SUBNET_TYPES)}"


def _name_tag(construct: Construct) -> list[dict[str, str]]:
    """A Name tag with the construct path, so the console shows which construct made the resource."""
    return [{"Key": "Name", "Value": construct.path}]


class Subnet(Construct):
    """One subnet with a route table of its own (so each can have its own default route); a Vpc makes
    them (`vpc.public_subnets`, `vpc.private_subnets`, `vpc.isolated_subnets`, `vpc.subnet_groups`).

    Args:
        vpc: the VPC it belongs to.
        cidr_block: its IPv4 range, inside the VPC's.
        availability_zone: its zone: a name, or a deploy-time value such as `Fn.select(0, Fn.get_azs(""))`.
        subnet_type: what it can reach: a SubnetType value.
        subnet_group_name: the name of the subnet group (SubnetConfiguration) it belongs to; by default
            "Public" for a public subnet and "Private" for the others.
        ipv6_cidr_block: its IPv6 range (a /64 of the VPC's), in a dual-stack VPC; its network interfaces
            then get an IPv6 address too.
    """

    cfn_type = "AWS::EC2::Subnet"

    def __init__(self, scope: Construct, id: str, *, vpc: Vpc, cidr_block: Annotated[str, Cfn("CidrBlock")],
                 availability_zone: Annotated[Any, Cfn("AvailabilityZone")],
                 subnet_type: Annotated[str, Check(subnet_type_rule)],
                 subnet_group_name: str | None = None,
                 ipv6_cidr_block: Annotated[Any, Cfn("Ipv6CidrBlock")] = None) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        self.cidr_block = cidr_block
        self.availability_zone = availability_zone
        self.subnet_type = subnet_type
        self.subnet_group_name = subnet_group_name or ("Public" if subnet_type == SubnetType.PUBLIC else "Private")
        self.resource = CfnResource(self, "Resource", type="AWS::EC2::Subnet", properties={
            "VpcId": vpc.vpc_id,
            "CidrBlock": cidr_block,
            "AvailabilityZone": availability_zone,
            "Ipv6CidrBlock": ipv6_cidr_block,
            "AssignIpv6AddressOnCreation": True if ipv6_cidr_block is not None else None,
            "Tags": _name_tag(self),
        })
        self.route_table = CfnResource(self, "RouteTable", type="AWS::EC2::RouteTable", properties={
            "VpcId": vpc.vpc_id, "Tags": _name_tag(self)})
        self.route_table_association = CfnResource(
            self, "RouteTableAssociation", type="AWS::EC2::SubnetRouteTableAssociation",
            properties={"RouteTableId": self.route_table.ref, "SubnetId": self.subnet_id})
        self.default_route: CfnResource | None = None
        self.ipv6_default_route: CfnResource | None = None
        self.nat_gateway: CfnResource | None = None

    @property
    def subnet_id(self) -> Token:
        return self.resource.ref

    @property
    def route_table_id(self) -> Token:
        return self.route_table.ref

    @property
    def internet_connectivity(self) -> list[CfnResource]:
        """What must exist before this subnet reaches the internet (its default route and the route
        table's association); empty for an isolated subnet."""
        if self.default_route is None:
            return []
        return [self.default_route, *filter(None, [self.ipv6_default_route]), self.route_table_association]

    def _add_default_route(self, **target: Any) -> CfnResource:
        """0.0.0.0/0 to `target` (GatewayId= or NatGatewayId=)."""
        self.default_route = CfnResource(self, "DefaultRoute", type="AWS::EC2::Route", properties={
            "RouteTableId": self.route_table.ref, "DestinationCidrBlock": ANY_IPV4, **target})
        return self.default_route

    def _add_ipv6_default_route(self, **target: Any) -> CfnResource:
        """::/0 to `target` (GatewayId= or EgressOnlyInternetGatewayId=)."""
        self.ipv6_default_route = CfnResource(self, "Ipv6DefaultRoute", type="AWS::EC2::Route", properties={
            "RouteTableId": self.route_table.ref, "DestinationIpv6CidrBlock": ANY_IPV6, **target})
        if self.vpc.ipv6_cidr_block is not None:
            self.ipv6_default_route.add_depends_on(self.vpc.ipv6_cidr_block)  # ::/0 once the VPC has IPv6
        return self.ipv6_default_route

    def _add_nat_gateway(self) -> CfnResource:
        """A NAT gateway with its Elastic IP, usable once this (public) subnet reaches the internet."""
        attachment = self.vpc.internet_gateway_attachment
        assert attachment is not None, "a NAT gateway is only made in a public subnet"
        eip = CfnResource(self, "EIP", type="AWS::EC2::EIP", properties={"Domain": "vpc", "Tags": _name_tag(self)},
                          depends_on=[attachment])
        self.nat_gateway = CfnResource(self, "NATGateway", type="AWS::EC2::NatGateway", properties={
            "SubnetId": self.subnet_id,
            "AllocationId": eip.get_att("AllocationId"),
            "Tags": _name_tag(self),
        })
        self.nat_gateway.add_depends_on(*(r for r in (self.default_route, self.route_table_association) if r))
        return self.nat_gateway


# -- subnet groups ---------------------------------------------------------------------------------

_GROUP_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _group_name(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, str) or not _GROUP_NAME.fullmatch(value):
        raise ConstructError(f"SubnetConfiguration name must be letters and digits starting with a letter (it names "
                             f"the subnets: <name>Subnet1, ...), got {value!r}", location=caller_location())


def _group_type(instance: Any, attribute: Any, value: Any) -> None:
    problem = subnet_type_rule(value)
    if problem:
        raise ConstructError(f"SubnetConfiguration subnet_type: {problem} (ec2.SubnetType.PUBLIC, ...)",
                             location=caller_location())


def _group_mask(instance: Any, attribute: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_VPC_PREFIX <= value <= MAX_SUBNET_PREFIX:
        raise ConstructError(f"SubnetConfiguration cidr_mask must be a prefix length from {MIN_VPC_PREFIX} to "
                             f"{MAX_SUBNET_PREFIX} (24 is 256 addresses), got {value!r}", location=caller_location())


@attrs.frozen(kw_only=True)
class SubnetConfiguration:
    """A group of subnets, one in each of the VPC's zones, all of one type:
    `SubnetConfiguration(name="Db", subnet_type=SubnetType.PRIVATE_ISOLATED, cidr_mask=24)`.

    `name` names the subnets (`<vpc>/<name>Subnet<n>`: changing it replaces them); `cidr_mask` is each
    subnet's prefix length (default: the groups without one share what the others leave, equally).
    """

    name: str = attrs.field(validator=_group_name)
    subnet_type: str = attrs.field(validator=_group_type)
    cidr_mask: int | None = attrs.field(default=None, validator=_group_mask)


def default_subnet_configuration(nat_gateways: int | None) -> tuple[SubnetConfiguration, ...]:
    """What a Vpc makes without `subnet_configuration`: a "Public" and a "Private" group, the private
    one isolated when there are no NAT gateways (same subnet ids either way)."""
    private = SubnetType.PRIVATE_ISOLATED if nat_gateways == 0 else SubnetType.PRIVATE_WITH_EGRESS
    return (SubnetConfiguration(name="Public", subnet_type=SubnetType.PUBLIC),
            SubnetConfiguration(name="Private", subnet_type=private))


def subnet_configuration_rule(value: Any) -> str | None:
    """A non-empty list of SubnetConfiguration with distinct names."""
    if not value:
        return "an empty subnet_configuration makes no subnets; give at least one SubnetConfiguration"
    names = [group.name for group in value if isinstance(group, SubnetConfiguration)]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        return f"two subnet groups are named {twice[0]!r}: each group's name must be its own (it names the subnets)"
    return None


# -- selection -------------------------------------------------------------------------------------

def _selection_type(instance: Any, attribute: Any, value: Any) -> None:
    problem = None if value is None else subnet_type_rule(value)
    if problem:
        raise ConstructError(f"SubnetSelection subnet_type: {problem} (ec2.SubnetType.PUBLIC, ...)",
                             location=caller_location())


@attrs.frozen(kw_only=True)
class SubnetSelection:
    """Which subnets of a VPC a construct uses: by type, by group name, or the given subnets;
    `one_per_az=True` keeps the first of each zone (what a VPC endpoint or a load balancer takes)."""

    subnet_type: str | None = attrs.field(default=None, validator=_selection_type)
    subnet_group_name: str | None = None
    subnets: tuple[Subnet, ...] | None = attrs.field(
        default=None, converter=lambda v: tuple(v) if v is not None else None)
    one_per_az: bool = False

    def __attrs_post_init__(self) -> None:
        given = [name for name in ("subnet_type", "subnet_group_name", "subnets") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ConstructError(f"SubnetSelection: give one of subnet_type, subnet_group_name or subnets, not "
                                 f"{' and '.join(given)}", location=caller_location())


@attrs.frozen
class SelectedSubnets:
    """The result of `vpc.select_subnets(...)`: the subnets and their ids (tokens) in zone order."""

    subnets: tuple[Subnet, ...]

    @property
    def subnet_ids(self) -> list[Token]:
        return [subnet.subnet_id for subnet in self.subnets]

    @property
    def availability_zones(self) -> list[Any]:
        return [subnet.availability_zone for subnet in self.subnets]

    @property
    def route_table_ids(self) -> list[Token]:
        return [subnet.route_table_id for subnet in self.subnets]

    @property
    def internet_connectivity(self) -> list[CfnResource]:
        """What must exist before these subnets reach the internet (nothing for isolated ones)."""
        return [resource for subnet in self.subnets for resource in subnet.internet_connectivity]


# -- the VPC ---------------------------------------------------------------------------------------

class Vpc(Construct):
    """A VPC with a public and a private subnet in each of `max_azs` zones (default 3), or the subnet
    groups `subnet_configuration` lists.

    The VPC's story: the VPC, its zones, an internet gateway (only if a group is public), the subnets
    group by group, the public ones routed to the gateway, the NAT gateways in the first public group's
    first subnets, the PRIVATE_WITH_EGRESS subnets routed to them; PRIVATE_ISOLATED subnets get no route
    out (reach AWS services through endpoints: `add_gateway_endpoint`, `add_interface_endpoint`).

    Args:
        cidr: the VPC's IPv4 range, /16 to /28 ("10.0.0.0/16"); the subnet ranges are computed from
            it (see `subnet_group_cidr_blocks`), so it must be a literal.
        max_azs: how many zones the VPC spans, 1 to 6 (3); the VPC uses exactly this many, so the
            region must have them: most have 3 or more, us-east-1 has 6, us-west-1 offers most
            accounts 2.
        nat_gateways: how many NAT gateways (default one per zone when a group is PRIVATE_WITH_EGRESS, so
            one zone failing leaves the others their way out; none otherwise); fewer saves money, and the
            egress subnet of zone i routes through gateway `i mod nat_gateways`. Without
            `subnet_configuration`, 0 makes the private subnets isolated.
        availability_zones: zone names to use instead of `Fn::GetAZs` (the first `max_azs` of
            them); cfn-lint warns about hard-coded zones.
        subnet_configuration: the subnet groups, each a `SubnetConfiguration(name=, subnet_type=,
            cidr_mask=)` with one subnet per zone (default: "Public" and "Private"). No PUBLIC group
            means no internet gateway; PRIVATE_WITH_EGRESS needs a PUBLIC group for its NAT gateways.
        enable_dns_hostnames: give instances DNS hostnames (on: ECS, VPC endpoints and load
            balancers need it); needs enable_dns_support.
        enable_dns_support: resolve DNS through the Amazon-provided server (on).
        ipv6: dual stack: an Amazon-provided IPv6 /56 for the VPC and a /64 for each subnet (at most 256
            subnets), with ::/0 routed to the internet gateway from public subnets and to an
            egress-only internet gateway (out, never in) from PRIVATE_WITH_EGRESS ones (off).
    """

    cfn_type = "AWS::EC2::VPC"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cidr: Annotated[str, Cfn("CidrBlock"), Check(vpc_cidr_rule)] = "10.0.0.0/16",
        max_azs: Annotated[int, Check(count_rule(1, MAX_AZS))] = 3,
        nat_gateways: Annotated[int | None, Check(count_rule(0, MAX_AZS))] = None,
        availability_zones: Annotated[Sequence[str] | None, Check(zones_rule)] = None,
        subnet_configuration: Annotated[Sequence[SubnetConfiguration] | None,
                                        Check(subnet_configuration_rule)] = None,
        enable_dns_hostnames: Annotated[bool, Cfn("EnableDnsHostnames")] = True,
        enable_dns_support: Annotated[bool, Cfn("EnableDnsSupport")] = True,
        ipv6: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.cidr: str = cidr
        self.max_azs = max_azs
        self.dns_hostnames_enabled = enable_dns_hostnames
        self.dns_support_enabled = enable_dns_support
        zone_count = min(max_azs, len(availability_zones)) if availability_zones else max_azs
        self.subnet_configuration: tuple[SubnetConfiguration, ...] = (
            tuple(subnet_configuration) if subnet_configuration else default_subnet_configuration(nat_gateways))
        nat_count, ranges = self._check_combination(zone_count, nat_gateways, subnet_configuration is not None,
                                                    enable_dns_hostnames, enable_dns_support)
        self.resource = CfnResource(self, "Resource", type="AWS::EC2::VPC", properties={
            "CidrBlock": self.cidr,
            "EnableDnsHostnames": enable_dns_hostnames,
            "EnableDnsSupport": enable_dns_support,
            "Tags": _name_tag(self),
        })
        self.availability_zones: list[Any] = self._zones(availability_zones, zone_count)
        self.internet_gateway: CfnResource | None = None
        self.internet_gateway_attachment: CfnResource | None = None
        if self._groups_of(SubnetType.PUBLIC):
            self.internet_gateway, self.internet_gateway_attachment = self._internet_gateway()
        self.ipv6_cidr_block: CfnResource | None = None
        self.egress_only_internet_gateway: CfnResource | None = None
        ipv6_ranges = self._ipv6(ipv6, sum(len(cidrs) for cidrs in ranges))
        self.subnet_groups: dict[str, list[Subnet]] = {
            group.name: [self._subnet(group, n, cidr, next(ipv6_ranges)) for n, cidr in enumerate(cidrs)]
            for group, cidrs in zip(self.subnet_configuration, ranges, strict=True)}
        for subnet in self.public_subnets:
            self._route_to_internet_gateway(subnet)
        nat_group = self._groups_of(SubnetType.PUBLIC)[:1]
        nat_subnets = self.subnet_groups[nat_group[0].name][:nat_count] if nat_group else []
        self.nat_gateways: list[CfnResource] = [subnet._add_nat_gateway() for subnet in nat_subnets]
        for group in self._groups_of(SubnetType.PRIVATE_WITH_EGRESS):
            for index, subnet in enumerate(self.subnet_groups[group.name]):
                subnet._add_default_route(NatGatewayId=self.nat_gateways[index % len(self.nat_gateways)].ref)
                if self.egress_only_internet_gateway is not None:
                    subnet._add_ipv6_default_route(EgressOnlyInternetGatewayId=self.egress_only_internet_gateway.ref)

    @classmethod
    def from_attributes(cls, scope: Construct, id: str, *, vpc_id: str | Token, availability_zones: Sequence[Any],
                        public_subnet_ids: Sequence[Any] = (), private_subnet_ids: Sequence[Any] = (),
                        isolated_subnet_ids: Sequence[Any] = (), public_subnet_route_table_ids: Sequence[Any] = (),
                        private_subnet_route_table_ids: Sequence[Any] = (),
                        isolated_subnet_route_table_ids: Sequence[Any] = (),
                        vpc_cidr_block: str | None = None) -> ImportedVpc:
        """A VPC that exists, by its id and its subnets' ids (one per zone of `availability_zones` in each
        list): subnets are selected, and security groups, endpoints, flow logs, functions and load balancers
        placed in it, as in a VPC of the stack; it makes no resource."""
        return ImportedVpc(scope, id, vpc_id=vpc_id, availability_zones=availability_zones,
                           public_subnet_ids=public_subnet_ids, private_subnet_ids=private_subnet_ids,
                           isolated_subnet_ids=isolated_subnet_ids,
                           public_subnet_route_table_ids=public_subnet_route_table_ids,
                           private_subnet_route_table_ids=private_subnet_route_table_ids,
                           isolated_subnet_route_table_ids=isolated_subnet_route_table_ids,
                           vpc_cidr_block=vpc_cidr_block)

    def _groups_of(self, subnet_type: str) -> list[SubnetConfiguration]:
        return [group for group in self.subnet_configuration if group.subnet_type == subnet_type]

    def _check_combination(self, zone_count: int, nat_gateways: int | None, configured: bool, dns_hostnames: bool,
                           dns_support: bool) -> tuple[int, list[list[str]]]:
        """The rules between props (each prop alone was checked against its declaration); returns the
        number of NAT gateways and each group's subnet ranges."""
        problem = None
        egress = [group.name for group in self._groups_of(SubnetType.PRIVATE_WITH_EGRESS)]
        public = self._groups_of(SubnetType.PUBLIC)
        nat_count = nat_gateways if nat_gateways is not None else (zone_count if egress else 0)
        ranges: list[list[str]] = []
        if nat_gateways is not None and nat_gateways > zone_count:
            problem = (f"nat_gateways is {nat_gateways} but the VPC spans {zone_count} zones; at most one NAT "
                       "gateway per zone")
        elif egress and not public:
            problem = (f"subnet group {egress[0]!r} is PRIVATE_WITH_EGRESS, which routes through NAT gateways, and "
                       "NAT gateways live in public subnets: add a PUBLIC group, or make the group PRIVATE_ISOLATED "
                       "(and reach AWS services through VPC endpoints)")
        elif egress and nat_count == 0:
            problem = (f"subnet group {egress[0]!r} is PRIVATE_WITH_EGRESS but nat_gateways is 0, so it would have no "
                       "way out: make it PRIVATE_ISOLATED or allow NAT gateways")
        elif configured and not egress and nat_count:
            problem = (f"nat_gateways is {nat_count} but no subnet group is PRIVATE_WITH_EGRESS: nothing would route "
                       "through them")
        elif dns_hostnames and not dns_support:
            problem = "enable_dns_hostnames needs enable_dns_support (EC2 refuses hostnames without DNS)"
        else:
            try:
                ranges = (list(subnet_cidr_blocks(self.cidr, zone_count)) if not configured else
                          subnet_group_cidr_blocks(self.cidr, zone_count,
                                                   [group.cidr_mask for group in self.subnet_configuration]))
            except ValueError as error:
                problem = str(error)
        if problem:
            raise ConstructError(f"invalid argument for Vpc {self.id!r}: {problem}", path=self.path,
                                 location=self.location)
        return nat_count, ranges

    def _zones(self, given: Sequence[str] | None, count: int) -> list[Any]:
        if given:
            return list(given[:count])
        return [Fn.select(index, Fn.get_azs("")) for index in range(count)]

    def _internet_gateway(self) -> tuple[CfnResource, CfnResource]:
        gateway = CfnResource(self, "IGW", type="AWS::EC2::InternetGateway", properties={"Tags": _name_tag(self)})
        attachment = CfnResource(self, "VPCGW", type="AWS::EC2::VPCGatewayAttachment", properties={
            "VpcId": self.vpc_id, "InternetGatewayId": gateway.ref})
        return gateway, attachment

    def _ipv6(self, enabled: bool, subnet_count: int) -> Iterator[Any]:
        """The subnets' IPv6 ranges in order (None each without IPv6): /64s cut from the VPC's /56 by
        Fn::Cidr, since the /56 is only known once EC2 has given it."""
        if not enabled:
            return itertools.repeat(None)
        if subnet_count > MAX_IPV6_SUBNETS:
            raise ConstructError(f"invalid argument for Vpc {self.id!r}: a dual-stack VPC has room for "
                                 f"{MAX_IPV6_SUBNETS} /64 subnets, not {subnet_count}", path=self.path,
                                 location=self.location)
        self.ipv6_cidr_block = CfnResource(self, "Ipv6CidrBlock", type="AWS::EC2::VPCCidrBlock", properties={
            "VpcId": self.vpc_id, "AmazonProvidedIpv6CidrBlock": True})
        if self._groups_of(SubnetType.PRIVATE_WITH_EGRESS):
            self.egress_only_internet_gateway = CfnResource(
                self, "EIGW", type="AWS::EC2::EgressOnlyInternetGateway", properties={"VpcId": self.vpc_id})
        blocks = Fn.cidr(Fn.select(0, self.resource.get_att("Ipv6CidrBlocks")), subnet_count, IPV6_SUBNET_HOST_BITS)
        return (Fn.select(index, blocks) for index in range(subnet_count))

    def _subnet(self, group: SubnetConfiguration, index: int, cidr: str, ipv6_cidr: Any) -> Subnet:
        subnet = Subnet(self, f"{group.name}Subnet{index + 1}", vpc=self, cidr_block=cidr,
                        availability_zone=self.availability_zones[index], subnet_type=group.subnet_type,
                        subnet_group_name=group.name, ipv6_cidr_block=ipv6_cidr)
        if self.ipv6_cidr_block is not None:
            subnet.resource.add_depends_on(self.ipv6_cidr_block)  # the /64 is cut from a block EC2 must give first
        return subnet

    def _route_to_internet_gateway(self, subnet: Subnet) -> None:
        assert self.internet_gateway is not None and self.internet_gateway_attachment is not None
        route = subnet._add_default_route(GatewayId=self.internet_gateway.ref)
        route.add_depends_on(self.internet_gateway_attachment)  # a route to an unattached gateway fails
        if self.ipv6_cidr_block is not None:
            subnet._add_ipv6_default_route(GatewayId=self.internet_gateway.ref).add_depends_on(
                self.internet_gateway_attachment)

    # -- references -------------------------------------------------------------------------------

    @property
    def vpc_id(self) -> Token:
        return self.resource.ref

    @property
    def vpc_cidr_block(self) -> str:
        return self.cidr

    @property
    def subnets(self) -> list[Subnet]:
        """Every subnet, group by group."""
        return [subnet for group in self.subnet_groups.values() for subnet in group]

    @property
    def public_subnets(self) -> list[Subnet]:
        return [subnet for subnet in self.subnets if subnet.subnet_type == SubnetType.PUBLIC]

    @property
    def private_subnets(self) -> list[Subnet]:
        """The PRIVATE_WITH_EGRESS subnets (out through NAT); isolated ones are `isolated_subnets`."""
        return [subnet for subnet in self.subnets if subnet.subnet_type == SubnetType.PRIVATE_WITH_EGRESS]

    @property
    def isolated_subnets(self) -> list[Subnet]:
        return [subnet for subnet in self.subnets if subnet.subnet_type == SubnetType.PRIVATE_ISOLATED]

    @property
    def internet_connectivity(self) -> list[CfnResource]:
        """What must exist before anything in a public subnet can reach or be reached from the
        internet (an internet-facing load balancer depends on these); empty without public subnets."""
        resources = [self.internet_gateway_attachment] if self.internet_gateway_attachment is not None else []
        for subnet in self.public_subnets:
            resources += subnet.internet_connectivity
        return resources

    # -- selection --------------------------------------------------------------------------------

    def select_subnets(self, selection: SubnetSelection | None = None, *, subnet_type: str | None = None,
                       subnet_group_name: str | None = None, subnets: Sequence[Subnet] | None = None,
                       one_per_az: bool = False) -> SelectedSubnets:
        """The subnets a selection names: `select_subnets(subnet_type=SubnetType.PUBLIC)`,
        `select_subnets(subnet_group_name="Db")`, a `SubnetSelection`, or given subnets (which must belong
        to this VPC). Without arguments: the PRIVATE_WITH_EGRESS subnets (where workloads belong), else the
        isolated ones, else the public ones. `one_per_az=True` keeps the first subnet of each zone."""
        location = caller_location()
        if selection is None:
            try:
                selection = SubnetSelection(subnet_type=subnet_type, subnet_group_name=subnet_group_name,
                                            subnets=subnets, one_per_az=one_per_az)
            except (TypeError, ValueError) as error:
                raise ConstructError(f"select_subnets: {error}", path=self.path, location=location) from None
        if selection.subnets is not None:
            chosen = self._own_subnets(selection.subnets, location)
        elif selection.subnet_group_name is not None:
            chosen = self._group(selection.subnet_group_name, location)
        elif selection.subnet_type is None:
            chosen = tuple(self.private_subnets or self.isolated_subnets or self.public_subnets)
        else:
            chosen = self._of_type(selection.subnet_type, location)
        return SelectedSubnets(_one_per_zone(chosen) if selection.one_per_az else chosen)

    def _of_type(self, subnet_type: str, location: SourceLocation | None) -> tuple[Subnet, ...]:
        chosen = tuple(subnet for subnet in self.subnets if subnet.subnet_type == subnet_type)
        if not chosen:
            have = sorted({subnet.subnet_type for subnet in self.subnets})
            raise ConstructError(f"VPC {self.path} has no {subnet_type} subnets (it has {', '.join(have)})",
                                 path=self.path, location=location,
                                 hint="private subnets have egress only when the VPC has NAT gateways "
                                      "(nat_gateways >= 1)")
        return chosen

    def _group(self, name: str, location: SourceLocation | None) -> tuple[Subnet, ...]:
        if name not in self.subnet_groups:
            raise ConstructError(f"VPC {self.path} has no subnet group {name!r} (it has "
                                 f"{', '.join(map(repr, self.subnet_groups))})", path=self.path, location=location)
        return tuple(self.subnet_groups[name])

    def _own_subnets(self, subnets: Sequence[Subnet], location: SourceLocation | None) -> tuple[Subnet, ...]:
        for subnet in subnets:
            if not isinstance(subnet, Subnet) or subnet.vpc is not self:
                raise ConstructError(f"select_subnets: {subnet!r} is not a subnet of VPC {self.path}",
                                     path=self.path, location=location)
        if not subnets:
            raise ConstructError("select_subnets: an empty list of subnets selects nothing", path=self.path,
                                 location=location)
        return tuple(subnets)

    # -- endpoints and flow logs ------------------------------------------------------------------

    def add_gateway_endpoint(self, service: GatewayVpcEndpointService, *, id: str | None = None,
                             subnets: Sequence[SubnetSelection] | None = None) -> GatewayVpcEndpoint:
        """A gateway endpoint (S3 or DynamoDB) routed from the route tables of `subnets` (default: every
        subnet): `vpc.add_gateway_endpoint(ec2.GatewayVpcEndpointAwsService.S3)`. The child `id` defaults
        to the service's name + "Endpoint" ("S3Endpoint")."""
        from iac.constructs.ec2.endpoints import GatewayVpcEndpoint, endpoint_id

        return GatewayVpcEndpoint(self, id or endpoint_id(service), vpc=self, service=service, subnets=subnets)

    def add_interface_endpoint(self, service: InterfaceVpcEndpointService, *, id: str | None = None,
                               subnets: SubnetSelection | None = None, private_dns_enabled: bool | None = None,
                               security_groups: Sequence[SecurityGroup] | None = None,
                               open: bool = True) -> InterfaceVpcEndpoint:
        """An interface endpoint (a network interface per zone in `subnets`, default the private or
        isolated ones) with a security group of its own that lets the VPC's range in on the service's port
        when `open`: `vpc.add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.SQS)`."""
        from iac.constructs.ec2.endpoints import InterfaceVpcEndpoint, endpoint_id

        return InterfaceVpcEndpoint(self, id or endpoint_id(service), vpc=self, service=service, subnets=subnets,
                                    private_dns_enabled=private_dns_enabled, security_groups=security_groups,
                                    open=open)

    def add_flow_log(self, id: str = "FlowLog", *, destination: FlowLogDestination | None = None,
                     traffic_type: str = "ALL") -> FlowLog:
        """Record the VPC's traffic: `vpc.add_flow_log()` to a new CloudWatch Logs group (with the role
        the service delivers through), or `destination=ec2.FlowLogDestination.to_s3(bucket)`."""
        from iac.constructs.ec2.flow_logs import FlowLog

        return FlowLog(self, id, vpc=self, destination=destination, traffic_type=traffic_type)


def _one_per_zone(subnets: tuple[Subnet, ...]) -> tuple[Subnet, ...]:
    seen: set[str] = set()
    kept = []
    for subnet in subnets:
        zone = stable_key(subnet.availability_zone)
        if zone not in seen:
            seen.add(zone)
            kept.append(subnet)
    return tuple(kept)


if TYPE_CHECKING:
    from iac.constructs.ec2.endpoints import (
        GatewayVpcEndpoint,
        GatewayVpcEndpointService,
        InterfaceVpcEndpoint,
        InterfaceVpcEndpointService,
    )
    from iac.constructs.ec2.flow_logs import FlowLog, FlowLogDestination
    from iac.constructs.ec2.security import SecurityGroup


class ImportedSubnet(Subnet):
    """A subnet made elsewhere, known by its id (an ImportedVpc makes them from its attributes).

    Args:
        vpc: the imported VPC it belongs to.
        subnet_id: the subnet's id (subnet-...).
        availability_zone: its zone.
        subnet_type: what it can reach: a SubnetType value.
        route_table_id: the id of its route table, for gateway endpoints (optional otherwise).
    """

    def __init__(self, scope: Construct, id: str, *, vpc: Vpc, subnet_id: Any, availability_zone: Any,
                 subnet_type: Annotated[str, Check(subnet_type_rule)], route_table_id: Any = None) -> None:
        Construct.__init__(self, scope, id)
        self.vpc = vpc
        self.cidr_block = None  # type: ignore[assignment]  # not known here
        self.availability_zone = availability_zone
        self.subnet_type = subnet_type
        self.subnet_group_name = {SubnetType.PUBLIC: "Public", SubnetType.PRIVATE_WITH_EGRESS: "Private"}.get(
            subnet_type, "Isolated")
        self._subnet_id = subnet_id
        self._route_table_id = route_table_id
        self.default_route = self.ipv6_default_route = self.nat_gateway = None

    @property
    def subnet_id(self) -> Any:
        return self._subnet_id

    @property
    def route_table_id(self) -> Any:
        if self._route_table_id is None:
            raise ConstructError(f"the imported subnet {self.path} was given no route table id",
                                 path=self.path, location=caller_location() or self.location,
                                 hint="pass the *_subnet_route_table_ids to Vpc.from_attributes (a gateway endpoint "
                                      "adds routes to them)")
        return self._route_table_id

    @property
    def internet_connectivity(self) -> list[CfnResource]:
        return []  # it already has whatever routes it has


class ImportedVpc(Vpc):
    """A VPC made elsewhere (usually through `Vpc.from_attributes`): its subnets are ImportedSubnets in the
    groups "Public", "Private" (PRIVATE_WITH_EGRESS) and "Isolated", so `select_subnets` and everything that
    takes a VPC work; endpoints, flow logs and security groups made for it are made in this stack. It makes
    no resource; `vpc_cidr_block` is needed only where the range is used (an interface endpoint opened to
    the VPC, an internal load balancer's security group).

    Args:
        vpc_id: the VPC's id (vpc-...).
        availability_zones: its zones, in the order of each subnet list.
        public_subnet_ids: the ids of its public subnets, one per zone (or none).
        private_subnet_ids: the ids of its private subnets with egress (through NAT), one per zone (or none).
        isolated_subnet_ids: the ids of its isolated subnets, one per zone (or none).
        public_subnet_route_table_ids: the public subnets' route tables, in the same order (for gateway
            endpoints).
        private_subnet_route_table_ids: the private subnets' route tables.
        isolated_subnet_route_table_ids: the isolated subnets' route tables.
        vpc_cidr_block: the VPC's IPv4 range, where it is used.
    """

    def __init__(self, scope: Construct, id: str, *, vpc_id: str | Token, availability_zones: Sequence[Any],
                 public_subnet_ids: Sequence[Any] = (), private_subnet_ids: Sequence[Any] = (),
                 isolated_subnet_ids: Sequence[Any] = (), public_subnet_route_table_ids: Sequence[Any] = (),
                 private_subnet_route_table_ids: Sequence[Any] = (),
                 isolated_subnet_route_table_ids: Sequence[Any] = (),
                 vpc_cidr_block: Annotated[str | None, Check(vpc_cidr_rule)] = None) -> None:
        Construct.__init__(self, scope, id)
        zones = list(availability_zones)
        groups = (("Public", SubnetType.PUBLIC, public_subnet_ids, public_subnet_route_table_ids),
                  ("Private", SubnetType.PRIVATE_WITH_EGRESS, private_subnet_ids, private_subnet_route_table_ids),
                  ("Isolated", SubnetType.PRIVATE_ISOLATED, isolated_subnet_ids, isolated_subnet_route_table_ids))
        problem = None
        if not zones:
            problem = "availability_zones must name the VPC's zones"
        for name, _, ids, tables in groups:
            if problem is None and ids and len(ids) % len(zones):
                problem = (f"{name.lower()}_subnet_ids has {len(ids)} ids for {len(zones)} zones: give one subnet "
                           "per zone (or a multiple, zone by zone)")
            elif problem is None and tables and len(tables) != len(ids):
                problem = (f"{name.lower()}_subnet_route_table_ids has {len(tables)} ids for {len(ids)} subnets: "
                           "give one per subnet, in the same order")
        if problem is None and not any(ids for _, _, ids, _ in groups):
            problem = "give the ids of at least one group of subnets (public, private or isolated)"
        if problem is not None:
            raise ConstructError(f"invalid argument for Vpc.from_attributes {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self._vpc_id = vpc_id
        self._cidr = vpc_cidr_block
        self.max_azs = len(zones)
        self.dns_hostnames_enabled = self.dns_support_enabled = True
        self.subnet_configuration = ()
        self.availability_zones = zones
        self.internet_gateway = self.internet_gateway_attachment = None
        self.ipv6_cidr_block = self.egress_only_internet_gateway = None
        self.nat_gateways = []
        self.subnet_groups = {
            name: [ImportedSubnet(self, f"{name}Subnet{n + 1}", vpc=self, subnet_id=subnet_id,
                                  availability_zone=zones[n % len(zones)], subnet_type=subnet_type,
                                  route_table_id=tables[n] if tables else None)
                   for n, subnet_id in enumerate(ids)]
            for name, subnet_type, ids, tables in groups if ids}

    @property
    def cidr(self) -> str:
        if self._cidr is None:
            raise ConstructError(f"the imported VPC {self.path} was given no vpc_cidr_block, and this needs its range",
                                 path=self.path, location=caller_location() or self.location,
                                 hint="pass vpc_cidr_block= to Vpc.from_attributes")
        return self._cidr

    @cidr.setter
    def cidr(self, value: str) -> None:
        self._cidr = value

    @property
    def vpc_id(self) -> Any:
        return self._vpc_id

    @property
    def vpc_cidr_block(self) -> str:
        return self.cidr
