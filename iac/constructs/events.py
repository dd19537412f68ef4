"""EventBridge rules: schedules and event patterns that invoke targets."""

from __future__ import annotations

import re
from typing import Annotated, Any

from iac.constructs.core import CfnResource, Construct, Token
from iac.constructs.core.props import Cfn, Check
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::Events::Rule"

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


class Rule(Construct):
    """An EventBridge rule (`AWS::Events::Rule`, the child `Resource`) that runs on a schedule or on
    matching events; targets are added with `add_target`.

        Rule(stack, "Nightly", schedule="cron(0 3 * * ? *)")

    Args:
        schedule: when the rule runs (its ScheduleExpression), as a rate or cron expression
            ("rate(5 minutes)", "cron(0 3 * * ? *)"); give this or event_pattern, not both.
        event_pattern: the events that trigger the rule, as EventBridge writes patterns
            ({"source": ["aws.codecommit"], ...}); give this or schedule, not both.
        description: what the rule is for.
        enabled: False creates the rule disabled (State DISABLED).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        schedule: Annotated[str | None, Check(schedule_expression_rule)] = None,
        event_pattern: Annotated[dict[str, Any] | None, Cfn("EventPattern")] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        enabled: bool = True,
    ) -> None:
        super().__init__(scope, id)
        if (schedule is None) == (event_pattern is None):
            raise ConstructError(
                f"invalid arguments for Rule {id!r}: a rule needs exactly one of schedule= or event_pattern=",
                path=self.path,
                location=self.location,
            )
        self.schedule = schedule
        self.event_pattern = event_pattern
        self._targets: list[dict[str, Any]] = []
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Description": description,
            "ScheduleExpression": schedule,
            "EventPattern": event_pattern,
            "State": "ENABLED" if enabled else "DISABLED",
            "Targets": self._targets,
        })

    @property
    def rule_arn(self) -> Token:
        return self.resource.get_att("Arn")

    def add_target(self, arn: Any, *, input: str | None = None, role_arn: Any = None) -> None:
        """Send matching events (or `input`, a JSON string) to the target `arn`.

        `role_arn`: the role EventBridge assumes to reach targets that take no resource policy
        (a pipeline, a state machine); Lambda functions and queues grant EventBridge instead.
        """
        target: dict[str, Any] = {"Arn": arn, "Id": f"Target{len(self._targets)}"}
        if input is not None:
            target["Input"] = input
        if role_arn is not None:
            target["RoleArn"] = role_arn
        self._targets.append(target)
