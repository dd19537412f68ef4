"""Where a template's resources write their logs: a load balancer's attributes, and the buckets that are
log targets of other resources (which need no access logs of their own, and must not log to themselves).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from iac.checks._model import Run, TemplatePath, TemplateResource
from iac.checks._policy import action_matches, statements
from iac.checks._values import UNKNOWN, as_list, known, refers_to, strings, text_of

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
    for policy in bucket.others("AWS::S3::BucketPolicy"):
        if names_bucket(policy.properties.get("Bucket"), bucket) and _lets_log_delivery_write(policy):
            return ("Resources", policy.logical_id)
    return None


def _log_writers(run: Run) -> dict[str, list[str]]:
    """bucket logical id -> the resources of the template that write logs into it (once per run)."""
    buckets = list(run.of_types("AWS::S3::Bucket"))
    writers: dict[str, list[str]] = {}
    for source in run.of_types(*_LOG_DESTINATIONS):
        values = [value for value in _LOG_DESTINATIONS[source.type](source) if value is not None]
        for bucket in buckets:
            if bucket.logical_id != source.logical_id and any(names_bucket(value, bucket) for value in values):
                writers.setdefault(bucket.logical_id, []).append(source.logical_id)
    return writers


def _lets_log_delivery_write(policy: TemplateResource) -> bool:
    for statement in statements(policy.properties.get("PolicyDocument"), ()):
        principal = statement.value.get("Principal")
        services = set(strings(principal.get("Service"))) if isinstance(principal, dict) else set()
        if statement.allows and services & set(LOG_DELIVERY_SERVICES) and any(
                action_matches(action, "s3:PutObject") for action in strings(statement.actions)):
            return True
    return False
