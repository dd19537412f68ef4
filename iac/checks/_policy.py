"""IAM policy documents in a template: where they are, and their statements read plainly.

Identity policies (what a role, user or group may do) sit in AWS::IAM::Policy, ManagedPolicy,
RolePolicy, UserPolicy and GroupPolicy, and in the `Policies` of roles, users and groups. Trust
policies (who may assume a role) are a role's AssumeRolePolicyDocument.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Iterator
from typing import Any

import attrs

from iac import specs
from iac.checks._model import Run, TemplatePath, TemplateResource
from iac.checks._values import as_list, is_intrinsic, refers_to, strings, text_of

#: Resource types holding one identity policy document, and the property it is in.
POLICY_DOCUMENTS = {
    "AWS::IAM::Policy": "PolicyDocument",
    "AWS::IAM::ManagedPolicy": "PolicyDocument",
    "AWS::IAM::RolePolicy": "PolicyDocument",
    "AWS::IAM::UserPolicy": "PolicyDocument",
    "AWS::IAM::GroupPolicy": "PolicyDocument",
}
#: Resource types with a `Policies` list of {PolicyName, PolicyDocument}.
INLINE_POLICIES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
IDENTITY_POLICY_TYPES = (*POLICY_DOCUMENTS, *INLINE_POLICIES)
#: The properties the IAM rules read, per type (held against the schemas by a test).
READS = {**{kind: (prop,) for kind, prop in POLICY_DOCUMENTS.items()},
         **{kind: ("Policies",) for kind in INLINE_POLICIES}}

#: The first word of an IAM action that only reads (Get, List, Describe...): everything else changes
#: something. IAM's own data gives no access level per action, the verb does.
READ_VERBS = ("Get", "List", "Describe", "Head", "BatchGet", "BatchCheck", "Search", "Query", "Scan", "Lookup",
              "Select", "View", "Read", "Check", "Validate", "Preview", "Filter", "Estimate")


@attrs.frozen
class Statement:
    """One statement of a policy document and where it is."""

    value: dict[str, Any]
    path: TemplatePath

    @property
    def allows(self) -> bool:
        return self.value.get("Effect") == "Allow"

    @property
    def actions(self) -> list[Any]:
        return as_list(self.value.get("Action"))

    @property
    def resources(self) -> list[Any]:
        return as_list(self.value.get("Resource"))

    @property
    def condition(self) -> Any:
        return self.value.get("Condition")


def identity_statements(resource: TemplateResource) -> Iterator[Statement]:
    """The statements of every identity policy `resource` holds."""
    base: TemplatePath = ("Resources", resource.logical_id, "Properties")
    prop = POLICY_DOCUMENTS.get(resource.type)
    if prop is not None:
        yield from statements(resource.properties.get(prop), (*base, prop))
        return
    policies = resource.properties.get("Policies")
    if isinstance(policies, list):
        for index, policy in enumerate(policies):
            if isinstance(policy, dict):
                yield from statements(policy.get("PolicyDocument"), (*base, "Policies", index, "PolicyDocument"))


def trust_statements(resource: TemplateResource) -> Iterator[Statement]:
    """The statements of a role's trust policy (AssumeRolePolicyDocument)."""
    prop = "AssumeRolePolicyDocument"
    yield from statements(resource.properties.get(prop), ("Resources", resource.logical_id, "Properties", prop))


def statements(document: Any, path: TemplatePath) -> Iterator[Statement]:
    """The literal statements of a policy document (one statement or a list; intrinsics skipped)."""
    if not isinstance(document, dict) or is_intrinsic(document):
        return
    found = document.get("Statement")
    if isinstance(found, dict):
        yield Statement(found, (*path, "Statement"))
    elif isinstance(found, list):
        for index, statement in enumerate(found):
            if isinstance(statement, dict) and not is_intrinsic(statement):
                yield Statement(statement, (*path, "Statement", index))


def is_anyone(principal: Any) -> bool:
    """Whether a statement's Principal is everyone: "*" or {"AWS": "*"} (alone or among others)."""
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in list(strings(principal.get("AWS")))


def action_matches(pattern: str, action: str) -> bool:
    """Whether an Action entry ("s3:*", "iam:Pass*", "*") covers `action` (IAM compares without case)."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


@functools.cache
def covered_actions(pattern: str) -> tuple[str, ...]:
    """The actions IAM knows that an Action entry covers ("s3:Put*" -> s3:putobject, ...), lower case."""
    service, _, name = pattern.partition(":")
    if not name or "*" in service or "?" in service:
        return ()
    if "*" not in name and "?" not in name:
        return (pattern.lower(),)
    return tuple(f"{service.lower()}:{action}" for action in sorted(specs.iam_actions(service))
                 if fnmatch.fnmatchcase(action, name.lower()))


def is_read_only(action: str) -> bool:
    """Whether an action only reads, by its verb (s3:getobject, ec2:describeinstances)."""
    name = action.partition(":")[2].lower()
    return name.startswith(tuple(verb.lower() for verb in READ_VERBS))


def scoped_write_actions(pattern: str) -> tuple[str, ...]:
    """The actions an Action entry covers that change something and that IAM lets a policy scope to
    resources (so `Resource: "*"` grants more than needed): IAM's service data names their resource types."""
    return tuple(action for action in covered_actions(pattern)
                 if not is_read_only(action) and specs.iam_action_resource_types(action))


def is_permissions_boundary(resource: TemplateResource) -> bool:
    """Whether a managed policy serves as a permissions boundary in its template (named by a PermissionsBoundary
    property, or by an iam:PermissionsBoundary condition): a boundary only limits, it grants nothing."""
    if resource.type != "AWS::IAM::ManagedPolicy":
        return False
    name = text_of(resource.properties.get("ManagedPolicyName"))
    boundaries, conditions = resource.run.once(_boundary_values)
    for logical_id, boundary in boundaries:
        if logical_id != resource.logical_id and (refers_to(boundary, resource.logical_id) or _names(boundary, name)):
            return True
    for logical_id, value in conditions:
        if logical_id != resource.logical_id and (refers_to(value, resource.logical_id) or _names(value, name)):
            return True
    return False


def _boundary_values(run: Run) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(logical id, value) of each PermissionsBoundary property of the template's identity resources, and of
    each iam:PermissionsBoundary condition value in their statements: read once per run (`run.once`), not
    once per managed policy (which made the check quadratic in the template's identity resources)."""
    boundaries = [(other.logical_id, boundary) for other in run.of_types(*INLINE_POLICIES, *POLICY_DOCUMENTS)
                  if (boundary := other.properties.get("PermissionsBoundary")) is not None]
    conditions: list[tuple[str, Any]] = []
    for other in run.of_types(*IDENTITY_POLICY_TYPES):
        for statement in identity_statements(other):
            condition = statement.condition
            for keys in condition.values() if isinstance(condition, dict) else ():
                for key, value in keys.items() if isinstance(keys, dict) else ():
                    if str(key).lower() == "iam:permissionsboundary":
                        conditions.append((other.logical_id, value))
    return boundaries, conditions


def _names(value: Any, name: str | None) -> bool:
    text = text_of(value)
    return bool(name) and text is not None and text.endswith("/" + str(name))
