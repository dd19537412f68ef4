from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource


def check(resource: TemplateResource) -> Iterator[Finding]:
    if "KmsMasterKeyId" not in resource.properties:
        yield resource.finding("the topic names no KmsMasterKeyId: messages are stored unencrypted")


RULE = Rule(
    id="IAC-SNS-001",
    severity="warning",
    pack="storage",
    description="An SNS topic is not encrypted",
    why="SNS stores messages until delivered; without a KMS key they are kept in clear.",
    fix="Set KmsMasterKeyId to a customer managed key whose policy lets the publishers use it (CloudWatch "
        "alarms and EventBridge cannot publish to a topic encrypted with the AWS managed alias/aws/sns key).",
    url="https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
    resource_types=("AWS::SNS::Topic",),
    check=check,
    reads={"AWS::SNS::Topic": ("KmsMasterKeyId",)},
)
