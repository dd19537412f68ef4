"""Route 53: hosted zones and the records in them, aliases to CloudFront and load balancers included.

    zone = route53.HostedZone(stack, "Zone", zone_name="example.com")
    route53.ARecord(stack, "Site", zone=zone, record_name="www", target=distribution)
    route53.TxtRecord(stack, "Verify", zone=zone, values=["google-site-verification=abc"])

A zone made elsewhere (registered by hand, another team's) is named by its id and name:
`route53.HostedZone.from_attributes(hosted_zone_id="Z123...", zone_name="example.com")`.

Defaults: a hosted zone is retained (DeletionPolicy and UpdateReplacePolicy Retain): a new zone gets new
name servers, which the domain's registrar would have to be told about, and until then the domain is dark.
Records names are relative to the zone (`record_name="www"` in example.com is www.example.com; None is the
zone's apex); a name already ending in the zone's name is taken as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Final, Protocol, runtime_checkable

import attrs

from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, convert_quantity
from iac.errors import ConstructError

ZONE_TYPE: Final = "AWS::Route53::HostedZone"
RECORD_TYPE: Final = "AWS::Route53::RecordSet"
#: The TTL of a record when none is given (seconds).
DEFAULT_TTL: Final = Duration.minutes(30)
#: The longest character-string a TXT record's value may hold; a longer value is split into several strings
#: of one record (RFC 1035, section 3.3; Route 53 "TXT record type"):
#: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#TXTFormat
TXT_STRING_MAX: Final = 255


@attrs.frozen(kw_only=True)
class AliasTarget:
    """Where an alias record points: a DNS name and the hosted zone id AWS gives that kind of endpoint."""

    dns_name: Any
    hosted_zone_id: Any
    evaluate_target_health: bool = False
    ipv6: bool = True  # whether an AAAA alias makes sense (a distribution with IPv6 off answers none)


@runtime_checkable
class AliasTargetSource(Protocol):
    """What an alias record can point to: a cloudfront.Distribution, an elbv2.ApplicationLoadBalancer."""

    def alias_record_target(self) -> AliasTarget: ...


class HostedZoneBase:
    """What records and certificates need of a zone: its id and its name (literal, without the final dot)."""

    hosted_zone_id: Any
    zone_name: str


@attrs.frozen(kw_only=True)
class ImportedHostedZone(HostedZoneBase):
    """A zone that exists already (from `HostedZone.from_attributes`): nothing is created for it."""

    hosted_zone_id: Any
    zone_name: str


def zone_name_rule(value: Any) -> str | None:
    """A `Check` rule: a literal DNS name (records are named relative to it at synth)."""
    if not isinstance(value, str) or is_token(value):
        return "must be a literal domain name such as 'example.com' (records are named from it at synth)"
    name = value.rstrip(".")
    if not name or " " in name or ".." in name or name.startswith("."):
        return f"{value!r} is not a domain name"
    return None


class HostedZone(Construct, HostedZoneBase):
    """A public hosted zone (`AWS::Route53::HostedZone`, the child `Resource`).

    Args:
        zone_name: the domain the zone answers for, e.g. "example.com" (a final dot is dropped).
        comment: a note kept with the zone (HostedZoneConfig Comment).
        removal_policy: what happens to the zone when it leaves the stack or is replaced: "retain" (default;
            a new zone has new name servers) or "destroy" (CloudFormation deletes only a zone holding no
            records but its own NS and SOA).
    """

    cfn_type = ZONE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        zone_name: Annotated[str, Cfn("Name"), Check(zone_name_rule)],
        comment: str | None = None,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), ZONE_TYPE))] = RETAIN,
    ) -> None:
        super().__init__(scope, id)
        self.zone_name = zone_name.rstrip(".")
        self.resource = CfnResource(self, "Resource", type=ZONE_TYPE, properties={
            "Name": self.zone_name,
            "HostedZoneConfig": None if comment is None else {"Comment": comment},
        })
        apply_removal_policy(self.resource, removal_policy)

    @property
    def hosted_zone_id(self) -> Token:
        return self.resource.ref

    @property
    def name_servers(self) -> Token:
        """The zone's four name servers (a list), which the domain's registrar must be given."""
        return self.resource.get_att("NameServers")

    @staticmethod
    def from_attributes(*, hosted_zone_id: Any, zone_name: str) -> ImportedHostedZone:
        """A zone made outside this app, by its id ("Z0123456789ABCDEFGHIJ") and its domain name."""
        location = caller_location()
        problem = zone_name_rule(zone_name)
        if problem is None and not (is_token(hosted_zone_id) or (isinstance(hosted_zone_id, str) and hosted_zone_id)):
            problem = f"hosted_zone_id must be the zone's id, got {hosted_zone_id!r}"
        elif problem is not None:
            problem = f"zone_name {problem}"
        if problem is not None:
            raise ConstructError(f"invalid argument for HostedZone.from_attributes: {problem}", location=location)
        if isinstance(hosted_zone_id, str) and not is_token(hosted_zone_id):
            hosted_zone_id = hosted_zone_id.removeprefix("/hostedzone/")
        return ImportedHostedZone(hosted_zone_id=hosted_zone_id, zone_name=zone_name.rstrip("."))


def record_fqdn(zone: HostedZoneBase, record_name: str | None) -> str:
    """The full name of a record named `record_name` in `zone` (None: the zone's apex)."""
    if record_name is None or record_name.rstrip(".") in ("", "@"):
        return zone.zone_name
    name, apex = record_name.rstrip("."), zone.zone_name.lower()
    if name.lower() == apex or name.lower().endswith(f".{apex}"):  # already in the zone (DNS ignores case)
        return name
    return f"{name}.{zone.zone_name}"


def record_name_rule(value: Any) -> str | None:
    """A `Check` rule: a literal name, relative to the zone or ending in it."""
    if value is None:
        return None
    if not isinstance(value, str) or is_token(value):
        return "must be a literal name such as 'www' (relative to the zone) or None for the zone's apex"
    if " " in value or ".." in value:
        return f"{value!r} is not a DNS name"
    return None


def _zone_rule(value: Any) -> str | None:
    if isinstance(value, HostedZoneBase):
        return None
    return f"must be a route53.HostedZone (or HostedZone.from_attributes(...)), got {value!r}"


class _Record(Construct):
    """The record set every record class writes (`AWS::Route53::RecordSet`, the child `Resource`)."""

    cfn_type = RECORD_TYPE

    def _record(self, *, zone: HostedZoneBase, record_name: str | None, record_type: str,
                values: Sequence[Any] | None = None, ttl: Any = None, alias: AliasTarget | None = None,
                comment: str | None = None) -> None:
        self.zone = zone
        self.domain_name = record_fqdn(zone, record_name)
        self.resource = CfnResource(self, "Resource", type=RECORD_TYPE, properties={
            "HostedZoneId": zone.hosted_zone_id,
            "Name": self.domain_name,
            "Type": record_type,
            "Comment": comment,
            "TTL": None if alias is not None else str(convert_quantity(ttl, "seconds")),
            "ResourceRecords": None if values is None else list(values),
            "AliasTarget": None if alias is None else {
                "DNSName": alias.dns_name, "HostedZoneId": alias.hosted_zone_id,
                "EvaluateTargetHealth": alias.evaluate_target_health},
        })

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        return ConstructError(message, path=self.path, location=self.location, hint=hint)

    def _address_record(self, record_type: str, *, zone: HostedZoneBase, target: Any, record_name: str | None,
                        ttl: Any, comment: str | None) -> None:
        """An A or AAAA record: an alias when `target` is a distribution or a load balancer, else its addresses."""
        if not _is_alias_source(target):
            self._record(zone=zone, record_name=record_name, record_type=record_type, values=target, ttl=ttl,
                         comment=comment)
            return
        alias = alias_target(target)
        if record_type == "AAAA" and not alias.ipv6:
            raise self._error(f"an AAAA alias to {getattr(target, 'path', target)} answers nothing: it does not "
                              "serve IPv6", hint="make only an ARecord, or turn IPv6 on for the target (a "
                              "distribution's ipv6_enabled=True, a load balancer's ip_address_type='dualstack')")
        self._record(zone=zone, record_name=record_name, record_type=record_type, alias=alias, comment=comment)


def _is_alias_source(value: Any) -> bool:
    return isinstance(value, AliasTargetSource)


def alias_target(value: Any) -> AliasTarget:
    """The alias target of a distribution or a load balancer: its own `alias_record_target()`."""
    if not isinstance(value, AliasTargetSource):
        raise TypeError(f"{value!r} cannot be an alias target")
    return value.alias_record_target()


def _ip_rule(version: int) -> Any:
    import ipaddress

    def rule(value: Any) -> str | None:
        if value is None or _is_alias_source(value):
            return None
        if isinstance(value, str) or not isinstance(value, Sequence) or not value:
            return ("must be what the record points to: a cloudfront.Distribution or an elbv2.ApplicationLoadBalancer "
                    f"(an alias), or a list of IPv{version} addresses")
        for address in value:
            if is_token(address):
                continue
            try:
                parsed = ipaddress.ip_address(address)
            except ValueError:
                return f"{address!r} is not an IP address"
            if parsed.version != version:
                return f"{address!r} is not an IPv{version} address"
        return None

    return rule


class ARecord(_Record):
    """An A record (`AWS::Route53::RecordSet`, the child `Resource`): an alias to a distribution or a load
    balancer, or a list of IPv4 addresses.

    Args:
        zone: the hosted zone the record is in.
        target: a cloudfront.Distribution or an elbv2.ApplicationLoadBalancer (an alias record: no TTL, Route 53
            answers with the target's current addresses at no query charge), or IPv4 addresses.
        record_name: the name relative to the zone ("www"), or ending in the zone's name; None: the apex.
        ttl: how long resolvers may cache the answer (not for aliases); default 30 minutes.
        comment: a note kept with the record.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        zone: Annotated[HostedZoneBase, Check(_zone_rule)],
        target: Annotated[Any, Check(_ip_rule(4))],
        record_name: Annotated[str | None, Check(record_name_rule)] = None,
        ttl: Annotated[int | Duration, Unit("seconds")] = DEFAULT_TTL,
        comment: Annotated[str | None, Cfn("Comment")] = None,
    ) -> None:
        super().__init__(scope, id)
        self._address_record("A", zone=zone, target=target, record_name=record_name, ttl=ttl, comment=comment)


class AaaaRecord(_Record):
    """An AAAA record (`AWS::Route53::RecordSet`, the child `Resource`): an alias to a distribution (with IPv6 on)
    or a load balancer, or a list of IPv6 addresses.

    Args:
        zone: the hosted zone the record is in.
        target: a cloudfront.Distribution or an elbv2.ApplicationLoadBalancer (an alias), or IPv6 addresses.
        record_name: the name relative to the zone ("www"), or ending in the zone's name; None: the apex.
        ttl: how long resolvers may cache the answer (not for aliases); default 30 minutes.
        comment: a note kept with the record.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        zone: Annotated[HostedZoneBase, Check(_zone_rule)],
        target: Annotated[Any, Check(_ip_rule(6))],
        record_name: Annotated[str | None, Check(record_name_rule)] = None,
        ttl: Annotated[int | Duration, Unit("seconds")] = DEFAULT_TTL,
        comment: Annotated[str | None, Cfn("Comment")] = None,
    ) -> None:
        super().__init__(scope, id)
        self._address_record("AAAA", zone=zone, target=target, record_name=record_name, ttl=ttl, comment=comment)


def _domain_rule(value: Any) -> str | None:
    if is_token(value):
        return None
    if not isinstance(value, str) or not value or " " in value:
        return f"must be a domain name, got {value!r}"
    return None


class CnameRecord(_Record):
    """A CNAME record (`AWS::Route53::RecordSet`, the child `Resource`): the name is another name.

    Args:
        zone: the hosted zone the record is in.
        record_name: the name relative to the zone ("docs"), or ending in the zone's name. DNS allows no CNAME at a
            zone's apex, so it is required (use an ARecord alias there).
        domain_name: the name it stands for, e.g. "example.github.io".
        ttl: how long resolvers may cache the answer; default 30 minutes.
        comment: a note kept with the record.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        zone: Annotated[HostedZoneBase, Check(_zone_rule)],
        record_name: Annotated[str, Check(record_name_rule)],
        domain_name: Annotated[str | Token, Check(_domain_rule)],
        ttl: Annotated[int | Duration, Unit("seconds")] = DEFAULT_TTL,
        comment: Annotated[str | None, Cfn("Comment")] = None,
    ) -> None:
        super().__init__(scope, id)
        if record_fqdn(zone, record_name) == zone.zone_name:
            raise self._error(f"a CNAME record cannot be at the zone's apex ({zone.zone_name}): DNS allows no other "
                              "record next to a CNAME, and the apex holds the zone's NS and SOA",
                              hint="point the apex with an ARecord alias (to a distribution or a load balancer)")
        self._record(zone=zone, record_name=record_name, record_type="CNAME", values=[domain_name], ttl=ttl,
                     comment=comment)


def _txt_rule(value: Any) -> str | None:
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        return "must be a non-empty list of strings (one per TXT value)"
    for item in value:
        if not isinstance(item, str) or is_token(item):
            return f"must hold literal strings, got {item!r}"
    return None


def txt_value(text: str) -> str:
    """One TXT value as Route 53 wants it: quoted, with quotes and backslashes escaped, split into strings of at
    most TXT_STRING_MAX characters."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    pieces, current = [], ""
    for character in (escaped[i:i + 2] if escaped[i] == "\\" else escaped[i] for i in _char_starts(escaped)):
        if len(current) + len(character) > TXT_STRING_MAX:
            pieces.append(current)
            current = ""
        current += character
    pieces.append(current)
    return " ".join(f'"{piece}"' for piece in pieces)


def _char_starts(escaped: str) -> list[int]:
    """Where each character (an escape pair counts as one) starts, so no split falls inside an escape."""
    starts, i = [], 0
    while i < len(escaped):
        starts.append(i)
        i += 2 if escaped[i] == "\\" else 1
    return starts


class TxtRecord(_Record):
    """A TXT record (`AWS::Route53::RecordSet`, the child `Resource`): text values, e.g. a domain verification.

    Args:
        zone: the hosted zone the record is in.
        values: the texts, one per value; iac quotes them and splits a text longer than 255 characters.
        record_name: the name relative to the zone ("_dmarc"), or ending in the zone's name; None: the apex.
        ttl: how long resolvers may cache the answer; default 30 minutes.
        comment: a note kept with the record.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        zone: Annotated[HostedZoneBase, Check(_zone_rule)],
        values: Annotated[Sequence[str], Check(_txt_rule)],
        record_name: Annotated[str | None, Check(record_name_rule)] = None,
        ttl: Annotated[int | Duration, Unit("seconds")] = DEFAULT_TTL,
        comment: Annotated[str | None, Cfn("Comment")] = None,
    ) -> None:
        super().__init__(scope, id)
        self._record(zone=zone, record_name=record_name, record_type="TXT", values=[txt_value(v) for v in values],
                     ttl=ttl, comment=comment)
