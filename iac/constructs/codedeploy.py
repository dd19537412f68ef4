"""CodeDeploy: shift traffic to a new Lambda version or a new set of ECS tasks, watch alarms, roll back.

    errors = cloudwatch.Alarm(stack, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)
    fn.add_alias("live", deployment="Canary10Percent10Minutes", alarms=[errors], pre_traffic=hook_fn)

What this makes is what SAM's `DeploymentPreference` makes, and why each piece is there:

- the alias's `UpdatePolicy: CodeDeployLambdaAliasUpdate`: when a stack update moves the alias to a
  new version, CloudFormation does not flip it but hands the move to CodeDeploy and waits;
- a CodeDeploy Application (ComputePlatform Lambda) and a DeploymentGroup with the traffic-shifting
  configuration (a predefined `CodeDeployDefault.Lambda...`, or a DeploymentConfig of your own),
  automatic rollback when the deployment fails, is stopped, or an alarm fires, and the alarms;
- the CodeDeploy service role (the AWS managed AWSCodeDeployRoleForLambdaLimited policy, which lets
  CodeDeploy move aliases and read alarms), allowed to invoke exactly the hook functions;
- for each hook, permission to report its verdict (codedeploy:PutLifecycleEventHookExecutionStatus)
  on this deployment group only.

For ECS blue/green (usually made by `LoadBalancedFargateService(..., deployment="blue_green")`),
an `EcsDeploymentGroup` names the service, the two target groups CodeDeploy moves traffic between,
the production listener and the test listener, the alarms, how long the old (blue) tasks are kept
after the switch, and automatic rollback; its service role has the AWS managed
AWSCodeDeployRoleForECS policy (partition-aware ARN). The service must use the CODE_DEPLOY
deployment controller: from then on a new task definition reaches it through a CodeDeploy
deployment (the pipeline's CodeDeployToECS action), not through a stack update.

Stability contract: the group is the child `Deployment` of the alias, with children `Application`,
`ServiceRole`, `Resource` (the DeploymentGroup) and, for a custom configuration, `Config`.
Application and group names are create-only: renaming them replaces them, which is harmless (they
hold no data) but restarts their deployment history.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from typing import Annotated, Any, Protocol, runtime_checkable

import attrs

from iac.constructs import cloudwatch, iam
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token
from iac.constructs.core.props import Cfn, Check, Unit
from iac.constructs.core.protocols import Invocable
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, UnitError
from iac.errors import ConstructError

CODEDEPLOY_SERVICE = "codedeploy.amazonaws.com"
#: AWSCodeDeployRoleForLambda without sns:Publish on every topic (no group here notifies a topic):
#: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForLambdaLimited.html
LAMBDA_SERVICE_ROLE_POLICY = "service-role/AWSCodeDeployRoleForLambdaLimited"
ECS_SERVICE_ROLE_POLICY = "AWSCodeDeployRoleForECS"
PREDEFINED_PREFIX = "CodeDeployDefault."

#: The seed's (and SAM's) nine names for Lambda traffic shifting, and CodeDeploy's predefined
#: configuration behind each.
LAMBDA_PRESETS: dict[str, str] = {
    name: f"{PREDEFINED_PREFIX}Lambda{name}"
    for name in (
        "Canary10Percent5Minutes",
        "Canary10Percent10Minutes",
        "Canary10Percent15Minutes",
        "Canary10Percent30Minutes",
        "Linear10PercentEvery1Minute",
        "Linear10PercentEvery2Minutes",
        "Linear10PercentEvery3Minutes",
        "Linear10PercentEvery10Minutes",
        "AllAtOnce",
    )
}

#: CodeDeploy's predefined configurations for ECS blue/green, by the same kind of short name.
ECS_PRESETS: dict[str, str] = {
    name: f"{PREDEFINED_PREFIX}ECS{name}"
    for name in (
        "AllAtOnce",
        "Canary10Percent5Minutes",
        "Canary10Percent15Minutes",
        "Linear10PercentEvery1Minutes",
        "Linear10PercentEvery3Minutes",
    )
}
PRESETS: dict[str, dict[str, str]] = {"Lambda": LAMBDA_PRESETS, "ECS": ECS_PRESETS}

#: CodeDeploy runs a Lambda deployment inside the CloudFormation update that moved the alias, and
#: CloudFormation gives up on a stack operation after 36 hours: a schedule longer than that can
#: never finish (and would be rolled back).
MAX_SHIFT_MINUTES = 36 * 60
#: CodeDeploy's limit on alarms per deployment group.
MAX_ALARMS = 10
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")
#: How long the blue task set may be kept after a successful ECS deployment (the registry schema's
#: description of TerminationWaitTimeInMinutes: "The maximum setting is 2880 minutes (2 days)").
MAX_TERMINATION_WAIT_MINUTES = 2880


# -- traffic shifting --------------------------------------------------------------------------

def _check_percent(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 99:
        raise ValueError(f"percent must be a whole number from 1 to 99 (the share of traffic the new version "
                         f"gets first; 100 would be AllAtOnce), got {value!r}")


def _check_minutes(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"minutes must be a whole number of at least 1, got {value!r}")


@attrs.frozen(kw_only=True)
class Deployment:
    """How CodeDeploy moves traffic from the old version to the new one.

    One of the nine presets by name (`Deployment.preset("Canary10Percent10Minutes")`, or just the
    string wherever a deployment is taken), or a schedule of your own: `Deployment.canary(percent=5,
    minutes=15)` (5% for 15 minutes, then the rest) or `Deployment.linear(percent=20,
    every_minutes=2)` (20% more every 2 minutes). A custom schedule becomes an
    `AWS::CodeDeploy::DeploymentConfig` next to the deployment group that uses it.
    """

    kind: str = attrs.field(validator=attrs.validators.in_(("preset", "TimeBasedCanary", "TimeBasedLinear")))
    preset_name: str | None = None
    platform: str = attrs.field(default="Lambda", validator=attrs.validators.in_(tuple(PRESETS)))
    percent: int | None = attrs.field(default=None, validator=_check_percent)
    minutes: int | None = attrs.field(default=None, validator=_check_minutes)

    def __attrs_post_init__(self) -> None:
        if self.kind != "preset" and self.total_minutes > MAX_SHIFT_MINUTES:
            raise ValueError(f"shifting all traffic would take {self.total_minutes} minutes; CloudFormation waits "
                             f"for a deployment at most 36 hours ({MAX_SHIFT_MINUTES} minutes), so it would "
                             "roll back every time")

    @classmethod
    def preset(cls, name: str, *, platform: str = "Lambda") -> Deployment:
        """A predefined schedule by its short name (CodeDeploy's full name works too): one of the
        seed's nine for Lambda, or for `platform="ECS"` one of AllAtOnce, Canary10Percent5Minutes,
        Canary10Percent15Minutes, Linear10PercentEvery1Minutes, Linear10PercentEvery3Minutes."""
        presets = PRESETS.get(platform)
        if presets is None:
            raise ConstructError(f"platform must be one of {', '.join(PRESETS)}, got {platform!r}",
                                 location=caller_location())
        if isinstance(name, str) and name.startswith(PREDEFINED_PREFIX + platform):
            name = name[len(PREDEFINED_PREFIX + platform):]
        if name not in presets:
            close = difflib.get_close_matches(str(name), list(presets), n=1, cutoff=0.6)
            what = "deployment preset" if platform == "Lambda" else f"{platform} deployment preset"
            raise ConstructError(
                f"unknown {what} {name!r}; the presets are {', '.join(presets)}",
                location=caller_location(),
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "for another schedule use Deployment.canary(percent=, minutes=) or "
                  "Deployment.linear(percent=, every_minutes=)")
        return cls(kind="preset", preset_name=name, platform=platform)

    @classmethod
    def canary(cls, *, percent: int, minutes: int | Duration) -> Deployment:
        """`percent` of the traffic to the new version, then after `minutes` (or a whole-minutes
        `Duration`) all of it."""
        return cls._custom("TimeBasedCanary", percent, minutes)

    @classmethod
    def linear(cls, *, percent: int, every_minutes: int | Duration) -> Deployment:
        """`percent` more of the traffic to the new version every `every_minutes` (or a whole-minutes
        `Duration`), until all of it."""
        return cls._custom("TimeBasedLinear", percent, every_minutes)

    @classmethod
    def all_at_once(cls) -> Deployment:
        return cls.preset("AllAtOnce")

    @classmethod
    def _custom(cls, kind: str, percent: Any, minutes: Any) -> Deployment:
        word = "canary" if kind == "TimeBasedCanary" else "linear"
        try:
            return cls(kind=kind, percent=percent,
                       minutes=minutes.to("minutes") if isinstance(minutes, Duration) else minutes)
        except UnitError as error:
            name = "minutes" if word == "canary" else "every_minutes"
            raise ConstructError(f"Deployment.{word}: {name}: {error}", location=caller_location()) from None
        except (TypeError, ValueError) as error:
            message = str(error).replace("minutes must", "every_minutes must") if word == "linear" else str(error)
            raise ConstructError(f"Deployment.{word}: {message}", location=caller_location()) from None

    @property
    def total_minutes(self) -> int:
        """How long shifting all traffic takes (hooks and alarms aside)."""
        if self.kind == "TimeBasedCanary":
            return int(self.minutes or 0)
        if self.kind == "TimeBasedLinear":
            return int(self.minutes or 0) * (math.ceil(100 / int(self.percent or 100)) - 1)
        return 0

    @property
    def predefined_name(self) -> str | None:
        """CodeDeploy's name of a preset (CodeDeployDefault.Lambda..., CodeDeployDefault.ECS...), None for
        a custom schedule."""
        return PRESETS[self.platform][self.preset_name] if self.preset_name else None

    def config_name(self, scope: Construct, compute_platform: str = "Lambda") -> Any:
        """The DeploymentConfigName a deployment group in `scope` uses; creates the custom config there."""
        if self.predefined_name is not None:
            if compute_platform != self.platform:
                raise ConstructError(f"{self.preset_name} is a {self.platform} preset; a {compute_platform} "
                                     "deployment needs one of its own platform's", path=scope.path,
                                     location=scope.location)
            return self.predefined_name
        key = "TimeBasedCanary" if self.kind == "TimeBasedCanary" else "TimeBasedLinear"
        field = "Canary" if self.kind == "TimeBasedCanary" else "Linear"
        config = CfnResource(scope, "Config", type="AWS::CodeDeploy::DeploymentConfig", properties={
            "ComputePlatform": compute_platform,
            "TrafficRoutingConfig": {
                "Type": self.kind,
                key: {f"{field}Percentage": self.percent, f"{field}Interval": self.minutes},
            },
        })
        return config.ref

    def __str__(self) -> str:
        if self.kind == "TimeBasedCanary":
            return f"canary: {self.percent}% for {self.minutes} minutes, then the rest"
        if self.kind == "TimeBasedLinear":
            return f"linear: {self.percent}% more every {self.minutes} minutes"
        return str(self.preset_name)


def as_deployment(value: Any, platform: str = "Lambda") -> Deployment:
    """A Deployment from a preset name or a Deployment (ConstructError for anything else)."""
    if isinstance(value, Deployment):
        return value
    if isinstance(value, str):
        return Deployment.preset(value, platform=platform)
    example = "Canary10Percent10Minutes" if platform == "Lambda" else "AllAtOnce"
    raise ConstructError(
        f"deployment must be a preset name such as {example!r} or a codedeploy.Deployment, "
        f"got {type(value).__name__}", location=caller_location())


# -- application ---------------------------------------------------------------------------------

class LambdaApplication(Construct):
    """An `AWS::CodeDeploy::Application` for Lambda deployments (groups of one or more functions).

    Args:
        application_name: the application's name; CloudFormation generates one when omitted.
    """

    compute_platform = "Lambda"
    cfn_type = "AWS::CodeDeploy::Application"

    def __init__(self, scope: Construct, id: str, *,
                 application_name: Annotated[str | Token | None, Cfn("ApplicationName")] = None) -> None:
        super().__init__(scope, id)
        self.resource = CfnResource(self, "Resource", type="AWS::CodeDeploy::Application", properties={
            "ComputePlatform": self.compute_platform, "ApplicationName": application_name})

    @property
    def application_name(self) -> Token:
        return self.resource.ref

    @property
    def application_arn(self) -> Token:
        """arn:...:application:<name>, the resource IAM scopes application actions to."""
        return Fn.sub(f"arn:{Aws.PARTITION}:codedeploy:{Aws.REGION}:{Aws.ACCOUNT_ID}:application:"
                      f"{self.application_name}")


class EcsApplication(LambdaApplication):
    """An `AWS::CodeDeploy::Application` for ECS blue/green deployments."""

    compute_platform = "ECS"


# -- deployment group -------------------------------------------------------------------------------

@runtime_checkable
class LambdaAlias(Protocol):
    """What a Lambda deployment group shifts: an alias (`fn.add_alias(...)`) with its
    AWS::Lambda::Alias resource, whose update policy it sets, and its function."""

    @property
    def resource(self) -> CfnResource: ...

    @property
    def function(self) -> Any: ...

    @property
    def stack(self) -> Any: ...

    @property
    def path(self) -> str: ...


def _alias_problem(alias: LambdaAlias) -> str | None:
    if alias.resource.resource_type != "AWS::Lambda::Alias":
        return f"must be a Lambda Alias (fn.add_alias(...)), got {type(alias).__name__} {alias.path}"
    return None


def _hook_problem(hook: Invocable | None) -> str | None:
    """A hook reports its verdict with its own role: it must be a Function (with an iam.Role)."""
    if hook is not None and not isinstance(hook.grant_principal, iam.Role):
        return f"must be a Lambda Function (the hook CodeDeploy invokes), got {type(hook).__name__}"
    return None


def _alarm_count_problem(alarms: Sequence[cloudwatch.Alarm | str]) -> str | None:
    if len(alarms) > MAX_ALARMS:
        return f"CodeDeploy watches at most {MAX_ALARMS} alarms per deployment group, got {len(alarms)}"
    return None


class _DeploymentGroup(Construct):
    """What Lambda and ECS deployment groups share: the alarms they watch, automatic rollback, and
    the references other constructs (hooks, pipeline actions) scope their permissions to."""

    #: What the user calls the deployed thing in examples ("fn", "service"), for hints.
    deployed_name = "fn"
    resource: CfnResource
    application: LambdaApplication
    deployment: Deployment
    _alarms: list[Any]

    def _as_deployment(self, value: Any, platform: str) -> Deployment:
        try:
            return as_deployment(value, platform)
        except ConstructError as error:
            raise ConstructError(error.message, path=self.path, location=self.location, hint=error.hint) from None

    # -- references ---------------------------------------------------------------------------

    @property
    def deployment_group_name(self) -> Token:
        return self.resource.ref

    @property
    def deployment_group_arn(self) -> Token:
        """arn:...:deploymentgroup:<application>/<group>, the resource IAM scopes group actions to."""
        return Fn.sub(f"arn:{Aws.PARTITION}:codedeploy:{Aws.REGION}:{Aws.ACCOUNT_ID}:deploymentgroup:"
                      f"{self.application.application_name}/{self.deployment_group_name}")

    @property
    def deployment_config_arn(self) -> Token:
        """arn:...:deploymentconfig:<name> of the schedule this group uses (predefined or its own)."""
        return Fn.sub(f"arn:{Aws.PARTITION}:codedeploy:{Aws.REGION}:{Aws.ACCOUNT_ID}:deploymentconfig:"
                      f"{self.deployment_config_name}")

    @property
    def deployment_config_name(self) -> Any:
        return self.resource.properties["DeploymentConfigName"]

    # -- alarms ---------------------------------------------------------------------------------

    def add_alarm(self, alarm: cloudwatch.Alarm | str) -> None:
        """Stop and roll back a deployment while `alarm` is in ALARM.

        An Alarm must be in this stack: CodeDeploy takes alarm names, and a name from another stack
        would be an export this stack imports. The exporting stack could then never replace or
        rename the alarm, and an alarm on the metrics of what this group deploys (the usual case)
        refers back to this stack, so each stack would need the other deployed first. A plain
        string is taken as the name of an alarm that exists outside the app.
        """
        location = caller_location()
        if isinstance(alarm, cloudwatch.Alarm) and alarm.stack is not self.stack:
            raise ConstructError(
                f"alarm {alarm.path} is in stack {alarm.stack.path}, but deployment group {self.path} is in stack "
                f"{self.stack.path}: CodeDeploy needs the alarm's name in the deployment group's own stack. From "
                "another stack it would be an export imported here, which that stack could never replace or "
                "rename, and an alarm on the metrics of what this group deploys refers back to this stack, so "
                "each stack would need the other deployed first",
                path=self.path, location=location or self.location,
                hint=f"create the alarm in stack {self.stack.path} (cloudwatch.Alarm({self.deployed_name}.stack, "
                     "...)), or pass the name of an alarm that lives outside this app as a string")
        if not isinstance(alarm, cloudwatch.Alarm | str) or (isinstance(alarm, str) and not alarm):
            raise ConstructError(f"add_alarm takes a cloudwatch.Alarm or an alarm name, got {alarm!r}",
                                 path=self.path, location=location)
        if len(self._alarms) >= MAX_ALARMS:
            raise ConstructError(f"CodeDeploy watches at most {MAX_ALARMS} alarms per deployment group",
                                 path=self.path, location=location)
        if all(alarm is not known for known in self._alarms):
            self._alarms.append(alarm)

    @property
    def alarms(self) -> list[Any]:
        return list(self._alarms)

    def _alarm_configuration(self, ignore_poll_alarm_failure: bool) -> dict[str, Any] | None:
        if not self._alarms:
            return None
        names = [alarm.alarm_name if isinstance(alarm, cloudwatch.Alarm) else alarm for alarm in self._alarms]
        configuration: dict[str, Any] = {"Enabled": True, "Alarms": [{"Name": name} for name in names]}
        if ignore_poll_alarm_failure:
            configuration["IgnorePollAlarmFailure"] = True
        return configuration

    def _auto_rollback(self) -> dict[str, Any]:
        """Roll back on failure and on request always; on alarm when there are alarms to watch
        (CodeDeploy refuses a stop-on-alarm rollback with no alarm configured)."""
        events = [event for event in ROLLBACK_EVENTS if event != "DEPLOYMENT_STOP_ON_ALARM" or self._alarms]
        return {"Enabled": True, "Events": events}


class LambdaDeploymentGroup(_DeploymentGroup):
    """CodeDeploy shifting an alias's traffic to each new version (`AWS::CodeDeploy::DeploymentGroup`).

    Usually made by `fn.add_alias("live", deployment=...)`.

    Args:
        alias: the alias (`fn.add_alias(...)`) whose moves to a new version CodeDeploy takes over.
        deployment: how traffic moves: a preset name ("Canary10Percent10Minutes", ...) or a
            `Deployment`; "AllAtOnce" by default.
        application: a `LambdaApplication` to share between groups; one is made otherwise.
        alarms: `cloudwatch.Alarm`s of the same stack (or names of alarms outside the app), at most
            10; any one in ALARM stops the deployment and rolls it back.
        pre_traffic: a hook Function CodeDeploy invokes before traffic moves; the deployment rolls
            back unless it reports Succeeded.
        post_traffic: a hook Function CodeDeploy invokes after all traffic has moved, likewise.
        deployment_group_name: the group's name; CloudFormation generates one when omitted.
        ignore_poll_alarm_failure: go on with a deployment when CodeDeploy cannot read the alarms'
            state (default: stop it).
    """

    cfn_type = "AWS::CodeDeploy::DeploymentGroup"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias: Annotated[LambdaAlias, Check(_alias_problem)],
        deployment: Deployment | str = "AllAtOnce",
        application: LambdaApplication | None = None,
        alarms: Annotated[Sequence[cloudwatch.Alarm | str], Check(_alarm_count_problem)] = (),
        pre_traffic: Annotated[Invocable | None, Check(_hook_problem)] = None,
        post_traffic: Annotated[Invocable | None, Check(_hook_problem)] = None,
        deployment_group_name: Annotated[str | Token | None, Cfn("DeploymentGroupName")] = None,
        ignore_poll_alarm_failure: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.alias = alias
        self.pre_traffic = pre_traffic
        self.post_traffic = post_traffic
        if self.alias.stack is not self.stack:
            raise ConstructError(f"deployment group {self.path} must be in the stack of alias {self.alias.path} "
                                 f"({self.alias.stack.path}): the alias's update policy names the group",
                                 path=self.path, location=self.location,
                                 hint="create it with the alias as scope, or use fn.add_alias(..., deployment=)")
        if application is not None and application.stack is not self.stack:
            raise ConstructError(f"application {application.path} must be in stack {self.stack.path}, "
                                 "with the deployment group and the alias whose update policy names it",
                                 path=self.path, location=self.location)
        self.deployment = self._as_deployment(deployment, "Lambda")
        self._alarms = []
        for alarm in alarms:
            self.add_alarm(alarm)
        self._check_hooks_in_this_stack()
        self.application = application or LambdaApplication(self, "Application")
        self.role = iam.Role(self, "ServiceRole", assumed_by=iam.ServicePrincipal(CODEDEPLOY_SERVICE),
                             managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                                 LAMBDA_SERVICE_ROLE_POLICY)])
        self.resource = CfnResource(self, "Resource", type="AWS::CodeDeploy::DeploymentGroup", properties={
            "ApplicationName": self.application.application_name,
            "ServiceRoleArn": self.role.role_arn,
            "DeploymentConfigName": self.deployment.config_name(self),
            "DeploymentStyle": {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
            "AutoRollbackConfiguration": Lazy(self._auto_rollback),
            "AlarmConfiguration": Lazy(lambda: self._alarm_configuration(ignore_poll_alarm_failure)),
            "DeploymentGroupName": deployment_group_name,
        })
        self._hand_alias_updates_to_codedeploy()
        for hook in (self.pre_traffic, self.post_traffic):
            if hook is not None:
                self._allow_hook(hook)

    # -- the alias and its hooks ----------------------------------------------------------------

    def _check_hooks_in_this_stack(self) -> None:
        for name, hook in (("pre_traffic", self.pre_traffic), ("post_traffic", self.post_traffic)):
            if hook is not None and getattr(hook, "stack", None) is not self.stack:
                raise ConstructError(
                    f"{name} hook {getattr(hook, 'path', hook)} is in another stack than deployment group "
                    f"{self.path}: the alias names the hook and the hook's permission names this deployment "
                    "group, so each stack would need the other deployed first",
                    path=self.path, location=self.location,
                    hint=f"create the hook function in stack {self.stack.path}")

    def _hand_alias_updates_to_codedeploy(self) -> None:
        """CloudFormation moves the alias through CodeDeploy instead of flipping it at once."""
        alias_resource: CfnResource = self.alias.resource
        if alias_resource.update_policy and "CodeDeployLambdaAliasUpdate" in alias_resource.update_policy:
            raise ConstructError(f"alias {self.alias.path} already has a CodeDeploy deployment group",
                                 path=self.path, location=self.location)
        update: dict[str, Any] = {
            "ApplicationName": self.application.application_name,
            "DeploymentGroupName": self.deployment_group_name,
        }
        if self.pre_traffic is not None:
            update["BeforeAllowTrafficHook"] = self.pre_traffic.function_name
        if self.post_traffic is not None:
            update["AfterAllowTrafficHook"] = self.post_traffic.function_name
        alias_resource.update_policy = {**(alias_resource.update_policy or {}), "CodeDeployLambdaAliasUpdate": update}

    def _allow_hook(self, hook: Invocable) -> None:
        """CodeDeploy may invoke the hook; the hook may report its verdict on this group only.

        The alias waits for the service role's policy: a deployment that started before CodeDeploy
        may invoke its hooks would fail at the first one.
        """
        hook.grant_invoke(self.role)
        hook.grant_principal.add_to_policy(iam.PolicyStatement(
            actions=["codedeploy:PutLifecycleEventHookExecutionStatus"], resources=[self.deployment_group_arn]))
        if self.role.default_policy is not None:
            self.alias.resource.add_depends_on(self.role.default_policy)


# -- ECS blue/green ----------------------------------------------------------------------------------

@runtime_checkable
class BlueGreenService(Protocol):
    """What an ECS deployment group deploys to: an `ecs.FargateService` created with
    deployment_controller="CODE_DEPLOY"."""

    @property
    def cluster(self) -> Any: ...

    @property
    def service_name(self) -> Any: ...

    @property
    def task_definition(self) -> Any: ...

    @property
    def path(self) -> str: ...


@runtime_checkable
class TargetGroup(Protocol):
    """One of the two target groups CodeDeploy moves traffic between (an `elbv2.ApplicationTargetGroup`)."""

    @property
    def target_group_name(self) -> Any: ...

    @property
    def load_balancers(self) -> Sequence[Any]: ...

    @property
    def path(self) -> str: ...


@runtime_checkable
class TrafficListener(Protocol):
    """A listener CodeDeploy points at the new tasks (an `elbv2.Listener`)."""

    @property
    def listener_arn(self) -> Any: ...

    @property
    def default_action(self) -> Any: ...

    @property
    def load_balancer(self) -> Any: ...

    @property
    def path(self) -> str: ...


def _service_problem(service: BlueGreenService) -> str | None:
    from iac.constructs import ecs  # only when an ECS deployment group is built

    if not isinstance(service, ecs.FargateService):
        return f"must be an ecs.FargateService, got {type(service).__name__}"
    controller = service.props.deployment_controller
    if controller != "CODE_DEPLOY":
        return (f"service {service.path} uses the {controller} deployment controller; CodeDeploy can deploy only "
                "to a service created with deployment_controller='CODE_DEPLOY' (and circuit_breaker=False)")
    return None


def _termination_wait_problem(minutes: int) -> str | None:
    if not 0 <= minutes <= MAX_TERMINATION_WAIT_MINUTES:
        return f"must be from 0 to {MAX_TERMINATION_WAIT_MINUTES} minutes (2 days), got {minutes}"
    return None


class EcsDeploymentGroup(_DeploymentGroup):
    """CodeDeploy replacing an ECS service's tasks blue/green (`AWS::CodeDeploy::DeploymentGroup`).

    Usually made by `LoadBalancedFargateService(..., deployment="blue_green")`. Each deployment
    starts the new (green) tasks in the target group that takes no production traffic, moves the
    test listener to them (hooks in the deployment's AppSpec can test them there), then moves the
    production listener, all at once or by a schedule, watching the alarms: any one in ALARM, a
    failure, or a stop request moves traffic back to the blue tasks, which are kept a while after a
    success for a fast manual rollback too.

    Args:
        service: the ecs.FargateService, created with deployment_controller="CODE_DEPLOY".
        blue_target_group: the target group where the service's tasks are registered, which the
            production listener forwards to.
        green_target_group: the other target group, where each deployment starts the new tasks.
        listener: the production listener (forwarding to blue_target_group).
        test_listener: a listener CodeDeploy points at the new tasks first, for tests (optional).
        deployment: how production traffic moves: "AllAtOnce" (default), "Canary10Percent5Minutes",
            "Canary10Percent15Minutes", "Linear10PercentEvery1Minutes", "Linear10PercentEvery3Minutes",
            or a `Deployment.canary/linear`.
        application: an `EcsApplication` to share between groups; one is made otherwise.
        alarms: `cloudwatch.Alarm`s of the same stack (or alarm names), at most 10.
        termination_wait_minutes: how long the blue tasks are kept after a successful deployment, in
            minutes or a `Duration` (5; at most 2 days).
        deployment_group_name: the group's name; CloudFormation generates one when omitted.
        ignore_poll_alarm_failure: go on with a deployment when CodeDeploy cannot read the alarms'
            state (default: stop it).
    """

    deployed_name = "service"
    cfn_type = "AWS::CodeDeploy::DeploymentGroup"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service: Annotated[BlueGreenService, Check(_service_problem)],
        blue_target_group: TargetGroup,
        green_target_group: TargetGroup,
        listener: TrafficListener,
        test_listener: TrafficListener | None = None,
        deployment: Deployment | str = "AllAtOnce",
        application: EcsApplication | None = None,
        alarms: Annotated[Sequence[cloudwatch.Alarm | str], Check(_alarm_count_problem)] = (),
        termination_wait_minutes: Annotated[int | Duration, Unit("minutes"), Check(_termination_wait_problem)] = 5,
        deployment_group_name: Annotated[str | Token | None, Cfn("DeploymentGroupName")] = None,
        ignore_poll_alarm_failure: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.service = service
        self.blue_target_group = blue_target_group
        self.green_target_group = green_target_group
        self.listener = listener
        self.test_listener = test_listener
        self.termination_wait_minutes = termination_wait_minutes  # minutes: a Duration arrives converted
        self._check_traffic_route()
        self.deployment = self._as_deployment(deployment, "ECS")
        self._alarms = []
        for alarm in alarms:
            self.add_alarm(alarm)
        self.application = application or EcsApplication(self, "Application")
        self.role = iam.Role(self, "ServiceRole", assumed_by=iam.ServicePrincipal(CODEDEPLOY_SERVICE),
                             managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                                 ECS_SERVICE_ROLE_POLICY)])
        self.resource = CfnResource(self, "Resource", type="AWS::CodeDeploy::DeploymentGroup", properties={
            "ApplicationName": self.application.application_name,
            "ServiceRoleArn": self.role.role_arn,
            "DeploymentConfigName": self.deployment.config_name(self, "ECS"),
            "DeploymentStyle": {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
            "BlueGreenDeploymentConfiguration": self._blue_green_configuration(),
            "ECSServices": [{"ClusterName": self.service.cluster.cluster_name,
                             "ServiceName": self.service.service_name}],
            "LoadBalancerInfo": {"TargetGroupPairInfoList": [self._target_group_pair()]},
            "AutoRollbackConfiguration": Lazy(self._auto_rollback),
            "AlarmConfiguration": Lazy(lambda: self._alarm_configuration(ignore_poll_alarm_failure)),
            "DeploymentGroupName": deployment_group_name,
        })

    def _check_traffic_route(self) -> None:
        """What CodeDeploy needs of the target groups and listeners together (no schema says it)."""
        blue, green = self.blue_target_group, self.green_target_group
        problem = None
        if blue is green:
            problem = ("blue_target_group and green_target_group must be two target groups: CodeDeploy starts the "
                       "new tasks in the one that takes no production traffic")
        elif blue not in self.listener.default_action.target_groups:
            problem = (f"the production listener {self.listener.path} must forward to the blue target group "
                       f"{blue.path}, where the service's tasks are registered")
        elif self.test_listener is self.listener:
            problem = "the test listener must be another listener than the production one"
        else:
            for listener in filter(None, (self.listener, self.test_listener)):
                for group in (blue, green):
                    if group.load_balancers and listener.load_balancer not in group.load_balancers:
                        problem = (f"listener {listener.path} and target group {group.path} belong to different "
                                   "load balancers")
        if problem is not None:
            raise ConstructError(f"invalid argument for EcsDeploymentGroup {self.id!r}: {problem}", path=self.path,
                                 location=self.location)

    def _blue_green_configuration(self) -> dict[str, Any]:
        """Move traffic as soon as the green tasks are ready; keep the blue ones a while after success."""
        return {
            "DeploymentReadyOption": {"ActionOnTimeout": "CONTINUE_DEPLOYMENT"},
            "TerminateBlueInstancesOnDeploymentSuccess": {
                "Action": "TERMINATE", "TerminationWaitTimeInMinutes": self.termination_wait_minutes},
        }

    def _target_group_pair(self) -> dict[str, Any]:
        pair: dict[str, Any] = {
            "TargetGroups": [{"Name": self.blue_target_group.target_group_name},
                             {"Name": self.green_target_group.target_group_name}],
            "ProdTrafficRoute": {"ListenerArns": [self.listener.listener_arn]},
        }
        if self.test_listener is not None:
            pair["TestTrafficRoute"] = {"ListenerArns": [self.test_listener.listener_arn]}
        return pair

    @property
    def task_roles(self) -> list[iam.Role]:
        """The roles of the service's task definition, which a deployment passes to ECS."""
        task_definition = self.service.task_definition
        return [role for role in (task_definition.task_role, task_definition.execution_role) if role is not None]


__all__ = ["ECS_PRESETS", "LAMBDA_PRESETS", "BlueGreenService", "Deployment", "EcsApplication", "EcsDeploymentGroup",
           "LambdaAlias", "LambdaApplication", "LambdaDeploymentGroup", "TargetGroup", "TrafficListener"]
