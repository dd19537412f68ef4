import re
from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._policy import trust_statements
from iac.checks._values import strings

#: A literal account (123456789012, or its root ARN) in a trust policy: the template's own account is
#: written ${AWS::AccountId}, so a literal one is another account, given every principal of it.
ACCOUNT = re.compile(r"^(?:\d{12}|arn:[^:]+:iam::\d{12}:root)$")


def _accounts(principal: Any) -> list[str]:
    if not isinstance(principal, dict):
        return []
    return [value for value in strings(principal.get("AWS")) if ACCOUNT.match(value)]


def check(resource: TemplateResource) -> Iterator[Finding]:
    for statement in trust_statements(resource):
        accounts = _accounts(statement.value.get("Principal"))
        if statement.allows and accounts and not statement.condition:
            yield Finding(f"the role's trust policy lets every principal of account {accounts[0]} assume it, "
                          "with no Condition (such as sts:ExternalId)", (*statement.path, "Principal"))


RULE = Rule(
    id="IAC-IAM-007",
    severity="warning",
    pack="iam",
    description="A role trusts a whole other account without a condition such as an external id",
    why="Trusting an account's root lets any of its users and roles that its admins allow assume the role; "
        "for a third party, without sts:ExternalId it can be tricked into acting for another of its customers "
        "(the confused deputy).",
    fix="Trust the specific role ARN that needs it, and add Condition: {StringEquals: {sts:ExternalId: ...}} "
        "for a third party.",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html",
    resource_types=("AWS::IAM::Role",),
    check=check,
    reads={"AWS::IAM::Role": ("AssumeRolePolicyDocument",)},
)
