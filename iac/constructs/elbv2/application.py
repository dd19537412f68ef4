"""Application load balancers (HTTP and HTTPS), their listeners, listener actions and target groups.

Imported through the package: `from iac.constructs import elbv2; elbv2.ApplicationLoadBalancer(...)`
(the package docstring tells the whole story).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import attrs

from iac.constructs import cloudwatch, ec2, iam, s3
from iac.constructs.certificatemanager import Certificate
from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.forwarding import checked_keywords
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.constructs.elbv2._base import (
    APPLICATION_LOG_DELIVERY,
    DEFAULT_SSL_POLICY,
    HTTP_CODES,
    LISTENER,
    LOAD_BALANCER,
    MAX_DEREGISTRATION_DELAY_SECONDS,
    MAX_IDLE_TIMEOUT_SECONDS,
    TARGET_GROUP,
    LoadBalancerBase,
    TargetGroupBase,
    attribute_list,
    certificate_arns,
    certificate_rule,
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
from iac.specs import property_enum, property_length, property_pattern

METRICS_NAMESPACE = "AWS/ApplicationELB"
#: Who answered with the error: a target (your code) or the load balancer itself (no healthy target,
#: a target that hung up or timed out).
ERROR_ORIGINS = {"target": "HTTPCode_Target_5XX_Count", "elb": "HTTPCode_ELB_5XX_Count"}


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

    path: str = attrs.field(default="/", validator=health_check_path)
    interval_seconds: int = attrs.field(default=30, converter=in_seconds,
                                        validator=schema_range("HealthCheckIntervalSeconds"))
    timeout_seconds: int = attrs.field(default=5, converter=in_seconds,
                                       validator=schema_range("HealthCheckTimeoutSeconds"))
    healthy_threshold_count: int = attrs.field(default=2, validator=schema_range("HealthyThresholdCount"))
    unhealthy_threshold_count: int = attrs.field(default=3, validator=schema_range("UnhealthyThresholdCount"))
    healthy_http_codes: str = attrs.field(default="200", validator=attrs.validators.matches_re(HTTP_CODES))

    def __attrs_post_init__(self) -> None:
        if self.timeout_seconds >= self.interval_seconds:
            raise ValueError(f"health check timeout_seconds ({self.timeout_seconds}) must be shorter than "
                             f"interval_seconds ({self.interval_seconds})")


class ApplicationTargetGroup(TargetGroupBase):
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
    _forward_hint = "forward to it with lb.add_listener(..., default_action=ListenerAction.forward([group]))"
    _metrics_namespace = METRICS_NAMESPACE

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
        check = self.health_check
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
            "TargetGroupAttributes": attribute_list({"deregistration_delay.timeout_seconds":
                                                     deregistration_delay_seconds}),
        })

    # -- metrics ----------------------------------------------------------------------------------

    def metric_5xx(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """Requests this group's targets answered with a 5xx status (errors of your code)."""
        return self.metric(ERROR_ORIGINS["target"], statistic=statistic, period=period)

    def metric_response_time(self, *, statistic: str = "p99", period: int | Duration = 60) -> cloudwatch.Metric:
        """Seconds from the request leaving the load balancer to the target's answer (p99 by default)."""
        return self.metric("TargetResponseTime", statistic=statistic, period=period)


# -- listeners -------------------------------------------------------------------------------------

class Listener(Construct):
    """A port and protocol an application load balancer accepts; made by `lb.add_listener(id, ...)`.

    Args:
        load_balancer: the load balancer it belongs to (add_listener passes itself).
        default_action: what it does with a request: a ListenerAction.
        port: the port (80, or 443 with certificates).
        protocol: "HTTP", or "HTTPS" (the default when there are certificates).
        certificates: the certificates of an HTTPS listener: certificatemanager.Certificates (of the load
            balancer's region) or ACM certificate ARNs. The first is the default; the others are served
            by SNI to the names they cover (each an `AWS::ElasticLoadBalancingV2::ListenerCertificate`).
        certificate_arn: deprecated, the same as `certificates=[certificate_arn]`.
        ssl_policy: the TLS policy of an HTTPS listener (ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.2
            and 1.3 only).
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
        certificates: Annotated[Sequence[Certificate | str | Token] | None, Check(certificates_rule)] = None,
        certificate_arn: Annotated[str | Token | None, Check(certificate_rule)] = None,
        ssl_policy: Annotated[str | None, Cfn("SslPolicy")] = None,
        open: bool = True,
    ) -> None:
        super().__init__(scope, id)
        self.load_balancer: ApplicationLoadBalancer = load_balancer
        given = list(certificates or ())
        if certificate_arn is not None and certificates is None:
            warnings.warn(f"{self.location}: Listener certificate_arn= is deprecated; pass "
                          "certificates=[certificate] (a certificatemanager.Certificate or an ARN)",
                          DeprecationWarning, stacklevel=2)
        self.protocol: str = protocol or ("HTTPS" if given or certificate_arn is not None else "HTTP")
        self.port: int = port or (443 if self.protocol == "HTTPS" else 80)
        self.default_action = default_action
        https = self.protocol == "HTTPS"
        problem = None
        if certificates is not None and certificate_arn is not None:
            problem = "give certificates or certificate_arn (deprecated), not both"
        elif https and not given and certificate_arn is None:
            problem = ("an HTTPS listener needs certificates=[...] (an ACM certificate for your domain: a "
                       "certificatemanager.Certificate or its ARN)")
        elif not https and (given or certificate_arn is not None or ssl_policy is not None):
            problem = "certificates and ssl_policy apply to HTTPS listeners; this one is HTTP"
        if problem:
            raise ConstructError(f"invalid argument for Listener {id!r}: {problem}", path=self.path,
                                 location=self.location)
        arns = certificate_arns(self, given) if given else ([certificate_arn] if certificate_arn is not None else [])
        self.resource = CfnResource(self, "Resource", type=LISTENER, properties={
            "LoadBalancerArn": self.load_balancer.load_balancer_arn,
            "Port": self.port,
            "Protocol": self.protocol,
            "Certificates": [{"CertificateArn": arns[0]}] if https else None,
            "SslPolicy": (ssl_policy or DEFAULT_SSL_POLICY) if https else None,
            "DefaultActions": [self.default_action.action],
        })
        self.extra_certificates = listener_certificates(self, self.listener_arn, arns)
        for group in self.default_action.target_groups:
            group._attach(self)
        self.load_balancer._add_listener(self)
        if open:
            for peer in self.load_balancer.client_peers:
                self.load_balancer.security_group.allow_from(
                    peer, ec2.Port.tcp(self.port), f"{self.protocol} listener on port {self.port}")

    @property
    def listener_arn(self) -> Token:
        return self.resource.ref


# -- load balancers --------------------------------------------------------------------------------

class ApplicationLoadBalancer(LoadBalancerBase):
    """An application load balancer: `ApplicationLoadBalancer(stack, "LB", vpc=vpc)`.

    Args:
        vpc: the VPC it serves.
        internet_facing: True (default); False makes it internal, reachable from the VPC only.
        vpc_subnets: where it runs (default: the public subnets when internet-facing, else the
            private ones); at least two zones.
        security_group: its security group (default: one of its own that accepts only its
            listeners' ports).
        ip_address_type: "ipv4" (default) or "dualstack" (IPv4 and IPv6: needs a VPC made with
            ipv6=True and an internet-facing load balancer; its listeners then accept ::/0 too).
        load_balancer_name: a fixed name; CloudFormation generates one when omitted.
        idle_timeout_seconds: how long an idle connection stays open, 1 to 4000 seconds (a number
            or a Duration); AWS's default is 60.
        deletion_protection: refuse to delete the load balancer (False).
        drop_invalid_header_fields: drop HTTP headers that are not valid (True: request smuggling).
        access_logs: an s3.Bucket (S3-managed encryption, the load balancer's region) to write access
            logs to; the bucket policy lets Elastic Load Balancing's log delivery write this account's
            log folder and nothing else (see `log_access_logs`).
        access_logs_prefix: the folder of the bucket the logs go under, e.g. "web" (none by default).
    """

    cfn_type = LOAD_BALANCER
    lb_type = "application"
    _listener_hint = "add_listener(id, default_action=...)"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: ec2.Vpc,
        internet_facing: bool = True,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_group: ec2.SecurityGroup | None = None,
        ip_address_type: Annotated[Literal["ipv4", "dualstack"], Check(ip_address_type_rule)] = "ipv4",
        load_balancer_name: Annotated[str | Token | None, Cfn("Name"), Check(name_rule)] = None,
        idle_timeout_seconds: Annotated[
            int | Duration | None, Unit("seconds"), Check(seconds_rule(1, MAX_IDLE_TIMEOUT_SECONDS))] = None,
        deletion_protection: bool = False,
        drop_invalid_header_fields: bool = True,
        access_logs: s3.Bucket | None = None,
        access_logs_prefix: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self._start(vpc, internet_facing=internet_facing, ip_address_type=ip_address_type)
        self.listeners: list[Listener] = []
        self.security_group = security_group or ec2.SecurityGroup(
            self, "SecurityGroup", vpc=self.vpc, description=ec2.generated_description(f"load balancer {self.path}"))
        self.subnets = self._select_subnets(vpc_subnets, 2)
        self._make_resource({
            "Subnets": self.subnets.subnet_ids,
            "SecurityGroups": [self.security_group.security_group_id],
            "Name": load_balancer_name,
        }, {
            "routing.http.drop_invalid_header_fields.enabled": drop_invalid_header_fields,
            "deletion_protection.enabled": deletion_protection or None,
            "idle_timeout.timeout_seconds": idle_timeout_seconds,
        })
        self._access_logs_props(access_logs, access_logs_prefix)

    def _log_delivery_statements(self, bucket: s3.Bucket, folder: str) -> list[iam.PolicyStatement]:
        return [iam.PolicyStatement(principals=[iam.ServicePrincipal(APPLICATION_LOG_DELIVERY)],
                                    actions=["s3:PutObject"], resources=[bucket.arn_for_objects(folder)])]

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
        certificates: Sequence[Certificate | str | Token] | None = None,
        certificate_arn: str | Token | None = None,
        ssl_policy: str | None = None,
        open: bool = True,
    ) -> Listener:
        """A listener on this load balancer; see Listener for the props (checked there).

        HTTPS: `lb.add_listener("Https", certificates=[certificate], default_action=...)` listens on 443 with
        TLS 1.2+ (ELBSecurityPolicy-TLS13-1-2-2021-06); add `lb.add_redirect()` to answer plain HTTP on 80
        with a redirect to it."""
        return Listener(self, id, load_balancer=self, default_action=default_action, port=port, protocol=protocol,
                        certificates=certificates, certificate_arn=certificate_arn, ssl_policy=ssl_policy, open=open)

    def add_redirect(self, id: str = "RedirectListener", *, source_port: int = 80,
                     target_port: int = 443) -> Listener:
        """A plain HTTP listener on `source_port` that answers every request with a 301 to HTTPS on
        `target_port` (host, path and query kept): clients that type http:// reach the HTTPS listener."""
        return self.add_listener(id, port=source_port, protocol="HTTP",
                                 default_action=ListenerAction.redirect(protocol="HTTPS", port=target_port))

    def _add_listener(self, listener: Listener) -> None:
        clash = next((known for known in self.listeners if known.port == listener.port), None)
        if clash is not None:
            raise ConstructError(f"load balancer {self.path} already listens on port {listener.port} "
                                 f"({clash.path})", path=listener.path, location=listener.location)
        self.listeners.append(listener)


__all__ = ["ApplicationLoadBalancer", "ApplicationTargetGroup", "HealthCheck", "Listener", "ListenerAction",
           "DEFAULT_SSL_POLICY"]
