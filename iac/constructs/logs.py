"""CloudWatch Logs: log groups that expire their events and survive stack changes by default.

    group = logs.LogGroup(stack, "Build", retention_days=logs.RetentionDays.ONE_MONTH)
    group.grant_write(role)

Defaults: events kept two years (log groups that never expire cost money forever; pass
`retention_days=None` to keep them), DeletionPolicy and UpdateReplacePolicy Retain.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import attrs

from iac.constructs import iam
from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.removal import DESTROY, RETAIN, apply_removal_policy, removal_policy_validator

RESOURCE_TYPE = "AWS::Logs::LogGroup"
LOG_GROUP_NAME_RE = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")

#: CloudWatch Logs' documented retention values, used only if the registry schema has no enum.
DOCUMENTED_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                             2557, 2922, 3288, 3653)


class RetentionDays:
    """Names for the retention periods CloudWatch Logs accepts (any accepted number works too)."""

    ONE_DAY = 1
    THREE_DAYS = 3
    FIVE_DAYS = 5
    ONE_WEEK = 7
    TWO_WEEKS = 14
    ONE_MONTH = 30
    TWO_MONTHS = 60
    THREE_MONTHS = 90
    FOUR_MONTHS = 120
    FIVE_MONTHS = 150
    SIX_MONTHS = 180
    ONE_YEAR = 365
    THIRTEEN_MONTHS = 400
    EIGHTEEN_MONTHS = 545
    TWO_YEARS = 731
    THREE_YEARS = 1096
    FIVE_YEARS = 1827
    SIX_YEARS = 2192
    SEVEN_YEARS = 2557
    EIGHT_YEARS = 2922
    NINE_YEARS = 3288
    TEN_YEARS = 3653
    INFINITE = None  # never expire


@functools.cache
def valid_retention_days() -> tuple[int, ...]:
    """The values CloudWatch Logs accepts, from the registry schema iac validates against.

    Read from the schema so the check follows AWS when cfn-lint (and its schemas) are upgraded.
    """
    from iac.specs import resource_schema  # only when a LogGroup is built

    schema = resource_schema(RESOURCE_TYPE)
    enum = schema.document.get("properties", {}).get("RetentionInDays", {}).get("enum") if schema else None
    return tuple(enum) if enum else DOCUMENTED_RETENTION_DAYS


def _check_retention(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    valid = valid_retention_days()
    is_number = isinstance(value, int) and not isinstance(value, bool)
    if is_number and value in valid:
        return
    nearest = f" (nearest: {min(valid, key=lambda days: abs(days - value))})" if is_number else ""
    raise ValueError(
        f"retention_days {value!r} is not a retention CloudWatch Logs accepts; use a RetentionDays value "
        f"or one of {', '.join(map(str, valid))}{nearest}"
    )


def _check_log_group_name(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not LOG_GROUP_NAME_RE.match(value):
        raise ValueError(f"log_group_name {value!r} is not a valid log group name: use 1 to 512 letters, digits, "
                         "'.', '-', '_', '/' or '#'")


@attrs.define(kw_only=True)
class LogGroupProps:
    log_group_name: Any = attrs.field(default=None, validator=_check_log_group_name)
    retention_days: int | None = attrs.field(default=RetentionDays.TWO_YEARS, validator=_check_retention)
    removal_policy: str = attrs.field(default=RETAIN, validator=removal_policy_validator((RETAIN, DESTROY),
                                                                                          RESOURCE_TYPE))


class LogGroup(Construct):
    """A CloudWatch Logs log group (`AWS::Logs::LogGroup`, the child `Resource`)."""

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: LogGroupProps = self._build_props(LogGroupProps, props)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "LogGroupName": self.props.log_group_name,
            "RetentionInDays": self.props.retention_days,
        })
        apply_removal_policy(self.resource, self.props.removal_policy)

    @property
    def log_group_name(self) -> Token:
        return self.resource.ref

    @property
    def log_group_arn(self) -> Token:
        """The group's ARN as CloudFormation gives it (ending in ":*", so it covers the group's streams)."""
        return self.resource.get_att("Arn")

    def grant_write(self, grantee: Any) -> iam.Grant:
        """Create log streams in the group and put events into them."""
        return iam.grant(grantee, actions=WRITE_ACTIONS, resources=[self.log_group_arn], scope=self)
