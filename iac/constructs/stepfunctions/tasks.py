"""Task states: a generic `Task` and the service integrations (Lambda, DynamoDB, SNS, SQS, Step Functions,
ECS, any AWS SDK call). Each integration knows the IAM statements its call needs; the StateMachine that
runs it gives them to its role, on exactly the resources the task names.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from iac.constructs import dynamodb, ec2, ecs, iam, kms, sns, sqs
from iac.constructs.core import Aws, Fn, Token, is_token
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.constructs.stepfunctions import _asl
from iac.constructs.stepfunctions.states import (
    State,
    _Resilient,
    check_parameters,
    check_path,
    drop_none,
    seconds_of,
    state_error,
)
from iac.specs import iam_actions

IntegrationPattern = Literal["REQUEST_RESPONSE", "RUN_JOB", "WAIT_FOR_TASK_TOKEN"]
#: How each pattern is written at the end of the task's Resource ARN.
_PATTERN_SUFFIX = {"REQUEST_RESPONSE": "", "RUN_JOB": ".sync", "WAIT_FOR_TASK_TOKEN": ".waitForTaskToken"}
TASK_TOKEN = "$$.Task.Token"
ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com"


# -- what the integrations take ---------------------------------------------------------------------

@runtime_checkable
class FunctionLike(Protocol):
    """A Lambda function (awslambda.Function, an alias, a version): its ARN."""

    @property
    def function_arn(self) -> Any: ...


@runtime_checkable
class TableLike(Protocol):
    """A DynamoDB table (dynamodb.Table): its name and ARN."""

    @property
    def table_name(self) -> Any: ...

    @property
    def table_arn(self) -> Any: ...


@runtime_checkable
class TopicLike(Protocol):
    """An SNS topic (sns.Topic): its ARN."""

    @property
    def topic_arn(self) -> Any: ...


@runtime_checkable
class QueueLike(Protocol):
    """An SQS queue (sqs.Queue): its URL and ARN."""

    @property
    def queue_url(self) -> Any: ...

    @property
    def queue_arn(self) -> Any: ...


@runtime_checkable
class StateMachineLike(Protocol):
    """A state machine (stepfunctions.StateMachine): its ARN."""

    @property
    def state_machine_arn(self) -> Any: ...


def _require(state: State, value: Any, protocol: type, what: str, example: str) -> None:
    if not isinstance(value, protocol):
        raise state_error(state, f"{state.type_name} state {state.name!r}: {what} must be {example}, got "
                                 f"{type(value).__name__}")


def _integration_arn(integration: str, pattern: str) -> str:
    return f"arn:{Aws.PARTITION}:states:::{integration}{_PATTERN_SUFFIX[pattern]}"


def _contains_task_token(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_contains_task_token(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_task_token(item) for item in value)
    return isinstance(value, str) and TASK_TOKEN in value


class TaskInput:
    """A value a task sends: `from_json_path("$.order")` (taken from the state's input),
    `from_text("hello")` or `from_object({"id.$": "$.id", "kind": "order"})`."""

    def __init__(self, value: Any, *, is_path: bool) -> None:
        self.value = value
        self.is_path = is_path

    @staticmethod
    def from_json_path(path: str) -> TaskInput:
        if not isinstance(path, str) or not path.startswith("$"):
            raise state_error(None, f"TaskInput.from_json_path takes a path starting with '$', got {path!r}")
        return TaskInput(path, is_path=True)

    @staticmethod
    def from_text(text: Any) -> TaskInput:
        if not isinstance(text, str | Token):
            raise state_error(None, f"TaskInput.from_text takes a string, got {text!r}")
        return TaskInput(text, is_path=False)

    @staticmethod
    def from_object(value: Mapping[str, Any]) -> TaskInput:
        if not isinstance(value, Mapping):
            raise state_error(None, f"TaskInput.from_object takes a dict, got {type(value).__name__}")
        return TaskInput(dict(value), is_path=False)

    def field(self, key: str) -> dict[str, Any]:
        """The Parameters entry that sends this value as `key`."""
        return {f"{key}.$": self.value} if self.is_path else {key: self.value}


def _task_input(state: State, value: Any, what: str) -> TaskInput | None:
    if value is None or isinstance(value, TaskInput):
        return value
    raise state_error(state, f"{state.type_name} state {state.name!r}: {what} must be a TaskInput "
                             f"(TaskInput.from_json_path('$.x'), from_text(...) or from_object({{...}})), "
                             f"got {value!r}")


# -- the generic task ---------------------------------------------------------------------------------

class Task(_Resilient):
    """A Task state that calls `resource` (an activity's or a function's ARN, or a service integration's
    `arn:aws:states:::...`) with `parameters`; the integrations below build one for you. The state machine's
    role gets `policy_statements`, which a generic task must say itself.

    Args:
        name: the state's name, unique in the state machine.
        resource: the ARN the task calls.
        parameters: the call's input, built from the state's input: {"Bucket": "b", "Key.$": "$.key"}.
        policy_statements: what the state machine's role needs for the call (least privilege: exact
            actions on exact ARNs).
        integration_pattern: "REQUEST_RESPONSE" (go on when the call returns), "RUN_JOB" (wait for the job it
            starts; `.sync`) or "WAIT_FOR_TASK_TOKEN" (wait until someone sends back the task token, which
            the parameters must pass on: "$$.Task.Token"); only the patterns the integration supports.
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the call's result: {"id.$": "$.Payload.id"}.
        result_path: where the result goes in the input ('$.result'); DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout (a Duration or seconds).
        heartbeat: the longest time between heartbeats before the task fails with States.HeartbeatTimeout
            (shorter than `timeout`).
    """

    type_name = "Task"
    #: The integration patterns a task of this class supports (the generic task: all of them).
    supported_patterns: ClassVar[tuple[str, ...]] = ("REQUEST_RESPONSE", "RUN_JOB", "WAIT_FOR_TASK_TOKEN")

    def __init__(self, name: str, *, resource: Any, parameters: Mapping[str, Any] | None = None,
                 policy_statements: Sequence[iam.PolicyStatement] = (),
                 integration_pattern: IntegrationPattern = "REQUEST_RESPONSE", comment: str | None = None,
                 input_path: str | None = None, result_selector: Mapping[str, Any] | None = None,
                 result_path: str | None = None, output_path: str | None = None,
                 timeout: int | Duration | None = None, heartbeat: int | Duration | None = None) -> None:
        super().__init__(name, comment=comment)
        if integration_pattern not in self.supported_patterns:
            raise state_error(self, f"{self.type_name} state {name!r} does not support the integration pattern "
                                    f"{integration_pattern!r}: it supports {', '.join(self.supported_patterns)}")
        if not isinstance(resource, str | Token) or not resource:
            raise state_error(self, f"{self.type_name} state {name!r}: resource must be an ARN, got {resource!r}")
        pattern = _asl.field_pattern("task", "Resource")
        if isinstance(resource, str) and not is_token(resource) and pattern and not pattern.search(resource):
            raise state_error(self, f"{self.type_name} state {name!r}: resource {resource!r} is not an ARN the States "
                                    f"Language schema accepts ({pattern.pattern})")
        for statement in policy_statements:
            if not isinstance(statement, iam.PolicyStatement):
                raise state_error(self, f"{self.type_name} state {name!r}: policy_statements takes "
                                        f"iam.PolicyStatement objects, got {statement!r}")
        self.resource = resource
        self.integration_pattern: str = integration_pattern
        self.parameters = check_parameters(self, "parameters", parameters)
        if integration_pattern == "WAIT_FOR_TASK_TOKEN" and not _contains_task_token(self.parameters):
            raise state_error(self, f"{self.type_name} state {name!r} waits for a task token, but its parameters do "
                                    f"not pass one on, so nothing could ever send it back",
                              hint=f"pass {TASK_TOKEN!r} in the call, e.g. {{'token.$': '{TASK_TOKEN}'}}")
        self.policy_statements = list(policy_statements)
        self.input_path = check_path(self, "input_path", input_path)
        self.result_selector = check_parameters(self, "result_selector", result_selector)
        self.result_path = check_path(self, "result_path", result_path)
        self.output_path = check_path(self, "output_path", output_path)
        self.timeout = seconds_of(self, "timeout", timeout, minimum=_asl.field_minimum("task", "TimeoutSeconds"))
        self.heartbeat = seconds_of(self, "heartbeat", heartbeat,
                                    minimum=_asl.field_minimum("task", "HeartbeatSeconds"))
        if self.timeout is not None and self.heartbeat is not None and self.heartbeat >= self.timeout:
            # The States Language: HeartbeatSeconds must be smaller than TimeoutSeconds.
            raise state_error(self, f"{self.type_name} state {name!r}: heartbeat ({self.heartbeat} s) must be shorter "
                                    f"than timeout ({self.timeout} s)")

    def to_asl(self, render_branch: Callable[[State], dict[str, Any]]) -> dict[str, Any]:
        return drop_none({
            "Type": "Task", "Comment": self.comment, "Resource": self.resource, "InputPath": self.input_path,
            "Parameters": self.parameters, "ResultSelector": self.result_selector, "ResultPath": self.result_path,
            "OutputPath": self.output_path, "TimeoutSeconds": self.timeout, "HeartbeatSeconds": self.heartbeat,
            **self._resilience(), **self._flow(),
        })


def _task_options(options: dict[str, Any]) -> dict[str, Any]:
    return {key: options[key] for key in ("comment", "input_path", "result_selector", "result_path", "output_path",
                                          "timeout", "heartbeat")}


# -- Lambda ---------------------------------------------------------------------------------------------

#: The errors AWS recommends retrying for a Lambda invocation: the service's own transient failures.
LAMBDA_SERVICE_ERRORS = ("Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException",
                         "Lambda.AWSLambdaException", "Lambda.SdkClientException")


class LambdaInvoke(Task):
    """Invokes a Lambda function and goes on with its response (the function's return value is at
    `$.Payload`; `output_path="$.Payload"` keeps only that). The role may invoke that function (and its
    versions and aliases) and nothing else.

    Args:
        name: the state's name, unique in the state machine.
        function: the function to invoke (an awslambda.Function, alias or version).
        payload: what the function receives (default: the state's whole input).
        retry_on_service_exceptions: True (default) first retries Lambda's transient service errors
            (LAMBDA_SERVICE_ERRORS: 2 s, 6 attempts, backoff 2), as AWS recommends.
        integration_pattern: "REQUEST_RESPONSE" or "WAIT_FOR_TASK_TOKEN" (the payload passes "$$.Task.Token").
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the response: {"order.$": "$.Payload.order"}.
        result_path: where the response goes in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on ('$.Payload').
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: the longest time between heartbeats (with WAIT_FOR_TASK_TOKEN).
    """

    supported_patterns = ("REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN")

    def __init__(self, name: str, *, function: FunctionLike, payload: TaskInput | None = None,
                 retry_on_service_exceptions: bool = True,
                 integration_pattern: Literal["REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN"] = "REQUEST_RESPONSE",
                 comment: str | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None, timeout: int | Duration | None = None,
                 heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        _require(self, function, FunctionLike, "function", "a Lambda function (awslambda.Function)")
        payload = _task_input(self, payload, "payload") or TaskInput.from_json_path("$")
        arn = function.function_arn
        super().__init__(
            name, resource=_integration_arn("lambda:invoke", integration_pattern),
            parameters={"FunctionName": arn, **payload.field("Payload")},
            policy_statements=[iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[arn, f"{arn}:*"])],
            integration_pattern=integration_pattern, **_task_options(locals()))
        self.function = function
        if retry_on_service_exceptions:
            self.add_retry(errors=LAMBDA_SERVICE_ERRORS, interval=2, max_attempts=6, backoff_rate=2)


# -- DynamoDB -------------------------------------------------------------------------------------------

class DynamoAttribute:
    """A DynamoDB attribute value in a task's key or item: `DynamoAttribute.string_at("$.id")` (from the
    input), `DynamoAttribute.string("order")`, numbers and booleans likewise."""

    def __init__(self, kind: str, value: Any, *, is_path: bool) -> None:
        self.kind = kind
        self.value = value
        self.is_path = is_path

    def to_asl(self) -> dict[str, Any]:
        return {f"{self.kind}.$": self.value} if self.is_path else {self.kind: self.value}

    @staticmethod
    def _path(kind: str, path: str) -> DynamoAttribute:
        if not isinstance(path, str) or not path.startswith(("$", "States.")):
            raise state_error(None, f"DynamoAttribute: a path starts with '$' (such as '$.id'), or an intrinsic "
                                    f"function with 'States.' (such as \"States.Format('{{}}', $.n)\"), got {path!r}")
        return DynamoAttribute(kind, path, is_path=True)

    @staticmethod
    def string(value: str | Token) -> DynamoAttribute:
        if not isinstance(value, str | Token):
            raise state_error(None, f"DynamoAttribute.string takes a string, got {value!r}")
        return DynamoAttribute("S", value, is_path=False)

    @staticmethod
    def string_at(path: str) -> DynamoAttribute:
        return DynamoAttribute._path("S", path)

    @staticmethod
    def number(value: float) -> DynamoAttribute:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise state_error(None, f"DynamoAttribute.number takes a number, got {value!r}")
        return DynamoAttribute("N", str(value), is_path=False)

    @staticmethod
    def number_at(path: str) -> DynamoAttribute:
        """The path must hold the number as a string (DynamoDB's N type): for a JSON number, convert it with
        an intrinsic function, `number_at("States.Format('{}', $.quantity)")`."""
        return DynamoAttribute._path("N", path)

    @staticmethod
    def boolean(value: bool) -> DynamoAttribute:
        if not isinstance(value, bool):
            raise state_error(None, f"DynamoAttribute.boolean takes True or False, got {value!r}")
        return DynamoAttribute("BOOL", value, is_path=False)

    @staticmethod
    def boolean_at(path: str) -> DynamoAttribute:
        return DynamoAttribute._path("BOOL", path)


def _table_statements(table: TableLike, action: str, key_actions: Sequence[str]) -> list[iam.PolicyStatement]:
    """`action` on the table, and for a table encrypted with a customer key what dynamodb.Table's own grants
    give for that key (a Protocol-only table brings no key)."""
    statements = [iam.PolicyStatement(actions=[action], resources=[table.table_arn])]
    if isinstance(table, dynamodb.Table) and table.props.encryption == dynamodb.TableEncryption.CUSTOMER_MANAGED:
        statements.append(iam.PolicyStatement(actions=list(key_actions), resources=[table.props.kms_key_arn]))
    return statements


def _attributes(state: State, value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not value:
        raise state_error(state, f"{state.type_name} state {state.name!r}: {what} must be a non-empty dict of "
                                 f"attribute names to DynamoAttribute values, got {value!r}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, DynamoAttribute):
            raise state_error(state, f"{state.type_name} state {state.name!r}: {what}[{key!r}] must be a "
                                     f"DynamoAttribute (such as DynamoAttribute.string_at('$.id')), got {item!r}")
    return {key: item.to_asl() for key, item in value.items()}


class DynamoGetItem(Task):
    """Reads one item of a DynamoDB table by its key (the item is at `$.Item` of the result). The role may
    dynamodb:GetItem on that table only (and read with its customer key, if it has one).

    Args:
        name: the state's name, unique in the state machine.
        table: the table (a dynamodb.Table).
        key: the item's primary key: {"pk": DynamoAttribute.string_at("$.id")}.
        consistent_read: True reads with strong consistency.
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the result: {"status.$": "$.Item.status.S"}.
        result_path: where the result goes in the input ('$.order'); DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: not useful for this call; accepted for symmetry.
    """

    supported_patterns = ("REQUEST_RESPONSE",)

    def __init__(self, name: str, *, table: TableLike, key: Mapping[str, DynamoAttribute],
                 consistent_read: bool = False, comment: str | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None, timeout: int | Duration | None = None,
                 heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        _require(self, table, TableLike, "table", "a DynamoDB table (dynamodb.Table)")
        parameters = {"TableName": table.table_name, "Key": _attributes(self, key, "key")}
        if consistent_read:
            parameters["ConsistentRead"] = True
        super().__init__(
            name, resource=_integration_arn("dynamodb:getItem", "REQUEST_RESPONSE"), parameters=parameters,
            policy_statements=_table_statements(table, "dynamodb:GetItem", dynamodb.KMS_READ_ACTIONS),
            **_task_options(locals()))
        self.table = table


class DynamoPutItem(Task):
    """Writes one item to a DynamoDB table. The role may dynamodb:PutItem on that table only (and write with its
    customer key, if it has one).

    Args:
        name: the state's name, unique in the state machine.
        table: the table (a dynamodb.Table).
        item: the item's attributes, key included: {"pk": DynamoAttribute.string_at("$.id"), ...}.
        condition_expression: a condition the write must meet ('attribute_not_exists(pk)').
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the result.
        result_path: where the result goes in the input; DISCARD (often wanted) keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: not useful for this call; accepted for symmetry.
    """

    supported_patterns = ("REQUEST_RESPONSE",)

    def __init__(self, name: str, *, table: TableLike, item: Mapping[str, DynamoAttribute],
                 condition_expression: str | None = None, comment: str | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None, timeout: int | Duration | None = None,
                 heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        _require(self, table, TableLike, "table", "a DynamoDB table (dynamodb.Table)")
        parameters: dict[str, Any] = {"TableName": table.table_name, "Item": _attributes(self, item, "item")}
        if condition_expression is not None:
            parameters["ConditionExpression"] = condition_expression
        super().__init__(
            name, resource=_integration_arn("dynamodb:putItem", "REQUEST_RESPONSE"), parameters=parameters,
            policy_statements=_table_statements(table, "dynamodb:PutItem", dynamodb.KMS_WRITE_ACTIONS),
            **_task_options(locals()))
        self.table = table


# -- SNS and SQS ----------------------------------------------------------------------------------------

class SnsPublish(Task):
    """Publishes a message to an SNS topic. The role may sns:Publish to that topic only (and, for a topic
    encrypted with a customer key, use that key as SNS needs).

    Args:
        name: the state's name, unique in the state machine.
        topic: the topic (an sns.Topic).
        message: what to publish: TaskInput.from_json_path('$.detail'), from_text(...) or from_object({...}).
        subject: the subject, for email subscriptions.
        integration_pattern: "REQUEST_RESPONSE" or "WAIT_FOR_TASK_TOKEN" (the message passes "$$.Task.Token").
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the result ({"MessageId": ...}).
        result_path: where the result goes in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: the longest time between heartbeats (with WAIT_FOR_TASK_TOKEN).
    """

    supported_patterns = ("REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN")

    def __init__(self, name: str, *, topic: TopicLike, message: TaskInput, subject: str | None = None,
                 integration_pattern: Literal["REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN"] = "REQUEST_RESPONSE",
                 comment: str | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None, timeout: int | Duration | None = None,
                 heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        _require(self, topic, TopicLike, "topic", "an SNS topic (sns.Topic)")
        body = _task_input(self, message, "message")
        if body is None:
            raise state_error(self, f"Task state {name!r}: SnsPublish needs message=")
        statements = [iam.PolicyStatement(actions=list(sns.PUBLISH_ACTIONS), resources=[topic.topic_arn])]
        if isinstance(topic, sns.TopicBase) and topic.encrypted and topic.encryption_key is not None:
            statements.append(iam.PolicyStatement(actions=list(sns.KMS_PUBLISH_ACTIONS),
                                                  resources=[kms.key_arn_of(topic.encryption_key)]))
        super().__init__(
            name, resource=_integration_arn("sns:publish", integration_pattern),
            parameters=drop_none({"TopicArn": topic.topic_arn, **body.field("Message"), "Subject": subject}),
            policy_statements=statements, integration_pattern=integration_pattern, **_task_options(locals()))
        self.topic = topic


class SqsSendMessage(Task):
    """Sends a message to an SQS queue. The role may sqs:SendMessage to that queue only (and, for a queue
    encrypted with a customer key, use that key as SQS needs).

    Args:
        name: the state's name, unique in the state machine.
        queue: the queue (an sqs.Queue).
        message_body: the message: TaskInput.from_json_path('$.order'), from_text(...) or from_object({...}).
        delay: how long the message stays invisible (a Duration or seconds).
        message_group_id: the FIFO group, for a FIFO queue.
        integration_pattern: "REQUEST_RESPONSE" or "WAIT_FOR_TASK_TOKEN" (the body passes "$$.Task.Token").
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the result ({"MessageId": ...}).
        result_path: where the result goes in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: the longest time between heartbeats (with WAIT_FOR_TASK_TOKEN).
    """

    supported_patterns = ("REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN")

    def __init__(self, name: str, *, queue: QueueLike, message_body: TaskInput, delay: int | Duration | None = None,
                 message_group_id: str | None = None,
                 integration_pattern: Literal["REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN"] = "REQUEST_RESPONSE",
                 comment: str | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None, timeout: int | Duration | None = None,
                 heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        _require(self, queue, QueueLike, "queue", "an SQS queue (sqs.Queue)")
        body = _task_input(self, message_body, "message_body")
        if body is None:
            raise state_error(self, f"Task state {name!r}: SqsSendMessage needs message_body=")
        statements = [iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn])]
        if isinstance(queue, sqs.QueueBase) and queue.encryption_key_arn is not None:
            statements.append(iam.PolicyStatement(actions=list(sqs.KMS_SEND_ACTIONS),
                                                  resources=[queue.encryption_key_arn]))
        super().__init__(
            name, resource=_integration_arn("sqs:sendMessage", integration_pattern),
            parameters=drop_none({"QueueUrl": queue.queue_url, **body.field("MessageBody"),
                                  "DelaySeconds": seconds_of(self, "delay", delay, minimum=0),
                                  "MessageGroupId": message_group_id}),
            policy_statements=statements, integration_pattern=integration_pattern, **_task_options(locals()))
        self.queue = queue


# -- Step Functions -------------------------------------------------------------------------------------

class StepFunctionsStartExecution(Task):
    """Starts an execution of another state machine. The role may states:StartExecution on that machine;
    with RUN_JOB (wait for the execution to finish: `.sync:2`, its output as JSON) also describe and stop
    its executions, and manage the EventBridge rule Step Functions uses to learn when they end.

    Args:
        name: the state's name, unique in the state machine.
        state_machine: the state machine to start (a stepfunctions.StateMachine).
        input: the execution's input (default: the state's whole input).
        integration_pattern: "REQUEST_RESPONSE" (go on once started), "RUN_JOB" (wait until it ends) or
            "WAIT_FOR_TASK_TOKEN" (the input passes "$$.Task.Token").
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the result.
        result_path: where the result goes in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: the longest time between heartbeats (with WAIT_FOR_TASK_TOKEN).
    """

    def __init__(self, name: str, *, state_machine: StateMachineLike, input: TaskInput | None = None,
                 integration_pattern: IntegrationPattern = "REQUEST_RESPONSE", comment: str | None = None,
                 input_path: str | None = None, result_selector: Mapping[str, Any] | None = None,
                 result_path: str | None = None, output_path: str | None = None,
                 timeout: int | Duration | None = None, heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        _require(self, state_machine, StateMachineLike, "state_machine", "a state machine (stepfunctions.StateMachine)")
        execution_input = _task_input(self, input, "input") or TaskInput.from_json_path("$")
        arn = state_machine.state_machine_arn
        statements = [iam.PolicyStatement(actions=["states:StartExecution"], resources=[arn])]
        integration = "states:startExecution"
        if integration_pattern == "RUN_JOB":
            integration = "states:startExecution.sync:2"
            machine_name = Fn.select(6, Fn.split(":", arn))
            statements += [
                iam.PolicyStatement(actions=["states:DescribeExecution", "states:StopExecution"], resources=[
                    f"arn:{Aws.PARTITION}:states:{Aws.REGION}:{Aws.ACCOUNT_ID}:execution:{machine_name}:*"]),
                iam.PolicyStatement(actions=["events:DescribeRule", "events:PutRule", "events:PutTargets"], resources=[
                    f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/"
                    "StepFunctionsGetEventsForStepFunctionsExecutionRule"]),
            ]
        resource = _integration_arn(integration, "REQUEST_RESPONSE" if integration_pattern == "RUN_JOB"
                                    else integration_pattern)
        super().__init__(
            name, resource=resource, parameters={"StateMachineArn": arn, **execution_input.field("Input")},
            policy_statements=statements, integration_pattern=integration_pattern, **_task_options(locals()))
        self.state_machine = state_machine


# -- ECS ------------------------------------------------------------------------------------------------

class EcsRunTask(Task):
    """Runs a Fargate task of `task_definition` on `cluster`. The role may ecs:RunTask that task definition
    on that cluster only, and pass the task's roles to ECS tasks only (iam:PassedToService); with RUN_JOB
    (wait for the task to stop) also stop and describe tasks on that cluster and manage the EventBridge rule
    Step Functions uses to learn when they stop.

    Args:
        name: the state's name, unique in the state machine.
        cluster: the ECS cluster (an ecs.Cluster).
        task_definition: what to run (an ecs.FargateTaskDefinition); its roles exist when the StateMachine
            is created, so add its containers before.
        vpc_subnets: which subnets of the cluster's VPC the task runs in (default: the private ones).
        security_groups: the task's security groups (default: the VPC's default group).
        assign_public_ip: True gives the task a public IP (needed in public subnets to pull images).
        container_overrides: the RunTask Overrides.ContainerOverrides, e.g.
            [{"Name": "app", "Environment": [{"Name": "ID", "Value.$": "$.id"}]}].
        integration_pattern: "REQUEST_RESPONSE" (go on once started), "RUN_JOB" (wait until it stops) or
            "WAIT_FOR_TASK_TOKEN" (the overrides pass "$$.Task.Token").
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the result.
        result_path: where the result goes in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: the longest time between heartbeats (with WAIT_FOR_TASK_TOKEN).
    """

    def __init__(self, name: str, *, cluster: ecs.Cluster, task_definition: ecs.FargateTaskDefinition,
                 vpc_subnets: ec2.SubnetSelection | None = None, security_groups: Sequence[ec2.SecurityGroup] = (),
                 assign_public_ip: bool = False, container_overrides: Sequence[Mapping[str, Any]] | None = None,
                 integration_pattern: IntegrationPattern = "REQUEST_RESPONSE", comment: str | None = None,
                 input_path: str | None = None, result_selector: Mapping[str, Any] | None = None,
                 result_path: str | None = None, output_path: str | None = None,
                 timeout: int | Duration | None = None, heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        if not isinstance(cluster, ecs.Cluster):
            raise state_error(self, f"Task state {name!r}: cluster must be an ecs.Cluster, got "
                                    f"{type(cluster).__name__}")
        if not isinstance(task_definition, ecs.FargateTaskDefinition):
            raise state_error(self, f"Task state {name!r}: task_definition must be an ecs.FargateTaskDefinition, got "
                                    f"{type(task_definition).__name__}")
        for group in security_groups:
            if not isinstance(group, ec2.SecurityGroup):
                raise state_error(self, f"Task state {name!r}: security_groups takes ec2.SecurityGroup objects, got "
                                        f"{type(group).__name__}")
        subnets = cluster.vpc.select_subnets(vpc_subnets)
        network = drop_none({"Subnets": subnets.subnet_ids,
                             "SecurityGroups": [g.security_group_id for g in security_groups] or None,
                             "AssignPublicIp": "ENABLED" if assign_public_ip else "DISABLED"})
        parameters: dict[str, Any] = {"Cluster": cluster.cluster_arn,
                                      "TaskDefinition": task_definition.task_definition_arn,
                                      "LaunchType": "FARGATE",
                                      "NetworkConfiguration": {"AwsvpcConfiguration": network}}
        if container_overrides is not None:
            parameters["Overrides"] = {"ContainerOverrides": [dict(o) for o in container_overrides]}
        roles = [task_definition.task_role.role_arn]
        if task_definition.execution_role is not None:
            roles.append(task_definition.execution_role.role_arn)
        statements = [
            iam.PolicyStatement(actions=["ecs:RunTask"], resources=[task_definition.task_definition_arn],
                                conditions={"ArnEquals": {"ecs:cluster": cluster.cluster_arn}}),
            iam.PolicyStatement(actions=["iam:PassRole"], resources=roles,
                                conditions={"StringEquals": {"iam:PassedToService": ECS_TASKS_SERVICE}}),
        ]
        integration = "ecs:runTask"
        if integration_pattern == "RUN_JOB":
            statements += [
                iam.PolicyStatement(actions=["ecs:DescribeTasks", "ecs:StopTask"], resources=[
                    f"arn:{Aws.PARTITION}:ecs:{Aws.REGION}:{Aws.ACCOUNT_ID}:task/{cluster.cluster_name}/*"]),
                iam.PolicyStatement(actions=["events:DescribeRule", "events:PutRule", "events:PutTargets"], resources=[
                    f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/"
                    "StepFunctionsGetEventsForECSTaskRule"]),
            ]
        super().__init__(
            name, resource=_integration_arn(integration, integration_pattern), parameters=parameters,
            policy_statements=statements, integration_pattern=integration_pattern, **_task_options(locals()))
        self.cluster = cluster
        self.task_definition = task_definition


# -- any AWS SDK call -----------------------------------------------------------------------------------

class CallAwsService(Task):
    """Calls any AWS API through Step Functions' SDK integration (`arn:aws:states:::aws-sdk:s3:getObject`).
    The role gets the IAM action named after the call (service "s3", action "getObject" -> s3:GetObject,
    checked against IAM's list of the service's actions) on `iam_resources`.

    Args:
        name: the state's name, unique in the state machine.
        service: the SDK's service name, lower case ("s3", "ec2", "dynamodb").
        action: the API action in camel case ("getObject", "describeInstances").
        iam_resources: the ARNs the call acts on (["*"] only for an action IAM cannot scope).
        parameters: the API call's arguments, in its own (Pascal case) names: {"Bucket": "b", "Key.$": "$.key"}.
        iam_action: the IAM action when it is not named like the call (the SDK's "sfn" is IAM's "states").
        integration_pattern: "REQUEST_RESPONSE" or "WAIT_FOR_TASK_TOKEN".
        comment: a description of the state.
        input_path: the part of the input the task sees.
        result_selector: reshapes the API's response.
        result_path: where the response goes in the input; DISCARD keeps the input unchanged.
        output_path: the part of the state's output passed on.
        timeout: how long the task may run before it fails with States.Timeout.
        heartbeat: the longest time between heartbeats (with WAIT_FOR_TASK_TOKEN).
    """

    supported_patterns = ("REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN")

    def __init__(self, name: str, *, service: str, action: str, iam_resources: Sequence[Any],
                 parameters: Mapping[str, Any] | None = None, iam_action: str | None = None,
                 integration_pattern: Literal["REQUEST_RESPONSE", "WAIT_FOR_TASK_TOKEN"] = "REQUEST_RESPONSE",
                 comment: str | None = None, input_path: str | None = None,
                 result_selector: Mapping[str, Any] | None = None, result_path: str | None = None,
                 output_path: str | None = None, timeout: int | Duration | None = None,
                 heartbeat: int | Duration | None = None) -> None:
        self.location = caller_location()
        self.name = name
        if not isinstance(service, str) or not service or service != service.lower() or not service.isalnum():
            raise state_error(self, f"Task state {name!r}: service is the SDK's service name in lower case (such as "
                                    f"'s3' or 'dynamodb'), got {service!r}")
        if not isinstance(action, str) or not action or not action.isalnum() or not action[0].islower():
            hint = f"write it {action[0].lower() + action[1:]!r}" if isinstance(action, str) and action else None
            raise state_error(self, f"Task state {name!r}: action is the API action in camel case (such as "
                                    f"'getObject'), got {action!r}", hint=hint)
        if isinstance(iam_resources, str) or not iam_resources:
            raise state_error(self, f"Task state {name!r}: iam_resources must list the ARNs the call acts on, got "
                                    f"{iam_resources!r}", hint="pass ['*'] only for an action IAM cannot scope")
        permission = iam_action or f"{service}:{action[0].upper()}{action[1:]}"
        self._check_iam_action(permission, given=iam_action is not None)
        super().__init__(
            name, resource=_integration_arn(f"aws-sdk:{service}:{action}", integration_pattern),
            parameters=parameters if parameters is not None else {},
            policy_statements=[iam.PolicyStatement(actions=[permission], resources=list(iam_resources))],
            integration_pattern=integration_pattern, **_task_options(locals()))
        self.service = service
        self.action = action
        self.iam_action = permission

    def _check_iam_action(self, permission: str, *, given: bool) -> None:
        prefix, _, action = permission.partition(":")
        known = iam_actions(prefix)
        how = "iam_action" if given else f"the IAM action derived from the call ({permission})"
        if not known:
            raise state_error(self, f"Task state {self.name!r}: {how} names the service prefix {prefix!r}, which IAM "
                                    "does not know", hint="pass iam_action='prefix:Action' as IAM names it (the "
                                                          "SDK's 'sfn' is IAM's 'states')")
        if action.lower() not in known:
            close = difflib.get_close_matches(action.lower(), sorted(known), n=1, cutoff=0.6)
            closest = f" (IAM's closest, case aside: {prefix}:{close[0]})" if close else ""
            raise state_error(self, f"Task state {self.name!r}: {how}: IAM's service {prefix!r} has no action "
                                    f"{action!r}", hint=f"pass iam_action= with the action IAM checks for this call"
                                                        f"{closest}; some calls are authorized by another action "
                                                        "(s3 headObject by s3:GetObject)")
