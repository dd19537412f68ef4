"""Which capabilities a change set must acknowledge, from the resources a stack holds.

One table for both places that need it: a pipeline's change-set actions (from the construct tree)
and `iac deploy` (from the template). If they disagreed, a stack that deploys from the CLI would
fail in the pipeline with "Requires capabilities".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: IAM resource types, and the property that gives each a name (which needs CAPABILITY_NAMED_IAM).
IAM_NAME_PROPERTIES = {
    "AWS::IAM::Role": "RoleName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::User": "UserName",
    "AWS::IAM::Group": "GroupName",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::Policy": None,
    "AWS::IAM::AccessKey": None,
    "AWS::IAM::UserToGroupAddition": None,
    "AWS::IAM::RolePolicy": None,
    "AWS::IAM::UserPolicy": None,
    "AWS::IAM::GroupPolicy": None,
    "AWS::IAM::ServiceLinkedRole": None,
}
#: Nested stacks may hold anything: they get the IAM capabilities too.
NESTED_STACK_TYPES = frozenset({"AWS::CloudFormation::Stack", "AWS::Serverless::Application"})
ORDER = ("CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND")


def required_capabilities(resources: Iterable[tuple[str, dict[str, Any]]], *, transformed: bool) -> list[str]:
    """Capabilities for (resource type, properties) pairs; `transformed` when a Transform (or
    Fn::Transform) applies, whose macro output may hold IAM resources too."""
    found: set[str] = set()
    for resource_type, properties in resources:
        if resource_type in IAM_NAME_PROPERTIES:
            found.add("CAPABILITY_IAM")
            name_property = IAM_NAME_PROPERTIES[resource_type]
            if name_property and properties.get(name_property) is not None:
                found.add("CAPABILITY_NAMED_IAM")
        elif resource_type in NESTED_STACK_TYPES:
            found.update(ORDER)
    if transformed:
        found.update({"CAPABILITY_AUTO_EXPAND", "CAPABILITY_IAM"})
    return [capability for capability in ORDER if capability in found]
