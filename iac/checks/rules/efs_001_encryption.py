from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import not_true


def check(resource: TemplateResource) -> Iterator[Finding]:
    if not_true(resource.properties.get("Encrypted")):
        yield resource.finding("the file system is not encrypted (Encrypted is not true)", "Encrypted")


RULE = Rule(
    id="IAC-EFS-001",
    severity="warning",
    pack="storage",
    description="An EFS file system is not encrypted at rest",
    why="EFS encrypts only when asked at creation, and encryption cannot be turned on later without a new "
        "file system and a copy of the data.",
    fix="Set Encrypted: true (and KmsKeyId for a key of your own).",
    url="https://docs.aws.amazon.com/efs/latest/ug/encryption.html",
    resource_types=("AWS::EFS::FileSystem",),
    check=check,
    reads={"AWS::EFS::FileSystem": ("Encrypted",)},
)
