"""VPCs: a public and a private subnet in every availability zone by default, or the subnet groups
`subnet_configuration=` lists, with the routes, gateways and NAT gateways their types need.

    vpc = ec2.Vpc(stack, "Network", max_azs=2)

A Vpc makes, per availability zone, a public subnet (its route table sends 0.0.0.0/0 to the internet
gateway) and a private subnet (0.0.0.0/0 goes to a NAT gateway, so tasks can pull images and call
AWS without being reachable from the internet). Subnet ranges are computed, never hand-typed; see
`subnet_cidr_blocks` for the scheme. The zones are `Fn::Select(i, Fn::GetAZs(""))`: the names are
only known to CloudFormation (AZ letters are mapped per account), so a template works in any region.

Stability contract (changing these ids replaces the resources): subnets live at `<vpc>/PublicSubnet<n>`
and `<vpc>/PrivateSubnet<n>` (n from 1, in zone order) whatever `nat_gateways` is.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Sequence
from typing import Annotated, Any

import attrs

from iac.constructs.core import CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import SourceLocation, caller_location
from iac.errors import ConstructError

ANY_IPV4 = "0.0.0.0/0"
MIN_VPC_PREFIX = 16  # EC2's limits for a VPC's primary range...
MAX_VPC_PREFIX = 28
MAX_SUBNET_PREFIX = 28  # ...and for a subnet (16 addresses, 11 usable after AWS reserves 5)
MAX_AZS = 6


class SubnetType:
    """What a subnet can reach: the internet both ways, the internet outbound only, or nothing outside."""

    PUBLIC = "Public"
    PRIVATE_WITH_EGRESS = "PrivateWithEgress"  # default route to a NAT gateway
    PRIVATE_ISOLATED = "PrivateIsolated"  # no default route (a VPC with nat_gateways=0)


SUBNET_TYPES = (SubnetType.PUBLIC, SubnetType.PRIVATE_WITH_EGRESS, SubnetType.PRIVATE_ISOLATED)


# -- subnet ranges ---------------------------------------------------------------------------------

def subnet_cidr_blocks(cidr: str, az_count: int) -> tuple[list[str], list[str]]:
    """The (public, private) subnet ranges of a VPC with range `cidr` across `az_count` zones.

    The scheme: the VPC range is cut into the smallest power of two of equal blocks that holds
    2 x az_count subnets; public subnets take the first az_count blocks in zone order, private subnets
    the next az_count; any blocks left over stay free for later subnets. 10.0.0.0/16 across 2 zones is
    four /18s (public 10.0.0.0/18, 10.0.64.0/18; private 10.0.128.0/18, 10.0.192.0/18); across 3 zones,
    eight /19s of which six are used. Equal sizes keep every range predictable from the zone count alone
    (the CDK cuts the same way, so its VPCs and these line up).
    """
    network = ipaddress.IPv4Network(cidr)
    count = 2 * az_count
    prefix = network.prefixlen + (count - 1).bit_length()
    if prefix > MAX_SUBNET_PREFIX:
        raise ValueError(f"cidr {cidr} is too small for {count} subnets ({az_count} zones x public and private): "
                         f"each would be a /{prefix}, and subnets can be /{MAX_SUBNET_PREFIX} at the smallest; "
                         "use a larger range or fewer zones")
    blocks = [str(block) for block in itertools.islice(network.subnets(new_prefix=prefix), count)]
    return blocks[:az_count], blocks[az_count:]


# -- rules the schemas cannot say ----------------------------------------------------------------
# (AWS::EC2::VPC's CidrBlock is only "an ipv4-network": the prefix limits and the zone count are EC2's.)

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
    them (`vpc.public_subnets`, `vpc.private_subnets`).

    Args:
        vpc: the VPC it belongs to.
        cidr_block: its IPv4 range, inside the VPC's.
        availability_zone: its zone: a name, or a deploy-time value such as `Fn.select(0, Fn.get_azs(""))`.
        subnet_type: what it can reach: a SubnetType value.
    """

    cfn_type = "AWS::EC2::Subnet"

    def __init__(self, scope: Construct, id: str, *, vpc: Vpc, cidr_block: Annotated[str, Cfn("CidrBlock")],
                 availability_zone: Annotated[Any, Cfn("AvailabilityZone")],
                 subnet_type: Annotated[str, Check(subnet_type_rule)]) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        self.cidr_block = cidr_block
        self.availability_zone = availability_zone
        self.subnet_type = subnet_type
        self.resource = CfnResource(self, "Resource", type="AWS::EC2::Subnet", properties={
            "VpcId": vpc.vpc_id,
            "CidrBlock": cidr_block,
            "AvailabilityZone": availability_zone,
            "Tags": _name_tag(self),
        })
        self.route_table = CfnResource(self, "RouteTable", type="AWS::EC2::RouteTable", properties={
            "VpcId": vpc.vpc_id, "Tags": _name_tag(self)})
        self.route_table_association = CfnResource(
            self, "RouteTableAssociation", type="AWS::EC2::SubnetRouteTableAssociation",
            properties={"RouteTableId": self.route_table.ref, "SubnetId": self.subnet_id})
        self.default_route: CfnResource | None = None
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
        return [self.default_route, self.route_table_association]

    def _add_default_route(self, **target: Any) -> CfnResource:
        """0.0.0.0/0 to `target` (GatewayId= or NatGatewayId=)."""
        self.default_route = CfnResource(self, "DefaultRoute", type="AWS::EC2::Route", properties={
            "RouteTableId": self.route_table.ref, "DestinationCidrBlock": ANY_IPV4, **target})
        return self.default_route

    def _add_nat_gateway(self) -> CfnResource:
        """A NAT gateway with its Elastic IP, usable once this (public) subnet reaches the internet."""
        attachment = self.vpc.internet_gateway_attachment
        eip = CfnResource(self, "EIP", type="AWS::EC2::EIP", properties={"Domain": "vpc", "Tags": _name_tag(self)},
                          depends_on=[attachment])
        self.nat_gateway = CfnResource(self, "NATGateway", type="AWS::EC2::NatGateway", properties={
            "SubnetId": self.subnet_id,
            "AllocationId": eip.get_att("AllocationId"),
            "Tags": _name_tag(self),
        })
        self.nat_gateway.add_depends_on(*(r for r in (self.default_route, self.route_table_association) if r))
        return self.nat_gateway


@attrs.frozen(kw_only=True)
class SubnetSelection:
    """Which subnets of a VPC a construct uses: by type, or the given subnets."""

    subnet_type: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.in_(SUBNET_TYPES)))
    subnets: tuple[Subnet, ...] | None = attrs.field(
        default=None, converter=lambda v: tuple(v) if v is not None else None)

    def __attrs_post_init__(self) -> None:
        if self.subnet_type is not None and self.subnets is not None:
            raise ValueError("give subnet_type or subnets, not both")


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


# -- the VPC ---------------------------------------------------------------------------------------

class Vpc(Construct):
    """A VPC with a public and a private subnet in each of `max_azs` zones (default 3).

    The VPC's story: the VPC, its zones, an internet gateway, a public subnet per zone routed to
    it, the NAT gateways in the first public subnets, a private subnet per zone routed to them.

    Args:
        cidr: the VPC's IPv4 range, /16 to /28 ("10.0.0.0/16"); the subnet ranges are computed from
            it (see `subnet_cidr_blocks`), so it must be a literal.
        max_azs: how many zones the VPC spans, 1 to 6 (3); the VPC uses exactly this many, so the
            region must have them: most have 3 or more, us-east-1 has 6, us-west-1 offers most
            accounts 2.
        nat_gateways: how many NAT gateways (default one per zone, so one zone failing leaves the
            others their way out); fewer saves money, and the private subnet of zone i routes
            through gateway `i mod nat_gateways`; 0 makes the private subnets isolated.
        availability_zones: zone names to use instead of `Fn::GetAZs` (the first `max_azs` of
            them); cfn-lint warns about hard-coded zones.
        enable_dns_hostnames: give instances DNS hostnames (on: ECS, VPC endpoints and load
            balancers need it); needs enable_dns_support.
        enable_dns_support: resolve DNS through the Amazon-provided server (on).
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
        enable_dns_hostnames: Annotated[bool, Cfn("EnableDnsHostnames")] = True,
        enable_dns_support: Annotated[bool, Cfn("EnableDnsSupport")] = True,
    ) -> None:
        super().__init__(scope, id)
        self.cidr: str = cidr
        self.max_azs = max_azs
        zone_count = min(max_azs, len(availability_zones)) if availability_zones else max_azs
        self._check_combination(zone_count, nat_gateways, enable_dns_hostnames, enable_dns_support)
        self.resource = CfnResource(self, "Resource", type="AWS::EC2::VPC", properties={
            "CidrBlock": self.cidr,
            "EnableDnsHostnames": enable_dns_hostnames,
            "EnableDnsSupport": enable_dns_support,
            "Tags": _name_tag(self),
        })
        self.availability_zones: list[Any] = self._zones(availability_zones, zone_count)
        self.internet_gateway, self.internet_gateway_attachment = self._internet_gateway()
        public_cidrs, private_cidrs = subnet_cidr_blocks(self.cidr, len(self.availability_zones))
        self.public_subnets: list[Subnet] = [self._public_subnet(n, cidr) for n, cidr in enumerate(public_cidrs)]
        nat_subnets = self.public_subnets[: len(self.public_subnets) if nat_gateways is None else nat_gateways]
        self.nat_gateways: list[CfnResource] = [subnet._add_nat_gateway() for subnet in nat_subnets]
        self.private_subnets: list[Subnet] = [self._private_subnet(n, cidr) for n, cidr in enumerate(private_cidrs)]

    def _check_combination(self, zone_count: int, nat_gateways: int | None, dns_hostnames: bool,
                           dns_support: bool) -> None:
        """The rules between props (each prop alone was checked against its declaration)."""
        problem = None
        if nat_gateways is not None and nat_gateways > zone_count:
            problem = (f"nat_gateways is {nat_gateways} but the VPC spans {zone_count} zones; at most one NAT "
                       "gateway per zone")
        elif dns_hostnames and not dns_support:
            problem = "enable_dns_hostnames needs enable_dns_support (EC2 refuses hostnames without DNS)"
        else:
            try:
                subnet_cidr_blocks(self.cidr, zone_count)
            except ValueError as error:
                problem = str(error)
        if problem:
            raise ConstructError(f"invalid argument for Vpc {self.id!r}: {problem}", path=self.path,
                                 location=self.location)

    def _zones(self, given: Sequence[str] | None, count: int) -> list[Any]:
        if given:
            return list(given[:count])
        return [Fn.select(index, Fn.get_azs("")) for index in range(count)]

    def _internet_gateway(self) -> tuple[CfnResource, CfnResource]:
        gateway = CfnResource(self, "IGW", type="AWS::EC2::InternetGateway", properties={"Tags": _name_tag(self)})
        attachment = CfnResource(self, "VPCGW", type="AWS::EC2::VPCGatewayAttachment", properties={
            "VpcId": self.vpc_id, "InternetGatewayId": gateway.ref})
        return gateway, attachment

    def _public_subnet(self, index: int, cidr: str) -> Subnet:
        subnet = Subnet(self, f"PublicSubnet{index + 1}", vpc=self, cidr_block=cidr,
                        availability_zone=self.availability_zones[index], subnet_type=SubnetType.PUBLIC)
        route = subnet._add_default_route(GatewayId=self.internet_gateway.ref)
        route.add_depends_on(self.internet_gateway_attachment)  # a route to an unattached gateway fails
        return subnet

    def _private_subnet(self, index: int, cidr: str) -> Subnet:
        kind = SubnetType.PRIVATE_WITH_EGRESS if self.nat_gateways else SubnetType.PRIVATE_ISOLATED
        subnet = Subnet(self, f"PrivateSubnet{index + 1}", vpc=self, cidr_block=cidr,
                        availability_zone=self.availability_zones[index], subnet_type=kind)
        if self.nat_gateways:
            subnet._add_default_route(NatGatewayId=self.nat_gateways[index % len(self.nat_gateways)].ref)
        return subnet

    # -- references -------------------------------------------------------------------------------

    @property
    def vpc_id(self) -> Token:
        return self.resource.ref

    @property
    def internet_connectivity(self) -> list[CfnResource]:
        """What must exist before anything in a public subnet can reach or be reached from the
        internet (an internet-facing load balancer depends on these)."""
        resources = [self.internet_gateway_attachment]
        for subnet in self.public_subnets:
            resources += subnet.internet_connectivity
        return resources

    # -- selection --------------------------------------------------------------------------------

    def select_subnets(self, selection: SubnetSelection | None = None, *, subnet_type: str | None = None,
                       subnets: Sequence[Subnet] | None = None) -> SelectedSubnets:
        """The subnets a selection names: `select_subnets(subnet_type=SubnetType.PUBLIC)`, a
        `SubnetSelection`, or given subnets (which must belong to this VPC). Without arguments: the
        private subnets (where workloads belong), or the public ones when the VPC has no private subnet."""
        location = caller_location()
        if selection is None:
            try:
                selection = SubnetSelection(subnet_type=subnet_type, subnets=subnets)
            except (TypeError, ValueError) as error:
                raise ConstructError(f"select_subnets: {error}", path=self.path, location=location) from None
        if selection.subnets is not None:
            return SelectedSubnets(self._own_subnets(selection.subnets, location))
        if selection.subnet_type is None:
            return SelectedSubnets(tuple(self.private_subnets or self.public_subnets))
        chosen = tuple(s for s in self.public_subnets + self.private_subnets if s.subnet_type == selection.subnet_type)
        if not chosen:
            have = sorted({s.subnet_type for s in self.public_subnets + self.private_subnets})
            raise ConstructError(f"VPC {self.path} has no {selection.subnet_type} subnets (it has {', '.join(have)})",
                                 path=self.path, location=location,
                                 hint="private subnets have egress only when the VPC has NAT gateways "
                                      "(nat_gateways >= 1)")
        return SelectedSubnets(chosen)

    def _own_subnets(self, subnets: Sequence[Subnet], location: SourceLocation | None) -> tuple[Subnet, ...]:
        for subnet in subnets:
            if not isinstance(subnet, Subnet) or subnet.vpc is not self:
                raise ConstructError(f"select_subnets: {subnet!r} is not a subnet of VPC {self.path}",
                                     path=self.path, location=location)
        if not subnets:
            raise ConstructError("select_subnets: an empty list of subnets selects nothing", path=self.path,
                                 location=location)
        return tuple(subnets)
