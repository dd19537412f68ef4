"""CodePipeline: a release process as stages of actions, each action with a role of its own.

    source, built = codepipeline.Artifact("Source"), codepipeline.Artifact("Built")
    pipeline = codepipeline.Pipeline(stack, "Pipeline", schedule="cron(0 3 * * ? *)")
    pipeline.add_stage("Source", [codepipeline.CodeCommitSource(repository="app", branch="main", output=source)])
    pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=build, input=source, outputs=[built])])
    pipeline.add_stage("Production", [
        codepipeline.CreateReplaceChangeSet(stack_name="App", template_path=built.at_path("App.template.json"),
                                            deployment_role=role),
        codepipeline.ExecuteChangeSet(stack_name="App"),
    ])

What the constructs decide for you, and why:

- Artifacts live in a bucket of the pipeline's own (an `s3.Bucket`: private, encrypted, TLS only).
- The pipeline's role may only hand work to the actions: each action that touches anything has a
  role of its own (trusting the pipeline's role alone) with exactly what that action needs: a source
  reads its repository and writes the bucket, a build starts its project, a change-set action
  manages change sets of its stack (and no other) and passes one deployment role, a deploy action
  updates its service. A CodeBuild project reads the bucket only for inputs and writes it only for
  outputs. The pipeline waits for all of these grants: it runs as soon as it is created.
- Sources start the pipeline when they change, through EventBridge rules (CodeCommit, S3, ECR) or
  the connection's webhook (GitHub via a CodeStar connection), never by polling. A schedule
  (`schedule=` or `add_schedule`) starts it at fixed times, e.g. a nightly release. The rules'
  role may start this pipeline and nothing else.
- A change set is prepared from a template in an artifact (`template_path=built.at_path(...)`,
  required) and executed by a later action. Given the iac `stack=` it deploys, the deployment role
  CloudFormation uses is derived from the registry schemas of that stack's resource types: the
  actions their create/read/update/delete handlers need, on the stack's own resources where IAM can
  name them (iac.constructs.deployment_permissions), IAM actions limited to roles and policies named
  after the deployed stack. Every role the stack creates must carry the pipeline's permissions
  boundary (`DeploymentBoundary`, applied to the stack's iam.Roles), and roles are passed only to the
  services that trust them. Capabilities follow from the stack too.

Everything that can be checked before a deployment is, at the line that wrote it: names (the
schema's pattern), an action in the wrong stage, an input no earlier action produces, an artifact
name used twice, an execute without a prepared change set, a capability CloudFormation does not
know, a change-set action without a template artifact, a source that cannot start the pipeline.

Stability contract: `<id>/ArtifactBucket`, `<id>/Role`, `<id>/Resource` (the pipeline), `<id>/DeploymentBoundary`,
`<id>/<stage>/<action>/Role` (and `/DeploymentRole`, `/OnChange`), `<id>/EventsRole`, and the
schedule rules under their own ids.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import attrs

from iac.constructs import codebuild, events, iam, s3
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Stack, Token, is_token
from iac.constructs.core.capabilities import required_capabilities
from iac.constructs.core.props import Cfn, Check, InitSpec, Unit, check_prop, init_spec
from iac.constructs.core.protocols import SourceRepository
from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.tokens import stable_key
from iac.constructs.core.units import Duration
from iac.constructs.deployment_permissions import ScopedPermissions, action_resource_types, scope_actions
from iac.errors import ConstructError

if TYPE_CHECKING:  # imported when an ECS deploy action is made
    from iac.constructs import codedeploy, ecs

RESOURCE_TYPE = "AWS::CodePipeline::Pipeline"
CODEPIPELINE_SERVICE = "codepipeline.amazonaws.com"
CLOUDFORMATION_SERVICE = "cloudformation.amazonaws.com"
ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"
DEFAULT_CHANGE_SET_NAME = "iac-pipeline"
_CONNECTION_ARN = re.compile(r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection/.+$")
_FULL_REPOSITORY_ID = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")

#: The CloudFormation change-set actions' permissions on their own stack, as CodePipeline uses them.
PREPARE_CHANGE_SET_ACTIONS = ("cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
                              "cloudformation:DescribeChangeSet", "cloudformation:DescribeStacks")
EXECUTE_CHANGE_SET_ACTIONS = ("cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents",
                              "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet")
CODEBUILD_ACTIONS = ("codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild")
CODECOMMIT_SOURCE_ACTIONS = ("codecommit:CancelUploadArchive", "codecommit:GetBranch", "codecommit:GetCommit",
                             "codecommit:GetUploadArchiveStatus", "codecommit:UploadArchive")
#: A CodeStar connection source writes its zip with the bucket owner's ACL.
CONNECTION_SOURCE_OBJECT_ACTIONS = ("s3:PutObjectAcl", "s3:PutObjectVersionAcl")
#: The boundary every role a derived deployment role creates must carry lives under this IAM path, which no
#: stack's generated names ("<stack>-<logical id>-<suffix>") can reach.
BOUNDARY_PATH = "/iac-boundary/"
#: What would change or remove the boundary policy itself (each a new default version or none).
BOUNDARY_POLICY_EDITS = ("iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                         "iam:SetDefaultPolicyVersion")
#: Taking a boundary off an identity frees it of the boundary; nobody under the boundary may.
BOUNDARY_REMOVALS = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
#: What creates an identity or gives one permissions: under the boundary, allowed only for identities that
#: carry it (IAM's iam:PermissionsBoundary condition key names the identity's boundary). Deleting or
#: detaching a policy only takes permissions away, and must stay possible on a role made before the boundary.
BOUNDED_IAM_CHANGES = ("iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy",
                       "iam:AttachUserPolicy", "iam:CreateUser", "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy")
#: Of those, what a deployment role does to the stack's roles.
BOUNDED_DEPLOYMENT_ACTIONS = frozenset({"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary",
                                        "iam:PutRolePolicy"})
#: Actions ECS offers on no narrower resource than "*" (a task definition does not exist before it is registered).
ECS_REGISTER_ACTIONS = ("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition")


# -- facts from the registry schema -----------------------------------------------------------------

def name_problem(value: str | Token) -> str | None:
    """Why `value` cannot name an action, a stage or a pipeline, or None. The schema states the pattern for
    action names; CodePipeline documents the same one for stages and pipelines."""
    from iac.specs import property_pattern  # only when a pipeline is built

    pattern = property_pattern(RESOURCE_TYPE, "Stages", "Actions", "Name")
    if isinstance(value, Token) or is_token(value) or pattern is None or re.search(pattern, value):
        return None
    return f"{value!r} does not match {pattern}, the pattern of names in the {RESOURCE_TYPE} schema"


def categories() -> tuple[str, ...]:
    """The action categories CodePipeline knows (the schema's enum)."""
    from iac.specs import property_enum

    return property_enum(RESOURCE_TYPE, "Stages", "Actions", "ActionTypeId", "Category")


def _minimum_stages() -> int:
    from iac.specs import property_length

    return property_length(RESOURCE_TYPE, "Stages")[0] or 0


def capabilities() -> tuple[str, ...]:
    """The capabilities a change set may acknowledge (the registry's enum, kept with the StackSet schema)."""
    from iac.specs import property_enum

    return property_enum("AWS::CloudFormation::StackSet", "Capabilities")


# -- artifacts ----------------------------------------------------------------------------------------

#: CodePipeline's API: artifact names are 1-100 letters, digits, '_' or '-' (the schema gives no pattern).
_ARTIFACT_NAME = re.compile(r"^[A-Za-z0-9_\-]{1,100}$")


class Artifact:
    """Files one action produces and later ones use: `Artifact("Source")`. Compared by identity:
    two artifacts with the same name in one pipeline are an error."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not _ARTIFACT_NAME.match(name):
            raise ConstructError(f"Artifact: artifact name {name!r} must be 1-100 letters, digits, '_' or '-'",
                                 location=caller_location())
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"Artifact({self._name!r})"

    def at_path(self, file: str) -> ArtifactPath:
        """A file inside the artifact, e.g. `built.at_path("App.template.json")`."""
        if not isinstance(file, str) or not file or file.startswith("/") or "::" in file:
            raise ConstructError(f"at_path needs a relative file name inside artifact {self.name!r}, got {file!r}",
                                 location=caller_location())
        return ArtifactPath(self, file)


@attrs.frozen
class ArtifactPath:
    """A file in an artifact; CodePipeline writes it "Artifact::file"."""

    artifact: Artifact
    file: str

    def __str__(self) -> str:
        return f"{self.artifact.name}::{self.file}"


# -- checking an action's arguments -------------------------------------------------------------------

_Init = TypeVar("_Init", bound=Callable[..., None])


def _checked_arguments(init: _Init) -> _Init:
    """An action class's constructor, checked as a construct's is (iac.constructs.core.props): a misspelt
    argument gets "did you mean", a missing one is named, each value meets its annotation and `Check`s;
    the error is a ConstructError at the user's line. Actions are values, not constructs: no path."""

    @functools.wraps(init)
    def checked(self: Any, *args: Any, **kwargs: Any) -> None:
        owner = next(cls for cls in type(self).__mro__ if "__init__" in cls.__dict__)
        if owner.__dict__["__init__"] is checked:  # the class's own constructor: check once, here
            kwargs = _checked_kwargs(type(self).__name__, init_spec(owner, init), args, kwargs)
        init(self, *args, **kwargs)

    return cast(_Init, checked)


def _checked_kwargs(class_name: str, spec: InitSpec, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    location = caller_location()
    if args:
        raise ConstructError(f"{class_name} takes keyword arguments only, e.g. name=...", location=location)
    known = spec.keyword_names
    for name in kwargs:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            raise ConstructError(f"{class_name} has no argument {name!r}", location=location,
                                 hint=f"did you mean {close[0]}?" if close else f"its arguments: {', '.join(known)}")
    missing = [name for name, prop in spec.props.items() if prop.required and name not in kwargs]
    if missing:
        raise ConstructError(f"{class_name} needs the argument{'s' if len(missing) > 1 else ''} "
                             + ", ".join(f"{name}=" for name in missing), location=location,
                             hint=_MISSING_HINTS.get(missing[0]))
    converted = dict(kwargs)
    for name, value in kwargs.items():
        prop = spec.props[name]
        if value is None and prop.default is None:
            continue
        try:
            converted[name] = check_prop(prop, value, spec.cfn_type)
        except (TypeError, ValueError) as error:
            raise ConstructError(f"{class_name}: {error}", location=location, hint=_type_hint(name, value)) from None
    return converted


_AT_PATH = "<artifact>.at_path({file!r}), naming the artifact the file comes from"
_MISSING_HINTS = {
    "template_path": "a change set is made from a template: pass template_path=<artifact>.at_path("
                     "'<Stack>.template.json'), the artifact of the action that built the template",
    "task_definition_template": "CodeDeploy deploys a task definition and an AppSpec: pass task_definition_template="
                                "<artifact>.at_path('taskdef.json') and app_spec_template=<artifact>.at_path("
                                "'appspec.yaml')",
    "app_spec_template": "CodeDeploy deploys a task definition and an AppSpec: pass app_spec_template="
                         "<artifact>.at_path('appspec.yaml')",
}


def _type_hint(name: str, value: Any) -> str | None:
    """How to write what the user meant, for the mistakes a type alone does not explain."""
    if name in ("template_path", "template_configuration", "task_definition_template", "app_spec_template") \
            and isinstance(value, str):
        return "write " + _AT_PATH.format(file=value.split("::")[-1])
    if name == "project":
        return ("a codebuild.PipelineProject takes its source from the pipeline and hands its artifacts back; a "
                "codebuild.Project has a source of its own")
    if name == "environment_variables":
        return ("an action's variables are plain text; secrets belong on the project, as "
                "codebuild.EnvironmentVariable.secrets_manager(...)")
    return None


def _non_empty(value: str) -> str | None:
    return None if value else "must not be empty"


def _between(low: int, high: int, unit: str) -> Check:
    def rule(value: int) -> str | None:
        return None if low <= value <= high else f"must be {low}-{high} {unit}, got {value}"

    return Check(rule)


def _pattern(pattern: str, what: str) -> Check:
    compiled = re.compile(pattern)

    def rule(value: str | Token) -> str | None:
        if isinstance(value, Token) or is_token(value) or compiled.match(value):
            return None
        return f"{value!r} is not {what}"

    return Check(rule)


# -- actions --------------------------------------------------------------------------------------------

#: CodePipeline's API: RunOrder is 1-999 (the schema says only "integer").
_RUN_ORDER = _between(1, 999, "(the order actions run in)")


class Action:
    """One step of a stage. Actions are values: a stage binds them, creating their roles.

    Subclasses name their type (category, owner, provider), their artifacts and configuration, and
    what their role needs. Arguments a subclass refuses raise a ConstructError at the user's line.

    Args:
        name: the action's name, unique in its stage.
        run_order: when the action runs in its stage (1-999; the same number: in parallel).
    """

    category: str
    provider: str
    owner: str = "AWS"
    version: str = "1"

    @_checked_arguments
    def __init__(self, *, name: Annotated[str, Check(name_problem)],
                 run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        self.name = name
        self.run_order = run_order
        self.location: SourceLocation | None = caller_location()

    def _refuse(self, message: str) -> ConstructError:
        """An error about the action's arguments, at the line that created it."""
        return ConstructError(f"{type(self).__name__}: {message}", location=self.location)

    @property
    def inputs(self) -> list[Artifact]:
        return []

    @property
    def outputs(self) -> list[Artifact]:
        return []

    @property
    def timeout_in_minutes(self) -> int | None:
        """The declaration's TimeoutInMinutes (CodePipeline honours it for manual approvals only)."""
        return None

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        """The action's Configuration; grants what it needs to `scope.role()` and others."""
        raise NotImplementedError


class ActionScope(Construct):
    """Where a bound action keeps what it creates (`<pipeline>/<stage>/<action>`): its role, a
    deployment role, a rule that starts the pipeline."""

    def __init__(self, stage: Stage, action: Action) -> None:
        super().__init__(stage, action.name)
        self.pipeline: Pipeline = stage.pipeline
        self.action = action
        self._role: iam.Role | None = None

    @property
    def has_role(self) -> bool:
        return self._role is not None

    def role(self) -> iam.Role:
        """The action's own role, made on first use: the pipeline's role alone may assume it."""
        if self._role is None:
            self._role = iam.Role(self, "Role", assumed_by=iam.ArnPrincipal(self.pipeline.role.role_arn))
            self.pipeline.role.add_to_policy(iam.PolicyStatement(actions=["sts:AssumeRole"],
                                                                 resources=[self._role.role_arn]))
            self._role.add_policy_dependent(self.pipeline.resource)
        return self._role

    def error(self, message: str, hint: str | None = None) -> ConstructError:
        """An error about the action, at the line that created it."""
        return ConstructError(message, path=self.path, location=self.action.location or self.location, hint=hint)


#: A repository a source reads: its name (this account and region), an L1 resource of its type, or a
#: construct with a name and an ARN.
Repository = str | Token | CfnResource | SourceRepository
_REPOSITORY_TYPES = {"codecommit": "AWS::CodeCommit::Repository", "ecr": "AWS::ECR::Repository"}


def _resolve_repository(value: Repository, service: str) -> tuple[Any, Any]:
    """(name, ARN) of a repository given by name or as a CfnResource of its type."""
    if isinstance(value, CfnResource) and value.resource_type == _REPOSITORY_TYPES[service]:
        name = value.get_att("Name") if service == "codecommit" else value.ref
        return name, value.get_att("Arn")
    if isinstance(value, SourceRepository):
        return value.repository_name, value.repository_arn
    resource = "repository/" if service == "ecr" else ""
    return value, Fn.sub(f"arn:{Aws.PARTITION}:{service}:{Aws.REGION}:{Aws.ACCOUNT_ID}:{resource}{value}")


def _repository(service: str) -> Check:
    resource_type = _REPOSITORY_TYPES[service]

    def rule(value: Repository) -> str | None:
        if isinstance(value, Token) or is_token(value) or isinstance(value, SourceRepository):
            return None
        if isinstance(value, CfnResource):
            return None if value.resource_type == resource_type else (
                f"must be a repository name or an {resource_type} resource, got a {value.resource_type}")
        if isinstance(value, str) and re.match(r"^[A-Za-z0-9._/-]{1,256}$", value):
            return None
        return f"must be a repository name or an {resource_type} resource, got {value!r}"

    return Check(rule)


# -- sources --------------------------------------------------------------------------------------------

class SourceAction(Action):
    """An action of the first stage: it fetches a revision and starts the pipeline when it changes.

    Args:
        name: the action's name ("Source").
        output: the artifact the revision goes into; default an Artifact named after the action.
        trigger_on_change: start the pipeline when the source changes (True).
        run_order: when the action runs in its stage.
    """

    category = "Source"

    @_checked_arguments
    def __init__(self, *, name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order)
        self.output = output if output is not None else Artifact(name)
        self.trigger_on_change = trigger_on_change

    @property
    def outputs(self) -> list[Artifact]:
        return [self.output]

    def _write_output(self, scope: ActionScope) -> None:
        scope.pipeline.artifact_bucket.grant_write(scope.role())

    def _start_on_events(self, scope: ActionScope, pattern: dict[str, Any]) -> None:
        """An EventBridge rule that starts the pipeline when `pattern` matches (the source changed)."""
        rule = events.Rule(scope, "OnChange", event_pattern=pattern,
                           description=f"start pipeline {scope.pipeline.path} when source {self.name} changes")
        scope.pipeline._start_from(rule)


class CodeCommitSource(SourceAction):
    """A branch of a CodeCommit repository: `CodeCommitSource(repository="app", branch="main")`.

    A push to the branch starts the pipeline (an EventBridge rule) unless trigger_on_change=False.

    Args:
        repository: a name (this account and region), an AWS::CodeCommit::Repository resource or a
            repository construct.
        branch: the branch to fetch ("main").
        name: the action's name ("Source").
        output: the artifact the revision goes into; default an Artifact named after the action.
        trigger_on_change: start the pipeline on a push to the branch (True).
        run_order: when the action runs in its stage.
    """

    provider = "CodeCommit"

    @_checked_arguments
    def __init__(self, *, repository: Annotated[Repository, _repository("codecommit")],
                 branch: Annotated[str, Check(_non_empty)] = "main",
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, output=output, trigger_on_change=trigger_on_change, run_order=run_order)
        self.repository = repository
        self.branch = branch

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        name, arn = _resolve_repository(self.repository, "codecommit")
        scope.role().add_to_policy(iam.PolicyStatement(actions=list(CODECOMMIT_SOURCE_ACTIONS), resources=[arn]))
        self._write_output(scope)
        if self.trigger_on_change:
            self._start_on_events(scope, {
                "source": ["aws.codecommit"],
                "detail-type": ["CodeCommit Repository State Change"],
                "resources": [arn],
                "detail": {"event": ["referenceCreated", "referenceUpdated"], "referenceType": ["branch"],
                           "referenceName": [self.branch]},
            })
        return {"RepositoryName": name, "BranchName": self.branch, "PollForSourceChanges": False}


def _connection_arn(value: str | Token) -> str | None:
    if isinstance(value, Token) or is_token(value) or _CONNECTION_ARN.match(value):
        return None
    return ("must be the ARN of a CodeStar connection (arn:aws:codestar-connections:region:account:connection/id), "
            f"made and authorized in the console; got {value!r}")


class GitHubSource(SourceAction):
    """A branch of a GitHub (or Bitbucket, GitLab) repository through a CodeStar connection:
    `GitHubSource(repository="octo/app", branch="main", connection_arn=...)`.

    The connection's webhook starts the pipeline on a push unless trigger_on_change=False; the
    action's role may use exactly this connection.

    Args:
        repository: "owner/name" of the repository.
        connection_arn: the ARN of the CodeStar connection, made and authorized in the console.
        branch: the branch to fetch ("main").
        name: the action's name ("Source").
        output: the artifact the revision goes into; default an Artifact named after the action.
        trigger_on_change: start the pipeline on a push to the branch (True).
        run_order: when the action runs in its stage.
    """

    provider = "CodeStarSourceConnection"

    @_checked_arguments
    def __init__(self, *, repository: Annotated[str, _pattern(_FULL_REPOSITORY_ID.pattern, "'owner/name'")],
                 connection_arn: Annotated[str | Token, Check(_connection_arn)],
                 branch: Annotated[str, Check(_non_empty)] = "main",
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, output=output, trigger_on_change=trigger_on_change, run_order=run_order)
        self.repository = repository
        self.connection_arn = connection_arn
        self.branch = branch

    def _use_connection(self) -> list[str]:
        """Connections are named codestar-connections or (since 2024) codeconnections in IAM, after the
        ARN's service; for an ARN known only at deploy time, either."""
        if isinstance(self.connection_arn, str) and not is_token(self.connection_arn):
            service = "codeconnections" if ":codeconnections:" in self.connection_arn else "codestar-connections"
            return [f"{service}:UseConnection"]
        return ["codeconnections:UseConnection", "codestar-connections:UseConnection"]

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        role = scope.role()
        role.add_to_policy(iam.PolicyStatement(actions=self._use_connection(), resources=[self.connection_arn]))
        self._write_output(scope)
        bucket = scope.pipeline.artifact_bucket
        role.add_to_policy(iam.PolicyStatement(actions=list(CONNECTION_SOURCE_OBJECT_ACTIONS),
                                               resources=[bucket.arn_for_objects()]))
        return {"ConnectionArn": self.connection_arn, "FullRepositoryId": self.repository,
                "BranchName": self.branch, "OutputArtifactFormat": "CODE_ZIP",
                "DetectChanges": self.trigger_on_change}


class S3Source(SourceAction):
    """An object (a zip) in a versioned bucket of this app: `S3Source(bucket=uploads, key="app.zip")`.

    A new version of the object starts the pipeline (an EventBridge rule on the bucket's
    notifications, so the bucket needs `event_bridge_enabled=True`) unless trigger_on_change=False.

    Args:
        bucket: the bucket (versioned=True) holding the object.
        key: the object's key.
        name: the action's name ("Source").
        output: the artifact the object goes into; default an Artifact named after the action.
        trigger_on_change: start the pipeline when a new version of the object arrives (True).
        run_order: when the action runs in its stage.
    """

    provider = "S3"

    @_checked_arguments
    def __init__(self, *, bucket: s3.Bucket, key: Annotated[str, Check(_non_empty)],
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, output=output, trigger_on_change=trigger_on_change, run_order=run_order)
        self.bucket = bucket
        self.key = key
        if not bucket.props.versioned:
            raise self._refuse(f"CodePipeline reads S3 sources by version: bucket {bucket.path} needs versioned=True")
        if trigger_on_change and not bucket.props.event_bridge_enabled:
            raise self._refuse(f"bucket {bucket.path} sends no events, so a new object could not start the pipeline: "
                               "create it with event_bridge_enabled=True (or pass trigger_on_change=False)")

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        self.bucket.grant_read(scope.role(), self.key)
        self._write_output(scope)
        if self.trigger_on_change:
            self._start_on_events(scope, {
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {"bucket": {"name": [self.bucket.bucket_name]}, "object": {"key": [self.key]}},
            })
        return {"S3Bucket": self.bucket.bucket_name, "S3ObjectKey": self.key, "PollForSourceChanges": False}


class EcrSource(SourceAction):
    """An image tag of an ECR repository: `EcrSource(repository="app", tag="release")` (the seed's
    slide 48). A push of that tag starts the pipeline unless trigger_on_change=False; the output
    holds imageDetail.json (the image URI, for an ECS deploy).

    Args:
        repository: a name (this account and region), an AWS::ECR::Repository resource or a
            repository construct.
        tag: the image tag to follow ("latest").
        name: the action's name ("Source").
        output: the artifact imageDetail.json goes into; default an Artifact named after the action.
        trigger_on_change: start the pipeline on a push of the tag (True).
        run_order: when the action runs in its stage.
    """

    provider = "ECR"

    @_checked_arguments
    def __init__(self, *, repository: Annotated[Repository, _repository("ecr")],
                 tag: Annotated[str, _pattern(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", "an image tag")] = "latest",
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, output=output, trigger_on_change=trigger_on_change, run_order=run_order)
        self.repository = repository
        self.tag = tag

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        name, arn = _resolve_repository(self.repository, "ecr")
        scope.role().add_to_policy(iam.PolicyStatement(actions=["ecr:DescribeImages"], resources=[arn]))
        self._write_output(scope)
        if self.trigger_on_change:
            self._start_on_events(scope, {
                "source": ["aws.ecr"],
                "detail-type": ["ECR Image Action"],
                "detail": {"action-type": ["PUSH"], "result": ["SUCCESS"], "repository-name": [name],
                           "image-tag": [self.tag]},
            })
        return {"RepositoryName": name, "ImageTag": self.tag}


# -- builds and tests -----------------------------------------------------------------------------------

class CodeBuildAction(Action):
    """Run a `codebuild.PipelineProject` on `input` (plus `extra_inputs`), producing `outputs`.

    The action's role may start and watch this project's builds only; the project's role may read
    the artifact bucket when the action has inputs and write it when it has outputs.

    Args:
        project: the codebuild.PipelineProject to run.
        input: the artifact the build works on (its primary source).
        name: the action's name ("Build").
        extra_inputs: more artifacts, in the build's secondary source directories.
        outputs: the artifacts the build hands back (its buildspec needs an 'artifacts' section).
        test: a Test action (same project kind, shown as a test in the console) instead of a Build.
        environment_variables: name -> text for this action's builds (secrets belong on the project).
        run_order: when the action runs in its stage.
    """

    provider = "CodeBuild"

    @_checked_arguments
    def __init__(self, *, project: codebuild.PipelineProject, input: Artifact,
                 name: Annotated[str, Check(name_problem)] = "Build", extra_inputs: Sequence[Artifact] = (),
                 outputs: Sequence[Artifact] = (), test: bool = False,
                 environment_variables: Mapping[str, str | Token] | None = None,
                 run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order)
        self.project = project
        self.input = input
        self.extra_inputs = tuple(extra_inputs)
        self._outputs = tuple(outputs)
        self.test = test
        self.category = "Test" if test else "Build"
        self.environment_variables = dict(environment_variables or {})
        spec = project.build_spec
        if self._outputs and isinstance(spec, dict) and "artifacts" not in spec:
            raise self._refuse(f"the action declares outputs, but the buildspec of project {project.path} has no "
                               "'artifacts' section, so the build would hand nothing back")

    @property
    def inputs(self) -> list[Artifact]:
        return [self.input, *self.extra_inputs]

    @property
    def outputs(self) -> list[Artifact]:
        return list(self._outputs)

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        scope.role().add_to_policy(iam.PolicyStatement(actions=list(CODEBUILD_ACTIONS),
                                                       resources=[self.project.project_arn]))
        bucket = scope.pipeline.artifact_bucket
        bucket.grant_read(self.project)
        if self._outputs:
            bucket.grant_write(self.project)
        configuration: dict[str, Any] = {"ProjectName": self.project.project_name}
        if self.extra_inputs:
            configuration["PrimarySource"] = self.input.name
        if self.environment_variables:
            configuration["EnvironmentVariables"] = json.dumps([
                {"name": name, "value": str(value), "type": "PLAINTEXT"}
                for name, value in self.environment_variables.items()])
        return configuration


# -- CloudFormation change sets ------------------------------------------------------------------------

def stack_name_problem(value: str | Token) -> str | None:
    """Why `value` is not a CloudFormation stack name (the rule iac.specs keeps: no schema states it), or None."""
    from iac.specs import stack_name_pattern, stack_name_rule

    if isinstance(value, Token) or is_token(value) or stack_name_pattern().match(value):
        return None
    return f"{value!r} is not a CloudFormation stack name: {stack_name_rule().why}"


def _change_set_name_problem(value: str) -> str | None:
    """CreateChangeSet documents the stack-name rule for change set names too."""
    problem = stack_name_problem(value)
    return problem.replace("stack name", "change set name", 1) if problem else None


def _capabilities_problem(value: Sequence[str]) -> str | None:
    known = capabilities()
    for capability in value:
        if capability not in known:
            return f"capability {capability!r} is not one CloudFormation knows; use {', '.join(known)}"
    return None


def _stack_arn(stack_name: Any) -> Any:
    return Fn.sub(f"arn:{Aws.PARTITION}:cloudformation:{Aws.REGION}:{Aws.ACCOUNT_ID}:stack/{stack_name}/*")


class _ChangeSetAction(Action):
    category = "Deploy"
    provider = "CloudFormation"

    def __init__(self, *, name: str, run_order: int | None, stack_name: str | Token | None, change_set_name: str,
                 stack: Stack | None) -> None:
        super().__init__(name=name, run_order=run_order)
        self.stack_name = stack_name
        self.change_set_name = change_set_name
        self.stack = stack
        #: The stack the change set is of: `stack_name`, else the name of `stack`.
        self.target_stack_name: str | Token
        if stack_name is not None:
            self.target_stack_name = stack_name
        elif stack is not None:
            self.target_stack_name = stack.stack_name
        else:
            raise self._refuse("name the stack to change: stack_name='App' (or stack=<the iac Stack>)")

    def _change_set_condition(self) -> dict[str, Any]:
        return {"StringEqualsIfExists": {"cloudformation:ChangeSetName": self.change_set_name}}


class CreateReplaceChangeSet(_ChangeSetAction):
    """Prepare a change set of a stack from a template in an artifact (CHANGE_SET_REPLACE).

    Args:
        template_path: the template, `artifact.at_path("App.template.json")`.
        stack: the iac Stack this template is: gives the default stack_name, the capabilities and a
            derived deployment role.
        stack_name: the stack to change (default: the name of `stack`).
        change_set_name: the change set's name ("iac-pipeline"); ExecuteChangeSet uses the same.
        capabilities: what the change set acknowledges (CAPABILITY_IAM, ...); by default what
            `stack` needs.
        parameter_overrides: parameter name -> value.
        template_configuration: a template configuration file, `artifact.at_path("config.json")`.
        deployment_role: the role CloudFormation deploys with; required when `stack` is not given.
        name: the action's name ("PrepareChanges").
        run_order: when the action runs in its stage.
    """

    @_checked_arguments
    def __init__(self, *, template_path: ArtifactPath, stack: Stack | None = None,
                 stack_name: Annotated[str | Token | None, Check(stack_name_problem)] = None,
                 change_set_name: Annotated[str, Check(_change_set_name_problem)] = DEFAULT_CHANGE_SET_NAME,
                 capabilities: Annotated[Sequence[str] | None, Check(_capabilities_problem)] = None,
                 parameter_overrides: Mapping[str, str | Token] | None = None,
                 template_configuration: ArtifactPath | None = None, deployment_role: iam.Role | None = None,
                 name: Annotated[str, Check(name_problem)] = "PrepareChanges",
                 run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order, stack_name=stack_name, change_set_name=change_set_name,
                         stack=stack)
        self.template_path = template_path
        self.capabilities = tuple(capabilities) if capabilities is not None else None
        self.parameter_overrides = dict(parameter_overrides or {})
        self.template_configuration = template_configuration
        self.deployment_role = deployment_role
        if stack is None and deployment_role is None:
            raise self._refuse("a change set for a stack outside this app needs deployment_role= (the role "
                               "CloudFormation creates its resources with); with stack=<the iac Stack> iac derives it")

    @property
    def inputs(self) -> list[Artifact]:
        found = [self.template_path.artifact]
        if self.template_configuration and self.template_configuration.artifact not in found:
            found.append(self.template_configuration.artifact)
        return found

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        if self.stack is not None and self.stack is scope.stack:
            raise scope.error(f"change set action {self.name} would deploy stack {self.stack.path}, which holds the "
                              "pipeline itself", hint="deliver another stack of the app; deploy this one yourself")
        if self.deployment_role is not None:
            deployment_role = self.deployment_role
            deployment_role.add_policy_dependent(scope.pipeline.resource)
        elif self.stack is not None:
            deployment_role = self._derived_role(scope, self.stack)
        else:  # refused at construction
            raise scope.error(f"change set action {self.name} has neither a stack nor a deployment_role")
        role = scope.role()
        role.add_to_policy(iam.PolicyStatement(actions=list(PREPARE_CHANGE_SET_ACTIONS),
                                               resources=[_stack_arn(self.target_stack_name)],
                                               conditions=self._change_set_condition()))
        role.add_to_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[deployment_role.role_arn],
                                               conditions=passed_to(CLOUDFORMATION_SERVICE)))
        scope.pipeline.artifact_bucket.grant_read(role)
        configuration: dict[str, Any] = {
            "ActionMode": "CHANGE_SET_REPLACE",
            "StackName": self.target_stack_name,
            "ChangeSetName": self.change_set_name,
            "TemplatePath": str(self.template_path),
            "RoleArn": deployment_role.role_arn,
        }
        granted = self.capabilities if self.capabilities is not None else stack_capabilities(self.stack)
        if granted:
            configuration["Capabilities"] = ",".join(granted)
        if self.parameter_overrides:
            configuration["ParameterOverrides"] = json.dumps(
                {name: str(value) for name, value in self.parameter_overrides.items()}, sort_keys=True)
        if self.template_configuration is not None:
            configuration["TemplateConfiguration"] = str(self.template_configuration)
        return configuration

    def _derived_role(self, scope: ActionScope, stack: Stack) -> iam.Role:
        """The deployment role iac derives for `stack`, under the pipeline's permissions boundary."""
        boundary = scope.pipeline.deployment_boundary()
        boundary.apply_to(stack, scope)
        derived = _DeploymentRole(scope, "DeploymentRole", stack=stack, stack_name=self.target_stack_name,
                                  boundary=boundary)
        derived.add_policy_dependent(scope.pipeline.resource)
        return derived.role


class ExecuteChangeSet(_ChangeSetAction):
    """Execute the change set an earlier CreateReplaceChangeSet prepared (CHANGE_SET_EXECUTE).

    Run it later in the stage (`run_order`, 2 by default when it shares the stage) or in a later
    stage, e.g. after an approval.

    Args:
        stack_name: the stack, as the CreateReplaceChangeSet names it.
        stack: the iac Stack, as the CreateReplaceChangeSet names it (instead of stack_name).
        change_set_name: the change set's name ("iac-pipeline").
        name: the action's name ("ExecuteChanges").
        run_order: when the action runs in its stage.
    """

    @_checked_arguments
    def __init__(self, *, stack_name: Annotated[str | Token | None, Check(stack_name_problem)] = None,
                 stack: Stack | None = None,
                 change_set_name: Annotated[str, Check(_change_set_name_problem)] = DEFAULT_CHANGE_SET_NAME,
                 name: Annotated[str, Check(name_problem)] = "ExecuteChanges",
                 run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order, stack_name=stack_name, change_set_name=change_set_name,
                         stack=stack)

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        scope.role().add_to_policy(iam.PolicyStatement(actions=list(EXECUTE_CHANGE_SET_ACTIONS),
                                                       resources=[_stack_arn(self.target_stack_name)],
                                                       conditions=self._change_set_condition()))
        return {"ActionMode": "CHANGE_SET_EXECUTE", "StackName": self.target_stack_name,
                "ChangeSetName": self.change_set_name}


def stack_capabilities(stack: Stack | None) -> tuple[str, ...]:
    """What a change set of `stack` must acknowledge: IAM resources (named ones: NAMED_IAM) and
    transforms (AUTO_EXPAND)."""
    if stack is None:
        return ()
    resources = ((node.resource_type, node.properties) for node in stack.walk() if isinstance(node, CfnResource))
    return tuple(required_capabilities(resources, transformed=bool(stack.template_options.get("Transform"))))


# -- the deployment role, derived from the registry schemas --------------------------------------------

HANDLER_OPERATIONS = ("create", "read", "update", "delete")
#: IAM actions that create the role AWS services use in the account (account-wide, AWS-named).
SERVICE_LINKED_ROLE_ACTIONS = ("iam:CreateServiceLinkedRole",)
#: The kinds of IAM resource a deployment role manages for its stack (named "<stack name>-*").
IDENTITY_KINDS = ("role", "policy", "instance-profile")


@functools.cache
def _known_actions() -> dict[str, frozenset[str]]:
    """IAM service prefix -> its actions (lower case), from the policy data cfn-lint checks with."""
    from iac.specs import additional_spec

    return {service: frozenset(entry.get("Actions", {})) for service, entry in additional_spec("Policies").items()}


@functools.cache
def handler_permissions(resource_type: str, region: str) -> tuple[str, ...]:
    """The IAM actions CloudFormation needs to create, read, update and delete a `resource_type`,
    as its registry schema's handlers list them (actions IAM does not know are left out)."""
    from iac import specs

    known = _known_actions()
    found: set[str] = set()
    for operation in HANDLER_OPERATIONS:
        for action in specs.handler_permissions(resource_type, operation, region=region):
            service, _, name = action.partition(":")
            if name.lower() in known.get(service.lower(), ()):
                found.add(action)
    return tuple(sorted(found))


def passed_to(*services: Any) -> dict[str, Any]:
    """The condition that lets iam:PassRole hand a role to these services only: a role passed to any
    service would let the holder run code as that role wherever a service accepts one."""
    unique = iam._unique_sorted(services)
    return {"StringEquals": {"iam:PassedToService": unique[0] if len(unique) == 1 else unique}}


def _plain(value: Any) -> Any:
    """A property as the construct will write it (a Lazy computed now), for reading what a stack holds."""
    while isinstance(value, Lazy):
        value = value.producer()
    return value


def _trusted_services(resource: CfnResource) -> list[Any]:
    """The services a role's trust policy lets assume it: the ones a deployer passes it to."""
    document = _plain(resource.properties.get("AssumeRolePolicyDocument"))
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    found: list[Any] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = statement.get("Principal") if isinstance(statement, dict) else None
        if isinstance(principal, dict) and statement.get("Effect", "Allow") == "Allow":
            found.extend(iam._as_list(principal.get("Service")))
    return found


class DeploymentBoundary(Construct):
    """The permissions boundary of every role a pipeline's derived deployment roles create (and of those
    roles themselves): a managed policy of the pipeline's stack, `<pipeline>/DeploymentBoundary`.

    It allows everything the role's own policies allow, so the delivered app works as written, and denies
    what would get out from under it: creating a role or user, or changing the policies of one, unless that
    identity carries this boundary; removing a boundary; editing or deleting this policy. So a push to the
    pipeline's source can create roles, but none that can do more than the boundary or make one that can.
    It lives under the path /iac-boundary/, out of reach of the names "<stack>-*" a deployment role manages,
    and has a fixed name (with the region: IAM is global), so the delivered stack names its ARN without an
    export from the pipeline's stack.
    """

    def __init__(self, pipeline: Pipeline, id: str) -> None:
        super().__init__(pipeline, id)
        self.pipeline = pipeline
        self.policy_name = Fn.sub(_boundary_name(pipeline))
        self.arn = Fn.sub(f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:policy{BOUNDARY_PATH}{_boundary_name(pipeline)}")
        self.resource = CfnResource(self, "Resource", type="AWS::IAM::ManagedPolicy", properties={
            "ManagedPolicyName": self.policy_name,
            "Path": BOUNDARY_PATH,
            "Description": f"permissions boundary of the roles the deployments of pipeline {pipeline.path} create",
            "PolicyDocument": Lazy(lambda: self.document().to_json()),
        })
        self.stacks: list[Stack] = []

    @property
    def managed_policy(self) -> iam.ManagedPolicy:
        return iam.ManagedPolicy.from_managed_policy_arn(self.arn)

    def document(self) -> iam.PolicyDocument:
        every_identity = [Fn.sub(f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:{kind}/*") for kind in ("role", "user")]
        return iam.PolicyDocument([
            iam.PolicyStatement(actions=["*"], resources=["*"]),
            iam.PolicyStatement(effect="Deny", actions=list(BOUNDED_IAM_CHANGES), resources=every_identity,
                                conditions={"StringNotEquals": {"iam:PermissionsBoundary": self.arn}}),
            iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_REMOVALS), resources=["*"]),
            iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_POLICY_EDITS), resources=[self.arn]),
        ])

    def apply_to(self, stack: Stack, scope: ActionScope) -> None:
        """Every iam.Role of `stack` gets this boundary (the deployment role may create no other)."""
        boundary = iam.PermissionsBoundary.of(stack)
        current = boundary.policy
        if current is not None and stable_key(current.managed_policy_arn) != stable_key(self.arn):
            raise scope.error(f"stack {stack.path} already has another permissions boundary, but the deployment role "
                              f"of {scope.path} may create roles only with the boundary of pipeline "
                              f"{self.pipeline.path}",
                              hint="deliver the stack through one pipeline, or pass deployment_role= yourself")
        boundary.apply(self.managed_policy)
        if stack not in self.stacks:
            self.stacks.append(stack)

    def validate(self) -> list[str]:
        """A role the boundary does not reach (an L1 AWS::IAM::Role) would fail the deployment in the pipeline,
        at CreateRole; say so before anything is deployed."""
        return [message for stack in self.stacks for message in self._unbounded_roles(stack)]

    def _unbounded_roles(self, stack: Stack) -> list[str]:
        messages = []
        for node in stack.walk():
            if not isinstance(node, CfnResource) or node.resource_type != "AWS::IAM::Role":
                continue
            found = _plain(node.properties.get("PermissionsBoundary"))
            if found is None or stable_key(found) != stable_key(self.arn):
                where = f" (created at {node.location.file}:{node.location.line})" if node.location else ""
                messages.append(f"role {node.path}{where} has no permissions boundary, or another one; pipeline "
                                f"{self.pipeline.path} deploys stack {stack.path} with a role that creates roles only "
                                "with its boundary: use iac.constructs.iam.Role, which picks the boundary up, or set "
                                "PermissionsBoundary to release.pipeline.deployment_boundary().arn")
        return messages


def _boundary_name(pipeline: Pipeline) -> str:
    """`<pipeline stack>-${AWS::Region}-<pipeline logical id>`, within IAM's 128 characters."""
    name = f"{pipeline.stack.stack_name}-${{AWS::Region}}-{pipeline.resource.logical_id}"
    if len(name) + 20 > 128:  # the region is at most 20 characters
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[:99]}-{digest}"
    return name


class _DeploymentRole(Construct):
    """The role CloudFormation deploys an iac stack with: the actions its resource types' handlers
    need, worked out when the template is written (the stack may still grow after the pipeline is
    made). IAM actions apply only to roles, policies and instance profiles whose names CloudFormation
    derives from the deployed stack's name (or that the stack names itself), plus AWS's
    service-linked roles, so the stack cannot change any other identity; roles it creates or gives
    policies must carry the pipeline's boundary, and it passes roles only to the services that the
    stack's roles trust."""

    def __init__(self, scope: Construct, id: str, *, stack: Stack, stack_name: Any,
                 boundary: DeploymentBoundary) -> None:
        super().__init__(scope, id)
        self.target = stack
        self.stack_name = stack_name
        self.boundary = boundary
        self.role = iam.Role(self, "Resource", assumed_by=iam.ServicePrincipal(CLOUDFORMATION_SERVICE),
                             description=f"CloudFormation deploys stack {stack_name} with this role"
                             if isinstance(stack_name, str) else None,
                             permissions_boundary=iam.ManagedPolicy.from_managed_policy_arn(boundary.resource.ref))
        self.policy = CfnResource(self, "Policy", type="AWS::IAM::Policy", properties={
            "PolicyName": "DeploymentPermissions",
            "PolicyDocument": Lazy(lambda: self.document().to_json()),
            "Roles": [self.role.role_name],
        })

    def add_policy_dependent(self, resource: CfnResource) -> None:
        """Make `resource` (the pipeline: it runs at once) wait for the derived permissions and any
        statements added to the role later."""
        resource.add_depends_on(self.policy)
        self.role.add_policy_dependent(resource)

    def _resource_types(self) -> list[str]:
        return sorted({node.resource_type for node in self.target.walk() if isinstance(node, CfnResource)})

    def document(self) -> iam.PolicyDocument:
        region = self.target.region or "us-east-1"
        actions = sorted({action for resource_type in self._resource_types()
                          for action in handler_permissions(resource_type, region)})
        statements = list(self.scoped_permissions(region, actions).statements)
        statements += self._iam_statements([a for a in actions if a.lower().startswith("iam:")])
        return iam.PolicyDocument(statements)

    def scoped_permissions(self, region: str | None = None, actions: list[str] | None = None) -> ScopedPermissions:
        """The non-IAM actions, on the stack's own resources where IAM can name them (see
        iac.constructs.deployment_permissions): which went where, for review and tests."""
        region = region or self.target.region or "us-east-1"
        if actions is None:
            actions = sorted({action for resource_type in self._resource_types()
                              for action in handler_permissions(resource_type, region)})
        return scope_actions([a for a in actions if not a.lower().startswith("iam:")], stack=self.target,
                             stack_name=self.stack_name, region=region)

    def _iam_statements(self, actions: list[str]) -> list[iam.PolicyStatement]:
        # an action on users or groups only (the IAM policy data says which) could never apply to these ARNs
        actions = [a for a in actions if a in SERVICE_LINKED_ROLE_ACTIONS or a in BOUNDARY_REMOVALS
                   or not action_resource_types(a) or set(action_resource_types(a)) & set(IDENTITY_KINDS)]
        identities = self._identities()
        bounded = [a for a in actions if a in BOUNDED_DEPLOYMENT_ACTIONS]
        plain = [a for a in actions if a not in BOUNDED_DEPLOYMENT_ACTIONS and a not in BOUNDARY_REMOVALS
                 and a not in SERVICE_LINKED_ROLE_ACTIONS and a != "iam:PassRole"]
        statements = [iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_REMOVALS), resources=["*"]),
                      iam.PolicyStatement(effect="Deny", actions=list(BOUNDARY_POLICY_EDITS),
                                          resources=[self.boundary.arn])]
        if plain:
            statements.append(iam.PolicyStatement(actions=plain, resources=identities))
        if bounded:
            statements.append(iam.PolicyStatement(actions=bounded, resources=identities, conditions={
                "StringEquals": {"iam:PermissionsBoundary": self.boundary.arn}}))
        services = self._passed_services()
        if "iam:PassRole" in actions and services:
            statements.append(iam.PolicyStatement(actions=["iam:PassRole"], resources=identities,
                                                  conditions=passed_to(*services)))
        linked = [a for a in actions if a in SERVICE_LINKED_ROLE_ACTIONS]
        if linked:
            statements.append(iam.PolicyStatement(actions=linked, resources=[Fn.sub(
                f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}:role/aws-service-role/*")]))
        return statements

    def _passed_services(self) -> list[Any]:
        """The services CloudFormation hands the stack's roles to: those the roles' trust policies name."""
        return iam._unique_sorted(service for node in self.target.walk() if isinstance(node, CfnResource)
                                  and node.resource_type == "AWS::IAM::Role" for service in _trusted_services(node))

    def _identities(self) -> list[Any]:
        """Roles, policies and instance profiles of the deployed stack: CloudFormation names them
        "<stack name>-<logical id>-<suffix>"; a role the stack names itself is added by name."""
        arn = f"arn:{Aws.PARTITION}:iam::{Aws.ACCOUNT_ID}"
        found: list[Any] = [Fn.sub(f"{arn}:{kind}/{self.stack_name}-*") for kind in IDENTITY_KINDS]
        for node in self.target.walk():
            if isinstance(node, CfnResource) and node.resource_type == "AWS::IAM::Role":
                name = node.properties.get("RoleName")
                if isinstance(name, str) and not is_token(name):
                    found.append(Fn.sub(f"{arn}:role/{name}"))
        return found


# -- ECS deployments ------------------------------------------------------------------------------------

def _pass_task_roles(role: iam.Role, roles: list[iam.Role]) -> None:
    """Let `role` hand exactly these task roles to ECS (a new task definition names them)."""
    if roles:
        role.add_to_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[r.role_arn for r in roles],
                                               conditions=passed_to(ECS_TASKS_SERVICE)))


def _task_roles(task_definition: Any) -> list[iam.Role]:
    return [r for r in (task_definition.task_role, task_definition.execution_role) if r is not None]


class EcsDeploy(Action):
    """Roll an ECS service (ECS deployment controller) to the image in `input`'s
    imagedefinitions.json (`file_name`), registering a new revision of its task definition.

    Args:
        service: the ecs.FargateService to roll (deployed by ECS, not CodeDeploy).
        input: the artifact holding the image definitions file.
        file_name: the image definitions file in `input` ("imagedefinitions.json").
        timeout_minutes: how long the deployment may take (1-60 minutes, or a Duration); ECS's
            default when omitted.
        name: the action's name ("Deploy").
        run_order: when the action runs in its stage.
    """

    category = "Deploy"
    provider = "ECS"

    @_checked_arguments
    def __init__(self, *, service: ecs.FargateService, input: Artifact, file_name: str = "imagedefinitions.json",
                 timeout_minutes: Annotated[int | Duration | None, Unit("minutes"), _between(1, 60, "minutes")] = None,
                 name: Annotated[str, Check(name_problem)] = "Deploy",
                 run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order)
        from iac.constructs import ecs  # only when an ECS deploy action is made

        if not isinstance(service, ecs.FargateService):
            raise self._refuse(f"service must be an ecs.FargateService, got {type(service).__name__}")
        if service.props.deployment_controller != "ECS":
            raise self._refuse(f"service {service.path} is deployed by CodeDeploy (blue/green); use "
                               "CodeDeployEcsDeploy with its deployment group instead of an ECS deploy")
        self.service = service
        self.input = input
        self.file_name = file_name
        self.timeout_minutes = cast("int | None", timeout_minutes)  # converted to minutes by the check

    @property
    def inputs(self) -> list[Artifact]:
        return [self.input]

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        role = scope.role()
        role.add_to_policy(iam.PolicyStatement(actions=["ecs:DescribeServices", "ecs:UpdateService"],
                                               resources=[self.service.service_arn]))
        in_cluster = {"ArnEquals": {"ecs:cluster": self.service.cluster.cluster_arn}}
        role.add_to_policy(iam.PolicyStatement(actions=["ecs:DescribeTasks", "ecs:ListTasks"], resources=["*"],
                                               conditions=in_cluster))
        role.add_to_policy(iam.PolicyStatement(actions=list(ECS_REGISTER_ACTIONS), resources=["*"]))
        _pass_task_roles(role, _task_roles(self.service.task_definition))
        scope.pipeline.artifact_bucket.grant_read(role)
        configuration: dict[str, Any] = {"ClusterName": self.service.cluster.cluster_name,
                                         "ServiceName": self.service.service_name, "FileName": self.file_name}
        if self.timeout_minutes is not None:
            configuration["DeploymentTimeout"] = self.timeout_minutes
        return configuration


class CodeDeployEcsDeploy(Action):
    """A blue/green deployment of an ECS service through its CodeDeploy deployment group.

    Args:
        deployment_group: the service's codedeploy.EcsDeploymentGroup
            (`LoadBalancedFargateService(..., deployment="blue_green").deployment_group`).
        task_definition_template: the task definition template, `artifact.at_path("taskdef.json")`.
        app_spec_template: the AppSpec template, `artifact.at_path("appspec.yaml")`.
        image: an artifact holding imageDetail.json (e.g. an EcrSource's output); its URI replaces
            `<IMAGE1_NAME>` (or `image_placeholder`) in the task definition template.
        image_placeholder: the placeholder the image URI replaces ("IMAGE1_NAME").
        name: the action's name ("Deploy").
        run_order: when the action runs in its stage.
    """

    category = "Deploy"
    provider = "CodeDeployToECS"

    @_checked_arguments
    def __init__(self, *, deployment_group: codedeploy.EcsDeploymentGroup, task_definition_template: ArtifactPath,
                 app_spec_template: ArtifactPath, image: Artifact | None = None,
                 image_placeholder: Annotated[str, _pattern(r"^[A-Za-z0-9_]+$", "a placeholder name")] = "IMAGE1_NAME",
                 name: Annotated[str, Check(name_problem)] = "Deploy",
                 run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order)
        from iac.constructs import codedeploy  # only when a blue/green deploy action is made

        if not isinstance(deployment_group, codedeploy.EcsDeploymentGroup):
            raise self._refuse("deployment_group must be a codedeploy.EcsDeploymentGroup (LoadBalancedFargateService("
                               "..., deployment='blue_green').deployment_group), got "
                               f"{type(deployment_group).__name__}")
        self.deployment_group = deployment_group
        self.task_definition_template = task_definition_template
        self.app_spec_template = app_spec_template
        self.image = image
        self.image_placeholder = image_placeholder

    @property
    def inputs(self) -> list[Artifact]:
        found: list[Artifact] = []
        for artifact in (self.task_definition_template.artifact, self.app_spec_template.artifact, self.image):
            if artifact is not None and artifact not in found:
                found.append(artifact)
        return found

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        group = self.deployment_group
        role = scope.role()
        role.add_to_policy(iam.PolicyStatement(actions=["codedeploy:GetApplication",
                                                        "codedeploy:GetApplicationRevision",
                                                        "codedeploy:RegisterApplicationRevision"],
                                               resources=[group.application.application_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=["codedeploy:CreateDeployment", "codedeploy:GetDeployment"],
                                               resources=[group.deployment_group_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=["codedeploy:GetDeploymentConfig"],
                                               resources=[group.deployment_config_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=["ecs:RegisterTaskDefinition"], resources=["*"]))
        _pass_task_roles(role, group.task_roles)
        scope.pipeline.artifact_bucket.grant_read(role)
        task_definition, app_spec = self.task_definition_template, self.app_spec_template
        configuration: dict[str, Any] = {
            "ApplicationName": group.application.application_name,
            "DeploymentGroupName": group.deployment_group_name,
            "TaskDefinitionTemplateArtifact": task_definition.artifact.name,
            "TaskDefinitionTemplatePath": task_definition.file,
            "AppSpecTemplateArtifact": app_spec.artifact.name,
            "AppSpecTemplatePath": app_spec.file,
        }
        if self.image is not None:
            configuration["Image1ArtifactName"] = self.image.name
            configuration["Image1ContainerName"] = self.image_placeholder
        return configuration


# -- approval -------------------------------------------------------------------------------------------

class ManualApproval(Action):
    """Wait until a person approves (or rejects) in the console or API.

    Args:
        comment: shown to the approver.
        review_url: a link to what to review, e.g. the staging site.
        notification_topic_arn: an SNS topic told that an approval waits; the action's role may
            publish to it only.
        timeout_minutes: how long the approval waits (5 minutes to 7 days, in minutes or a Duration);
            CodePipeline's default (7 days) when omitted.
        name: the action's name ("Approve").
        run_order: when the action runs in its stage.
    """

    category = "Approval"
    provider = "Manual"

    @_checked_arguments
    def __init__(self, *, comment: str | None = None, review_url: str | Token | None = None,
                 notification_topic_arn: str | Token | None = None,
                 timeout_minutes: Annotated[int | Duration | None, Unit("minutes"),
                                            _between(5, 7 * 24 * 60, "minutes")] = None,
                 name: Annotated[str, Check(name_problem)] = "Approve",
                 run_order: Annotated[int | None, _RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order)
        self.comment = comment
        self.review_url = review_url
        self.notification_topic_arn = notification_topic_arn
        self.timeout_minutes = cast("int | None", timeout_minutes)  # converted to minutes by the check

    @property
    def timeout_in_minutes(self) -> int | None:
        return self.timeout_minutes

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        configuration: dict[str, Any] = {}
        if self.notification_topic_arn is not None:
            scope.role().add_to_policy(iam.PolicyStatement(actions=["sns:Publish"],
                                                           resources=[self.notification_topic_arn]))
            configuration["NotificationArn"] = self.notification_topic_arn
        if self.comment is not None:
            configuration["CustomData"] = self.comment
        if self.review_url is not None:
            configuration["ExternalEntityLink"] = self.review_url
        return configuration


# -- stages and the pipeline ----------------------------------------------------------------------------

class Stage(Construct):
    """A named step of the pipeline; its actions run by `run_order` (same number: in parallel)."""

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
        self.artifact_bucket = artifact_bucket or s3.Bucket(self, "ArtifactBucket")
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
        if len(self.stages) < _minimum_stages():
            return [f"pipeline {self.path} has {len(self.stages)} stage(s); CodePipeline needs at least "
                    f"{_minimum_stages()} (a source stage and one more): add them with add_stage(name, actions)"]
        return [f"stage {stage.path} has no actions" for stage in self.stages if not stage.bound]


__all__ = ["Action", "Artifact", "ArtifactPath", "CodeBuildAction", "CodeCommitSource", "CodeDeployEcsDeploy",
           "CreateReplaceChangeSet", "EcrSource", "EcsDeploy", "ExecuteChangeSet", "GitHubSource", "ManualApproval",
           "Pipeline", "S3Source", "SourceAction", "Stage", "capabilities", "handler_permissions",
           "stack_capabilities"]
