"""What the samples' templates hold, checked with iac.testing the way a user tests their own app.

Each sample runs in process (as `iac synth` runs it, so nothing is written) and each stack is
synthesized in memory with `Template.from_stack`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iac.cli.app_loader import load_app
from iac.constructs.awslambda import DEFAULT_NODEJS_RUNTIME
from iac.testing import Match, Template

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def sample(name: str) -> Any:
    return load_app(str(SAMPLES / name / "app.py"))


# -- hello: the core, a cross-stack reference -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hello() -> Any:
    return sample("hello")


@pytest.fixture(scope="module")
def network(hello: Any) -> Template:
    return Template.from_stack(hello.find_child("Network"))


@pytest.fixture(scope="module")
def service(hello: Any) -> Template:
    return Template.from_stack(hello.find_child("Service"))


def test_hello_network_has_a_queue_and_a_topic_named_after_it(hello: Any, network: Template) -> None:
    network.resource_count_is("AWS::SQS::Queue", 1)
    network.has_resource_properties("AWS::SQS::Queue", Match.object_equals({"VisibilityTimeout": 60}))
    queue = hello.find_child("Network").find_child("Queue")
    network.has_resource_properties("AWS::SNS::Topic", {
        "DisplayName": {"Fn::Join": ["", ["alerts-", {"Ref": "AWS::Region"}, "-", queue.get_att("QueueName")]]},
    })


def test_hello_network_outputs_the_queue_url_and_exports_what_service_uses(network: Template) -> None:
    network.has_output("QueueUrl", {"Value": {"Ref": "Queue"}, "Export": Match.absent()})
    network.has_output("ExportsOutputRefTopic", {"Export": {"Name": "Network:ExportsOutputRefTopic"}})
    network.has_output("ExportsOutputFnGetAtt*", {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}})
    assert len(network.find_outputs("Exports*")) == 2


def test_hello_service_subscribes_through_imports(hello: Any, service: Template) -> None:
    network = hello.find_child("Network")
    service.resource_count_is("AWS::SNS::Subscription", 1)
    service.has_resource_properties("AWS::SNS::Subscription", {
        "Protocol": "sqs",
        "TopicArn": network.find_child("Topic").ref,  # written as this stack sees it: an import
        "Endpoint": {"Fn::ImportValue": Match.string_like_regexp(r"^Network:.*QueueArn$")},
    })
    service.resource_count_is("AWS::SQS::Queue", 0)


# -- serverless_api: the seed's SAM app ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def serverless() -> Any:
    return sample("serverless_api").find_child("ServerlessApi")


@pytest.fixture(scope="module")
def api(serverless: Any) -> Template:
    return Template.from_stack(serverless)


def test_serverless_holds_what_sam_makes(api: Template) -> None:
    # and beyond SAM: the stage's access logs and the account's CloudWatch role for them (docs/apis.md)
    for resource_type, count in [("AWS::Lambda::Function", 1), ("AWS::IAM::Role", 2), ("AWS::IAM::Policy", 1),
                                 ("AWS::Logs::LogGroup", 1), ("AWS::ApiGateway::Account", 1),
                                 ("AWS::DynamoDB::Table", 1), ("AWS::ApiGateway::RestApi", 1),
                                 ("AWS::ApiGateway::Resource", 2), ("AWS::ApiGateway::Method", 1),
                                 ("AWS::ApiGateway::Deployment", 1), ("AWS::ApiGateway::Stage", 1),
                                 ("AWS::Lambda::Permission", 1)]:
        api.resource_count_is(resource_type, count)


def test_serverless_function_gets_its_code_from_the_asset_and_the_table_name(serverless: Any, api: Template) -> None:
    api.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": DEFAULT_NODEJS_RUNTIME,
        "Handler": "index.get",
        "Code": {"S3Bucket": {"Fn::Sub": Match.string_like_regexp("^iac-assets-")},
                 "S3Key": Match.string_like_regexp(r"^[0-9a-f]{64}\.zip$")},
        "Environment": {"Variables": {"TABLE_NAME": serverless.find_child("MyTable").table_name}},
    })


def test_serverless_role_is_for_lambda_with_basic_execution_only(api: Template) -> None:
    api.has_resource_properties("AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [{"Fn::Sub": Match.string_like_regexp("service-role/AWSLambdaBasicExecutionRole$")}],
    })


def test_serverless_policy_reads_the_table_and_writes_nothing(serverless: Any, api: Template) -> None:
    table_arn = serverless.find_child("MyTable").table_arn
    api.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [{
        "Effect": "Allow",
        "Action": Match.array_with(["dynamodb:GetItem", "dynamodb:Query"]),
        "Resource": table_arn,
    }]}})
    api.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": [{
        "Action": Match.not_(Match.array_with(["dynamodb:PutItem"])),
    }]}})


def test_serverless_table_is_retained_and_billed_per_request(api: Template) -> None:
    api.has_resource("AWS::DynamoDB::Table", {
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {"BillingMode": "PAY_PER_REQUEST",
                       "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]},
    })


def test_serverless_route_is_a_lambda_proxy_get_with_a_path_parameter(api: Template) -> None:
    api.has_resource_properties("AWS::ApiGateway::Resource", {"PathPart": "{resourceId}"})
    api.has_resource_properties("AWS::ApiGateway::Method", {
        "HttpMethod": "GET",
        "AuthorizationType": "NONE",
        "RequestParameters": {"method.request.path.resourceId": True},
        "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST"},
    })


def test_serverless_invoke_permission_is_scoped_to_the_route(api: Template) -> None:
    api.has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
        "SourceArn": {"Fn::Sub": Match.string_like_regexp(r"/\*/GET/resource/\*$")},
    })


def test_serverless_stage_serves_the_deployment_and_its_url_is_an_output(api: Template) -> None:
    deployment = next(iter(api.find_resources("AWS::ApiGateway::Deployment")))
    api.has_resource_properties("AWS::ApiGateway::Stage", {"StageName": "prod", "DeploymentId": {"Ref": deployment}})
    api.has_output("ApiEndpoint", {"Value": {"Fn::Sub": Match.string_like_regexp(r"^https://.*/\$\{ApiStage")}})
