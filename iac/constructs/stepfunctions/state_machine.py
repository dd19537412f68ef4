"""The StateMachine construct: a checked definition, a role with exactly what its tasks need, optional
logging and tracing."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol, runtime_checkable

import attrs

from iac.constructs import cloudwatch, iam
from iac.constructs.core import CfnResource, Construct, Duration, Token
from iac.constructs.core.props import Cfn, Unit
from iac.constructs.core.source import caller_location
from iac.constructs.stepfunctions.graph import Graph, definition_string
from iac.constructs.stepfunctions.states import Chain, State, state_error
from iac.constructs.stepfunctions.tasks import Task
from iac.errors import ConstructError
from iac.specs import property_enum

RESOURCE_TYPE = "AWS::StepFunctions::StateMachine"
STATES_SERVICE = "states.amazonaws.com"
METRIC_NAMESPACE = "AWS/States"
# What a worker needs to answer a WAIT_FOR_TASK_TOKEN task. IAM lists no resource type for these actions
# (iac.specs), so a task token, not an ARN, is what limits them.
TASK_RESPONSE_ACTIONS = ("states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess")

# What Step Functions needs to deliver logs to CloudWatch Logs ("IAM policies for logging to CloudWatch
# Logs" in the Step Functions guide). These actions take no resource ARN in IAM (iac.specs lists none for
# them), so "*" is the narrowest resource there is.
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
)
# What X-Ray tracing needs (the AWSXRayDaemonWriteAccess actions); none of them takes a resource ARN.
TRACING_ACTIONS = ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords",
                   "xray:PutTraceSegments")
#: Integration patterns an Express workflow cannot use (they wait, and an Express run lasts 5 minutes at most).
EXPRESS_UNSUPPORTED_PATTERNS = ("RUN_JOB", "WAIT_FOR_TASK_TOKEN")


class StateMachineType:
    """The two kinds of workflow."""

    STANDARD: Literal["STANDARD"] = "STANDARD"  # exactly-once, up to a year, every step recorded
    EXPRESS: Literal["EXPRESS"] = "EXPRESS"  # at-least-once, up to five minutes, high volume


@runtime_checkable
class LogDestination(Protocol):
    """A CloudWatch Logs log group (logs.LogGroup): its ARN (ending in ":*", as Step Functions wants it)."""

    @property
    def log_group_arn(self) -> Any: ...


def _level(instance: Any, attribute: Any, value: Any) -> None:
    levels = property_enum(RESOURCE_TYPE, "LoggingConfiguration", "Level")
    if value not in levels:
        raise ConstructError(f"LogOptions level must be one of {', '.join(levels)} ({RESOURCE_TYPE} "
                             f"LoggingConfiguration.Level, per its schema), got {value!r}", location=caller_location())


def _destination(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, LogDestination):
        raise ConstructError(f"LogOptions destination must be a log group (logs.LogGroup), got "
                             f"{type(value).__name__}", location=caller_location())


def _include_execution_data(instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, bool):
        raise ConstructError(f"LogOptions include_execution_data must be True or False, got {value!r}",
                             location=caller_location())


@attrs.frozen(kw_only=True)
class LogOptions:
    """Where and what a state machine logs: `LogOptions(destination=group, level="ALL")`.

    `level`: "ALL", "ERROR" (default), "FATAL" or "OFF"; `include_execution_data`: True also logs each
    state's input and output (which may hold sensitive data)."""

    destination: Any = attrs.field(validator=_destination)
    level: Literal["ALL", "ERROR", "FATAL", "OFF"] = attrs.field(default="ERROR", validator=_level)
    include_execution_data: bool = attrs.field(default=False, validator=_include_execution_data)

    def to_cfn(self) -> dict[str, Any]:
        return {"Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": self.destination.log_group_arn}}],
                "IncludeExecutionData": self.include_execution_data, "Level": self.level}


class StateMachine(Construct):
    """A Step Functions state machine (`AWS::StepFunctions::StateMachine`, the child `Resource`) running
    `definition`, a graph of states checked when the state machine is created (every error at the line of
    your code that made the state).

        StateMachine(stack, "Orders", definition=get_order.next(ship).next(done))

    The role (`<id>/Role`, assumed by Step Functions only) gets the statements each task needs on exactly
    the resources it names; the state machine waits for that policy. The definition is written as
    DefinitionString, with deploy-time values (ARNs, names) in DefinitionSubstitutions.

    Args:
        definition: the first state, or a chain (`a.next(b).next(c)`) starting there.
        state_machine_type: "STANDARD" (default) or "EXPRESS" (no RUN_JOB or WAIT_FOR_TASK_TOKEN tasks).
        state_machine_name: a fixed name; CloudFormation generates one when omitted.
        role: the role the state machine runs as (default: one of its own); the tasks' statements are
            added to it.
        logs: where and what to log (`LogOptions(destination=log_group, level="ALL")`); the role gets the
            log-delivery permissions Step Functions needs.
        tracing_enabled: True sends traces to X-Ray (and gives the role the X-Ray write permissions).
        timeout: the longest a run may take before it fails with States.Timeout (a Duration or seconds).
        comment: a description written at the top of the definition.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        definition: State | Chain,
        state_machine_type: Annotated[Literal["STANDARD", "EXPRESS"], Cfn("StateMachineType")] = "STANDARD",
        state_machine_name: Annotated[str | Token | None, Cfn("StateMachineName")] = None,
        role: iam.Role | None = None,
        logs: LogOptions | None = None,
        tracing_enabled: bool = False,
        timeout: Annotated[int | Duration | None, Unit("seconds")] = None,
        comment: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        start = definition.start_state
        self.state_machine_type: str = state_machine_type
        self.graph = Graph(start, path=self.path)
        self._check_integrations()
        self.role = role or iam.Role(self, "Role", assumed_by=iam.ServicePrincipal(STATES_SERVICE))
        for task in self.tasks:
            for statement in task.policy_statements:
                self.role.add_to_policy(statement)
        if logs is not None:
            self.role.add_to_policy(iam.PolicyStatement(actions=list(LOG_DELIVERY_ACTIONS), resources=["*"]))
        if tracing_enabled:
            self.role.add_to_policy(iam.PolicyStatement(actions=list(TRACING_ACTIONS), resources=["*"]))
        asl = {"Comment": comment, **self.graph.render(), "TimeoutSeconds": timeout}
        text, substitutions = definition_string({key: value for key, value in asl.items() if value is not None},
                                                path=self.path, location=self.location)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "RoleArn": self.role.role_arn,
            "StateMachineType": state_machine_type,
            "StateMachineName": state_machine_name,
            "DefinitionString": text,
            "DefinitionSubstitutions": substitutions or None,
            "LoggingConfiguration": logs.to_cfn() if logs is not None else None,
            "TracingConfiguration": {"Enabled": True} if tracing_enabled else None,
        })
        # Step Functions checks at creation that the role may deliver logs, and tasks run with the role at once.
        self.role.add_policy_dependent(self.resource)
        self.graph.seal()

    @property
    def tasks(self) -> list[Task]:
        return [state for state in self.graph.states if isinstance(state, Task)]

    def _check_integrations(self) -> None:
        if self.state_machine_type != StateMachineType.EXPRESS:
            return
        for task in self.tasks:
            if task.integration_pattern in EXPRESS_UNSUPPORTED_PATTERNS:
                raise state_error(task, f"Task state {task.name!r} uses the {task.integration_pattern} integration "
                                        f"pattern, which an EXPRESS state machine cannot run",
                                  path=self.path, hint="use REQUEST_RESPONSE, or a STANDARD state machine")

    @property
    def state_machine_arn(self) -> Token:
        return self.resource.ref

    @property
    def state_machine_name(self) -> Token:
        return self.resource.get_att("Name")

    @property
    def grant_principal(self) -> iam.Role:
        """The role the state machine runs as: grant to the state machine to give its tasks more access."""
        return self.role

    def grant_start_execution(self, grantee: Any) -> iam.Grant:
        """Start executions of this state machine."""
        return iam.grant(grantee, actions=["states:StartExecution"], resources=[self.state_machine_arn], scope=self)

    def grant_task_response(self, grantee: Any) -> iam.Grant:
        """Answer this state machine's WAIT_FOR_TASK_TOKEN tasks (send success, failure and heartbeats). IAM
        cannot scope these actions to a state machine: the task token the worker holds is the limit."""
        return iam.grant(grantee, actions=TASK_RESPONSE_ACTIONS, resources=["*"], scope=self)

    # -- metrics ---------------------------------------------------------------------------------

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of the state machine's AWS/States execution metrics, by name."""
        return cloudwatch.Metric(namespace=METRIC_NAMESPACE, metric_name=metric_name,
                                 dimensions={"StateMachineArn": self.state_machine_arn}, statistic=statistic,
                                 period=period)

    def metric_failed(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """Executions that failed (an alarm on it is the usual "the workflow is broken")."""
        return self.metric("ExecutionsFailed", statistic=statistic, period=period)

    def metric_timed_out(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("ExecutionsTimedOut", statistic=statistic, period=period)

    def metric_aborted(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("ExecutionsAborted", statistic=statistic, period=period)

    def metric_succeeded(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("ExecutionsSucceeded", statistic=statistic, period=period)

    def metric_started(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("ExecutionsStarted", statistic=statistic, period=period)

    def metric_throttled(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("ExecutionThrottled", statistic=statistic, period=period)

    def metric_time(self, *, statistic: str = "Average", period: int | Duration = 60) -> cloudwatch.Metric:
        """How long executions take, in milliseconds."""
        return self.metric("ExecutionTime", statistic=statistic, period=period)

    def grant_start_sync_execution(self, grantee: Any) -> iam.Grant:
        """Start synchronous executions (an EXPRESS state machine only): the caller gets the result."""
        if self.state_machine_type != StateMachineType.EXPRESS:
            raise ConstructError(f"state machine {self.path} is {self.state_machine_type}: only an EXPRESS state "
                                 "machine runs synchronous executions", path=self.path, location=self.location,
                                 hint="use grant_start_execution")
        return iam.grant(grantee, actions=["states:StartSyncExecution"], resources=[self.state_machine_arn],
                         scope=self)
