"""Destroying stacks: dependents before what they depend on, and a word on what stays behind.

Resources whose DeletionPolicy is Retain (or RetainExceptOnCreate, or the type's default keeps them)
are left in the account by CloudFormation: they are listed with their physical ids before the stack
goes, so nobody is surprised by a bucket that outlived its stack. Snapshot policies are listed too
(the resource goes, a snapshot stays).
"""

from __future__ import annotations

from typing import Any

import attrs

from iac.deploy import change_sets as cs
from iac.deploy.events import Outcome, StackEvent, follow, latest_event_id
from iac.deploy.polling import Poller
from iac.deploy.reporter import Reporter
from iac.deploy.scheduling import Scheduler
from iac.deploy.session import AwsSession, aws_errors, error_code, error_message
from iac.errors import DeployError
from iac.synth.assembly import StackArtifact
from iac.synth.diff import knowledge
from iac.synth.template import resources

KEPT_POLICIES = ("Retain", "RetainExceptOnCreate", "Snapshot")


@attrs.frozen(kw_only=True)
class Retained:
    logical_id: str
    resource_type: str
    physical_id: str | None
    policy: str


@attrs.define(kw_only=True)
class Destroyed:
    stack: str
    region: str
    existed: bool = True
    retained: list[Retained] = attrs.field(factory=list)
    outcome: Outcome | None = None


def retained_resources(template: dict[str, Any] | None, physical_ids: dict[str, str]) -> list[Retained]:
    """The resources CloudFormation keeps (or snapshots) when the stack is deleted."""
    kept: list[Retained] = []
    for logical_id, resource in resources(template).items():
        resource_type = str(resource.get("Type", ""))
        raw_properties = resource.get("Properties")
        properties: dict[str, Any] = raw_properties if isinstance(raw_properties, dict) else {}
        policy = resource.get("DeletionPolicy") or knowledge.default_deletion_policy(resource_type, properties)
        if policy in KEPT_POLICIES:
            kept.append(Retained(logical_id=logical_id, resource_type=resource_type,
                                 physical_id=physical_ids.get(logical_id), policy=str(policy)))
    return kept


def physical_ids(cfn: Any, stack_id: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    token: str | None = None
    while True:
        with aws_errors():
            page = cfn.list_stack_resources(StackName=stack_id, **({"NextToken": token} if token else {}))
        for summary in page.get("StackResourceSummaries") or []:
            if summary.get("PhysicalResourceId"):
                ids[str(summary["LogicalResourceId"])] = str(summary["PhysicalResourceId"])
        token = page.get("NextToken")
        if not token:
            return ids


def destroy_stack(cfn: Any, name: str, *, region: str, poller: Poller, reporter: Reporter) -> Destroyed:
    """Delete one stack and wait until it is gone; DeployError if the deletion fails."""
    deployed = cs.describe_stack(cfn, name)
    if deployed is None:
        reporter.note(name, "not deployed, nothing to delete")
        return Destroyed(stack=name, region=region, existed=False)
    if deployed.status.endswith("_IN_PROGRESS") and not deployed.is_new:
        raise DeployError(f"stack {name} is {deployed.status}: CloudFormation is still working on it",
                          hint="wait until it finishes, then run iac destroy again")
    template = cs.deployed_template(cfn, deployed)
    retained = retained_resources(template, physical_ids(cfn, deployed.stack_id))
    marker = latest_event_id(cfn, deployed.stack_id)
    reporter.note(name, "deleting")
    with aws_errors():
        try:
            cfn.delete_stack(StackName=deployed.stack_id)
        except Exception as error:
            if error_code(error) == "ValidationError" and "TerminationProtection" in error_message(error):
                raise DeployError(f"stack {name} has termination protection",
                                  hint="turn it off (termination_protection=False in the app, then deploy; or in "
                                       "the console) and destroy again") from None
            raise
    finished: set[str] = set()
    total = max(len(resources(template)), 1)

    def on_event(event: StackEvent) -> None:
        if not event.is_stack and event.status in ("DELETE_COMPLETE", "DELETE_SKIPPED"):
            finished.add(event.logical_id)
        reporter.event(name, event, len(finished), total)

    outcome = follow(cfn, deployed.stack_id, after=marker, poller=poller, on_event=on_event)
    if outcome.status != "DELETE_COMPLETE":
        causes = outcome.causes
        detail = f"; first failure: {causes[0].logical_id} {causes[0].status}: {causes[0].reason}" if causes else ""
        raise DeployError(f"deletion of {name} failed: the stack is {outcome.status}{detail}",
                          hint="fix what blocked it (often a non-empty bucket or a resource in use), then "
                               "run iac destroy again")
    reporter.note(name, "DELETE_COMPLETE")
    return Destroyed(stack=name, region=region, retained=retained, outcome=outcome)


def destroy(session: AwsSession, artifacts: list[StackArtifact], *, reporter: Reporter, poller: Poller,
            concurrency: int = 4) -> tuple[Scheduler, dict[str, Any]]:
    """Delete the stacks, each only after every stack that depends on it is gone."""
    by_name = {a.stack_name: a for a in artifacts}
    names = {a.name: a.stack_name for a in artifacts}
    dependents: dict[str, set[str]] = {a.stack_name: set() for a in artifacts}
    for artifact in artifacts:
        for dependency in artifact.dependencies:
            if dependency in names:
                dependents[names[dependency]].add(artifact.stack_name)
    scheduler = Scheduler(concurrency=concurrency, poller=poller)

    def work(name: str) -> Destroyed:
        region = session.region(by_name[name].region)
        return destroy_stack(session.client("cloudformation", region), name, region=region, poller=poller,
                             reporter=reporter)

    order = [a.stack_name for a in reversed(artifacts)]
    return scheduler, scheduler.run(order, dependents, work)
