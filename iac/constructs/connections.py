"""Connections: who may talk to a networked resource, said once for both ends.

    db.connections.allow_from(service, ec2.Port.tcp(5432))      # or allow_default_port_from(service)

A resource in a VPC (a database, a Fargate service, a function in a VPC) has security groups; its
`connections` holds them and, for a database, the port it listens on. `allow_from(other, port)` writes
both halves of the rule for every pair of groups: the ingress on this side and the egress on the other
(`ec2.SecurityGroup.allow_from` does both for two groups), so neither side's "nothing out" default
blocks the connection. `other` is anything with connections (`.connections`), anything with a
`security_group` (an ecs.FargateService), a SecurityGroup, or an address range (`ec2.Peer.ipv4(...)`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from iac.constructs import ec2
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError


@runtime_checkable
class Connectable(Protocol):
    """Something whose network access is said through security groups: it has `connections`."""

    @property
    def connections(self) -> Connections: ...


class Connections:
    """The security groups of a networked resource and the port it listens on by default.

    Args:
        security_groups: the resource's groups (at least one).
        default_port: the port clients use (a database's port); `allow_default_port_from` uses it.
    """

    def __init__(self, *, security_groups: Sequence[ec2.SecurityGroup], default_port: ec2.Port | None = None) -> None:
        groups = list(security_groups)
        if not groups or not all(isinstance(group, ec2.SecurityGroup) for group in groups):
            raise ConstructError(f"Connections needs one or more ec2.SecurityGroup objects, got {security_groups!r}",
                                 location=caller_location())
        self.security_groups = groups
        self.default_port = default_port

    @property
    def connections(self) -> Connections:
        """Itself, so a Connections is accepted wherever something with connections is."""
        return self

    def allow_from(self, other: Any, port: ec2.Port, description: str | None = None) -> None:
        """Let `other` open connections to this resource on `port` (both groups' rules are written)."""
        for peer in _peers(other, "allow_from", caller_location()):
            for group in self.security_groups:
                group.allow_from(peer, port, description)

    def allow_to(self, other: Any, port: ec2.Port, description: str | None = None) -> None:
        """Let this resource open connections to `other` on `port` (both groups' rules are written)."""
        for peer in _peers(other, "allow_to", caller_location()):
            for group in self.security_groups:
                group.allow_to(peer, port, description)

    def allow_default_port_from(self, other: Any, description: str | None = None) -> None:
        """`allow_from(other, default_port)`: clients connect on the port the resource listens on."""
        if self.default_port is None:
            raise ConstructError("allow_default_port_from: these connections have no default port; use "
                                 "allow_from(other, ec2.Port.tcp(n))", location=caller_location())
        for peer in _peers(other, "allow_default_port_from", caller_location()):
            for group in self.security_groups:
                group.allow_from(peer, self.default_port, description)


def _peers(other: Any, method: str, location: Any) -> list[ec2.SecurityGroup | ec2.CidrPeer]:
    """The groups (or the address range) `other` stands for."""
    if isinstance(other, ec2.SecurityGroup | ec2.CidrPeer):
        return [other]
    connections = getattr(other, "connections", None)
    if isinstance(connections, Connections):
        return list(connections.security_groups)
    group = getattr(other, "security_group", None)
    if isinstance(group, ec2.SecurityGroup):
        return [group]
    what = getattr(other, "path", None) or type(other).__name__
    raise ConstructError(
        f"{method}: {what} has no security groups to allow (it needs `connections` or a `security_group`, "
        "or pass an ec2.SecurityGroup or ec2.Peer.ipv4(...))", location=location,
        hint="a Lambda function reaches a database only when it runs in the VPC (vpc=, security groups)")


__all__ = ["Connectable", "Connections"]
