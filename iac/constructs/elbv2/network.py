"""Network load balancers (TCP, TLS, UDP), their listeners and target groups.

Imported through the package: `from iac.constructs import elbv2; elbv2.NetworkLoadBalancer(...)`
(the package docstring tells the whole story).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

import attrs

from iac.constructs import cloudwatch, ec2, iam, s3
from iac.constructs.certificatemanager import Certificate
from iac.constructs.core import Aws, CfnResource, Construct, Token
from iac.constructs.core.forwarding import checked_keywords
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.units import Duration
from iac.constructs.elbv2._base import (
    DEFAULT_SSL_POLICY,
    HTTP_CODES,
    LISTENER,
    LOAD_BALANCER,
    MAX_DEREGISTRATION_DELAY_SECONDS,
    NETWORK_LOG_DELIVERY,
    TARGET_GROUP,
    LoadBalancerBase,
    TargetGroupBase,
    attribute_list,
    certificate_arns,
    certificates_rule,
    health_check_path,
    in_seconds,
    ip_address_type_rule,
    listener_certificates,
    name_rule,
    schema_range,
    seconds_rule,
)
from iac.errors import ConstructError
from iac.specs import property_enum

METRICS_NAMESPACE = "AWS/NetworkELB"
#: The Listener/TargetGroup schemas' Protocol enum holds every kind of load balancer's protocols; these
#: belong to application (HTTP, HTTPS) and gateway (GENEVE) load balancers.
_OTHER_KINDS_PROTOCOLS = frozenset({"HTTP", "HTTPS", "GENEVE"})


def network_protocols(resource_type: str = LISTENER) -> tuple[str, ...]:
    """The protocols a network load balancer's listeners (or target groups) use, from the schema's enum."""
    return tuple(p for p in property_enum(resource_type, "Protocol") if p not in _OTHER_KINDS_PROTOCOLS)


def _protocol_rule(resource_type: str) -> Any:
    def rule(value: Any) -> str | None:
        known = network_protocols(resource_type)
        if value in known:
            return None
        return (f"{value!r} is not a network load balancer protocol: one of {', '.join(known)} ({resource_type} "
                "Protocol, per its schema, less the application and gateway load balancers' HTTP, HTTPS, GENEVE)")

    rule.__name__ = "network_protocol"
    return rule


listener_protocol_rule = _protocol_rule(LISTENER)
target_group_protocol_rule = _protocol_rule(TARGET_GROUP)


def transports(protocol: str) -> tuple[str, ...]:
    """The IP transports a protocol runs over: TCP and TLS over tcp, UDP and QUIC over udp, TCP_UDP both."""
    found = []
    if "TCP" in protocol or protocol == "TLS":
        found.append("tcp")
    if "UDP" in protocol or "QUIC" in protocol:
        found.append("udp")
    return tuple(found)


def _ports(protocol: str, port: int) -> list[ec2.Port]:
    return [ec2.Port.tcp(port) if transport == "tcp" else ec2.Port.udp(port) for transport in transports(protocol)]


# -- target groups ---------------------------------------------------------------------------------

def _health_check_protocol(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    known = property_enum(TARGET_GROUP, "HealthCheckProtocol")
    if value not in ("TCP", "HTTP", "HTTPS") or value not in known:
        raise ValueError(f"a network target group's health check protocol is TCP, HTTP or HTTPS "
                         f"({TARGET_GROUP} HealthCheckProtocol), got {value!r}")


def _optional_port(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535):
        raise ValueError(f"health check port must be 1-65535 (None: the port traffic goes to), got {value!r}")


@attrs.frozen(kw_only=True)
class NetworkHealthCheck:
    """How a network load balancer decides a target may receive connections: a TCP connection (default) or
    an HTTP(S) request to `path`. The ranges are the TargetGroup schema's, read when one is made;
    interval_seconds and timeout_seconds take a number of seconds or a Duration."""

    protocol: str = attrs.field(default="TCP", validator=_health_check_protocol)
    port: int | None = attrs.field(default=None, validator=_optional_port)
    path: str | None = attrs.field(default=None, validator=health_check_path)
    interval_seconds: int = attrs.field(default=30, converter=in_seconds,
                                        validator=schema_range("HealthCheckIntervalSeconds"))
    timeout_seconds: int = attrs.field(default=10, converter=in_seconds,
                                       validator=schema_range("HealthCheckTimeoutSeconds"))
    healthy_threshold_count: int = attrs.field(default=2, validator=schema_range("HealthyThresholdCount"))
    unhealthy_threshold_count: int = attrs.field(default=2, validator=schema_range("UnhealthyThresholdCount"))
    healthy_http_codes: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.matches_re(HTTP_CODES)))

    def __attrs_post_init__(self) -> None:
        if self.timeout_seconds >= self.interval_seconds:
            raise ValueError(f"health check timeout_seconds ({self.timeout_seconds}) must be shorter than "
                             f"interval_seconds ({self.interval_seconds})")
        if self.protocol == "TCP" and (self.path is not None or self.healthy_http_codes is not None):
            raise ValueError("health check path and healthy_http_codes apply to HTTP and HTTPS health checks; "
                             "this one is TCP (a connection that opens is healthy)")

    def properties(self) -> dict[str, Any]:
        """The TargetGroup's health check properties (Matcher and path only for HTTP(S), as cfn-lint requires)."""
        http = self.protocol != "TCP"
        return {
            "HealthCheckProtocol": self.protocol,
            "HealthCheckPort": str(self.port) if self.port is not None else None,
            "HealthCheckPath": (self.path or "/") if http else None,
            "HealthCheckIntervalSeconds": self.interval_seconds,
            "HealthCheckTimeoutSeconds": self.timeout_seconds,
            "HealthyThresholdCount": self.healthy_threshold_count,
            "UnhealthyThresholdCount": self.unhealthy_threshold_count,
            "Matcher": {"HttpCode": self.healthy_http_codes or "200-399"} if http else None,
        }


class NetworkTargetGroup(TargetGroupBase):
    """Where a network listener sends connections: `NetworkTargetGroup(stack, "Db", vpc=vpc, port=5432)`.

    Args:
        vpc: the VPC the targets are in.
        port: the port the targets listen on.
        protocol: how the load balancer talks to the targets: "TCP" (default), "TLS", "UDP",
            "TCP_UDP", ... (the TargetGroup schema's Protocol, less HTTP, HTTPS and GENEVE).
        target_type: "ip" (default: what Fargate tasks and other awsvpc targets need) or "instance".
        health_check: a NetworkHealthCheck (default: a TCP connection every 30 seconds, healthy after
            two, unhealthy after two failures).
        deregistration_delay_seconds: how long a leaving target keeps its connections, 0 to 3600
            seconds (a number or a Duration); AWS's default is 300.
        preserve_client_ip: targets see the client's address (AWS's default: on for instance targets
            and for ip targets over UDP, off for ip targets over TCP and TLS); None leaves AWS's default.
        proxy_protocol_v2: send a PROXY protocol v2 header with the client's address first (False).
        target_group_name: a fixed name; CloudFormation generates one when omitted.
    """

    cfn_type = TARGET_GROUP
    _forward_hint = "forward to it with nlb.add_listener(..., default_target_groups=[group])"
    _metrics_namespace = METRICS_NAMESPACE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.Vpc,
        port: Annotated[int, Cfn("Port")],
        protocol: Annotated[str, Cfn("Protocol"), Check(target_group_protocol_rule)] = "TCP",
        target_type: Annotated[Literal["ip", "instance"], Cfn("TargetType")] = "ip",
        health_check: NetworkHealthCheck | None = None,
        deregistration_delay_seconds: Annotated[
            int | Duration | None, Unit("seconds"), Check(seconds_rule(0, MAX_DEREGISTRATION_DELAY_SECONDS))] = None,
        preserve_client_ip: bool | None = None,
        proxy_protocol_v2: bool = False,
        target_group_name: Annotated[str | Token | None, Cfn("Name"), Check(name_rule)] = None,
    ) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        self._port = port
        self._target_type = target_type
        self.protocol: str = protocol
        self.health_check = health_check or NetworkHealthCheck()
        self.resource = CfnResource(self, "Resource", type=TARGET_GROUP, properties={
            "VpcId": vpc.vpc_id,
            "TargetType": target_type,
            "Port": port,
            "Protocol": protocol,
            "Name": target_group_name,
            **self.health_check.properties(),
            "TargetGroupAttributes": attribute_list({
                "deregistration_delay.timeout_seconds": deregistration_delay_seconds,
                "preserve_client_ip.enabled": preserve_client_ip,
                "proxy_protocol_v2.enabled": proxy_protocol_v2 or None,
            }),
        })


# -- listeners -------------------------------------------------------------------------------------

class NetworkListener(Construct):
    """A port and protocol a network load balancer accepts; made by `nlb.add_listener(id, ...)`.

    Args:
        load_balancer: the network load balancer it belongs to (add_listener passes itself).
        port: the port it listens on.
        default_target_groups: the NetworkTargetGroup it forwards every connection to (one).
        protocol: "TCP" (the default without certificates), "TLS" (the default with them: the load
            balancer ends TLS), "UDP", "TCP_UDP", ... (the Listener schema's Protocol, less HTTP,
            HTTPS and GENEVE).
        certificates: the certificates of a TLS listener: certificatemanager.Certificates (of the load
            balancer's region) or ACM certificate ARNs; the first is the default, the others are served
            by SNI (each an `AWS::ElasticLoadBalancingV2::ListenerCertificate`).
        ssl_policy: the TLS policy of a TLS listener (ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.2 and
            1.3 only).
        alpn_policy: a TLS listener's ALPN policy, e.g. "HTTP2Preferred" (none by default).
        open: True: the load balancer's security group (when it has one) accepts this port from its
            clients; False: you open it yourself.
    """

    cfn_type = LISTENER

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        load_balancer: NetworkLoadBalancer,
        port: Annotated[int, Cfn("Port")],
        default_target_groups: Sequence[NetworkTargetGroup],
        protocol: Annotated[str | None, Cfn("Protocol"), Check(listener_protocol_rule)] = None,
        certificates: Annotated[Sequence[Certificate | str | Token] | None, Check(certificates_rule)] = None,
        ssl_policy: Annotated[str | None, Cfn("SslPolicy")] = None,
        alpn_policy: str | None = None,
        open: bool = True,
    ) -> None:
        super().__init__(scope, id)
        self.load_balancer: NetworkLoadBalancer = load_balancer
        self.port: int = port
        self.protocol: str = protocol or ("TLS" if certificates else "TCP")
        self.target_groups: tuple[NetworkTargetGroup, ...] = tuple(default_target_groups)
        self._check(certificates, ssl_policy, alpn_policy)
        tls = self.protocol == "TLS"
        arns = certificate_arns(self, list(certificates)) if certificates else []
        self.resource = CfnResource(self, "Resource", type=LISTENER, properties={
            "LoadBalancerArn": load_balancer.load_balancer_arn,
            "Port": port,
            "Protocol": self.protocol,
            "Certificates": [{"CertificateArn": arns[0]}] if tls else None,
            "SslPolicy": (ssl_policy or DEFAULT_SSL_POLICY) if tls else None,
            "AlpnPolicy": [alpn_policy] if alpn_policy is not None else None,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": self.target_groups[0].target_group_arn}],
        })
        self.extra_certificates = listener_certificates(self, self.listener_arn, arns)
        self.target_groups[0]._attach(self)
        load_balancer._add_listener(self)
        if open and load_balancer.security_group is not None:
            for peer in load_balancer.client_peers:
                for allowed in _ports(self.protocol, port):
                    load_balancer.security_group.allow_from(peer, allowed, f"{self.protocol} listener on port {port}")

    def _check(self, certificates: Sequence[Any] | None, ssl_policy: str | None, alpn_policy: str | None) -> None:
        tls = self.protocol == "TLS"
        groups = self.target_groups
        problem = None
        if len(groups) != 1 or not isinstance(groups[0], NetworkTargetGroup):
            problem = (f"default_target_groups must be one NetworkTargetGroup (a network listener forwards every "
                       f"connection to one group), got {list(groups)!r}")
        elif tls and not certificates:
            problem = ("a TLS listener needs certificates=[...] (an ACM certificate for your domain: a "
                       "certificatemanager.Certificate or its ARN)")
        elif not tls and (certificates or ssl_policy is not None or alpn_policy is not None):
            problem = f"certificates, ssl_policy and alpn_policy apply to TLS listeners; this one is {self.protocol}"
        elif not set(transports(self.protocol)) <= set(transports(groups[0].protocol)):
            problem = (f"a {self.protocol} listener cannot forward to the {groups[0].protocol} target group "
                       f"{groups[0].path}: the group must carry {' and '.join(transports(self.protocol))}")
        elif self.load_balancer.dualstack and "udp" in transports(self.protocol):
            problem = (f"a dualstack load balancer takes no {self.protocol} listener ({LISTENER} Protocol: UDP, "
                       "TCP_UDP, QUIC and TCP_QUIC cannot be used when dual-stack mode is enabled)")
        if problem:
            raise ConstructError(f"invalid argument for NetworkListener {self.id!r}: {problem}", path=self.path,
                                 location=self.location)

    @property
    def listener_arn(self) -> Token:
        return self.resource.ref


# -- load balancers --------------------------------------------------------------------------------

class NetworkLoadBalancer(LoadBalancerBase):
    """A network load balancer: `NetworkLoadBalancer(stack, "NLB", vpc=vpc)`.

    Args:
        vpc: the VPC it serves.
        internet_facing: True (default); False makes it internal, reachable from the VPC only.
        vpc_subnets: where it runs (default: the public subnets when internet-facing, else the
            private ones); one zone or more.
        security_groups: its security groups. None (default): one of its own that accepts only its
            listeners' ports (from anywhere when internet-facing, from the VPC's range when internal),
            so targets can allow the load balancer's group instead of client addresses; [] : none
            (Elastic Load Balancing cannot add security groups later to a network load balancer made
            without any).
        cross_zone_enabled: spread each zone's connections over the targets of every zone (False:
            each zone's targets only, AWS's default, no cross-zone data charges).
        ip_address_type: "ipv4" (default) or "dualstack" (IPv4 and IPv6: needs a VPC made with
            ipv6=True and an internet-facing load balancer; no UDP listeners then).
        load_balancer_name: a fixed name; CloudFormation generates one when omitted.
        deletion_protection: refuse to delete the load balancer (False).
        access_logs: an s3.Bucket (the load balancer's region, S3-managed encryption) for the access
            logs of its TLS listeners (a network load balancer logs TLS connections only); the bucket
            policy lets CloudWatch's log delivery write this account's log folder only.
        access_logs_prefix: the folder of the bucket the logs go under, e.g. "nlb" (none by default).
    """

    cfn_type = LOAD_BALANCER
    lb_type = "network"
    _listener_hint = "add_listener(id, port=..., default_target_groups=[group])"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.Vpc,
        internet_facing: bool = True,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.SecurityGroup] | None = None,
        cross_zone_enabled: bool = False,
        ip_address_type: Annotated[Literal["ipv4", "dualstack"], Check(ip_address_type_rule)] = "ipv4",
        load_balancer_name: Annotated[str | Token | None, Cfn("Name"), Check(name_rule)] = None,
        deletion_protection: bool = False,
        access_logs: s3.Bucket | None = None,
        access_logs_prefix: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._start(vpc, internet_facing=internet_facing, ip_address_type=ip_address_type)
        self.listeners: list[NetworkListener] = []
        self.security_groups: list[ec2.SecurityGroup] = list(security_groups) if security_groups is not None else [
            ec2.SecurityGroup(self, "SecurityGroup", vpc=vpc,
                              description=ec2.generated_description(f"load balancer {self.path}"))]
        self.subnets = self._select_subnets(vpc_subnets, 1)
        self._make_resource({
            "Subnets": self.subnets.subnet_ids,
            "SecurityGroups": [group.security_group_id for group in self.security_groups] or None,
            "Name": load_balancer_name,
        }, {
            "load_balancing.cross_zone.enabled": cross_zone_enabled or None,
            "deletion_protection.enabled": deletion_protection or None,
        })
        self._access_logs_props(access_logs, access_logs_prefix)

    @property
    def security_group(self) -> ec2.SecurityGroup | None:
        """Its first security group (the one it made itself by default), or None when it has none."""
        return self.security_groups[0] if self.security_groups else None

    def _log_delivery_statements(self, bucket: s3.Bucket, folder: str) -> list[iam.PolicyStatement]:
        """CloudWatch's log delivery, acting for this account's logs only (aws:SourceAccount, aws:SourceArn):
        put objects in the log folder (owned by the bucket owner) and read the bucket's ACL."""
        source_arn = {"aws:SourceArn": f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"}
        delivery = [iam.ServicePrincipal(NETWORK_LOG_DELIVERY)]
        return [
            iam.PolicyStatement(principals=delivery, actions=["s3:PutObject"],
                                resources=[bucket.arn_for_objects(folder)],
                                conditions={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                                             "aws:SourceAccount": Aws.ACCOUNT_ID},
                                            "ArnLike": source_arn}),
            iam.PolicyStatement(principals=delivery, actions=["s3:GetBucketAcl"], resources=[bucket.bucket_arn],
                                conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                                            "ArnLike": source_arn}),
        ]

    def _access_logs_validation(self) -> list[str]:
        if self.access_logs_bucket is not None and not any(listener.protocol == "TLS" for listener in self.listeners):
            return [f"load balancer {self.path} writes access logs to {self.access_logs_bucket.path} but has no TLS "
                    "listener: a network load balancer logs TLS connections only, so no log would ever be written"]
        return []

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of the load balancer's AWS/NetworkELB metrics (ActiveFlowCount, NewFlowCount, ...), by name."""
        return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=metric_name, statistic=statistic,
                                 period=period, dimensions={"LoadBalancer": self.load_balancer_full_name})

    @checked_keywords
    def add_listener(
        self,
        id: str,
        *,
        port: int,
        default_target_groups: Sequence[NetworkTargetGroup],
        protocol: str | None = None,
        certificates: Sequence[Certificate | str | Token] | None = None,
        ssl_policy: str | None = None,
        alpn_policy: str | None = None,
        open: bool = True,
    ) -> NetworkListener:
        """A listener on this load balancer; see NetworkListener for the props (checked there)."""
        return NetworkListener(self, id, load_balancer=self, port=port, default_target_groups=default_target_groups,
                               protocol=protocol, certificates=certificates, ssl_policy=ssl_policy,
                               alpn_policy=alpn_policy, open=open)

    def _add_listener(self, listener: NetworkListener) -> None:
        mine = set(transports(listener.protocol))
        clash = next((known for known in self.listeners
                      if known.port == listener.port and mine & set(transports(known.protocol))), None)
        if clash is not None:
            raise ConstructError(f"load balancer {self.path} already listens on port {listener.port} "
                                 f"({clash.path}, {clash.protocol})", path=listener.path, location=listener.location)
        self.listeners.append(listener)


__all__ = ["NetworkHealthCheck", "NetworkListener", "NetworkLoadBalancer", "NetworkTargetGroup"]
