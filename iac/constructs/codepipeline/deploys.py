"""ECS deploy actions: a rolling update by ECS, or a blue/green deployment through CodeDeploy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, cast

from iac.constructs import iam
from iac.constructs.codepipeline.actions import (
    RUN_ORDER,
    Action,
    ActionScope,
    between,
    checked_arguments,
    matching,
    name_problem,
)
from iac.constructs.codepipeline.artifacts import Artifact, ArtifactPath
from iac.constructs.codepipeline.deployment_role import passed_to
from iac.constructs.core.props import Check, Unit
from iac.constructs.core.units import Duration

if TYPE_CHECKING:
    from iac.constructs import codedeploy, ecs


ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"
#: Actions ECS offers on no narrower resource than "*" (a task definition does not exist before it is registered).
ECS_REGISTER_ACTIONS = ("ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition")


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

    @checked_arguments
    def __init__(self, *, service: ecs.FargateService, input: Artifact, file_name: str = "imagedefinitions.json",
                 timeout_minutes: Annotated[int | Duration | None, Unit("minutes"), between(1, 60, "minutes")] = None,
                 name: Annotated[str, Check(name_problem)] = "Deploy",
                 run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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

    @checked_arguments
    def __init__(self, *, deployment_group: codedeploy.EcsDeploymentGroup, task_definition_template: ArtifactPath,
                 app_spec_template: ArtifactPath, image: Artifact | None = None,
                 image_placeholder: Annotated[str, matching(r"^[A-Za-z0-9_]+$", "a placeholder name")] = "IMAGE1_NAME",
                 name: Annotated[str, Check(name_problem)] = "Deploy",
                 run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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
