"""CloudFormation change-set actions: prepare a change set from a template artifact, then execute it."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from iac.constructs import iam
from iac.constructs.codepipeline.actions import (
    RUN_ORDER,
    Action,
    ActionScope,
    capabilities,
    checked_arguments,
    name_problem,
)
from iac.constructs.codepipeline.artifacts import Artifact, ArtifactPath
from iac.constructs.codepipeline.deployment_role import CLOUDFORMATION_SERVICE, _DeploymentRole, passed_to
from iac.constructs.core import Aws, CfnResource, Fn, Stack, Token, is_token
from iac.constructs.core.capabilities import required_capabilities
from iac.constructs.core.props import Check

DEFAULT_CHANGE_SET_NAME = "iac-pipeline"
#: The CloudFormation change-set actions' permissions on their own stack, as CodePipeline uses them.
PREPARE_CHANGE_SET_ACTIONS = ("cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
                              "cloudformation:DescribeChangeSet", "cloudformation:DescribeStacks")
EXECUTE_CHANGE_SET_ACTIONS = ("cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents",
                              "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet")


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

    @checked_arguments
    def __init__(self, *, template_path: ArtifactPath, stack: Stack | None = None,
                 stack_name: Annotated[str | Token | None, Check(stack_name_problem)] = None,
                 change_set_name: Annotated[str, Check(_change_set_name_problem)] = DEFAULT_CHANGE_SET_NAME,
                 capabilities: Annotated[Sequence[str] | None, Check(_capabilities_problem)] = None,
                 parameter_overrides: Mapping[str, str | Token] | None = None,
                 template_configuration: ArtifactPath | None = None, deployment_role: iam.Role | None = None,
                 name: Annotated[str, Check(name_problem)] = "PrepareChanges",
                 run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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

    @checked_arguments
    def __init__(self, *, stack_name: Annotated[str | Token | None, Check(stack_name_problem)] = None,
                 stack: Stack | None = None,
                 change_set_name: Annotated[str, Check(_change_set_name_problem)] = DEFAULT_CHANGE_SET_NAME,
                 name: Annotated[str, Check(name_problem)] = "ExecuteChanges",
                 run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
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
