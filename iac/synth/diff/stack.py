"""One stack's diff: resources (engine), template sections, security, data at risk, renames, deployability."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from iac.synth.collector import paused_collector
from iac.synth.diff.acknowledge import ACKNOWLEDGE_KEY, acknowledge
from iac.synth.diff.conditions import Conditions
from iac.synth.diff.engine import diff_resources, identical_resources
from iac.synth.diff.exports import export_findings
from iac.synth.diff.findings import d009_iam_widening, d010_network_widening
from iac.synth.diff.model import (
    ADD,
    MODIFY,
    REMOVE,
    DiffResult,
    Finding,
    ResourceChange,
    RuleChange,
    StackDiff,
    StatementChange,
    ValueChange,
)
from iac.synth.diff.nested import Folder, diff_nested
from iac.synth.diff.normalize import mapping_at, normalize
from iac.synth.diff.risk import data_at_risk, deployability, renames
from iac.synth.diff.sam import IMPLICIT, SAM_PREFIX, expand, is_sam
from iac.synth.diff.security import rule_changes, statement_changes
from iac.synth.template import resource_pair

VALUE_SECTIONS = ("Parameters", "Mappings", "Conditions", "Outputs")


def diff_templates(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    *,
    stack: str = "Stack",
    region: str | None = None,
    parameters: dict[str, str] | None = None,
    account: str | None = None,
    ignore: Iterable[str] = (),
    old_dir: Folder = None,
    new_dir: Folder = None,
    _chain: tuple[str, ...] = (),
) -> StackDiff:
    """What deploying `new` over `old` would change (None for a stack that exists on one side only).

    `parameters` are the values the new deployment will pass; a change of value propagates to
    every property that refers to the parameter. They, `region` and `account` are the only values known:
    conditions are evaluated with them (a parameter's Default is never a known value of a deployed stack).
    SAM templates are compared as the SAM transform expands them (sam.py); `old_dir` and `new_dir`, the folders
    of the two templates (or {file name: template} of an assembly in memory), are where nested stacks' local
    TemplateURLs are read from (nested.py).
    """
    with paused_collector():  # iac.synth.collector: flat cost per resource, however much changes
        return _diff_templates(old, new, stack=stack, region=region, parameters=parameters, account=account,
                               ignore=ignore, old_dir=old_dir, new_dir=new_dir, _chain=_chain)


def _diff_templates(old: dict[str, Any] | None, new: dict[str, Any] | None, *, stack: str, region: str | None,
                    parameters: dict[str, str] | None, account: str | None, ignore: Iterable[str], old_dir: Folder,
                    new_dir: Folder, _chain: tuple[str, ...]) -> StackDiff:
    written_old = old = old or {}
    written_new = new = new or {}
    notes: list[str] = []
    origins: dict[str, tuple[str, str]] = {}
    # equal SAM templates expand equally: no need for the translator (and its 0.6 s import)
    expanding = (is_sam(written_old) or is_sam(written_new)) and written_old != written_new
    for side, template in (("old", written_old), ("new", written_new)) if expanding else ():
        if is_sam(template):
            # with the parameters' defaults on both sides, not the values given: the old deployment's are unknown,
            # and the translator resolves them into logical ids (an alias name), which would make a presumed
            # difference a certain Add and Remove; a presumption only ever hides a change
            expansion = expand(template, region)
            if expansion.note:
                notes.append(f"{side} template: {expansion.note}")
            if side == "old":
                old = expansion.template
            else:
                new = expansion.template
            origins = {**expansion.origins, **origins} if side == "old" else {**origins, **expansion.origins}
    if notes:  # one side expanded and the other not would be a type change of every SAM resource: neither
        old, new, origins = written_old, written_new, {}
    identical = identical_resources(old, new)
    both = resource_pair(old, new)  # once per side, for every pass below
    values = value_changes(written_old, written_new)
    entries = {f"{change.section}/{change.name}" for change in values
               if change.section == "Mappings" and change.action == MODIFY}
    conditions = Conditions(old, new, given=parameters, region=region, account=account)
    result = diff_resources(old, new, stack=stack, region=region, identical=identical, entry_changes=entries,
                            parameter_changes=_parameter_changes(old, new, conditions), conditions=conditions,
                            resources=both)
    result.values = values
    result.statements = statement_changes(old, new, identical, resources=both)
    result.rules = rule_changes(old, new, identical, resources=both)
    if origins:
        _attribute(result.resources, origins)
    kept = _sam_resources_kept(written_old, written_new) if origins else set()
    result.findings = [
        *deployability(result.resources, old, new, region, resources=both),
        *data_at_risk(result.resources, old, new, resources=both),
        # a SAM resource on both sides names what it makes on purpose (FnVersion<hash>): no renames among those
        *renames([c for c in result.resources if c.origin not in kept] if kept else result.resources, old, new,
                 resources=both),
        *_widening(result),
    ]
    result.notes = notes
    diff_nested(result, old, new, old_dir, new_dir, _chain,
                lambda o, n, name, od, nd, chain: diff_templates(o, n, stack=name, region=region, account=account,
                                                                 ignore=ignore, old_dir=od, new_dir=nd,
                                                                 _chain=chain))
    if origins:
        acknowledge(result, _acknowledging(old, written_old, origins), _acknowledging(new, written_new, origins),
                    ignore)
    else:
        acknowledge(result, old, new, ignore)
    return result


def _sam_resources_kept(old: dict[str, Any], new: dict[str, Any]) -> set[str | None]:
    """The SAM resources (and the implicit APIs) on both sides."""
    before, after = mapping_at(old, "Resources"), mapping_at(new, "Resources")
    kept: set[str | None] = set(IMPLICIT)
    return kept | {logical_id for logical_id, resource in after.items()
            if isinstance(resource, dict) and str(resource.get("Type", "")).startswith(SAM_PREFIX)
            and isinstance(before.get(logical_id), dict) and before[logical_id].get("Type") == resource.get("Type")}


def _acknowledging(expanded: dict[str, Any], written: dict[str, Any], origins: dict[str, tuple[str, str]]
                   ) -> dict[str, Any]:
    """The expanded template as acknowledge reads it: each resource the SAM transform made also holds the
    `iac:acknowledge` entries of the SAM resource it comes from (the translator passes no Metadata on)."""
    written_resources = mapping_at(written, "Resources")
    resources = dict(mapping_at(expanded, "Resources"))
    for logical_id, (origin, _) in origins.items():
        source, resource = written_resources.get(origin), resources.get(logical_id)
        if not isinstance(source, dict) or not isinstance(resource, dict) or source is resource:
            continue
        given = mapping_at(source, "Metadata").get(ACKNOWLEDGE_KEY)
        if not isinstance(given, list) or not given:
            continue
        metadata = dict(mapping_at(resource, "Metadata"))
        own = metadata.get(ACKNOWLEDGE_KEY)
        metadata[ACKNOWLEDGE_KEY] = [*(own if isinstance(own, list) else []), *given]
        resources[logical_id] = {**resource, "Metadata": metadata}
    return {**expanded, "Resources": resources}


def _attribute(changes: list[ResourceChange], origins: dict[str, tuple[str, str]]) -> None:
    """Each expanded resource's change under the SAM resource it comes from, in the order they first change."""
    for change in changes:
        if change.logical_id in origins:
            change.origin, change.origin_type = origins[change.logical_id]
    order: dict[str | None, int] = {}
    for change in changes:
        order.setdefault(change.origin, len(order))
    changes.sort(key=lambda change: order[change.origin])


def _widening(result: StackDiff) -> list[Finding]:
    """One widening finding per resource whose IAM statements or security group rules widen access."""
    statements: dict[str, list[StatementChange]] = {}
    for statement in result.statements:
        if statement.widens:
            statements.setdefault(statement.logical_id, []).append(statement)
    rules: dict[str, list[RuleChange]] = {}
    for rule in result.rules:
        if rule.widens:
            rules.setdefault(rule.logical_id, []).append(rule)
    return [*(d009_iam_widening.finding(logical_id, found) for logical_id, found in statements.items()),
            *(d010_network_widening.finding(logical_id, found) for logical_id, found in rules.items())]


def diff_pairs(
    pairs: list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, str | None]],
    *,
    region: str | None = None,
    parameters: dict[str, str] | None = None,
    stack_parameters: Mapping[str, dict[str, str]] | None = None,
    account: str | None = None,
    ignore: Iterable[str] = (),
    folders: Mapping[str, tuple[Folder, Folder]] | None = None,
) -> DiffResult:
    """Diff several stacks, (name, old, new, region) each, then check exports between them.

    `parameters` go to every stack; `stack_parameters` ({name: values}) to one stack each, instead.
    `folders` ({name: (old folder, new folder)}) are where each stack's templates are, for nested stacks: a
    directory, or an assembly in memory as {template file name: template}.
    """
    by_stack = stack_parameters or {}
    where = folders or {}
    stacks = [
        (diff_templates(old, new, stack=name, region=region or stack_region,
                        parameters=by_stack.get(name, parameters), account=account, ignore=ignore,
                        old_dir=where.get(name, (None, None))[0], new_dir=where.get(name, (None, None))[1]), old, new)
        for name, old, new, stack_region in pairs
    ]
    export_findings(stacks)
    for stack_diff, old, new in stacks:  # the export findings just added
        acknowledge(stack_diff, old, new, ignore)
    return DiffResult(stacks=[stack for stack, _, _ in stacks])


def value_changes(old: dict[str, Any], new: dict[str, Any]) -> list[ValueChange]:
    changes: list[ValueChange] = []
    for key in ("Description", "Transform"):
        before, after = _as_list(old.get(key)) if key == "Transform" else old.get(key), \
            _as_list(new.get(key)) if key == "Transform" else new.get(key)
        if normalize(before) != normalize(after):
            action = ADD if before is None else REMOVE if after is None else MODIFY
            changes.append(ValueChange(section=key, name=key, action=action, before=old.get(key), after=new.get(key)))
    for section in VALUE_SECTIONS:
        before = mapping_at(old, section)
        after = mapping_at(new, section)
        for name in list(dict.fromkeys([*after, *before])):
            if name not in before:
                changes.append(ValueChange(section=section, name=name, action=ADD, after=after[name]))
            elif name not in after:
                changes.append(ValueChange(section=section, name=name, action=REMOVE, before=before[name]))
            elif normalize(before[name]) != normalize(after[name]):
                changes.append(ValueChange(section=section, name=name, action=MODIFY, before=before[name],
                                           after=after[name]))
    return changes


def _as_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    return value if isinstance(value, list) else [value]


def _parameter_changes(old: dict[str, Any], new: dict[str, Any], conditions: Conditions) -> dict[str, bool]:
    """Parameters whose value may change -> False (never certain: the deployed value is not known offline).

    A parameter keeps its presumed value when the value given for it (else its default) equals the old
    default; otherwise what refers to it may change.
    """
    before = mapping_at(old, "Parameters")
    after = mapping_at(new, "Parameters")
    return {name: False for name, definition in after.items()
            if name in before and isinstance(definition, dict) and name not in conditions.unchanged_parameters}
