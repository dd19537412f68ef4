from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks.rules.rds_001_encryption import in_cluster

TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def check(resource: TemplateResource) -> Iterator[Finding]:
    if in_cluster(resource):
        return
    period = resource.properties.get("BackupRetentionPeriod")
    if period in (0, "0"):
        yield resource.finding("automated backups are off (BackupRetentionPeriod 0)", "BackupRetentionPeriod")


RULE = Rule(
    id="IAC-RDS-003",
    severity="warning",
    pack="storage",
    description="An RDS database has automated backups turned off",
    why="With BackupRetentionPeriod 0 there is no point-in-time recovery: a bad migration or a deleted table "
        "is lost.",
    fix="Set BackupRetentionPeriod to the days of recovery you need (1 to 35; 7 is common).",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
    resource_types=TYPES,
    check=check,
    reads={kind: ("BackupRetentionPeriod",) for kind in TYPES},
)
