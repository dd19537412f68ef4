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

The package's modules: artifacts, actions (the base class and how arguments are checked), sources,
builds, change_sets, deployment_role, deploys (ECS), approval, pipeline; everything is importable from
`iac.constructs.codepipeline` itself.
"""

from iac.constructs.codepipeline.actions import (
    RESOURCE_TYPE,
    Action,
    ActionScope,
    capabilities,
    categories,
    name_problem,
)
from iac.constructs.codepipeline.approval import ManualApproval
from iac.constructs.codepipeline.artifacts import Artifact, ArtifactPath
from iac.constructs.codepipeline.builds import CODEBUILD_ACTIONS, CodeBuildAction
from iac.constructs.codepipeline.change_sets import (
    DEFAULT_CHANGE_SET_NAME,
    EXECUTE_CHANGE_SET_ACTIONS,
    PREPARE_CHANGE_SET_ACTIONS,
    CreateReplaceChangeSet,
    ExecuteChangeSet,
    stack_capabilities,
    stack_name_problem,
)
from iac.constructs.codepipeline.deployment_role import (
    BOUNDARY_PATH,
    BOUNDARY_POLICY_EDITS,
    BOUNDARY_REMOVALS,
    BOUNDED_DEPLOYMENT_ACTIONS,
    BOUNDED_IAM_CHANGES,
    CLOUDFORMATION_SERVICE,
    DeploymentBoundary,
    handler_permissions,
    passed_to,
)
from iac.constructs.codepipeline.deploys import ECS_REGISTER_ACTIONS, ECS_TASKS_SERVICE, CodeDeployEcsDeploy, EcsDeploy
from iac.constructs.codepipeline.pipeline import CODEPIPELINE_SERVICE, Pipeline, Stage
from iac.constructs.codepipeline.sources import (
    CODECOMMIT_SOURCE_ACTIONS,
    CONNECTION_SOURCE_OBJECT_ACTIONS,
    CodeCommitSource,
    EcrSource,
    GitHubSource,
    S3Source,
    SourceAction,
)

__all__ = ["BOUNDARY_PATH", "BOUNDARY_POLICY_EDITS", "BOUNDARY_REMOVALS", "BOUNDED_DEPLOYMENT_ACTIONS",
           "BOUNDED_IAM_CHANGES", "CLOUDFORMATION_SERVICE", "CODEBUILD_ACTIONS", "CODECOMMIT_SOURCE_ACTIONS",
           "CODEPIPELINE_SERVICE", "CONNECTION_SOURCE_OBJECT_ACTIONS", "DEFAULT_CHANGE_SET_NAME",
           "ECS_REGISTER_ACTIONS", "ECS_TASKS_SERVICE", "EXECUTE_CHANGE_SET_ACTIONS", "PREPARE_CHANGE_SET_ACTIONS",
           "RESOURCE_TYPE", "Action", "ActionScope", "Artifact", "ArtifactPath", "CodeBuildAction", "CodeCommitSource",
           "CodeDeployEcsDeploy", "CreateReplaceChangeSet", "DeploymentBoundary", "EcrSource", "EcsDeploy",
           "ExecuteChangeSet", "GitHubSource", "ManualApproval", "Pipeline", "S3Source", "SourceAction", "Stage",
           "capabilities", "categories", "handler_permissions", "name_problem", "passed_to", "stack_capabilities",
           "stack_name_problem"]
