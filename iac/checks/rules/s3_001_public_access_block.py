from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, is_true, known

SETTINGS = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")


def check(resource: TemplateResource) -> Iterator[Finding]:
    block = known(resource.properties.get("PublicAccessBlockConfiguration"))
    if block is UNKNOWN:
        return
    if not isinstance(block, dict):
        yield resource.finding("the bucket has no PublicAccessBlockConfiguration")
        return
    off = [name for name in SETTINGS if known(block.get(name)) is not UNKNOWN and not is_true(block.get(name))]
    if off:
        yield resource.finding(f"the bucket's public access block leaves {', '.join(off)} off",
                               "PublicAccessBlockConfiguration")


RULE = Rule(
    id="IAC-S3-001",
    severity="warning",
    pack="storage",
    description="An S3 bucket does not block public access with all four settings",
    why="Without the block, one ACL or bucket policy written in error makes the objects public; the four "
        "settings make the bucket refuse such grants whatever else is written.",
    fix="Set PublicAccessBlockConfiguration with BlockPublicAcls, BlockPublicPolicy, IgnorePublicAcls and "
        "RestrictPublicBuckets all true (iac's s3.Bucket does); a public site belongs behind CloudFront.",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    resource_types=("AWS::S3::Bucket",),
    check=check,
    reads={"AWS::S3::Bucket": ("PublicAccessBlockConfiguration",)},
)
