"""CloudWatch Logs: log groups that expire their events and survive stack changes by default.

    group = logs.LogGroup(stack, "Build", retention_days=logs.RetentionDays.ONE_MONTH)
    group.grant_write(role)

Defaults: events kept two years (log groups that never expire cost money forever; pass
`retention_days=None` to keep them), DeletionPolicy and UpdateReplacePolicy Retain. With
`encryption_key=` (a kms.Key) the key policy lets CloudWatch Logs in the stack's region use the key for
this group's name (any group's of the account when the name is generated), as the service requires.
"""

from __future__ import annotations

from typing import Annotated, Any

from iac.constructs import iam, kms
from iac.constructs.core import Aws, CfnResource, Construct, Token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.units import Duration

RESOURCE_TYPE = "AWS::Logs::LogGroup"
WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
#: What CloudWatch Logs does with a log group's key (the key policy statement of "Encrypt log data in
#: CloudWatch Logs using AWS KMS"): https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
KEY_ACTIONS = ("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*")

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


def valid_retention_days() -> tuple[int, ...]:
    """The values CloudWatch Logs accepts, from the registry schema `retention_days` is checked against
    (so the check follows AWS when cfn-lint and its schemas are upgraded)."""
    from iac.constructs.core.props import cfn_property_schema  # only when asked

    return tuple(cfn_property_schema(RESOURCE_TYPE, "RetentionInDays").get("enum", ()))


class LogGroup(Construct):
    """A CloudWatch Logs log group (`AWS::Logs::LogGroup`, the child `Resource`).

    Args:
        log_group_name: the group's name; CloudFormation generates one when omitted (a fixed name
            makes the group impossible to replace without a name change).
        retention_days: how long events are kept: a number of days the service accepts, a
            `RetentionDays` name or `Duration.days(n)`; None keeps them forever.
        removal_policy: what happens to the events when the group leaves the stack or is replaced:
            "retain" (default) or "destroy".
        encryption_key: the kms.Key the events are encrypted with (default: CloudWatch Logs' own keys);
            its key policy gets the statement that lets CloudWatch Logs use it for this group.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        log_group_name: Annotated[str | Token | None, Cfn("LogGroupName")] = None,
        retention_days: Annotated[int | Duration | None, Cfn("RetentionInDays", unit="days")] = RetentionDays.TWO_YEARS,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
        encryption_key: kms.Key | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.encryption_key = encryption_key
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "LogGroupName": log_group_name,
            "RetentionInDays": retention_days,
            "KmsKeyId": None if encryption_key is None else encryption_key.key_arn,
        })
        apply_removal_policy(self.resource, removal_policy)
        if encryption_key is not None:
            encryption_key.add_to_resource_policy(self._key_statement(log_group_name))

    @staticmethod
    def _key_statement(log_group_name: Any) -> iam.PolicyStatement:
        """CloudWatch Logs checks the key policy when the key is associated, so the statement cannot name the
        group's ARN attribute (the key would wait for the group that waits for it): it names the ARN that the
        group's name makes, or any group of the account and region when the name is generated."""
        name = "*" if log_group_name is None else log_group_name
        return iam.PolicyStatement(
            principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
            actions=list(KEY_ACTIONS),
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                    f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{name}"}},
        )

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
