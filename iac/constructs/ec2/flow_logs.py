"""VPC flow logs: a record of the traffic of a VPC (or one subnet), to CloudWatch Logs or to S3.

    vpc.add_flow_log()                                                           # a log group of its own
    vpc.add_flow_log("ToS3", destination=ec2.FlowLogDestination.to_s3(bucket, key_prefix="flows"))

To CloudWatch Logs: a log group (the child `LogGroup`: events kept two years, retained, unless one is
given) and the role the flow-logs service delivers through (the child `IAMRole`), which that service may
assume only for this account's flow logs (aws:SourceAccount, aws:SourceArn) and which may write to that
group only. To S3: a bucket (the child `Bucket`: encrypted, private, TLS only, versioned, retained,
unless one is given) whose policy lets the log delivery service put objects under
`<prefix>/AWSLogs/<account>/` and read the bucket's ACL, for this account's deliveries only; the flow
log waits for that policy. A bucket encrypted with a kms.Key gets the key statement delivery needs. An
existing bucket (`s3.Bucket.from_bucket_name`, a central log bucket) gets nothing: its owner's policy must let
delivery.logs.amazonaws.com write there (the statements above are what it needs).
"""

from __future__ import annotations

from typing import Annotated, Any

import attrs

from iac.constructs import iam, kms, logs, s3
from iac.constructs.core import Aws, CfnResource, Construct, Token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.constructs.ec2.vpc import Subnet, Vpc
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::EC2::FlowLog"
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"
#: What the flow-logs service does with a log group (CreateLogStream, PutLogEvents, DescribeLogStreams):
#: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
LOG_GROUP_ACTIONS = ("logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents")
#: EC2 aggregates flows over one minute or ten (the schema says so only in prose):
#: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html#flow-log-records
AGGREGATION_INTERVALS = (60, 600)


class FlowLogTrafficType:
    """Which traffic is recorded (AWS::EC2::FlowLog TrafficType)."""

    ALL = "ALL"
    ACCEPT = "ACCEPT"
    REJECT = "REJECT"


def _interval_problem(value: Any) -> str | None:
    if value is None or value in AGGREGATION_INTERVALS:
        return None
    return f"{value!r} seconds is not one of {', '.join(map(str, AGGREGATION_INTERVALS))} (a minute or ten)"


def _kind(instance: Any, attribute: Any, value: Any) -> None:
    if value not in ("cloud-watch-logs", "s3"):
        raise ConstructError(f"a flow log destination is CloudWatch Logs or S3, got {value!r}",
                             location=caller_location())


@attrs.frozen(kw_only=True)
class FlowLogDestination:
    """Where flow log records go: `FlowLogDestination.to_cloud_watch_logs(group)` or `.to_s3(bucket)`."""

    kind: str = attrs.field(validator=_kind)
    log_group: logs.LogGroup | None = None
    role: iam.Role | None = None
    bucket: s3.Bucket | None = None
    key_prefix: str | None = None

    @staticmethod
    def to_cloud_watch_logs(log_group: logs.LogGroup | None = None, role: iam.Role | None = None) -> FlowLogDestination:
        """A log group (default: a new one) and the role delivery uses (default: a new one, allowed exactly that)."""
        if log_group is not None and not isinstance(log_group, logs.LogGroup):
            raise ConstructError(f"to_cloud_watch_logs needs a logs.LogGroup, got {type(log_group).__name__}",
                                 location=caller_location())
        if role is not None and not isinstance(role, iam.Role):
            raise ConstructError(f"to_cloud_watch_logs role must be an iam.Role, got {type(role).__name__}",
                                 location=caller_location())
        return FlowLogDestination(kind="cloud-watch-logs", log_group=log_group, role=role)

    @staticmethod
    def to_s3(bucket: s3.Bucket | None = None, key_prefix: str | None = None) -> FlowLogDestination:
        """A bucket (default: a new one) and an optional key prefix ("flows", no leading or trailing "/")."""
        if bucket is not None and not isinstance(bucket, s3.Bucket):
            raise ConstructError(f"to_s3 needs an s3.Bucket, got {type(bucket).__name__}", location=caller_location())
        if key_prefix is not None and (not isinstance(key_prefix, str) or not key_prefix.strip("/")
                                       or key_prefix != key_prefix.strip("/")):
            raise ConstructError(f"to_s3 key_prefix must be a prefix such as 'flows' (no leading or trailing '/'), "
                                 f"got {key_prefix!r}", location=caller_location())
        return FlowLogDestination(kind="s3", bucket=bucket, key_prefix=key_prefix)


class FlowLog(Construct):
    """A flow log (`AWS::EC2::FlowLog`, the child `Resource`) of a VPC or a subnet; usually made with
    `vpc.add_flow_log()`.

    Args:
        vpc: the VPC whose traffic is recorded (or give subnet).
        subnet: the one subnet whose traffic is recorded, instead of a whole VPC.
        destination: where the records go (default: a new CloudWatch Logs group,
            `FlowLogDestination.to_cloud_watch_logs()`).
        traffic_type: "ALL" (default), "ACCEPT" or "REJECT" (FlowLogTrafficType).
        max_aggregation_interval: how long flows are gathered into one record: 60 or 600 seconds
            (EC2's default, 600), or a `Duration`.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        vpc: Vpc | None = None,
        subnet: Subnet | None = None,
        destination: FlowLogDestination | None = None,
        traffic_type: Annotated[str, Cfn("TrafficType")] = FlowLogTrafficType.ALL,
        max_aggregation_interval: Annotated[int | Duration | None, Cfn("MaxAggregationInterval", unit="seconds"),
                                            Check(_interval_problem)] = None,
    ) -> None:
        super().__init__(scope, id)
        if (vpc is None) == (subnet is None):
            raise ConstructError(f"FlowLog {id!r}: give vpc= or subnet= (the traffic to record), one of them",
                                 path=self.path, location=self.location)
        self.destination = destination or FlowLogDestination.to_cloud_watch_logs()
        self.log_group: logs.LogGroup | None = None
        self.role: iam.Role | None = None
        self.bucket: s3.Bucket | None = None
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "ResourceId": vpc.vpc_id if vpc is not None else subnet.subnet_id,  # type: ignore[union-attr]
            "ResourceType": "VPC" if vpc is not None else "Subnet",
            "TrafficType": traffic_type,
            "MaxAggregationInterval": max_aggregation_interval,
            **(self._to_cloud_watch_logs() if self.destination.kind == "cloud-watch-logs" else self._to_s3()),
            "Tags": [{"Key": "Name", "Value": self.path}],
        })
        if self.role is not None:
            self.role.add_policy_dependent(self.resource)  # delivery starts at once: the role must be able to
        if self.bucket is not None and self.bucket.policy is not None:
            self.resource.add_depends_on(self.bucket.policy)  # else EC2 tries to write a bucket policy itself

    @property
    def flow_log_id(self) -> Token:
        return self.resource.ref

    # -- destinations -------------------------------------------------------------------------------

    def _to_cloud_watch_logs(self) -> dict[str, Any]:
        self.log_group = self.destination.log_group or logs.LogGroup(self, "LogGroup")
        self.role = self.destination.role or iam.Role(
            self, "IAMRole", assumed_by=iam.ServicePrincipal(FLOW_LOGS_SERVICE),
            description=f"delivers the flow log {self.path}"[:1000],
            assume_role_conditions={
                "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:ec2:{Aws.REGION}:{Aws.ACCOUNT_ID}:vpc-flow-log/*"},
            })
        self.role.add_to_policy(iam.PolicyStatement(actions=list(LOG_GROUP_ACTIONS),
                                                    resources=[self.log_group.log_group_arn]))
        return {"LogDestinationType": "cloud-watch-logs", "LogGroupName": self.log_group.log_group_name,
                "DeliverLogsPermissionArn": self.role.role_arn}

    def _to_s3(self) -> dict[str, Any]:
        bucket = self.bucket = self.destination.bucket or s3.Bucket(self, "Bucket", versioned=True)
        prefix = self.destination.key_prefix
        destination = {"LogDestinationType": "s3",
                       "LogDestination": f"{bucket.bucket_arn}/{prefix}" if prefix else bucket.bucket_arn}
        if isinstance(bucket, s3.ImportedBucket):
            return destination  # its policy (and key policy) are its owner's: they must let log delivery write
        objects = f"{prefix}/AWSLogs/{Aws.ACCOUNT_ID}/*" if prefix else f"AWSLogs/{Aws.ACCOUNT_ID}/*"
        source = {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                  "ArnLike": {"aws:SourceArn": f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:*"}}
        delivery = iam.ServicePrincipal(LOG_DELIVERY_SERVICE)
        bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="AWSLogDeliveryWrite", principals=[delivery], actions=["s3:PutObject"],
            resources=[bucket.arn_for_objects(objects)],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID,
                                         "s3:x-amz-acl": "bucket-owner-full-control"},
                        "ArnLike": source["ArnLike"]}))
        bucket.add_to_resource_policy(iam.PolicyStatement(
            sid="AWSLogDeliveryCheck", principals=[delivery], actions=["s3:GetBucketAcl", "s3:ListBucket"],
            resources=[bucket.bucket_arn], conditions=source))
        key = bucket.encryption_key
        if isinstance(key, kms.Key):
            key.add_to_resource_policy(iam.PolicyStatement(
                principals=[delivery], actions=["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                                                "kms:DescribeKey"], resources=["*"], conditions=source))
        elif bucket.props.encryption == s3.BucketEncryption.KMS:
            raise ConstructError(f"FlowLog {self.id!r}: the bucket is encrypted with a key this stack does not own "
                                 f"({bucket.path}); its key policy must let {LOG_DELIVERY_SERVICE} use it",
                                 path=self.path, location=self.location,
                                 hint="give the bucket encryption_key=kms.Key(...), or a bucket encrypted with SSE-S3")
        return destination


__all__ = ["AGGREGATION_INTERVALS", "FlowLog", "FlowLogDestination", "FlowLogTrafficType"]
