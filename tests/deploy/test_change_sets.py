"""Change sets: capabilities read from the template, parameter values, which stacks are refused, and
waiting for CloudFormation's answer (recorded DescribeChangeSet responses through botocore's Stubber:
moto never fails a change set for a reason of its own)."""

from __future__ import annotations

from typing import Any

import pytest
from local_aws import REGION

from iac.deploy import change_sets as cs
from iac.deploy.polling import Poller
from iac.errors import DeployError

STACK_ID = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Network/1f2e3d4c-0000-1111-2222-333344445555"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:123456789012:changeSet/iac-deploy-1/aaaa-bbbb"
NO_WAIT = Poller(interval=0, max_interval=0)


def _template(**resources: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": resources}


def _stack(status: str, **extra: Any) -> cs.DeployedStack:
    return cs.DeployedStack(name="Network", stack_id=STACK_ID, status=status, **extra)


# -- capabilities ---------------------------------------------------------------------------------

def test_a_template_without_iam_needs_no_capability() -> None:
    assert cs.capabilities(_template(Queue={"Type": "AWS::SQS::Queue"})) == []


def test_an_iam_role_needs_capability_iam() -> None:
    assert cs.capabilities(_template(Role={"Type": "AWS::IAM::Role", "Properties": {}})) == ["CAPABILITY_IAM"]


def test_a_named_iam_role_needs_capability_named_iam() -> None:
    template = _template(Role={"Type": "AWS::IAM::Role", "Properties": {"RoleName": "deployer"}})
    assert cs.capabilities(template) == ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]


def test_an_inline_policy_name_is_not_a_named_iam_resource() -> None:
    template = _template(Policy={"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "read"}})
    assert cs.capabilities(template) == ["CAPABILITY_IAM"]


def test_a_transform_needs_auto_expand() -> None:
    template = {"Transform": "AWS::Serverless-2016-10-31", **_template(Fn={"Type": "AWS::Serverless::Function"})}
    assert "CAPABILITY_AUTO_EXPAND" in cs.capabilities(template)


def test_an_fn_transform_inside_a_resource_needs_auto_expand() -> None:
    template = _template(Queue={"Type": "AWS::SQS::Queue", "Properties": {
        "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://b/k"}}}})
    assert "CAPABILITY_AUTO_EXPAND" in cs.capabilities(template)


def test_the_serverless_sample_needs_capability_iam(assembly_of: Any) -> None:
    from iac import App, Stack
    from iac.constructs import awslambda

    app = App()
    stack = Stack(app, "Api")
    awslambda.Function(stack, "Fn", handler="index.get", runtime="nodejs22.x",
                       code=awslambda.Code.from_inline("exports.get = async () => ({});"))
    assert cs.capabilities(assembly_of(app).template("Api")) == ["CAPABILITY_IAM"]


# -- parameters -----------------------------------------------------------------------------------

def test_given_parameters_are_passed_and_others_keep_their_deployed_value() -> None:
    template = {"Parameters": {"Env": {"Type": "String"}, "Size": {"Type": "Number", "Default": 1},
                               "New": {"Type": "String", "Default": "x"}}}
    deployed = _stack("UPDATE_COMPLETE", parameters={"Env": "dev", "Size": "3"})
    assert cs.stack_parameters(template, {"Env": "prod"}, deployed) == [
        {"ParameterKey": "Env", "ParameterValue": "prod"},
        {"ParameterKey": "Size", "UsePreviousValue": True},
    ]


def test_a_new_stack_gets_only_the_given_parameters() -> None:
    template = {"Parameters": {"Env": {"Type": "String", "Default": "dev"}}}
    assert cs.stack_parameters(template, {}, None) == []


# -- stacks that cannot be changed ---------------------------------------------------------------

@pytest.mark.parametrize("status", ["UPDATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS",
                                    "DELETE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"])
def test_a_stack_cloudformation_is_working_on_is_refused(status: str) -> None:
    with pytest.raises(DeployError, match=f"Network is {status}: CloudFormation is still working on it") as caught:
        cs.check_deployable(_stack(status))
    assert "describe-stack-events --stack-name Network" in (caught.value.hint or "")


def test_a_stack_whose_rollback_failed_is_refused_with_the_way_out() -> None:
    with pytest.raises(DeployError, match="UPDATE_ROLLBACK_FAILED") as caught:
        cs.check_deployable(_stack("UPDATE_ROLLBACK_FAILED"))
    assert "continue-update-rollback --stack-name Network" in (caught.value.hint or "")


def test_a_stack_whose_creation_rolled_back_must_be_deleted_first() -> None:
    with pytest.raises(DeployError) as caught:
        cs.check_deployable(_stack("ROLLBACK_COMPLETE"))
    assert "iac destroy Network" in (caught.value.hint or "")


@pytest.mark.parametrize("status", ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE",
                                    "REVIEW_IN_PROGRESS"])
def test_settled_stacks_and_unexecuted_new_ones_can_be_deployed(status: str) -> None:
    cs.check_deployable(_stack(status))
    cs.check_deployable(None)


# -- waiting for the change set -------------------------------------------------------------------

def _described(status: str, *, reason: str | None = None, changes: list[dict[str, Any]] | None = None,
               next_token: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "ChangeSetName": "iac-deploy-1", "ChangeSetId": CHANGE_SET_ID, "StackId": STACK_ID, "StackName": "Network",
        "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE", "Status": status,
        "Changes": changes or [],
    }
    if reason:
        response["StatusReason"] = reason
    if next_token:
        response["NextToken"] = next_token
    return response


def _change(logical_id: str, action: str = "Modify") -> dict[str, Any]:
    return {"Type": "Resource", "ResourceChange": {"Action": action, "LogicalResourceId": logical_id,
                                                   "ResourceType": "AWS::SQS::Queue"}}


def _wait(client: Any) -> cs.ChangeSet:
    return cs.wait_for_change_set(client, stack_name="Network", change_set_id=CHANGE_SET_ID,
                                  change_set_type=cs.UPDATE, poller=NO_WAIT)


def test_waiting_polls_until_the_change_set_is_made_and_reads_every_page(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_response("describe_change_set", _described("CREATE_PENDING"))
    stubber.add_response("describe_change_set", _described("CREATE_IN_PROGRESS"))
    stubber.add_response("describe_change_set", _described("CREATE_COMPLETE", changes=[_change("A")], next_token="2"))
    stubber.add_response("describe_change_set", _described("CREATE_COMPLETE", changes=[_change("B")]))
    change_set = _wait(client)
    stubber.assert_no_pending_responses()
    assert [c["ResourceChange"]["LogicalResourceId"] for c in change_set.changes] == ["A", "B"]
    assert (change_set.status, change_set.type, change_set.stack_id) == ("CREATE_COMPLETE", "UPDATE", STACK_ID)
    assert not change_set.no_changes


def test_a_change_set_without_changes_is_no_changes_not_an_error(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_response("describe_change_set", _described(
        "FAILED", reason="The submitted information didn't contain changes. Submit different information to "
                         "create a change set."))
    assert _wait(client).no_changes


def test_a_failed_change_set_raises_with_cloudformations_reason(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    reason = "Template format error: Unresolved resource dependencies [Topic] in the Resources block of the template"
    stubber.add_response("describe_change_set", _described("FAILED", reason=reason))
    with pytest.raises(DeployError, match=r"could not create the change set for Network: Template format error: "
                                          r"Unresolved resource dependencies \[Topic\]"):
        _wait(client)


def test_a_change_set_refused_outright_shows_the_validation_message(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_client_error("create_change_set", service_error_code="ValidationError",
                             service_message="Requires capabilities : [CAPABILITY_NAMED_IAM]", http_status_code=400)
    with pytest.raises(DeployError, match=r"refused the change set for Network: Requires capabilities : "
                                          r"\[CAPABILITY_NAMED_IAM\]"):
        cs.create_change_set(client, stack_name="Network", change_set_type=cs.UPDATE, template={"TemplateBody": "{}"},
                             parameters=[], capabilities=[], tags={}, name="iac-deploy-1")


def test_change_set_names_are_valid_cloudformation_names() -> None:
    import re

    name = cs.new_change_set_name()
    assert re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", name)
    assert name != cs.new_change_set_name()


def test_a_stack_that_does_not_exist_is_none(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_client_error("describe_stacks", service_error_code="ValidationError",
                             service_message="Stack with id Network does not exist", http_status_code=400)
    assert cs.describe_stack(client, "Network") is None


def test_the_deployed_template_is_read_back_whether_json_or_yaml(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_response("get_template", {"TemplateBody": "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
                                                          "Outputs:\n  Arn:\n    Value: !GetAtt Q.Arn\n"})
    template = cs.deployed_template(client, _stack("UPDATE_COMPLETE"))
    assert template == {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}},
                        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Q", "Arn"]}}}}
    assert cs.deployed_template(client, _stack("REVIEW_IN_PROGRESS")) is None
