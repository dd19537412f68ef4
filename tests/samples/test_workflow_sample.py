"""The workflow sample: an API whose function starts a Step Functions workflow that calls Lambda and
DynamoDB, with retries and failure states; each role holds exactly what its part needs. (That it
synthesizes --strict through the real CLI is tests/samples/test_samples.py's, as for every sample.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iac.cli.app_loader import load_app
from iac.testing import Match, Template

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "workflow" / "app.py"


@pytest.fixture(scope="module")
def stack() -> Any:
    return load_app(str(SAMPLE)).find_child("Workflow")


@pytest.fixture(scope="module")
def template(stack: Any) -> Template:
    return Template.from_stack(stack)


def getatt(construct: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [construct.resource.logical_id, "Arn"]}


def machine_properties(template: Template) -> dict[str, Any]:
    (machine,) = template.find_resources("AWS::StepFunctions::StateMachine").values()
    return machine["Properties"]


def test_the_workflow_validates_records_and_ends_in_succeed_or_fail(template: Template) -> None:
    definition = json.loads(machine_properties(template)["DefinitionString"])

    assert definition["StartAt"] == "Validate order"
    assert {name: state["Type"] for name, state in definition["States"].items()} == {
        "Validate order": "Task", "Valid?": "Choice", "Record order": "Task", "Accepted": "Succeed",
        "Rejected": "Fail", "Failed": "Fail"}
    validate, record = definition["States"]["Validate order"], definition["States"]["Record order"]
    assert [retry["ErrorEquals"] for retry in validate["Retry"]][1:] == [["States.Timeout"]]
    assert record["Retry"][0]["ErrorEquals"] == ["DynamoDB.ProvisionedThroughputExceededException"]
    assert validate["Catch"] == record["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                                     "Next": "Failed"}]
    assert definition["TimeoutSeconds"] == 300


def test_the_workflow_role_invokes_the_function_and_puts_items_only(stack: Any, template: Template) -> None:
    validate = stack.find_child("Validate")
    orders = stack.find_child("Orders")
    machine = stack.find_child("OrderWorkflow")
    policy = template.find_resources("AWS::IAM::Policy")[machine.role.default_policy.logical_id]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]

    assert [statement for statement in statements if statement["Resource"] != "*"] == [
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": getatt(orders)},
        {"Effect": "Allow", "Action": "lambda:InvokeFunction",
         "Resource": [getatt(validate),
                      {"Fn::Join": ["", [getatt(validate), ":*"]]}]},
    ]


def test_the_api_function_may_start_this_workflow_only(stack: Any, template: Template) -> None:
    machine = stack.find_child("OrderWorkflow")
    start = stack.find_child("StartOrder")
    policy = template.find_resources("AWS::IAM::Policy")[start.grant_principal.default_policy.logical_id]

    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": {"Ref": machine.resource.logical_id}}]
    template.has_resource_properties("AWS::Lambda::Function", {
        "Handler": "start.handler",
        "Environment": {"Variables": {"STATE_MACHINE_ARN": {"Ref": machine.resource.logical_id}}}})
    template.has_resource_properties("AWS::ApiGateway::Method", {
        "HttpMethod": "POST", "Integration": Match.object_like({"Type": "AWS_PROXY"})})


def test_the_workflow_logs_errors_to_its_log_group(stack: Any, template: Template) -> None:
    group = stack.find_child("WorkflowLogs")

    assert machine_properties(template)["LoggingConfiguration"] == {
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": getatt(group)}}],
        "IncludeExecutionData": False, "Level": "ERROR"}
