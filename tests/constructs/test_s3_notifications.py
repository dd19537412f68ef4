"""s3: event notifications to a function, a queue or a topic: the bucket is named at synth (no cycle, no name
from the user), the permission or policy statement names that bucket only (aws:SourceArn, aws:SourceAccount),
the bucket waits for it, and the errors for configurations S3 would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import awslambda, kms, s3, sns, sqs
from iac.specs import property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

STACK_UUID = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}


def make_function(stack: Stack, id: str = "Handler") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({})"))


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def generated_name(prefix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [f"{prefix}-", STACK_UUID]]}


def source_arn(prefix: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", f"{prefix}-", STACK_UUID]]}


def test_a_function_notification_names_the_bucket_at_synth_and_the_bucket_waits_for_the_permission(app, stack):
    bucket = s3.Bucket(stack, "Uploads")
    fn = make_function(stack)

    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, fn, prefix="incoming/", suffix=".csv")

    template = resources(app)
    bucket_resource = template[bucket.resource.logical_id]
    name = bucket_resource["Properties"]["BucketName"]
    human = name["Fn::Join"][1][0][:-1]
    assert human.startswith("uploads-") and len(human) == len("uploads-") + 8
    assert name == generated_name(human)
    assert bucket_resource["Properties"]["NotificationConfiguration"] == {"LambdaConfigurations": [{
        "Event": "s3:ObjectCreated:*",
        "Function": {"Fn::GetAtt": [fn.resource.logical_id, "Arn"]},
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "incoming/"}, {"Name": "suffix", "Value": ".csv"}]}},
    }]}
    permission_id = bucket.find_child("HandlerInvokePermission").logical_id
    assert bucket_resource["DependsOn"] == [permission_id]
    assert template[permission_id] == {
        "Type": "AWS::Lambda::Permission",
        "Properties": {"Action": "lambda:InvokeFunction",
                       "FunctionName": {"Fn::GetAtt": [fn.resource.logical_id, "Arn"]},
                       "Principal": "s3.amazonaws.com", "SourceArn": source_arn(human),
                       "SourceAccount": {"Ref": "AWS::AccountId"}},
    }


def test_a_bucket_without_notifications_keeps_the_name_cloudformation_generates(app, stack):
    bucket = s3.Bucket(stack, "Plain", event_bridge_enabled=True)

    properties = resources(app)[bucket.resource.logical_id]["Properties"]

    assert "BucketName" not in properties
    assert properties["NotificationConfiguration"] == {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}


def test_a_given_bucket_name_is_kept_and_named_in_the_permission(app, stack):
    bucket = s3.Bucket(stack, "Uploads", bucket_name="my-uploads-bucket")
    fn = make_function(stack)

    bucket.add_event_notification(s3.EventType.OBJECT_REMOVED, fn)

    template = resources(app)
    assert template[bucket.resource.logical_id]["Properties"]["BucketName"] == "my-uploads-bucket"
    permission = template[bucket.find_child("HandlerInvokePermission").logical_id]
    assert permission["Properties"]["SourceArn"] == {
        "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", "my-uploads-bucket"]]}


def test_the_generated_name_fits_s3s_longest_name_whatever_the_id():
    longest = property_length("AWS::S3::Bucket", "BucketName")[1]
    app = App()
    stack = Stack(app, "Main")
    bucket = s3.Bucket(stack, "A" * 200 + "_Very.Long Id")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, make_function(stack))

    prefix = resources(app)[bucket.resource.logical_id]["Properties"]["BucketName"]["Fn::Join"][1][0]

    assert len(prefix) + 36 == longest  # 36: the UUID of the stack id
    assert prefix == prefix.lower() and prefix.endswith("-") and prefix[0].isalnum()


def test_two_buckets_with_the_same_id_in_different_scopes_get_different_names(app, stack):
    from iac import Construct

    first = s3.Bucket(Construct(stack, "A"), "Uploads")
    second = s3.Bucket(Construct(stack, "B"), "Uploads")
    fn = make_function(stack)
    first.add_event_notification(s3.EventType.OBJECT_CREATED, fn)
    second.add_event_notification(s3.EventType.OBJECT_CREATED, fn)

    template = resources(app)

    names = [template[b.resource.logical_id]["Properties"]["BucketName"] for b in (first, second)]
    assert names[0] != names[1]


def test_a_queue_notification_adds_a_statement_for_this_bucket_and_account_only(app, stack):
    bucket = s3.Bucket(stack, "Uploads")
    queue = sqs.Queue(stack, "Jobs")

    bucket.add_event_notification(s3.EventType.OBJECT_CREATED_PUT, queue, suffix=".json")

    template = resources(app)
    bucket_resource = template[bucket.resource.logical_id]
    human = bucket_resource["Properties"]["BucketName"]["Fn::Join"][1][0][:-1]
    assert bucket_resource["Properties"]["NotificationConfiguration"] == {"QueueConfigurations": [{
        "Event": "s3:ObjectCreated:Put", "Queue": {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]},
        "Filter": {"S3Key": {"Rules": [{"Name": "suffix", "Value": ".json"}]}}}]}
    assert bucket_resource["DependsOn"] == [queue.policy.logical_id]
    statements = template[queue.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statements[-1] == {
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]},
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn(human)},
                      "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
    }


def test_a_queue_encrypted_with_a_kms_key_lets_s3_use_the_key_for_this_bucket(app, stack):
    key = kms.Key(stack, "Key")
    bucket = s3.Bucket(stack, "Uploads")

    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, sqs.Queue(stack, "Jobs", encryption_key=key))

    template = resources(app)
    human = template[bucket.resource.logical_id]["Properties"]["BucketName"]["Fn::Join"][1][0][:-1]
    statements = template[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"]
    assert {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": source_arn(human)},
                          "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}} in statements


def test_a_topic_notification_adds_a_topic_policy_statement_and_waits_for_it(app, stack):
    bucket = s3.Bucket(stack, "Uploads")
    topic = sns.Topic(stack, "Uploaded", encryption_key=kms.Key(stack, "Key"))

    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, topic, prefix="in/")

    template = resources(app)
    bucket_resource = template[bucket.resource.logical_id]
    human = bucket_resource["Properties"]["BucketName"]["Fn::Join"][1][0][:-1]
    assert bucket_resource["Properties"]["NotificationConfiguration"]["TopicConfigurations"] == [{
        "Event": "s3:ObjectCreated:*", "Topic": {"Ref": topic.resource.logical_id},
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "in/"}]}}}]
    assert bucket_resource["DependsOn"] == [topic.policy.logical_id]
    statements = template[topic.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert {
        "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
        "Resource": {"Ref": topic.resource.logical_id},
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn(human)},
                      "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
    } in statements


def test_a_topic_with_the_aws_managed_key_is_refused_at_the_users_line(stack):
    bucket = s3.Bucket(stack, "Uploads")
    topic = sns.Topic(stack, "Uploaded")

    with pytest.raises(ConstructError, match="cannot publish to a topic encrypted with the AWS managed key") as info:
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, topic)

    assert info.value.location.file == __file__
    assert "encryption_key=kms.Key" in info.value.hint


def test_one_function_for_two_events_gets_one_permission(app, stack):
    bucket = s3.Bucket(stack, "Uploads")
    fn = make_function(stack)

    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, fn)
    bucket.add_event_notification(s3.EventType.OBJECT_REMOVED, fn)

    template = resources(app)
    permissions = [r for r in template.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert len(permissions) == 1
    assert len(template[bucket.resource.logical_id]["Properties"]["NotificationConfiguration"][
        "LambdaConfigurations"]) == 2


def test_overlapping_notifications_are_refused_with_the_first_ones_line(stack):
    bucket = s3.Bucket(stack, "Uploads")
    fn = make_function(stack)
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, fn, prefix="images/")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, fn, prefix="videos/")  # disjoint prefixes: fine

    with pytest.raises(ConstructError, match="overlaps the one for s3:ObjectCreated:\\* added at") as info:
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED_PUT, fn, prefix="images/thumbs/")

    assert info.value.location.file == __file__


def test_an_unknown_event_type_is_refused_with_the_closest_one(stack):
    bucket = s3.Bucket(stack, "Uploads")

    with pytest.raises(ConstructError, match="is not an S3 event type") as info:
        bucket.add_event_notification("s3:ObjectCreated:Puts", make_function(stack))

    assert info.value.hint == "did you mean 's3:ObjectCreated:Put'?"


def test_a_target_that_is_not_a_function_queue_or_topic_is_refused(stack):
    with pytest.raises(ConstructError, match="sends to an awslambda.Function, an sqs.Queue or an sns.Topic"):
        s3.Bucket(stack, "Uploads").add_event_notification(s3.EventType.OBJECT_CREATED, "arn:aws:sqs:::q")


def test_a_queue_in_another_stack_is_refused_as_a_cycle_between_stacks():
    app = App()
    storage = Stack(app, "Storage")
    workers = Stack(app, "Workers")
    bucket = s3.Bucket(storage, "Uploads")

    with pytest.raises(ConstructError, match="is in another stack than the bucket"):
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, sqs.Queue(workers, "Jobs"))


def test_a_function_in_another_stack_is_notified_with_stacks_depending_one_way():
    app = App()
    workers = Stack(app, "Workers")
    storage = Stack(app, "Storage")
    bucket = s3.Bucket(storage, "Uploads")

    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, make_function(workers))

    assembly = synthesize(app)
    assert [(s.name, sorted(s.dependencies)) for s in assembly.stacks] == [("Workers", []), ("Storage", ["Workers"])]


def test_notifications_to_all_three_targets_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    bucket = s3.Bucket(stack, "Uploads", versioned=True)
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, make_function(stack), prefix="a/")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, sqs.Queue(stack, "Jobs"), prefix="b/")
    bucket.add_event_notification(s3.EventType.OBJECT_REMOVED,
                                  sns.Topic(stack, "Removed", encryption_key=kms.Key(stack, "Key")))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_two_aliases_with_the_same_name_get_a_permission_each(app, stack):
    bucket = s3.Bucket(stack, "Uploads")
    first, second = make_function(stack, "Resize").add_alias("live"), make_function(stack, "Scan").add_alias("live")

    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, first, prefix="a/")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, second, prefix="b/")

    permissions = [r["Properties"]["FunctionName"] for r in resources(app).values()
                   if r["Type"] == "AWS::Lambda::Permission"]
    assert len(permissions) == 2 and permissions[0] != permissions[1]


def test_adding_the_first_notification_to_a_deployed_bucket_is_shown_as_its_replacement(write_app, run_iac):
    write_app('''
        import os
        from iac import App, Stack, suppress
        from iac.constructs import awslambda, s3

        app = App()
        stack = Stack(app, "Main")
        bucket = s3.Bucket(stack, "Uploads", versioned=True)
        suppress(bucket, "IAC-S3-005", reason="a test app without a log bucket")
        fn = awslambda.Function(stack, "Handler", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                                code=awslambda.Code.from_inline("exports.handler = async () => ({})"))
        if os.environ.get("NOTIFY"):
            bucket.add_event_notification(s3.EventType.OBJECT_CREATED, fn)
        app.synth()
    ''')
    assert run_iac("synth", "--strict", "--quiet").returncode == 0

    result = run_iac("diff", env={"NOTIFY": "1", "NO_COLOR": "1"})

    assert "replace: create-only property BucketName changed" in result.stdout, result.stdout + result.stderr


def test_a_generated_name_never_starts_with_a_prefix_s3_keeps(app, stack):
    bucket = s3.Bucket(stack, "Sthree")
    bucket.add_event_notification(s3.EventType.OBJECT_CREATED, make_function(stack))

    prefix = resources(app)[bucket.resource.logical_id]["Properties"]["BucketName"]["Fn::Join"][1][0]

    assert prefix.startswith("bsthree-")


@pytest.mark.parametrize("make_target", [
    lambda stack: sqs.Queue(stack, "Ledger", fifo=True),
    lambda stack: sns.Topic(stack, "Ledger", fifo=True, encryption_key=kms.Key(stack, "Key")),
], ids=["queue", "topic"])
def test_fifo_queues_and_topics_are_refused_as_s3_cannot_send_to_them(stack, make_target):
    bucket = s3.Bucket(stack, "Uploads")

    with pytest.raises(ConstructError, match="S3 cannot send event notifications to a FIFO") as info:
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, make_target(stack))

    assert "EventBridge" in info.value.hint and info.value.location.file == __file__


def test_the_created_and_removed_shorthands_and_their_errors_point_at_the_users_line(app, stack):
    bucket = s3.Bucket(stack, "Uploads")
    fn = make_function(stack)
    bucket.add_object_created_notification(fn, prefix="in/")
    bucket.add_object_removed_notification(fn)

    with pytest.raises(ConstructError, match="overlaps") as info:
        bucket.add_object_created_notification(fn, prefix="in/x/")

    assert info.value.location.file == __file__
    assert [c["Event"] for c in resources(app)[bucket.resource.logical_id]["Properties"]["NotificationConfiguration"][
        "LambdaConfigurations"]] == ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
