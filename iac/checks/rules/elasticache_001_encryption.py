from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import not_true


def check(resource: TemplateResource) -> Iterator[Finding]:
    if not_true(resource.properties.get("AtRestEncryptionEnabled")):
        yield resource.finding("the replication group's data is not encrypted at rest "
                               "(AtRestEncryptionEnabled is not true)", "AtRestEncryptionEnabled")


RULE = Rule(
    id="IAC-ELASTICACHE-001",
    severity="warning",
    pack="storage",
    description="An ElastiCache replication group is not encrypted at rest",
    why="Without it, the cache's data on disk (swap, backups, snapshots exported to S3) is kept in clear; it "
        "can be turned on only when the group is created.",
    fix="Set AtRestEncryptionEnabled: true (and TransitEncryptionEnabled: true for traffic).",
    url="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html",
    resource_types=("AWS::ElastiCache::ReplicationGroup",),
    check=check,
    reads={"AWS::ElastiCache::ReplicationGroup": ("AtRestEncryptionEnabled",)},
)
