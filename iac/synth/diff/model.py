"""The diff model: what CloudFormation's DescribeChangeSet would say, plus what it would not.

Field names and values follow the change set API (Action, Replacement, Scope, Details with Target,
Evaluation, ChangeSource, CausingEntity, PolicyAction) so the JSON output reads like a change set;
iac adds the reasons behind each replacement, the construct path, security changes, data at risk,
likely renames and deployability problems.
"""

from __future__ import annotations

from typing import Any

import attrs

ADD, MODIFY, REMOVE = "Add", "Modify", "Remove"
NEVER, CONDITIONALLY, ALWAYS = "Never", "Conditionally", "Always"
STATIC, DYNAMIC = "Static", "Dynamic"
DIRECT = "DirectModification"
RESOURCE_REFERENCE = "ResourceReference"
RESOURCE_ATTRIBUTE = "ResourceAttribute"
PARAMETER_REFERENCE = "ParameterReference"
#: The ids of the widening findings (iac.synth.diff.findings), which StackDiff.widens_access consults.
IAM_WIDENING, NETWORK_WIDENING = "IAC-DIFF-009", "IAC-DIFF-010"


@attrs.frozen(kw_only=True)
class Target:
    """What changed: Attribute (Properties, Metadata, DeletionPolicy, ...), Name and Path of it."""

    attribute: str
    name: str | None
    path: str
    requires_recreation: str = NEVER


@attrs.frozen(kw_only=True)
class Detail:
    target: Target
    evaluation: str = STATIC
    change_source: str = DIRECT
    causing_entity: str | None = None
    before: Any = None
    after: Any = None
    #: False when the cause itself only *may* happen (a conditional replacement upstream).
    certain: bool = True


@attrs.define(kw_only=True)
class ResourceChange:
    action: str
    logical_id: str
    resource_type: str
    construct_path: str | None = None
    replacement: str | None = None  # "True" | "False" | "Conditional" for Modify
    details: list[Detail] = attrs.field(factory=list)
    policy_action: str | None = None
    reasons: list[str] = attrs.field(factory=list)  # why it is replaced (added, removed), in words
    data_at_risk: bool = False
    #: False for an Add or Remove that only may happen (a condition that may change value).
    certain: bool = True
    #: The resource the user wrote that this one comes from: the SAM resource the transform expanded into it
    #: (sam.py), or the nested stack (AWS::CloudFormation::Stack) it belongs to, as a path (Child/Grandchild).
    origin: str | None = None
    origin_type: str | None = None

    @property
    def scope(self) -> list[str]:
        return sorted({detail.target.attribute for detail in self.details})

    @property
    def is_replacement(self) -> bool:
        return self.replacement in ("True", "Conditional")


@attrs.frozen(kw_only=True)
class ValueChange:
    """A change to a Parameter, Output, Condition, Mapping, or the Description/Transform."""

    section: str
    name: str
    action: str
    before: Any = None
    after: Any = None


@attrs.frozen(kw_only=True)
class StatementChange:
    """An IAM statement added or removed, with the resource and property that hold it."""

    action: str  # Add | Remove
    logical_id: str
    resource_type: str
    location: str  # property path of the policy document
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    principal: str
    condition: str
    widens: bool


@attrs.frozen(kw_only=True)
class RuleChange:
    """A security group rule added or removed."""

    action: str
    logical_id: str
    group: str
    direction: str  # ingress | egress
    protocol: str
    ports: str
    peer: str
    widens: bool


@attrs.frozen(kw_only=True)
class Finding:
    """Something to know before deploying: data at risk, a likely rename, a change that will fail, widened access.

    `id` is the finding kind's stable id (iac.synth.diff.findings); `acknowledged` the reason it is silenced
    (`--ignore ID`, or the resource's `iac:acknowledge` metadata), shown with it; None when it stands."""

    id: str = ""
    kind: str  # data-at-risk | rename | deployability | widening
    severity: str  # error | warning
    logical_id: str
    message: str
    fix: str | None = None
    url: str | None = None
    acknowledged: str | None = None


@attrs.define(kw_only=True)
class StackDiff:
    stack: str
    resources: list[ResourceChange] = attrs.field(factory=list)
    values: list[ValueChange] = attrs.field(factory=list)
    statements: list[StatementChange] = attrs.field(factory=list)
    rules: list[RuleChange] = attrs.field(factory=list)
    findings: list[Finding] = attrs.field(factory=list)
    #: What the diff could not look into, in words (a SAM transform that failed, a nested template not readable).
    notes: list[str] = attrs.field(factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.resources or self.values)

    @property
    def widens_access(self) -> bool:
        """Access widens, unless the widening finding of every resource where it does is acknowledged."""
        quiet = {(f.id, f.logical_id) for f in self.findings if f.kind == "widening" and f.acknowledged}
        return any(s.widens and (IAM_WIDENING, s.logical_id) not in quiet for s in self.statements) or \
            any(r.widens and (NETWORK_WIDENING, r.logical_id) not in quiet for r in self.rules)

    @property
    def data_at_risk(self) -> bool:
        return any(f.kind == "data-at-risk" and not f.acknowledged for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {
            "add": sum(1 for r in self.resources if r.action == ADD),
            "change": sum(1 for r in self.resources if r.action == MODIFY and not r.is_replacement),
            "replace": sum(1 for r in self.resources if r.action == MODIFY and r.is_replacement),
            "remove": sum(1 for r in self.resources if r.action == REMOVE),
        }


@attrs.define(kw_only=True)
class DiffResult:
    stacks: list[StackDiff] = attrs.field(factory=list)

    @property
    def has_changes(self) -> bool:
        return any(stack.has_changes for stack in self.stacks)

    @property
    def widens_access(self) -> bool:
        return any(stack.widens_access for stack in self.stacks)

    @property
    def data_at_risk(self) -> bool:
        return any(stack.data_at_risk for stack in self.stacks)

    def counts(self) -> dict[str, int]:
        total = {"add": 0, "change": 0, "replace": 0, "remove": 0}
        for stack in self.stacks:
            for key, value in stack.counts().items():
                total[key] += value
        return total

    def possible_count(self) -> int:
        """Adds and removes that happen only if a condition takes a value it may or may not take."""
        return sum(1 for stack in self.stacks for r in stack.resources if not r.certain)

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": {**self.counts(), "possible": self.possible_count(), "widens_access": self.widens_access,
                        "data_at_risk": self.data_at_risk},
            "stacks": [_stack_json(stack) for stack in self.stacks],
        }


def _stack_json(stack: StackDiff) -> dict[str, Any]:
    return {
        "StackName": stack.stack,
        "Changes": [
            {"Type": "Resource", "ResourceChange": _resource_json(change)} for change in stack.resources
        ],
        "ValueChanges": [attrs.asdict(change) for change in stack.values],
        "IamStatementChanges": [attrs.asdict(change) for change in stack.statements],
        "SecurityGroupRuleChanges": [attrs.asdict(change) for change in stack.rules],
        "Findings": [attrs.asdict(finding) for finding in stack.findings],
        "WidensAccess": stack.widens_access,
        "Notes": stack.notes,
    }


def _resource_json(change: ResourceChange) -> dict[str, Any]:
    data: dict[str, Any] = {
        "Action": change.action,
        "LogicalResourceId": change.logical_id,
        "ResourceType": change.resource_type,
    }
    if change.construct_path:
        data["ConstructPath"] = change.construct_path
    if change.action == MODIFY:
        data["Replacement"] = change.replacement
        data["Scope"] = change.scope
        data["Details"] = [_detail_json(detail) for detail in change.details]
    if change.policy_action:
        data["PolicyAction"] = change.policy_action
    if change.reasons:
        data["Reasons"] = change.reasons
    if change.data_at_risk:
        data["DataAtRisk"] = True
    if not change.certain:
        data["Certain"] = False  # iac's addition: an Add or Remove that depends on a condition's unknown value
    if change.origin:  # iac's addition: the SAM resource or nested stack the user wrote
        data["Origin"] = {"LogicalResourceId": change.origin, "ResourceType": change.origin_type}
    return data


def _detail_json(detail: Detail) -> dict[str, Any]:
    data: dict[str, Any] = {
        "Target": {
            "Attribute": detail.target.attribute,
            "Name": detail.target.name,
            "Path": detail.target.path,
            "RequiresRecreation": detail.target.requires_recreation,
        },
        "Evaluation": detail.evaluation,
        "ChangeSource": detail.change_source,
    }
    if detail.causing_entity:
        data["CausingEntity"] = detail.causing_entity
    if not detail.certain:
        data["Certain"] = False  # iac's addition: the cause itself is only a possible replacement
    if detail.evaluation == STATIC:
        data["Before"] = detail.before
        data["After"] = detail.after
    return data
