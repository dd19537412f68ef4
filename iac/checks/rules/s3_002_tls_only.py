from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, Run, TemplateResource
from iac.checks._policy import statements
from iac.checks._values import is_false, referenced_ids, refers_to, strings


def _denies_plain_http(statement: Any) -> bool:
    if statement.value.get("Effect") != "Deny" or "*" not in "".join(strings(statement.actions)):
        return False
    condition = statement.condition
    if not isinstance(condition, dict):
        return False
    for operator, keys in condition.items():
        if str(operator).startswith("Bool") and isinstance(keys, dict):
            if any(str(key).lower() == "aws:securetransport" and is_false(value) for key, value in keys.items()):
                return True
    return False


def check(resource: TemplateResource) -> Iterator[Finding]:
    name = resource.properties.get("BucketName")
    for policy in resource.run.once(_Policies).of(resource, name):
        bucket = policy.properties.get("Bucket")
        if not refers_to(bucket, resource.logical_id) and not (name is not None and bucket == name):
            continue  # another bucket's policy (named by Ref or GetAtt, or by the same BucketName value)
        document = policy.properties.get("PolicyDocument")
        if any(_denies_plain_http(s) for s in statements(document, ())):
            return
        if not isinstance(document, dict) or "Statement" not in document:
            return  # computed: not ours to judge
    yield resource.finding("no bucket policy of this template denies requests without TLS (aws:SecureTransport)")


class _Policies:
    """The template's bucket policies, indexed (once per run) by the logical ids their Bucket may refer to and
    by their Bucket value, so that each bucket is held against its own policies, not against every one."""

    def __init__(self, run: Run) -> None:
        self.policies = list(run.of_types("AWS::S3::BucketPolicy"))
        self.by_id: dict[Any, list[int]] = {}
        self.by_value: dict[Any, list[int]] = {}
        self.unhashable: list[int] = []
        for position, policy in enumerate(self.policies):
            bucket = policy.properties.get("Bucket")
            for target in referenced_ids(bucket):
                self.by_id.setdefault(target, []).append(position)
            try:
                self.by_value.setdefault(bucket, []).append(position)
            except TypeError:  # a mapping or a list: compared one by one
                self.unhashable.append(position)

    def of(self, bucket: TemplateResource, name: Any) -> list[TemplateResource]:
        """The other policies whose Bucket may name `bucket` (a superset of the check's test), in template order."""
        if not isinstance(bucket.logical_id, str) or "}" in bucket.logical_id:  # referenced_ids does not cover it
            return [policy for policy in self.policies if policy.logical_id != bucket.logical_id]
        positions = set(self.by_id.get(bucket.logical_id, ()))
        if name is not None:
            try:
                positions.update(self.by_value.get(name, ()))
            except TypeError:  # a computed name: equal to no literal Bucket, maybe to a computed one
                positions.update(position for position in self.unhashable
                                 if self.policies[position].properties.get("Bucket") == name)
        return [self.policies[position] for position in sorted(positions)
                if self.policies[position].logical_id != bucket.logical_id]


RULE = Rule(
    id="IAC-S3-002",
    severity="warning",
    pack="storage",
    description="An S3 bucket has no policy that denies requests without TLS",
    why="S3 answers plain HTTP too: without a Deny on aws:SecureTransport false, a misconfigured client sends "
        "objects and credentials-signed requests in clear.",
    fix="Add a bucket policy statement: Effect Deny, Principal \"*\", Action s3:*, the bucket and its objects "
        "as Resource, Condition {Bool: {aws:SecureTransport: false}} (iac's s3.Bucket adds it).",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
    resource_types=("AWS::S3::Bucket",),
    check=check,
    reads={"AWS::S3::BucketPolicy": ("Bucket", "PolicyDocument")},
)
