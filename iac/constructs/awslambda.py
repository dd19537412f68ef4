"""Lambda: functions, their code (assets, inline, S3), permissions, versions, aliases, event sources.

A Function gets a role of its own unless one is given (with AWSLambdaBasicExecutionRole, so it can
write its logs), waits for that role's policy before it is created (so the first invocation already
has its grants), and gives out access only through grants and scoped permissions. Its metrics
(`fn.metric_errors()`, ...) feed CloudWatch alarms; an alias made with `deployment=` moves to each new
version through CodeDeploy (canary, linear or all at once), watching those alarms.

A runtime's lifecycle (deprecated, then blocked for new functions, then for updates) is a synth rule:
it needs the date (iac.clock) and the baseline assembly, to tell a function that would be created from
one that would be updated. Samples and project templates start on DEFAULT_NODEJS_RUNTIME /
DEFAULT_PYTHON_RUNTIME.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import attrs

from iac import clock
from iac.constructs import cloudwatch, codedeploy, ec2, iam, kinesis, sns, sqs
from iac.constructs.core import CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.asset import Asset, resolve_asset_path
from iac.constructs.core.props import Cfn, Check, schema_problem
from iac.constructs.core.source import caller_location
from iac.constructs.core.synth_rules import RuleFinding, StackResource, SynthContext, add_resource_rule
from iac.constructs.core.tokens import stable_key
from iac.constructs.core.units import Duration, Size
from iac.constructs.events import Rule
from iac.errors import ConstructError
from iac.specs import additional_spec, property_enum, property_range, property_schema, schema_extension

if TYPE_CHECKING:
    from iac.constructs.connections import Connections

RESOURCE_TYPE = "AWS::Lambda::Function"
EVENT_SOURCE_MAPPING = "AWS::Lambda::EventSourceMapping"
MAX_INLINE_CODE = 4096
BASIC_EXECUTION_POLICY = "service-role/AWSLambdaBasicExecutionRole"
VPC_ACCESS_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"  # the network interfaces in the VPC
LAMBDA_SERVICE = "lambda.amazonaws.com"

#: The runtimes iac's samples and `iac init` project templates use: one place to bump them. Fixed, not
#: chosen by date (a template must not change with the calendar); tests/constructs/test_awslambda.py
#: warns when one nears its deprecation date in the lifecycle data and fails once it is past.
DEFAULT_NODEJS_RUNTIME = "nodejs24.x"
DEFAULT_PYTHON_RUNTIME = "python3.13"
DEFAULT_RUNTIMES = (DEFAULT_NODEJS_RUNTIME, DEFAULT_PYTHON_RUNTIME)

#: Synth warns about a runtime from this many days before its deprecation date.
DEPRECATION_NOTICE_DAYS = 90
#: cfn-lint's runtime rules (by the calendar, for every function alike), replaced by the rule below.
REPLACED_LINT_RULES = ("E2531", "E2533", "W2531")
LIFECYCLE_CODE = "runtime-lifecycle"


# -- runtimes and their lifecycle ---------------------------------------------------------------

def known_runtimes() -> dict[str, dict[str, Any]]:
    """Runtime -> lifecycle dates, from the data cfn-lint ships (its version is pinned)."""
    return dict(_lifecycle_data())


@functools.cache
def _lifecycle_data() -> dict[str, dict[str, Any]]:
    data = additional_spec("LmbdRuntimeLifecycle")
    return data if isinstance(data, dict) else {}


@functools.cache
def runtime_names() -> tuple[str, ...]:
    """Every runtime name Lambda knows: the registry schema's and the lifecycle data's (a runtime new
    enough to have no lifecycle dates yet is in the schema only)."""
    return tuple(sorted(set(property_enum(RESOURCE_TYPE, "Runtime")) | set(_lifecycle_data())))


@attrs.frozen
class RuntimeLifecycle:
    """A runtime's dates: deprecated (no more patches), then blocked for new functions (create-block),
    then for updates of existing ones (update-block); None where the data sets no date."""

    runtime: str
    deprecated: datetime.date | None
    create_block: datetime.date | None
    update_block: datetime.date | None
    successor: str | None

    def create_blocked(self, today: datetime.date) -> bool:
        return self.create_block is not None and self.create_block <= today

    def update_blocked(self, today: datetime.date) -> bool:
        return self.update_block is not None and self.update_block <= today

    def deprecation_notice(self, today: datetime.date) -> bool:
        """From DEPRECATION_NOTICE_DAYS before the deprecation date on."""
        return (self.deprecated is not None
                and self.deprecated - datetime.timedelta(days=DEPRECATION_NOTICE_DAYS) <= today)


def runtime_lifecycle(runtime: str) -> RuntimeLifecycle | None:
    """The lifecycle of `runtime` per cfn-lint's data; None for a runtime the data has no dates for."""
    dates = _lifecycle_data().get(runtime)
    if not isinstance(dates, dict):
        return None
    successor = dates.get("successor")
    return RuntimeLifecycle(runtime=runtime, deprecated=_date(dates.get("deprecated")),
                            create_block=_date(dates.get("create-block")),
                            update_block=_date(dates.get("update-block")),
                            successor=successor if isinstance(successor, str) else None)


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def usable_runtimes(today: datetime.date) -> tuple[str, ...]:
    """The runtimes a new function may use on `today`."""
    return tuple(name for name in runtime_names()
                 if not ((lifecycle := runtime_lifecycle(name)) and lifecycle.create_blocked(today)))


def _unknown_runtime(value: str) -> str | None:
    if value in runtime_names():
        return None
    today = clock.today()
    close = difflib.get_close_matches(value, runtime_names(), n=1, cutoff=0.6)
    return (f"unknown runtime {value!r}{f' (did you mean {close[0]!r}?)' if close else ''}; "
            f"runtimes new functions can use on {today}: {', '.join(usable_runtimes(today))}")


def _runtime_lifecycle_rule(resource: StackResource, context: SynthContext) -> Iterator[RuleFinding]:
    """The runtime's lifecycle at synth: a function the baseline assembly does not have is created, and
    is refused from the runtime's create-block date; one it has is updated, refused from the update-block
    date. A warning from DEPRECATION_NOTICE_DAYS before the deprecation date on."""
    runtime = resource.properties.get("Runtime")
    lifecycle = runtime_lifecycle(runtime) if isinstance(runtime, str) else None
    if lifecycle is None:
        return
    today = context.today
    if not (lifecycle.create_blocked(today) or lifecycle.update_blocked(today) or lifecycle.deprecation_notice(today)):
        return
    exists = context.baseline_has(resource.stack, resource.logical_id, RESOURCE_TYPE)
    successor = lifecycle.successor or "a newer runtime"
    dates = f"{runtime}: {_lifecycle_dates(lifecycle)}"
    baseline = context.baseline_name
    if exists and lifecycle.update_blocked(today):
        yield _finding(f"runtime {runtime!r} can no longer be updated: Lambda refuses updates of functions on it "
                       f"since {lifecycle.update_block}, and this function exists (in the baseline assembly "
                       f"{baseline}/)", hint=f"move the function to {successor} ({dates})")
    elif not exists and lifecycle.create_blocked(today):
        why = (f"the baseline assembly {baseline}/ does not have it" if baseline
               else "there is no baseline assembly: on a first synth every function is new")
        yield _finding(f"runtime {runtime!r} can no longer be used to create functions: Lambda refuses new "
                       f"functions on it since {lifecycle.create_block}, and this function is new ({why})",
                       hint=f"move the function to {successor} ({dates})")
    elif exists and lifecycle.create_blocked(today):
        until = f"until {lifecycle.update_block}" if lifecycle.update_block else "for now"
        yield _finding(f"runtime {runtime!r} is blocked for new functions since {lifecycle.create_block}; this "
                       f"function exists (in the baseline assembly {baseline}/) and may be updated {until}",
                       hint=f"move the function to {successor} {until.replace('until', 'before')} ({dates})",
                       severity="warning")
    elif lifecycle.deprecation_notice(today) and lifecycle.deprecated is not None:
        days = (lifecycle.deprecated - today).days
        when = (f"since {lifecycle.deprecated}: AWS no longer patches it" if days <= 0
                else f"on {lifecycle.deprecated} (in {days} day{'s' if days != 1 else ''}): AWS stops patching it then")
        blocks = [f"new functions from {lifecycle.create_block}" if lifecycle.create_block else "",
                  f"updates from {lifecycle.update_block}" if lifecycle.update_block else ""]
        refused = " and ".join(part for part in blocks if part)
        yield _finding(f"runtime {runtime!r} is deprecated {when}" + (f"; Lambda refuses {refused}" if refused else ""),
                       hint=f"move the function to {successor} ({dates})", severity="warning")


def _lifecycle_dates(lifecycle: RuntimeLifecycle) -> str:
    parts = [f"{label} {date}" for label, date in (("deprecated", lifecycle.deprecated),
                                                   ("create-block", lifecycle.create_block),
                                                   ("update-block", lifecycle.update_block)) if date is not None]
    if lifecycle.successor:
        parts.append(f"successor {lifecycle.successor}")
    return ", ".join(parts) or "no dates"


def _finding(message: str, *, hint: str, severity: str = "error") -> RuleFinding:
    return RuleFinding(message, hint=hint, severity="warning" if severity == "warning" else "error",
                       code=LIFECYCLE_CODE, property="Runtime")


add_resource_rule(RESOURCE_TYPE, _runtime_lifecycle_rule, replaces_lint=REPLACED_LINT_RULES)


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

def _one_of(value: Any, options: Sequence[Any], where: str) -> str | None:
    """The problem with `value` outside `options` (read from the schema at `where`), or None."""
    if not options or value in options:
        return None
    close = difflib.get_close_matches(str(value), [str(option) for option in options], n=1, cutoff=0.5)
    return (f"{value!r} is not one of {', '.join(map(repr, options))}"
            f"{f' (did you mean {close[0]!r}?)' if close else ''} ({RESOURCE_TYPE} {where}, per its schema)")


def _architecture_problem(value: str) -> str | None:
    return _one_of(value, property_enum(RESOURCE_TYPE, "Architectures"), "Architectures")


def _tracing_problem(value: str) -> str | None:
    return _one_of(value, property_enum(RESOURCE_TYPE, "TracingConfig", "Mode"), "TracingConfig.Mode")


@functools.cache
def _timeout_without_capacity_provider() -> int | None:
    """The longest Timeout of a function without CapacityProviderConfig (which Function never sets), from
    cfn-lint's schema extension for AWS::Lambda::Function (the registry schema allows the longer limit
    of Lambda Managed Instances)."""
    try:
        extension = schema_extension("aws_lambda_function", "capacity_provider_timeout")
    except OSError:
        return None
    then = extension.get("then", {}) if isinstance(extension, dict) else {}
    maximum = then.get("properties", {}).get("Timeout", {}).get("maximum") if isinstance(then, dict) else None
    return maximum if isinstance(maximum, int) else None


def _timeout_problem(value: int) -> str | None:
    maximum = _timeout_without_capacity_provider()
    if maximum is None or value <= maximum:
        return None
    return f"{value} seconds is over the maximum of {maximum} for a function without CapacityProviderConfig"


@functools.cache
def _environment_name_pattern() -> re.Pattern[str] | None:
    """The schema's pattern for environment variable names (Environment.Variables' patternProperties),
    matched whole: "2 or more letters, digits and underscores, starting with a letter"."""
    node = property_schema(RESOURCE_TYPE, "Environment", "Variables") or {}
    patterns = node.get("patternProperties")
    if not isinstance(patterns, dict) or len(patterns) != 1:
        return None
    [pattern] = patterns
    return re.compile(pattern)


@functools.cache
def _reserved_environment_names() -> frozenset[str]:
    """The names Lambda sets itself (AWS_REGION, ...), from cfn-lint's schema extension."""
    try:
        extension = schema_extension("aws_lambda_function", "environment_variable_keys")
    except OSError:
        return frozenset()
    names = extension.get("propertyNames", {}).get("not", {}).get("enum") if isinstance(extension, dict) else None
    return frozenset(name for name in names if isinstance(name, str)) if isinstance(names, list) else frozenset()


def _environment_name_problem(key: Any) -> str | None:
    pattern = _environment_name_pattern()
    if isinstance(key, str) and key in _reserved_environment_names():
        return f"environment variable name {key!r} is reserved: Lambda sets it itself"
    if isinstance(key, str) and (pattern is None or pattern.fullmatch(key)):
        return None
    shown = f" ({pattern.pattern})" if pattern is not None else ""
    return (f"environment variable name {key!r} must be 2 or more letters, digits and underscores, "
            f"starting with a letter{shown}")


def _environment_problem(value: Mapping[str, Any]) -> str | None:
    return next((problem for key in value if (problem := _environment_name_problem(key))), None)


class Function(Construct):
    """A Lambda function (`AWS::Lambda::Function`, the child `Resource`) with a role of its own.

    `Function(stack, "Get", handler="index.get", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
    code=Code.from_asset("src"))`.

    The runtime's lifecycle is checked at synth against the baseline (the previous synth's assembly):
    a warning from DEPRECATION_NOTICE_DAYS before its deprecation date, an error from its create-block
    date for a function the baseline does not have, and from its update-block date for one it has.

    Args:
        handler: the function in your code Lambda calls, e.g. "index.handler" (file.function).
        runtime: the Lambda runtime, e.g. "nodejs24.x" or "python3.13" (DEFAULT_NODEJS_RUNTIME,
            DEFAULT_PYTHON_RUNTIME); an unknown name is refused with the runtimes you can use.
        code: where the code comes from: `Code.from_asset("folder")`, `Code.from_inline(...)` or
            `Code.from_bucket(...)`.
        memory_size: memory in MiB (a number or `Size.mebibytes(n)`); more memory also gives more CPU.
        timeout: how long an invocation may run, in seconds or as a `Duration`; at most the limit
            cfn-lint's data sets for a function without CapacityProviderConfig (900 seconds today: the
            schema's higher maximum is for Lambda Managed Instances, which Function does not use).
        environment: environment variables (names of 2 or more letters, digits and underscores,
            starting with a letter); more can be added with `add_environment`.
        architecture: the instruction set: "x86_64" (default) or "arm64".
        role: the role the function runs as; by default one of its own, allowed to write its logs.
        reserved_concurrent_executions: concurrency kept for this function (and its limit).
        tracing: X-Ray tracing: "Active" (the role may write traces) or "PassThrough".
        dead_letter_queue_arn: an SQS queue for events whose asynchronous invocation failed (the role
            may send to it); not together with dead_letter_topic_arn.
        dead_letter_topic_arn: an SNS topic for those events instead (the role may publish to it).
        description: a description of the function.
        function_name: a fixed function name; CloudFormation generates one when omitted (a fixed
            name makes the function impossible to replace without a name change).
        vpc: run the function in this VPC (its role gets AWSLambdaVPCAccessExecutionRole, for the network
            interfaces); `fn.connections` then says who it may reach and who may reach it.
        vpc_subnets: the subnets of `vpc` it runs in (default: the private ones, else the isolated ones).
        security_groups: the function's groups in the VPC (default: one of its own, the child
            `SecurityGroup`, that lets HTTPS out and nothing in).
        allow_public_subnet: place it in public subnets anyway (a function there gets no public address,
            so it cannot reach the internet; refused unless True).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        handler: Annotated[str, Cfn("Handler")],
        runtime: Annotated[str, Check(_unknown_runtime)],
        code: Code,
        memory_size: Annotated[int | Size, Cfn("MemorySize", unit="mebibytes")] = 128,
        timeout: Annotated[int | Duration, Cfn("Timeout", unit="seconds"), Check(_timeout_problem)] = 3,
        environment: Annotated[Mapping[str, Any] | None, Check(_environment_problem)] = None,
        architecture: Annotated[str, Check(_architecture_problem)] = "x86_64",
        role: iam.Role | None = None,
        reserved_concurrent_executions: Annotated[int | None, Cfn("ReservedConcurrentExecutions")] = None,
        tracing: Annotated[str | None, Check(_tracing_problem)] = None,
        dead_letter_queue_arn: str | Token | None = None,
        dead_letter_topic_arn: str | Token | None = None,
        description: Annotated[str | None, Cfn("Description")] = None,
        function_name: Annotated[str | Token | None, Cfn("FunctionName")] = None,
        vpc: ec2.Vpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.SecurityGroup] | None = None,
        allow_public_subnet: bool = False,
    ) -> None:
        super().__init__(scope, id)
        if dead_letter_queue_arn is not None and dead_letter_topic_arn is not None:
            raise ConstructError(f"Function {id!r}: give dead_letter_queue_arn or dead_letter_topic_arn, not both",
                                 path=self.path, location=self.location)
        self.runtime = runtime
        self.role: iam.Role = role or self._default_role()
        self._environment: dict[str, Any] = dict(environment or {})
        dead_letter_arn = dead_letter_queue_arn if dead_letter_queue_arn is not None else dead_letter_topic_arn
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Handler": handler,
            "Runtime": runtime,
            "Code": code.bind(self),
            "Role": self.role.role_arn,
            "MemorySize": memory_size,
            "Timeout": timeout,
            "Architectures": [architecture],
            "Environment": _Environment(self._environment),
            "ReservedConcurrentExecutions": reserved_concurrent_executions,
            "TracingConfig": {"Mode": tracing} if tracing else None,
            "DeadLetterConfig": {"TargetArn": dead_letter_arn} if dead_letter_arn is not None else None,
            "Description": description,
            "FunctionName": function_name,
            "VpcConfig": self._vpc_config(vpc, vpc_subnets, security_groups, allow_public_subnet),
        })
        self.role.add_policy_dependent(self.resource)
        if self._subnets is not None:
            self.resource.add_depends_on(*self._subnets.internet_connectivity)  # reachable once it runs
        self._grant_runtime_needs(dead_letter_queue_arn, dead_letter_topic_arn, tracing)
        self._versions: dict[str, Version] = {}

    def _vpc_config(self, vpc: ec2.Vpc | None, selection: ec2.SubnetSelection | None,
                    groups: Sequence[ec2.SecurityGroup] | None, allow_public: bool) -> dict[str, Any] | None:
        """VpcConfig for a function in a VPC: its subnets, its groups (`connections`), the ENI permissions."""
        from iac.constructs.connections import Connections

        self._connections: Connections | None = None
        self._subnets: ec2.SelectedSubnets | None = None
        if vpc is None:
            if selection is not None or groups:
                raise ConstructError(f"Function {self.id!r}: vpc_subnets and security_groups need vpc=",
                                     path=self.path, location=self.location)
            return None
        self._subnets = vpc.select_subnets(selection)
        if not allow_public and any(s.subnet_type == ec2.SubnetType.PUBLIC for s in self._subnets.subnets):
            raise ConstructError(f"Function {self.id!r} would run in public subnets, where it gets no public address "
                                 "and so cannot reach the internet", path=self.path, location=self.location,
                                 hint="choose private or isolated subnets, or pass allow_public_subnet=True")
        if not groups:
            group = ec2.SecurityGroup(self, "SecurityGroup", vpc=vpc,
                                      description=ec2.generated_description(f"{self.path} (Lambda function)"))
            group.allow_to(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS out: AWS APIs")
            groups = [group]
        self._connections = Connections(security_groups=groups)
        self.role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(VPC_ACCESS_POLICY))
        return {"SubnetIds": self._subnets.subnet_ids, "SecurityGroupIds": [g.security_group_id for g in groups]}

    @property
    def connections(self) -> Connections:
        """The function's security groups (`fn.connections.allow_to(db, ...)`); only for a function in a VPC."""
        if self._connections is None:
            raise ConstructError(f"Function {self.path} has no security groups: it is not in a VPC",
                                 path=self.path, location=caller_location(), hint="create it with vpc=")
        return self._connections

    def _default_role(self) -> iam.Role:
        return iam.Role(self, "ServiceRole", assumed_by=iam.ServicePrincipal(LAMBDA_SERVICE),
                        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(BASIC_EXECUTION_POLICY)])

    def _grant_runtime_needs(self, queue_arn: Any, topic_arn: Any, tracing: str | None) -> None:
        if queue_arn is not None:
            self.role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue_arn]))
        if topic_arn is not None:
            self.role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[topic_arn]))
        if tracing == "Active":
            # X-Ray's write actions support no resource scoping: "*" is the only valid resource.
            self.role.add_to_policy(iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]))

    @classmethod
    def from_function_arn(cls, scope: Construct, id: str, function_arn: str | Token, *,
                          role: iam.Role | None = None) -> ImportedFunction:
        """A function that exists, by its ARN: invoke grants, permissions, metrics and schedules work on it;
        it makes no resource, and what would change the function (its environment, versions) is refused."""
        return ImportedFunction(scope, id, function_arn=function_arn, role=role)

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
        problem = _environment_name_problem(key)
        if problem:
            raise ConstructError(problem, path=self.path, location=caller_location())
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
        _check_batch(self, batch_size)
        self.role.add_to_policy(iam.PolicyStatement(
            actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                     "sqs:ChangeMessageVisibility"], resources=[queue_arn]))
        return CfnResource(self, id, type=EVENT_SOURCE_MAPPING, properties={
            "EventSourceArn": queue_arn, "FunctionName": self.function_name, "BatchSize": batch_size})

    def add_event_source(self, source: SqsEventSource | KinesisEventSource, *, id: str | None = None) -> CfnResource:
        """Invoke the function with what `source` delivers (`SqsEventSource(queue, ...)`,
        `KinesisEventSource(stream, ...)`), granting the function what reading it takes; the mapping is the
        child `id` (default "EventSource" + the queue's or stream's id)."""
        if not isinstance(source, SqsEventSource | KinesisEventSource):
            raise ConstructError(f"add_event_source takes an awslambda.SqsEventSource or KinesisEventSource, got "
                                 f"{source!r}",
                                 path=self.path, location=caller_location())
        return source.bind(self, id=id)

    def add_dynamodb_stream_source(self, id: str, table: Any, *, starting_position: str = "LATEST",
                                   batch_size: int = 100) -> CfnResource:
        """Read a table's stream (the table needs `stream=`); grants only the stream read actions."""
        if starting_position not in ("LATEST", "TRIM_HORIZON"):
            raise ConstructError(f"starting_position must be LATEST or TRIM_HORIZON, got {starting_position!r}",
                                 path=self.path, location=self.location)
        _check_batch(self, batch_size)
        table.grant_stream_read(self)
        return CfnResource(self, id, type=EVENT_SOURCE_MAPPING, properties={
            "EventSourceArn": table.table_stream_arn, "FunctionName": self.function_name,
            "BatchSize": batch_size, "StartingPosition": starting_position})


# -- event sources -------------------------------------------------------------------------------

#: Lambda's rules for SQS event sources that neither the EventSourceMapping schema nor cfn-lint's data
#: state: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html (a batch of more than
#: 10 messages needs a batching window of at least a second; FIFO queues take no batching window).
SQS_EVENT_SOURCE_RULES_URL = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
SQS_BATCH_WITHOUT_WINDOW = 10


def _sqs_extension_number(name: str, *path: str) -> Any:
    """A number of cfn-lint's SQS event-source data: the FIFO batch-size maximum, the default timeouts."""
    node: Any = schema_extension("aws_lambda_eventsourcemapping", name)["cfnGather"]
    for part in path:
        node = node[part]
    return node


def _max_concurrency_problem(value: Any) -> str | None:
    low, high = property_range(EVENT_SOURCE_MAPPING, "ScalingConfig", "MaximumConcurrency")
    if isinstance(value, int) and not isinstance(value, bool) and (low is None or value >= low) and \
            (high is None or value <= high):
        return None
    return (f"must be a whole number from {low:g} to {high:g}, got {value!r} ({EVENT_SOURCE_MAPPING} "
            "ScalingConfig.MaximumConcurrency, per its schema)")


def _filter_criteria(patterns: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Event filter patterns as the mapping's FilterCriteria writes them: each pattern a JSON string."""
    return {"Filters": [{"Pattern": json.dumps(pattern, separators=(",", ":"))} for pattern in patterns]}


def _filters_problem(value: Any) -> str | None:
    """A `Check` rule: the patterns, written as FilterCriteria, meet that property's schema (how many, how long)."""
    return schema_problem(EVENT_SOURCE_MAPPING, ("FilterCriteria",), _filter_criteria(value))


class SqsEventSource:
    """Lambda polls an SQS queue and invokes the function with batches of its messages:
    `fn.add_event_source(awslambda.SqsEventSource(queue, batch_size=10))`. The function is granted
    `queue.grant_consume_messages` (and the queue's key, if it has one), nothing more.

    Checked when added, as Lambda and cfn-lint's data require: the queue's visibility timeout is at
    least the function's timeout; a FIFO queue takes batches of at most 10 and no batching window; a
    standard queue's batch above 10 needs a batching window of a second or more.

    Args:
        queue: the sqs.Queue to poll (or one made elsewhere, `sqs.Queue.from_queue_arn`).
        batch_size: messages per invocation (Lambda's default is 10; at most 10 for a FIFO queue).
        max_batching_window: how long Lambda gathers messages before invoking, in seconds or as a
            `Duration` (standard queues only).
        report_batch_item_failures: the function reports which messages of a batch failed
            (`{"batchItemFailures": [...]}`), so only those return to the queue.
        max_concurrency: the most concurrent invocations this source makes (ScalingConfig).
        filters: event filter patterns, e.g. [{"body": {"kind": ["refund"]}}]: only matching messages invoke
            the function (the others are deleted from the queue).
        enabled: False creates the mapping paused.
    """

    cfn_type = EVENT_SOURCE_MAPPING

    @sqs.checked_options
    def __init__(
        self,
        queue: sqs.QueueBase,
        *,
        batch_size: Annotated[int | None, Cfn("BatchSize")] = None,
        max_batching_window: Annotated[int | Duration | None,
                                       Cfn("MaximumBatchingWindowInSeconds", unit="seconds")] = None,
        report_batch_item_failures: bool = False,
        max_concurrency: Annotated[int | None, Check(_max_concurrency_problem)] = None,
        filters: Annotated[Sequence[Mapping[str, Any]] | None, Check(_filters_problem)] = None,
        enabled: bool = True,
    ) -> None:
        self.queue = queue
        self.batch_size = batch_size
        self.max_batching_window = max_batching_window
        self.report_batch_item_failures = report_batch_item_failures
        self.max_concurrency = max_concurrency
        self.filters = list(filters) if filters is not None else None
        self.enabled = enabled
        self.location = caller_location()

    def bind(self, function: Function, *, id: str | None = None) -> CfnResource:
        """Make the mapping as a child of `function` and grant it the queue."""
        self._check(function)
        self.queue.grant_consume_messages(function)
        return CfnResource(function, id or f"EventSource{self.queue.id}", type=EVENT_SOURCE_MAPPING, properties={
            "EventSourceArn": self.queue.queue_arn,
            "FunctionName": function.function_name,
            "BatchSize": self.batch_size,
            "MaximumBatchingWindowInSeconds": self.max_batching_window,
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if self.report_batch_item_failures else None,
            "ScalingConfig": {"MaximumConcurrency": self.max_concurrency} if self.max_concurrency is not None
            else None,
            "FilterCriteria": _filter_criteria(self.filters) if self.filters else None,
            "Enabled": None if self.enabled else False,
        })

    def _check(self, function: Function) -> None:
        problem = hint = None
        queue = self.queue
        fifo_max = _sqs_extension_number("event_source_sqs_fifo_batch_size", "schema", "then", "properties", "local",
                                         "properties", "BatchSize", "maximum")
        if queue.fifo and self.batch_size is not None and self.batch_size > fifo_max:
            problem = f"a FIFO queue's batch_size is at most {fifo_max}, got {self.batch_size}"
        elif queue.fifo and self.max_batching_window is not None:
            problem = "a FIFO queue takes no max_batching_window"
            hint = SQS_EVENT_SOURCE_RULES_URL
        elif (self.batch_size or 0) > SQS_BATCH_WITHOUT_WINDOW and not self.max_batching_window:
            problem = (f"a batch_size above {SQS_BATCH_WITHOUT_WINDOW} ({self.batch_size}) needs a "
                       "max_batching_window of at least 1 second")
            hint = SQS_EVENT_SOURCE_RULES_URL
        else:
            problem, hint = self._timeout_problem(function)
        if problem is not None:
            raise ConstructError(f"SqsEventSource for {queue.path}: {problem}", path=function.path,
                                 location=self.location or caller_location(), hint=hint)

    def _timeout_problem(self, function: Function) -> tuple[str | None, str | None]:
        """cfn-lint's rule: the queue's visibility timeout at least the function's timeout (their defaults
        from the same data), else a message could be handed to a second invocation while the first runs."""
        gather = ("gather",)
        queue_default = _sqs_extension_number("event_source_sqs_timeout", *gather, "queue", "properties",
                                              "VisibilityTimeout", "default")
        function_default = _sqs_extension_number("event_source_sqs_timeout", *gather, "function", "properties",
                                                 "Timeout", "default")
        if not isinstance(self.queue, sqs.Queue):
            return None, None  # a queue made elsewhere: its visibility timeout is not known here
        visibility = self.queue.visibility_timeout if self.queue.visibility_timeout is not None else queue_default
        timeout = function.resource.properties.get("Timeout")
        timeout = function_default if timeout is None else timeout
        if not isinstance(visibility, int) or not isinstance(timeout, int) or visibility >= timeout:
            return None, None
        return (f"the queue's visibility timeout ({visibility} seconds) is shorter than the function's timeout "
                f"({timeout} seconds)", f"give the queue visibility_timeout=Duration.seconds({timeout * 6}) (AWS "
                "suggests six times the function's timeout)")


#: Lambda's rule for MaximumRecordAgeInSeconds that its schema states only in words (-1, forever, or at least a
#: minute): https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
MIN_RECORD_AGE_SECONDS = 60


def _starting_positions() -> tuple[str, ...]:
    """The positions the StartingPosition schema names: its enum, else the alternation its pattern is."""
    from iac.specs import property_pattern

    enum = property_enum(EVENT_SOURCE_MAPPING, "StartingPosition")
    match = re.search(r"\(([A-Z_|]+)\)", property_pattern(EVENT_SOURCE_MAPPING, "StartingPosition") or "")
    return tuple(map(str, enum)) if enum else tuple(match.group(1).split("|")) if match else ()


def _starting_position_problem(value: Any) -> str | None:
    positions = _starting_positions()
    if value in positions:
        return None
    close = difflib.get_close_matches(str(value), positions, n=1, cutoff=0.5)
    return (f"must be one of {', '.join(positions)} ({EVENT_SOURCE_MAPPING} StartingPosition, per its schema), got "
            f"{value!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))


def _record_age_problem(value: Any) -> str | None:
    if not isinstance(value, int) or value == -1 or value >= MIN_RECORD_AGE_SECONDS:
        return None
    return f"must be -1 (forever) or at least {MIN_RECORD_AGE_SECONDS} seconds (Lambda's rule), got {value}"


class KinesisEventSource:
    """Lambda reads a Kinesis stream's shards and invokes the function with batches of records:
    `fn.add_event_source(awslambda.KinesisEventSource(stream, starting_position="TRIM_HORIZON"))`. The function
    is granted `stream.grant_read` (and the stream's key, if it has one; through a consumer, the consumer's
    `grant_read`) and, with `on_failure=`, sending to that queue or publishing to that topic; nothing more.

    Args:
        stream: the kinesis.Stream to read (or one made elsewhere, `kinesis.Stream.from_stream_arn`), or a
            kinesis.StreamConsumer to read it through enhanced fan-out.
        starting_position: where a new mapping starts reading: "LATEST" (new records only, the default),
            "TRIM_HORIZON" (the oldest record kept) or "AT_TIMESTAMP" (with starting_position_timestamp).
        starting_position_timestamp: with "AT_TIMESTAMP", the time to start from: Unix seconds or an aware
            `datetime`.
        batch_size: records per invocation (Lambda's default is 100).
        max_batching_window: how long Lambda gathers records before invoking, in seconds or as a `Duration`.
        bisect_batch_on_error: when the function fails, split the batch in two and retry each half, so one bad
            record does not hold back the others.
        retry_attempts: how often a failed batch is retried before it is skipped (and sent to on_failure);
            Lambda's default, -1, retries until the records expire from the stream.
        max_record_age: skip records older than this, in seconds or as a `Duration` (at least 60 seconds; -1,
            Lambda's default, never).
        parallelization_factor: batches processed at once per shard (records with the same partition key
            stay in order).
        report_batch_item_failures: the function reports which records of a batch failed
            (`{"batchItemFailures": [...]}`), so retries start from the first of them.
        tumbling_window: the length of a tumbling window for aggregating state across invocations, in seconds
            or as a `Duration`.
        on_failure: an sqs.Queue or sns.Topic that receives a record of each batch skipped after its retries
            (standard queues and topics only); the function is granted sending or publishing to it.
        filters: event filter patterns, e.g. [{"data": {"kind": ["refund"]}}]: only matching records invoke the
            function.
        enabled: False creates the mapping paused.
    """

    cfn_type = EVENT_SOURCE_MAPPING

    @sqs.checked_options
    def __init__(
        self,
        stream: kinesis.StreamBase | kinesis.StreamConsumer,
        *,
        starting_position: Annotated[str, Check(_starting_position_problem)] = "LATEST",
        starting_position_timestamp: int | float | datetime.datetime | None = None,
        batch_size: Annotated[int | None, Cfn("BatchSize")] = None,
        max_batching_window: Annotated[int | Duration | None,
                                       Cfn("MaximumBatchingWindowInSeconds", unit="seconds")] = None,
        bisect_batch_on_error: bool = False,
        retry_attempts: Annotated[int | None, Cfn("MaximumRetryAttempts")] = None,
        max_record_age: Annotated[int | Duration | None, Cfn("MaximumRecordAgeInSeconds", unit="seconds"),
                                  Check(_record_age_problem)] = None,
        parallelization_factor: Annotated[int | None, Cfn("ParallelizationFactor")] = None,
        report_batch_item_failures: bool = False,
        tumbling_window: Annotated[int | Duration | None, Cfn("TumblingWindowInSeconds", unit="seconds")] = None,
        on_failure: sqs.QueueBase | sns.TopicBase | None = None,
        filters: Annotated[Sequence[Mapping[str, Any]] | None, Check(_filters_problem)] = None,
        enabled: bool = True,
    ) -> None:
        self.location = caller_location()
        problem = None
        if (starting_position == "AT_TIMESTAMP") != (starting_position_timestamp is not None):
            problem = "starting_position_timestamp goes with starting_position='AT_TIMESTAMP', and only with it"
        elif isinstance(starting_position_timestamp, datetime.datetime) and starting_position_timestamp.tzinfo is None:
            problem = "starting_position_timestamp needs a timezone (datetime(..., tzinfo=datetime.UTC))"
        elif getattr(on_failure, "fifo", False):
            problem = ("on_failure must be a standard queue or topic: Lambda sends no failure records to a FIFO one "
                       "(https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html)")
        if problem is not None:
            raise ConstructError(f"KinesisEventSource for {stream.path}: {problem}", path=stream.path,
                                 location=self.location)
        if isinstance(starting_position_timestamp, datetime.datetime):
            starting_position_timestamp = starting_position_timestamp.timestamp()
        self.stream = stream
        self.starting_position = starting_position
        self.on_failure = on_failure
        self.filters = list(filters) if filters is not None else None
        self._properties: dict[str, Any] = {
            "StartingPosition": starting_position,
            "StartingPositionTimestamp": starting_position_timestamp,
            "BatchSize": batch_size,
            "MaximumBatchingWindowInSeconds": max_batching_window,
            "BisectBatchOnFunctionError": True if bisect_batch_on_error else None,
            "MaximumRetryAttempts": retry_attempts,
            "MaximumRecordAgeInSeconds": max_record_age,
            "ParallelizationFactor": parallelization_factor,
            "FunctionResponseTypes": ["ReportBatchItemFailures"] if report_batch_item_failures else None,
            "TumblingWindowInSeconds": tumbling_window,
            "FilterCriteria": _filter_criteria(self.filters) if self.filters else None,
            "Enabled": None if enabled else False,
        }

    def bind(self, function: Function, *, id: str | None = None) -> CfnResource:
        """Make the mapping as a child of `function` and grant it the stream (and the failure destination)."""
        self.stream.grant_read(function)
        source_arn = (self.stream.consumer_arn if isinstance(self.stream, kinesis.StreamConsumer)
                      else self.stream.stream_arn)
        destination = None
        if isinstance(self.on_failure, sqs.QueueBase):
            self.on_failure.grant_send_messages(function)
            destination = self.on_failure.queue_arn
        elif isinstance(self.on_failure, sns.TopicBase):
            self.on_failure.grant_publish(function)
            destination = self.on_failure.topic_arn
        return CfnResource(function, id or f"EventSource{self.stream.id}", type=EVENT_SOURCE_MAPPING, properties={
            "EventSourceArn": source_arn,
            "FunctionName": function.function_name,
            **self._properties,
            "DestinationConfig": {"OnFailure": {"Destination": destination}} if destination is not None else None,
        })


class _Environment(Token):
    """{"Variables": ...} once the function's environment is final (None when empty)."""

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables

    def resolve(self, context: Any) -> Any:
        return context.resolve({"Variables": self.variables}) if self.variables else None


def _check_batch(function: Function, batch_size: int) -> None:
    """batch_size within the EventSourceMapping schema's BatchSize range."""
    low, high = property_range(EVENT_SOURCE_MAPPING, "BatchSize")
    is_number = isinstance(batch_size, int) and not isinstance(batch_size, bool)
    if is_number and (low is None or batch_size >= low) and (high is None or batch_size <= high):
        return
    bounds = " and ".join(part for part in (f"at least {low:g}" if low is not None else "",
                                            f"at most {high:g}" if high is not None else "") if part)
    raise ConstructError(f"batch_size must be a whole number{' ' + bounds if bounds else ''}, got {batch_size!r} "
                         f"({EVENT_SOURCE_MAPPING} BatchSize, per its schema)", path=function.path,
                         location=caller_location())


def add_permission(scope: Construct, function_arn: Any, id: str, *, principal: str, action: str,
                   source_arn: Any, source_account: Any) -> CfnResource:
    if not isinstance(principal, str) or not principal:
        raise ConstructError("principal must be a service (apigateway.amazonaws.com) or an account/ARN",
                             path=scope.path, location=scope.location)
    return CfnResource(scope, id, type="AWS::Lambda::Permission", properties={
        "Action": action, "FunctionName": function_arn, "Principal": principal,
        "SourceArn": source_arn, "SourceAccount": source_account})


class Version(CfnResource):
    """AWS::Lambda::Version with a logical id that ends in a hash of the function's configuration.

    Args:
        function: the function whose current code and configuration the version publishes.
    """

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
    """A stable name for a version (`live`); what callers and deployments should point at
    (`AWS::Lambda::Alias`, the child `Resource`; usually made with `Function.add_alias`).

    Args:
        function: the function the alias belongs to.
        alias_name: the alias's name, e.g. "live" (not all digits).
        version: the version it points at.
        description: a description of the alias.
    """

    cfn_type = "AWS::Lambda::Alias"

    def __init__(self, scope: Construct, id: str, *, function: Function, alias_name: Annotated[str, Cfn("Name")],
                 version: Version, description: Annotated[str | None, Cfn("Description")] = None) -> None:
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


__all__ = [
    "DEFAULT_NODEJS_RUNTIME",
    "DEFAULT_PYTHON_RUNTIME",
    "DEFAULT_RUNTIMES",
    "Alias",
    "Code",
    "Function",
    "RuntimeLifecycle",
    "KinesisEventSource",
    "SqsEventSource",
    "Version",
    "known_runtimes",
    "runtime_lifecycle",
    "runtime_names",
    "usable_runtimes",
]


_FUNCTION_ARN = re.compile(r"^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$")


class ImportedFunction(Construct):
    """A function made elsewhere, known by its ARN (usually through `Function.from_function_arn`).

    What works on it: `grant_invoke`, `add_permission` (a resource-based permission made here, e.g. for a
    bucket's notifications or an API), the `metric_*` methods, `add_schedule`, and references
    (`function_arn`, `function_name` from the ARN). With `role=` (e.g. `iam.Role.from_role_arn`), grants *to*
    the function go to that role. It makes no resource; what would change the function itself (environment,
    versions and aliases, event source mappings that need its settings) is refused.

    Args:
        function_arn: the function's ARN, arn:aws:lambda:region:account:function:name (a qualifier allowed).
        role: the role the function runs as, for grants to it (default: none known; grants to it are refused).
    """

    def __init__(self, scope: Construct, id: str, *, function_arn: str | Token, role: iam.Role | None = None) -> None:
        super().__init__(scope, id)
        literal = isinstance(function_arn, str) and not is_token(function_arn)
        match = _FUNCTION_ARN.match(str(function_arn)) if literal else None
        if literal and match is None:
            raise ConstructError(f"{function_arn!r} is not a Lambda function ARN (arn:aws:lambda:region:account:"
                                 "function:name)", path=self.path, location=self.location)
        self._arn = function_arn
        self._name: Any = match.group(1) if match else Fn.select(6, Fn.split(":", function_arn))
        self.role = role

    @property
    def function_arn(self) -> Any:
        return self._arn

    @property
    def function_name(self) -> Any:
        return self._name

    @property
    def grant_principal(self) -> iam.Role | None:
        return self.role

    def grant_invoke(self, grantee: Any) -> iam.Grant:
        return iam.grant(grantee, actions=["lambda:InvokeFunction"],
                         resources=[self.function_arn, f"{self.function_arn}:*"], scope=self)

    def add_permission(self, id: str, *, principal: str, action: str = "lambda:InvokeFunction",
                       source_arn: Any = None, source_account: Any = None) -> CfnResource:
        """A resource-based permission on the function, made in this stack (AWS::Lambda::Permission)."""
        return add_permission(self, self.function_arn, id, principal=principal, action=action,
                              source_arn=source_arn, source_account=source_account)

    def add_schedule(self, id: str, schedule: str) -> Rule:
        """Invoke on a schedule (an EventBridge rule made here, and its permission)."""
        rule = Rule(self, id, schedule=schedule)
        rule.add_target(self.function_arn)
        self.add_permission(f"{id}Permission", principal="events.amazonaws.com", source_arn=rule.rule_arn)
        return rule

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        return cloudwatch.Metric(namespace="AWS/Lambda", metric_name=metric_name,
                                 dimensions={"FunctionName": self.function_name}, statistic=statistic, period=period)

    def metric_errors(self, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        return self.metric("Errors", statistic=statistic, period=period)

    def metric_throttles(self, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        return self.metric("Throttles", statistic=statistic, period=period)

    def metric_invocations(self, *, statistic: str = "Sum", period: int = 60) -> cloudwatch.Metric:
        return self.metric("Invocations", statistic=statistic, period=period)

    def metric_duration(self, *, statistic: str = "Average", period: int = 60) -> cloudwatch.Metric:
        return self.metric("Duration", statistic=statistic, period=period)

    def add_environment(self, key: str, value: Any) -> None:
        raise self._refuse("the environment", "set the variable where the function is defined")

    def add_alias(self, name: str, **options: Any) -> None:
        raise self._refuse("the versions and aliases", "publish versions and aliases where the function is "
                           "defined, and import the alias by its ARN")

    def add_event_source(self, source: Any, *, id: str | None = None) -> None:
        raise self._refuse("the event sources", "add the event source where the function is defined, or make an "
                           "AWS::Lambda::EventSourceMapping (CfnResource) naming its ARN and grant its role the reads")

    def _refuse(self, what: str, hint: str) -> ConstructError:
        return ConstructError(f"cannot change {what} of the imported function {self.path}: this stack does not own "
                              "the function", path=self.path, location=caller_location() or self.location, hint=hint)
