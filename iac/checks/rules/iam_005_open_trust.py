from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._policy import trust_statements
from iac.checks._values import strings


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in list(strings(principal.get("AWS")))


def check(resource: TemplateResource) -> Iterator[Finding]:
    for statement in trust_statements(resource):
        if statement.allows and not statement.condition and _anyone(statement.value.get("Principal")):
            yield Finding("the role's trust policy lets any AWS principal (\"*\") assume it, with no Condition",
                          (*statement.path, "Principal"))


RULE = Rule(
    id="IAC-IAM-005",
    severity="error",
    pack="iam",
    description="A role's trust policy lets anyone (\"*\") assume it without a condition",
    why="Principal \"*\" in a trust policy means any AWS account in the world may assume the role and act with "
        "its permissions.",
    fix="Name the principals (an account, a role ARN, a service), or add a Condition such as aws:PrincipalOrgID "
        "or sts:ExternalId.",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
    resource_types=("AWS::IAM::Role",),
    check=check,
    reads={"AWS::IAM::Role": ("AssumeRolePolicyDocument",)},
)
