from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import not_true
from iac.checks.rules.rds_001_encryption import in_cluster

TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def check(resource: TemplateResource) -> Iterator[Finding]:
    if in_cluster(resource):
        return
    if not_true(resource.properties.get("DeletionProtection")):
        yield resource.finding("the database has no deletion protection (DeletionProtection is not true)",
                               "DeletionProtection")


RULE = Rule(
    id="IAC-RDS-004",
    severity="warning",
    pack="storage",
    description="An RDS database has no deletion protection",
    why="Without it, a stack deletion or a replacement deletes the database; DeletionProtection makes RDS "
        "refuse, whatever CloudFormation asks.",
    fix="Set DeletionProtection: true (turn it off in a change of its own when the database is really to go).",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
    resource_types=TYPES,
    check=check,
    reads={kind: ("DeletionProtection",) for kind in TYPES},
)
