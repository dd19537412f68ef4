"""firehose.DeliveryStream to S3: its role scoped to the bucket (and the bucket's key, through S3), the stream
read grant with a Kinesis source, logging to one log stream, buffering bound to the schema, Firehose's prefix
rules, encryption at rest for direct put, and cfn-lint clean."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Duration, Size, Stack
from iac.constructs import awslambda, firehose, iam, kinesis, kms, logs, s3
from iac.specs import iam_action_resource_types, is_stateful, property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

DELIVERY = "AWS::KinesisFirehose::DeliveryStream"
BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
OBJECT_ACTIONS = ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"]


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def arn(construct: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [construct.resource.logical_id, "Arn"]}


def objects(bucket: s3.Bucket) -> dict[str, Any]:
    return {"Fn::Join": ["", [arn(bucket), "/*"]]}


def statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    return resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def test_a_direct_put_delivery_stream_writes_to_its_bucket_encrypted_and_retained(app, stack):
    bucket = s3.Bucket(stack, "Archive")

    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=bucket)

    template = resources(app)
    assert delivery.resource.logical_id == "ToArchive9AC0DC3E"
    assert delivery.role.resource.logical_id == "ToArchiveRole105EBBF4"
    assert template["ToArchive9AC0DC3E"] == {
        "Type": DELIVERY,
        "Properties": {
            "DeliveryStreamType": "DirectPut",
            "DeliveryStreamEncryptionConfigurationInput": {"KeyType": "AWS_OWNED_CMK"},
            "ExtendedS3DestinationConfiguration": {"BucketARN": arn(bucket), "RoleARN": arn(delivery.role)},
        },
        "DependsOn": [delivery.role.default_policy.logical_id],
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }
    assert is_stateful(DELIVERY)  # why it is retained
    assert template["ToArchiveRole105EBBF4"]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole",
         "Condition": {"StringEquals": {"sts:ExternalId": {"Ref": "AWS::AccountId"}}}}]
    assert statements(app, delivery.role) == [
        {"Effect": "Allow", "Action": OBJECT_ACTIONS, "Resource": objects(bucket)},
        {"Effect": "Allow", "Action": BUCKET_ACTIONS, "Resource": arn(bucket)},
    ]


def test_each_s3_action_acts_on_the_arn_it_is_granted_on():
    for action in firehose.S3_BUCKET_ACTIONS:
        assert "bucket" in iam_action_resource_types(action), action
    for action in firehose.S3_OBJECT_ACTIONS:
        assert "object" in iam_action_resource_types(action), action
    for action in firehose.PUT_ACTIONS:
        assert iam_action_resource_types(action) == ("deliverystream",), action


def test_a_bucket_with_a_kms_key_gets_the_key_through_s3_only(app, stack):
    key = kms.Key(stack, "Key")
    bucket = s3.Bucket(stack, "Archive", encryption_key=key)

    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=bucket)

    destination = resources(app)[delivery.resource.logical_id]["Properties"]["ExtendedS3DestinationConfiguration"]
    assert destination["EncryptionConfiguration"] == {"KMSEncryptionConfig": {"AWSKMSKeyARN": arn(key)}}
    assert {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": arn(key),
            "Condition": {
                "StringEquals": {"kms:ViaService": {"Fn::Join": ["", ["s3.", {"Ref": "AWS::Region"},
                                                                       ".amazonaws.com"]]}},
                "StringLike": {"kms:EncryptionContext:aws:s3:arn": objects(bucket)}}} in statements(app, delivery.role)


def test_a_kinesis_source_is_read_with_the_streams_grant(app, stack):
    stream = kinesis.Stream(stack, "Events")
    bucket = s3.Bucket(stack, "Archive")

    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=bucket, source_stream=stream)

    properties = resources(app)[delivery.resource.logical_id]["Properties"]
    assert properties["DeliveryStreamType"] == "KinesisStreamAsSource"
    assert properties["KinesisStreamSourceConfiguration"] == {"KinesisStreamARN": arn(stream),
                                                              "RoleARN": arn(delivery.role)}
    assert "DeliveryStreamEncryptionConfigurationInput" not in properties  # the stream's encryption applies
    assert {"Effect": "Allow", "Action": list(kinesis.READ_ACTIONS), "Resource": arn(stream)} in \
        statements(app, delivery.role)
    assert len(statements(app, delivery.role)) == 3


def test_the_destination_options_are_written(app, stack):
    bucket = s3.Bucket(stack, "Archive")

    delivery = firehose.DeliveryStream(
        stack, "ToArchive", bucket=bucket, delivery_stream_name="to-archive",
        prefix="events/!{timestamp:yyyy/MM/dd}/", error_output_prefix="errors/!{firehose:error-output-type}/",
        buffering_interval=Duration.minutes(5), buffering_size=Size.mebibytes(64),
        compression=firehose.Compression.GZIP)

    properties = resources(app)[delivery.resource.logical_id]["Properties"]
    assert properties["DeliveryStreamName"] == "to-archive"
    assert properties["ExtendedS3DestinationConfiguration"] == {
        "BucketARN": arn(bucket), "RoleARN": arn(delivery.role),
        "Prefix": "events/!{timestamp:yyyy/MM/dd}/", "ErrorOutputPrefix": "errors/!{firehose:error-output-type}/",
        "BufferingHints": {"IntervalInSeconds": 300, "SizeInMBs": 64},
        "CompressionFormat": "GZIP",
    }


def test_logging_makes_a_log_group_and_stream_and_grants_putting_events_into_that_stream_only(app, stack):
    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"), logging=True)

    template = resources(app)
    group, stream = delivery.log_group.resource.logical_id, delivery.log_stream.logical_id
    assert (group, stream) == ("ToArchiveLogsFC5049C9", "ToArchiveLogStreamED1A3447")
    assert template[stream] == {"Type": "AWS::Logs::LogStream", "Properties": {"LogGroupName": {"Ref": group}}}
    assert template[delivery.resource.logical_id]["Properties"]["ExtendedS3DestinationConfiguration"][
        "CloudWatchLoggingOptions"] == {"Enabled": True, "LogGroupName": {"Ref": group},
                                        "LogStreamName": {"Ref": stream}}
    assert {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":logs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
        ":log-group:", {"Ref": group}, ":log-stream:", {"Ref": stream}]]}} in statements(app, delivery.role)


def test_logging_can_go_to_a_given_log_group(app, stack):
    group = logs.LogGroup(stack, "Delivery", retention_days=logs.RetentionDays.ONE_MONTH)

    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"), logging=group)

    template = resources(app)
    assert delivery.log_group is group
    assert template[delivery.resource.logical_id]["Properties"]["ExtendedS3DestinationConfiguration"][
        "CloudWatchLoggingOptions"]["LogGroupName"] == {"Ref": group.resource.logical_id}
    assert sorted(key for key, value in template.items() if value["Type"] == "AWS::Logs::LogGroup") == [
        group.resource.logical_id]


def test_a_customer_key_encrypts_a_direct_put_stream(app, stack):
    key = kms.Key(stack, "Key")

    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"), encryption_key=key)

    assert resources(app)[delivery.resource.logical_id]["Properties"]["DeliveryStreamEncryptionConfigurationInput"] \
        == {"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": arn(key)}


def test_a_customer_key_with_a_kinesis_source_is_refused(stack):
    with pytest.raises(ConstructError, match="encryption_key is for direct-put delivery streams") as caught:
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"),
                                encryption_key=kms.Key(stack, "Key"), source_stream=kinesis.Stream(stack, "Events"))

    assert caught.value.location.file == __file__


def test_producers_are_granted_putting_records_into_the_delivery_stream(app, stack):
    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"))
    producer = iam.Role(stack, "Producer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    delivery.grant_put_records(producer)

    assert statements(app, producer) == [
        {"Effect": "Allow", "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"], "Resource": arn(delivery)}]


def test_records_cannot_be_put_into_a_stream_sourced_delivery_stream(stack):
    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"),
                                       source_stream=kinesis.Stream(stack, "Events"))
    producer = iam.Role(stack, "Producer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    with pytest.raises(ConstructError, match="Firehose takes no records put directly into it") as caught:
        delivery.grant_put_records(producer)

    assert caught.value.hint == "grant writing to the stream instead (Events.grant_write(...))"


def test_the_buffering_interval_is_bound_to_the_schema(stack):
    high = int(property_range(DELIVERY, "ExtendedS3DestinationConfiguration", "BufferingHints", "IntervalInSeconds")[1])

    with pytest.raises(ConstructError, match=rf"buffering_interval: {high + 60} is greater than the maximum of "
                                             rf"{high} \(AWS::KinesisFirehose::DeliveryStream "
                                             r"ExtendedS3DestinationConfiguration\.BufferingHints\.IntervalInSeconds, "
                                             r"per its schema\)"):
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"),
                                buffering_interval=Duration.seconds(high + 60))


def test_the_buffering_size_is_bound_to_the_schema(stack):
    high = int(property_range(DELIVERY, "ExtendedS3DestinationConfiguration", "BufferingHints", "SizeInMBs")[1])

    with pytest.raises(ConstructError, match=rf"buffering_size: {high * 2} is greater than the maximum of {high}"):
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"),
                                buffering_size=Size.mebibytes(high * 2))


def test_a_buffering_size_of_part_of_a_mebibyte_is_refused(stack):
    with pytest.raises(ConstructError, match="buffering_size: .*not a whole number of"):
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"),
                                buffering_size=Size.kibibytes(1536))


def test_a_compression_format_is_the_schemas_with_did_you_mean(stack):
    with pytest.raises(ConstructError, match=r"compression: 'GZIP2' is not one of .* \(did you mean 'GZIP'\?\)"):
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"), compression="GZIP2")


def test_a_prefix_with_expressions_needs_an_error_output_prefix(stack):
    with pytest.raises(ConstructError, match="a prefix with expressions .* needs an error_output_prefix too") as caught:
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"),
                                prefix="events/!{timestamp:yyyy}/")

    assert "!{firehose:error-output-type}" in caught.value.hint
    assert caught.value.location.file == __file__


def test_an_error_output_prefix_with_expressions_names_the_error_type(stack):
    with pytest.raises(ConstructError, match="an error_output_prefix with expressions must include "
                                             r"!\{firehose:error-output-type\}"):
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"),
                                prefix="events/!{timestamp:yyyy}/", error_output_prefix="errors/!{timestamp:yyyy}/")


def test_the_destination_must_be_a_bucket(stack):
    with pytest.raises(ConstructError, match="bucket must be Bucket, got str"):
        firehose.DeliveryStream(stack, "ToArchive", bucket="arn:aws:s3:::archive")


def test_a_misspelt_prop_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="DeliveryStream 'ToArchive' has no argument 'buffer_interval'") as caught:
        firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"), buffer_interval=60)

    assert caught.value.hint == "did you mean buffering_interval?"


def test_the_data_freshness_metric_names_the_delivery_stream(stack, resolve):
    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"))

    metric = delivery.metric_delivery_to_s3_data_freshness()

    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        "AWS/Firehose", "DeliveryToS3.DataFreshness", "Maximum")
    assert resolve(metric.dimensions) == {"DeliveryStreamName": {"Ref": delivery.resource.logical_id}}


def test_delivery_streams_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    key = kms.Key(stack, "Key")
    stream = kinesis.Stream(stack, "Events", encryption_key=key)
    archive = s3.Bucket(stack, "Archive", versioned=True, encryption_key=key)
    firehose.DeliveryStream(stack, "FromStream", bucket=archive, source_stream=stream, logging=True,
                            prefix="events/!{timestamp:yyyy/MM/dd}/",
                            error_output_prefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
                            buffering_interval=Duration.minutes(1), buffering_size=Size.mebibytes(128),
                            compression=firehose.Compression.GZIP)
    firehose.DeliveryStream(stack, "Direct", bucket=s3.Bucket(stack, "Raw", versioned=True), encryption_key=key,
                            logging=logs.LogGroup(stack, "Delivery"))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_a_stream_its_reader_and_its_archive_synthesize_strict_through_the_cli(write_app, run_iac):
    write_app('''
        from iac import App, Duration, Size, Stack, suppress
        from iac.constructs import awslambda, firehose, kinesis, kms, s3, sns

        app = App()
        stack = Stack(app, "Streams")
        key = kms.Key(stack, "Key")
        events = kinesis.Stream(stack, "Events", encryption_key=key, retention_period=Duration.days(1))
        failed = sns.Topic(stack, "Failed")
        reader = awslambda.Function(stack, "Reader", handler="index.handler",
                                    runtime=awslambda.DEFAULT_NODEJS_RUNTIME, timeout=30,
                                    code=awslambda.Code.from_inline("exports.handler = async () => ({})"))
        reader.add_event_source(awslambda.KinesisEventSource(events, retry_attempts=2, on_failure=failed))
        archive = s3.Bucket(stack, "Archive", versioned=True, encryption_key=key)
        suppress(archive, "IAC-S3-005", reason="a test app without a log bucket")
        firehose.DeliveryStream(stack, "ToArchive", bucket=archive, source_stream=events, logging=True,
                                buffering_size=Size.mebibytes(16), compression=firehose.Compression.GZIP)
        app.synth()
    ''')

    result = run_iac("synth", "--strict")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()


# -- transforming records -------------------------------------------------------------------------------------------

def make_transform(stack: Stack) -> awslambda.Function:
    return awslambda.Function(stack, "Transform", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({records: []})"),
                              timeout=60)


def test_a_lambda_processor_transforms_records_and_the_role_may_invoke_that_function_only(app, stack):
    transform = make_transform(stack)

    processor = firehose.LambdaProcessor(transform, buffer_interval=Duration.minutes(2), buffer_size=Size.mebibytes(2),
                                         retries=5)

    delivery = firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive"), processor=processor)

    properties = resources(app)[delivery.resource.logical_id]["Properties"]
    assert properties["ExtendedS3DestinationConfiguration"]["ProcessingConfiguration"] == {
        "Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
            {"ParameterName": "LambdaArn", "ParameterValue": arn(transform)},
            {"ParameterName": "BufferIntervalInSeconds", "ParameterValue": "120"},
            {"ParameterName": "BufferSizeInMBs", "ParameterValue": "2"},
            {"ParameterName": "NumberOfRetries", "ParameterValue": "5"},
        ]}]}
    assert {"Effect": "Allow", "Action": ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
            "Resource": [arn(transform), {"Fn::Join": ["", [arn(transform), ":*"]]}]} in statements(app, delivery.role)
    assert len(statements(app, delivery.role)) == 3


@pytest.mark.parametrize(("option", "value", "message"), [
    ("buffer_interval", Duration.seconds(30), "must be 60 to 900 seconds"),
    ("buffer_size", Size.mebibytes(4), "must be 1 to 3 MiB"),
    ("retries", 301, "must be 0 to 300 retries"),
])
def test_a_lambda_processors_limits_are_firehoses(stack, option, value, message):
    with pytest.raises(ConstructError, match=rf"{option}: {message} for a Lambda processor") as caught:
        firehose.LambdaProcessor(make_transform(stack), **{option: value})

    assert caught.value.location.file == __file__


def test_a_misspelt_processor_option_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="LambdaProcessor has no argument 'retry'") as caught:
        firehose.LambdaProcessor(make_transform(stack), retry=3)

    assert caught.value.hint == "did you mean retries?"


def test_a_transformed_delivery_stream_passes_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    firehose.DeliveryStream(stack, "ToArchive", bucket=s3.Bucket(stack, "Archive", versioned=True),
                            processor=firehose.LambdaProcessor(make_transform(stack), retries=2))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
