from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, known, not_true


def check(resource: TemplateResource) -> Iterator[Finding]:
    options = known(resource.properties.get("EncryptionAtRestOptions"))
    if options is UNKNOWN:
        return
    if not_true(options.get("Enabled") if isinstance(options, dict) else None):
        yield resource.finding("the domain is not encrypted at rest (EncryptionAtRestOptions Enabled is not true)")


RULE = Rule(
    id="IAC-OPENSEARCH-001",
    severity="warning",
    pack="storage",
    description="An OpenSearch domain is not encrypted at rest",
    why="Indices, logs, swap and automated snapshots of an unencrypted domain are stored in clear.",
    fix="Set EncryptionAtRestOptions: {Enabled: true} (and KmsKeyId for a key of your own).",
    url="https://docs.aws.amazon.com/opensearch-service/latest/developerguide/encryption-at-rest.html",
    resource_types=("AWS::OpenSearchService::Domain",),
    check=check,
    reads={"AWS::OpenSearchService::Domain": ("EncryptionAtRestOptions",)},
)
