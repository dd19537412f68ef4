"""Where a template's resources write their logs: a load balancer's attributes, and the buckets that are
log targets of other resources (which need no access logs of their own, and must not log to themselves).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from iac.checks._model import Run, TemplatePath, TemplateResource
from iac.checks._policy import action_matches, statements
from iac.checks._values import UNKNOWN, as_list, known, referenced_ids, refers_to, strings, text_of

#: The attributes of an AWS::ElasticLoadBalancingV2::LoadBalancer that name the bucket it logs to.
LOAD_BALANCER_LOG_BUCKETS = ("access_logs.s3.bucket", "connection_logs.s3.bucket", "health_check_logs.s3.bucket")

#: The service principals that write logs into a bucket, when its policy lets them: S3 server access
#: logging, CloudWatch Logs vended delivery (CloudFront v2, VPC flow logs, WAF...), CloudTrail, AWS Config,
#: load balancers (the service principal of regions opened since 2022; older regions grant an account of
#: Elastic Load Balancing's, which differs by region and is not recognised: such a bucket is recognised by
#: the load balancer's access_logs.s3.bucket attribute instead).
LOG_DELIVERY_SERVICES = ("logging.s3.amazonaws.com", "delivery.logs.amazonaws.com", "cloudtrail.amazonaws.com",
                         "config.amazonaws.com", "logdelivery.elasticloadbalancing.amazonaws.com")


def load_balancer_attributes(resource: TemplateResource) -> dict[str, Any] | None:
    """An ELBv2 load balancer's LoadBalancerAttributes as {key: value} (None when the list is computed)."""
    found = resource.properties.get("LoadBalancerAttributes")
    if known(found) is UNKNOWN:
        return None
    attributes: dict[str, Any] = {}
    for item in as_list(found):
        if isinstance(item, dict) and isinstance(item.get("Key"), str):
            attributes[item["Key"]] = item.get("Value")
    return attributes


def _load_balancer_log_buckets(resource: TemplateResource) -> list[Any]:
    attributes = load_balancer_attributes(resource) or {}
    return [attributes[key] for key in LOAD_BALANCER_LOG_BUCKETS if key in attributes]


def _get(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


#: Per resource type, the values that name a bucket it writes logs to.
_LOG_DESTINATIONS: dict[str, Callable[[TemplateResource], list[Any]]] = {
    "AWS::S3::Bucket": lambda r: [_get(r.properties, "LoggingConfiguration", "DestinationBucketName")],
    "AWS::CloudFront::Distribution": lambda r: [_get(r.properties, "DistributionConfig", "Logging", "Bucket")],
    "AWS::ElasticLoadBalancingV2::LoadBalancer": _load_balancer_log_buckets,
    "AWS::ElasticLoadBalancing::LoadBalancer": lambda r: [_get(r.properties, "AccessLoggingPolicy", "S3BucketName")],
    "AWS::CloudTrail::Trail": lambda r: [r.properties.get("S3BucketName")],
    "AWS::Config::DeliveryChannel": lambda r: [r.properties.get("S3BucketName")],
    "AWS::EC2::FlowLog": lambda r: [r.properties.get("LogDestination")],
    "AWS::Logs::DeliveryDestination": lambda r: [r.properties.get("DestinationResourceArn")],
    "AWS::WAFv2::LoggingConfiguration": lambda r: as_list(r.properties.get("LogDestinationConfigs")),
    "AWS::Route53Resolver::ResolverQueryLoggingConfig": lambda r: [r.properties.get("DestinationArn")],
}
#: The properties those readers look at (held against the schemas by a test).
LOG_DESTINATION_READS = {
    "AWS::S3::Bucket": ("LoggingConfiguration", "BucketName", "AccessControl"),
    "AWS::S3::BucketPolicy": ("Bucket", "PolicyDocument"),
    "AWS::CloudFront::Distribution": ("DistributionConfig",),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("LoadBalancerAttributes",),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("AccessLoggingPolicy",),
    "AWS::CloudTrail::Trail": ("S3BucketName",),
    "AWS::Config::DeliveryChannel": ("S3BucketName",),
    "AWS::EC2::FlowLog": ("LogDestination",),
    "AWS::Logs::DeliveryDestination": ("DestinationResourceArn",),
    "AWS::WAFv2::LoggingConfiguration": ("LogDestinationConfigs",),
    "AWS::Route53Resolver::ResolverQueryLoggingConfig": ("DestinationArn",),
}


def names_bucket(value: Any, bucket: TemplateResource) -> bool:
    """Whether `value` names `bucket`: a Ref or GetAtt of it (its name, Arn, DomainName), or its literal
    BucketName as a name, an ARN ("arn:aws:s3:::name/prefix") or a domain ("name.s3.amazonaws.com")."""
    if refers_to(value, bucket.logical_id):
        return True
    name = bucket.properties.get("BucketName")
    text = text_of(value)
    if not isinstance(name, str) or not name or text is None:
        return False
    return text == name or text.startswith(f"{name}.s3.") or re.search(
        rf":s3:::{re.escape(name)}(?:/|$)", text) is not None


def log_target(bucket: TemplateResource) -> TemplatePath | None:
    """Where the template says `bucket` receives logs (None: it does not): another resource names it as
    its log destination, its ACL is S3's log-delivery one, or its policy lets a log-delivery service put
    objects. The path is that resource's, or the bucket's own property."""
    for logical_id in bucket.run.once(_log_writers).get(bucket.logical_id, ()):
        return ("Resources", logical_id)
    if bucket.properties.get("AccessControl") == "LogDeliveryWrite":
        return ("Resources", bucket.logical_id, "Properties", "AccessControl")
    for policy in bucket.run.once(_log_delivery_policies):  # the few that let log delivery write, once per run
        if policy.logical_id != bucket.logical_id and names_bucket(policy.properties.get("Bucket"), bucket):
            return ("Resources", policy.logical_id)
    return None


def _log_delivery_policies(run: Run) -> list[TemplateResource]:
    """The template's bucket policies that let a log-delivery service put objects, in template order."""
    return [policy for policy in run.of_types("AWS::S3::BucketPolicy") if _lets_log_delivery_write(policy)]


def _log_writers(run: Run) -> dict[str, list[str]]:
    """bucket logical id -> the resources of the template that write logs into it (once per run)."""
    buckets = list(run.of_types("AWS::S3::Bucket"))
    candidates = _BucketCandidates(buckets)
    writers: dict[str, list[str]] = {}
    for source in run.of_types(*_LOG_DESTINATIONS):
        values = [value for value in _LOG_DESTINATIONS[source.type](source) if value is not None]
        if not values:
            continue  # writes no logs to any bucket (each bucket of the template is a source, most without)
        for bucket in candidates.named_by(values):
            if bucket.logical_id != source.logical_id and any(names_bucket(value, bucket) for value in values):
                writers.setdefault(bucket.logical_id, []).append(source.logical_id)
    return writers


class _BucketCandidates:
    """The buckets `names_bucket` may say True for, found through an index (by logical id, by BucketName)
    rather than by asking it of every bucket for every value: every bucket when a logical id is one that
    referenced_ids does not cover."""

    def __init__(self, buckets: list[TemplateResource]) -> None:
        self.buckets = buckets
        self.plain = any(not isinstance(bucket.logical_id, str) or "}" in bucket.logical_id for bucket in buckets)
        self.by_id = {bucket.logical_id: position for position, bucket in enumerate(buckets)}
        self.by_name: dict[str, list[int]] = {}
        for position, bucket in enumerate(buckets):
            name = bucket.properties.get("BucketName")
            if isinstance(name, str) and name:
                self.by_name.setdefault(name, []).append(position)

    def named_by(self, values: list[Any]) -> list[TemplateResource]:
        """The buckets any of `values` may name (a superset of names_bucket's), in template order."""
        if self.plain:
            return self.buckets
        positions: set[int] = set()
        for value in values:
            positions.update(self.by_id[target] for target in referenced_ids(value) if target in self.by_id)
            text = text_of(value)
            if text is not None and self.by_name:
                for name in _names_in(text):
                    positions.update(self.by_name.get(name, ()))
        return [self.buckets[position] for position in sorted(positions)]


def _names_in(text: str) -> set[str]:
    """Every bucket name `text` may be to names_bucket: itself, what comes before a ".s3." (a domain), and
    what follows ":s3:::" up to a "/" or the end (an ARN)."""
    names = {text}
    start = text.find(".s3.")
    while start >= 0:
        names.add(text[:start])
        start = text.find(".s3.", start + 1)
    start = text.find(":s3:::")
    while start >= 0:
        rest = text[start + 6:]
        names.update(rest[:end] for end, char in enumerate(rest) if char == "/")
        names.update((rest, rest[:-1] if rest.endswith("\n") else rest))  # "$" matches before a last newline too
        start = text.find(":s3:::", start + 1)
    return names


def _lets_log_delivery_write(policy: TemplateResource) -> bool:
    for statement in statements(policy.properties.get("PolicyDocument"), ()):
        principal = statement.value.get("Principal")
        services = set(strings(principal.get("Service"))) if isinstance(principal, dict) else set()
        if statement.allows and services & set(LOG_DELIVERY_SERVICES) and any(
                action_matches(action, "s3:PutObject") for action in strings(statement.actions)):
            return True
    return False
