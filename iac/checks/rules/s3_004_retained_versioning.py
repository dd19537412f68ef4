from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, known


def check(resource: TemplateResource) -> Iterator[Finding]:
    if resource.entry.get("DeletionPolicy") not in ("Retain", "RetainExceptOnCreate"):
        return
    versioning = known(resource.properties.get("VersioningConfiguration"))
    if versioning is UNKNOWN:
        return
    status = known(versioning.get("Status")) if isinstance(versioning, dict) else None
    if status is not UNKNOWN and status != "Enabled":
        yield resource.finding("the bucket is retained (its data matters) but not versioned: an overwrite or a "
                               "delete loses the object")


RULE = Rule(
    id="IAC-S3-004",
    severity="info",
    pack="storage",
    description="A retained S3 bucket is not versioned",
    why="DeletionPolicy Retain says the bucket's data outlives the stack; without versioning one overwrite or "
        "delete, by a bug or a leaked key, loses an object for good. (Info: iac retains every bucket by "
        "default, so the template cannot tell data that matters from data that does not.)",
    fix="Set VersioningConfiguration: {Status: Enabled} (with a lifecycle rule expiring old versions), or drop "
        "the Retain policy if the data is disposable.",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    resource_types=("AWS::S3::Bucket",),
    check=check,
    reads={"AWS::S3::Bucket": ("VersioningConfiguration",)},
)
