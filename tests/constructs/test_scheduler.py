"""scheduler: Schedule output (expression, time zone, flexible window, retries, dead letters), its role
(trusted by Scheduler for this account only, granted its target only), and the errors for inputs
Scheduler would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import awslambda, codebuild, events, firehose, iam, kinesis, s3, scheduler, sns, sqs
from iac.constructs import stepfunctions as sfn
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

TRUST = [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
          "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}]


def make_function(stack: Stack, id: str = "Handler") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({})"))


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def arn(construct: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [construct.resource.logical_id, "Arn"]}


def statements(template: dict[str, Any], schedule: scheduler.Schedule) -> list[dict[str, Any]]:
    return template[schedule.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def test_a_cron_job_in_a_time_zone_invokes_a_function_through_its_own_role(app, stack):
    fn = make_function(stack)

    job = scheduler.Schedule(stack, "Nightly", schedule="cron(0 3 * * ? *)", timezone="Europe/Paris", target=fn,
                             input='{"report": "daily"}', description="daily report")

    template = resources(app)
    assert template[job.resource.logical_id] == {
        "Type": "AWS::Scheduler::Schedule",
        "Properties": {
            "Description": "daily report", "ScheduleExpression": "cron(0 3 * * ? *)",
            "ScheduleExpressionTimezone": "Europe/Paris", "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED",
            "Target": {"Arn": arn(fn), "RoleArn": arn(job.role), "Input": '{"report": "daily"}'},
        },
        "DependsOn": [job.role.default_policy.logical_id],
    }
    assert template[job.role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == TRUST
    assert statements(template, job) == [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                          "Resource": [arn(fn), {"Fn::Join": ["", [arn(fn), ":*"]]}]}]


def test_a_flexible_window_retries_and_a_dead_letter_queue(app, stack):
    dead = sqs.Queue(stack, "Missed")

    job = scheduler.Schedule(stack, "Sync", schedule="rate(1 hour)", target=make_function(stack),
                             flexible_time_window=Duration.minutes(15), retry_attempts=2,
                             max_event_age=Duration.hours(1), dead_letter_queue=dead)

    template = resources(app)
    properties = template[job.resource.logical_id]["Properties"]
    assert properties["FlexibleTimeWindow"] == {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}
    assert properties["Target"]["RetryPolicy"] == {"MaximumRetryAttempts": 2, "MaximumEventAgeInSeconds": 3600}
    assert properties["Target"]["DeadLetterConfig"] == {"Arn": arn(dead)}
    assert {"Effect": "Allow", "Action": ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
            "Resource": arn(dead)} in statements(template, job)


def test_a_queue_target_gets_the_send_grant_and_a_fifo_queue_needs_a_message_group(app, stack):
    queue = sqs.Queue(stack, "Jobs", fifo=True)

    with pytest.raises(ConstructError, match="needs a message_group_id"):
        scheduler.Schedule(stack, "Tick", schedule="rate(5 minutes)", target=queue)
    job = scheduler.Schedule(stack, "Tock", schedule="rate(5 minutes)", target=queue, message_group_id="ticks")

    template = resources(app)
    assert template[job.resource.logical_id]["Properties"]["Target"]["SqsParameters"] == {"MessageGroupId": "ticks"}
    assert statements(template, job)[0]["Resource"] == arn(queue)


def test_a_state_machine_target_may_be_started_and_nothing_more(app, stack):
    machine = sfn.StateMachine(stack, "Flow", definition=sfn.Pass("Start").next(sfn.Succeed("Done")))

    job = scheduler.Schedule(stack, "Kick", schedule="at(2030-01-31T09:00:00)", target=machine)

    assert statements(resources(app), job) == [{"Effect": "Allow", "Action": "states:StartExecution",
                                                "Resource": {"Ref": machine.resource.logical_id}}]


def test_a_topic_and_a_bus_are_reached_through_the_role(app, stack):
    topic = sns.Topic(stack, "Ticks")  # the AWS managed key is fine: Scheduler publishes as the role
    bus = events.EventBus(stack, "Bus")

    to_topic = scheduler.Schedule(stack, "ToTopic", schedule="rate(1 day)", target=topic)
    to_bus = scheduler.Schedule(stack, "ToBus", schedule="rate(1 day)", target=bus)

    template = resources(app)
    assert statements(template, to_topic) == [{"Effect": "Allow", "Action": "sns:Publish",
                                               "Resource": {"Ref": topic.resource.logical_id}}]
    assert statements(template, to_bus) == [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": arn(bus)}]


def test_a_stream_a_delivery_stream_and_a_build_are_reached_through_the_role(app, stack):
    clicks = kinesis.Stream(stack, "Clicks")
    lake = firehose.DeliveryStream(stack, "ToLake", bucket=s3.Bucket(stack, "Lake", versioned=True))
    build = codebuild.Project(stack, "Build", build_spec={"phases": {"build": {"commands": ["make"]}}})

    to_stream = scheduler.Schedule(stack, "ToStream", schedule="rate(1 hour)", target=clicks, partition_key="tick")
    to_lake = scheduler.Schedule(stack, "ToLake2", schedule="rate(1 hour)", target=lake)
    to_build = scheduler.Schedule(stack, "ToBuild", schedule="cron(0 4 * * ? *)", target=build)

    template = resources(app)
    assert template[to_stream.resource.logical_id]["Properties"]["Target"]["KinesisParameters"] == {
        "PartitionKey": "tick"}
    assert statements(template, to_stream)[0]["Resource"] == arn(clicks)
    assert sorted(statements(template, to_lake)[0]["Action"]) == ["firehose:PutRecord", "firehose:PutRecordBatch"]
    assert statements(template, to_build) == [{"Effect": "Allow", "Action": "codebuild:StartBuild",
                                               "Resource": arn(build)}]


def test_a_kinesis_target_needs_a_partition_key_and_only_it_takes_one(stack):
    with pytest.raises(ConstructError, match="needs a partition_key"):
        scheduler.Schedule(stack, "A", schedule="rate(1 hour)", target=kinesis.Stream(stack, "Clicks"))
    with pytest.raises(ConstructError, match="partition_key is for Kinesis stream targets only"):
        scheduler.Schedule(stack, "B", schedule="rate(1 hour)", target=make_function(stack), partition_key="k")


@pytest.mark.parametrize(("options", "message"), [
    ({"schedule": "rate(1 days)"}, "is not a Scheduler expression"),
    ({"schedule": "every day"}, "is not a Scheduler expression"),
    ({"timezone": "Europe/Pariss"}, "did you mean 'Europe/Paris'"),
    ({"flexible_time_window": Duration.days(2)}, "flexible_time_window must be between 1 and 1440"),
    ({"retry_attempts": 500}, "retry_attempts must be between 0 and 185"),
    ({"message_group_id": "g"}, "message_group_id is for FIFO queue targets only"),
    ({"schedule": "at(2030-02-30T09:00:00)"}, "names no real time"),
    ({"start_date": "tomorrow"}, "is not an ISO 8601 date-time"),
    ({"start_date": "2030-01-02T00:00:00Z", "end_date": "2030-01-01T00:00:00Z"}, "is not before end_date"),
])
def test_inputs_scheduler_would_refuse_are_refused_at_the_users_line(stack, options, message):
    arguments = {"schedule": "rate(1 day)", "target": make_function(stack), **options}

    with pytest.raises(ConstructError, match=message) as info:
        scheduler.Schedule(stack, "Job", **arguments)

    assert info.value.location.file == __file__


def test_a_target_given_by_arn_leaves_its_grant_to_the_user(app, stack):
    job = scheduler.Schedule(stack, "Job", schedule="rate(1 day)", target="arn:aws:sqs:us-east-1:123456789012:q")
    job.role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"],
                                               resources=["arn:aws:sqs:us-east-1:123456789012:q"]))

    assert resources(app)[job.resource.logical_id]["Properties"]["Target"]["Arn"] == \
        "arn:aws:sqs:us-east-1:123456789012:q"


def test_schedules_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    dead = sqs.Queue(stack, "Missed")
    scheduler.Schedule(stack, "Nightly", schedule="cron(0 3 * * ? *)", timezone="America/New_York",
                       target=make_function(stack), flexible_time_window=30, dead_letter_queue=dead,
                       retry_attempts=3, max_event_age=Duration.hours(2))
    scheduler.Schedule(stack, "Tick", schedule="rate(5 minutes)", target=sqs.Queue(stack, "Jobs"), enabled=False,
                       start_date="2030-01-01T00:00:00Z", end_date="2031-01-01T00:00:00Z",
                       group=scheduler.ScheduleGroup(stack, "Ticks"))
    scheduler.Schedule(stack, "Once", schedule="at(2030-01-31T09:00:00)",
                       target=sfn.StateMachine(stack, "Flow", definition=sfn.Succeed("Done")))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_a_schedule_in_a_group(app, stack):
    group = scheduler.ScheduleGroup(stack, "Reports")

    job = scheduler.Schedule(stack, "Job", schedule="rate(1 day)", target=make_function(stack), group=group)
    named = scheduler.Schedule(stack, "Named", schedule="rate(1 day)", target=make_function(stack, "Other"),
                               group="nightly-jobs")

    template = resources(app)
    assert template[group.resource.logical_id] == {"Type": "AWS::Scheduler::ScheduleGroup"}
    assert template[job.resource.logical_id]["Properties"]["GroupName"] == {"Ref": group.resource.logical_id}
    assert template[named.resource.logical_id]["Properties"]["GroupName"] == "nightly-jobs"


def test_a_group_name_the_schema_refuses_is_refused(stack):
    with pytest.raises(ConstructError, match="is not a schedule group name"):
        scheduler.Schedule(stack, "Job", schedule="rate(1 day)", target=make_function(stack), group="night jobs!")
