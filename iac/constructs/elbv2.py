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
from typing import Annotated, Any, Literal

import attrs

from iac.constructs import cloudwatch, ec2
from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.forwarding import checked_keywords
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.constructs.route53 import AliasTarget
from iac.errors import ConstructError
from iac.specs import property_enum, property_length, property_pattern, property_range

DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate/|iam::\d{12}:server-certificate/)")
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
_HTTP_CODES = re.compile(r"^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$")
METRICS_NAMESPACE = "AWS/ApplicationELB"
#: Who answered with the error: a target (your code) or the load balancer itself (no healthy target,
#: a target that hung up or timed out).
ERROR_ORIGINS = {"target": "HTTPCode_Target_5XX_Count", "elb": "HTTPCode_ELB_5XX_Count"}
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
#: Elastic Load Balancing's limits for attributes, which the schemas keep as free-form key/value strings.
MAX_DEREGISTRATION_DELAY_SECONDS = 3600
MAX_IDLE_TIMEOUT_SECONDS = 4000


# -- rules the schemas cannot say ------------------------------------------------------------------

def name_rule(value: Any) -> str | None:
    """A load balancer or target group name (the schemas say only "a string")."""
    if is_token(value):
        return None
    if not isinstance(value, str) or not _NAME.match(value) or value.startswith("internal-"):
        return (f"{value!r} is not a name Elastic Load Balancing accepts: 1-32 letters, digits and hyphens, not "
                "starting or ending with a hyphen (nor with 'internal-')")
    return None


def seconds_rule(low: int, high: int) -> Any:
    """A number of seconds from `low` to `high` (an attribute's limit, not in the schema)."""
    def rule(value: Any) -> str | None:
        return None if low <= value <= high else f"{value} is not from {low} to {high} seconds"

    rule.__name__ = f"seconds_{low}_to_{high}"
    return rule


def certificate_rule(value: Any) -> str | None:
    """An ACM or IAM server certificate ARN (the schema's CertificateArn is only "a string")."""
    if is_token(value) or (isinstance(value, str) and _CERTIFICATE_ARN.match(value)):
        return None
    return (f"{value!r} is not an ACM certificate ARN (arn:aws:acm:region:account:certificate/id) nor an IAM "
            "server certificate ARN")


def _schema_range(property_name: str) -> Any:
    """attrs validator: a whole number within the range the TargetGroup schema gives `property_name`."""
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        low, high = property_range(TARGET_GROUP, property_name)
        if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low) or (
                high is not None and value > high):
            raise ValueError(f"health check {attribute.name} must be a whole number from {low} to {high} "
                             f"({TARGET_GROUP} {property_name}, per its schema), got {value!r}")

    return check


def _in_seconds(value: int | Duration) -> int:
    """A Duration as whole seconds (ValueError when it is not); anything else as given, for the validator."""
    return value.to("seconds") if isinstance(value, Duration) else value


def _health_check_path(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    low, high = property_length(TARGET_GROUP, "HealthCheckPath")
    if not isinstance(value, str) or not value.startswith("/") or not (low or 0) <= len(value) <= (high or len(value)):
        raise ValueError(f"health check path must start with '/' and be {low}-{high} characters "
                         f"({TARGET_GROUP} HealthCheckPath), got {value!r}")


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
        protocol_pattern = property_pattern(LISTENER, "DefaultActions", "RedirectConfig", "Protocol")
        if not isinstance(protocol, str) or (protocol_pattern and not re.search(protocol_pattern, protocol)):
            raise ConstructError(f"redirect protocol must be HTTP or HTTPS, got {protocol!r} ({LISTENER} "
                                 f"RedirectConfig.Protocol, per its schema: {protocol_pattern})", location=location)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ConstructError(f"redirect port must be 1-65535, got {port!r}", location=location)
        status_codes = property_enum(LISTENER, "DefaultActions", "RedirectConfig", "StatusCode")
        if status_codes and status_code not in status_codes:
            raise ConstructError(f"redirect status_code must be {' or '.join(status_codes)}, got {status_code!r} "
                                 f"({LISTENER} RedirectConfig.StatusCode, per its schema)", location=location)
        return ListenerAction({"Type": "redirect", "RedirectConfig": {
            "Protocol": protocol, "Port": str(port), "StatusCode": status_code,
            "Host": host, "Path": path, "Query": query}})

    @staticmethod
    def fixed_response(status_code: int, *, content_type: str | None = None,
                       message_body: str | None = None) -> ListenerAction:
        location = caller_location()
        pattern = property_pattern(LISTENER, "DefaultActions", "FixedResponseConfig", "StatusCode")
        if isinstance(status_code, bool) or not isinstance(status_code, int) or (
                pattern and not re.search(pattern, str(status_code))):
            raise ConstructError(f"fixed_response status_code must be an HTTP status code matching {pattern}, got "
                                 f"{status_code!r} ({LISTENER} FixedResponseConfig.StatusCode, per its schema)",
                                 location=location)
        longest = property_length(LISTENER, "DefaultActions", "FixedResponseConfig", "ContentType")[1]
        if content_type is not None and longest is not None and not is_token(content_type) and (
                not isinstance(content_type, str) or len(content_type) > longest):
            raise ConstructError(f"fixed_response content_type must be a string of at most {longest} characters, got "
                                 f"{content_type!r} ({LISTENER} FixedResponseConfig.ContentType, per its schema)",
                                 location=location)
        return ListenerAction({"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": str(status_code), "ContentType": content_type, "MessageBody": message_body}})


# -- target groups ---------------------------------------------------------------------------------

@attrs.frozen(kw_only=True)
class HealthCheck:
    """How the load balancer decides a target may receive requests. The ranges of the seconds and
    counts are the TargetGroup schema's (HealthCheckIntervalSeconds, ...), read when one is made;
    interval_seconds and timeout_seconds take a number of seconds or a Duration."""

    path: str = attrs.field(default="/", validator=_health_check_path)
    interval_seconds: int = attrs.field(default=30, converter=_in_seconds,
                                        validator=_schema_range("HealthCheckIntervalSeconds"))
    timeout_seconds: int = attrs.field(default=5, converter=_in_seconds,
                                       validator=_schema_range("HealthCheckTimeoutSeconds"))
    healthy_threshold_count: int = attrs.field(default=2, validator=_schema_range("HealthyThresholdCount"))
    unhealthy_threshold_count: int = attrs.field(default=3, validator=_schema_range("UnhealthyThresholdCount"))
    healthy_http_codes: str = attrs.field(default="200", validator=attrs.validators.matches_re(_HTTP_CODES))

    def __attrs_post_init__(self) -> None:
        if self.timeout_seconds >= self.interval_seconds:
            raise ValueError(f"health check timeout_seconds ({self.timeout_seconds}) must be shorter than "
                             f"interval_seconds ({self.interval_seconds})")


class ApplicationTargetGroup(Construct):
    """Where a listener sends requests: `ApplicationTargetGroup(stack, "Web", vpc=vpc, port=8080)`.

    Args:
        vpc: the VPC the targets are in.
        port: the port the targets listen on (80).
        protocol: how the load balancer talks to the targets: "HTTP" (default) or "HTTPS".
        target_type: "ip" (default: what Fargate tasks and other awsvpc targets need) or "instance".
        health_check: a HealthCheck (default: `HealthCheck()`, healthy after two good answers).
        deregistration_delay_seconds: how long a leaving target finishes its requests, 0 to 3600
            seconds (a number or a Duration); AWS's default is 300.
        target_group_name: a fixed name; CloudFormation generates one when omitted.
    """

    cfn_type = TARGET_GROUP

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.Vpc,
        port: Annotated[int, Cfn("Port")] = 80,
        protocol: Annotated[Literal["HTTP", "HTTPS"], Cfn("Protocol")] = "HTTP",
        target_type: Annotated[Literal["ip", "instance"], Cfn("TargetType")] = "ip",
        health_check: HealthCheck | None = None,
        deregistration_delay_seconds: Annotated[
            int | Duration | None, Unit("seconds"), Check(seconds_rule(0, MAX_DEREGISTRATION_DELAY_SECONDS))] = None,
        target_group_name: Annotated[str | Token | None, Cfn("Name"), Check(name_rule)] = None,
    ) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        self._port = port
        self._target_type = target_type
        self.health_check = health_check or HealthCheck()
        self.listeners: list[Listener] = []
        self._dependents: list[CfnResource] = []
        check = self.health_check
        delay = deregistration_delay_seconds
        self.resource = CfnResource(self, "Resource", type=TARGET_GROUP, properties={
            "VpcId": vpc.vpc_id,
            "TargetType": target_type,
            "Port": port,
            "Protocol": protocol,
            "Name": target_group_name,
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
        return self._target_type

    @property
    def port(self) -> int:
        return self._port

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

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
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

    def metric_5xx(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """Requests this group's targets answered with a 5xx status (errors of your code)."""
        return self.metric(ERROR_ORIGINS["target"], statistic=statistic, period=period)

    def metric_unhealthy_hosts(self, *, statistic: str = "Maximum", period: int | Duration = 60) -> cloudwatch.Metric:
        """Targets failing their health check (new tasks that never become healthy show up here)."""
        return self.metric("UnHealthyHostCount", statistic=statistic, period=period)

    def metric_response_time(self, *, statistic: str = "p99", period: int | Duration = 60) -> cloudwatch.Metric:
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

class Listener(Construct):
    """A port and protocol the load balancer accepts; made by `lb.add_listener(id, ...)`.

    Args:
        load_balancer: the load balancer it belongs to (add_listener passes itself).
        default_action: what it does with a request: a ListenerAction.
        port: the port (80, or 443 with a certificate).
        protocol: "HTTP", or "HTTPS" (the default when there is a certificate).
        certificate_arn: the ACM (or IAM server) certificate of an HTTPS listener.
        ssl_policy: the TLS policy of an HTTPS listener (ELBSecurityPolicy-TLS13-1-2-2021-06).
        open: True: the load balancer's group accepts this port from its clients; False: you open it
            yourself.
    """

    cfn_type = LISTENER

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        load_balancer: ApplicationLoadBalancer,
        default_action: ListenerAction,
        port: Annotated[int | None, Cfn("Port")] = None,
        protocol: Annotated[Literal["HTTP", "HTTPS"] | None, Cfn("Protocol")] = None,
        certificate_arn: Annotated[str | Token | None, Check(certificate_rule)] = None,
        ssl_policy: Annotated[str | None, Cfn("SslPolicy")] = None,
        open: bool = True,
    ) -> None:
        super().__init__(scope, id)
        self.load_balancer: ApplicationLoadBalancer = load_balancer
        self.protocol: str = protocol or ("HTTPS" if certificate_arn is not None else "HTTP")
        self.port: int = port or (443 if self.protocol == "HTTPS" else 80)
        self.default_action = default_action
        https = self.protocol == "HTTPS"
        problem = None
        if https and certificate_arn is None:
            problem = "an HTTPS listener needs certificate_arn (an ACM certificate for your domain)"
        elif not https and (certificate_arn is not None or ssl_policy is not None):
            problem = "certificate_arn and ssl_policy apply to HTTPS listeners; this one is HTTP"
        if problem:
            raise ConstructError(f"invalid argument for Listener {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self.resource = CfnResource(self, "Resource", type=LISTENER, properties={
            "LoadBalancerArn": self.load_balancer.load_balancer_arn,
            "Port": self.port,
            "Protocol": self.protocol,
            "Certificates": [{"CertificateArn": certificate_arn}] if https else None,
            "SslPolicy": (ssl_policy or DEFAULT_SSL_POLICY) if https else None,
            "DefaultActions": [self.default_action.action],
        })
        for group in self.default_action.target_groups:
            group._attach(self)
        self.load_balancer._add_listener(self)
        if open:
            self.load_balancer.security_group.allow_from(
                self.load_balancer.clients, ec2.Port.tcp(self.port),
                f"{self.protocol} listener on port {self.port}")

    @property
    def listener_arn(self) -> Token:
        return self.resource.ref


# -- load balancers --------------------------------------------------------------------------------

class ApplicationLoadBalancer(Construct):
    """An application load balancer: `ApplicationLoadBalancer(stack, "LB", vpc=vpc)`.

    Args:
        vpc: the VPC it serves.
        internet_facing: True (default); False makes it internal, reachable from the VPC only.
        vpc_subnets: where it runs (default: the public subnets when internet-facing, else the
            private ones); at least two zones.
        security_group: its security group (default: one of its own that accepts only its
            listeners' ports).
        load_balancer_name: a fixed name; CloudFormation generates one when omitted.
        idle_timeout_seconds: how long an idle connection stays open, 1 to 4000 seconds (a number
            or a Duration); AWS's default is 60.
        deletion_protection: refuse to delete the load balancer (False).
        drop_invalid_header_fields: drop HTTP headers that are not valid (True: request smuggling).
    """

    cfn_type = LOAD_BALANCER

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.Vpc,
        internet_facing: bool = True,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_group: ec2.SecurityGroup | None = None,
        load_balancer_name: Annotated[str | Token | None, Cfn("Name"), Check(name_rule)] = None,
        idle_timeout_seconds: Annotated[
            int | Duration | None, Unit("seconds"), Check(seconds_rule(1, MAX_IDLE_TIMEOUT_SECONDS))] = None,
        deletion_protection: bool = False,
        drop_invalid_header_fields: bool = True,
    ) -> None:
        super().__init__(scope, id)
        self.vpc = vpc
        self._internet_facing = internet_facing
        self.listeners: list[Listener] = []
        self.security_group = security_group or ec2.SecurityGroup(
            self, "SecurityGroup", vpc=self.vpc, description=f"load balancer {self.path}"[:255])
        self.subnets = self._subnets(vpc_subnets)
        self.resource = CfnResource(self, "Resource", type=LOAD_BALANCER, properties={
            "Type": "application",
            "Scheme": "internet-facing" if self.internet_facing else "internal",
            "Subnets": self.subnets.subnet_ids,
            "SecurityGroups": [self.security_group.security_group_id],
            "Name": load_balancer_name,
            "LoadBalancerAttributes": self._attributes({
                "routing.http.drop_invalid_header_fields.enabled": drop_invalid_header_fields,
                "deletion_protection.enabled": deletion_protection or None,
                "idle_timeout.timeout_seconds": idle_timeout_seconds,
            }),
        })
        if self.internet_facing:
            # Elastic Load Balancing refuses an internet-facing load balancer in a VPC with no way out yet.
            self.resource.add_depends_on(*self.vpc.internet_connectivity)

    def _subnets(self, vpc_subnets: ec2.SubnetSelection | None) -> ec2.SelectedSubnets:
        selection = vpc_subnets or ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PUBLIC if self.internet_facing else None)
        subnets = self.vpc.select_subnets(selection)
        if len(subnets.subnets) < 2:
            raise ConstructError(f"an application load balancer needs subnets in at least two availability zones; "
                                 f"{self.path} would have {len(subnets.subnets)}", path=self.path,
                                 location=self.location, hint="give the VPC max_azs=2 or more")
        return subnets

    @staticmethod
    def _attributes(attributes: dict[str, Any]) -> list[dict[str, str]]:
        return [{"Key": key, "Value": str(value).lower()} for key, value in attributes.items() if value is not None]

    # -- references -------------------------------------------------------------------------------

    @property
    def internet_facing(self) -> bool:
        return self._internet_facing

    @property
    def load_balancer_arn(self) -> Token:
        return self.resource.ref

    @property
    def dns_name(self) -> Token:
        return self.resource.get_att("DNSName")

    @property
    def canonical_hosted_zone_id(self) -> Token:
        """The Route 53 hosted zone AWS keeps the load balancer's DNS name in (what an alias record names)."""
        return self.resource.get_att("CanonicalHostedZoneID")

    def alias_record_target(self) -> AliasTarget:
        """What a route53 alias record to the load balancer says: "dualstack." and its DNS name, in its canonical
        hosted zone, answering only while the balancer has healthy targets."""
        return AliasTarget(dns_name=f"dualstack.{self.dns_name}", hosted_zone_id=self.canonical_hosted_zone_id,
                           evaluate_target_health=True,
                           ipv6=self.resource.properties.get("IpAddressType") in (
                               "dualstack", "dualstack-without-public-ipv4"))

    @property
    def load_balancer_full_name(self) -> Token:
        """"app/<name>/<id>": how CloudWatch names the load balancer in its metrics' dimensions."""
        return self.resource.get_att("LoadBalancerFullName")

    @property
    def clients(self) -> ec2.CidrPeer:
        """Who may connect to the listeners: anyone when internet-facing, else addresses in the VPC."""
        return ec2.Peer.any_ipv4() if self.internet_facing else ec2.Peer.ipv4(self.vpc.cidr)

    # -- metrics ----------------------------------------------------------------------------------

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of the load balancer's AWS/ApplicationELB metrics, by name (every target group together)."""
        return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=metric_name, statistic=statistic,
                                 period=period, dimensions={"LoadBalancer": self.load_balancer_full_name})

    def metric_5xx(self, *, origin: str = "target", statistic: str = "Sum",
                   period: int | Duration = 60) -> cloudwatch.Metric:
        """Requests answered with a 5xx status: by the targets (`origin="target"`, errors of your code,
        whichever target group serves them: what a blue/green deployment should watch, as traffic moves
        from one group to the other) or by the load balancer itself (`origin="elb"`)."""
        if origin not in ERROR_ORIGINS:
            raise ConstructError(f"metric_5xx: origin must be 'target' or 'elb', got {origin!r}", path=self.path,
                                 location=caller_location())
        return self.metric(ERROR_ORIGINS[origin], statistic=statistic, period=period)

    # -- listeners --------------------------------------------------------------------------------

    @checked_keywords
    def add_listener(
        self,
        id: str,
        *,
        default_action: ListenerAction,
        port: int | None = None,
        protocol: Literal["HTTP", "HTTPS"] | None = None,
        certificate_arn: str | Token | None = None,
        ssl_policy: str | None = None,
        open: bool = True,
    ) -> Listener:
        """A listener on this load balancer; see Listener for the props (checked there)."""
        return Listener(self, id, load_balancer=self, default_action=default_action, port=port, protocol=protocol,
                        certificate_arn=certificate_arn, ssl_policy=ssl_policy, open=open)

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
