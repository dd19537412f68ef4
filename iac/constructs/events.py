"""EventBridge rules: schedules and event patterns that invoke targets."""

from __future__ import annotations

import re
from typing import Any

import attrs

from iac.constructs.core import CfnResource, Construct, Token

# EventBridge wants the singular unit for 1 ("rate(1 day)") and the plural above it.
_RATE = re.compile(r"^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$")
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")


def _check_schedule(instance: Any, attribute: attrs.Attribute, value: str | None) -> None:
    if value is not None and not (_RATE.match(value) or _CRON.match(value)):
        raise ValueError(
            f"schedule {value!r} is not an EventBridge expression: use 'rate(5 minutes)' or "
            "'cron(0 12 * * ? *)' (six fields)"
        )


@attrs.define(kw_only=True)
class RuleProps:
    schedule: str | None = attrs.field(default=None, validator=_check_schedule)
    event_pattern: dict[str, Any] | None = None
    description: str | None = None
    enabled: bool = True

    def __attrs_post_init__(self) -> None:
        if (self.schedule is None) == (self.event_pattern is None):
            raise ValueError("a rule needs exactly one of schedule= or event_pattern=")


class Rule(Construct):
    """`Rule(stack, "Nightly", schedule="cron(0 3 * * ? *)")`; targets are added with add_target."""

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: RuleProps = self._build_props(RuleProps, props)
        self._targets: list[dict[str, Any]] = []
        self.resource = CfnResource(self, "Resource", type="AWS::Events::Rule", properties={
            "Description": self.props.description,
            "ScheduleExpression": self.props.schedule,
            "EventPattern": self.props.event_pattern,
            "State": "ENABLED" if self.props.enabled else "DISABLED",
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
