from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, known, not_true

SETTINGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def check(resource: TemplateResource) -> Iterator[Finding]:
    block = known(resource.properties.get("PublicAccessBlockConfiguration"))
    if block is UNKNOWN:
        return
    if not isinstance(block, dict):
        yield resource.finding("the bucket has no PublicAccessBlockConfiguration")
        return
    off = [name for name in SETTINGS if not_true(block.get(name))]
    if off:
        yield resource.finding(f"the bucket's public access block leaves {', '.join(off)} off",
                               "PublicAccessBlockConfiguration")


RULE = Rule(
    id="IAC-S3-001",
    severity="warning",
    pack="storage",
    description="An S3 bucket does not block public access with all four settings",
    why="The four settings make the bucket refuse public ACLs and policies whatever else is written; without "
        "them one grant written in error makes the objects public. S3 turns them on for buckets created since "
        "April 2023, but a template that does not say so leaves it to the account and the date, and one that "
        "turns a setting off opens the bucket.",
    fix="Set PublicAccessBlockConfiguration with BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls and "
        "RestrictPublicBuckets all true (iac's s3.Bucket does); a public site belongs behind CloudFront.",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    resource_types=("AWS::S3::Bucket",),
    check=check,
    reads={"AWS::S3::Bucket": ("PublicAccessBlockConfiguration",)},
)
