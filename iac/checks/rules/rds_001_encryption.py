from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import not_true

TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def in_cluster(resource: TemplateResource) -> bool:
    """An instance of an Aurora (or Multi-AZ) cluster: the cluster holds storage, backups and protection."""
    return resource.type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in resource.properties


def from_source(resource: TemplateResource) -> bool:
    """A replica or a restore takes encryption from its source."""
    return any(name in resource.properties for name in (
        "SourceDBInstanceIdentifier", "SourceDBClusterIdentifier", "DBSnapshotIdentifier", "SnapshotIdentifier",
        "DBClusterSnapshotIdentifier", "ReplicationSourceIdentifier", "GlobalClusterIdentifier"))


def check(resource: TemplateResource) -> Iterator[Finding]:
    if in_cluster(resource) or from_source(resource):
        return
    if not_true(resource.properties.get("StorageEncrypted")) and "KmsKeyId" not in resource.properties:
        yield resource.finding("the database's storage is not encrypted (StorageEncrypted is not true)",
                               "StorageEncrypted")


RULE = Rule(
    id="IAC-RDS-001",
    severity="warning",
    pack="storage",
    description="An RDS database's storage is not encrypted",
    why="Unencrypted storage leaves data, logs, backups and snapshots readable to whoever gets the volumes or "
        "a shared snapshot; encryption cannot be added to an existing database without a restore.",
    fix="Set StorageEncrypted: true (and KmsKeyId for a key of your own).",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
    resource_types=TYPES,
    check=check,
    reads={kind: ("StorageEncrypted", "KmsKeyId", "DBClusterIdentifier") if kind.endswith("Instance")
           else ("StorageEncrypted", "KmsKeyId") for kind in TYPES},
)
