from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._policy import IDENTITY_POLICY_TYPES, READS, action_matches, identity_statements
from iac.checks._values import strings

CONDITION_KEY = "iam:passedtoservice"


def _names_service(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return bool(condition)  # computed (an intrinsic): not ours to judge
    return any(isinstance(keys, dict) and any(str(key).lower() == CONDITION_KEY for key in keys)
               for keys in condition.values())


def check(resource: TemplateResource) -> Iterator[Finding]:
    for statement in identity_statements(resource):
        if not statement.allows or _names_service(statement.condition):
            continue
        if any(pattern not in ("*", "*:*") and action_matches(pattern, "iam:PassRole")
               for pattern in strings(statement.actions)):
            yield Finding("a policy statement allows iam:PassRole without an iam:PassedToService condition",
                          (*statement.path, "Action"))


RULE = Rule(
    id="IAC-IAM-003",
    severity="warning",
    pack="iam",
    description="iam:PassRole is allowed without an iam:PassedToService condition",
    why="PassRole lets the holder hand a role to a service that then acts with that role's permissions; without "
        "iam:PassedToService any service can be given it, e.g. an EC2 instance the holder controls.",
    fix="Add Condition: {StringEquals: {iam:PassedToService: <service principal>}} (and name the role's ARN as "
        "the Resource).",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService",
    resource_types=IDENTITY_POLICY_TYPES,
    check=check,
    reads=READS,
)
