"""The live diff: iac's prediction against the deployed template, corrected by CloudFormation.

iac's diff of the deployed template (GetTemplate) against the new one says why each change happens;
the change set CloudFormation makes for the same template says what it will actually do. Where both
speak, CloudFormation's word wins: the resources it lists (and only those), its Action, Replacement,
PolicyAction and Details. iac keeps what the change set does not carry: reasons, construct paths,
before/after values it has no other source for, IAM and security-group tables, renames. Stored data
at risk is decided again on the merged resources.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from iac.deploy import change_sets as cs
from iac.deploy.environment import template_argument
from iac.deploy.polling import Poller
from iac.deploy.session import AwsSession
from iac.deploy.targets import resolve_target
from iac.errors import DeployError
from iac.synth.assembly import StackArtifact
from iac.synth.diff import DiffResult, diff_pairs
from iac.synth.diff.model import ADD, MODIFY, Detail, Finding, ResourceChange, StackDiff, Target
from iac.synth.diff.risk import data_at_risk
from iac.synth.template import construct_path, resources

#: Change-set actions iac's model has no symbol for, and the nearest one it has.
ACTION_ALIASES = {"Import": ADD, "Dynamic": MODIFY}


@attrs.frozen(kw_only=True)
class Merged:
    diff: StackDiff
    #: Logical ids iac predicted a change for that CloudFormation does not list.
    unconfirmed: tuple[str, ...] = ()


def merge_change_set(predicted: StackDiff, changes: list[dict[str, Any]] | tuple[dict[str, Any], ...],
                     old: dict[str, Any] | None, new: dict[str, Any] | None) -> Merged:
    """`predicted` with CloudFormation's change set entries (DescribeChangeSet's `Changes`) merged in."""
    mine = {change.logical_id: change for change in predicted.resources}
    merged: list[ResourceChange] = []
    for entry in changes:
        data = entry.get("ResourceChange") if entry.get("Type", "Resource") == "Resource" else None
        if not isinstance(data, dict) or not data.get("LogicalResourceId"):
            continue
        merged.append(_merge_one(data, mine.pop(str(data["LogicalResourceId"]), None), old or {}, new or {}))
    kept = {change.logical_id for change in merged}
    predicted.resources = merged
    predicted.statements = [s for s in predicted.statements if s.logical_id in kept]
    predicted.rules = [r for r in predicted.rules if r.logical_id in kept or r.group in kept]
    for change in merged:
        change.data_at_risk = False
    predicted.findings = [*(f for f in predicted.findings if _still_holds(f, kept)),
                          *data_at_risk(merged, old or {}, new or {})]
    return Merged(diff=predicted, unconfirmed=tuple(mine))


def _still_holds(finding: Finding, kept: set[str]) -> bool:
    """Data at risk is decided again; a rename needs its resource in the change set; the rest stays
    (template checks the change set does not make, such as exports in use)."""
    if finding.kind == "data-at-risk":
        return False
    return finding.kind != "rename" or finding.logical_id in kept


def _merge_one(data: dict[str, Any], mine: ResourceChange | None, old: dict[str, Any],
               new: dict[str, Any]) -> ResourceChange:
    logical_id = str(data["LogicalResourceId"])
    action = str(data.get("Action") or MODIFY)
    shown = ACTION_ALIASES.get(action, action)
    if mine is None or mine.action != shown:
        resource = _resource(new, logical_id) or _resource(old, logical_id)
        change = ResourceChange(action=shown, logical_id=logical_id,
                                resource_type=str(data.get("ResourceType") or (resource or {}).get("Type", "")),
                                construct_path=construct_path(resource) if resource else None)
        said = f"iac predicted {mine.action}" if mine else "iac predicted no change"
        change.reasons.append(f"CloudFormation: {action} ({said})")
        if mine is not None and shown == MODIFY:
            change.details = list(mine.details)
            change.replacement = mine.replacement
    else:
        change = mine
        if action != shown:
            change.reasons.append(f"CloudFormation: {action}")
    if shown == MODIFY:
        replacement = data.get("Replacement")
        if replacement and replacement != change.replacement:
            if change.replacement:
                change.reasons.append(f"CloudFormation: replacement {replacement} (iac predicted {change.replacement})")
            change.replacement = str(replacement)
        if data.get("Details"):
            change.details = [_detail(detail, change.details) for detail in data["Details"]]
    if data.get("PolicyAction"):
        change.policy_action = str(data["PolicyAction"])
    return change


def _detail(data: dict[str, Any], predicted: list[Detail]) -> Detail:
    """A change-set detail as iac's Detail; before/after from the change set, else from iac's own."""
    target = data.get("Target") or {}
    attribute = str(target.get("Attribute") or "Properties")
    name = target.get("Name")
    path = str(target.get("Path") or (f"/{attribute}/{name}" if name else f"/{attribute}"))
    same = next((d for d in predicted if d.target.attribute == attribute and d.target.name == name), None)
    before = target.get("BeforeValue", same.before if same else None)
    after = target.get("AfterValue", same.after if same else None)
    return Detail(
        target=Target(attribute=attribute, name=name, path=path,
                      requires_recreation=str(target.get("RequiresRecreation") or "Never")),
        evaluation=str(data.get("Evaluation") or "Static"),
        change_source=str(data.get("ChangeSource") or "DirectModification"),
        causing_entity=data.get("CausingEntity"),
        before=before,
        after=after,
    )


def _resource(template: dict[str, Any], logical_id: str) -> dict[str, Any] | None:
    return resources(template).get(logical_id)



def live_diff(session: AwsSession, artifacts: list[StackArtifact], *, parameters: dict[str, str] | None = None,
              stack_parameters: Mapping[str, dict[str, str]] | None = None, poller: Poller | None = None,
              note: Callable[[str, str], None] = lambda stack, text: None) -> DiffResult:
    """The diff of each deployed template (GetTemplate; none for a new stack) against the artifact's,
    with CloudFormation's change set merged in where one can be made (and deleted again).

    `parameters` go to every stack; `stack_parameters` ({artifact name: values}) to one stack each, instead.
    """
    poller = poller or Poller()
    values = {a.name: dict((stack_parameters or {}).get(a.name, parameters or {})) for a in artifacts}
    targets = []
    for artifact in artifacts:
        region = session.region(artifact.region)
        cfn = session.client("cloudformation", region)
        deployed = cs.describe_stack(cfn, artifact.stack_name)
        targets.append((artifact, region, cfn, deployed, cs.deployed_template(cfn, deployed)))
    result = diff_pairs([(a.stack_name, old, a.template, region) for a, region, _, _, old in targets],
                        stack_parameters={a.stack_name: values[a.name] for a in artifacts})
    for index, (artifact, region, cfn, deployed, old) in enumerate(targets):
        if deployed is None or deployed.is_new:
            continue  # a new stack: all adds, nothing for CloudFormation to add to that
        try:
            cs.check_deployable(deployed)
            change_set = _live_change_set(session, cfn, artifact, region, deployed, values[artifact.name], poller)
        except DeployError as error:
            note(artifact.stack_name, f"no change set from CloudFormation ({error.message}); this is iac's "
                                      "prediction against the deployed template")
            continue
        if change_set.no_changes:
            result.stacks[index] = StackDiff(stack=result.stacks[index].stack)  # CloudFormation says: nothing
        else:
            merged = merge_change_set(result.stacks[index], list(change_set.changes), old, artifact.template)
            for logical_id in merged.unconfirmed:
                note(artifact.stack_name, f"iac predicted a change to {logical_id}; CloudFormation's change set "
                                          "does not list it")
    return result


def _live_change_set(session: AwsSession, cfn: Any, artifact: StackArtifact, region: str,
                     deployed: cs.DeployedStack, parameters: dict[str, str], poller: Poller) -> cs.ChangeSet:
    """An UPDATE change set for the diff alone: made, read, deleted."""
    change_set_id = cs.create_change_set(
        cfn, stack_name=artifact.stack_name, change_set_type=cs.UPDATE,
        template=template_argument(resolve_target(session, region, use_bootstrap_roles=False), artifact),
        parameters=cs.stack_parameters(artifact.template, parameters, deployed),
        capabilities=cs.capabilities(artifact.template), tags=artifact.tags,
        name=cs.new_change_set_name("diff"), description="iac diff --live (deleted after reading)")
    change_set = cs.wait_for_change_set(cfn, stack_name=artifact.stack_name, change_set_id=change_set_id,
                                        change_set_type=cs.UPDATE, poller=poller)
    cs.delete_change_set(cfn, change_set)
    return change_set
