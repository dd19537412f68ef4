"""Amazon Data Firehose: delivery streams to S3 whose role can reach that bucket (and its key) and nothing else.

    archive = s3.Bucket(stack, "Archive", versioned=True)
    firehose.DeliveryStream(stack, "ToArchive", bucket=archive, source_stream=events,
                            buffering_interval=Duration.minutes(5), compression=firehose.Compression.GZIP)

Defaults: a role of its own that Firehose assumes (for this account only: sts:ExternalId), with exactly the S3
actions delivery takes on that bucket's ARNs (and, for a bucket encrypted with a KMS key, that key through S3
only), the stream read grant when a Kinesis stream is the source, and log writes to one log stream when logging
is on; the delivery stream waits for that role's policy. A direct-put delivery stream is encrypted at rest (an
AWS owned key unless a kms.Key is given); one reading a Kinesis stream keeps the stream's encryption.
DeletionPolicy and UpdateReplacePolicy Retain, as a delivery stream buffers records not yet delivered
(iac.specs.is_stateful).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from iac.constructs import cloudwatch, iam, kinesis, kms, logs, s3
from iac.constructs.core import Aws, CfnResource, Construct, Token, is_token
from iac.constructs.core.props import Cfn, Check, Unit, schema_rule
from iac.constructs.core.protocols import Invocable
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, Size
from iac.constructs.sqs import checked_options
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::KinesisFirehose::DeliveryStream"
S3_DESTINATION = "ExtendedS3DestinationConfiguration"
METRIC_NAMESPACE = "AWS/Firehose"
FIREHOSE_SERVICE = "firehose.amazonaws.com"

# What delivering to S3 takes (https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3),
# split by the resource type each action acts on (iac.specs.iam_action_resource_types): the bucket's ARN for the
# bucket-level ones, its objects' ARN for the others.
S3_BUCKET_ACTIONS = ("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads")
S3_OBJECT_ACTIONS = ("s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject")
#: With SSE-KMS, S3 encrypts each object with a data key it asks for with the writer's permissions on the key.
S3_KEY_ACTIONS = kms.DATA_KEY_ACTIONS
PUT_ACTIONS = ("firehose:PutRecord", "firehose:PutRecordBatch")
#: What Firehose calls on a transforming function (the docs' role policy for data transformation).
PROCESSOR_ACTIONS = ("lambda:GetFunctionConfiguration", "lambda:InvokeFunction")
LOG_ACTIONS = ("logs:PutLogEvents",)

#: Firehose's rules for S3 prefixes with expressions (!{timestamp:...}, !{firehose:...}), which the schema
#: cannot state: https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
PREFIX_RULES_URL = "https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html"
EXPRESSION_START = "!{"
ERROR_OUTPUT_TYPE = "!{firehose:error-output-type}"


class Compression:
    """Names for the formats Firehose compresses objects with (CompressionFormat; checked against its schema)."""

    UNCOMPRESSED: Final = "UNCOMPRESSED"
    GZIP: Final = "GZIP"
    ZIP: Final = "ZIP"
    SNAPPY: Final = "Snappy"
    HADOOP_SNAPPY: Final = "HADOOP_SNAPPY"


# -- rules: the S3 destination's nested properties, per the schema --------------------------------

def destination_rule(*path: str) -> Any:
    """A `Check` rule: the value meets the schema of ExtendedS3DestinationConfiguration's property at `path`
    (range, length, enum with "did you mean"); a deploy-time value is CloudFormation's to check."""
    return schema_rule(RESOURCE_TYPE, S3_DESTINATION, *path)


# -- transforming records with a function ------------------------------------------------------

#: Firehose's limits for a Lambda processor's parameters, which the schema types only as strings:
#: https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
PROCESSOR_RULES_URL = "https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html"
PROCESSOR_INTERVAL_SECONDS = (60, 900)
PROCESSOR_SIZE_MIB = (1, 3)
PROCESSOR_RETRIES = (0, 300)


def _within(bounds: tuple[int, int], what: str) -> Any:
    low, high = bounds

    def rule(value: Any) -> str | None:
        if not isinstance(value, int) or low <= value <= high:
            return None
        return f"must be {low} to {high} {what} for a Lambda processor, got {value} ({PROCESSOR_RULES_URL})"

    return rule


class LambdaProcessor:
    """A function that transforms each buffered batch of records before delivery (ProcessingConfiguration, a
    "Lambda" processor); the delivery stream's role is granted invoking it.

    Args:
        function: the awslambda.Function (or alias) that transforms records; it returns each record with a
            result of Ok, Dropped or ProcessingFailed.
        buffer_interval: how long Firehose gathers records before invoking, in seconds or as a `Duration`
            (60 to 900 seconds; Firehose's default is 60).
        buffer_size: how much Firehose gathers before invoking, in MiB or as a `Size` (1 to 3 MiB; default 1).
        retries: how often a failed invocation is retried before the batch goes to the error prefix (0 to 300;
            default 3).
    """

    @checked_options
    def __init__(
        self,
        function: Invocable,
        *,
        buffer_interval: Annotated[int | Duration | None, Unit("seconds"),
                                   Check(_within(PROCESSOR_INTERVAL_SECONDS, "seconds"))] = None,
        buffer_size: Annotated[int | Size | None, Unit("MiB"), Check(_within(PROCESSOR_SIZE_MIB, "MiB"))] = None,
        retries: Annotated[int | None, Check(_within(PROCESSOR_RETRIES, "retries"))] = None,
    ) -> None:
        self.function = function
        self.parameters = [(name, value) for name, value in (
            ("LambdaArn", function.function_arn),
            ("BufferIntervalInSeconds", buffer_interval),
            ("BufferSizeInMBs", buffer_size),
            ("NumberOfRetries", retries),
        ) if value is not None]

    def configuration(self) -> dict[str, Any]:
        """The ProcessingConfiguration this processor writes (parameter values are strings, as the schema says)."""
        return {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": name, "ParameterValue": value if name == "LambdaArn" else str(value)}
            for name, value in self.parameters]}]}


# -- the delivery stream -----------------------------------------------------------------------

class DeliveryStream(Construct):
    """A Firehose delivery stream to S3 (`AWS::KinesisFirehose::DeliveryStream`, the child `Resource`, with an
    ExtendedS3DestinationConfiguration), the role Firehose assumes (`iam.Role`, the child `Role`) and, with
    logging, its log group (`logs.LogGroup`, the child `Logs`, unless one is given) and log stream (the child
    `LogStream`).

    Args:
        bucket: the s3.Bucket records are delivered to; the role gets exactly the S3 actions delivery takes on
            it (and its KMS key, if it has one, used only through S3).
        delivery_stream_name: the delivery stream's name; CloudFormation generates one when omitted.
        source_stream: a kinesis.Stream the delivery stream reads from (it is granted reading it); when omitted,
            producers put records directly (`grant_put_records`).
        prefix: the S3 key prefix of delivered objects, e.g. "events/!{timestamp:yyyy/MM/dd}/" (Firehose's
            default is the UTC time, "YYYY/MM/dd/HH/"); expressions need error_output_prefix too.
        error_output_prefix: the S3 key prefix of records that could not be delivered, e.g.
            "errors/!{firehose:error-output-type}/"; with expressions it must use !{firehose:error-output-type}.
        buffering_interval: how long Firehose gathers records before delivering, in seconds or as a `Duration`
            (Firehose's default is 300 seconds).
        buffering_size: how much Firehose gathers before delivering, in MiB or as a `Size` (default 5 MiB);
            whichever of interval and size comes first triggers delivery.
        compression: how objects are compressed: a `Compression` name (UNCOMPRESSED by default; GZIP for most
            analytics tools).
        logging: log delivery errors to CloudWatch Logs: True makes a log group (the child `Logs`), or give a
            logs.LogGroup; the role may put events into its one log stream only.
        processor: a `firehose.LambdaProcessor(fn, ...)` that transforms records before delivery; the role
            may invoke that function only.
        encryption_key: (direct put only) the kms.Key the delivery stream encrypts buffered records with
            (default: an AWS owned key); a stream reading a Kinesis stream relies on that stream's encryption.
        removal_policy: what happens to the delivery stream (and the records it still buffers) when it leaves
            the stack or is replaced: "retain" (default) or "destroy".
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket: s3.Bucket,
        delivery_stream_name: Annotated[str | Token | None, Cfn("DeliveryStreamName")] = None,
        source_stream: kinesis.StreamBase | None = None,
        prefix: Annotated[str | Token | None, Check(destination_rule("Prefix"))] = None,
        error_output_prefix: Annotated[str | Token | None, Check(destination_rule("ErrorOutputPrefix"))] = None,
        buffering_interval: Annotated[int | Duration | None, Unit("seconds"),
                                      Check(destination_rule("BufferingHints", "IntervalInSeconds"))] = None,
        buffering_size: Annotated[int | Size | None, Unit("MiB"),
                                  Check(destination_rule("BufferingHints", "SizeInMBs"))] = None,
        compression: Annotated[str | None, Check(destination_rule("CompressionFormat"))] = None,
        logging: bool | logs.LogGroup = False,
        processor: LambdaProcessor | None = None,
        encryption_key: kms.KeyBase | None = None,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
    ) -> None:
        super().__init__(scope, id)
        self._check(source_stream, encryption_key, prefix, error_output_prefix)
        self.bucket = bucket
        self.source_stream = source_stream
        self.encryption_key = encryption_key
        # Firehose assumes its role with the account's id as the external id; the condition keeps another
        # account's delivery stream from assuming this one (the confused-deputy guard of Firehose's docs).
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal(FIREHOSE_SERVICE),
                             assume_role_conditions={"StringEquals": {"sts:ExternalId": Aws.ACCOUNT_ID}})
        self._grant_bucket(bucket)
        if source_stream is not None:
            source_stream.grant_read(self.role)
        self.log_group, self.log_stream = self._logging(logging)
        if processor is not None:
            function_arn = processor.function.function_arn
            iam.grant(self.role, actions=PROCESSOR_ACTIONS, resources=[function_arn, f"{function_arn}:*"], scope=self)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "DeliveryStreamName": delivery_stream_name,
            "DeliveryStreamType": "DirectPut" if source_stream is None else "KinesisStreamAsSource",
            "DeliveryStreamEncryptionConfigurationInput": self._encryption() if source_stream is None else None,
            "KinesisStreamSourceConfiguration": {
                "KinesisStreamARN": source_stream.stream_arn, "RoleARN": self.role.role_arn,
            } if source_stream is not None else None,
            S3_DESTINATION: {
                "BucketARN": bucket.bucket_arn,
                "RoleARN": self.role.role_arn,
                "Prefix": prefix,
                "ErrorOutputPrefix": error_output_prefix,
                "BufferingHints": {"IntervalInSeconds": buffering_interval, "SizeInMBs": buffering_size}
                if buffering_interval is not None or buffering_size is not None else None,
                "CompressionFormat": compression,
                "ProcessingConfiguration": processor.configuration() if processor is not None else None,
                "EncryptionConfiguration": {"KMSEncryptionConfig": {"AWSKMSKeyARN": bucket.props.kms_key_arn}}
                if bucket.props.encryption == s3.BucketEncryption.KMS else None,
                "CloudWatchLoggingOptions": {
                    "Enabled": True, "LogGroupName": self.log_group.log_group_name,
                    "LogStreamName": self.log_stream.ref,
                } if self.log_group is not None and self.log_stream is not None else None,
            },
        })
        # Firehose checks that it may use the bucket (and the stream) when the delivery stream is created.
        self.role.add_policy_dependent(self.resource)
        apply_removal_policy(self.resource, removal_policy)

    def _check(self, source_stream: Any, encryption_key: Any, prefix: Any, error_prefix: Any) -> None:
        problem = hint = None
        if source_stream is not None and encryption_key is not None:
            problem = ("encryption_key is for direct-put delivery streams: one reading a Kinesis stream keeps the "
                       "records encrypted with the stream's key")
            hint = "give the key to the kinesis.Stream (encryption_key=) instead"
        elif _has_expression(prefix) and error_prefix is None:
            problem = f"a prefix with expressions ({prefix!r}) needs an error_output_prefix too"
            hint = f"e.g. error_output_prefix='errors/{ERROR_OUTPUT_TYPE}/' ({PREFIX_RULES_URL})"
        elif _has_expression(error_prefix) and ERROR_OUTPUT_TYPE not in str(error_prefix):
            problem = f"an error_output_prefix with expressions must include {ERROR_OUTPUT_TYPE}, got {error_prefix!r}"
            hint = PREFIX_RULES_URL
        if problem is not None:
            raise ConstructError(f"DeliveryStream {self.id!r}: {problem}", path=self.path, location=self.location,
                                 hint=hint)

    def _grant_bucket(self, bucket: s3.Bucket) -> None:
        iam.grant(self.role, actions=S3_BUCKET_ACTIONS, resources=[bucket.bucket_arn], scope=self)
        iam.grant(self.role, actions=S3_OBJECT_ACTIONS, resources=[bucket.arn_for_objects()], scope=self)
        if bucket.props.encryption == s3.BucketEncryption.KMS:
            iam.grant(self.role, actions=S3_KEY_ACTIONS, resources=[bucket.props.kms_key_arn], scope=self, conditions={
                "StringEquals": {"kms:ViaService": f"s3.{Aws.REGION}.amazonaws.com"},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": bucket.arn_for_objects()},
            })

    def _logging(self, logging: bool | logs.LogGroup) -> tuple[logs.LogGroup | None, CfnResource | None]:
        if logging is False:
            return None, None
        group = logging if isinstance(logging, logs.LogGroup) else logs.LogGroup(self, "Logs")
        stream = CfnResource(self, "LogStream", type="AWS::Logs::LogStream",
                             properties={"LogGroupName": group.log_group_name})
        iam.grant(self.role, actions=LOG_ACTIONS, scope=self, resources=[
            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{group.log_group_name}"
            f":log-stream:{stream.ref}"])
        return group, stream

    def _encryption(self) -> dict[str, Any]:
        if self.encryption_key is None:
            return {"KeyType": "AWS_OWNED_CMK"}
        return {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": self.encryption_key.key_arn}

    # -- references ----------------------------------------------------------------------------

    @property
    def delivery_stream_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def delivery_stream_name(self) -> Token:
        return self.resource.ref

    # -- grants and metrics --------------------------------------------------------------------

    def grant_put_records(self, grantee: Any) -> iam.Grant:
        """Put records into the delivery stream, one or a batch (direct-put delivery streams only)."""
        if self.source_stream is not None:
            raise ConstructError(
                f"DeliveryStream {self.id!r} reads the Kinesis stream {self.source_stream.path}: Firehose takes no "
                "records put directly into it", path=self.path, location=caller_location() or self.location,
                hint=f"grant writing to the stream instead ({self.source_stream.id}.grant_write(...))")
        return iam.grant(grantee, actions=PUT_ACTIONS, resources=[self.delivery_stream_arn], scope=self)

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of the delivery stream's AWS/Firehose metrics, by name."""
        return cloudwatch.Metric(namespace=METRIC_NAMESPACE, metric_name=metric_name,
                                 dimensions={"DeliveryStreamName": self.delivery_stream_name}, statistic=statistic,
                                 period=period)

    def metric_delivery_to_s3_data_freshness(self, *, statistic: str = "Maximum",
                                             period: int | Duration = 300) -> cloudwatch.Metric:
        """Seconds the oldest record not yet in S3 has waited: delivery falling behind, or failing."""
        return self.metric("DeliveryToS3.DataFreshness", statistic=statistic, period=period)

    def metric_delivery_to_s3_success(self, *, statistic: str = "Average",
                                      period: int | Duration = 300) -> cloudwatch.Metric:
        """The share of S3 put requests that succeeded (1 when all did)."""
        return self.metric("DeliveryToS3.Success", statistic=statistic, period=period)


def _has_expression(prefix: Any) -> bool:
    return isinstance(prefix, str) and not is_token(prefix) and EXPRESSION_START in prefix


__all__ = [
    "Compression",
    "DeliveryStream",
    "LOG_ACTIONS",
    "LambdaProcessor",
    "PROCESSOR_ACTIONS",
    "PUT_ACTIONS",
    "S3_BUCKET_ACTIONS",
    "S3_KEY_ACTIONS",
    "S3_OBJECT_ACTIONS",
]
