"""Deploying an assembly's stacks through change sets, dependencies first.

For each stack: refuse it if CloudFormation is busy with it or it needs repair; diff the deployed
template (GetTemplate) against the new one; create a change set (CREATE or UPDATE) and wait for it;
"no changes" ends there; otherwise merge CloudFormation's entries into the diff, show both and ask
for approval where the policy wants it; execute; follow the stack's events to a terminal status.
Assets are published before any stack, once per content hash.

Ctrl-C stops a deployment at the next step, and never lets it reach CloudFormation's point of no
return: the run is checked for an interrupt right before a change set is created and right before one
is executed, and after Ctrl-C no stack is executed. Once a change set runs, CloudFormation carries on
whatever happens to iac: Ctrl-C, or a failure to read the stack's progress (throttling, the network,
credentials that expired while following), ends with the stack "in progress, not followed", never
"failed", and with the command to follow it.
"""

from __future__ import annotations

import shlex
import threading
from typing import Any

import attrs

from iac.deploy import change_sets as cs
from iac.deploy.approval import APPROVAL_LEVELS, approval_reason
from iac.deploy.assets import Published, asset_bytes, assets_of, publish
from iac.deploy.environment import bucket_for, stack_account, template_argument
from iac.deploy.events import DEPLOYED, Outcome, StackEvent, follow, latest_event_id
from iac.deploy.live_diff import merge_change_set
from iac.deploy.polling import Poller
from iac.deploy.reporter import Reporter, Review
from iac.deploy.scheduling import Ran, Scheduler
from iac.deploy.session import AwsSession, aws_errors
from iac.deploy.targets import Target, resolve_target
from iac.errors import DeployError, IacError, UsageError
from iac.synth.assembly import CloudAssembly, StackArtifact
from iac.synth.diff import diff_templates
from iac.synth.template import section

DEPLOYED_STATE, UNCHANGED, PENDING, FAILED, SKIPPED, INTERRUPTED, NOT_FOLLOWED = (
    "deployed", "no changes", "change set created", "failed", "skipped", "interrupted", "in progress, not followed")


class NotFollowed(DeployError):
    """The change set was executed, then iac could not read the stack's progress: CloudFormation carries
    on, and the stack's outcome is unknown to iac (not a failure of the stack). The exit status is the
    cause's (2 when the credentials expired, else 1)."""

    def __init__(self, message: str, *, cause: BaseException, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.cause = cause
        if isinstance(cause, IacError):
            self.exit_status = cause.exit_status


@attrs.define(kw_only=True)
class StackResult:
    """How one stack's deployment ended."""

    stack: str
    region: str | None = None
    state: str = SKIPPED
    #: The last step reached: checking, change set, review, executing, done.
    phase: str = "checking"
    stack_id: str | None = None
    change_set: cs.ChangeSet | None = None
    #: The change set asked for, known as soon as CloudFormation accepted it (before it is ready).
    change_set_name: str | None = None
    #: True when this run made the stack (a CREATE change set): until executed it has no resources.
    new_stack: bool = False
    #: True once ExecuteChangeSet was called: from then on CloudFormation carries on without iac.
    executed: bool = False
    outputs: dict[str, str] = attrs.field(factory=dict)
    failures: tuple[StackEvent, ...] = ()
    error: BaseException | None = None
    note: str | None = None


def stack_dependencies(artifacts: list[StackArtifact]) -> dict[str, set[str]]:
    """Dependencies between the given stacks, by stack name (artifact ids mapped to stack names)."""
    names = {artifact.name: artifact.stack_name for artifact in artifacts}
    return {a.stack_name: {names[d] for d in a.dependencies if d in names} for a in artifacts}


class Deployment:
    """Deploys `artifacts` of `assembly` with one session; `run()` returns a result per stack."""

    def __init__(self, session: AwsSession, assembly: CloudAssembly, *, reporter: Reporter,
                 require_approval: str = "widening", execute: bool = True,
                 parameters: dict[str | None, dict[str, str]] | None = None,
                 concurrency: int = 4, poller: Poller | None = None, use_bootstrap_roles: bool = False,
                 role_arn: str | None = None) -> None:
        if require_approval not in APPROVAL_LEVELS:
            raise UsageError(f"--require-approval takes {', '.join(APPROVAL_LEVELS)}, not {require_approval!r}")
        self.session = session
        self.assembly = assembly
        self.reporter = reporter
        self.require_approval = require_approval
        self.execute = execute
        self.parameters = parameters or {}
        self.poller = poller or Poller()
        self.scheduler = Scheduler(concurrency=concurrency, poller=self.poller)
        self.results: dict[str, StackResult] = {}
        #: Assume the bootstrapped deploy role and pass the execution role (the CLI's default).
        self.use_bootstrap_roles = use_bootstrap_roles
        #: The execution role CloudFormation acts as (--role-arn), over the bootstrapped one.
        self.role_arn = role_arn
        self._targets: dict[str, Target] = {}
        self._targets_lock = threading.Lock()

    @property
    def interrupted(self) -> bool:
        return self.scheduler.interrupted

    def target(self, region: str, *, stack: str) -> Target:
        """Who deploys in `region` (resolved once per region; the first stack there says which)."""
        with self._targets_lock:
            if region not in self._targets:
                target = resolve_target(self.session, region, use_bootstrap_roles=self.use_bootstrap_roles,
                                        role_arn=self.role_arn)
                self._targets[region] = target
                if self.use_bootstrap_roles or self.role_arn:
                    self.reporter.note(stack, target.how)
            return self._targets[region]

    # -- the whole run ---------------------------------------------------------------------------

    def run(self, artifacts: list[StackArtifact]) -> list[StackResult]:
        for artifact in artifacts:
            self.results[artifact.stack_name] = StackResult(stack=artifact.stack_name)
        by_name = {artifact.stack_name: artifact for artifact in artifacts}
        if artifacts:  # credentials first: a missing or expired one is one clear message, not one per stack
            self.session.account(self.session.region(artifacts[0].region))
        self.publish_assets(artifacts)
        ran = self.scheduler.run(list(by_name), stack_dependencies(artifacts),
                                 lambda name: self.deploy_stack(by_name[name]))
        return [self._finish(name, outcome) for name, outcome in ran.items()]

    def _finish(self, name: str, ran: Ran[StackResult]) -> StackResult:
        result = self.results[name]
        if ran.skipped is not None:
            result.state = INTERRUPTED if self.interrupted else SKIPPED
            result.note = ran.skipped
        elif isinstance(ran.error, NotFollowed):
            result.state, result.error = NOT_FOLLOWED, ran.error
        elif ran.error is not None:
            result.state = INTERRUPTED if self.interrupted and not isinstance(ran.error, IacError) else FAILED
            result.error = ran.error
        return result

    def publish_assets(self, artifacts: list[StackArtifact]) -> list[Published]:
        """Upload the assets the stacks use, per region, skipping objects already there."""
        published: list[Published] = []
        seen: set[tuple[str, str]] = set()
        for artifact in artifacts:
            entries = assets_of(self.assembly, artifact)
            if not entries:
                continue
            region = self.session.region(artifact.region)
            target = self.target(region, stack=artifact.stack_name)
            bucket = bucket_for(target, artifact)
            for entry in entries:
                key = entry["destination"]["key"]
                if (bucket, key) in seen:
                    continue
                seen.add((bucket, key))
                done = publish(target.session.client("s3", region), bucket, key, asset_bytes(self.assembly, entry),
                               account=target.session.account(region))
                verb = "uploaded" if done.uploaded else "already uploaded, skipped"
                self.reporter.note(artifact.stack_name, f"asset {key} ({_size(done.size)}) {verb}")
                published.append(done)
        return published

    # -- one stack -------------------------------------------------------------------------------

    def deploy_stack(self, artifact: StackArtifact) -> StackResult:
        name = artifact.stack_name
        result = self.results.setdefault(name, StackResult(stack=name))
        region = result.region = self.session.region(artifact.region)
        stack_account(self.session, artifact, region)
        target = self.target(region, stack=name)
        cfn = target.session.client("cloudformation", region)
        deployed = cs.describe_stack(cfn, name)
        cs.check_deployable(deployed)
        old = cs.deployed_template(cfn, deployed)
        given = self._parameters_for(artifact)
        predicted = diff_templates(old, artifact.template, stack=name, region=region, parameters=given)

        result.phase = "change set"
        change_type = cs.CREATE if deployed is None or deployed.is_new else cs.UPDATE
        self.reporter.note(name, f"creating {change_type} change set")
        change_set_name = cs.new_change_set_name()
        template = template_argument(target, artifact, lambda text: self.reporter.note(name, text))
        self.poller.check()  # Ctrl-C: no change set is made after it
        change_set_id = cs.create_change_set(
            cfn, stack_name=name, change_set_type=change_type, template=template,
            parameters=cs.stack_parameters(artifact.template, given, deployed),
            capabilities=cs.capabilities(artifact.template), tags=artifact.tags, name=change_set_name,
            role_arn=target.execution_role_arn)
        result.change_set_name, result.new_stack = change_set_name, deployed is None
        change_set = result.change_set = cs.wait_for_change_set(
            cfn, stack_name=name, change_set_id=change_set_id, change_set_type=change_type, poller=self.poller)
        result.stack_id = change_set.stack_id or (deployed.stack_id if deployed else None)
        if change_set.no_changes:
            cs.delete_change_set(cfn, change_set)
            result.state, result.phase = UNCHANGED, "done"
            result.outputs = dict(deployed.outputs) if deployed else {}
            self.reporter.note(name, "no changes")
            return result

        if target.bounded:
            self._refuse_unbounded_identities(cfn, change_set, deployed, artifact, target)
        result.phase = "review"
        merged = merge_change_set(predicted, list(change_set.changes), old, artifact.template)
        review = Review(stack=name, region=region, change_set=change_set, diff=merged.diff,
                        unconfirmed=merged.unconfirmed, execute=self.execute,
                        approval=approval_reason(merged.diff, self.require_approval) if self.execute else None)
        refusal = self.scheduler.ask(lambda: self.reporter.review(review))
        if refusal is not None:
            self._discard(cfn, change_set, deployed)
            raise DeployError(f"{name} was not deployed: {refusal}",
                              hint="review with `iac diff --live`, then deploy with --require-approval never "
                                   "or from a terminal")
        if not self.execute:
            result.state, result.phase = PENDING, "done"
            self.reporter.note(name, f"change set {change_set.name} created, not executed (--no-execute)")
            return result

        outcome = self._execute(cfn, change_set, artifact, result)
        result.failures = outcome.failures
        if outcome.status not in DEPLOYED:
            result.state = FAILED
            raise DeployError(_failure_message(name, outcome),
                              hint=f"the stack's events: {follow_command(name, region)}")
        final = cs.describe_stack(cfn, change_set.stack_id or name)
        if final is not None:
            result.outputs = dict(final.outputs)
            if final.termination_protection != artifact.termination_protection:
                with aws_errors():
                    cfn.update_termination_protection(StackName=final.stack_id,
                                                      EnableTerminationProtection=artifact.termination_protection)
        result.state, result.phase = DEPLOYED_STATE, "done"
        self.reporter.note(name, outcome.status)
        return result

    def _execute(self, cfn: Any, change_set: cs.ChangeSet, artifact: StackArtifact, result: StackResult) -> Outcome:
        """Execute the change set (unless the run was interrupted) and follow the stack to its end."""
        name = artifact.stack_name
        marker = latest_event_id(cfn, change_set.stack_id)
        self.poller.check()  # the last moment Ctrl-C can stop it: nothing is executed after an interrupt
        cs.execute_change_set(cfn, change_set)
        result.executed, result.phase = True, "executing"
        self.reporter.note(name, f"executing change set {change_set.name}")
        total = len(change_set.changes) or artifact.resource_count
        finished: set[str] = set()

        def on_event(event: StackEvent) -> None:
            if not event.is_stack and event.status.endswith("_COMPLETE"):
                finished.add(event.logical_id)
            self.reporter.event(name, event, len(finished), total)

        try:
            return follow(cfn, change_set.stack_id, after=marker, poller=self.poller, on_event=on_event)
        except IacError as error:  # throttled, offline, credentials expired: CloudFormation is not affected
            raise NotFollowed(f"iac lost track of {name} after executing its change set: {error.message}; "
                              "CloudFormation carries on with the deployment",
                              cause=error, hint=f"follow it with: {follow_command(name, result.region)}") from None

    def _discard(self, cfn: Any, change_set: cs.ChangeSet, deployed: cs.DeployedStack | None) -> None:
        """Remove a change set that will not run, and the empty stack its CREATE made (only if this run
        made it: a stack left in review by an earlier --no-execute keeps its change sets)."""
        cs.delete_change_set(cfn, change_set)
        if change_set.type == cs.CREATE and deployed is None and change_set.stack_id:
            try:
                cfn.delete_stack(StackName=change_set.stack_id)
            except Exception:  # cleaning up must not hide the refusal
                pass

    def _refuse_unbounded_identities(self, cfn: Any, change_set: cs.ChangeSet, deployed: cs.DeployedStack | None,
                                     artifact: StackArtifact, target: Target) -> None:
        """The bootstrapped execution role may create or change a role or user only when it carries the
        bootstrap's boundary; CloudFormation would fail on it half-way and roll back, so say it now."""
        unbounded = unbounded_identities(artifact.template, change_set.changes)
        if not unbounded:
            return
        self._discard(cfn, change_set, deployed)
        boundary = target.bootstrap.boundary_arn if target.bootstrap else "the bootstrap boundary"
        raise DeployError(
            f"{artifact.stack_name} creates or changes IAM {', '.join(unbounded)} without the permissions boundary "
            f"{boundary}; CloudFormation, acting as the bootstrapped execution role, would be refused",
            hint="give every role the boundary: iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy."
                 "bootstrap_boundary()); or deploy with "
                 "--role-arn ROLE, or with your own administrator credentials (--no-bootstrap-roles)")

    def _parameters_for(self, artifact: StackArtifact) -> dict[str, str]:
        declared = section(artifact.template, "Parameters")
        values = {k: v for k, v in self.parameters.get(None, {}).items() if k in declared}
        for key in (artifact.name, artifact.stack_name):
            values.update(self.parameters.get(key, {}))
        return values


IDENTITY_TYPES = ("AWS::IAM::Role", "AWS::IAM::User")


def unbounded_identities(template: dict[str, Any], changes: tuple[dict[str, Any], ...]) -> list[str]:
    """The roles and users the change set adds or modifies whose template gives them no boundary."""
    found = []
    for entry in changes:
        change = entry.get("ResourceChange") or {}
        if change.get("Action") not in ("Add", "Modify") or change.get("ResourceType") not in IDENTITY_TYPES:
            continue
        logical_id = str(change.get("LogicalResourceId", ""))
        properties = section(section(template, "Resources").get(logical_id) or {}, "Properties")
        if not properties.get("PermissionsBoundary"):
            found.append(logical_id)
    return found


def follow_command(stack: str, region: str | None) -> str:
    """The AWS CLI command that shows a stack's progress, quoted for a POSIX shell."""
    return shlex.join(["aws", "cloudformation", "describe-stack-events", "--stack-name", stack,
                       *(["--region", region] if region else [])])


def _failure_message(name: str, outcome: Outcome) -> str:
    message = f"deployment of {name} failed: the stack is {outcome.status}"
    causes = outcome.causes
    if causes:
        first = causes[0]
        message += f"; first failure: {first.logical_id} ({first.resource_type}) {first.status}: {first.reason}"
    elif outcome.reason:
        message += f" ({outcome.reason})"
    return message


def _size(count: int) -> str:
    return f"{count:,} B" if count < 10_000 else f"{count / 1024:,.1f} KiB"
