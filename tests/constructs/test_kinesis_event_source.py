"""awslambda.KinesisEventSource: the event source mapping a stream and a function make, the stream's read grant
(and its key's) and the failure destination's send or publish grant made for the function, and the options
bound to the EventSourceMapping schema, refused at the user's line."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import awslambda, kinesis, kms, sns, sqs
from iac.specs import iam_action_resource_types, property_pattern, property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

MAPPING = "AWS::Lambda::EventSourceMapping"
READ = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator",
        "kinesis:ListShards"]


def make_function(stack: Stack, id: str = "Worker") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({})"), timeout=30)


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def arn(resource: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [resource.resource.logical_id, "Arn"]}


def statements(app: App, fn: awslambda.Function) -> list[dict[str, Any]]:
    return resources(app)[fn.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def test_a_kinesis_event_source_maps_the_stream_from_latest_and_grants_reading_it(app, stack):
    stream = kinesis.Stream(stack, "Events")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.KinesisEventSource(stream))

    assert mapping.logical_id == "WorkerEventSourceEvents5E18B997"
    assert resources(app)[mapping.logical_id] == {
        "Type": MAPPING,
        "Properties": {"EventSourceArn": arn(stream), "FunctionName": {"Ref": fn.resource.logical_id},
                       "StartingPosition": "LATEST"},
    }
    assert statements(app, fn) == [{"Effect": "Allow", "Action": READ, "Resource": arn(stream)}]


def test_the_options_are_written(app, stack):
    stream = kinesis.Stream(stack, "Events")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.KinesisEventSource(
        stream, starting_position="TRIM_HORIZON", batch_size=500, max_batching_window=Duration.seconds(5),
        bisect_batch_on_error=True, retry_attempts=3, max_record_age=Duration.hours(1), parallelization_factor=2,
        report_batch_item_failures=True, tumbling_window=Duration.seconds(30),
        filters=[{"data": {"kind": ["refund"]}}], enabled=False), id="FromEvents")

    assert mapping.path == "Main/Worker/FromEvents"
    properties = resources(app)[mapping.logical_id]["Properties"]
    assert {key: value for key, value in properties.items() if key not in ("EventSourceArn", "FunctionName")} == {
        "StartingPosition": "TRIM_HORIZON",
        "BatchSize": 500,
        "MaximumBatchingWindowInSeconds": 5,
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 3,
        "MaximumRecordAgeInSeconds": 3600,
        "ParallelizationFactor": 2,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "TumblingWindowInSeconds": 30,
        "FilterCriteria": {"Filters": [{"Pattern": '{"data":{"kind":["refund"]}}'}]},
        "Enabled": False,
    }


def test_at_timestamp_takes_an_aware_datetime(app, stack):
    fn = make_function(stack)
    when = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)

    mapping = fn.add_event_source(awslambda.KinesisEventSource(
        kinesis.Stream(stack, "Events"), starting_position="AT_TIMESTAMP", starting_position_timestamp=when))

    properties = resources(app)[mapping.logical_id]["Properties"]
    assert (properties["StartingPosition"], properties["StartingPositionTimestamp"]) == (
        "AT_TIMESTAMP", when.timestamp())


@pytest.mark.parametrize("options", [{"starting_position": "AT_TIMESTAMP"},
                                     {"starting_position_timestamp": 1_777_000_000}])
def test_a_timestamp_goes_with_at_timestamp_only(stack, options):
    with pytest.raises(ConstructError, match="starting_position_timestamp goes with starting_position='AT_TIMESTAMP'"):
        awslambda.KinesisEventSource(kinesis.Stream(stack, "Events"), **options)


def test_a_naive_datetime_is_refused(stack):
    with pytest.raises(ConstructError, match="starting_position_timestamp needs a timezone") as caught:
        awslambda.KinesisEventSource(kinesis.Stream(stack, "Events"), starting_position="AT_TIMESTAMP",
                                     starting_position_timestamp=datetime.datetime(2026, 5, 1))

    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Events"  # the stream the source reads: no function is known yet


def test_the_starting_positions_are_the_schemas_with_did_you_mean(stack):
    assert "TRIM_HORIZON" in property_pattern(MAPPING, "StartingPosition")

    with pytest.raises(ConstructError, match=r"starting_position: must be one of LATEST, TRIM_HORIZON, AT_TIMESTAMP "
                                             r".*got 'TRIM_HORIZEN' \(did you mean 'TRIM_HORIZON'\?\)"):
        awslambda.KinesisEventSource(kinesis.Stream(stack, "Events"), starting_position="TRIM_HORIZEN")


@pytest.mark.parametrize(("option", "prop"), [("batch_size", "BatchSize"), ("retry_attempts", "MaximumRetryAttempts"),
                                              ("parallelization_factor", "ParallelizationFactor")])
def test_numbers_are_bound_to_the_schema(stack, option, prop):
    high = int(property_range(MAPPING, prop)[1])

    with pytest.raises(ConstructError, match=rf"{option}: {high + 1} is greater than the maximum of {high} "
                                             rf"\({MAPPING} {prop}, per its schema\)"):
        awslambda.KinesisEventSource(kinesis.Stream(stack, "Events"), **{option: high + 1})


def test_a_record_age_under_a_minute_is_refused(stack):
    with pytest.raises(ConstructError, match=r"max_record_age: must be -1 \(forever\) or at least 60 seconds"):
        awslambda.KinesisEventSource(kinesis.Stream(stack, "Events"), max_record_age=Duration.seconds(30))


def test_a_misspelt_option_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="KinesisEventSource has no argument 'retry_attempt'") as caught:
        awslambda.KinesisEventSource(kinesis.Stream(stack, "Events"), retry_attempt=3)

    assert caught.value.hint == "did you mean retry_attempts?"


def test_a_failed_batch_goes_to_a_queue_the_function_may_send_to(app, stack):
    stream = kinesis.Stream(stack, "Events")
    failed = sqs.Queue(stack, "Failed")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.KinesisEventSource(stream, on_failure=failed))

    assert resources(app)[mapping.logical_id]["Properties"]["DestinationConfig"] == {
        "OnFailure": {"Destination": arn(failed)}}
    assert statements(app, fn) == [
        {"Effect": "Allow", "Action": READ, "Resource": arn(stream)},
        {"Effect": "Allow", "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
         "Resource": arn(failed)},
    ]


def test_a_failed_batch_goes_to_a_topic_the_function_may_publish_to(app, stack):
    stream = kinesis.Stream(stack, "Events")
    failed = sns.Topic(stack, "Failed")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.KinesisEventSource(stream, on_failure=failed))

    assert resources(app)[mapping.logical_id]["Properties"]["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Ref": failed.resource.logical_id}}}
    assert {"Effect": "Allow", "Action": "sns:Publish", "Resource": {"Ref": failed.resource.logical_id}} in \
        statements(app, fn)


def test_a_fifo_failure_destination_is_refused(stack):
    with pytest.raises(ConstructError, match="on_failure must be a standard queue or topic"):
        awslambda.KinesisEventSource(kinesis.Stream(stack, "Events"), on_failure=sqs.Queue(stack, "Failed", fifo=True))


def test_a_customer_key_stream_also_grants_decrypting_with_the_key(app, stack):
    key = kms.Key(stack, "Key")
    stream = kinesis.Stream(stack, "Events", encryption_key=key)
    fn = make_function(stack)

    fn.add_event_source(awslambda.KinesisEventSource(stream))

    assert statements(app, fn) == [{"Effect": "Allow", "Action": READ, "Resource": arn(stream)},
                                   {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": arn(key)}]


def test_a_stream_made_elsewhere_can_feed_a_function(app, stack):
    stream = kinesis.Stream.from_stream_arn(stack, "Clicks", "arn:aws:kinesis:us-east-1:123456789012:stream/clicks")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.KinesisEventSource(stream))

    assert resources(app)[mapping.logical_id]["Properties"]["EventSourceArn"] == stream.stream_arn


def test_an_enhanced_fan_out_consumer_is_read_through_its_arn(app, stack):
    stream = kinesis.Stream(stack, "Events")
    consumer = kinesis.StreamConsumer(stack, "Fanout", stream=stream, consumer_name="counter")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.KinesisEventSource(consumer))

    template = resources(app)
    assert mapping.logical_id == "WorkerEventSourceFanout34834497"
    assert template[consumer.resource.logical_id] == {
        "Type": "AWS::Kinesis::StreamConsumer",
        "Properties": {"ConsumerName": "counter", "StreamARN": arn(stream)}}
    assert template[mapping.logical_id]["Properties"]["EventSourceArn"] == {
        "Fn::GetAtt": [consumer.resource.logical_id, "ConsumerARN"]}
    assert statements(app, fn) == [
        {"Effect": "Allow", "Action": READ, "Resource": arn(stream)},
        {"Effect": "Allow", "Action": ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"],
         "Resource": {"Fn::GetAtt": [consumer.resource.logical_id, "ConsumerARN"]}},
    ]


def test_the_consumer_actions_act_on_a_consumer():
    for action in kinesis.CONSUMER_ACTIONS:
        assert iam_action_resource_types(action) == ("consumer",), action


def test_a_consumer_name_meets_the_schemas_pattern(stack):
    with pytest.raises(ConstructError, match=r"consumer_name: 'my counter' does not match"):
        kinesis.StreamConsumer(stack, "Fanout", stream=kinesis.Stream(stack, "Events"), consumer_name="my counter")


def test_the_source_must_be_a_stream(stack):
    with pytest.raises(ConstructError, match=r"stream must be StreamBase \| StreamConsumer, got str"):
        awslambda.KinesisEventSource("arn:aws:kinesis:us-east-1:123456789012:stream/clicks")


def test_a_function_and_its_stream_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    key = kms.Key(stack, "Key")
    stream = kinesis.Stream(stack, "Events", encryption_key=key)
    provisioned = kinesis.Stream(stack, "Clicks", shard_count=2)
    failed = sqs.Queue(stack, "Failed")
    alerts = sns.Topic(stack, "Alerts")
    make_function(stack).add_event_source(awslambda.KinesisEventSource(
        stream, starting_position="TRIM_HORIZON", batch_size=1000, max_batching_window=Duration.seconds(10),
        bisect_batch_on_error=True, retry_attempts=5, max_record_age=Duration.days(1), parallelization_factor=4,
        report_batch_item_failures=True, on_failure=failed))
    make_function(stack, "Counter").add_event_source(awslambda.KinesisEventSource(
        provisioned, starting_position="AT_TIMESTAMP", starting_position_timestamp=1_777_000_000,
        tumbling_window=Duration.minutes(1), on_failure=alerts))
    make_function(stack, "Fanout").add_event_source(awslambda.KinesisEventSource(
        kinesis.StreamConsumer(stack, "Consumer", stream=provisioned, consumer_name="fanout"), batch_size=100))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_type_checkers_see_the_options_signatures(tmp_path):
    """`checked_options` keeps the decorated signatures, so mypy flags a misspelt option before any run."""
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    import subprocess
    import sys

    app = tmp_path / "app.py"
    app.write_text("\n".join([
        "from iac import App, Stack",
        "from iac.constructs import awslambda, firehose, kinesis",
        "stack = Stack(App(), 'Main')",
        "stream = kinesis.Stream(stack, 'Events')",
        "awslambda.KinesisEventSource(stream, retry_attempt=3)",
        "awslambda.KinesisEventSource(stream, starting_position='TRIM_HORIZON', batch_size=100)",
        "firehose.LambdaProcessor(stream, retries=3)",
    ]) + "\n", encoding="utf-8")

    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"),
                             "--no-error-summary", "--follow-imports=silent", str(app)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)

    errors = [line.split(": error: ")[1] for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        'Unexpected keyword argument "retry_attempt" for "KinesisEventSource"; did you mean "retry_attempts"?  '
        '[call-arg]',
        'Argument 1 to "LambdaProcessor" has incompatible type "Stream"; expected "Invocable"  [arg-type]',
    ], result.stdout + result.stderr
