from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import not_true


def _unencrypted(ebs: Any) -> bool:
    """An EBS volume (or block device) that says nothing of encryption or says no, and is not made from a
    snapshot (which decides for it)."""
    if not isinstance(ebs, dict) or "SnapshotId" in ebs or "KmsKeyId" in ebs:
        return False
    return not_true(ebs.get("Encrypted"))


def check(resource: TemplateResource) -> Iterator[Finding]:
    if resource.type == "AWS::EC2::Volume":
        if _unencrypted(resource.properties):
            yield resource.finding("the volume is not encrypted (Encrypted is not true)")
        return
    mappings = resource.properties.get("BlockDeviceMappings")
    for index, mapping in enumerate(mappings if isinstance(mappings, list) else []):
        if isinstance(mapping, dict) and _unencrypted(mapping.get("Ebs")):
            yield resource.finding("a block device's EBS volume is not encrypted (Ebs Encrypted is not true)",
                                   "BlockDeviceMappings", index, "Ebs")


RULE = Rule(
    id="IAC-EBS-001",
    severity="warning",
    pack="storage",
    description="An EBS volume is not encrypted",
    why="An unencrypted volume, and every snapshot of it, is readable to whoever is given a copy; unless the "
        "account turns on encryption by default, EBS encrypts only when asked.",
    fix="Set Encrypted: true (and KmsKeyId for a key of your own), or turn on EBS encryption by default for "
        "the account and region.",
    url="https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
    resource_types=("AWS::EC2::Volume", "AWS::EC2::Instance"),
    check=check,
    reads={"AWS::EC2::Volume": ("Encrypted", "SnapshotId", "KmsKeyId"), "AWS::EC2::Instance": ("BlockDeviceMappings",)},
)
