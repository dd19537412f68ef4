from collections.abc import Iterator

from iac.checks._cloudfront import cache_behaviors
from iac.checks._model import Finding, Rule, TemplateResource

#: The ViewerProtocolPolicy that serves viewers over plain HTTP (the schema's enum: allow-all, https-only,
#: redirect-to-https).
ALLOW_ALL = "allow-all"


def check(resource: TemplateResource) -> Iterator[Finding]:
    for path, behavior in cache_behaviors(resource):
        if behavior.get("ViewerProtocolPolicy") == ALLOW_ALL:
            where = behavior.get("PathPattern")
            named = f"the cache behavior for {where!r}" if isinstance(where, str) else "the default cache behavior"
            yield resource.finding(f"{named} serves viewers over plain HTTP (ViewerProtocolPolicy {ALLOW_ALL})",
                                   *path, "ViewerProtocolPolicy")


RULE = Rule(
    id="IAC-CLOUDFRONT-002",
    severity="warning",
    pack="network",
    description="A CloudFront cache behavior serves viewers over plain HTTP (ViewerProtocolPolicy allow-all)",
    why="Over HTTP anyone on the viewer's network can read and change what the distribution serves (inject "
        "script into a page, read a session cookie), and the viewer cannot tell the content is not yours.",
    fix="Set ViewerProtocolPolicy to redirect-to-https (iac's cloudfront.Distribution default) or https-only "
        "on the default cache behavior and every CacheBehaviors entry.",
    url="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",
    resource_types=("AWS::CloudFront::Distribution",),
    check=check,
    reads={"AWS::CloudFront::Distribution": ("DistributionConfig",)},
)
