"""Security-group ingress rules in a template: inline in a group, or resources of their own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from iac.checks._model import TemplatePath, TemplateResource

INGRESS_TYPES = ("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress")
READS = {"AWS::EC2::SecurityGroup": ("SecurityGroupIngress",),
         "AWS::EC2::SecurityGroupIngress": ("CidrIp", "CidrIpv6", "IpProtocol", "FromPort", "ToPort")}
WORLD = ("0.0.0.0/0", "::/0")
ALL_PROTOCOLS = ("-1", "all")
PORT_PROTOCOLS = ("tcp", "udp", "6", "17")


@attrs.frozen
class Ingress:
    value: dict[str, Any]
    path: TemplatePath

    @property
    def source(self) -> str | None:
        """The world range the rule opens to ("0.0.0.0/0", "::/0"), else None."""
        for key in ("CidrIp", "CidrIpv6"):
            if self.value.get(key) in WORLD:
                return str(self.value[key])
        return None

    @property
    def protocol(self) -> str:
        return str(self.value.get("IpProtocol", "")).lower()

    def ports(self) -> tuple[int, int] | None:
        """(from, to) for a TCP or UDP rule with literal ports; None when computed or not port-based."""
        low: Any = self.value.get("FromPort")
        high: Any = self.value.get("ToPort")
        try:
            return (int(low), int(high))
        except (TypeError, ValueError):
            return None

    @property
    def all_ports(self) -> bool:
        if self.protocol in ALL_PROTOCOLS:
            return True
        ports = self.ports() if self.protocol in PORT_PROTOCOLS else None
        return ports is not None and (ports[0] <= 0 or ports[0] == -1) and ports[1] in (-1, 65535)


def ingress_rules(resource: TemplateResource) -> Iterator[Ingress]:
    base: TemplatePath = ("Resources", resource.logical_id, "Properties")
    if resource.type == "AWS::EC2::SecurityGroupIngress":
        yield Ingress(dict(resource.properties), base)
        return
    rules = resource.properties.get("SecurityGroupIngress")
    if isinstance(rules, list):
        for index, rule in enumerate(rules):
            if isinstance(rule, dict):
                yield Ingress(rule, (*base, "SecurityGroupIngress", index))
