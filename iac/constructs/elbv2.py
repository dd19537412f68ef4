"""Elastic Load Balancing v2: application load balancers, their listeners and target groups.

    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc)
    web = elbv2.ApplicationTargetGroup(stack, "Web", vpc=vpc, port=8080)
    lb.add_listener("Listener", port=80, default_action=elbv2.ListenerAction.forward([web]))

Defaults: internet-facing in the public subnets (internal ones go in the private subnets), with a
security group of its own that accepts traffic only on its listeners' ports (from anywhere when
internet-facing, from the VPC's range when internal) and sends traffic only where it is allowed to
(`target_group_security_group.allow_from(lb.security_group, port)`). Invalid HTTP headers are dropped
(request smuggling). HTTPS listeners use ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3) unless
`ssl_policy` says otherwise; `lb.add_redirect()` answers plain HTTP with a redirect to HTTPS.

Target groups use IP targets (what Fargate tasks register as) with a health check that marks a new
target healthy after two good answers (AWS's default of five keeps new tasks out of service longer).

Metrics for alarms (namespace AWS/ApplicationELB, one-minute sums): `lb.metric_5xx()` counts the
5xx answers of every target behind the load balancer (`origin="elb"`: the ones the load balancer
made itself, e.g. 502/503 with no healthy target), `target_group.metric_5xx()` those of one group,
`target_group.metric_unhealthy_hosts()` its failing targets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

from iac.constructs import cloudwatch, ec2
from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

PROTOCOLS = ("HTTP", "HTTPS")
TARGET_TYPES = ("ip", "instance")
DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
REDIRECT_STATUS_CODES = ("HTTP_301", "HTTP_302")
_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate/|iam::\d{12}:server-certificate/)")
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_HTTP_CODES = re.compile(r"^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$")
METRICS_NAMESPACE = "AWS/ApplicationELB"
#: Who answered with the error: a target (your code) or the load balancer itself (no healthy target,
#: a target that hung up or timed out).
ERROR_ORIGINS = {"target": "HTTPCode_Target_5XX_Count", "elb": "HTTPCode_ELB_5XX_Count"}


def _number(low: int, high: int) -> Any:
    return attrs.validators.and_(attrs.validators.instance_of(int), attrs.validators.ge(low),
                                 attrs.validators.le(high))


def _optional(validator: Any) -> Any:
    return attrs.validators.optional(validator)


def _check_name(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not _NAME.match(value) or value.startswith("internal-"):
        raise ValueError(f"{attribute.name} {value!r} must be 1-32 letters, digits and hyphens, not starting or "
                         "ending with a hyphen (nor with 'internal-')")


# -- actions ---------------------------------------------------------------------------------------

@attrs.frozen
class ListenerAction:
    """What a listener does with a request: forward it, redirect it, or answer it."""

    action: dict[str, Any]
    target_groups: tuple[ApplicationTargetGroup, ...] = ()

    @staticmethod
    def forward(target_groups: Sequence[ApplicationTargetGroup], *,
                weights: Sequence[int] | None = None) -> ListenerAction:
        """Send requests to the target group (several: spread evenly, or by `weights`, 0-999 each).

        A group with weight 0 gets no requests but belongs to the load balancer all the same (a
        blue/green deployment needs its second group there before traffic moves to it).
        """
        location = caller_location()
        groups = tuple(target_groups) if isinstance(target_groups, list | tuple) else (target_groups,)
        if not groups or not all(isinstance(g, ApplicationTargetGroup) for g in groups):
            raise ConstructError(f"ListenerAction.forward needs one or more ApplicationTargetGroups, got "
                                 f"{target_groups!r}", location=location)
        if weights is not None:
            shares = list(weights) if isinstance(weights, list | tuple) else []
            if len(shares) != len(groups) or not all(
                    isinstance(w, int) and not isinstance(w, bool) and 0 <= w <= 999 for w in shares):
                raise ConstructError(f"ListenerAction.forward: weights must be one whole number from 0 to 999 per "
                                     f"target group ({len(groups)}), got {weights!r}", location=location)
        if len(groups) == 1 and weights is None:
            return ListenerAction({"Type": "forward", "TargetGroupArn": groups[0].target_group_arn}, groups)
        return ListenerAction({"Type": "forward", "ForwardConfig": {"TargetGroups": [
            {"TargetGroupArn": g.target_group_arn, "Weight": w}
            for g, w in zip(groups, weights if weights is not None else [1] * len(groups), strict=True)]}}, groups)

    @staticmethod
    def redirect(*, protocol: str = "HTTPS", port: int = 443, status_code: str = "HTTP_301",
                 host: str | None = None, path: str | None = None, query: str | None = None) -> ListenerAction:
        """Answer with a redirect; host, path and query stay as requested unless given."""
        location = caller_location()
        if protocol not in PROTOCOLS:
            raise ConstructError(f"redirect protocol must be HTTP or HTTPS, got {protocol!r}", location=location)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ConstructError(f"redirect port must be 1-65535, got {port!r}", location=location)
        if status_code not in REDIRECT_STATUS_CODES:
            raise ConstructError(f"redirect status_code must be HTTP_301 or HTTP_302, got {status_code!r}",
                                 location=location)
        return ListenerAction({"Type": "redirect", "RedirectConfig": {
            "Protocol": protocol, "Port": str(port), "StatusCode": status_code,
            "Host": host, "Path": path, "Query": query}})

    @staticmethod
    def fixed_response(status_code: int, *, content_type: str | None = None,
                       message_body: str | None = None) -> ListenerAction:
        if isinstance(status_code, bool) or not isinstance(status_code, int) or not 200 <= status_code <= 599:
            raise ConstructError(f"fixed_response status_code must be 200-599, got {status_code!r}",
                                 location=caller_location())
        return ListenerAction({"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": str(status_code), "ContentType": content_type, "MessageBody": message_body}})


# -- target groups ---------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class HealthCheck:
    """How the load balancer decides a target may receive requests."""

    path: str = attrs.field(default="/", validator=attrs.validators.matches_re(r"^/.{0,1023}$"))
    interval_seconds: int = attrs.field(default=30, validator=_number(5, 300))
    timeout_seconds: int = attrs.field(default=5, validator=_number(2, 120))
    healthy_threshold_count: int = attrs.field(default=2, validator=_number(2, 10))
    unhealthy_threshold_count: int = attrs.field(default=3, validator=_number(2, 10))
    healthy_http_codes: str = attrs.field(default="200", validator=attrs.validators.matches_re(_HTTP_CODES))

    def __attrs_post_init__(self) -> None:
        if self.timeout_seconds >= self.interval_seconds:
            raise ValueError(f"health check timeout_seconds ({self.timeout_seconds}) must be shorter than "
                             f"interval_seconds ({self.interval_seconds})")


@attrs.define(kw_only=True)
class ApplicationTargetGroupProps:
    vpc: ec2.Vpc = attrs.field(validator=attrs.validators.instance_of(ec2.Vpc))
    port: int = attrs.field(default=80, validator=_number(1, 65535))
    protocol: str = attrs.field(default="HTTP", validator=attrs.validators.in_(PROTOCOLS))
    target_type: str = attrs.field(default="ip", validator=attrs.validators.in_(TARGET_TYPES))
    health_check: HealthCheck = attrs.field(factory=HealthCheck, validator=attrs.validators.instance_of(HealthCheck))
    deregistration_delay_seconds: int | None = attrs.field(default=None, validator=_optional(_number(0, 3600)))
    target_group_name: str | None = attrs.field(default=None, validator=_check_name)


class ApplicationTargetGroup(Construct):
    """Where a listener sends requests: `ApplicationTargetGroup(stack, "Web", vpc=vpc, port=8080)`.

    Props: vpc, port (the targets' port, 80), protocol (HTTP), target_type ("ip", what Fargate tasks
    and other awsvpc targets need), health_check (a HealthCheck), deregistration_delay_seconds (how
    long a leaving target finishes its requests; AWS's default is 300), target_group_name.
    """

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: ApplicationTargetGroupProps = self._build_props(ApplicationTargetGroupProps, props)
        self.listeners: list[Listener] = []
        self._dependents: list[CfnResource] = []
        check = self.props.health_check
        delay = self.props.deregistration_delay_seconds
        self.resource = CfnResource(self, "Resource", type="AWS::ElasticLoadBalancingV2::TargetGroup", properties={
            "VpcId": self.props.vpc.vpc_id,
            "TargetType": self.props.target_type,
            "Port": self.props.port,
            "Protocol": self.props.protocol,
            "Name": self.props.target_group_name,
            "HealthCheckPath": check.path,
            "HealthCheckIntervalSeconds": check.interval_seconds,
            "HealthCheckTimeoutSeconds": check.timeout_seconds,
            "HealthyThresholdCount": check.healthy_threshold_count,
            "UnhealthyThresholdCount": check.unhealthy_threshold_count,
            "Matcher": {"HttpCode": check.healthy_http_codes},
            "TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}]
            if delay is not None else None,
        })

    @property
    def target_group_arn(self) -> Token:
        return self.resource.ref

    @property
    def target_type(self) -> str:
        return self.props.target_type

    @property
    def port(self) -> int:
        return self.props.port

    @property
    def load_balancers(self) -> list[ApplicationLoadBalancer]:
        """The load balancers whose listeners forward here."""
        found: list[ApplicationLoadBalancer] = []
        for listener in self.listeners:
            if listener.load_balancer not in found:
                found.append(listener.load_balancer)
        return found

    @property
    def target_group_name(self) -> Token:
        return self.resource.get_att("TargetGroupName")

    @property
    def target_group_full_name(self) -> Token:
        """"targetgroup/<name>/<id>": how CloudWatch names the group in its metrics' dimensions."""
        return self.resource.get_att("TargetGroupFullName")

    # -- metrics ----------------------------------------------------------------------------------

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        """One of this group's AWS/ApplicationELB metrics, by name.

        CloudWatch publishes a target group's metrics per load balancer, so the group must already
        receive traffic from exactly one (a listener forwards to it). A minute's period lets an
        alarm stop a deployment while it is still shifting traffic.
        """
        location = caller_location()
        balancers = self.load_balancers
        if len(balancers) != 1:
            raise ConstructError(
                f"target group {self.path}: its metrics are published per load balancer, and "
                + ("no listener forwards to it yet" if not balancers else
                   f"{len(balancers)} load balancers forward to it"),
                path=self.path, location=location,
                hint="ask for the metric after lb.add_listener(..., default_action=ListenerAction.forward([group])); "
                     "with several load balancers, build a cloudwatch.Metric with the dimensions you want")
        return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=metric_name, statistic=statistic,
                                 period=period, dimensions={"LoadBalancer": balancers[0].load_balancer_full_name,
                                                            "TargetGroup": self.target_group_full_name})

    def metric_5xx(self, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        """Requests this group's targets answered with a 5xx status (errors of your code)."""
        return self.metric(ERROR_ORIGINS["target"], statistic=statistic, period=period)

    def metric_unhealthy_hosts(self, *, statistic: str = "Maximum", period: int = 60) -> cloudwatch.Metric:
        """Targets failing their health check (new tasks that never become healthy show up here)."""
        return self.metric("UnHealthyHostCount", statistic=statistic, period=period)

    def metric_response_time(self, *, statistic: str = "p99", period: int = 60) -> cloudwatch.Metric:
        """Seconds from the request leaving the load balancer to the target's answer (p99 by default)."""
        return self.metric("TargetResponseTime", statistic=statistic, period=period)

    # -- dependents -------------------------------------------------------------------------------

    def add_dependent(self, resource: CfnResource) -> None:
        """Make `resource` wait for every listener that forwards here, now and later (an ECS service
        cannot register with a target group before the group belongs to a load balancer)."""
        self._dependents.append(resource)
        for listener in self.listeners:
            resource.add_depends_on(listener.resource)

    def _attach(self, listener: Listener) -> None:
        if listener not in self.listeners:
            self.listeners.append(listener)
            for resource in self._dependents:
                resource.add_depends_on(listener.resource)

    def validate(self) -> list[str]:
        if self._dependents and not self.listeners:
            return [f"target group {self.path} has targets registered but no listener forwards to it: ECS and "
                    "Elastic Load Balancing refuse a target group without a load balancer; forward to it with "
                    "lb.add_listener(..., default_action=ListenerAction.forward([group]))"]
        return []


# -- listeners -------------------------------------------------------------------------------------

def _check_certificate(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not _CERTIFICATE_ARN.match(value):
        raise ValueError(f"certificate_arn must be an ACM certificate ARN (arn:aws:acm:region:account:certificate/"
                         f"id) or an IAM server certificate ARN, got {value!r}")


@attrs.define(kw_only=True)
class ListenerProps:
    load_balancer: ApplicationLoadBalancer = attrs.field()
    default_action: ListenerAction = attrs.field(validator=attrs.validators.instance_of(ListenerAction))
    port: int | None = attrs.field(default=None, validator=_optional(_number(1, 65535)))
    protocol: str | None = attrs.field(default=None, validator=_optional(attrs.validators.in_(PROTOCOLS)))
    certificate_arn: Any = attrs.field(default=None, validator=_check_certificate)
    ssl_policy: str | None = attrs.field(default=None, validator=_optional(attrs.validators.instance_of(str)))
    open: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))

    @load_balancer.validator
    def _is_load_balancer(self, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, ApplicationLoadBalancer):
            raise TypeError(f"load_balancer must be an ApplicationLoadBalancer, got {type(value).__name__}")

    def __attrs_post_init__(self) -> None:
        if self.protocol is None:
            self.protocol = "HTTPS" if self.certificate_arn is not None else "HTTP"
        if self.port is None:
            self.port = 443 if self.protocol == "HTTPS" else 80
        if self.protocol == "HTTPS" and self.certificate_arn is None:
            raise ValueError("an HTTPS listener needs certificate_arn (an ACM certificate for your domain)")
        if self.protocol == "HTTP" and (self.certificate_arn is not None or self.ssl_policy is not None):
            raise ValueError("certificate_arn and ssl_policy apply to HTTPS listeners; this one is HTTP")


class Listener(Construct):
    """A port and protocol the load balancer accepts; made by `lb.add_listener(id, ...)`.

    Props: default_action (a ListenerAction), port (80, or 443 with a certificate), protocol (HTTP, or
    HTTPS with a certificate), certificate_arn, ssl_policy, open (True: the load balancer's group
    accepts this port from its clients; False: you open it yourself).
    """

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: ListenerProps = self._build_props(ListenerProps, props)
        self.load_balancer: ApplicationLoadBalancer = self.props.load_balancer
        self.port: int = self.props.port or 0
        self.protocol: str = self.props.protocol or "HTTP"
        self.default_action = self.props.default_action
        https = self.protocol == "HTTPS"
        self.resource = CfnResource(self, "Resource", type="AWS::ElasticLoadBalancingV2::Listener", properties={
            "LoadBalancerArn": self.load_balancer.load_balancer_arn,
            "Port": self.port,
            "Protocol": self.protocol,
            "Certificates": [{"CertificateArn": self.props.certificate_arn}] if https else None,
            "SslPolicy": (self.props.ssl_policy or DEFAULT_SSL_POLICY) if https else None,
            "DefaultActions": [self.default_action.action],
        })
        for group in self.default_action.target_groups:
            group._attach(self)
        self.load_balancer._add_listener(self)
        if self.props.open:
            self.load_balancer.security_group.allow_from(
                self.load_balancer.clients, ec2.Port.tcp(self.port),
                f"{self.protocol} listener on port {self.port}")

    @property
    def listener_arn(self) -> Token:
        return self.resource.ref


# -- load balancers --------------------------------------------------------------------------------

@attrs.define(kw_only=True)
class ApplicationLoadBalancerProps:
    vpc: ec2.Vpc = attrs.field(validator=attrs.validators.instance_of(ec2.Vpc))
    internet_facing: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    vpc_subnets: ec2.SubnetSelection | None = attrs.field(default=None, validator=_optional(
        attrs.validators.instance_of(ec2.SubnetSelection)))
    security_group: ec2.SecurityGroup | None = attrs.field(default=None, validator=_optional(
        attrs.validators.instance_of(ec2.SecurityGroup)))
    load_balancer_name: str | None = attrs.field(default=None, validator=_check_name)
    idle_timeout_seconds: int | None = attrs.field(default=None, validator=_optional(_number(1, 4000)))
    deletion_protection: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    drop_invalid_header_fields: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))


class ApplicationLoadBalancer(Construct):
    """An application load balancer: `ApplicationLoadBalancer(stack, "LB", vpc=vpc)`.

    Props: vpc, internet_facing (True; False makes it internal, reachable from the VPC only),
    vpc_subnets (default: public subnets when internet-facing, else private), security_group (default:
    one of its own), load_balancer_name, idle_timeout_seconds, deletion_protection,
    drop_invalid_header_fields (True).
    """

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: ApplicationLoadBalancerProps = self._build_props(ApplicationLoadBalancerProps, props)
        self.vpc = self.props.vpc
        self.listeners: list[Listener] = []
        self.security_group = self.props.security_group or ec2.SecurityGroup(
            self, "SecurityGroup", vpc=self.vpc, description=f"load balancer {self.path}"[:255])
        self.subnets = self._subnets()
        self.resource = CfnResource(self, "Resource", type="AWS::ElasticLoadBalancingV2::LoadBalancer", properties={
            "Type": "application",
            "Scheme": "internet-facing" if self.internet_facing else "internal",
            "Subnets": self.subnets.subnet_ids,
            "SecurityGroups": [self.security_group.security_group_id],
            "Name": self.props.load_balancer_name,
            "LoadBalancerAttributes": self._attributes(),
        })
        if self.internet_facing:
            # Elastic Load Balancing refuses an internet-facing load balancer in a VPC with no way out yet.
            self.resource.add_depends_on(*self.vpc.internet_connectivity)

    def _subnets(self) -> ec2.SelectedSubnets:
        selection = self.props.vpc_subnets or ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PUBLIC if self.internet_facing else None)
        subnets = self.vpc.select_subnets(selection)
        if len(subnets.subnets) < 2:
            raise ConstructError(f"an application load balancer needs subnets in at least two availability zones; "
                                 f"{self.path} would have {len(subnets.subnets)}", path=self.path,
                                 location=self.location, hint="give the VPC max_azs=2 or more")
        return subnets

    def _attributes(self) -> list[dict[str, str]]:
        attributes = {
            "routing.http.drop_invalid_header_fields.enabled": self.props.drop_invalid_header_fields,
            "deletion_protection.enabled": self.props.deletion_protection or None,
            "idle_timeout.timeout_seconds": self.props.idle_timeout_seconds,
        }
        return [{"Key": key, "Value": str(value).lower()} for key, value in attributes.items() if value is not None]

    # -- references -------------------------------------------------------------------------------

    @property
    def internet_facing(self) -> bool:
        return self.props.internet_facing

    @property
    def load_balancer_arn(self) -> Token:
        return self.resource.ref

    @property
    def dns_name(self) -> Token:
        return self.resource.get_att("DNSName")

    @property
    def load_balancer_full_name(self) -> Token:
        """"app/<name>/<id>": how CloudWatch names the load balancer in its metrics' dimensions."""
        return self.resource.get_att("LoadBalancerFullName")

    @property
    def clients(self) -> ec2.CidrPeer:
        """Who may connect to the listeners: anyone when internet-facing, else addresses in the VPC."""
        return ec2.Peer.any_ipv4() if self.internet_facing else ec2.Peer.ipv4(self.vpc.cidr)

    # -- metrics ----------------------------------------------------------------------------------

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        """One of the load balancer's AWS/ApplicationELB metrics, by name (every target group together)."""
        return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=metric_name, statistic=statistic,
                                 period=period, dimensions={"LoadBalancer": self.load_balancer_full_name})

    def metric_5xx(self, *, origin: str = "target", statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        """Requests answered with a 5xx status: by the targets (`origin="target"`, errors of your code,
        whichever target group serves them: what a blue/green deployment should watch, as traffic moves
        from one group to the other) or by the load balancer itself (`origin="elb"`)."""
        if origin not in ERROR_ORIGINS:
            raise ConstructError(f"metric_5xx: origin must be 'target' or 'elb', got {origin!r}", path=self.path,
                                 location=caller_location())
        return self.metric(ERROR_ORIGINS[origin], statistic=statistic, period=period)

    # -- listeners --------------------------------------------------------------------------------

    def add_listener(self, id: str, **props: Any) -> Listener:
        """A listener on this load balancer; see Listener for the props."""
        return Listener(self, id, load_balancer=self, **props)

    def add_redirect(self, id: str = "RedirectListener", *, source_port: int = 80,
                     target_port: int = 443) -> Listener:
        """A plain HTTP listener on `source_port` that sends every request to HTTPS on `target_port`."""
        return self.add_listener(id, port=source_port, protocol="HTTP",
                                 default_action=ListenerAction.redirect(protocol="HTTPS", port=target_port))

    def _add_listener(self, listener: Listener) -> None:
        clash = next((known for known in self.listeners if known.port == listener.port), None)
        if clash is not None:
            raise ConstructError(f"load balancer {self.path} already listens on port {listener.port} "
                                 f"({clash.path})", path=listener.path, location=listener.location)
        self.listeners.append(listener)

    def validate(self) -> list[str]:
        if not self.listeners:
            return [f"load balancer {self.path} has no listener, so it accepts no traffic: add one with "
                    "add_listener(id, default_action=...)"]
        return []


__all__ = ["ApplicationLoadBalancer", "ApplicationTargetGroup", "HealthCheck", "Listener", "ListenerAction",
           "DEFAULT_SSL_POLICY"]
