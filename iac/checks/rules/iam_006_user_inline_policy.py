from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import as_list

TYPES = ("AWS::IAM::User", "AWS::IAM::UserPolicy", "AWS::IAM::Policy")


def check(resource: TemplateResource) -> Iterator[Finding]:
    if resource.type == "AWS::IAM::User":
        if as_list(resource.properties.get("Policies")):
            yield resource.finding("the user has inline policies", "Policies")
    elif resource.type == "AWS::IAM::UserPolicy":
        yield resource.finding("an inline policy is attached to a user")
    elif as_list(resource.properties.get("Users")):
        yield resource.finding("the policy is attached to users directly", "Users")


RULE = Rule(
    id="IAC-IAM-006",
    severity="warning",
    pack="iam",
    description="A policy is attached to an IAM user rather than to a group or role",
    why="Permissions given user by user drift apart and outlive the job they were for; long-lived user "
        "credentials holding them are the commonest leaked secret.",
    fix="Put the policy on a group (or better, a role the person or workload assumes) and make the user a member.",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html",
    resource_types=TYPES,
    check=check,
    reads={"AWS::IAM::User": ("Policies",), "AWS::IAM::UserPolicy": ("PolicyDocument",),
           "AWS::IAM::Policy": ("Users",)},
)
