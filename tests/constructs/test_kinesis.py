"""kinesis.Stream: on-demand by default or provisioned, encrypted (AWS managed key or a kms.Key), retained, with
grants that name the stream (and its key) and actions that act on a stream, and limits from the schema."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Duration, Size, Stack
from iac.constructs import iam, kinesis, kms
from iac.specs import iam_action_resource_types, iam_actions, is_stateful, property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

STREAM = "AWS::Kinesis::Stream"
READ = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator",
        "kinesis:ListShards"]
WRITE = ["kinesis:ListShards", "kinesis:PutRecord", "kinesis:PutRecords"]


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def make_role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Consumer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    return resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def test_a_stream_is_on_demand_encrypted_with_the_aws_managed_key_and_retained(app, stack):
    stream = kinesis.Stream(stack, "Events")

    assert stream.resource.logical_id == "EventsD32975C2"
    assert resources(app) == {"EventsD32975C2": {
        "Type": STREAM,
        "Properties": {"StreamModeDetails": {"StreamMode": "ON_DEMAND"},
                       "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"}},
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }}
    assert is_stateful(STREAM)  # why it is retained


def test_a_shard_count_makes_a_provisioned_stream_and_the_options_are_written(app, stack):
    key = kms.Key(stack, "Key")

    stream = kinesis.Stream(stack, "Orders", stream_name="orders", shard_count=2, retention_period=Duration.days(7),
                            encryption_key=key, shard_level_metrics=["IncomingBytes", "IteratorAgeMilliseconds"],
                            max_record_size=Size.mebibytes(2), removal_policy="destroy")

    assert resources(app)[stream.resource.logical_id] == {
        "Type": STREAM,
        "Properties": {"Name": "orders", "StreamModeDetails": {"StreamMode": "PROVISIONED"}, "ShardCount": 2,
                       "RetentionPeriodHours": 168,
                       "StreamEncryption": {"EncryptionType": "KMS",
                                            "KeyId": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}},
                       "DesiredShardLevelMetrics": ["IncomingBytes", "IteratorAgeMilliseconds"],
                       "MaxRecordSizeInKiB": 2048},
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
    }


def test_the_references_are_the_streams_arn_and_name(stack, resolve):
    stream = kinesis.Stream(stack, "Events")

    assert resolve(stream.stream_arn) == {"Fn::GetAtt": ["EventsD32975C2", "Arn"]}
    assert resolve(stream.stream_name) == {"Ref": "EventsD32975C2"}


@pytest.mark.parametrize(("grant", "actions"), [("grant_read", READ), ("grant_write", WRITE),
                                                 ("grant_read_write", sorted(set(READ + WRITE)))])
def test_grants_name_the_stream_only(app, stack, grant, actions):
    stream = kinesis.Stream(stack, "Events")
    role = make_role(stack)

    getattr(stream, grant)(role)

    assert statements(app, role) == [
        {"Effect": "Allow", "Action": actions, "Resource": {"Fn::GetAtt": ["EventsD32975C2", "Arn"]}}]


@pytest.mark.parametrize(("grant", "key_actions"), [
    ("grant_read", "kms:Decrypt"), ("grant_write", "kms:GenerateDataKey"),
    ("grant_read_write", ["kms:Decrypt", "kms:GenerateDataKey"])])
def test_with_a_customer_key_grants_include_the_key(app, stack, grant, key_actions):
    key = kms.Key(stack, "Key")
    stream = kinesis.Stream(stack, "Events", encryption_key=key)
    role = make_role(stack)

    getattr(stream, grant)(role)

    assert {"Effect": "Allow", "Action": key_actions,
            "Resource": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}} in statements(app, role)
    assert len(statements(app, role)) == 2


def test_every_granted_action_exists_and_acts_on_a_stream():
    for action in kinesis.READ_ACTIONS + kinesis.WRITE_ACTIONS:
        assert action.split(":")[1].lower() in iam_actions("kinesis"), action
        assert iam_action_resource_types(action) == ("stream",), action


def test_the_retention_period_is_bound_to_the_schema(stack):
    low, high = property_range(STREAM, "RetentionPeriodHours")

    with pytest.raises(ConstructError, match=rf"retention_period: {int(high) + 1} is greater than the maximum of "
                                             rf"{int(high)} \(AWS::Kinesis::Stream RetentionPeriodHours"):
        kinesis.Stream(stack, "Events", retention_period=Duration.hours(int(high) + 1))


def test_a_retention_period_of_part_of_an_hour_is_refused(stack):
    with pytest.raises(ConstructError, match="retention_period: .*not a whole number of hours"):
        kinesis.Stream(stack, "Events", retention_period=Duration.minutes(90))


def test_the_shard_count_is_bound_to_the_schema(stack):
    with pytest.raises(ConstructError, match=r"shard_count: 0 is less than the minimum of 1"):
        kinesis.Stream(stack, "Events", shard_count=0)


def test_a_shard_level_metric_is_one_the_schema_names(stack):
    with pytest.raises(ConstructError, match=r"shard_level_metrics: 'IncomingByte' is not one of .*"
                                             r"\(did you mean 'IncomingBytes'\?\)"):
        kinesis.Stream(stack, "Events", shard_level_metrics=["IncomingByte"])


def test_a_stream_name_meets_the_schemas_pattern(stack):
    with pytest.raises(ConstructError, match=r"stream_name: 'my stream' does not match"):
        kinesis.Stream(stack, "Events", stream_name="my stream")


def test_a_misspelt_prop_gets_did_you_mean(stack):
    with pytest.raises(ConstructError, match="Stream 'Events' has no argument 'shards_count'") as caught:
        kinesis.Stream(stack, "Events", shards_count=2)

    assert caught.value.hint == "did you mean shard_count?"
    assert caught.value.location.file == __file__


def test_a_stream_made_elsewhere_takes_grants_by_its_arn(app, stack):
    arn = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"
    stream = kinesis.Stream.from_stream_arn(stack, "Clicks", arn)
    role = make_role(stack)

    stream.grant_read(role)

    assert stream.stream_name == "clicks"
    assert statements(app, role) == [{"Effect": "Allow", "Action": READ, "Resource": arn}]


def test_a_wrong_stream_arn_is_refused(stack):
    with pytest.raises(ConstructError, match="is not a Kinesis stream ARN"):
        kinesis.Stream.from_stream_arn(stack, "Clicks", "arn:aws:sqs:us-east-1:123456789012:clicks")


def test_the_iterator_age_metric_names_the_stream(stack, resolve):
    metric = kinesis.Stream(stack, "Events").metric_get_records_iterator_age()

    assert (metric.namespace, metric.metric_name, metric.statistic) == (
        "AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "Maximum")
    assert resolve(metric.dimensions) == {"StreamName": {"Ref": "EventsD32975C2"}}


def test_streams_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    key = kms.Key(stack, "Key")
    kinesis.Stream(stack, "OnDemand")
    provisioned = kinesis.Stream(stack, "Provisioned", shard_count=3, retention_period=Duration.days(2),
                                 encryption_key=key, shard_level_metrics=["ALL"])
    provisioned.grant_read_write(make_role(stack))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
