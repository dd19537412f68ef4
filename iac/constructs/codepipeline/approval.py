"""Manual approval: the pipeline waits until a person approves."""

from __future__ import annotations

from typing import Annotated, Any, cast

from iac.constructs import iam
from iac.constructs.codepipeline.actions import (
    RUN_ORDER,
    Action,
    ActionScope,
    between,
    checked_arguments,
    name_problem,
)
from iac.constructs.core import Token
from iac.constructs.core.props import Check, Unit
from iac.constructs.core.units import Duration

# -- approval -------------------------------------------------------------------------------------------

class ManualApproval(Action):
    """Wait until a person approves (or rejects) in the console or API.

    Args:
        comment: shown to the approver.
        review_url: a link to what to review, e.g. the staging site.
        notification_topic_arn: an SNS topic told that an approval waits; the action's role may
            publish to it only.
        timeout_minutes: how long the approval waits (5 minutes to 7 days, in minutes or a Duration);
            CodePipeline's default (7 days) when omitted.
        name: the action's name ("Approve").
        run_order: when the action runs in its stage.
    """

    category = "Approval"
    provider = "Manual"

    @checked_arguments
    def __init__(self, *, comment: str | None = None, review_url: str | Token | None = None,
                 notification_topic_arn: str | Token | None = None,
                 timeout_minutes: Annotated[int | Duration | None, Unit("minutes"),
                                            between(5, 7 * 24 * 60, "minutes")] = None,
                 name: Annotated[str, Check(name_problem)] = "Approve",
                 run_order: Annotated[int | None, RUN_ORDER] = None) -> None:
        super().__init__(name=name, run_order=run_order)
        self.comment = comment
        self.review_url = review_url
        self.notification_topic_arn = notification_topic_arn
        self.timeout_minutes = cast("int | None", timeout_minutes)  # converted to minutes by the check

    @property
    def timeout_in_minutes(self) -> int | None:
        return self.timeout_minutes

    def bind(self, scope: ActionScope) -> dict[str, Any]:
        configuration: dict[str, Any] = {}
        if self.notification_topic_arn is not None:
            scope.role().add_to_policy(iam.PolicyStatement(actions=["sns:Publish"],
                                                           resources=[self.notification_topic_arn]))
            configuration["NotificationArn"] = self.notification_topic_arn
        if self.comment is not None:
            configuration["CustomData"] = self.comment
        if self.review_url is not None:
            configuration["ExternalEntityLink"] = self.review_url
        return configuration
