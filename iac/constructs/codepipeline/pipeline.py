"""The pipeline and its stages: where actions are placed, checked and rendered."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, cast

from iac.checks.suppress import accept_finding
from iac.constructs import events, iam, s3
from iac.constructs.codepipeline.actions import (
    RESOURCE_TYPE,
    Action,
    ActionScope,
    categories,
    minimum_stages,
    name_problem,
)
from iac.constructs.codepipeline.artifacts import Artifact
from iac.constructs.codepipeline.change_sets import CreateReplaceChangeSet, ExecuteChangeSet
from iac.constructs.codepipeline.deployment_role import DeploymentBoundary
from iac.constructs.codepipeline.sources import SourceAction
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import SourceLocation, caller_location
from iac.errors import ConstructError

CODEPIPELINE_SERVICE = "codepipeline.amazonaws.com"


# -- stages and the pipeline ----------------------------------------------------------------------------

class Stage(Construct):
    """A named step of the pipeline; its actions run by `run_order` (same number: in parallel). Made by
    `Pipeline.add_stage`.

    Args:
        pipeline: the pipeline the stage belongs to.
        name: the stage's name, unique in the pipeline.
    """

    def __init__(self, pipeline: Pipeline, name: str) -> None:
        super().__init__(pipeline, name)
        self.pipeline = pipeline
        self.name = name
        self.bound: list[tuple[Action, ActionScope, dict[str, Any]]] = []

    @property
    def actions(self) -> list[Action]:
        return [action for action, _, _ in self.bound]

    def add_action(self, action: Action) -> None:
        location = caller_location()
        if not isinstance(action, Action):
            raise ConstructError(f"stage {self.name}: {action!r} is not a pipeline action "
                                 "(codepipeline.CodeBuildAction, CreateReplaceChangeSet, ...)", path=self.path,
                                 location=location)
        if self.find_child(action.name) is not None:
            raise ConstructError(f"stage {self.name} already has an action named {action.name!r}", path=self.path,
                                 location=location, hint="give one of them another name=")
        if action.category not in categories():
            raise ConstructError(f"action {action.name}: category {action.category!r} is not one CodePipeline knows "
                                 f"({', '.join(categories())})", path=self.path, location=location)
        self.pipeline._check_placement(self, action, location)
        scope = ActionScope(self, action)
        self.bound.append((action, scope, action.bind(scope)))

    def _run_order(self, index: int, action: Action) -> int:
        """An execute without a run order runs right after the change set it executes (1, then 2);
        any other action without one runs first."""
        if action.run_order is not None:
            return action.run_order
        if isinstance(action, ExecuteChangeSet):
            prepared = [self._run_order(i, a) for i, a in enumerate(self.actions[:index])
                        if isinstance(a, CreateReplaceChangeSet) and a.target_stack_name == action.target_stack_name
                        and a.change_set_name == action.change_set_name]
            if prepared:
                return max(prepared) + 1
        return 1

    def render(self) -> dict[str, Any]:
        declarations = []
        for index, (action, scope, configuration) in enumerate(self.bound):
            declarations.append({
                "Name": action.name,
                "ActionTypeId": {"Category": action.category, "Owner": action.owner, "Provider": action.provider,
                                 "Version": action.version},
                "Configuration": configuration or None,
                "InputArtifacts": [{"Name": a.name} for a in action.inputs] or None,
                "OutputArtifacts": [{"Name": a.name} for a in action.outputs] or None,
                "RoleArn": scope.role().role_arn if scope.has_role else None,
                "RunOrder": self._run_order(index, action),
                "TimeoutInMinutes": action.timeout_in_minutes,
            })
        return {"Name": self.name, "Actions": declarations}


class Pipeline(Construct):
    """A CodePipeline (`AWS::CodePipeline::Pipeline`, the child `Resource`) and its artifact bucket.

    Stages: `add_stage(name, actions)`.

    Args:
        pipeline_name: the pipeline's name; CloudFormation generates one when omitted.
        artifact_bucket: the s3.Bucket artifacts are kept in; default a private, encrypted one of
            its own.
        pipeline_type: "V2" (default) or "V1".
        execution_mode: how executions that overlap run: QUEUED, SUPERSEDED (CodePipeline's
            default) or PARALLEL.
        restart_execution_on_update: run the pipeline again when it is updated (False).
        schedule: an EventBridge expression that starts the pipeline, e.g. "cron(0 3 * * ? *)" for
            a nightly release.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pipeline_name: Annotated[str | Token | None, Cfn("Name"), Check(name_problem)] = None,
        artifact_bucket: s3.Bucket | None = None,
        pipeline_type: Annotated[str, Cfn("PipelineType")] = "V2",
        execution_mode: Annotated[str | None, Cfn("ExecutionMode")] = None,
        restart_execution_on_update: Annotated[bool, Cfn("RestartExecutionOnUpdate")] = False,
        schedule: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.stages: list[Stage] = []
        self.artifact_bucket = artifact_bucket or self._artifact_bucket()
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal(CODEPIPELINE_SERVICE))
        self.artifact_bucket.grant_read_write(self.role)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Name": pipeline_name,
            "RoleArn": self.role.role_arn,
            "ArtifactStore": {"Type": "S3", "Location": self.artifact_bucket.bucket_name},
            "Stages": Lazy(lambda: [stage.render() for stage in self.stages]),
            "PipelineType": pipeline_type,
            "ExecutionMode": execution_mode,
            "RestartExecutionOnUpdate": restart_execution_on_update or None,
        })
        self.role.add_policy_dependent(self.resource)
        self.events_role: iam.Role | None = None
        self.schedules: list[events.Rule] = []
        if schedule is not None:
            self.add_schedule("Schedule", schedule)

    def _artifact_bucket(self) -> s3.Bucket:
        """The pipeline's own bucket: encrypted, TLS only, retained (iac's default for buckets), unversioned."""
        bucket = s3.Bucket(self, "ArtifactBucket")
        accept_finding(bucket.resource, "IAC-S3-004", reason="pipeline artifacts: each run writes new objects "
                       "and a rerun rebuilds them, so old versions would only cost storage")
        return bucket

    # -- references ---------------------------------------------------------------------------

    @property
    def pipeline_name(self) -> Token:
        return self.resource.ref

    @property
    def pipeline_arn(self) -> Token:
        return Fn.sub(f"arn:{Aws.PARTITION}:codepipeline:{Aws.REGION}:{Aws.ACCOUNT_ID}:{self.pipeline_name}")

    def deployment_boundary(self) -> DeploymentBoundary:
        """The permissions boundary of the roles this pipeline's derived deployment roles create (made
        on first use: a pipeline that deploys no iac stack has none)."""
        found = self.find_child("DeploymentBoundary")
        return found if isinstance(found, DeploymentBoundary) else DeploymentBoundary(self, "DeploymentBoundary")

    # -- stages -------------------------------------------------------------------------------

    def add_stage(self, name: str, actions: Action | Sequence[Action] = ()) -> Stage:
        """A stage named `name` after the existing ones, with `actions` (more with `stage.add_action`)."""
        location = caller_location()
        problem = name_problem(name) if isinstance(name, str) else f"{name!r} is not a name"
        if problem is not None:
            raise ConstructError(f"stage name {problem}", path=self.path, location=location)
        if self.find_child(name) is not None:
            raise ConstructError(f"pipeline {self.path} already has a stage or part named {name!r}", path=self.path,
                                 location=location)
        stage = Stage(self, name)
        self.stages.append(stage)
        # one action alone is taken too; anything that is no action is refused by add_action
        for action in list(actions) if isinstance(actions, list | tuple) else [cast(Action, actions)]:
            stage.add_action(action)
        return stage

    def _check_placement(self, stage: Stage, action: Action, location: SourceLocation | None) -> None:
        """Sources make up the first stage and only it; inputs come from earlier actions; names of
        outputs are unique; an execute follows the change set it executes."""
        first = self.stages[0] is stage
        if first != isinstance(action, SourceAction):
            message = (f"the first stage ({stage.name}) holds the sources; {action.name} ({type(action).__name__}) "
                       "belongs in a later stage") if first else (
                f"source {action.name} must be in the first stage, not in {stage.name}")
            raise ConstructError(message, path=stage.path, location=location)
        produced = self._produced(stage, action)
        for artifact in action.inputs:
            if artifact not in produced:
                raise ConstructError(
                    f"action {action.name} reads artifact {artifact.name!r}, which no earlier action produces",
                    path=stage.path, location=location,
                    hint="pass the artifact as the output of a source or build in an earlier stage (or run order)")
        every = [a for s in self.stages for a in s.actions]
        for artifact in action.outputs:
            if any(known.name == artifact.name for a in every for known in a.outputs):
                raise ConstructError(f"artifact name {artifact.name!r} is already used in pipeline {self.path}",
                                     path=stage.path, location=location, hint="name each Artifact differently")
        if isinstance(action, ExecuteChangeSet) and not self._prepared_before(stage, action):
            raise ConstructError(f"{action.name} executes change set {action.change_set_name!r} of stack "
                                 f"{action.target_stack_name}, which no earlier CreateReplaceChangeSet prepares",
                                 path=stage.path, location=location,
                                 hint="prepare it in an earlier stage, or earlier in this one (a lower run_order)")

    def _prepared_before(self, stage: Stage, action: ExecuteChangeSet) -> bool:
        def prepares(candidate: Action) -> bool:
            return isinstance(candidate, CreateReplaceChangeSet) and candidate.change_set_name == \
                action.change_set_name and candidate.target_stack_name == action.target_stack_name

        earlier = [a for s in self.stages if s is not stage for a in s.actions]
        if any(prepares(a) for a in earlier):
            return True
        order = stage._run_order(len(stage.actions), action)
        return any(prepares(a) and stage._run_order(i, a) < order for i, a in enumerate(stage.actions))

    def _produced(self, stage: Stage, action: Action) -> list[Artifact]:
        """Artifacts available to `action`: outputs of earlier stages, and of this stage's actions that
        run before it."""
        found = [a for s in self.stages if s is not stage for act in s.actions for a in act.outputs]
        order = action.run_order or 1
        found += [a for index, act in enumerate(stage.actions) if stage._run_order(index, act) < order
                  for a in act.outputs]
        return found

    # -- triggers -------------------------------------------------------------------------------

    def add_schedule(self, id: str, schedule: str) -> events.Rule:
        """Start the pipeline on a schedule: "cron(0 3 * * ? *)" (03:00 UTC daily), "rate(1 day)"."""
        rule = events.Rule(self, id, schedule=schedule, description=f"start pipeline {self.path} on {schedule}")
        self._start_from(rule)
        self.schedules.append(rule)
        return rule

    def _start_from(self, rule: events.Rule) -> None:
        """Let `rule` start this pipeline, through a role that may start this pipeline only."""
        if self.events_role is None:
            self.events_role = iam.Role(self, "EventsRole", assumed_by=iam.ServicePrincipal("events.amazonaws.com"))
            self.events_role.add_to_policy(iam.PolicyStatement(actions=["codepipeline:StartPipelineExecution"],
                                                               resources=[self.pipeline_arn]))
        rule.add_target(self.pipeline_arn, role_arn=self.events_role.role_arn)

    def validate(self) -> list[str]:
        if len(self.stages) < minimum_stages():
            return [f"pipeline {self.path} has {len(self.stages)} stage(s); CodePipeline needs at least "
                    f"{minimum_stages()} (a source stage and one more): add them with add_stage(name, actions)"]
        return [f"stage {stage.path} has no actions" for stage in self.stages if not stage.bound]
