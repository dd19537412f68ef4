from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._policy import IDENTITY_POLICY_TYPES, READS, identity_statements, is_permissions_boundary
from iac.checks._values import strings


def check(resource: TemplateResource) -> Iterator[Finding]:
    if is_permissions_boundary(resource):
        return  # "allow everything, then deny" is how a boundary is written; it grants nothing
    for statement in identity_statements(resource):
        if statement.allows and any(action in ("*", "*:*") for action in strings(statement.actions)):
            yield Finding("a policy statement allows every action (Action: \"*\"): that is administrator access",
                          (*statement.path, "Action"))


RULE = Rule(
    id="IAC-IAM-001",
    severity="error",
    pack="iam",
    description="An identity policy allows every action (\"*\")",
    why="Action \"*\" grants every permission of every service, IAM itself included: whoever holds the role can "
        "grant themselves anything, and a leaked credential is a lost account. (A managed policy the template "
        "uses as a permissions boundary is not judged: a boundary limits, it grants nothing.)",
    fix="List the actions the workload calls (a construct's grant_* methods do this), or use a narrower "
        "service-level action list.",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    resource_types=IDENTITY_POLICY_TYPES,
    check=check,
    reads=READS,
)
