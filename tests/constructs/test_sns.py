"""sns: Topic output and its protective defaults (encrypted, TLS-only publishing), FIFO rules, subscriptions
that make their own queue policy or Lambda permission scoped to the topic, the publish grant, metrics, and
the errors for inputs SNS would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Parameter, Stack
from iac.constructs import awslambda, cloudwatch, iam, kms, sns, sqs
from iac.specs import iam_actions, property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def make_function(stack: Stack, id: str = "Handler") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({})"))


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def ref(topic: sns.Topic) -> dict[str, Any]:
    return {"Ref": topic.resource.logical_id}


def queue_arn(queue: sqs.Queue) -> dict[str, Any]:
    return {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]}


def tls_only(topic: sns.Topic) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": ref(topic),
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


# -- output and defaults ----------------------------------------------------------------------------


def test_a_topic_is_encrypted_with_the_aws_managed_key_and_tls_only(app, stack):
    topic = sns.Topic(stack, "Orders")

    assert resources(app) == {
        "OrdersA9B65338": {"Type": "AWS::SNS::Topic", "Properties": {"KmsMasterKeyId": "alias/aws/sns"}},
        "OrdersPolicy41E378C0": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "OrdersA9B65338"}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [tls_only(topic)]},
            },
        },
    }


def test_a_customer_key_a_name_and_a_display_name_are_written(app, stack):
    topic = sns.Topic(stack, "Orders", encryption_key=KEY_ARN, topic_name="orders", display_name="Orders")

    assert resources(app)[topic.resource.logical_id]["Properties"] == {
        "TopicName": "orders", "DisplayName": "Orders", "KmsMasterKeyId": KEY_ARN}


def test_encrypted_false_leaves_encryption_out_and_enforce_ssl_false_the_policy(app, stack):
    topic = sns.Topic(stack, "Orders", encrypted=False, enforce_ssl=False)

    assert resources(app) == {topic.resource.logical_id: {"Type": "AWS::SNS::Topic"}}


def test_references_are_ref_and_getatt(stack, resolve):
    topic = sns.Topic(stack, "Orders")

    assert resolve(topic.topic_arn) == ref(topic)
    assert resolve(topic.topic_name) == {"Fn::GetAtt": [topic.resource.logical_id, "TopicName"]}


def test_a_fifo_topic(app, stack):
    topic = sns.Topic(stack, "Orders", fifo=True, topic_name="orders.fifo", content_based_deduplication=True)

    assert resources(app)[topic.resource.logical_id]["Properties"] == {
        "TopicName": "orders.fifo", "FifoTopic": True, "ContentBasedDeduplication": True,
        "KmsMasterKeyId": "alias/aws/sns"}


@pytest.mark.parametrize(("options", "message", "hint"), [
    ({"fifo": True, "topic_name": "orders"}, "a FIFO topic's name must end in '.fifo'", "did you mean 'orders.fifo'?"),
    ({"topic_name": "orders.fifo"}, "which only a FIFO topic's may", "pass fifo=True, or drop the suffix"),
    ({"content_based_deduplication": True}, "content_based_deduplication is only for FIFO topics", "pass fifo=True"),
    ({"encrypted": False, "encryption_key": KEY_ARN}, "contradict each other", None),
])
def test_fifo_and_encryption_rules(stack, options, message, hint):
    with pytest.raises(ConstructError, match=message) as caught:
        sns.Topic(stack, "Orders", **options)

    assert (caught.value.path, caught.value.hint, caught.value.location.file) == ("Main/Orders", hint, __file__)


def test_the_topic_name_length_is_the_schemas(stack):
    _, longest = property_length("AWS::SNS::Topic", "TopicName")
    sns.Topic(stack, "Longest", topic_name="t" * longest)

    with pytest.raises(ConstructError, match=r"topic_name: 't+' is too long \(AWS::SNS::Topic TopicName"):
        sns.Topic(stack, "TooLong", topic_name="t" * (longest + 1))


@pytest.mark.parametrize(("options", "message"), [
    ({"topic_name": "my topic"}, "'my topic' is not a valid SNS topic name"),
    ({"encryption_key": "alias/aws/sns"}, "encryption_key: must be a KMS key ARN"),
    ({"fifo": 1}, "fifo must be bool, got int 1"),
])
def test_bad_inputs_are_refused_at_construction(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        sns.Topic(stack, "Orders", **options)

    assert caught.value.path == "Main/Orders"


def test_a_misspelt_argument_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="Topic 'Orders' has no argument 'display_nme'") as caught:
        sns.Topic(stack, "Orders", display_nme="Orders")

    assert caught.value.hint == "did you mean display_name?"


def test_a_deploy_time_name_is_left_to_cloudformation(app, stack):
    name = Parameter(stack, "TopicName", type="String")
    topic = sns.Topic(stack, "Orders", fifo=True, topic_name=name.value)

    assert resources(app)[topic.resource.logical_id]["Properties"]["TopicName"] == {"Ref": "TopicName"}


# -- subscriptions ----------------------------------------------------------------------------------


def test_an_sqs_subscription_lets_only_this_topic_send_to_the_queue(app, stack):
    topic = sns.Topic(stack, "Orders")
    queue = sqs.Queue(stack, "Jobs")

    subscription = topic.add_subscription(sns.SqsSubscription(queue, raw_message_delivery=True,
                                                              filter_policy={"kind": ["refund"]}))

    template = resources(app)
    assert subscription.path == "Main/Jobs/OrdersSubscription"
    assert subscription.logical_id == "JobsOrdersSubscription9B845E74"
    assert template[subscription.logical_id] == {
        "Type": "AWS::SNS::Subscription",
        "Properties": {"TopicArn": ref(topic), "Protocol": "sqs", "Endpoint": queue_arn(queue),
                       "RawMessageDelivery": True, "FilterPolicy": {"kind": ["refund"]}},
        "DependsOn": [queue.policy.logical_id],
    }
    assert template[queue.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "sqs:*", "Resource": queue_arn(queue),
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
         "Resource": queue_arn(queue), "Condition": {"ArnEquals": {"aws:SourceArn": ref(topic)}}},
    ]


def test_a_queue_encrypted_with_a_kms_key_lets_sns_use_the_key_for_this_topic(app, stack):
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Orders")
    queue = sqs.Queue(stack, "Jobs", encryption_key=key)

    topic.add_subscription(sns.SqsSubscription(queue))

    statements = resources(app)[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"]
    assert {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": ref(topic)}}} in statements


def test_a_lambda_subscription_gives_the_topic_alone_permission_to_invoke(app, stack):
    topic = sns.Topic(stack, "Orders")
    fn = make_function(stack)

    subscription = topic.add_subscription(sns.LambdaSubscription(fn, filter_policy={"kind": ["refund"]},
                                                                 filter_policy_scope="MessageBody"))

    template = resources(app)
    function_arn = {"Fn::GetAtt": [fn.resource.logical_id, "Arn"]}
    assert subscription.path == "Main/Handler/OrdersSubscription"
    assert template[subscription.logical_id] == {
        "Type": "AWS::SNS::Subscription",
        "Properties": {"TopicArn": ref(topic), "Protocol": "lambda", "Endpoint": function_arn,
                       "FilterPolicy": {"kind": ["refund"]}, "FilterPolicyScope": "MessageBody"},
    }
    permissions = {key: value for key, value in template.items() if value["Type"] == "AWS::Lambda::Permission"}
    assert list(permissions.values()) == [{
        "Type": "AWS::Lambda::Permission",
        "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": function_arn,
                       "Principal": "sns.amazonaws.com", "SourceArn": ref(topic)},
    }]


def test_email_and_url_subscriptions(app, stack):
    topic = sns.Topic(stack, "Orders")

    email = topic.add_subscription(sns.EmailSubscription("ops@example.com"))
    as_json = topic.add_subscription(sns.EmailSubscription("audit@example.com", json=True))
    url = topic.add_subscription(sns.UrlSubscription("https://example.com/hooks/orders", raw_message_delivery=True))

    template = resources(app)
    assert [s.path for s in (email, as_json, url)] == [
        "Main/Orders/Emailopsexamplecom", "Main/Orders/Emailauditexamplecom",
        "Main/Orders/Urlhttpsexamplecomhooksorders"]
    assert [template[s.logical_id]["Properties"] for s in (email, as_json, url)] == [
        {"TopicArn": ref(topic), "Protocol": "email", "Endpoint": "ops@example.com"},
        {"TopicArn": ref(topic), "Protocol": "email-json", "Endpoint": "audit@example.com"},
        {"TopicArn": ref(topic), "Protocol": "https", "Endpoint": "https://example.com/hooks/orders",
         "RawMessageDelivery": True},
    ]


def test_a_deploy_time_address_gets_a_numbered_id(stack):
    topic = sns.Topic(stack, "Orders")
    address = Parameter(stack, "Address", type="String")

    assert topic.add_subscription(sns.EmailSubscription(address.value)).path == "Main/Orders/Email1"


def test_a_subscription_dead_letter_queue_takes_what_sns_could_not_deliver(app, stack):
    topic = sns.Topic(stack, "Orders")
    dead = sqs.Queue(stack, "Undelivered")

    subscription = topic.add_subscription(sns.LambdaSubscription(make_function(stack), dead_letter_queue=dead))

    template = resources(app)
    assert template[subscription.logical_id]["Properties"]["RedrivePolicy"] == {"deadLetterTargetArn": queue_arn(dead)}
    assert template[subscription.logical_id]["DependsOn"] == [dead.policy.logical_id]
    assert {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue_arn(dead), "Condition": {"ArnEquals": {"aws:SourceArn": ref(topic)}},
            } in template[dead.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def test_a_dead_letter_queue_encrypted_with_a_kms_key_lets_sns_use_the_key_for_this_topic(app, stack):
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Orders")
    dead = sqs.Queue(stack, "Undelivered", encryption_key=key)

    topic.add_subscription(sns.LambdaSubscription(make_function(stack), dead_letter_queue=dead))

    statements = resources(app)[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"]
    assert {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": ref(topic)}}} in statements


def test_a_fifo_topics_subscription_needs_a_fifo_dead_letter_queue(stack):
    topic = sns.Topic(stack, "Orders", fifo=True)
    queue = sqs.Queue(stack, "Jobs", fifo=True)

    with pytest.raises(ConstructError, match="a FIFO topic's subscription needs a FIFO queue as its dead-letter "
                                             "queue, and Main/Undelivered is not one"):
        topic.add_subscription(sns.SqsSubscription(queue, dead_letter_queue=sqs.Queue(stack, "Undelivered")))


def test_a_fifo_topic_delivers_only_to_queues(stack):
    topic = sns.Topic(stack, "Orders", fifo=True)
    topic.add_subscription(sns.SqsSubscription(sqs.Queue(stack, "Jobs", fifo=True)))

    with pytest.raises(ConstructError, match="a FIFO topic delivers only to SQS queues, not to lambda") as caught:
        topic.add_subscription(sns.LambdaSubscription(make_function(stack)))

    assert caught.value.location.file == __file__


def test_a_fifo_queue_needs_a_fifo_topic(stack):
    queue = sqs.Queue(stack, "Jobs", fifo=True)

    with pytest.raises(ConstructError, match=r"a FIFO queue \(Main/Jobs\) can subscribe only to a FIFO topic"):
        sns.Topic(stack, "Orders").add_subscription(sns.SqsSubscription(queue))


@pytest.mark.parametrize(("make", "message"), [
    (lambda: sns.EmailSubscription("ops"), "'ops' is not an email address"),
    (lambda: sns.UrlSubscription("ftp://example.com"), "is not an http:// or https:// URL"),
    (lambda: sns.SqsSubscription("arn:aws:sqs:us-east-1:123456789012:q"), "queue must be QueueBase, got str"),
    (lambda: sns.LambdaSubscription("my-function"), "function must be Invocable, got str"),
])
def test_bad_subscriptions_are_refused_at_the_users_line(make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make()

    assert caught.value.location.file == __file__


def test_a_misspelt_subscription_option_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="SqsSubscription has no argument 'raw_message_delivry'") as caught:
        sns.SqsSubscription(sqs.Queue(stack, "Jobs"), raw_message_delivry=True)

    assert caught.value.hint == "did you mean raw_message_delivery?"


def test_a_filter_policy_scope_is_one_sns_knows(stack):
    with pytest.raises(ConstructError, match="filter_policy_scope must be 'MessageAttributes' | 'MessageBody'"):
        sns.SqsSubscription(sqs.Queue(stack, "Jobs"), filter_policy_scope="Body")


# -- grants and service publishers ------------------------------------------------------------------------


def test_grant_publish(app, stack, role):
    topic = sns.Topic(stack, "Orders")

    grant = topic.grant_publish(role)

    assert grant.role is role
    assert resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": ref(topic)}]


def test_grant_publish_on_a_customer_key_topic_includes_the_key(app, stack, role):
    topic = sns.Topic(stack, "Orders", encryption_key=KEY_ARN)

    topic.grant_publish(role)

    assert resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": KEY_ARN},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": ref(topic)},
    ]


def test_every_granted_action_is_an_iam_action_of_sns():
    assert {action.split(":")[1].lower() for action in sns.PUBLISH_ACTIONS} <= iam_actions("sns")


def test_a_service_cannot_publish_to_a_topic_with_the_aws_managed_key(stack):
    topic = sns.Topic(stack, "Alarms")

    with pytest.raises(ConstructError, match="cloudwatch.amazonaws.com cannot publish to a topic encrypted with the "
                                             "AWS managed key alias/aws/sns") as caught:
        topic.allow_service_to_publish("cloudwatch.amazonaws.com", source_arn="arn:aws:cloudwatch:*")

    assert caught.value.location.file == __file__
    assert "encryption_key=kms.Key(...)" in caught.value.hint


def test_a_service_publishing_to_a_kms_key_topic_is_let_into_the_key_for_this_source(app, stack):
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Alarms", encryption_key=key)
    alarms = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"

    topic.allow_service_to_publish("cloudwatch.amazonaws.com", source_arn=alarms)

    template = resources(app)
    assert {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": ref(topic), "Condition": {"ArnLike": {"aws:SourceArn": alarms}},
            } in template[topic.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert {"Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
            "Condition": {"ArnLike": {"aws:SourceArn": alarms}},
            } in template[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"]


def test_an_unencrypted_topic_takes_service_publishers(app, stack):
    topic = sns.Topic(stack, "Uploads", encrypted=False)

    topic.allow_service_to_publish("s3.amazonaws.com", source_arn="arn:aws:s3:::my-bucket",
                                   source_account="123456789012")

    assert {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": ref(topic), "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::my-bucket"},
                                                  "StringEquals": {"aws:SourceAccount": "123456789012"}},
            } in resources(app)[topic.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


# -- metrics and the whole template -------------------------------------------------------------------------


def test_failed_notifications_feed_an_alarm(stack, resolve):
    topic = sns.Topic(stack, "Orders")

    metric = topic.metric_number_of_notifications_failed()

    assert (metric.namespace, metric.metric_name, metric.statistic, metric.period) == (
        "AWS/SNS", "NumberOfNotificationsFailed", "Sum", 60)
    assert resolve(metric.dimensions["TopicName"]) == {"Fn::GetAtt": [topic.resource.logical_id, "TopicName"]}
    assert topic.metric_number_of_messages_published().metric_name == "NumberOfMessagesPublished"
    assert topic.metric_number_of_notifications_delivered().metric_name == "NumberOfNotificationsDelivered"


def test_a_fan_out_passes_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Orders")
    fifo = sns.Topic(stack, "Ledger", fifo=True, topic_name="ledger.fifo", content_based_deduplication=True)
    alarms = sns.Topic(stack, "Alarms", encryption_key=key)
    queue = sqs.Queue(stack, "Jobs", encryption_key=key)
    fifo_queue = sqs.Queue(stack, "LedgerQueue", fifo=True)
    fn = make_function(stack)
    topic.add_subscription(sns.SqsSubscription(queue, raw_message_delivery=True, filter_policy={"kind": ["a"]}))
    topic.add_subscription(sns.LambdaSubscription(fn))
    topic.add_subscription(sns.EmailSubscription("ops@example.com"))
    topic.add_subscription(sns.UrlSubscription("https://example.com/hook",
                                               dead_letter_queue=sqs.Queue(stack, "Undelivered")))
    fifo.add_subscription(sns.SqsSubscription(fifo_queue, dead_letter_queue=sqs.Queue(stack, "FifoDead", fifo=True)))
    alarm = cloudwatch.Alarm(stack, "Failing", metric=topic.metric_number_of_notifications_failed(), threshold=1,
                             evaluation_periods=1)
    alarms.allow_service_to_publish("cloudwatch.amazonaws.com", source_arn=alarm.resource.get_att("Arn"))
    topic.grant_publish(fn)
    alarms.grant_publish(fn)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_a_topic_in_one_stack_and_its_queue_in_another_depend_one_way():
    app = App()
    events = Stack(app, "Events")
    workers = Stack(app, "Workers")
    topic = sns.Topic(events, "Orders")
    queue = sqs.Queue(workers, "Jobs")

    topic.add_subscription(sns.SqsSubscription(queue))

    assembly = synthesize(app)
    assert [(s.name, sorted(s.dependencies)) for s in assembly.stacks] == [("Events", []), ("Workers", ["Events"])]


def test_a_topic_queue_and_worker_app_synthesizes_strict_through_the_cli(write_app, run_iac):
    write_app('''
        from iac import App, Duration, Stack
        from iac.constructs import awslambda, cloudwatch, kms, sns, sqs

        app = App()
        events = Stack(app, "Events")
        workers = Stack(app, "Workers")
        key = kms.Key(events, "Key")
        orders = sns.Topic(events, "Orders", encryption_key=key)
        dead = sqs.Queue(workers, "Dead", retention_period=Duration.days(14))
        jobs = sqs.Queue(workers, "Jobs", visibility_timeout=Duration.minutes(3),
                         dead_letter_queue=sqs.DeadLetterQueue(queue=dead, max_receive_count=5))
        orders.add_subscription(sns.SqsSubscription(jobs, raw_message_delivery=True))
        worker = awslambda.Function(workers, "Worker", handler="index.handler",
                                    runtime=awslambda.DEFAULT_NODEJS_RUNTIME, timeout=30,
                                    code=awslambda.Code.from_inline("exports.handler = async () => ({})"))
        worker.add_event_source(awslambda.SqsEventSource(jobs, report_batch_item_failures=True))
        orders.add_subscription(sns.EmailSubscription("ops@example.com"))
        alarm = cloudwatch.Alarm(workers, "Failed", metric=dead.metric_approximate_number_of_messages_visible(),
                                 threshold=1, evaluation_periods=1)
        app.synth()
    ''')

    result = run_iac("synth", "--strict")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()


# -- topics and queues made elsewhere -------------------------------------------------------------------------

EXISTING = "arn:aws:sns:us-east-1:123456789012:orders"


def test_a_queue_subscribes_to_a_topic_made_elsewhere(app, stack):
    topic = sns.Topic.from_topic_arn(stack, "Existing", EXISTING)
    queue = sqs.Queue(stack, "Jobs")

    subscription = topic.add_subscription(sns.SqsSubscription(queue))

    template = resources(app)
    assert isinstance(topic, sns.ImportedTopic) and topic.topic_name == "orders" and not topic.fifo
    assert template[subscription.logical_id]["Properties"] == {
        "TopicArn": EXISTING, "Protocol": "sqs", "Endpoint": queue_arn(queue)}
    assert {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": queue_arn(queue), "Condition": {"ArnEquals": {"aws:SourceArn": EXISTING}},
            } in template[queue.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert sorted(entry["Type"] for entry in template.values()) == [
        "AWS::SNS::Subscription", "AWS::SQS::Queue", "AWS::SQS::QueuePolicy"]


def test_grant_publish_on_a_topic_made_elsewhere(app, stack, role):
    topic = sns.Topic.from_topic_arn(stack, "Existing", EXISTING, encryption_key=KEY_ARN)

    topic.grant_publish(role)

    assert resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": KEY_ARN},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": EXISTING},
    ]


def test_the_policy_of_a_topic_made_elsewhere_is_not_ours_to_replace(stack):
    topic = sns.Topic.from_topic_arn(stack, "Existing", EXISTING)

    with pytest.raises(ConstructError, match="the topic was made elsewhere: its topic policy belongs") as caught:
        topic.allow_service_to_publish("s3.amazonaws.com", source_arn="arn:aws:s3:::uploads")

    assert caught.value.location.file == __file__


def test_a_queue_made_elsewhere_cannot_be_subscribed_without_its_owners_policy(stack):
    queue = sqs.Queue.from_queue_arn(stack, "Existing", "arn:aws:sqs:us-east-1:123456789012:jobs")

    with pytest.raises(ConstructError, match="the queue was made elsewhere") as caught:
        sns.Topic(stack, "Orders").add_subscription(sns.SqsSubscription(queue))

    assert caught.value.location.file == __file__


def test_a_fifo_topic_made_elsewhere_is_known_by_its_suffix(stack, resolve):
    assert sns.Topic.from_topic_arn(stack, "Fifo", "arn:aws:sns:us-east-1:123456789012:ledger.fifo").fifo
    arn = Parameter(stack, "TopicArn", type="String")
    topic = sns.Topic.from_topic_arn(stack, "Deployed", arn.value)
    assert resolve(topic.topic_name) == {"Fn::Select": [5, {"Fn::Split": [":", {"Ref": "TopicArn"}]}]}
    with pytest.raises(ConstructError, match="is not an SNS topic ARN"):
        sns.Topic.from_topic_arn(stack, "Wrong", "arn:aws:sqs:us-east-1:123456789012:jobs")
