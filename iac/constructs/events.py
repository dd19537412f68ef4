"""EventBridge: rules (schedules and event patterns) that send to targets, and event buses.

    bus = events.EventBus(stack, "Orders")
    rule = events.Rule(stack, "Placed", event_bus=bus, event_pattern={"detail-type": ["OrderPlaced"]})
    rule.add_target(queue, dead_letter_queue=dead, retry_attempts=3)
    rule.add_target(state_machine)
    bus.grant_put_events_to(producer)

`add_target` takes a Lambda function, an SQS queue, an SNS topic, a Step Functions state machine, another
event bus, a Firehose delivery stream, or a bare ARN. Each gets what EventBridge needs to deliver, for this
rule only: a Lambda permission or a queue/topic policy statement scoped by the rule's ARN (aws:SourceArn),
or, for state machines, buses and delivery streams (which take no resource policy for EventBridge), a role
EventBridge assumes (the child `EventsRole`, one per rule) granted the start, the PutEvents or the
PutRecord on that target only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from iac.constructs import iam
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, convert_quantity
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::Events::Rule"
BUS_TYPE = "AWS::Events::EventBus"
EVENTS_SERVICE = "events.amazonaws.com"

# The registry schema only says "rate(...)" or "cron(...)"; EventBridge itself wants the singular unit
# for 1 ("rate(1 day)") and the plural above it, and six cron fields.
_RATE = re.compile(r"^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")


def schedule_expression_rule(value: Any) -> str | None:
    """A `Check` rule for `schedule`: a rate or cron expression EventBridge accepts, within the length the
    ScheduleExpression schema allows. Not bound with `Cfn`, so that a wrong expression is told in
    EventBridge's words before the schema's looser pattern (which this rule implies) would be quoted."""
    from iac.specs import property_length, property_pattern

    if not isinstance(value, str):
        return None
    if not (_RATE.match(value) or _CRON.match(value)):
        return (f"{value!r} is not an EventBridge expression: use 'rate(5 minutes)' (singular for 1: "
                "'rate(1 day)') or 'cron(0 12 * * ? *)' (six fields)")
    pattern = property_pattern(RESOURCE_TYPE, "ScheduleExpression")
    if pattern is not None and not re.search(pattern, value):
        return f"{value!r} does not match {pattern!r} ({RESOURCE_TYPE} ScheduleExpression, per its schema)"
    longest = property_length(RESOURCE_TYPE, "ScheduleExpression")[1]
    if longest is not None and len(value) > longest:
        return (f"{value!r} is longer than {longest} characters ({RESOURCE_TYPE} ScheduleExpression, "
                "per its schema)")
    return None


def event_pattern_rule(value: Any) -> str | None:
    """A `Check` rule: EventBridge takes a pattern whose every field holds an object (more fields) or a
    non-empty array of values or matchers; `{"source": "aws.s3"}` (a bare string) is refused at deploy.
    https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html"""

    def problem(node: Any, where: str) -> str | None:
        for key, item in node.items():
            here = f"{where}[{key!r}]"
            if isinstance(item, dict):
                found = problem(item, here)
                if found:
                    return found
            elif isinstance(item, list | tuple):
                if not item:
                    return f"{here} is an empty array, which matches nothing and EventBridge refuses"
            elif not is_token(item):
                return f"{here} is {item!r}: a pattern's values are arrays, e.g. [{item!r}]"
        return None

    return problem(value, "event_pattern") if isinstance(value, dict) else None


def event_bus_name_rule(value: Any) -> str | None:
    """A `Check` rule: "default" is the account's own bus, which exists already and cannot be made."""
    if value == "default":
        return "'default' is the account's default event bus, which exists already; give another name"
    return None


def limit_problem(resource_type: str, path: tuple[str, ...], name: str, value: Any) -> str | None:
    """`value` against the range the schema gives the nested property at `path` (literal numbers only)."""
    from iac.specs import property_range

    if not isinstance(value, int | float) or isinstance(value, bool):
        return None if value is None or is_token(value) else f"{name} must be a number, got {value!r}"
    low, high = property_range(resource_type, *path)
    if (low is not None and value < low) or (high is not None and value > high):
        return (f"{name} must be between {low} and {high}, got {value} ({resource_type} {'.'.join(path)}, "
                "per its schema)")
    return None


#: Placeholders EventBridge fills in itself in an input template (no InputPathsMap entry needed).
_PREDEFINED_PLACEHOLDER = "aws.events."
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.-]+)>")


class InputTransformer:
    """What a target receives built from the event: values picked by JSON path into `paths`, placed in
    `template` as <name>: `InputTransformer('{"order": <id>}', paths={"id": "$.detail.id"})`.

    Args:
        template: the input, with <name> for each path's value (and EventBridge's own <aws.events.rule-arn>,
            <aws.events.event>, ...).
        paths: name -> JSON path into the event ("$.detail.id").
    """

    def __init__(self, template: str, *, paths: Mapping[str, str] | None = None) -> None:
        self.template = template
        self.paths = dict(paths or {})
        self.location = caller_location()

    def problem(self) -> str | None:
        """What EventBridge would refuse: the nested schema's rules, and a <name> that no path fills."""
        document = {"InputTemplate": self.template, **({"InputPathsMap": self.paths} if self.paths else {})}
        problem = nested_problem(RESOURCE_TYPE, ("Targets", "InputTransformer"), document)
        if problem is not None or not isinstance(self.template, str) or is_token(self.template):
            return problem
        unknown = sorted({name for name in _PLACEHOLDER.findall(self.template)
                          if not name.startswith(_PREDEFINED_PLACEHOLDER) and name not in self.paths})
        if unknown:
            return (f"the input template uses {', '.join(f'<{name}>' for name in unknown)}, which no path fills "
                    f"(paths: {', '.join(sorted(self.paths)) or 'none'})")
        return None

    def to_cfn(self) -> dict[str, Any]:
        return {"InputPathsMap": self.paths or None, "InputTemplate": self.template}


def nested_problem(resource_type: str, path: tuple[str, ...], value: Any) -> str | None:
    """What the registry schema of the nested property at `path` says is wrong with `value` (None when the
    value holds a token, which CloudFormation checks at deploy)."""
    from iac.specs import property_document

    if _holds_token(value):
        return None
    document = property_document(resource_type, *path)
    if document is None:
        return None
    import jsonschema

    error = next(iter(sorted(jsonschema.Draft7Validator(document).iter_errors(value), key=lambda e: list(e.path))),
                 None)
    if error is None:
        return None
    where = "".join(f"[{part!r}]" for part in error.path)
    return f"{error.message}{' at ' + where if where else ''} ({resource_type} {'.'.join(path)}, per its schema)"


def _holds_token(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_token(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_token(item) for item in value)
    return is_token(value)


class EventBusBase(Construct):
    """What buses made here (`EventBus`) and buses made elsewhere (`EventBus.from_event_bus_arn`) share."""

    @property
    def event_bus_name(self) -> Any:
        raise NotImplementedError

    @property
    def event_bus_arn(self) -> Any:
        raise NotImplementedError

    def grant_put_events_to(self, grantee: Any) -> iam.Grant:
        """Put events on this bus (events:PutEvents on it only)."""
        return iam.grant(grantee, actions=["events:PutEvents"], resources=[self.event_bus_arn], scope=self)


class EventBus(EventBusBase):
    """An EventBridge event bus (`AWS::Events::EventBus`, the child `Resource`) for your application's own
    events; rules on it are made with `events.Rule(..., event_bus=bus)`, producers get `grant_put_events_to`.

        bus = events.EventBus(stack, "Orders")

    Args:
        event_bus_name: the bus's name; when omitted "<stack name>-<id>", unique in the account and region
            as stack names are (a bus must be named, and the name cannot change without replacing it).
        description: what the bus carries.
    """

    cfn_type = BUS_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        event_bus_name: Annotated[str | Token | None, Cfn("Name"), Check(event_bus_name_rule)] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
    ) -> None:
        super().__init__(scope, id)
        name = event_bus_name if event_bus_name is not None else Fn.join("-", [Aws.STACK_NAME, _bus_suffix(id)])
        self.resource = CfnResource(self, "Resource", type=BUS_TYPE, properties={
            "Name": name, "Description": description})

    @classmethod
    def from_event_bus_arn(cls, scope: Construct, id: str, event_bus_arn: str | Token) -> ImportedEventBus:
        """A bus that exists (another stack's, another account's), by its ARN: rules on it, targets and grants
        work; nothing is added to the template for the bus itself."""
        return ImportedEventBus(scope, id, event_bus_arn=event_bus_arn)

    @property
    def event_bus_name(self) -> Token:
        return self.resource.get_att("Name")

    @property
    def event_bus_arn(self) -> Token:
        return self.resource.get_att("Arn")


_BUS_ARN = re.compile(r"^arn:[a-z-]+:events:[a-z0-9-]+:\d{12}:event-bus/[/.\-_A-Za-z0-9]+$")


class ImportedEventBus(EventBusBase):
    """A bus made elsewhere, known by its ARN (usually through `EventBus.from_event_bus_arn`).

    Args:
        event_bus_arn: the bus's ARN, arn:aws:events:region:account:event-bus/name.
    """

    def __init__(self, scope: Construct, id: str, *, event_bus_arn: str | Token) -> None:
        super().__init__(scope, id)
        if isinstance(event_bus_arn, str) and not is_token(event_bus_arn) and not _BUS_ARN.match(event_bus_arn):
            raise ConstructError(f"{event_bus_arn!r} is not an event bus ARN (arn:aws:events:region:account:"
                                 "event-bus/name)", path=self.path, location=self.location)
        self._arn = event_bus_arn

    @property
    def event_bus_arn(self) -> Any:
        return self._arn

    @property
    def event_bus_name(self) -> Any:
        if isinstance(self._arn, str) and not is_token(self._arn):
            return self._arn.split("event-bus/", 1)[1]
        return Fn.select(1, Fn.split("event-bus/", self._arn))


def _bus_suffix(id: str) -> str:
    """The id in the characters a bus name may hold."""
    return re.sub(r"[^A-Za-z0-9._-]", "", id) or "Bus"


class Rule(Construct):
    """An EventBridge rule (`AWS::Events::Rule`, the child `Resource`) that runs on a schedule or on
    matching events; targets are added with `add_target`.

        Rule(stack, "Nightly", schedule="cron(0 3 * * ? *)")

    Args:
        schedule: when the rule runs (its ScheduleExpression), as a rate or cron expression
            ("rate(5 minutes)", "cron(0 3 * * ? *)"); give this or event_pattern, not both. For jobs on a
            schedule, scheduler.Schedule (EventBridge Scheduler) adds time zones and flexible windows.
        event_pattern: the events that trigger the rule, as EventBridge writes patterns
            ({"source": ["aws.codecommit"], ...}); give this or schedule, not both.
        description: what the rule is for.
        enabled: False creates the rule disabled (State DISABLED).
        event_bus: the bus whose events the rule matches (an EventBus or `EventBus.from_event_bus_arn`, or a
            bus's name or ARN); the account's default bus when omitted. Scheduled rules run on the default
            bus only.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        schedule: Annotated[str | None, Check(schedule_expression_rule)] = None,
        event_pattern: Annotated[dict[str, Any] | None, Cfn("EventPattern"), Check(event_pattern_rule)] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        enabled: bool = True,
        event_bus: EventBusBase | str | Token | None = None,
    ) -> None:
        super().__init__(scope, id)
        problem = None
        if (schedule is None) == (event_pattern is None):
            problem = "a rule needs exactly one of schedule= or event_pattern="
        elif schedule is not None and event_bus is not None:
            problem = "a scheduled rule runs on the default event bus only; drop event_bus= (or use event_pattern=)"
        if problem is not None:
            raise ConstructError(f"invalid arguments for Rule {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self.schedule = schedule
        self.event_pattern = event_pattern
        self.event_bus = event_bus
        self._targets: list[dict[str, Any]] = []
        self.events_role: iam.Role | None = None
        self._permissions: dict[str, CfnResource] = {}  # by the path of the function they let EventBridge invoke
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Description": description,
            "EventBusName": event_bus.event_bus_name if isinstance(event_bus, EventBusBase) else event_bus,
            "ScheduleExpression": schedule,
            "EventPattern": event_pattern,
            "State": "ENABLED" if enabled else "DISABLED",
            "Targets": self._targets,
        })

    @property
    def rule_arn(self) -> Token:
        return self.resource.get_att("Arn")

    def add_target(self, target: Any, *, input: str | InputTransformer | None = None, input_path: str | None = None,
                   role_arn: Any = None, dead_letter_queue: Any = None, retry_attempts: int | None = None,
                   max_event_age: int | Duration | None = None, message_group_id: str | None = None,
                   partition_key_path: str | None = None) -> None:
        """Send matching events to `target`: an awslambda.Function (or alias), an sqs.Queue, an sns.Topic, a
        stepfunctions.StateMachine, an events.EventBus, a firehose.DeliveryStream, a kinesis.Stream, a
        codebuild.Project, or an ARN (then its permissions are yours to make). At most five targets per rule
        (the Targets schema).

        `input` is a JSON string, or an `InputTransformer` building it from the event; `input_path` sends only
        a part of the event ("$.detail"); the whole event when neither is given. `partition_key_path`: for a
        Kinesis stream, the JSON path of the partition key (the event's id when omitted).

        `dead_letter_queue`: a standard sqs.Queue for the events EventBridge could not deliver (its policy lets
        this rule send there); `retry_attempts` and `max_event_age` (seconds or a Duration): how long
        EventBridge retries (RetryPolicy, within the schema's limits). `message_group_id`: the group for a FIFO
        queue (which needs one). `role_arn`: the role EventBridge assumes for a target given by ARN that takes
        no resource policy (a pipeline, say); for the targets above that need one, the rule's role is made.

        Everything is checked before anything is added, so a refused target leaves no permission behind.
        """
        location = caller_location()
        from iac.specs import property_length

        most = property_length(RESOURCE_TYPE, "Targets")[1]
        if most is not None and len(self._targets) >= most:
            raise self._error(f"a rule has at most {most} targets ({RESOURCE_TYPE} Targets, per its schema)",
                              location, hint="make another rule with the same pattern for more targets")
        entry: dict[str, Any] = {"Arn": None, "Id": f"Target{len(self._targets)}"}
        self._input(entry, input, input_path, location)
        if partition_key_path is not None:
            if getattr(target, "stream_arn", None) is None:
                raise self._error("partition_key_path is for Kinesis stream targets only", location)
            entry["KinesisParameters"] = {"PartitionKeyPath": partition_key_path}
        retry = self._retry_policy(retry_attempts, max_event_age, location)
        if dead_letter_queue is not None:
            self._check_dead_letter_queue(dead_letter_queue, location)
        entry["Arn"] = self._bind(target, message_group_id, location)
        role_arn = role_arn if role_arn is not None else self._role_for(target)
        if role_arn is not None:
            entry["RoleArn"] = role_arn
        if message_group_id is not None:
            entry["SqsParameters"] = {"MessageGroupId": message_group_id}
        if dead_letter_queue is not None:
            dead_letter_queue.allow_service_to_send(EVENTS_SERVICE, source_arn=self.rule_arn,
                                                    key_conditions=self._key_conditions())
            entry["DeadLetterConfig"] = {"Arn": dead_letter_queue.queue_arn}
        if retry:
            entry["RetryPolicy"] = retry
        self._targets.append(entry)

    def _input(self, entry: dict[str, Any], input: Any, input_path: Any, location: Any) -> None:
        if input is not None and input_path is not None:
            raise self._error("give input or input_path, not both", location)
        if isinstance(input, InputTransformer):
            problem = input.problem()
            if problem:
                raise self._error(f"InputTransformer: {problem}", input.location or location)
            entry["InputTransformer"] = {key: value for key, value in input.to_cfn().items() if value is not None}
            return
        for name, key, value in (("input", "Input", input), ("input_path", "InputPath", input_path)):
            if value is None:
                continue
            if not isinstance(value, str):
                raise self._error(f"{name} must be a string, got {value!r}", location)
            problem = nested_problem(RESOURCE_TYPE, ("Targets", key), value)
            if problem:
                raise self._error(problem, location)
            entry[key] = value

    # -- what each kind of target needs ------------------------------------------------------------

    def _bind(self, target: Any, message_group_id: str | None, location: Any) -> Any:
        from iac.constructs import sns, sqs

        if isinstance(target, str | Token):
            return target
        if isinstance(target, sqs.QueueBase):
            if target.fifo and message_group_id is None:
                raise self._error(f"the FIFO queue {target.path} needs a message_group_id for the events sent to it",
                                  location, hint='add_target(queue, message_group_id="orders")')
            self._same_stack(target, "queue", location)
            target.allow_service_to_send(EVENTS_SERVICE, source_arn=self.rule_arn,
                                         key_conditions=self._key_conditions())
            return target.queue_arn
        if message_group_id is not None:
            raise self._error("message_group_id is for FIFO queue targets only", location)
        if isinstance(target, sns.TopicBase):
            self._same_stack(target, "topic", location)
            target.allow_service_to_publish(EVENTS_SERVICE, source_arn=self.rule_arn,
                                            key_conditions=self._key_conditions())
            return target.topic_arn
        if isinstance(target, EventBusBase):
            return target.event_bus_arn
        if getattr(target, "state_machine_arn", None) is not None:
            return target.state_machine_arn
        if getattr(target, "delivery_stream_arn", None) is not None:
            return target.delivery_stream_arn
        if getattr(target, "stream_arn", None) is not None and hasattr(target, "grant_write"):
            return target.stream_arn
        if getattr(target, "project_arn", None) is not None:
            return target.project_arn
        function_arn = getattr(target, "function_arn", None)
        if function_arn is not None and isinstance(target, Construct):
            self._lambda_permission(target, function_arn)
            return function_arn
        raise self._error(f"add_target sends to a function, queue, topic, state machine, event bus, delivery "
                          f"stream, Kinesis stream, CodeBuild project or ARN, not {target!r}", location)

    def _role_for(self, target: Any) -> Any:
        """State machines, buses, delivery streams, Kinesis streams and CodeBuild projects take no resource
        policy for EventBridge: a role it assumes, one per rule, granted on each such target only."""
        if isinstance(target, EventBusBase):
            target.grant_put_events_to(self._events_role())
        elif getattr(target, "state_machine_arn", None) is not None and hasattr(target, "grant_start_execution"):
            target.grant_start_execution(self._events_role())
        elif getattr(target, "delivery_stream_arn", None) is not None and hasattr(target, "grant_put_records"):
            target.grant_put_records(self._events_role())
        elif getattr(target, "stream_arn", None) is not None and hasattr(target, "grant_write"):
            target.grant_write(self._events_role())
        elif (project_arn := getattr(target, "project_arn", None)) is not None and isinstance(target, Construct):
            iam.grant(self._events_role(), actions=["codebuild:StartBuild"], resources=[project_arn], scope=target)
        else:
            return None
        assert self.events_role is not None
        return self.events_role.role_arn

    def _events_role(self) -> iam.Role:
        if self.events_role is None:
            self.events_role = iam.Role(self, "EventsRole", assumed_by=iam.ServicePrincipal(EVENTS_SERVICE),
                                        description=f"EventBridge delivering the events of {self.path}"[:1000])
        return self.events_role

    def _lambda_permission(self, function: Construct, function_arn: Any) -> CfnResource:
        """Made here, next to the rule, so a function in another stack works too (one-way dependency)."""
        if function.path in self._permissions:
            return self._permissions[function.path]
        id = f"{function.id}Permission"
        if self.find_child(id) is not None:  # another function with the same id (two aliases "live", say)
            id = re.sub(r"[^A-Za-z0-9]", "", function.path) + "Permission"
        permission = self._permissions[function.path] = CfnResource(
            self, id, type="AWS::Lambda::Permission", properties={
                "Action": "lambda:InvokeFunction", "FunctionName": function_arn, "Principal": EVENTS_SERVICE,
                "SourceArn": self.rule_arn})
        return permission

    @staticmethod
    def _key_conditions() -> dict[str, Any]:
        """The key's policy cannot name the rule (the rule refers to the queue or topic, which refers to the
        key: a cycle), so it admits EventBridge for this account; the queue or topic policy, which may name
        the rule, is what limits the sender to this rule."""
        return {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}

    def _check_dead_letter_queue(self, queue: Any, location: Any) -> None:
        from iac.constructs import sqs

        if not isinstance(queue, sqs.QueueBase):
            raise self._error(f"dead_letter_queue must be an sqs.Queue, got {queue!r}", location)
        if queue.fifo:
            raise self._error(f"EventBridge's dead-letter queue must be a standard queue; {queue.path} is FIFO",
                              location)
        self._same_stack(queue, "queue", location)

    def _retry_policy(self, retry_attempts: Any, max_event_age: Any, location: Any) -> dict[str, Any]:
        age = convert_quantity(max_event_age, "seconds")
        policy = {"MaximumRetryAttempts": retry_attempts, "MaximumEventAgeInSeconds": age}
        for (name, prop), value in zip((("retry_attempts", "MaximumRetryAttempts"),
                                        ("max_event_age", "MaximumEventAgeInSeconds")), policy.values(), strict=True):
            problem = limit_problem(RESOURCE_TYPE, ("Targets", "RetryPolicy", prop), name, value)
            if problem:
                raise self._error(problem, location)
        return {key: value for key, value in policy.items() if value is not None}

    def _same_stack(self, target: Construct, what: str, location: Any) -> None:
        if target.stack is not self.stack:
            raise self._error(
                f"the {what} {target.path} is in another stack than the rule: its {what} policy would name the rule "
                "while the rule refers to it, a cycle between the stacks", location,
                hint=f"make the rule in the {what}'s stack ({target.stack.path})")

    def _error(self, message: str, location: Any, hint: str | None = None) -> ConstructError:
        return ConstructError(f"Rule {self.id!r}: {message}", path=self.path, location=location or self.location,
                              hint=hint)


__all__ = ["EventBus", "EventBusBase", "ImportedEventBus", "InputTransformer", "Rule", "event_pattern_rule",
           "limit_problem", "nested_problem", "schedule_expression_rule"]
