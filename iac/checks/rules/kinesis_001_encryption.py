from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource


def check(resource: TemplateResource) -> Iterator[Finding]:
    if "StreamEncryption" not in resource.properties:
        yield resource.finding("the stream declares no StreamEncryption: records are stored unencrypted")


RULE = Rule(
    id="IAC-KINESIS-001",
    severity="warning",
    pack="storage",
    description="A Kinesis data stream is not encrypted",
    why="A stream keeps records for a day or more; without server-side encryption they are stored in clear.",
    fix="Set StreamEncryption: {EncryptionType: KMS, KeyId: alias/aws/kinesis} (or a key of your own).",
    url="https://docs.aws.amazon.com/streams/latest/dev/server-side-encryption.html",
    resource_types=("AWS::Kinesis::Stream",),
    check=check,
    reads={"AWS::Kinesis::Stream": ("StreamEncryption",)},
)
