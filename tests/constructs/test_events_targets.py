"""events: rule targets beyond a bare ARN (function, queue, topic, state machine, another bus) with what
EventBridge needs to deliver, for this rule only; dead-letter queues and retry policies; event buses."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import awslambda, codebuild, events, firehose, iam, kinesis, kms, s3, sns, sqs
from iac.constructs import stepfunctions as sfn
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

PATTERN = {"source": ["shop.orders"], "detail-type": ["OrderPlaced"]}


def make_function(stack: Stack, id: str = "Handler") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({})"))


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def rule_arn(rule: events.Rule) -> dict[str, Any]:
    return {"Fn::GetAtt": [rule.resource.logical_id, "Arn"]}


def targets(template: dict[str, Any], rule: events.Rule) -> list[dict[str, Any]]:
    return template[rule.resource.logical_id]["Properties"]["Targets"]


def test_a_queue_target_gets_a_queue_policy_statement_for_this_rule_only(app, stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    queue = sqs.Queue(stack, "Jobs")

    rule.add_target(queue)

    template = resources(app)
    assert targets(template, rule) == [{"Arn": {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]}, "Id": "Target0"}]
    assert template[queue.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"][-1] == {
        "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": {"Fn::GetAtt": [queue.resource.logical_id, "Arn"]},
        "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn(rule)}},
    }


def test_a_fifo_queue_target_needs_a_message_group(app, stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    queue = sqs.Queue(stack, "Ledger", fifo=True)

    with pytest.raises(ConstructError, match="needs a message_group_id") as info:
        rule.add_target(queue)
    rule.add_target(queue, message_group_id="orders")

    assert info.value.location.file == __file__
    assert targets(resources(app), rule)[0]["SqsParameters"] == {"MessageGroupId": "orders"}


def test_a_topic_target_gets_a_topic_policy_statement_and_its_key_lets_eventbridge_in(app, stack):
    key = kms.Key(stack, "Key")
    topic = sns.Topic(stack, "Placed", encryption_key=key)
    rule = events.Rule(stack, "OnPlaced", event_pattern=PATTERN)

    rule.add_target(topic)

    template = resources(app)
    assert targets(template, rule) == [{"Arn": {"Ref": topic.resource.logical_id}, "Id": "Target0"}]
    assert {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": {"Ref": topic.resource.logical_id},
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn(rule)}}} in \
        template[topic.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    key_statements = template[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"]
    assert {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}} in key_statements


def test_a_topic_with_the_aws_managed_key_is_refused_at_the_users_line(stack):
    rule = events.Rule(stack, "OnPlaced", event_pattern=PATTERN)

    with pytest.raises(ConstructError, match="cannot publish to a topic encrypted with the AWS managed key") as info:
        rule.add_target(sns.Topic(stack, "Placed"))

    assert info.value.location.file == __file__


def test_a_function_target_gets_a_permission_next_to_the_rule(app, stack):
    rule = events.Rule(stack, "Nightly", schedule="rate(1 day)")
    fn = make_function(stack)

    rule.add_target(fn)

    template = resources(app)
    function_arn = {"Fn::GetAtt": [fn.resource.logical_id, "Arn"]}
    assert targets(template, rule) == [{"Arn": function_arn, "Id": "Target0"}]
    assert template[rule.find_child("HandlerPermission").logical_id]["Properties"] == {
        "Action": "lambda:InvokeFunction", "FunctionName": function_arn, "Principal": "events.amazonaws.com",
        "SourceArn": rule_arn(rule)}


def test_a_state_machine_target_is_started_through_a_role_granted_that_machine_only(app, stack):
    machine = sfn.StateMachine(stack, "Flow", definition=sfn.Pass("Start").next(sfn.Succeed("Done")))
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)

    rule.add_target(machine, input='{"from": "events"}')

    template = resources(app)
    role = rule.events_role
    assert targets(template, rule) == [{"Arn": {"Ref": machine.resource.logical_id}, "Id": "Target0",
                                        "Input": '{"from": "events"}',
                                        "RoleArn": {"Fn::GetAtt": [role.resource.logical_id, "Arn"]}}]
    assert template[role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert template[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": {"Ref": machine.resource.logical_id}}]


def test_an_event_bus_is_named_after_the_stack_and_rules_on_it_name_it(app, stack):
    bus = events.EventBus(stack, "Orders", description="order events")
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN, event_bus=bus)

    template = resources(app)

    assert template[bus.resource.logical_id] == {"Type": "AWS::Events::EventBus", "Properties": {
        "Name": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "Orders"]]}, "Description": "order events"}}
    assert template[rule.resource.logical_id]["Properties"]["EventBusName"] == {
        "Fn::GetAtt": [bus.resource.logical_id, "Name"]}


def test_another_bus_as_a_target_is_reached_through_a_role_that_may_put_events_there_only(app, stack):
    bus = events.EventBus(stack, "Audit", event_bus_name="audit")
    rule = events.Rule(stack, "Forward", event_pattern=PATTERN)

    rule.add_target(bus)

    template = resources(app)
    role = rule.events_role
    assert targets(template, rule)[0]["RoleArn"] == {"Fn::GetAtt": [role.resource.logical_id, "Arn"]}
    assert template[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "events:PutEvents", "Resource": {"Fn::GetAtt": [bus.resource.logical_id, "Arn"]}}]


def test_a_firehose_stream_target_is_fed_through_a_role_that_may_put_records_there_only(app, stack):
    stream = firehose.DeliveryStream(stack, "ToLake", bucket=s3.Bucket(stack, "Lake", versioned=True))
    rule = events.Rule(stack, "Archive", event_pattern=PATTERN)

    rule.add_target(stream)

    template = resources(app)
    role = rule.events_role
    assert targets(template, rule) == [{"Arn": {"Fn::GetAtt": [stream.resource.logical_id, "Arn"]}, "Id": "Target0",
                                        "RoleArn": {"Fn::GetAtt": [role.resource.logical_id, "Arn"]}}]
    [statement] = template[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Resource"] == {"Fn::GetAtt": [stream.resource.logical_id, "Arn"]}
    assert sorted(statement["Action"]) == ["firehose:PutRecord", "firehose:PutRecordBatch"]


def test_grant_put_events_to_names_the_bus_only(app, stack):
    bus = events.EventBus(stack, "Orders")
    role = iam.Role(stack, "Producer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    grant = bus.grant_put_events_to(role)

    assert grant.statement.to_json() == {"Effect": "Allow", "Action": "events:PutEvents",
                                         "Resource": bus.event_bus_arn}


def test_a_dead_letter_queue_and_retry_policy_on_a_target(app, stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    dead = sqs.Queue(stack, "Undelivered")

    rule.add_target(make_function(stack), dead_letter_queue=dead, retry_attempts=4, max_event_age=Duration.minutes(10))

    template = resources(app)
    target = targets(template, rule)[0]
    assert (target["DeadLetterConfig"], target["RetryPolicy"]) == (
        {"Arn": {"Fn::GetAtt": [dead.resource.logical_id, "Arn"]}},
        {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 600})
    assert template[dead.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"][-1]["Condition"] == {
        "ArnEquals": {"aws:SourceArn": rule_arn(rule)}}


@pytest.mark.parametrize(("options", "message"), [
    ({"retry_attempts": 186}, "retry_attempts must be between 0 and 185"),
    ({"max_event_age": Duration.seconds(30)}, "max_event_age must be between 60 and 86400"),
])
def test_retry_limits_come_from_the_schema(stack, options, message):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)

    with pytest.raises(ConstructError, match=message):
        rule.add_target("arn:aws:sqs:us-east-1:123456789012:jobs", **options)


def test_a_refused_target_leaves_no_permission_behind(app, stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    queue = sqs.Queue(stack, "Jobs")

    with pytest.raises(ConstructError, match="retry_attempts must be between"):
        rule.add_target(queue, retry_attempts=1000)

    statements = resources(app)[queue.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Effect"] for s in statements] == ["Deny"]  # only the queue's own TLS statement


def test_a_fifo_dead_letter_queue_is_refused(stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)

    with pytest.raises(ConstructError, match="must be a standard queue"):
        rule.add_target(make_function(stack), dead_letter_queue=sqs.Queue(stack, "Dead", fifo=True))


def test_a_rule_takes_at_most_the_schemas_number_of_targets(stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    for number in range(5):
        rule.add_target(f"arn:aws:sqs:us-east-1:123456789012:q{number}")

    with pytest.raises(ConstructError, match="at most 5 targets"):
        rule.add_target("arn:aws:sqs:us-east-1:123456789012:q5")


def test_a_scheduled_rule_on_a_custom_bus_is_refused(stack):
    with pytest.raises(ConstructError, match="runs on the default event bus only"):
        events.Rule(stack, "Nightly", schedule="rate(1 day)", event_bus=events.EventBus(stack, "Bus"))


def test_the_default_bus_cannot_be_made(stack):
    with pytest.raises(ConstructError, match="the account's default event bus"):
        events.EventBus(stack, "Bus", event_bus_name="default")


def test_a_queue_in_another_stack_is_refused_as_a_cycle():
    app = App()
    rule = events.Rule(Stack(app, "Events"), "Placed", event_pattern=PATTERN)

    with pytest.raises(ConstructError, match="in another stack than the rule"):
        rule.add_target(sqs.Queue(Stack(app, "Workers"), "Jobs"))


def test_every_kind_of_target_passes_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    bus = events.EventBus(stack, "Orders")
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN, event_bus=bus)
    dead = sqs.Queue(stack, "Undelivered")
    rule.add_target(make_function(stack), dead_letter_queue=dead, retry_attempts=2)
    rule.add_target(sqs.Queue(stack, "Jobs", encryption_key=kms.Key(stack, "Key")))
    rule.add_target(sns.Topic(stack, "PlacedTopic", encryption_key=kms.Key(stack, "TopicKey")))
    rule.add_target(sfn.StateMachine(stack, "Flow", definition=sfn.Pass("Start").next(sfn.Succeed("Done"))))
    rule.add_target(events.EventBus(stack, "Audit"))
    archive = events.Rule(stack, "Archive", event_pattern=PATTERN)
    archive.add_target(firehose.DeliveryStream(stack, "ToLake", bucket=s3.Bucket(stack, "Lake", versioned=True)))
    archive.add_target(kinesis.Stream(stack, "Clicks"), partition_key_path="$.detail.id", input_path="$.detail")
    archive.add_target(codebuild.Project(stack, "Build", build_spec=BUILD_SPEC),
                       input=events.InputTransformer('{"order": <id>}', paths={"id": "$.detail.id"}))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_two_aliases_with_the_same_name_get_a_permission_each_and_a_function_one(app, stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    fn = make_function(stack, "Resize")
    rule.add_target(fn.add_alias("live"))
    rule.add_target(make_function(stack, "Scan").add_alias("live"))
    rule.add_target(fn)

    permissions = [r["Properties"]["FunctionName"] for r in resources(app).values()
                   if r["Type"] == "AWS::Lambda::Permission"]

    assert len(permissions) == len({repr(p) for p in permissions}) == 3


BUILD_SPEC = {"phases": {"build": {"commands": ["make"]}}}


def test_an_input_transformer_builds_the_input_from_the_event(app, stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)

    rule.add_target(make_function(stack), input=events.InputTransformer(
        '{"order": <id>, "rule": <aws.events.rule-arn>}', paths={"id": "$.detail.id"}))

    assert targets(resources(app), rule)[0]["InputTransformer"] == {
        "InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": '{"order": <id>, "rule": <aws.events.rule-arn>}'}


def test_an_input_template_naming_a_value_no_path_fills_is_refused_at_the_transformers_line(stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    transformer = events.InputTransformer('{"order": <id>, "total": <total>}', paths={"id": "$.detail.id"})

    with pytest.raises(ConstructError, match="uses <total>, which no path fills") as info:
        rule.add_target(make_function(stack), input=transformer)

    assert info.value.location == transformer.location


def test_input_path_sends_part_of_the_event_and_excludes_input(app, stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)
    fn = make_function(stack)
    rule.add_target(fn, input_path="$.detail")

    with pytest.raises(ConstructError, match="give input or input_path, not both"):
        rule.add_target(fn, input="{}", input_path="$.detail")
    assert targets(resources(app), rule)[0]["InputPath"] == "$.detail"


def test_a_kinesis_stream_target_is_fed_through_the_role_with_a_partition_key(app, stack):
    stream = kinesis.Stream(stack, "Clicks")
    rule = events.Rule(stack, "Clicked", event_pattern=PATTERN)

    rule.add_target(stream, partition_key_path="$.detail.user")

    template = resources(app)
    target = targets(template, rule)[0]
    assert target["KinesisParameters"] == {"PartitionKeyPath": "$.detail.user"}
    [statement] = template[rule.events_role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Resource"] == {"Fn::GetAtt": [stream.resource.logical_id, "Arn"]}
    assert "kinesis:PutRecords" in statement["Action"]


def test_a_partition_key_path_for_another_target_is_refused(stack):
    rule = events.Rule(stack, "Placed", event_pattern=PATTERN)

    with pytest.raises(ConstructError, match="partition_key_path is for Kinesis stream targets only"):
        rule.add_target(make_function(stack), partition_key_path="$.id")


def test_a_codebuild_project_target_is_started_through_the_role(app, stack):
    project = codebuild.Project(stack, "Build", build_spec=BUILD_SPEC)
    rule = events.Rule(stack, "Nightly", schedule="rate(1 day)")

    rule.add_target(project)

    template = resources(app)
    assert template[rule.events_role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "codebuild:StartBuild",
         "Resource": {"Fn::GetAtt": [project.resource.logical_id, "Arn"]}}]


CENTRAL = "arn:aws:events:us-east-1:210987654321:event-bus/central"


def test_a_bus_made_elsewhere_is_a_target_and_a_rules_bus_by_its_arn(app, stack):
    central = events.EventBus.from_event_bus_arn(stack, "Central", CENTRAL)
    forward = events.Rule(stack, "Forward", event_pattern=PATTERN)
    forward.add_target(central)
    on_central = events.Rule(stack, "OnCentral", event_pattern=PATTERN, event_bus=central)

    template = resources(app)

    assert "AWS::Events::EventBus" not in {r["Type"] for r in template.values()}
    assert template[forward.events_role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "events:PutEvents", "Resource": CENTRAL}]
    assert template[on_central.resource.logical_id]["Properties"]["EventBusName"] == "central"


def test_an_arn_that_is_not_a_buss_is_refused(stack):
    with pytest.raises(ConstructError, match="is not an event bus ARN"):
        events.EventBus.from_event_bus_arn(stack, "Central", "arn:aws:sqs:us-east-1:123456789012:q")
