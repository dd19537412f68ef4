import re
from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import as_list, text_of

TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
ADMIN_ARN = re.compile(r"^arn:[^:]*:iam::aws:policy/AdministratorAccess$")


def check(resource: TemplateResource) -> Iterator[Finding]:
    for index, arn in enumerate(as_list(resource.properties.get("ManagedPolicyArns"))):
        text = text_of(arn)
        if text is not None and ADMIN_ARN.match(text):
            yield resource.finding(f"the AWS managed policy AdministratorAccess is attached to this "
                                   f"{resource.type.rsplit('::', 1)[1].lower()}", "ManagedPolicyArns", index)


RULE = Rule(
    id="IAC-IAM-004",
    severity="warning",
    pack="iam",
    description="AdministratorAccess is attached to a role, user or group",
    why="AdministratorAccess allows every action on every resource: a workload rarely needs it, and whoever "
        "gets its credentials owns the account.",
    fix="Attach the policies the workload needs (grant_* methods, or a managed policy for the job function).",
    url="https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
    resource_types=TYPES,
    check=check,
    reads={kind: ("ManagedPolicyArns",) for kind in TYPES},
)
