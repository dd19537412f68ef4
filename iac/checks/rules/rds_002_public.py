from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import is_true

TYPES = ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")


def check(resource: TemplateResource) -> Iterator[Finding]:
    if is_true(resource.properties.get("PubliclyAccessible")):
        yield resource.finding("the database is publicly accessible", "PubliclyAccessible")


RULE = Rule(
    id="IAC-RDS-002",
    severity="error",
    pack="storage",
    description="An RDS database is publicly accessible",
    why="A public database gets a public address: its security groups alone stand between the internet and "
        "the login prompt, and one wide rule opens it to password guessing.",
    fix="Set PubliclyAccessible: false and reach the database from inside the VPC (a bastion, SSM port "
        "forwarding, or a VPN).",
    url="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
    resource_types=TYPES,
    check=check,
    reads={kind: ("PubliclyAccessible",) for kind in TYPES},
)
