from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource


def check(resource: TemplateResource) -> Iterator[Finding]:
    if "BucketEncryption" not in resource.properties:
        yield resource.finding("the bucket declares no BucketEncryption")


RULE = Rule(
    id="IAC-S3-003",
    severity="warning",
    pack="storage",
    description="An S3 bucket declares no default encryption",
    why="S3 encrypts new objects with its own keys (SSE-S3) when nothing is said, but the template is then "
        "silent about it: a reviewer cannot tell a choice from an omission, and KMS (with key policies and "
        "audit in CloudTrail) is never used.",
    fix="Set BucketEncryption (SSE-S3, or aws:kms with a key for data whose access must be audited).",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html",
    resource_types=("AWS::S3::Bucket",),
    check=check,
    reads={"AWS::S3::Bucket": ("BucketEncryption",)},
)
