"""CodeDeploy for Lambda: shift traffic to a new version gradually, watch alarms, roll back.

    errors = cloudwatch.Alarm(stack, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)
    fn.add_alias("live", deployment="Canary10Percent10Minutes", alarms=[errors], pre_traffic=hook_fn)

What this makes is what SAM's `DeploymentPreference` makes, and why each piece is there:

- the alias's `UpdatePolicy: CodeDeployLambdaAliasUpdate`: when a stack update moves the alias to a
  new version, CloudFormation does not flip it but hands the move to CodeDeploy and waits;
- a CodeDeploy Application (ComputePlatform Lambda) and a DeploymentGroup with the traffic-shifting
  configuration (a predefined `CodeDeployDefault.Lambda...`, or a DeploymentConfig of your own),
  automatic rollback when the deployment fails, is stopped, or an alarm fires, and the alarms;
- the CodeDeploy service role (the AWS managed AWSCodeDeployRoleForLambda policy, which lets
  CodeDeploy move aliases and read alarms), allowed to invoke exactly the hook functions;
- for each hook, permission to report its verdict (codedeploy:PutLifecycleEventHookExecutionStatus)
  on this deployment group only.

Stability contract: the group is the child `Deployment` of the alias, with children `Application`,
`ServiceRole`, `Resource` (the DeploymentGroup) and, for a custom configuration, `Config`.
Application and group names are create-only: renaming them replaces them, which is harmless (they
hold no data) but restarts their deployment history.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

import attrs

from iac.constructs import cloudwatch, iam
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

CODEDEPLOY_SERVICE = "codedeploy.amazonaws.com"
LAMBDA_SERVICE_ROLE_POLICY = "service-role/AWSCodeDeployRoleForLambda"
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

#: CodeDeploy runs a Lambda deployment inside the CloudFormation update that moved the alias, and
#: CloudFormation gives up on a stack operation after 36 hours: a schedule longer than that can
#: never finish (and would be rolled back).
MAX_SHIFT_MINUTES = 36 * 60
#: CodeDeploy's limit on alarms per deployment group.
MAX_ALARMS = 10
ROLLBACK_EVENTS = ("DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST")


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
    percent: int | None = attrs.field(default=None, validator=_check_percent)
    minutes: int | None = attrs.field(default=None, validator=_check_minutes)

    def __attrs_post_init__(self) -> None:
        if self.kind != "preset" and self.total_minutes > MAX_SHIFT_MINUTES:
            raise ValueError(f"shifting all traffic would take {self.total_minutes} minutes; CloudFormation waits "
                             f"for a deployment at most 36 hours ({MAX_SHIFT_MINUTES} minutes), so it would "
                             "roll back every time")

    @classmethod
    def preset(cls, name: str) -> Deployment:
        """One of the nine predefined schedules by its SAM name (CodeDeploy's full name works too)."""
        if isinstance(name, str) and name.startswith(PREDEFINED_PREFIX + "Lambda"):
            name = name[len(PREDEFINED_PREFIX + "Lambda"):]
        if name not in LAMBDA_PRESETS:
            close = difflib.get_close_matches(str(name), list(LAMBDA_PRESETS), n=1, cutoff=0.6)
            raise ConstructError(
                f"unknown deployment preset {name!r}; the presets are {', '.join(LAMBDA_PRESETS)}",
                location=caller_location(),
                hint=(f"did you mean {close[0]!r}? " if close else "")
                + "for another schedule use Deployment.canary(percent=, minutes=) or "
                  "Deployment.linear(percent=, every_minutes=)")
        return cls(kind="preset", preset_name=name)

    @classmethod
    def canary(cls, *, percent: int, minutes: int) -> Deployment:
        """`percent` of the traffic to the new version, then after `minutes` all of it."""
        return cls._custom("TimeBasedCanary", percent, minutes)

    @classmethod
    def linear(cls, *, percent: int, every_minutes: int) -> Deployment:
        """`percent` more of the traffic to the new version every `every_minutes`, until all of it."""
        return cls._custom("TimeBasedLinear", percent, every_minutes)

    @classmethod
    def all_at_once(cls) -> Deployment:
        return cls.preset("AllAtOnce")

    @classmethod
    def _custom(cls, kind: str, percent: Any, minutes: Any) -> Deployment:
        try:
            return cls(kind=kind, percent=percent, minutes=minutes)
        except (TypeError, ValueError) as error:
            word = "canary" if kind == "TimeBasedCanary" else "linear"
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
        """CodeDeploy's name of a preset (CodeDeployDefault.Lambda...), None for a custom schedule."""
        return LAMBDA_PRESETS[self.preset_name] if self.preset_name else None

    def config_name(self, scope: Construct, compute_platform: str = "Lambda") -> Any:
        """The DeploymentConfigName a deployment group in `scope` uses; creates the custom config there."""
        if self.predefined_name is not None:
            if compute_platform != "Lambda":
                raise ConstructError(f"{self.preset_name} is a Lambda preset; a {compute_platform} deployment "
                                     "needs one of its own platform's", path=scope.path, location=scope.location)
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


def as_deployment(value: Any) -> Deployment:
    """A Deployment from a preset name or a Deployment (ConstructError for anything else)."""
    if isinstance(value, Deployment):
        return value
    if isinstance(value, str):
        return Deployment.preset(value)
    raise ConstructError(
        f"deployment must be a preset name such as 'Canary10Percent10Minutes' or a codedeploy.Deployment, "
        f"got {type(value).__name__}", location=caller_location())


# -- application ---------------------------------------------------------------------------------

class LambdaApplication(Construct):
    """An `AWS::CodeDeploy::Application` for Lambda deployments (groups of one or more functions)."""

    def __init__(self, scope: Construct, id: str, *, application_name: str | None = None) -> None:
        super().__init__(scope, id)
        self.resource = CfnResource(self, "Resource", type="AWS::CodeDeploy::Application", properties={
            "ComputePlatform": "Lambda", "ApplicationName": application_name})

    @property
    def application_name(self) -> Token:
        return self.resource.ref


# -- deployment group -------------------------------------------------------------------------------

def _check_alias(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    resource = getattr(value, "resource", None)
    if getattr(resource, "resource_type", None) != "AWS::Lambda::Alias" or not hasattr(value, "function"):
        raise TypeError(f"alias must be a Lambda Alias (fn.add_alias(...)), got {type(value).__name__}")


def _check_hook(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    if not all(hasattr(value, name) for name in ("function_name", "function_arn", "grant_invoke")) or \
            not isinstance(getattr(value, "grant_principal", None), iam.Role):
        raise TypeError(f"{attribute.name} must be a Lambda Function (the hook CodeDeploy invokes), "
                        f"got {type(value).__name__}")


def _check_alarms(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    for alarm in value:
        if not isinstance(alarm, cloudwatch.Alarm | str):
            raise TypeError(f"alarms must be cloudwatch.Alarm constructs (or alarm names), got "
                            f"{type(alarm).__name__}")
    if len(value) > MAX_ALARMS:
        raise ValueError(f"CodeDeploy watches at most {MAX_ALARMS} alarms per deployment group, got {len(value)}")


@attrs.define(kw_only=True)
class LambdaDeploymentGroupProps:
    alias: Any = attrs.field(validator=_check_alias)
    deployment: Any = "AllAtOnce"
    application: LambdaApplication | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(LambdaApplication)))
    alarms: list[Any] = attrs.field(factory=list, converter=lambda v: list(v or []), validator=_check_alarms)
    pre_traffic: Any = attrs.field(default=None, validator=_check_hook)
    post_traffic: Any = attrs.field(default=None, validator=_check_hook)
    deployment_group_name: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(str)))
    ignore_poll_alarm_failure: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))


class LambdaDeploymentGroup(Construct):
    """CodeDeploy shifting an alias's traffic to each new version (`AWS::CodeDeploy::DeploymentGroup`).

    Usually made by `fn.add_alias("live", deployment=...)`. Props: alias, deployment (a preset name
    or a `Deployment`; "AllAtOnce" by default), application (a `LambdaApplication` to share; one is
    made otherwise), alarms (`cloudwatch.Alarm`s of the same stack, at most 10; any one in ALARM
    stops the deployment and rolls back), pre_traffic / post_traffic (hook functions: CodeDeploy
    invokes them before traffic moves and after all of it has, and rolls back unless they report
    Succeeded), deployment_group_name, ignore_poll_alarm_failure.
    """

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: LambdaDeploymentGroupProps = self._build_props(LambdaDeploymentGroupProps, props)
        self.alias = self.props.alias
        if self.alias.stack is not self.stack:
            raise ConstructError(f"deployment group {self.path} must be in the stack of alias {self.alias.path} "
                                 f"({self.alias.stack.path}): the alias's update policy names the group",
                                 path=self.path, location=self.location,
                                 hint="create it with the alias as scope, or use fn.add_alias(..., deployment=)")
        if self.props.application is not None and self.props.application.stack is not self.stack:
            raise ConstructError(f"application {self.props.application.path} must be in stack {self.stack.path}, "
                                 "with the deployment group and the alias whose update policy names it",
                                 path=self.path, location=self.location)
        self.deployment = self._deployment()
        self._alarms: list[Any] = []
        for alarm in self.props.alarms:
            self.add_alarm(alarm)
        self._check_hooks_in_this_stack()
        self.application = self.props.application or LambdaApplication(self, "Application")
        self.role = iam.Role(self, "ServiceRole", assumed_by=iam.ServicePrincipal(CODEDEPLOY_SERVICE),
                             managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(
                                 LAMBDA_SERVICE_ROLE_POLICY)])
        self.resource = CfnResource(self, "Resource", type="AWS::CodeDeploy::DeploymentGroup", properties={
            "ApplicationName": self.application.application_name,
            "ServiceRoleArn": self.role.role_arn,
            "DeploymentConfigName": self.deployment.config_name(self),
            "DeploymentStyle": {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"},
            "AutoRollbackConfiguration": Lazy(self._auto_rollback),
            "AlarmConfiguration": Lazy(self._alarm_configuration),
            "DeploymentGroupName": self.props.deployment_group_name,
        })
        self._hand_alias_updates_to_codedeploy()
        for hook in (self.props.pre_traffic, self.props.post_traffic):
            if hook is not None:
                self._allow_hook(hook)

    def _deployment(self) -> Deployment:
        try:
            return as_deployment(self.props.deployment)
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

    # -- alarms ---------------------------------------------------------------------------------

    def add_alarm(self, alarm: cloudwatch.Alarm | str) -> None:
        """Stop and roll back a deployment while `alarm` is in ALARM.

        An Alarm must be in this stack: CodeDeploy takes alarm names, and a name from another stack
        would be an export this stack imports. The exporting stack could then never replace or
        rename the alarm, and an alarm on this function's metrics (the usual case) refers back to
        this stack, so each stack would need the other deployed first. A plain string is taken as
        the name of an alarm that exists outside the app.
        """
        location = caller_location()
        if isinstance(alarm, cloudwatch.Alarm) and alarm.stack is not self.stack:
            raise ConstructError(
                f"alarm {alarm.path} is in stack {alarm.stack.path}, but deployment group {self.path} is in stack "
                f"{self.stack.path}: CodeDeploy needs the alarm's name in the deployment group's own stack. From "
                "another stack it would be an export imported here, which that stack could never replace or "
                "rename, and an alarm on this function's metrics refers back to this stack, so each stack "
                "would need the other deployed first",
                path=self.path, location=location or self.location,
                hint=f"create the alarm in stack {self.stack.path} (cloudwatch.Alarm(fn.stack, ...)), or pass "
                     "the name of an alarm that lives outside this app as a string")
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

    def _alarm_configuration(self) -> dict[str, Any] | None:
        if not self._alarms:
            return None
        names = [alarm.alarm_name if isinstance(alarm, cloudwatch.Alarm) else alarm for alarm in self._alarms]
        configuration: dict[str, Any] = {"Enabled": True, "Alarms": [{"Name": name} for name in names]}
        if self.props.ignore_poll_alarm_failure:
            configuration["IgnorePollAlarmFailure"] = True
        return configuration

    def _auto_rollback(self) -> dict[str, Any]:
        """Roll back on failure and on request always; on alarm when there are alarms to watch
        (CodeDeploy refuses a stop-on-alarm rollback with no alarm configured)."""
        events = [event for event in ROLLBACK_EVENTS if event != "DEPLOYMENT_STOP_ON_ALARM" or self._alarms]
        return {"Enabled": True, "Events": events}

    # -- the alias and its hooks ----------------------------------------------------------------

    def _check_hooks_in_this_stack(self) -> None:
        for name in ("pre_traffic", "post_traffic"):
            hook = getattr(self.props, name)
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
        if self.props.pre_traffic is not None:
            update["BeforeAllowTrafficHook"] = self.props.pre_traffic.function_name
        if self.props.post_traffic is not None:
            update["AfterAllowTrafficHook"] = self.props.post_traffic.function_name
        alias_resource.update_policy = {**(alias_resource.update_policy or {}), "CodeDeployLambdaAliasUpdate": update}

    def _allow_hook(self, hook: Any) -> None:
        """CodeDeploy may invoke the hook; the hook may report its verdict on this group only.

        The alias waits for the service role's policy: a deployment that started before CodeDeploy
        may invoke its hooks would fail at the first one.
        """
        hook.grant_invoke(self.role)
        hook.grant_principal.add_to_policy(iam.PolicyStatement(
            actions=["codedeploy:PutLifecycleEventHookExecutionStatus"], resources=[self.deployment_group_arn]))
        if self.role.default_policy is not None:
            self.alias.resource.add_depends_on(self.role.default_policy)


__all__ = ["LAMBDA_PRESETS", "Deployment", "LambdaApplication", "LambdaDeploymentGroup"]
