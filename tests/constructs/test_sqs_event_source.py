"""awslambda.SqsEventSource: the event source mapping a queue and a function make, the consume grant made
for the function, and Lambda's and cfn-lint's SQS rules (FIFO batches, batching windows, visibility timeout
against the function's timeout) refused at the user's line."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import awslambda, sqs
from iac.specs import property_range, schema_extension
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

MAPPING = "AWS::Lambda::EventSourceMapping"
CONSUME = ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
           "sqs:ReceiveMessage"]


def make_function(stack: Stack, timeout: int = 3) -> awslambda.Function:
    return awslambda.Function(stack, "Worker", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({})"), timeout=timeout)


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def test_an_sqs_event_source_maps_the_queue_and_grants_consuming_it(app, stack):
    queue = sqs.Queue(stack, "Jobs")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.SqsEventSource(queue))

    template = resources(app)
    assert mapping.logical_id == "WorkerEventSourceJobsA1D1948B"
    assert template[mapping.logical_id] == {
        "Type": MAPPING,
        "Properties": {"EventSourceArn": {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]},
                       "FunctionName": {"Ref": fn.resource.logical_id}},
    }
    assert template[fn.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": CONSUME, "Resource": {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]}}]


def test_the_options_are_written(app, stack):
    queue = sqs.Queue(stack, "Jobs")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.SqsEventSource(
        queue, batch_size=100, max_batching_window=Duration.seconds(5), report_batch_item_failures=True,
        max_concurrency=5, enabled=False), id="FromJobs")

    assert mapping.path == "Main/Worker/FromJobs"
    properties = resources(app)[mapping.logical_id]["Properties"]
    assert {key: value for key, value in properties.items() if key not in ("EventSourceArn", "FunctionName")} == {
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 5,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
        "ScalingConfig": {"MaximumConcurrency": 5},
        "Enabled": False,
    }


def test_filters_are_written_as_filter_criteria_json(app, stack):
    queue = sqs.Queue(stack, "Jobs")
    fn = make_function(stack)

    mapping = fn.add_event_source(awslambda.SqsEventSource(queue, filters=[{"body": {"kind": ["refund"]}}]))

    assert resources(app)[mapping.logical_id]["Properties"]["FilterCriteria"] == {
        "Filters": [{"Pattern": '{"body":{"kind":["refund"]}}'}]}


def test_the_number_of_filters_is_the_schemas(stack):
    from iac.specs import property_document

    most = property_document(MAPPING, "FilterCriteria")["properties"]["Filters"]["maxItems"]

    with pytest.raises(ConstructError, match=r"filters: .* is too long .*\(AWS::Lambda::EventSourceMapping "
                                             r"FilterCriteria, per its schema\)"):
        awslambda.SqsEventSource(sqs.Queue(stack, "Jobs"), filters=[{"body": {"n": [i]}} for i in range(most + 1)])


def test_a_customer_key_queue_also_grants_decrypting_with_the_key(app, stack):
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    queue = sqs.Queue(stack, "Jobs", encryption_key=key)
    fn = make_function(stack)

    fn.add_event_source(awslambda.SqsEventSource(queue))

    statements = resources(app)[fn.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key} in statements


def test_a_fifo_queue_takes_batches_of_at_most_cfn_lints_maximum(stack):
    data = schema_extension("aws_lambda_eventsourcemapping", "event_source_sqs_fifo_batch_size")
    most = data["cfnGather"]["schema"]["then"]["properties"]["local"]["properties"]["BatchSize"]["maximum"]
    queue = sqs.Queue(stack, "Orders", fifo=True)
    fn = make_function(stack)
    fn.add_event_source(awslambda.SqsEventSource(queue, batch_size=most), id="Largest")

    with pytest.raises(ConstructError, match=f"a FIFO queue's batch_size is at most {most}, got {most + 1}") as caught:
        fn.add_event_source(awslambda.SqsEventSource(queue, batch_size=most + 1))

    assert caught.value.path == "Main/Worker"
    assert caught.value.location.file == __file__


def test_a_fifo_queue_takes_no_batching_window(stack):
    queue = sqs.Queue(stack, "Orders", fifo=True)

    with pytest.raises(ConstructError, match="a FIFO queue takes no max_batching_window"):
        make_function(stack).add_event_source(awslambda.SqsEventSource(queue, max_batching_window=1))


def test_a_batch_above_ten_needs_a_batching_window(stack):
    queue = sqs.Queue(stack, "Jobs")

    with pytest.raises(ConstructError, match=r"a batch_size above 10 \(11\) needs a max_batching_window") as caught:
        make_function(stack).add_event_source(awslambda.SqsEventSource(queue, batch_size=11))

    assert caught.value.hint == awslambda.SQS_EVENT_SOURCE_RULES_URL


def test_a_visibility_timeout_shorter_than_the_functions_timeout_is_refused(stack):
    queue = sqs.Queue(stack, "Jobs", visibility_timeout=30)
    fn = make_function(stack, timeout=60)

    with pytest.raises(ConstructError, match=r"visibility timeout \(30 seconds\) is shorter than the function's "
                                             r"timeout \(60 seconds\)") as caught:
        fn.add_event_source(awslambda.SqsEventSource(queue))

    assert caught.value.hint.startswith("give the queue visibility_timeout=Duration.seconds(360)")


def test_the_default_visibility_timeout_is_cfn_lints_and_counts(stack):
    queue = sqs.Queue(stack, "Jobs")  # SQS's default: 30 seconds

    with pytest.raises(ConstructError, match=r"visibility timeout \(30 seconds\)"):
        make_function(stack, timeout=31).add_event_source(awslambda.SqsEventSource(queue))


def test_batch_size_is_bound_to_the_schema(stack):
    low, high = property_range(MAPPING, "BatchSize")
    queue = sqs.Queue(stack, "Jobs")

    with pytest.raises(ConstructError, match=rf"batch_size: {int(high) + 1} is greater than the maximum of "
                                             rf"{int(high)} \({MAPPING} BatchSize, per its schema\)") as caught:
        awslambda.SqsEventSource(queue, batch_size=int(high) + 1)

    assert caught.value.location.file == __file__


def test_max_concurrency_is_bound_to_the_schema(stack):
    low, _ = property_range(MAPPING, "ScalingConfig", "MaximumConcurrency")

    with pytest.raises(ConstructError, match=rf"max_concurrency: must be a whole number from {low:g}"):
        awslambda.SqsEventSource(sqs.Queue(stack, "Jobs"), max_concurrency=int(low) - 1)


def test_a_misspelt_option_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="SqsEventSource has no argument 'batchsize'") as caught:
        awslambda.SqsEventSource(sqs.Queue(stack, "Jobs"), batchsize=5)

    assert caught.value.hint == "did you mean batch_size?"


def test_the_source_must_be_a_queue(stack, echo):
    with pytest.raises(ConstructError, match="queue must be QueueBase, got str"):
        awslambda.SqsEventSource("arn:aws:sqs:us-east-1:123456789012:jobs")


def test_a_function_and_its_queue_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    dead = sqs.Queue(stack, "Dead", retention_period=Duration.days(14))
    queue = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.minutes(3),
                      dead_letter_queue=sqs.DeadLetterQueue(queue=dead, max_receive_count=5))
    fifo = sqs.Queue(stack, "Orders", fifo=True, visibility_timeout=60)
    fn = make_function(stack, timeout=30)
    fn.add_event_source(awslambda.SqsEventSource(queue, batch_size=50, max_batching_window=Duration.seconds(10),
                                                 report_batch_item_failures=True, max_concurrency=10,
                                                 filters=[{"body": {"kind": ["refund"]}}]))
    fn.add_event_source(awslambda.SqsEventSource(fifo, batch_size=10))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_a_queue_made_elsewhere_can_feed_a_function(app, stack):
    queue = sqs.Queue.from_queue_arn(stack, "Existing", "arn:aws:sqs:us-east-1:123456789012:jobs")
    fn = make_function(stack, timeout=60)  # the queue's visibility timeout is not known here: not checked

    mapping = fn.add_event_source(awslambda.SqsEventSource(queue))

    assert resources(app)[mapping.logical_id]["Properties"]["EventSourceArn"] == queue.queue_arn


def test_type_checkers_see_the_options_signatures(tmp_path):
    """`checked_options` keeps the decorated signature, so mypy flags a misspelt option before any run."""
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    import subprocess
    import sys

    app = tmp_path / "app.py"
    app.write_text("\n".join([
        "from iac import App, Stack",
        "from iac.constructs import awslambda, sns, sqs",
        "stack = Stack(App(), 'Main')",
        "queue = sqs.Queue(stack, 'Jobs')",
        "awslambda.SqsEventSource(queue, batchsize=5)",
        "sns.SqsSubscription(queue, raw_message_delivery=True)",
        "sqs.DeadLetterQueue(queue=queue, max_receive_count='3')",
    ]) + "\n", encoding="utf-8")

    result = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache"),
                             "--no-error-summary", "--follow-imports=silent", str(app)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300)

    errors = [line.split(": error: ")[1] for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        'Unexpected keyword argument "batchsize" for "SqsEventSource"; did you mean "batch_size"?  [call-arg]',
        'Argument "max_receive_count" to "DeadLetterQueue" has incompatible type "str"; expected "int"  [arg-type]',
    ], result.stdout + result.stderr
