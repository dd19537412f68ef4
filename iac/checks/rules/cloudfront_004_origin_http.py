from collections.abc import Iterator
from typing import Any

from iac.checks._cloudfront import cache_behaviors, distribution_config
from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks.rules.cloudfront_002_viewer_http import ALLOW_ALL

HTTP_ONLY = "http-only"
MATCH_VIEWER = "match-viewer"


def _members(config: dict[str, Any]) -> dict[str, set[Any]]:
    """Origin group id -> the origin ids it fails over between (OriginGroups.Items[].Members.Items[])."""
    groups = config.get("OriginGroups")
    items = groups.get("Items") if isinstance(groups, dict) else None
    found: dict[str, set[Any]] = {}
    for group in items if isinstance(items, list) else ():
        members = group.get("Members") if isinstance(group, dict) else None
        listed = members.get("Items") if isinstance(members, dict) else None
        if isinstance(group, dict) and isinstance(group.get("Id"), str) and isinstance(listed, list):
            found[group["Id"]] = {member.get("OriginId") for member in listed if isinstance(member, dict)}
    return found


def _plain_http_targets(resource: TemplateResource, config: dict[str, Any]) -> set[Any]:
    """The origin ids some cache behavior that also serves viewers over HTTP (allow-all) sends requests to."""
    groups = _members(config)
    targets: set[Any] = set()
    for _, behavior in cache_behaviors(resource):
        if behavior.get("ViewerProtocolPolicy") == ALLOW_ALL:
            target = behavior.get("TargetOriginId")
            targets |= groups.get(target, {target}) if isinstance(target, str) else set()
    return targets


def check(resource: TemplateResource) -> Iterator[Finding]:
    config = distribution_config(resource)
    origins = config.get("Origins") if config is not None else None
    if config is None or not isinstance(origins, list):
        return
    plain_viewers: set[Any] | None = None
    for index, origin in enumerate(origins):
        custom = origin.get("CustomOriginConfig") if isinstance(origin, dict) else None
        policy = custom.get("OriginProtocolPolicy") if isinstance(custom, dict) else None
        where = ("DistributionConfig", "Origins", index, "CustomOriginConfig", "OriginProtocolPolicy")
        name = origin.get("Id") if isinstance(origin, dict) else None
        if policy == HTTP_ONLY:
            yield resource.finding(f"CloudFront fetches from origin {name!r} over plain HTTP "
                                   f"(OriginProtocolPolicy {HTTP_ONLY})", *where)
        elif policy == MATCH_VIEWER:
            if plain_viewers is None:
                plain_viewers = _plain_http_targets(resource, config)
            if name in plain_viewers:
                yield resource.finding(f"CloudFront fetches from origin {name!r} over plain HTTP for viewers that "
                                       f"come over HTTP (OriginProtocolPolicy {MATCH_VIEWER}, and a cache behavior "
                                       f"sending to it allows HTTP viewers)", *where)


RULE = Rule(
    id="IAC-CLOUDFRONT-004",
    severity="info",
    pack="network",
    description="CloudFront fetches from a custom origin over plain HTTP",
    why="Between CloudFront and a custom origin requests cross the internet: over HTTP anyone on the path can "
        "read the content and the headers CloudFront forwards (cookies, Authorization) and change responses "
        "before they are cached. It is info, not a warning: HTTPS to an origin needs a certificate matching "
        "its domain name, which a load balancer's own DNS name (iac's HttpOrigin.from_load_balancer) or an S3 "
        "website endpoint cannot present, and whether a VPC origin or a domain of the origin's own fits is the "
        "app's choice.",
    fix="Set the origin's CustomOriginConfig.OriginProtocolPolicy to https-only (iac's HttpOrigin default) "
        "with a certificate for its domain name on the origin, or use a VPC origin (VpcOriginConfig) for a "
        "load balancer in a VPC, or an S3 origin with origin access control instead of a website endpoint.",
    url="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-"
        "origin.html",
    resource_types=("AWS::CloudFront::Distribution",),
    check=check,
    reads={"AWS::CloudFront::Distribution": ("DistributionConfig",)},
)
