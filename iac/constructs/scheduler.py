"""EventBridge Scheduler: jobs on a cron or rate schedule, or once at a time, in a time zone.

    scheduler.Schedule(stack, "Nightly", schedule="cron(0 3 * * ? *)", timezone="Europe/Paris",
                       target=report_function, flexible_time_window=Duration.minutes(15))

Scheduler reaches every target through a role it assumes (the child `Role`, trusted by
scheduler.amazonaws.com for this account only: aws:SourceAccount), granted exactly what the target needs:
invoking the function, sending to the queue, publishing to the topic, starting the state machine or the
build, putting events on the bus or records into the stream (and sending to the dead-letter queue, which
Scheduler also does as the role).
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Annotated, Any

from iac.constructs import iam
from iac.constructs.core import Aws, CfnResource, Construct, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.units import Duration, convert_quantity
from iac.constructs.events import EventBusBase, limit_problem
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::Scheduler::Schedule"
SCHEDULER_SERVICE = "scheduler.amazonaws.com"

# Scheduler's expressions (the schema says only "string"): rate and cron as EventBridge writes them, and
# a one-time at(yyyy-mm-ddThh:mm:ss). https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
_RATE = re.compile(r"^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
_AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")


def scheduler_expression_rule(value: Any) -> str | None:
    """A `Check` rule: a rate, cron or at expression Scheduler accepts (literal expressions only)."""
    if not isinstance(value, str) or is_token(value):
        return None
    if _AT.match(value):
        try:
            datetime.datetime.fromisoformat(value[3:-1])
        except ValueError as error:
            return f"{value!r} names no real time: {error}"
        return None
    if _RATE.match(value) or _CRON.match(value):
        return None
    return (f"{value!r} is not a Scheduler expression: use 'rate(5 minutes)' (singular for 1: 'rate(1 day)'), "
            "'cron(0 12 * * ? *)' (six fields) or 'at(2030-01-31T09:00:00)' (once)")


def date_rule(value: Any) -> str | None:
    """A `Check` rule for start_date and end_date: an ISO 8601 date-time (literal values only)."""
    if not isinstance(value, str) or is_token(value):
        return None
    try:
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return f"{value!r} is not an ISO 8601 date-time such as '2030-01-31T09:00:00Z'"
    return None


@functools.cache
def _time_zones() -> frozenset[str]:
    import zoneinfo

    return frozenset(zoneinfo.available_timezones())


def timezone_rule(value: Any) -> str | None:
    """A `Check` rule: an IANA time zone name (the tz database's, as Scheduler takes), when the tz database is
    installed to say so."""
    if not isinstance(value, str) or is_token(value) or not _time_zones() or value in _time_zones():
        return None
    import difflib

    close = difflib.get_close_matches(value, sorted(_time_zones()), n=1)
    return f"{value!r} is not an IANA time zone" + (f"; did you mean {close[0]!r}?" if close else
                                                    " such as 'Europe/Paris' or 'America/New_York'")


def group_name_rule(value: Any) -> str | None:
    """A `Check` rule for `group`: a literal name meets the GroupName schema's pattern and lengths (a
    ScheduleGroup or a token is CloudFormation's to check)."""
    from iac.specs import property_length, property_pattern

    if not isinstance(value, str) or is_token(value):
        return None
    pattern = property_pattern(RESOURCE_TYPE, "GroupName")
    shortest, longest = property_length(RESOURCE_TYPE, "GroupName")
    if (pattern is not None and not re.search(pattern, value)) or (shortest is not None and len(value) < shortest) \
            or (longest is not None and len(value) > longest):
        return (f"{value!r} is not a schedule group name: {shortest} to {longest} characters matching {pattern!r} "
                f"({RESOURCE_TYPE} GroupName, per its schema)")
    return None


def _literal(value: Any) -> bool:
    return isinstance(value, str) and not is_token(value)


def _parse(value: str) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


class ScheduleGroup(Construct):
    """A schedule group (`AWS::Scheduler::ScheduleGroup`, the child `Resource`): schedules that belong
    together, e.g. to be listed or deleted as one; `Schedule(..., group=group)`.

    Args:
        schedule_group_name: the group's name; CloudFormation generates one when omitted.
    """

    cfn_type = "AWS::Scheduler::ScheduleGroup"

    def __init__(self, scope: Construct, id: str, *,
                 schedule_group_name: Annotated[str | Token | None, Cfn("Name")] = None) -> None:
        super().__init__(scope, id)
        self.resource = CfnResource(self, "Resource", type=self.cfn_type, properties={"Name": schedule_group_name})

    @property
    def schedule_group_name(self) -> Token:
        return self.resource.ref  # a group's Ref is its name

    @property
    def schedule_group_arn(self) -> Token:
        return self.resource.get_att("Arn")


class Schedule(Construct):
    """An EventBridge Scheduler schedule (`AWS::Scheduler::Schedule`, the child `Resource`) that invokes one
    target, through a role made for it (the child `Role`).

    Args:
        schedule: when it runs: "rate(5 minutes)", "cron(0 3 * * ? *)" (minute hour day month weekday year)
            or once, "at(2030-01-31T09:00:00)".
        target: what it invokes: an awslambda.Function (or alias), an sqs.Queue, an sns.Topic, a
            stepfunctions.StateMachine, an events.EventBus, a firehose.DeliveryStream, a kinesis.Stream or a
            codebuild.Project; the role is granted that target only.
        input: the payload sent to the target (a JSON string for functions and state machines).
        timezone: the IANA time zone cron and at expressions are read in (ScheduleExpressionTimezone),
            e.g. "Europe/Paris"; UTC when omitted. Daylight saving time is followed.
        flexible_time_window: a window (minutes, or a Duration) within which Scheduler may start the job,
            to spread load; the job starts on time when omitted (Mode OFF).
        description: what the schedule is for.
        enabled: False creates the schedule disabled.
        schedule_name: the schedule's name; CloudFormation generates one when omitted.
        group: the schedule group it belongs to: a ScheduleGroup or a group's name (the "default" group
            when omitted).
        start_date: the UTC date-time (ISO 8601) before which it does not run.
        end_date: the UTC date-time (ISO 8601) after which it no longer runs.
        dead_letter_queue: an sqs.Queue for the invocations Scheduler gave up on (the role may send there).
        retry_attempts: how often Scheduler retries a failed invocation (RetryPolicy).
        max_event_age: how long (seconds, or a Duration) Scheduler keeps retrying (RetryPolicy).
        message_group_id: the message group for a FIFO queue target (which needs one).
        partition_key: the partition key of the records put into a Kinesis stream target (which needs one).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        schedule: Annotated[str | Token, Cfn("ScheduleExpression"), Check(scheduler_expression_rule)],
        target: Any,
        input: str | Token | None = None,
        timezone: Annotated[str | Token | None, Cfn("ScheduleExpressionTimezone"), Check(timezone_rule)] = None,
        flexible_time_window: int | Duration | None = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        enabled: bool = True,
        schedule_name: Annotated[str | Token | None, Cfn("Name")] = None,
        group: Annotated[ScheduleGroup | str | Token | None, Check(group_name_rule)] = None,
        start_date: Annotated[str | Token | None, Cfn("StartDate"), Check(date_rule)] = None,
        end_date: Annotated[str | Token | None, Cfn("EndDate"), Check(date_rule)] = None,
        dead_letter_queue: Any = None,
        retry_attempts: int | None = None,
        max_event_age: int | Duration | None = None,
        message_group_id: str | Token | None = None,
        partition_key: str | Token | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.target = target
        window, retry = self._window(flexible_time_window), self._retry_policy(retry_attempts, max_event_age)
        if (isinstance(start_date, str) and isinstance(end_date, str) and _literal(start_date) and _literal(end_date)
                and _parse(start_date) >= _parse(end_date)):
            raise self._error(f"start_date {start_date!r} is not before end_date {end_date!r}")
        is_stream = getattr(target, "stream_arn", None) is not None
        if is_stream != (partition_key is not None):
            raise self._error("a Kinesis stream target needs a partition_key" if is_stream else
                              "partition_key is for Kinesis stream targets only")
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal(SCHEDULER_SERVICE),
                             assume_role_conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
                             description=f"EventBridge Scheduler invoking the target of {self.path}"[:1000])
        entry: dict[str, Any] = {"Arn": self._bind(target, message_group_id), "RoleArn": self.role.role_arn}
        if input is not None:
            entry["Input"] = input
        if message_group_id is not None:
            entry["SqsParameters"] = {"MessageGroupId": message_group_id}
        if partition_key is not None:
            entry["KinesisParameters"] = {"PartitionKey": partition_key}
        if dead_letter_queue is not None:
            entry["DeadLetterConfig"] = {"Arn": self._dead_letter_arn(dead_letter_queue)}
        if retry:
            entry["RetryPolicy"] = retry
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Name": schedule_name,
            "GroupName": group.schedule_group_name if isinstance(group, ScheduleGroup) else group,
            "Description": description,
            "ScheduleExpression": schedule,
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": window,
            "StartDate": start_date,
            "EndDate": end_date,
            "State": "ENABLED" if enabled else "DISABLED",
            "Target": entry,
        })
        # Scheduler checks nothing at creation, but the first run must not find the role without its grant.
        self.role.add_policy_dependent(self.resource)

    @property
    def schedule_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def grant_principal(self) -> iam.Role:
        """The role Scheduler assumes: grant to the schedule to let it reach a target given by ARN."""
        return self.role

    # -- the target ----------------------------------------------------------------------------------

    def _bind(self, target: Any, message_group_id: Any) -> Any:
        from iac.constructs import sns, sqs

        if isinstance(target, sqs.QueueBase):
            if target.fifo and message_group_id is None:
                raise self._error(f"the FIFO queue {target.path} needs a message_group_id for the messages sent to "
                                  "it", hint='Schedule(..., message_group_id="jobs")')
            target.grant_send_messages(self.role)
            return target.queue_arn
        if message_group_id is not None:
            raise self._error("message_group_id is for FIFO queue targets only")
        if isinstance(target, sns.TopicBase):
            target.grant_publish(self.role)
            return target.topic_arn
        if isinstance(target, EventBusBase):
            target.grant_put_events_to(self.role)
            return target.event_bus_arn
        if getattr(target, "state_machine_arn", None) is not None and hasattr(target, "grant_start_execution"):
            target.grant_start_execution(self.role)
            return target.state_machine_arn
        if getattr(target, "function_arn", None) is not None and hasattr(target, "grant_invoke"):
            target.grant_invoke(self.role)
            return target.function_arn
        if getattr(target, "delivery_stream_arn", None) is not None and hasattr(target, "grant_put_records"):
            target.grant_put_records(self.role)
            return target.delivery_stream_arn
        if getattr(target, "stream_arn", None) is not None and hasattr(target, "grant_write"):
            target.grant_write(self.role)
            return target.stream_arn
        if (project_arn := getattr(target, "project_arn", None)) is not None and isinstance(target, Construct):
            iam.grant(self.role, actions=["codebuild:StartBuild"], resources=[project_arn], scope=target)
            return project_arn
        if isinstance(target, str | Token):
            return target  # its permissions are the user's: grant to the schedule (schedule.role)
        raise self._error(f"a schedule's target is a function, queue, topic, state machine, event bus, delivery "
                          f"stream, Kinesis stream, CodeBuild project or ARN, not {target!r}")

    def _dead_letter_arn(self, queue: Any) -> Any:
        from iac.constructs import sqs

        if not isinstance(queue, sqs.QueueBase):
            raise self._error(f"dead_letter_queue must be an sqs.Queue, got {queue!r}")
        if queue.fifo:
            raise self._error(f"Scheduler's dead-letter queue must be a standard queue; {queue.path} is FIFO")
        queue.grant_send_messages(self.role)
        return queue.queue_arn

    def _window(self, window: Any) -> dict[str, Any]:
        if window is None:
            return {"Mode": "OFF"}
        minutes = convert_quantity(window, "minutes")
        problem = limit_problem(RESOURCE_TYPE, ("FlexibleTimeWindow", "MaximumWindowInMinutes"),
                                 "flexible_time_window", minutes)
        if problem:
            raise self._error(f"{problem} (minutes)")
        return {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": minutes}

    def _retry_policy(self, retry_attempts: Any, max_event_age: Any) -> dict[str, Any]:
        policy = {"MaximumRetryAttempts": retry_attempts,
                  "MaximumEventAgeInSeconds": convert_quantity(max_event_age, "seconds")}
        for name, prop in (("retry_attempts", "MaximumRetryAttempts"), ("max_event_age", "MaximumEventAgeInSeconds")):
            problem = limit_problem(RESOURCE_TYPE, ("Target", "RetryPolicy", prop), name, policy[prop])
            if problem:
                raise self._error(problem)
        return {key: value for key, value in policy.items() if value is not None}

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        return ConstructError(f"invalid arguments for Schedule {self.id!r}: {message}", path=self.path,
                              location=self.location, hint=hint)


__all__ = ["Schedule", "ScheduleGroup", "date_rule", "scheduler_expression_rule", "timezone_rule"]
