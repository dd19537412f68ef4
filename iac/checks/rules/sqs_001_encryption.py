from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import is_false


def check(resource: TemplateResource) -> Iterator[Finding]:
    properties = resource.properties
    if "KmsMasterKeyId" not in properties and is_false(properties.get("SqsManagedSseEnabled")):
        yield resource.finding("the queue turns SQS-managed encryption off and names no KMS key",
                               "SqsManagedSseEnabled")


RULE = Rule(
    id="IAC-SQS-001",
    severity="warning",
    pack="storage",
    description="An SQS queue stores messages unencrypted",
    why="SQS encrypts queues with its own keys unless told not to; SqsManagedSseEnabled false without a KMS "
        "key stores every message in clear.",
    fix="Remove SqsManagedSseEnabled: false, or set KmsMasterKeyId.",
    url="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
    resource_types=("AWS::SQS::Queue",),
    check=check,
    reads={"AWS::SQS::Queue": ("KmsMasterKeyId", "SqsManagedSseEnabled")},
)
