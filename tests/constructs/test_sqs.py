"""sqs: Queue output and its protective defaults (SQS-managed encryption, TLS only, retained), FIFO rules,
dead-letter queues, least-privilege grants, metrics, and the errors for inputs SQS would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Duration, Parameter, Size, Stack
from iac.constructs import cloudwatch, iam, sqs
from iac.specs import iam_actions, is_stateful, property_range, schema_extension
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def arn(queue: sqs.Queue) -> dict[str, Any]:
    return {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]}


def statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    return resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def tls_only(queue: sqs.Queue) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:*", "Resource": arn(queue),
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


# -- output and defaults ----------------------------------------------------------------------------


def test_a_queue_is_sqs_encrypted_tls_only_and_retained(app, stack):
    queue = sqs.Queue(stack, "Jobs")

    assert resources(app) == {
        "JobsDF1CC2D4": {
            "Type": "AWS::SQS::Queue",
            "Properties": {"SqsManagedSseEnabled": True},
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
        "JobsPolicy768D4C43": {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {
                "Queues": [{"Ref": "JobsDF1CC2D4"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [tls_only(queue)]},
            },
        },
    }


def test_logical_ids_are_pinned(stack):
    queue = sqs.Queue(stack, "Jobs")

    assert (queue.resource.logical_id, queue.policy.logical_id) == ("JobsDF1CC2D4", "JobsPolicy768D4C43")


def test_queues_are_retained_because_iac_counts_them_stateful():
    assert is_stateful("AWS::SQS::Queue")


def test_removal_policy_destroy_lets_cloudformation_delete_the_queue(app, stack):
    queue = sqs.Queue(stack, "Jobs", removal_policy="destroy")

    entry = resources(app)[queue.resource.logical_id]
    assert (entry["DeletionPolicy"], entry["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_enforce_ssl_false_makes_no_queue_policy(app, stack):
    queue = sqs.Queue(stack, "Jobs", enforce_ssl=False)

    assert queue.policy is None
    assert [entry["Type"] for entry in resources(app).values()] == ["AWS::SQS::Queue"]


def test_times_and_sizes_are_written_in_the_units_of_their_properties(app, stack):
    queue = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.minutes(5), retention_period=Duration.days(14),
                      delivery_delay=Duration.seconds(30), receive_message_wait_time=20,
                      max_message_size=Size.kibibytes(256), queue_name="jobs")

    assert resources(app)[queue.resource.logical_id]["Properties"] == {
        "QueueName": "jobs",
        "VisibilityTimeout": 300,
        "MessageRetentionPeriod": 1_209_600,
        "DelaySeconds": 30,
        "ReceiveMessageWaitTimeSeconds": 20,
        "MaximumMessageSize": 262_144,
        "SqsManagedSseEnabled": True,
    }


def test_a_customer_key_replaces_sqs_managed_encryption(app, stack):
    queue = sqs.Queue(stack, "Jobs", encryption_key=KEY_ARN, data_key_reuse=Duration.hours(1))

    assert resources(app)[queue.resource.logical_id]["Properties"] == {
        "KmsMasterKeyId": KEY_ARN, "KmsDataKeyReusePeriodSeconds": 3600}


def test_a_key_construct_is_read_for_its_arn(app, stack):
    class Key:
        key_arn = KEY_ARN

    queue = sqs.Queue(stack, "Jobs", encryption_key=Key())

    assert resources(app)[queue.resource.logical_id]["Properties"] == {"KmsMasterKeyId": KEY_ARN}


def test_references_are_ref_and_getatt(stack, resolve):
    queue = sqs.Queue(stack, "Jobs")

    assert resolve(queue.queue_url) == {"Ref": queue.resource.logical_id}
    assert resolve(queue.queue_arn) == arn(queue)
    assert resolve(queue.queue_name) == {"Fn::GetAtt": [queue.resource.logical_id, "QueueName"]}


# -- FIFO and dead-letter queues ----------------------------------------------------------------------


def test_a_fifo_queue_with_a_fifo_dead_letter_queue(app, stack):
    dead = sqs.Queue(stack, "Dead", fifo=True)
    queue = sqs.Queue(stack, "Orders", fifo=True, queue_name="orders.fifo", content_based_deduplication=True,
                      dead_letter_queue=sqs.DeadLetterQueue(queue=dead, max_receive_count=5))

    assert resources(app)[queue.resource.logical_id]["Properties"] == {
        "QueueName": "orders.fifo",
        "FifoQueue": True,
        "ContentBasedDeduplication": True,
        "RedrivePolicy": {"deadLetterTargetArn": arn(dead), "maxReceiveCount": 5},
        "SqsManagedSseEnabled": True,
    }


def test_the_fifo_rules_come_from_cfn_lints_queue_data():
    data = schema_extension("aws_sqs_queue", "properties")

    assert sqs.fifo_name_pattern() == data["allOf"][0]["then"]["then"]["properties"]["QueueName"]["pattern"]
    assert sqs.fifo_only_properties() == ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")


def test_a_fifo_name_without_the_suffix_is_refused_with_the_name_it_needs(stack):
    with pytest.raises(ConstructError, match="a FIFO queue's name must end in '.fifo', got 'orders'") as caught:
        sqs.Queue(stack, "Orders", fifo=True, queue_name="orders")

    assert caught.value.path == "Main/Orders"
    assert caught.value.hint == "did you mean 'orders.fifo'?"
    assert caught.value.location.file == __file__


def test_a_fifo_suffix_on_a_standard_queue_is_refused(stack):
    with pytest.raises(ConstructError, match="only a FIFO queue's may") as caught:
        sqs.Queue(stack, "Orders", queue_name="orders.fifo")

    assert caught.value.hint == "pass fifo=True, or drop the suffix"


@pytest.mark.parametrize("setting", ["content_based_deduplication", "high_throughput_fifo"])
def test_fifo_settings_need_a_fifo_queue(stack, setting):
    with pytest.raises(ConstructError, match="content_based_deduplication and high_throughput_fifo are only for FIFO "
                                             "queues"):
        sqs.Queue(stack, "Orders", **{setting: True})


def test_a_high_throughput_fifo_queue_works_per_message_group(app, stack):
    queue = sqs.Queue(stack, "Orders", fifo=True, high_throughput_fifo=True)

    assert resources(app)[queue.resource.logical_id]["Properties"] == {
        "FifoQueue": True, "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId",
        "SqsManagedSseEnabled": True}


@pytest.mark.parametrize(("queue_fifo", "dead_fifo", "message"), [
    (True, False, "a FIFO queue's dead-letter queue must be FIFO too, but Main/Dead is standard"),
    (False, True, "a standard queue's dead-letter queue must be standard too, but Main/Dead is FIFO"),
])
def test_a_dead_letter_queue_is_of_the_same_kind(stack, queue_fifo, dead_fifo, message):
    dead = sqs.Queue(stack, "Dead", fifo=dead_fifo)

    with pytest.raises(ConstructError, match=message) as caught:
        sqs.Queue(stack, "Orders", fifo=queue_fifo, dead_letter_queue=sqs.DeadLetterQueue(queue=dead))

    assert caught.value.path == "Main/Orders"


def test_a_dead_letter_queue_moves_a_message_after_three_receives_by_default(app, stack):
    dead = sqs.Queue(stack, "Dead")
    queue = sqs.Queue(stack, "Jobs", dead_letter_queue=sqs.DeadLetterQueue(queue=dead))

    assert resources(app)[queue.resource.logical_id]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3


def test_a_dead_letter_queue_that_keeps_messages_less_long_is_refused(stack):
    dead = sqs.Queue(stack, "Dead", retention_period=Duration.days(1))

    with pytest.raises(ConstructError, match="the dead-letter queue Main/Dead keeps messages 86400 seconds, less than "
                                             "this queue's 345600") as caught:
        sqs.Queue(stack, "Jobs", dead_letter_queue=sqs.DeadLetterQueue(queue=dead))

    high = int(property_range("AWS::SQS::Queue", "MessageRetentionPeriod")[1])
    assert caught.value.hint == f"give Main/Dead a retention_period of at least 345600 seconds (the schema allows " \
                                f"up to {high})"


def test_the_retention_rule_is_for_standard_queues_whose_messages_keep_their_enqueue_time(stack):
    dead = sqs.Queue(stack, "Dead", fifo=True, retention_period=Duration.days(1))

    sqs.Queue(stack, "Orders", fifo=True, dead_letter_queue=sqs.DeadLetterQueue(queue=dead))


@pytest.mark.parametrize("count", [0, 1001, True, "3"])
def test_max_receive_count_is_within_sqs_range(stack, count):
    dead = sqs.Queue(stack, "Dead")

    with pytest.raises(ConstructError, match="invalid argument for DeadLetterQueue: max_receive_count") as caught:
        sqs.DeadLetterQueue(queue=dead, max_receive_count=count)

    assert caught.value.location.file == __file__


def test_a_misspelt_dead_letter_queue_argument_gets_did_you_mean(stack):
    dead = sqs.Queue(stack, "Dead")

    with pytest.raises(ConstructError, match="DeadLetterQueue has no argument 'max_recieve_count'") as caught:
        sqs.DeadLetterQueue(queue=dead, max_recieve_count=3)

    assert caught.value.hint == "did you mean max_receive_count?"


# -- errors at the user's line --------------------------------------------------------------------------


def test_a_misspelt_argument_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="Queue 'Jobs' has no argument 'visibility_timout'") as caught:
        sqs.Queue(stack, "Jobs", visibility_timout=30)

    assert caught.value.hint == "did you mean visibility_timeout?"
    assert caught.value.location.file == __file__


@pytest.mark.parametrize(("prop", "cfn"), [
    ("visibility_timeout", "VisibilityTimeout"),
    ("retention_period", "MessageRetentionPeriod"),
    ("delivery_delay", "DelaySeconds"),
    ("receive_message_wait_time", "ReceiveMessageWaitTimeSeconds"),
])
def test_time_limits_are_the_schemas(stack, prop, cfn):
    low, high = property_range("AWS::SQS::Queue", cfn)
    sqs.Queue(stack, "Lowest", **{prop: int(low)})
    sqs.Queue(stack, "Highest", **{prop: Duration.seconds(int(high))})

    with pytest.raises(ConstructError, match=rf"{prop}: {int(high) + 1} is greater than the maximum of {int(high)} "
                                             rf"\(AWS::SQS::Queue {cfn}, per its schema\)"):
        sqs.Queue(stack, "TooLong", **{prop: int(high) + 1})


def test_a_duration_that_is_not_whole_seconds_is_refused(stack):
    with pytest.raises(ConstructError, match="1500 milliseconds is not a whole number of seconds"):
        sqs.Queue(stack, "Jobs", visibility_timeout=Duration.millis(1500))


def test_message_size_limits_are_the_schemas(stack):
    low, high = property_range("AWS::SQS::Queue", "MaximumMessageSize")

    with pytest.raises(ConstructError, match=rf"max_message_size: {int(low) - 1} is less than the minimum"):
        sqs.Queue(stack, "Small", max_message_size=int(low) - 1)


@pytest.mark.parametrize(("options", "message"), [
    ({"queue_name": "my jobs"}, "'my jobs' is not a valid SQS queue name: it may have only letters"),
    ({"queue_name": "q" * 81}, "it is 81 characters long; SQS allows 80"),
    ({"encryption_key": "alias/aws/sqs"}, "encryption_key: must be a KMS key ARN"),
    ({"data_key_reuse": 300}, "data_key_reuse applies only with encryption_key"),
    ({"removal_policy": "snapshot"}, "AWS::SQS::Queue does not support the Snapshot policy"),
    ({"fifo": "yes"}, "fifo must be bool, got str 'yes'"),
])
def test_bad_inputs_are_refused_at_construction(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        sqs.Queue(stack, "Jobs", **options)

    assert caught.value.path == "Main/Jobs"


def test_a_deploy_time_name_is_left_to_cloudformation(app, stack):
    name = Parameter(stack, "QueueName", type="String")
    queue = sqs.Queue(stack, "Jobs", fifo=True, queue_name=name.value)

    assert resources(app)[queue.resource.logical_id]["Properties"]["QueueName"] == {"Ref": "QueueName"}


# -- grants and the resource policy -----------------------------------------------------------------------


def test_grant_send_messages(app, stack, role):
    queue = sqs.Queue(stack, "Jobs")

    grant = queue.grant_send_messages(role)

    assert grant.role is role
    assert statements(app, role) == [{
        "Effect": "Allow",
        "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
        "Resource": arn(queue),
    }]


def test_grant_consume_messages(app, stack, role):
    queue = sqs.Queue(stack, "Jobs")

    queue.grant_consume_messages(role)

    assert statements(app, role) == [{
        "Effect": "Allow",
        "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                   "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        "Resource": arn(queue),
    }]


def test_grant_purge(app, stack, role):
    queue = sqs.Queue(stack, "Jobs")

    queue.grant_purge(role)

    assert statements(app, role) == [{
        "Effect": "Allow",
        "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:PurgeQueue"],
        "Resource": arn(queue),
    }]


def test_grants_on_a_customer_key_queue_include_the_key(app, stack, role):
    queue = sqs.Queue(stack, "Jobs", encryption_key=KEY_ARN)
    consumer = iam.Role(stack, "Consumer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    queue.grant_send_messages(role)
    queue.grant_consume_messages(consumer)

    assert statements(app, role) == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": KEY_ARN},
        {"Effect": "Allow", "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
         "Resource": arn(queue)},
    ]
    assert statements(app, consumer) == [
        {"Effect": "Allow", "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                       "sqs:GetQueueUrl", "sqs:ReceiveMessage"], "Resource": arn(queue)},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY_ARN},
    ]


def test_every_granted_action_is_an_iam_action_of_sqs():
    actions = {a.split(":")[1].lower() for a in sqs.SEND_ACTIONS + sqs.CONSUME_ACTIONS + sqs.PURGE_ACTIONS}

    assert actions <= iam_actions("sqs")


def test_allow_service_to_send_is_scoped_to_the_source(app, stack):
    queue = sqs.Queue(stack, "Jobs")

    queue.allow_service_to_send("events.amazonaws.com", source_arn="arn:aws:events:us-east-1:123456789012:rule/r")

    policy = resources(app)[queue.policy.logical_id]["Properties"]["PolicyDocument"]
    assert {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": arn(queue),
            "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/r"}},
            } in policy["Statement"]


def test_a_policy_statement_without_principals_is_refused_at_the_call(stack):
    queue = sqs.Queue(stack, "Jobs")

    with pytest.raises(ConstructError, match="must name who it applies to") as caught:
        queue.add_to_resource_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn]))

    assert caught.value.location.file == __file__


# -- metrics ---------------------------------------------------------------------------------------------


def test_age_of_oldest_message_feeds_an_alarm(app, stack, resolve):
    queue = sqs.Queue(stack, "Jobs")

    metric = queue.metric_approximate_age_of_oldest_message()
    alarm = cloudwatch.Alarm(stack, "Stuck", metric=metric, threshold=600, evaluation_periods=3)

    assert (metric.namespace, metric.metric_name, metric.statistic, metric.period) == (
        "AWS/SQS", "ApproximateAgeOfOldestMessage", "Maximum", 60)
    assert resolve(metric.dimensions["QueueName"]) == {"Fn::GetAtt": [queue.resource.logical_id, "QueueName"]}
    properties = resources(app)[alarm.resource.logical_id]["Properties"]
    assert properties["Dimensions"] == [{"Name": "QueueName",
                                         "Value": {"Fn::GetAtt": [queue.resource.logical_id, "QueueName"]}}]


@pytest.mark.parametrize(("method", "name", "statistic"), [
    ("metric_approximate_number_of_messages_visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
    ("metric_approximate_number_of_messages_not_visible", "ApproximateNumberOfMessagesNotVisible", "Maximum"),
    ("metric_number_of_messages_sent", "NumberOfMessagesSent", "Sum"),
    ("metric_number_of_messages_received", "NumberOfMessagesReceived", "Sum"),
    ("metric_number_of_messages_deleted", "NumberOfMessagesDeleted", "Sum"),
    ("metric_number_of_empty_receives", "NumberOfEmptyReceives", "Sum"),
])
def test_metrics(stack, method, name, statistic):
    metric = getattr(sqs.Queue(stack, "Jobs"), method)(period=Duration.minutes(5))

    assert (metric.metric_name, metric.statistic, metric.period) == (name, statistic, 300)


# -- the whole template -------------------------------------------------------------------------------------


def test_queues_grants_and_an_alarm_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    dead = sqs.Queue(stack, "Dead", retention_period=Duration.days(14))
    queue = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.minutes(5),
                      dead_letter_queue=sqs.DeadLetterQueue(queue=dead, max_receive_count=5))
    fifo_dead = sqs.Queue(stack, "FifoDead", fifo=True, removal_policy="destroy")
    fifo = sqs.Queue(stack, "Orders", fifo=True, queue_name="orders.fifo", content_based_deduplication=True,
                     high_throughput_fifo=True, encryption_key=KEY_ARN,
                     dead_letter_queue=sqs.DeadLetterQueue(queue=fifo_dead))
    queue.grant_send_messages(role)
    queue.grant_consume_messages(role)
    fifo.grant_purge(role)
    cloudwatch.Alarm(stack, "Failed", metric=dead.metric_approximate_number_of_messages_visible(), threshold=1,
                     evaluation_periods=1)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


# -- queues made elsewhere ------------------------------------------------------------------------------------

EXISTING = "arn:aws:sqs:eu-west-1:123456789012:orders.fifo"


def test_an_imported_queue_adds_nothing_and_reads_its_arn(app, stack, resolve):
    queue = sqs.Queue.from_queue_arn(stack, "Existing", EXISTING)

    assert isinstance(queue, sqs.ImportedQueue) and queue.fifo
    assert (queue.queue_arn, queue.queue_name) == (EXISTING, "orders.fifo")
    assert resolve(queue.queue_url) == {"Fn::Join": ["", [
        "https://sqs.eu-west-1.", {"Ref": "AWS::URLSuffix"}, "/123456789012/orders.fifo"]]}
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    queue.grant_send_messages(role)
    assert [entry["Type"] for entry in resources(app).values()] == ["AWS::IAM::Role", "AWS::IAM::Policy"]
    assert statements(app, role) == [{"Effect": "Allow", "Resource": EXISTING,
                                      "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"]}]


def test_a_deploy_time_arn_is_taken_apart_with_intrinsics(stack, resolve):
    arn = Parameter(stack, "QueueArn", type="String")
    queue = sqs.Queue.from_queue_arn(stack, "Existing", arn.value)

    assert not queue.fifo
    assert resolve(queue.queue_name) == {"Fn::Select": [5, {"Fn::Split": [":", {"Ref": "QueueArn"}]}]}


def test_an_imported_queues_policy_is_not_ours_to_replace(stack):
    queue = sqs.Queue.from_queue_arn(stack, "Existing", EXISTING)

    with pytest.raises(ConstructError, match="the queue was made elsewhere: its queue policy belongs") as caught:
        queue.allow_service_to_send("sns.amazonaws.com", source_arn="arn:aws:sns:eu-west-1:123456789012:t")

    assert caught.value.location.file == __file__


def test_an_imported_queue_arn_is_checked(stack):
    with pytest.raises(ConstructError, match="'arn:aws:sns:us-east-1:123456789012:topic' is not an SQS queue ARN"):
        sqs.Queue.from_queue_arn(stack, "Existing", "arn:aws:sns:us-east-1:123456789012:topic")


def test_a_source_whose_arn_names_no_account_is_also_scoped_by_account(app, stack):
    queue = sqs.Queue(stack, "Uploads")

    queue.allow_service_to_send("s3.amazonaws.com", source_arn="arn:aws:s3:::uploads", source_account="123456789012")

    assert {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": arn(queue), "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::uploads"},
                                                  "StringEquals": {"aws:SourceAccount": "123456789012"}},
            } in resources(app)[queue.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
