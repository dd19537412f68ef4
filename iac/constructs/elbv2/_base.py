"""What application and network load balancers share: names, subnets, DNS and alias records, attributes,
TLS certificates, access logs, and the target group bookkeeping ECS services rely on."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

import attrs

from iac.constructs import cloudwatch, ec2, iam, s3
from iac.constructs.certificatemanager import Certificate
from iac.constructs.core import Aws, CfnResource, Construct, Token, is_token
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.constructs.ec2.vpc import ImportedVpc
from iac.constructs.route53 import AliasTarget
from iac.errors import ConstructError
from iac.specs import property_enum, property_length, property_range

TARGET_GROUP: Final = "AWS::ElasticLoadBalancingV2::TargetGroup"
LISTENER: Final = "AWS::ElasticLoadBalancingV2::Listener"
LISTENER_CERTIFICATE: Final = "AWS::ElasticLoadBalancingV2::ListenerCertificate"
LOAD_BALANCER: Final = "AWS::ElasticLoadBalancingV2::LoadBalancer"
#: TLS 1.2 and 1.3 only, forward-secret ciphers: what HTTPS and TLS listeners get unless `ssl_policy` says otherwise.
DEFAULT_SSL_POLICY: Final = "ELBSecurityPolicy-TLS13-1-2-2021-06"
#: Elastic Load Balancing's limits for attributes, which the schemas keep as free-form key/value strings.
MAX_DEREGISTRATION_DELAY_SECONDS: Final = 3600
MAX_IDLE_TIMEOUT_SECONDS: Final = 4000
#: Who writes an application load balancer's access logs into the bucket (AWS's documented principal, in
#: every region; the older per-region ELB accounts are not needed):
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
APPLICATION_LOG_DELIVERY: Final = "logdelivery.elasticloadbalancing.amazonaws.com"
#: Who writes a network load balancer's access logs (CloudWatch's vended log delivery):
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
NETWORK_LOG_DELIVERY: Final = "delivery.logs.amazonaws.com"
#: The IpAddressType values that give the load balancer IPv6 addresses (the schema's enum holds them with "ipv4").
DUALSTACK: Final = ("dualstack", "dualstack-without-public-ipv4")

#: An HTTP health check's healthy codes: "200", "200-299", "200,302".
HTTP_CODES = re.compile(r"^\d{3}(?:-\d{3})?(?:,\d{3}(?:-\d{3})?)*$")
_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate/|iam::\d{12}:server-certificate/)")
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")


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


def certificates_rule(value: Any) -> str | None:
    """A list of certificates: `certificatemanager.Certificate`s or certificate ARNs (the first is the default)."""
    if value is None:
        return None
    if not value:
        return "must hold at least one certificate (the first is the listener's default)"
    for item in value:
        problem = None if isinstance(item, Certificate) else certificate_rule(item)
        if problem:
            return problem
    return None


def ip_address_type_rule(value: Any) -> str | None:
    """"ipv4" or "dualstack", as the LoadBalancer schema's IpAddressType enum has them."""
    known = property_enum(LOAD_BALANCER, "IpAddressType")
    if value not in known:
        return f"{value!r} is not one of {', '.join(known)} ({LOAD_BALANCER} IpAddressType, per its schema)"
    return None


def schema_range(property_name: str, what: str = "health check") -> Any:
    """attrs validator: a whole number within the range the TargetGroup schema gives `property_name`."""
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        low, high = property_range(TARGET_GROUP, property_name)
        if isinstance(value, bool) or not isinstance(value, int) or (low is not None and value < low) or (
                high is not None and value > high):
            raise ValueError(f"{what} {attribute.name} must be a whole number from {low} to {high} "
                             f"({TARGET_GROUP} {property_name}, per its schema), got {value!r}")

    return check


def in_seconds(value: int | Duration) -> int:
    """A Duration as whole seconds (ValueError when it is not); anything else as given, for the validator."""
    return value.to("seconds") if isinstance(value, Duration) else value


def health_check_path(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """attrs validator: an HTTP health check's path, within the TargetGroup schema's HealthCheckPath lengths."""
    if value is None:
        return
    low, high = property_length(TARGET_GROUP, "HealthCheckPath")
    if not isinstance(value, str) or not value.startswith("/") or not (low or 0) <= len(value) <= (high or len(value)):
        raise ValueError(f"health check path must start with '/' and be {low}-{high} characters "
                         f"({TARGET_GROUP} HealthCheckPath), got {value!r}")


def attribute_list(attributes: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Key/value attributes as the schemas want them (strings; booleans lowercase); None ones left out."""
    entries = [{"Key": key, "Value": str(value).lower() if isinstance(value, bool) else
                (value if is_token(value) else str(value))}
               for key, value in attributes.items() if value is not None]
    return entries or None


def _region_of_arn(arn: Any) -> str | None:
    if isinstance(arn, str) and not is_token(arn) and arn.split(":")[2:3] == ["acm"]:
        return arn.split(":")[3]
    return None


def certificate_arns(owner: Construct, certificates: Sequence[Certificate | str | Token]) -> list[Any]:
    """The ARNs of a listener's certificates; a certificate of another region than the listener's stack is refused
    (ACM certificates serve load balancers of their own region only)."""
    arns: list[Any] = []
    mine = owner.stack.region
    for certificate in certificates:
        arn: Any
        if isinstance(certificate, Certificate):
            theirs, where, arn = certificate.region, certificate.path, certificate.certificate_arn
        else:
            theirs, where, arn = _region_of_arn(certificate), repr(certificate), certificate
        if mine and theirs and mine != theirs:
            raise ConstructError(
                f"the certificate {where} is in {theirs} and the listener {owner.path} in {mine}: a load balancer "
                "serves only ACM certificates of its own region", path=owner.path, location=owner.location,
                hint=f"request the certificate in {mine} (a certificatemanager.Certificate in a stack of that region)")
        arns.append(arn)
    return arns


def listener_certificates(listener: Construct, listener_arn: Any, arns: Sequence[Any]) -> list[CfnResource]:
    """The certificates after the first, each an `AWS::ElasticLoadBalancingV2::ListenerCertificate` (a listener's
    own Certificates property takes exactly one, its default), served by SNI to the names they cover."""
    return [CfnResource(listener, f"Certificate{index}", type=LISTENER_CERTIFICATE, properties={
        "ListenerArn": listener_arn, "Certificates": [{"CertificateArn": arn}]})
        for index, arn in enumerate(arns[1:], start=2)]


def _prefix_problem(prefix: Any) -> str | None:
    if prefix is None:
        return None
    if not isinstance(prefix, str) or is_token(prefix) or not prefix or prefix.startswith("/") or prefix.endswith("/"):
        return ("access log prefix must be a literal such as 'web' or 'logs/web' (no leading or trailing '/'), "
                f"got {prefix!r}")
    if "AWSLogs" in prefix:
        return f"access log prefix {prefix!r} must not contain 'AWSLogs' (Elastic Load Balancing adds it itself)"
    return None


# -- target groups ---------------------------------------------------------------------------------

class TargetGroupBase(Construct):
    """What every target group offers: its ARN and names, its listeners and load balancers, and making a resource
    (an ECS service) wait until a listener forwards to it. Subclasses set `resource`, `_port`, `_target_type`."""

    resource: CfnResource
    _port: int
    _target_type: str
    #: how a listener comes to forward to this kind of group (for the error when none does)
    _forward_hint: str = "forward to it from a listener of a load balancer"

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.listeners: list[Any] = []
        self._dependents: list[CfnResource] = []

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
    def load_balancers(self) -> list[Any]:
        """The load balancers whose listeners forward here."""
        found: list[Any] = []
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

    #: the CloudWatch namespace of the group's metrics
    _metrics_namespace: str = ""

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of this group's metrics (AWS/ApplicationELB or AWS/NetworkELB), by name.

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
                hint=f"ask for the metric once a listener forwards to it ({self._forward_hint}); with several load "
                     "balancers, build a cloudwatch.Metric with the dimensions you want")
        return cloudwatch.Metric(namespace=self._metrics_namespace, metric_name=metric_name, statistic=statistic,
                                 period=period, dimensions={"LoadBalancer": balancers[0].load_balancer_full_name,
                                                            "TargetGroup": self.target_group_full_name})

    def metric_unhealthy_hosts(self, *, statistic: str = "Maximum", period: int | Duration = 60) -> cloudwatch.Metric:
        """Targets failing their health check (new tasks that never become healthy show up here)."""
        return self.metric("UnHealthyHostCount", statistic=statistic, period=period)

    def add_dependent(self, resource: CfnResource) -> None:
        """Make `resource` wait for every listener that forwards here, now and later (an ECS service
        cannot register with a target group before the group belongs to a load balancer)."""
        self._dependents.append(resource)
        for listener in self.listeners:
            resource.add_depends_on(listener.resource)

    def _attach(self, listener: Any) -> None:
        if listener not in self.listeners:
            self.listeners.append(listener)
            for resource in self._dependents:
                resource.add_depends_on(listener.resource)

    def validate(self) -> list[str]:
        if self._dependents and not self.listeners:
            return [f"target group {self.path} has targets registered but no listener forwards to it: ECS and "
                    f"Elastic Load Balancing refuse a target group without a load balancer; {self._forward_hint}"]
        return []


# -- load balancers --------------------------------------------------------------------------------

class LoadBalancerBase(Construct):
    """What every load balancer offers: where it runs, its DNS name and alias target, its attributes and its
    access logs. Subclasses call `_start`, `_select_subnets` and `_make_resource` from their constructor."""

    #: "application" or "network": the LoadBalancer's Type
    lb_type: str = ""
    #: how to add a listener to this kind of load balancer (for the error when it has none)
    _listener_hint: str = "add_listener(id, ...)"
    resource: CfnResource

    def _start(self, vpc: ec2.Vpc, *, internet_facing: bool, ip_address_type: str) -> None:
        self.vpc = vpc
        self._internet_facing = internet_facing
        self._ip_address_type = ip_address_type
        self.listeners: list[Any] = []
        self.access_logs_bucket: s3.Bucket | None = None
        self._attribute_values: dict[str, Any] = {}
        problem = None
        if self.dualstack and not internet_facing:
            problem = (f"an internal load balancer uses ip_address_type 'ipv4' ({LOAD_BALANCER} IpAddressType: "
                       "internal load balancers must use ipv4)")
        elif self.dualstack and not isinstance(vpc, ImportedVpc) and getattr(vpc, "ipv6_cidr_block", None) is None:
            problem = f"ip_address_type {ip_address_type!r} needs subnets with IPv6 ranges; the VPC {vpc.path} has none"
        if problem:
            raise ConstructError(f"invalid argument for {type(self).__name__} {self.id!r}: {problem}", path=self.path,
                                 location=self.location, hint="make the VPC with ipv6=True, or keep ip_address_type "
                                 "'ipv4'" if "IPv6 ranges" in problem else None)

    def _select_subnets(self, vpc_subnets: ec2.SubnetSelection | None, minimum: int) -> ec2.SelectedSubnets:
        selection = vpc_subnets or ec2.SubnetSelection(
            subnet_type=ec2.SubnetType.PUBLIC if self.internet_facing else None)
        subnets = self.vpc.select_subnets(selection)
        if len(subnets.subnets) < minimum:
            zones = "two availability zones" if minimum == 2 else "one availability zone"
            raise ConstructError(f"an {self.lb_type} load balancer needs subnets in at least {zones}; "
                                 f"{self.path} would have {len(subnets.subnets)}", path=self.path,
                                 location=self.location, hint=f"give the VPC max_azs={minimum} or more")
        return subnets

    def _make_resource(self, properties: dict[str, Any], attributes: dict[str, Any]) -> CfnResource:
        self._attribute_values = dict(attributes)
        self.resource = CfnResource(self, "Resource", type=LOAD_BALANCER, properties={
            "Type": self.lb_type,
            "Scheme": "internet-facing" if self.internet_facing else "internal",
            "IpAddressType": self._ip_address_type if self.dualstack else None,
            **properties,
            "LoadBalancerAttributes": attribute_list(self._attribute_values),
        })
        if self.internet_facing:
            # Elastic Load Balancing refuses an internet-facing load balancer in a VPC with no way out yet.
            self.resource.add_depends_on(*self.vpc.internet_connectivity)
        return self.resource

    def _access_logs_props(self, bucket: s3.Bucket | None, prefix: str | None) -> None:
        """The constructor's access_logs= and access_logs_prefix=."""
        if bucket is not None:
            self.log_access_logs(bucket, prefix=prefix)
        elif prefix is not None:
            raise ConstructError(f"invalid argument for {type(self).__name__} {self.id!r}: access_logs_prefix needs "
                                 "access_logs (the bucket)", path=self.path, location=self.location)

    def _set_attributes(self, attributes: dict[str, Any]) -> None:
        self._attribute_values.update(attributes)
        self.resource.properties["LoadBalancerAttributes"] = attribute_list(self._attribute_values)

    # -- references -------------------------------------------------------------------------------

    @property
    def internet_facing(self) -> bool:
        return self._internet_facing

    @property
    def ip_address_type(self) -> str:
        return self._ip_address_type

    @property
    def dualstack(self) -> bool:
        """Whether it has IPv6 addresses too (an AAAA alias record to it then answers)."""
        return self._ip_address_type in DUALSTACK

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

    @property
    def load_balancer_full_name(self) -> Token:
        """"app/<name>/<id>" or "net/<name>/<id>": how CloudWatch names the load balancer in its metrics."""
        return self.resource.get_att("LoadBalancerFullName")

    def alias_record_target(self) -> AliasTarget:
        """What a route53 alias record to the load balancer says: "dualstack." and its DNS name, in its canonical
        hosted zone, answering only while the balancer has healthy targets; an AAAA alias only when dualstack."""
        return AliasTarget(dns_name=f"dualstack.{self.dns_name}", hosted_zone_id=self.canonical_hosted_zone_id,
                           evaluate_target_health=True, ipv6=self.dualstack)

    @property
    def clients(self) -> ec2.CidrPeer:
        """Who may connect to the listeners over IPv4: anyone when internet-facing, else addresses in the VPC."""
        return ec2.Peer.any_ipv4() if self.internet_facing else ec2.Peer.ipv4(self.vpc.cidr)

    @property
    def client_peers(self) -> list[ec2.CidrPeer]:
        """Who may connect: `clients`, and any IPv6 address too when internet-facing and dualstack."""
        return [self.clients, *([ec2.Peer.any_ipv6()] if self.dualstack and self.internet_facing else [])]

    # -- access logs ------------------------------------------------------------------------------

    def log_access_logs(self, bucket: s3.Bucket, *, prefix: str | None = None) -> None:
        """Write access logs to `bucket` (under `prefix`/AWSLogs/<account>/...): sets the access_logs.s3.*
        attributes and adds the bucket policy statement Elastic Load Balancing's log delivery needs, for this
        account's log folder only (the load balancer waits for that policy: ELB checks it can write when logging
        is turned on). An imported bucket (`s3.Bucket.from_bucket_name`) must allow the delivery already: its
        policy belongs to its owner."""
        location = caller_location()
        problem, hint = self._access_logs_problem(bucket, prefix)
        if problem is not None:
            raise ConstructError(f"{self.path}: {problem}", path=self.path, location=location, hint=hint)
        self.access_logs_bucket = bucket
        self._set_attributes({"access_logs.s3.enabled": True, "access_logs.s3.bucket": bucket.bucket_name,
                              "access_logs.s3.prefix": prefix})
        if isinstance(bucket, s3.ImportedBucket):
            return
        folder = f"{prefix}/AWSLogs/{Aws.ACCOUNT_ID}/*" if prefix else f"AWSLogs/{Aws.ACCOUNT_ID}/*"
        for statement in self._log_delivery_statements(bucket, folder):
            bucket.add_to_resource_policy(statement)
        if bucket.policy is not None and bucket.stack is self.stack:
            self.resource.add_depends_on(bucket.policy)

    def _access_logs_problem(self, bucket: Any, prefix: Any) -> tuple[str | None, str | None]:
        if not isinstance(bucket, s3.Bucket):
            return f"access logs go to an s3.Bucket, got {bucket!r}", None
        if self.access_logs_bucket is not None:
            return f"access logs already go to {self.access_logs_bucket.path}", None
        if bucket.props.encryption == s3.BucketEncryption.KMS:
            return (f"the bucket {bucket.path} is encrypted with a KMS key: Elastic Load Balancing writes access logs "
                    "only to buckets encrypted with S3-managed keys (SSE-S3)",
                    "log to a bucket with the default encryption (s3.BucketEncryption.S3_MANAGED)")
        mine, theirs = self.stack.region, bucket.stack.region
        if mine and theirs and mine != theirs and not isinstance(bucket, s3.ImportedBucket):
            return (f"the bucket {bucket.path} is in {theirs} and the load balancer in {mine}: Elastic Load Balancing "
                    "writes access logs only to a bucket of its own region", None)
        return _prefix_problem(prefix), None

    def _log_delivery_statements(self, bucket: s3.Bucket, folder: str) -> list[iam.PolicyStatement]:
        """The bucket policy statements that let this kind of load balancer's log delivery write `folder`."""
        raise NotImplementedError

    def _access_logs_validation(self) -> list[str]:
        return []

    def validate(self) -> list[str]:
        if not self.listeners:
            return [f"load balancer {self.path} has no listener, so it accepts no traffic: add one with "
                    f"{self._listener_hint}"]
        return self._access_logs_validation()


__all__ = ["APPLICATION_LOG_DELIVERY", "DEFAULT_SSL_POLICY", "LISTENER", "LISTENER_CERTIFICATE", "LOAD_BALANCER",
           "LoadBalancerBase", "NETWORK_LOG_DELIVERY", "TARGET_GROUP", "TargetGroupBase"]
