from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._policy import IDENTITY_POLICY_TYPES, READS, identity_statements, scoped_write_actions
from iac.checks._values import strings


def check(resource: TemplateResource) -> Iterator[Finding]:
    for statement in identity_statements(resource):
        if not statement.allows or statement.condition or "*" not in list(strings(statement.resources)):
            continue
        broad = [pattern for pattern in strings(statement.actions)
                 if pattern not in ("*", "*:*") and scoped_write_actions(pattern)]
        if broad:
            shown = ", ".join(broad[:3]) + (f" and {len(broad) - 3} more" if len(broad) > 3 else "")
            yield Finding(f"a policy statement allows {shown} on every resource (Resource: \"*\"), though IAM lets "
                          "these actions be limited to named resources", (*statement.path, "Resource"))


RULE = Rule(
    id="IAC-IAM-002",
    severity="warning",
    pack="iam",
    description="An identity policy allows write actions on every resource (\"*\") where IAM can scope them",
    why="Resource \"*\" with an action that changes things lets the role change every such resource in the "
        "account, not just the workload's own; IAM's service data says these actions accept resource ARNs.",
    fix="Name the resources (their ARNs, e.g. bucket.arn or f\"{bucket.arn}/*\"), or add a Condition that "
        "narrows the statement.",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    resource_types=IDENTITY_POLICY_TYPES,
    check=check,
    reads=READS,
)
