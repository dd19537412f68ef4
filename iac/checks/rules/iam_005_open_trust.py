from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._policy import is_anyone, trust_statements


def check(resource: TemplateResource) -> Iterator[Finding]:
    for statement in trust_statements(resource):
        if statement.allows and not statement.condition and is_anyone(statement.value.get("Principal")):
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
