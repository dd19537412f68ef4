"""The order pipeline sample: S3 upload -> SNS -> SQS -> Lambda -> DynamoDB, with a dead-letter queue and
alarms; the bucket is named at synth so that the topic may let S3 publish for this bucket only, without a
cycle; the function holds exactly what its part needs. (That it synthesizes --strict through the real CLI
is tests/samples/test_samples.py's, as for every sample.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iac.cli.app_loader import load_app
from iac.testing import Template

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "order_pipeline" / "app.py"
STACK_UUID = {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}


@pytest.fixture(scope="module")
def stack() -> Any:
    return load_app(str(SAMPLE)).find_child("OrderPipeline")


@pytest.fixture(scope="module")
def template(stack: Any) -> Template:
    return Template.from_stack(stack)


def getatt(construct: Any, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [construct.resource.logical_id, attribute]}


def resource(template: Template, construct: Any) -> dict[str, Any]:
    resources: dict[str, Any] = template.template["Resources"]
    return resources[construct.resource.logical_id]


def test_an_uploaded_order_notifies_the_topic_and_the_bucket_waits_for_the_topic_policy(stack: Any,
                                                                                          template: Template) -> None:
    uploads, topic = stack.find_child("Uploads"), stack.find_child("OrderUploaded")
    bucket = resource(template, uploads)

    assert bucket["Properties"]["NotificationConfiguration"] == {"TopicConfigurations": [{
        "Event": "s3:ObjectCreated:*", "Topic": {"Ref": topic.resource.logical_id},
        "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "orders/"}, {"Name": "suffix", "Value": ".json"}]}},
    }]}
    assert bucket["DependsOn"] == [topic.policy.logical_id]
    name = bucket["Properties"]["BucketName"]["Fn::Join"][1]
    assert name[0].startswith("uploads-") and name[1] == STACK_UUID


def test_s3_may_publish_to_the_topic_and_use_its_key_for_this_bucket_only(stack: Any, template: Template) -> None:
    uploads, topic, key = stack.find_child("Uploads"), stack.find_child("OrderUploaded"), stack.find_child("TopicKey")
    prefix = resource(template, uploads)["Properties"]["BucketName"]["Fn::Join"][1][0]
    scoped = {"ArnEquals": {"aws:SourceArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", prefix,
                                                                  STACK_UUID]]}},
              "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    topic_policy = template.template["Resources"][topic.policy.logical_id]["Properties"]["PolicyDocument"]

    assert {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": {"Ref": topic.resource.logical_id}, "Condition": scoped} in topic_policy["Statement"]
    assert {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*", "Condition": scoped} in \
        resource(template, key)["Properties"]["KeyPolicy"]["Statement"]


def test_the_topic_delivers_raw_to_the_queue_whose_failures_go_to_the_dead_letter_queue(stack: Any,
                                                                                        template: Template) -> None:
    orders, failed = stack.find_child("Orders"), stack.find_child("FailedOrders")
    topic = stack.find_child("OrderUploaded")

    template.has_resource_properties("AWS::SNS::Subscription", {
        "TopicArn": {"Ref": topic.resource.logical_id}, "Protocol": "sqs", "Endpoint": getatt(orders),
        "RawMessageDelivery": True})
    assert resource(template, orders)["Properties"]["RedrivePolicy"] == {
        "deadLetterTargetArn": getatt(failed), "maxReceiveCount": 5}


def test_the_function_reads_orders_consumes_the_queue_and_writes_the_table_only(stack: Any,
                                                                                template: Template) -> None:
    record = stack.find_child("RecordOrder")
    uploads, orders, table = stack.find_child("Uploads"), stack.find_child("Orders"), stack.find_child("OrderTable")
    policy = template.template["Resources"][record.grant_principal.default_policy.logical_id]
    resources = [statement["Resource"] for statement in policy["Properties"]["PolicyDocument"]["Statement"]]

    assert resources == [getatt(table), [getatt(uploads), {"Fn::Join": ["", [getatt(uploads), "/orders/*"]]}],
                         getatt(orders)]
    template.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "EventSourceArn": getatt(orders), "FunctionResponseTypes": ["ReportBatchItemFailures"]})


def test_an_alarm_goes_off_when_an_order_reaches_the_dead_letter_queue(stack: Any, template: Template) -> None:
    failed = stack.find_child("FailedOrders")

    assert resource(template, stack.find_child("OrdersFailing"))["Properties"] == {
        "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": getatt(failed, "QueueName")}], "Statistic": "Maximum",
        "Period": 300, "Threshold": 1, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmDescription": "an order failed five times and is in the dead-letter queue"}
