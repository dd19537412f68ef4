"""Lambda: functions, their code (assets, inline, S3), permissions, versions, aliases, event sources.

A Function gets a role of its own unless one is given (with AWSLambdaBasicExecutionRole, so it can
write its logs), waits for that role's policy before it is created (so the first invocation already
has its grants), and gives out access only through grants and scoped permissions. Its metrics
(`fn.metric_errors()`, ...) feed CloudWatch alarms; an alias made with `deployment=` moves to each new
version through CodeDeploy (canary, linear or all at once), watching those alarms.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Sequence
from typing import Any

import attrs

from iac.constructs import cloudwatch, codedeploy, iam
from iac.constructs.core import CfnResource, Construct, Token
from iac.constructs.core.asset import Asset, resolve_asset_path
from iac.constructs.core.source import caller_location
from iac.constructs.core.tokens import stable_key
from iac.constructs.events import Rule
from iac.errors import ConstructError
from iac.specs import additional_spec

ARCHITECTURES = ("x86_64", "arm64")
TRACING_MODES = ("Active", "PassThrough")
MAX_INLINE_CODE = 4096
BASIC_EXECUTION_POLICY = "service-role/AWSLambdaBasicExecutionRole"
LAMBDA_SERVICE = "lambda.amazonaws.com"
_ENV_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]+$")


def known_runtimes() -> dict[str, dict[str, Any]]:
    """Runtime -> lifecycle dates, from the data cfn-lint ships (its version is pinned)."""
    return additional_spec("LmbdRuntimeLifecycle")


def _check_runtime(instance: Any, attribute: attrs.Attribute, value: str) -> None:
    runtimes = known_runtimes()
    if value not in runtimes:
        current = sorted(name for name, dates in runtimes.items() if not _blocked(dates))
        raise ValueError(f"unknown runtime {value!r}; Lambda runtimes you can use today: {', '.join(current)}")
    dates = runtimes[value]
    if _blocked(dates):
        successor = dates.get("successor")
        raise ValueError(
            f"runtime {value!r} can no longer be used to create functions (blocked since {dates['create-block']})"
            + (f"; use {successor}" if successor else "")
        )


def _blocked(dates: dict[str, Any]) -> bool:
    block = dates.get("create-block")
    return bool(block) and datetime.date.fromisoformat(block) <= datetime.date.today()


# -- code ------------------------------------------------------------------------------------

class Code:
    """Where a function's code comes from: `Code.from_asset("src")`, `from_inline`, `from_bucket`."""

    def bind(self, function: Function) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def from_asset(path: str) -> Code:
        """A folder (or file) zipped deterministically; relative paths are relative to your app file."""
        if not isinstance(path, str) or not path:
            raise ConstructError(f"Code.from_asset needs a folder or file path, got {path!r}",
                                 location=caller_location())
        return AssetCode(resolve_asset_path(path, skip=3))

    @staticmethod
    def from_inline(source: str) -> Code:
        if not isinstance(source, str):
            raise ConstructError(f"Code.from_inline needs the code as a string, got {type(source).__name__}",
                                 location=caller_location())
        return InlineCode(source)

    @staticmethod
    def from_bucket(bucket_name: Any, key: Any, object_version: Any = None) -> Code:
        return BucketCode(bucket_name, key, object_version)


@attrs.frozen
class AssetCode(Code):
    path: str

    def bind(self, function: Function) -> dict[str, Any]:
        asset = Asset(function, "Code", path=self.path)
        return {"S3Bucket": asset.bucket_name, "S3Key": asset.object_key}


@attrs.frozen
class InlineCode(Code):
    source: str

    def bind(self, function: Function) -> dict[str, Any]:
        if not self.source or len(self.source) > MAX_INLINE_CODE:
            raise ConstructError(f"inline code must be 1-{MAX_INLINE_CODE} characters, got {len(self.source)}",
                                 path=function.path, location=function.location,
                                 hint="use Code.from_asset('folder') for larger code")
        return {"ZipFile": self.source}


@attrs.frozen
class BucketCode(Code):
    bucket_name: Any
    key: Any
    object_version: Any = None

    def bind(self, function: Function) -> dict[str, Any]:
        return {"S3Bucket": self.bucket_name, "S3Key": self.key, "S3ObjectVersion": self.object_version}


# -- function --------------------------------------------------------------------------------

def _range(low: int, high: int) -> Any:
    return attrs.validators.and_(attrs.validators.instance_of(int), attrs.validators.ge(low),
                                 attrs.validators.le(high))


def _optional(validator: Any) -> Any:
    return attrs.validators.optional(validator)


@attrs.define(kw_only=True)
class FunctionProps:
    handler: str = attrs.field(validator=attrs.validators.and_(attrs.validators.instance_of(str),
                                                                attrs.validators.min_len(1)))
    runtime: str = attrs.field(validator=_check_runtime)
    code: Code = attrs.field(validator=attrs.validators.instance_of(Code))
    memory_size: int = attrs.field(default=128, validator=_range(128, 10240))
    timeout: int = attrs.field(default=3, validator=_range(1, 900))
    environment: dict[str, Any] = attrs.field(factory=dict, converter=dict)
    architecture: str = attrs.field(default="x86_64", validator=attrs.validators.in_(ARCHITECTURES))
    role: iam.Role | None = attrs.field(default=None, validator=_optional(attrs.validators.instance_of(iam.Role)))
    reserved_concurrent_executions: int | None = attrs.field(default=None, validator=_optional(_range(0, 100000)))
    tracing: str | None = attrs.field(default=None, validator=_optional(attrs.validators.in_(TRACING_MODES)))
    dead_letter_queue_arn: Any = None
    dead_letter_topic_arn: Any = None
    description: str | None = None
    function_name: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.dead_letter_queue_arn is not None and self.dead_letter_topic_arn is not None:
            raise ValueError("give dead_letter_queue_arn or dead_letter_topic_arn, not both")
        for key in self.environment:
            _check_environment_name(key)


def _check_environment_name(key: Any) -> None:
    if not isinstance(key, str) or not _ENV_NAME.match(key):
        raise ValueError(f"environment variable name {key!r} must be 2 or more letters, digits and "
                         "underscores, starting with a letter")


class Function(Construct):
    """`Function(stack, "Get", handler="index.get", runtime="nodejs22.x", code=Code.from_asset("src"))`."""

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: FunctionProps = self._build_props(FunctionProps, props)
        self.role: iam.Role = self.props.role or self._default_role()
        self._environment: dict[str, Any] = dict(self.props.environment)
        self.resource = CfnResource(self, "Resource", type="AWS::Lambda::Function", properties={
            "Handler": self.props.handler,
            "Runtime": self.props.runtime,
            "Code": self.props.code.bind(self),
            "Role": self.role.role_arn,
            "MemorySize": self.props.memory_size,
            "Timeout": self.props.timeout,
            "Architectures": [self.props.architecture],
            "Environment": _Environment(self._environment),
            "ReservedConcurrentExecutions": self.props.reserved_concurrent_executions,
            "TracingConfig": {"Mode": self.props.tracing} if self.props.tracing else None,
            "DeadLetterConfig": self._dead_letter_config(),
            "Description": self.props.description,
            "FunctionName": self.props.function_name,
        })
        self.role.add_policy_dependent(self.resource)
        self._grant_runtime_needs()
        self._versions: dict[str, Version] = {}

    def _default_role(self) -> iam.Role:
        return iam.Role(self, "ServiceRole", assumed_by=iam.ServicePrincipal(LAMBDA_SERVICE),
                        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(BASIC_EXECUTION_POLICY)])

    def _dead_letter_config(self) -> dict[str, Any] | None:
        arn = self.props.dead_letter_queue_arn or self.props.dead_letter_topic_arn
        return {"TargetArn": arn} if arn is not None else None

    def _grant_runtime_needs(self) -> None:
        if self.props.dead_letter_queue_arn is not None:
            self.role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"],
                                                        resources=[self.props.dead_letter_queue_arn]))
        if self.props.dead_letter_topic_arn is not None:
            self.role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"],
                                                        resources=[self.props.dead_letter_topic_arn]))
        if self.props.tracing == "Active":
            # X-Ray's write actions support no resource scoping: "*" is the only valid resource.
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]))

    # -- references -------------------------------------------------------------------------

    @property
    def function_name(self) -> Token:
        return self.resource.ref

    @property
    def function_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def grant_principal(self) -> iam.Role:
        return self.role

    # -- configuration ----------------------------------------------------------------------

    def add_environment(self, key: str, value: Any) -> None:
        try:
            _check_environment_name(key)
        except ValueError as error:
            raise ConstructError(str(error), path=self.path, location=caller_location()) from None
        self._environment[key] = value

    def add_permission(self, id: str, *, principal: str, action: str = "lambda:InvokeFunction",
                       source_arn: Any = None, source_account: Any = None) -> CfnResource:
        """A resource-based permission, e.g. for API Gateway or EventBridge to invoke the function."""
        return add_permission(self, self.function_arn, id, principal=principal, action=action,
                              source_arn=source_arn, source_account=source_account)

    def grant_invoke(self, grantee: Any) -> iam.Grant:
        return iam.grant(grantee, actions=["lambda:InvokeFunction"],
                         resources=[self.function_arn, f"{self.function_arn}:*"], scope=self)

    # -- versions and aliases -----------------------------------------------------------------

    @property
    def current_version(self) -> Version:
        """A Version whose logical id follows the code and configuration: it changes, and so a new
        version is published, exactly when they do."""
        if "current" not in self._versions:
            self._versions["current"] = Version(self, "CurrentVersion", function=self)
        return self._versions["current"]

    def add_alias(self, name: str, *, version: Version | None = None, description: str | None = None,
                  deployment: Any = None, alarms: Sequence[Any] = (), pre_traffic: Any = None,
                  post_traffic: Any = None) -> Alias:
        """A stable name for the current version (or `version`); what callers should invoke.

        With `deployment` (a preset name such as "Canary10Percent10Minutes", or a
        `codedeploy.Deployment`), a new version does not take all the traffic at once: CodeDeploy
        shifts it over, watching `alarms` and running the `pre_traffic` / `post_traffic` hook
        functions, and rolls back on an alarm or a failed hook (see codedeploy.LambdaDeploymentGroup).
        """
        alias = Alias(self, f"Alias{name}", function=self, alias_name=name,
                      version=version or self.current_version, description=description)
        if deployment is None:
            if alarms or pre_traffic is not None or post_traffic is not None:
                raise ConstructError(
                    f"add_alias({name!r}): alarms and traffic hooks belong to a deployment, but none was given",
                    path=alias.path, location=alias.location,
                    hint='add deployment="Canary10Percent10Minutes" (or another preset, or "AllAtOnce")')
            return alias
        alias.deployment_group = codedeploy.LambdaDeploymentGroup(
            alias, "Deployment", alias=alias, deployment=deployment, alarms=alarms, pre_traffic=pre_traffic,
            post_traffic=post_traffic)
        return alias

    # -- metrics ------------------------------------------------------------------------------

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        """One of the function's AWS/Lambda metrics, by name.

        The period defaults to a minute (Lambda publishes every minute): an alarm watching a canary
        deployment must see errors within the few minutes the canary lasts.
        """
        return cloudwatch.Metric(namespace="AWS/Lambda", metric_name=metric_name,
                                 dimensions={"FunctionName": self.function_name}, statistic=statistic, period=period)

    def metric_errors(self, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        """Invocations that ended in an error (the function's, not throttles)."""
        return self.metric("Errors", statistic=statistic, period=period)

    def metric_throttles(self, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        """Invocations refused because the function was at its concurrency limit."""
        return self.metric("Throttles", statistic=statistic, period=period)

    def metric_invocations(self, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        return self.metric("Invocations", statistic=statistic, period=period)

    def metric_duration(self, *, statistic: str = "Average", period: int = 60) -> cloudwatch.Metric:
        """Milliseconds per invocation; `statistic="p99"` for the slow tail."""
        return self.metric("Duration", statistic=statistic, period=period)

    # -- event sources --------------------------------------------------------------------------

    def add_schedule(self, id: str, schedule: str) -> Rule:
        """Invoke on a schedule (an EventBridge rule): 'rate(5 minutes)' or 'cron(...)'."""
        rule = Rule(self, id, schedule=schedule)
        rule.add_target(self.function_arn)
        self.add_permission(f"{id}Permission", principal="events.amazonaws.com", source_arn=rule.rule_arn)
        return rule

    def add_sqs_source(self, id: str, queue_arn: Any, *, batch_size: int = 10) -> CfnResource:
        """Poll an SQS queue; the function may receive and delete its messages, nothing more."""
        _check_batch(self, batch_size, 10000)
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                     "sqs:ChangeMessageVisibility"], resources=[queue_arn]))
        return CfnResource(self, id, type="AWS::Lambda::EventSourceMapping", properties={
            "EventSourceArn": queue_arn, "FunctionName": self.function_name, "BatchSize": batch_size})

    def add_dynamodb_stream_source(self, id: str, table: Any, *, starting_position: str = "LATEST",
                                   batch_size: int = 100) -> CfnResource:
        """Read a table's stream (the table needs `stream=`); grants only the stream read actions."""
        if starting_position not in ("LATEST", "TRIM_HORIZON"):
            raise ConstructError(f"starting_position must be LATEST or TRIM_HORIZON, got {starting_position!r}",
                                 path=self.path, location=self.location)
        _check_batch(self, batch_size, 10000)
        table.grant_stream_read(self)
        return CfnResource(self, id, type="AWS::Lambda::EventSourceMapping", properties={
            "EventSourceArn": table.table_stream_arn, "FunctionName": self.function_name,
            "BatchSize": batch_size, "StartingPosition": starting_position})


class _Environment(Token):
    """{"Variables": ...} once the function's environment is final (None when empty)."""

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables

    def resolve(self, context: Any) -> Any:
        return context.resolve({"Variables": self.variables}) if self.variables else None


def _check_batch(function: Function, batch_size: int, high: int) -> None:
    if not isinstance(batch_size, int) or not 1 <= batch_size <= high:
        raise ConstructError(f"batch_size must be 1-{high}, got {batch_size!r}", path=function.path,
                             location=function.location)


def add_permission(scope: Construct, function_arn: Any, id: str, *, principal: str, action: str,
                   source_arn: Any, source_account: Any) -> CfnResource:
    if not isinstance(principal, str) or not principal:
        raise ConstructError("principal must be a service (apigateway.amazonaws.com) or an account/ARN",
                             path=scope.path, location=scope.location)
    return CfnResource(scope, id, type="AWS::Lambda::Permission", properties={
        "Action": action, "FunctionName": function_arn, "Principal": principal,
        "SourceArn": source_arn, "SourceAccount": source_account})


class Version(CfnResource):
    """AWS::Lambda::Version with a logical id that ends in a hash of the function's configuration."""

    def __init__(self, scope: Construct, id: str, *, function: Function) -> None:
        super().__init__(scope, id, type="AWS::Lambda::Version", properties={"FunctionName": function.function_name})
        self.function = function
        # A new configuration is a new logical id, so CloudFormation removes the old version after the
        # update: Retain keeps it published for rollbacks and for traffic still shifting to it (as SAM does).
        self.deletion_policy = "Retain"
        self.update_replace_policy = "Retain"

    @property
    def logical_id(self) -> str:
        if self._logical_id_override is not None:
            return self._logical_id_override
        digest = hashlib.sha256(stable_key(self.function.resource.properties).encode()).hexdigest()[:8].upper()
        return f"{self.function.resource.logical_id}Version{digest}"[-255:]

    @property
    def version(self) -> Token:
        return self.get_att("Version")


class Alias(Construct):
    """A stable name for a version (`live`); what callers and deployments should point at."""

    def __init__(self, scope: Construct, id: str, *, function: Function, alias_name: str, version: Version,
                 description: str | None = None) -> None:
        super().__init__(scope, id)
        self.function = function
        self.alias_name = alias_name
        self.version = version
        #: Set when the alias shifts traffic with CodeDeploy (add_alias(..., deployment=...)).
        self.deployment_group: Any = None
        self.resource = CfnResource(self, "Resource", type="AWS::Lambda::Alias", properties={
            "FunctionName": function.function_name, "FunctionVersion": version.version,
            "Name": alias_name, "Description": description})

    @property
    def function_arn(self) -> Token:
        return self.resource.ref  # an alias's Ref is its ARN

    @property
    def grant_principal(self) -> iam.Role:
        return self.function.role

    def add_permission(self, id: str, *, principal: str, action: str = "lambda:InvokeFunction",
                       source_arn: Any = None, source_account: Any = None) -> CfnResource:
        return add_permission(self, self.function_arn, id, principal=principal, action=action,
                              source_arn=source_arn, source_account=source_account)


__all__ = ["Alias", "Code", "Function", "Version", "known_runtimes"]
