import json
from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplatePath, TemplateResource
from iac.checks._policy import Statement, is_anyone, statements

TYPES = ("AWS::KMS::Key", "AWS::KMS::ReplicaKey")


def _statements(resource: TemplateResource) -> Iterator[Statement]:
    """The key policy's statements; a policy written as a JSON string (CloudFormation takes both) is read
    too, its findings pointing at KeyPolicy."""
    policy: Any = resource.properties.get("KeyPolicy")
    base: TemplatePath = ("Resources", resource.logical_id, "Properties", "KeyPolicy")
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return
        yield from (Statement(found.value, base) for found in statements(policy, base))
        return
    yield from statements(policy, base)


def check(resource: TemplateResource) -> Iterator[Finding]:
    for statement in _statements(resource):
        if statement.allows and not statement.condition and is_anyone(statement.value.get("Principal")):
            at = statement.path if statement.path[-1] == "KeyPolicy" else (*statement.path, "Principal")
            yield Finding("the key policy allows any AWS principal (\"*\") to use the key, with no Condition", at)


RULE = Rule(
    id="IAC-KMS-002",
    severity="error",
    pack="iam",
    description="A KMS key policy allows anyone (\"*\") without a condition",
    why="A key policy is the key's own access control: Principal \"*\" without a Condition lets every AWS account "
        "in the world use or manage the key (decrypt what it protects, schedule its deletion), whatever IAM "
        "policies say.",
    fix="Name the principals (the account's root, roles, a service principal), or add a Condition that narrows "
        "\"*\" (kms:CallerAccount with kms:ViaService, aws:PrincipalOrgID). iac's kms.Key gives only the "
        "account kms:* and adds service principals under conditions.",
    url="https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html",
    resource_types=TYPES,
    check=check,
    reads={kind: ("KeyPolicy",) for kind in TYPES},
)
