"""Kinesis Data Streams: streams that are encrypted and kept by default, with least-privilege grants.

    events = kinesis.Stream(stack, "Events", retention_period=Duration.days(7))
    events.grant_write(producer)
    consumer.add_event_source(awslambda.KinesisEventSource(events, starting_position="TRIM_HORIZON"))

Defaults: on-demand capacity (no shards to size; `shard_count=` makes a provisioned stream); server-side
encryption with the AWS managed key `alias/aws/kinesis` unless a kms.Key is given; DeletionPolicy and
UpdateReplacePolicy Retain, since a stream holds records (iac.specs.is_stateful).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Annotated, Any

from iac.constructs import cloudwatch, iam, kms
from iac.constructs.core import CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, Size
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::Kinesis::Stream"
CONSUMER_TYPE = "AWS::Kinesis::StreamConsumer"
METRIC_NAMESPACE = "AWS/Kinesis"

#: The key Kinesis encrypts with when no customer key is given; its key policy lets every IAM principal of the
#: account that may use the stream use it, so grants need no KMS statement.
AWS_MANAGED_KEY = "alias/aws/kinesis"
ON_DEMAND = "ON_DEMAND"
PROVISIONED = "PROVISIONED"

# Every action below acts on the "stream" resource type (iac.specs.iam_action_resource_types), so naming the
# stream's ARN is all it takes; ListStreams (no resource) and SubscribeToShard (a consumer's ARN) are left out.
READ_ACTIONS = ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                "kinesis:GetShardIterator", "kinesis:ListShards")
WRITE_ACTIONS = ("kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords")
#: What an enhanced fan-out consumer's reader takes on the consumer's ARN (the "consumer" resource type), besides
#: the stream's read actions.
CONSUMER_ACTIONS = ("kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard")
# With a customer key, producers generate the data key records are encrypted with and consumers decrypt it,
# with their own permissions on the key: https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html
KMS_READ_ACTIONS = ("kms:Decrypt",)
KMS_WRITE_ACTIONS = ("kms:GenerateDataKey",)

_STREAM_ARN = re.compile(r"^arn:[a-z-]+:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]+$")


class StreamBase(Construct):
    """What a stream made here (`Stream`) and one made elsewhere (`Stream.from_stream_arn`) share: references,
    grants and metrics."""

    encryption_key: kms.KeyBase | None = None

    @property
    def stream_arn(self) -> Any:
        raise NotImplementedError

    @property
    def stream_name(self) -> Any:
        raise NotImplementedError

    # -- grants ----------------------------------------------------------------------------------

    def grant_read(self, grantee: Any) -> iam.Grant:
        """Read records: describe the stream, list its shards, get shard iterators and records (and, with a
        customer key, decrypt them)."""
        return self._grant(grantee, READ_ACTIONS, KMS_READ_ACTIONS)

    def grant_write(self, grantee: Any) -> iam.Grant:
        """Put records (one or a batch) and list the shards (and, with a customer key, generate data keys)."""
        return self._grant(grantee, WRITE_ACTIONS, KMS_WRITE_ACTIONS)

    def grant_read_write(self, grantee: Any) -> iam.Grant:
        """Both of the above, in one statement."""
        return self._grant(grantee, tuple(sorted(set(READ_ACTIONS + WRITE_ACTIONS))),
                           tuple(sorted(set(KMS_READ_ACTIONS + KMS_WRITE_ACTIONS))))

    def _grant(self, grantee: Any, actions: Sequence[str], key_actions: Sequence[str]) -> iam.Grant:
        result = iam.grant(grantee, actions=actions, resources=[self.stream_arn], scope=self)
        if self.encryption_key is not None:
            iam.grant(grantee, actions=key_actions, resources=[self.encryption_key.key_arn], scope=self)
        return result

    # -- metrics ---------------------------------------------------------------------------------

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of the stream's AWS/Kinesis stream-level metrics, by name."""
        return cloudwatch.Metric(namespace=METRIC_NAMESPACE, metric_name=metric_name,
                                 dimensions={"StreamName": self.stream_name}, statistic=statistic, period=period)

    def metric_get_records_iterator_age(self, *, statistic: str = "Maximum",
                                        period: int | Duration = 60) -> cloudwatch.Metric:
        """Milliseconds between the newest record read and the stream's tip: consumers falling behind."""
        return self.metric("GetRecords.IteratorAgeMilliseconds", statistic=statistic, period=period)

    def metric_incoming_records(self, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("IncomingRecords", statistic=statistic, period=period)

    def metric_write_provisioned_throughput_exceeded(self, *, statistic: str = "Sum",
                                                     period: int | Duration = 60) -> cloudwatch.Metric:
        """Records refused because the stream (or a shard) was at its write limit."""
        return self.metric("WriteProvisionedThroughputExceeded", statistic=statistic, period=period)

    def metric_read_provisioned_throughput_exceeded(self, *, statistic: str = "Sum",
                                                    period: int | Duration = 60) -> cloudwatch.Metric:
        """GetRecords calls throttled because the stream (or a shard) was at its read limit."""
        return self.metric("ReadProvisionedThroughputExceeded", statistic=statistic, period=period)


class Stream(StreamBase):
    """A Kinesis data stream (`AWS::Kinesis::Stream`, the child `Resource`).

    Args:
        stream_name: the stream's name; CloudFormation generates one when omitted (a fixed name makes the
            stream impossible to replace without a name change).
        shard_count: make a provisioned stream with this many shards (each takes 1 MiB/s or 1,000 records/s
            in, 2 MiB/s out); when omitted the stream is on-demand and scales by itself.
        retention_period: how long records stay readable, in hours or as a `Duration` of whole hours
            (Kinesis's default is 24 hours); longer than a day costs extra.
        encryption_key: the kms.Key records are encrypted with (default: the AWS managed key
            alias/aws/kinesis). Grants then include the key.
        shard_level_metrics: the enhanced shard-level metrics to publish (the schema's EnhancedMetric names,
            e.g. ["IncomingBytes", "IteratorAgeMilliseconds"]); each costs a CloudWatch metric per shard.
        max_record_size: the largest record producers may put, in KiB or as a `Size` (Kinesis's default is
            1 MiB).
        removal_policy: what happens to the stream and its records when it leaves the stack or is replaced:
            "retain" (default) or "destroy".
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stream_name: Annotated[str | Token | None, Cfn("Name")] = None,
        shard_count: Annotated[int | None, Cfn("ShardCount")] = None,
        retention_period: Annotated[int | Duration | None, Cfn("RetentionPeriodHours", unit="hours")] = None,
        encryption_key: kms.KeyBase | None = None,
        shard_level_metrics: Annotated[Sequence[str] | None, Cfn("DesiredShardLevelMetrics")] = None,
        max_record_size: Annotated[int | Size | None, Cfn("MaxRecordSizeInKiB", unit="KiB")] = None,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
    ) -> None:
        super().__init__(scope, id)
        self.encryption_key = encryption_key
        self.shard_count = shard_count
        self.stream_mode = ON_DEMAND if shard_count is None else PROVISIONED
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Name": stream_name,
            "StreamModeDetails": {"StreamMode": self.stream_mode},
            "ShardCount": shard_count,
            "RetentionPeriodHours": retention_period,
            "StreamEncryption": {
                "EncryptionType": "KMS",
                "KeyId": AWS_MANAGED_KEY if encryption_key is None else encryption_key.key_arn,
            },
            "DesiredShardLevelMetrics": list(shard_level_metrics) if shard_level_metrics else None,
            "MaxRecordSizeInKiB": max_record_size,
        })
        apply_removal_policy(self.resource, removal_policy)

    @classmethod
    def from_stream_arn(cls, scope: Construct, id: str, stream_arn: str | Token, *,
                        encryption_key: kms.KeyBase | None = None) -> ImportedStream:
        """A stream that exists, by its ARN: grants, metrics and event sources work on it; nothing is added to
        the template."""
        return ImportedStream(scope, id, stream_arn=stream_arn, encryption_key=encryption_key)

    @property
    def stream_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def stream_name(self) -> Token:
        return self.resource.ref


class ImportedStream(StreamBase):
    """A Kinesis stream made elsewhere, known by its ARN (usually through `Stream.from_stream_arn`); nothing is
    added to the template.

    Args:
        stream_arn: the stream's ARN, arn:aws:kinesis:region:account:stream/name, or a deploy-time value.
        encryption_key: the customer managed kms.Key the stream is encrypted with, if any; grants then
            include it.
    """

    def __init__(self, scope: Construct, id: str, *, stream_arn: str | Token,
                 encryption_key: kms.KeyBase | None = None) -> None:
        super().__init__(scope, id)
        if isinstance(stream_arn, str) and not is_token(stream_arn) and not _STREAM_ARN.match(stream_arn):
            raise ConstructError(f"{stream_arn!r} is not a Kinesis stream ARN (arn:aws:kinesis:region:account:"
                                 "stream/name)", path=self.path, location=caller_location() or self.location)
        self._arn = stream_arn
        self.encryption_key = encryption_key

    @property
    def stream_arn(self) -> Any:
        return self._arn

    @property
    def stream_name(self) -> Any:
        if isinstance(self._arn, str) and not is_token(self._arn):
            return self._arn.split("/", 1)[1]
        return Fn.select(1, Fn.split("/", self._arn))


class StreamConsumer(Construct):
    """An enhanced fan-out consumer of a stream (`AWS::Kinesis::StreamConsumer`, the child `Resource`): a reader
    with 2 MiB/s per shard of its own, pushed to over HTTP/2, instead of sharing the shard's read limit with
    every other reader. `awslambda.KinesisEventSource(consumer)` reads through it.

    Args:
        stream: the kinesis.Stream the consumer reads (or one made elsewhere).
        consumer_name: the consumer's name, unique among the stream's consumers (changing it replaces the
            consumer).
    """

    cfn_type = CONSUMER_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stream: StreamBase,
        consumer_name: Annotated[str | Token, Cfn("ConsumerName")],
    ) -> None:
        super().__init__(scope, id)
        self.stream = stream
        self.resource = CfnResource(self, "Resource", type=CONSUMER_TYPE, properties={
            "ConsumerName": consumer_name,
            "StreamARN": stream.stream_arn,
        })

    @property
    def consumer_arn(self) -> Token:
        return self.resource.get_att("ConsumerARN")

    @property
    def consumer_name(self) -> Token:
        return self.resource.get_att("ConsumerName")

    def grant_read(self, grantee: Any) -> iam.Grant:
        """Read the stream through this consumer: the stream's `grant_read`, and describing and subscribing to
        the shards through the consumer's ARN."""
        self.stream.grant_read(grantee)
        return iam.grant(grantee, actions=CONSUMER_ACTIONS, resources=[self.consumer_arn], scope=self)


__all__ = [
    "AWS_MANAGED_KEY",
    "CONSUMER_ACTIONS",
    "ImportedStream",
    "KMS_READ_ACTIONS",
    "KMS_WRITE_ACTIONS",
    "READ_ACTIONS",
    "Stream",
    "StreamBase",
    "StreamConsumer",
    "WRITE_ACTIONS",
]
