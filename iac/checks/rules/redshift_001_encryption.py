from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import is_false


def check(resource: TemplateResource) -> Iterator[Finding]:
    if is_false(resource.properties.get("Encrypted")) and "KmsKeyId" not in resource.properties:
        yield resource.finding("the cluster turns encryption off (Encrypted: false)", "Encrypted")


RULE = Rule(
    id="IAC-REDSHIFT-001",
    severity="warning",
    pack="storage",
    description="A Redshift cluster is not encrypted",
    why="Redshift encrypts new clusters unless told not to; Encrypted false keeps the warehouse's data and its "
        "snapshots in clear.",
    fix="Remove Encrypted: false (or set KmsKeyId for a key of your own).",
    url="https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-db-encryption.html",
    resource_types=("AWS::Redshift::Cluster",),
    check=check,
    reads={"AWS::Redshift::Cluster": ("Encrypted", "KmsKeyId")},
)
