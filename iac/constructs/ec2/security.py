"""Security groups whose rules say exactly who may talk to whom on which port, and the ports and
peers those rules name.

    db = ec2.SecurityGroup(stack, "Db", vpc=vpc)
    db.allow_from(app_group, ec2.Port.tcp(5432))

A SecurityGroup lets nothing out unless told to (`allow_all_outbound=False` is the default: EC2's own
default is "everything out"). Rules between two groups are separate AWS::EC2::SecurityGroupIngress /
Egress resources: written inline, two groups that allow each other would each refer to the other and
CloudFormation could create neither first.

Stability contract (changing these ids replaces the resources): a rule between groups lives at
`<group>/From <peer>:<port>` or `<group>/To <peer>:<port>`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import TYPE_CHECKING, Annotated, Any

import attrs

from iac.constructs.core import CfnResource, Construct, Lazy, Token, is_token
from iac.constructs.core.props import Cfn
from iac.constructs.core.source import caller_location
from iac.constructs.ec2.vpc import ANY_IPV4, ANY_IPV6, Vpc
from iac.errors import ConstructError

if TYPE_CHECKING:
    from iac.constructs.connections import Connections

# A security group with no egress rule gets EC2's "allow all" rule. To allow nothing, write one rule
# that can match no packet (ICMP type 252 code 86 to the broadcast address): EC2 then drops its default.
NO_TRAFFIC_RULE = {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "IpProtocol": "icmp",
                   "FromPort": 252, "ToPort": 86}
ALL_TRAFFIC_RULE = {"CidrIp": ANY_IPV4, "Description": "Allow all outbound traffic", "IpProtocol": "-1"}


@functools.cache
def _description_character() -> re.Pattern[str]:
    from iac.specs import property_pattern

    pattern = property_pattern("AWS::EC2::SecurityGroup", "GroupDescription")
    if pattern is None:
        raise RuntimeError("the AWS::EC2::SecurityGroup schema no longer gives GroupDescription's characters")
    return re.compile(pattern)


def generated_description(text: str) -> str:
    """`text` (made from construct paths) as EC2 takes a group's or a rule's description: the characters of the
    schema's GroupDescription pattern (EC2 allows the same in rule descriptions), others replaced by "_", and at
    most 255 of them."""
    from iac.specs import property_length

    allowed = _description_character()
    longest = property_length("AWS::EC2::SecurityGroup", "GroupDescription")[1] or 255
    return "".join(c if allowed.fullmatch(c) else "_" for c in text)[:longest]


# -- ports and peers -------------------------------------------------------------------------------

def _port_number(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise ConstructError(f"{what} must be a port number from 0 to 65535, got {value!r}",
                             location=caller_location())
    return value


@attrs.frozen
class Port:
    """A protocol and port range: `Port.tcp(443)`, `Port.tcp_range(8000, 8080)`, `Port.all_traffic()`."""

    protocol: str  # "tcp", "udp", "icmp" or "-1" (every protocol)
    from_port: int | None = None
    to_port: int | None = None

    @staticmethod
    def tcp(port: int) -> Port:
        return Port("tcp", _port_number(port, "Port.tcp"), port)

    @staticmethod
    def tcp_range(start: int, end: int) -> Port:
        return Port._range("tcp", start, end)

    @staticmethod
    def all_tcp() -> Port:
        return Port("tcp", 0, 65535)

    @staticmethod
    def udp(port: int) -> Port:
        return Port("udp", _port_number(port, "Port.udp"), port)

    @staticmethod
    def udp_range(start: int, end: int) -> Port:
        return Port._range("udp", start, end)

    @staticmethod
    def all_udp() -> Port:
        return Port("udp", 0, 65535)

    @staticmethod
    def icmp_ping() -> Port:
        return Port("icmp", 8, -1)  # echo request, any code

    @staticmethod
    def all_traffic() -> Port:
        return Port("-1")

    @staticmethod
    def _range(protocol: str, start: int, end: int) -> Port:
        _port_number(start, f"Port.{protocol}_range start")
        _port_number(end, f"Port.{protocol}_range end")
        if start > end:
            raise ConstructError(f"Port.{protocol}_range: start {start} is above end {end}",
                                 location=caller_location())
        return Port(protocol, start, end)

    def rule_fields(self) -> dict[str, Any]:
        """IpProtocol/FromPort/ToPort as a security group rule writes them."""
        fields: dict[str, Any] = {"IpProtocol": self.protocol}
        if self.protocol != "-1":
            fields.update(FromPort=self.from_port, ToPort=self.to_port)
        return fields

    def __str__(self) -> str:
        if self.protocol == "-1":
            return "all traffic"
        if self.protocol == "icmp":
            return f"icmp {self.from_port}:{self.to_port}"
        ports = str(self.from_port) if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}"
        return ports if self.protocol == "tcp" else f"{self.protocol} {ports}"


def _check_cidr(cidr: Any, version: int) -> str:
    if is_token(cidr):
        return cidr
    try:
        network = ipaddress.ip_network(cidr)
    except (TypeError, ValueError):
        network = None
    if network is None or network.version != version:
        example = "10.0.0.0/16" if version == 4 else "2001:db8::/32"
        raise ConstructError(f"{cidr!r} is not an IPv{version} range such as {example!r}", location=caller_location())
    return str(network)


@attrs.frozen
class CidrPeer:
    """An address range as a rule's source or destination."""

    cidr: str
    version: int = 4

    @property
    def label(self) -> str:
        return self.cidr

    def rule_fields(self, direction: str) -> dict[str, Any]:
        return {"CidrIp" if self.version == 4 else "CidrIpv6": self.cidr}


class Peer:
    """Who a rule is about: `Peer.any_ipv4()`, `Peer.ipv4("10.0.0.0/16")`, or a SecurityGroup."""

    @staticmethod
    def ipv4(cidr: str) -> CidrPeer:
        return CidrPeer(_check_cidr(cidr, 4), 4)

    @staticmethod
    def any_ipv4() -> CidrPeer:
        return CidrPeer(ANY_IPV4, 4)

    @staticmethod
    def ipv6(cidr: str) -> CidrPeer:
        return CidrPeer(_check_cidr(cidr, 6), 6)

    @staticmethod
    def any_ipv6() -> CidrPeer:
        return CidrPeer(ANY_IPV6, 6)

    @staticmethod
    def security_group(group: SecurityGroup) -> SecurityGroup:
        """Another group: traffic from (or to) anything that has that group attached."""
        if not isinstance(group, SecurityGroup):
            raise ConstructError(f"Peer.security_group needs a SecurityGroup, got {type(group).__name__}",
                                 location=caller_location())
        return group


@attrs.frozen
class Rule:
    """One rule as the group records it: direction ("ingress"/"egress"), peer, port, description."""

    direction: str
    peer: CidrPeer | SecurityGroup = attrs.field(eq=False)
    port: Port
    description: str
    peer_key: str


# -- security groups -------------------------------------------------------------------------------

class SecurityGroup(Construct):
    """A security group: nothing in, and nothing out unless `allow_all_outbound=True`.

    `allow_from(peer, port)` and `allow_to(peer, port)` add rules. Between two groups both sides are
    written (A's egress to B and B's ingress from A), because each group filters its own side of the
    connection; rules for address ranges are written inline on the group.

    Args:
        vpc: the VPC the group belongs to.
        description: what the group is for (EC2's GroupDescription); the construct path when omitted.
        allow_all_outbound: let members send anything anywhere (False: only what `allow_to` allows).
        security_group_name: a fixed group name; CloudFormation generates one when omitted (a fixed
            name makes the group impossible to replace without a name change).
    """

    cfn_type = "AWS::EC2::SecurityGroup"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: Vpc,
        description: Annotated[str | None, Cfn("GroupDescription")] = None,
        allow_all_outbound: bool = False,
        security_group_name: Annotated[str | None, Cfn("GroupName")] = None,
    ) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        self._allow_all_outbound = allow_all_outbound
        self.ingress_rules: list[Rule] = []
        self.egress_rules: list[Rule] = []
        self.resource = CfnResource(self, "Resource", type="AWS::EC2::SecurityGroup", properties={
            "GroupDescription": description or generated_description(self.path),
            "GroupName": security_group_name,
            "VpcId": self.vpc.vpc_id,
            "SecurityGroupIngress": Lazy(self._inline_ingress),
            "SecurityGroupEgress": Lazy(self._inline_egress),
        })

    @property
    def security_group_id(self) -> Token:
        return self.resource.get_att("GroupId")

    @property
    def allow_all_outbound(self) -> bool:
        return self._allow_all_outbound

    @property
    def connections(self) -> Connections:
        """This group as a Connections (what `fn.connections`, `db.connections` and the like are)."""
        from iac.constructs.connections import Connections

        return Connections(security_groups=[self])

    # -- rules ------------------------------------------------------------------------------------

    def allow_from(self, peer: CidrPeer | SecurityGroup, port: Port, description: str | None = None) -> None:
        """Let `peer` connect to members of this group on `port` (and, for a group, let it send there)."""
        self._checked(peer, port, "allow_from")
        self._add_rule("ingress", peer, port, description)
        if isinstance(peer, SecurityGroup):
            peer._add_rule("egress", self, port, description)

    def allow_to(self, peer: CidrPeer | SecurityGroup, port: Port, description: str | None = None) -> None:
        """Let members of this group connect to `peer` on `port` (and, for a group, let it accept that)."""
        self._checked(peer, port, "allow_to")
        self._add_rule("egress", peer, port, description)
        if isinstance(peer, SecurityGroup):
            peer._add_rule("ingress", self, port, description)

    def _checked(self, peer: Any, port: Any, method: str) -> None:
        location = caller_location()
        if not isinstance(peer, CidrPeer | SecurityGroup):
            raise ConstructError(f"{method}: the peer must be ec2.Peer.ipv4(...), ec2.Peer.any_ipv4() or a "
                                 f"SecurityGroup, got {type(peer).__name__}", path=self.path, location=location)
        if not isinstance(port, Port):
            raise ConstructError(f"{method}: the port must be an ec2.Port such as Port.tcp(443), got {port!r}",
                                 path=self.path, location=location)

    def _add_rule(self, direction: str, peer: CidrPeer | SecurityGroup, port: Port, description: str | None) -> None:
        if direction == "egress" and self.allow_all_outbound:
            return  # already allowed
        label = self._peer_label(peer)
        key = f"group:{peer.path}" if isinstance(peer, SecurityGroup) else f"cidr:{peer.cidr}"
        rules = self.ingress_rules if direction == "ingress" else self.egress_rules
        if any(rule.peer_key == key and rule.port == port for rule in rules):
            return
        text = description or generated_description(f"{'from' if direction == 'ingress' else 'to'} {label}:{port}")
        rule = Rule(direction, peer, port, text, key)
        rules.append(rule)
        if isinstance(peer, SecurityGroup):
            self._rule_resource(rule, label)

    def _peer_label(self, peer: CidrPeer | SecurityGroup) -> str:
        if isinstance(peer, CidrPeer):
            return peer.label
        stack_path = self.stack.path
        same_stack = peer.stack is self.stack
        return peer.path[len(stack_path) + 1:] if same_stack else peer.path

    def _rule_resource(self, rule: Rule, label: str) -> CfnResource:
        """A rule between groups as its own resource (written inline, two groups could form a cycle)."""
        peer = rule.peer
        assert isinstance(peer, SecurityGroup)
        ingress = rule.direction == "ingress"
        name = f"{'From' if ingress else 'To'} {label.replace('/', '.')}:{rule.port}"
        return CfnResource(self, name, type=f"AWS::EC2::SecurityGroup{'Ingress' if ingress else 'Egress'}",
                           properties={
                               "GroupId": self.security_group_id,
                               "SourceSecurityGroupId" if ingress else "DestinationSecurityGroupId":
                                   peer.security_group_id,
                               **rule.port.rule_fields(),
                               "Description": rule.description,
                           })

    def _inline(self, rules: list[Rule]) -> list[dict[str, Any]]:
        return [{**rule.peer.rule_fields(rule.direction), **rule.port.rule_fields(), "Description": rule.description}
                for rule in rules if isinstance(rule.peer, CidrPeer)]

    def _inline_ingress(self) -> list[dict[str, Any]] | None:
        return self._inline(self.ingress_rules) or None

    def _inline_egress(self) -> list[dict[str, Any]]:
        if self.allow_all_outbound:
            return [dict(ALL_TRAFFIC_RULE)]
        return self._inline(self.egress_rules) or [dict(NO_TRAFFIC_RULE)]
