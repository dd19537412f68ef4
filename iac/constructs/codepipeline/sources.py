"""Source actions: CodeCommit, GitHub (a CodeStar connection), S3 and ECR; each starts the pipeline when
it changes."""

from __future__ import annotations

import re
from typing import Annotated, Any

from iac.constructs import events, iam, s3
from iac.constructs.codepipeline.actions import (
    RUN_ORDER,
    Action,
    ActionScope,
    checked_arguments,
    matching,
    name_problem,
    non_empty,
)
from iac.constructs.codepipeline.artifacts import Artifact
from iac.constructs.core import Aws, CfnResource, Fn, Token, is_token
from iac.constructs.core.props import Check
from iac.constructs.core.protocols import SourceRepository

_CONNECTION_ARN = re.compile(r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection/.+$")
_FULL_REPOSITORY_ID = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
CODECOMMIT_SOURCE_ACTIONS = ("codecommit:CancelUploadArchive", "codecommit:GetBranch", "codecommit:GetCommit",
                             "codecommit:GetUploadArchiveStatus", "codecommit:UploadArchive")
#: A CodeStar connection source writes its zip with the bucket owner's ACL.
CONNECTION_SOURCE_OBJECT_ACTIONS = ("s3:PutObjectAcl", "s3:PutObjectVersionAcl")


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

    @checked_arguments
    def __init__(self, *, name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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

    @checked_arguments
    def __init__(self, *, repository: Annotated[Repository, _repository("codecommit")],
                 branch: Annotated[str, Check(non_empty)] = "main",
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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

    @checked_arguments
    def __init__(self, *, repository: Annotated[str, matching(_FULL_REPOSITORY_ID.pattern, "'owner/name'")],
                 connection_arn: Annotated[str | Token, Check(_connection_arn)],
                 branch: Annotated[str, Check(non_empty)] = "main",
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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

    @checked_arguments
    def __init__(self, *, bucket: s3.Bucket, key: Annotated[str, Check(non_empty)],
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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

    @checked_arguments
    def __init__(self, *, repository: Annotated[Repository, _repository("ecr")],
                 tag: Annotated[str, matching(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", "an image tag")] = "latest",
                 name: Annotated[str, Check(name_problem)] = "Source", output: Artifact | None = None,
                 trigger_on_change: bool = True, run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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
