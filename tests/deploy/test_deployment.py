"""A deployment's calls and how each failure ends, with CloudFormation's answers recorded through
botocore's Stubber from its documented shapes: the states moto cannot produce (a stack stuck in
progress, a change set CloudFormation refuses, a rollback, expired credentials, Ctrl-C while a stack
is being changed). The successful round trip runs against the moto server in
tests/cli/test_deploy_commands.py.
"""

from __future__ import annotations

import _thread
import datetime
from collections.abc import Callable
from typing import Any

import pytest
from local_aws import ACCOUNT, REGION, caller_identity, stub_session

from iac import App, CfnResource, Stack
from iac.cli.deploy_output import interrupted_message
from iac.deploy.approval import approval_reason
from iac.deploy.deployment import DEPLOYED_STATE, FAILED, INTERRUPTED, PENDING, Deployment
from iac.deploy.events import StackEvent
from iac.deploy.polling import Poller
from iac.deploy.reporter import Review
from iac.errors import CredentialsError, DeployError
from iac.synth import CloudAssembly, synthesize
from iac.synth.diff import diff_templates

STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/Network/1f2e3d4c-0000-1111-2222-333344445555"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/iac-deploy-1/aaaa-bbbb"
T0 = datetime.datetime(2026, 1, 1, 12, 0, 0, tzinfo=datetime.UTC)
OLD_TEMPLATE = '{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}}}}'


class Recorder:
    """A Reporter that keeps everything and answers reviews with `answer(review)`."""

    def __init__(self, answer: Callable[[Review], str | None] = lambda review: None,
                 on_event: Callable[[StackEvent], None] = lambda event: None) -> None:
        self.notes: list[tuple[str, str]] = []
        self.events: list[tuple[str, str, str]] = []
        self.reviews: list[Review] = []
        self._answer = answer
        self._on_event = on_event

    def note(self, stack: str, text: str) -> None:
        self.notes.append((stack, text))

    def event(self, stack: str, event: StackEvent, done: int, total: int) -> None:
        self.events.append((stack, event.logical_id, event.status))
        self._on_event(event)

    def review(self, review: Review) -> str | None:
        self.reviews.append(review)
        return self._answer(review)


@pytest.fixture
def network() -> CloudAssembly:
    app = App(path_metadata=False)
    stack = Stack(app, "Network")
    CfnResource(stack, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimeout": 90})
    return synthesize(app)


@pytest.fixture
def clients(stubbed: Any) -> dict[str, Any]:
    cfn, cfn_stubber = stubbed("cloudformation")
    sts, sts_stubber = stubbed("sts")
    caller_identity(sts_stubber)
    return {"cloudformation": cfn, "sts": sts, "cfn_stubber": cfn_stubber, "sts_stubber": sts_stubber}


def _deploy(clients: dict[str, Any], assembly: CloudAssembly, reporter: Recorder | None = None,
            poller: Poller | None = None, **options: Any) -> tuple[list[Any], Recorder]:
    reporter = reporter or Recorder()
    deployment = Deployment(stub_session(clients), assembly, reporter=reporter,
                            poller=poller or Poller(interval=0, max_interval=0), **options)
    return deployment.run(assembly.stacks), reporter


def _stack(status: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": "Network", "StackId": STACK_ID, "StackStatus": status, "CreationTime": T0}]}


def _missing(stubber: Any) -> None:
    stubber.add_client_error("describe_stacks", service_error_code="ValidationError",
                             service_message="Stack with id Network does not exist", http_status_code=400)


def _change_set(status: str = "CREATE_COMPLETE", reason: str | None = None,
                changes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"ChangeSetName": "iac-deploy-1", "ChangeSetId": CHANGE_SET_ID, "StackId": STACK_ID,
                              "StackName": "Network", "Status": status, "Changes": changes or []}
    if reason:
        answer["StatusReason"] = reason
    return answer


def _event(number: int, logical_id: str, status: str, reason: str | None = None) -> dict[str, Any]:
    resource_type = "AWS::CloudFormation::Stack" if logical_id == "Network" else "AWS::SQS::Queue"
    data = {"StackId": STACK_ID, "EventId": f"event-{number}", "StackName": "Network",
            "LogicalResourceId": logical_id, "ResourceType": resource_type,
            "Timestamp": T0 + datetime.timedelta(seconds=number), "ResourceStatus": status}
    return {**data, "ResourceStatusReason": reason} if reason else data


def _events(*events: dict[str, Any]) -> dict[str, Any]:
    return {"StackEvents": list(reversed(events))}


QUEUE_MODIFY = {"Type": "Resource", "ResourceChange": {
    "Action": "Modify", "LogicalResourceId": "Queue", "ResourceType": "AWS::SQS::Queue", "Replacement": "False",
    "Scope": ["Properties"], "Details": [{"Target": {"Attribute": "Properties", "Name": "VisibilityTimeout",
                                                     "RequiresRecreation": "Never"},
                                          "Evaluation": "Static", "ChangeSource": "DirectModification"}]}}


def _up_to_execution(stubber: Any) -> None:
    """An existing stack: read it and its template, make the UPDATE change set, mark the events, execute."""
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"))
    stubber.add_response("get_template", {"TemplateBody": OLD_TEMPLATE})
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response("describe_change_set", _change_set(changes=[QUEUE_MODIFY]))
    stubber.add_response("describe_stack_events", _events(_event(1, "Network", "UPDATE_COMPLETE")))
    stubber.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID, "StackName": "Network"})


def test_a_stack_in_progress_is_refused_before_any_change_set(clients: dict[str, Any],
                                                                network: CloudAssembly) -> None:
    clients["cfn_stubber"].add_response("describe_stacks", _stack("UPDATE_IN_PROGRESS"))
    [result], _ = _deploy(clients, network)
    clients["cfn_stubber"].assert_no_pending_responses()  # and nothing after: no change set was asked for
    assert result.state == FAILED
    assert isinstance(result.error, DeployError)
    assert result.error.message == "stack Network is UPDATE_IN_PROGRESS: CloudFormation is still working on it"


def test_a_stack_whose_rollback_failed_is_refused(clients: dict[str, Any], network: CloudAssembly) -> None:
    clients["cfn_stubber"].add_response("describe_stacks", _stack("UPDATE_ROLLBACK_FAILED"))
    [result], _ = _deploy(clients, network)
    assert result.state == FAILED and "UPDATE_ROLLBACK_FAILED" in str(result.error)


def test_a_change_set_that_fails_to_create_fails_with_cloudformations_reason(clients: dict[str, Any],
                                                                             network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    _missing(stubber)
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response("describe_change_set", _change_set(
        "FAILED", reason="Parameters: [Env] must have values"))
    [result], _ = _deploy(clients, network)
    assert result.state == FAILED
    assert "could not create the change set for Network: Parameters: [Env] must have values" in str(result.error)


def test_a_failed_update_reports_the_rollback_and_the_failing_events(clients: dict[str, Any],
                                                                   network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    _up_to_execution(stubber)
    failing = _event(3, "Queue", "UPDATE_FAILED", "Resource handler returned message: \"Access denied for "
                                                  "sqs:SetQueueAttributes\"")
    stubber.add_response("describe_stacks", _stack("UPDATE_ROLLBACK_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", _events(
        _event(1, "Network", "UPDATE_COMPLETE"), _event(2, "Network", "UPDATE_IN_PROGRESS"), failing,
        _event(4, "Network", "UPDATE_ROLLBACK_IN_PROGRESS")))
    stubber.add_response("describe_stacks", _stack("UPDATE_ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(
        _event(4, "Network", "UPDATE_ROLLBACK_IN_PROGRESS"), _event(5, "Queue", "UPDATE_COMPLETE"),
        _event(6, "Network", "UPDATE_ROLLBACK_COMPLETE")))
    [result], reporter = _deploy(clients, network, require_approval="never")
    stubber.assert_no_pending_responses()
    assert result.state == FAILED and result.phase == "executing"
    assert [(e.logical_id, e.status) for e in result.failures] == [("Queue", "UPDATE_FAILED")]
    assert str(result.error).startswith("deployment of Network failed: the stack is UPDATE_ROLLBACK_COMPLETE; "
                                        "first failure: Queue (AWS::SQS::Queue) UPDATE_FAILED: Resource handler")
    assert ("Network", "Network", "UPDATE_ROLLBACK_COMPLETE") in reporter.events
    [review] = reporter.reviews  # the predicted diff, merged with CloudFormation's entry, was shown first
    assert [(c.logical_id, c.replacement) for c in review.diff.resources] == [("Queue", "False")]


def test_a_successful_update_ends_deployed_with_outputs(clients: dict[str, Any], network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    _up_to_execution(stubber)
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"))
    stubber.add_response("describe_stack_events", _events(
        _event(2, "Network", "UPDATE_IN_PROGRESS"), _event(3, "Queue", "UPDATE_COMPLETE"),
        _event(4, "Network", "UPDATE_COMPLETE")))
    final = _stack("UPDATE_COMPLETE")
    final["Stacks"][0]["Outputs"] = [{"OutputKey": "QueueUrl", "OutputValue": "https://sqs/q"}]
    stubber.add_response("describe_stacks", final)
    [result], reporter = _deploy(clients, network)
    stubber.assert_no_pending_responses()
    assert result.state == DEPLOYED_STATE and result.outputs == {"QueueUrl": "https://sqs/q"}
    assert [e for e in reporter.events if e[1] == "Queue"] == [("Network", "Queue", "UPDATE_COMPLETE")]


def test_no_execute_leaves_the_change_set(clients: dict[str, Any], network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"))
    stubber.add_response("get_template", {"TemplateBody": OLD_TEMPLATE})
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response("describe_change_set", _change_set(changes=[QUEUE_MODIFY]))
    [result], reporter = _deploy(clients, network, execute=False, require_approval="any-change")
    stubber.assert_no_pending_responses()  # no execute, no delete
    assert result.state == PENDING and result.change_set.name == "iac-deploy-1"
    assert reporter.reviews[0].approval is None  # nothing runs, so nothing to approve


def test_a_change_that_is_not_approved_deletes_the_change_set_and_the_empty_new_stack(
        clients: dict[str, Any], network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    _missing(stubber)
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response("describe_change_set", _change_set(changes=[
        {"Type": "Resource", "ResourceChange": {"Action": "Add", "LogicalResourceId": "Queue",
                                                "ResourceType": "AWS::SQS::Queue"}}]))
    stubber.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID, "StackName": "Network"})
    stubber.add_response("delete_stack", {}, {"StackName": STACK_ID})
    [result], reporter = _deploy(clients, network, require_approval="any-change",
                                 reporter=Recorder(answer=lambda review: "no terminal to ask on"))
    stubber.assert_no_pending_responses()
    assert result.state == FAILED and "Network was not deployed: no terminal to ask on" in str(result.error)
    assert reporter.reviews[0].approval == "resources change"


def test_expired_credentials_are_one_clear_error(stubbed: Any, network: CloudAssembly) -> None:
    cfn, _ = stubbed("cloudformation")
    sts, sts_stubber = stubbed("sts")
    sts_stubber.add_client_error("get_caller_identity", service_error_code="ExpiredToken", http_status_code=403,
                                 service_message="The security token included in the request is expired")
    with pytest.raises(CredentialsError, match=r"AWS rejected the credentials \(ExpiredToken\): The security "
                                               r"token included in the request is expired") as caught:
        Deployment(stub_session({"cloudformation": cfn, "sts": sts}), network, reporter=Recorder()) \
            .run(network.stacks)
    assert caught.value.exit_status == 2 and "aws sso login" in (caught.value.hint or "")


def test_ctrl_c_while_a_stack_changes_stops_waiting_and_says_how_to_follow_it(
        clients: dict[str, Any], network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    _up_to_execution(stubber)
    stubber.add_response("describe_stacks", _stack("UPDATE_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", _events(
        _event(1, "Network", "UPDATE_COMPLETE"), _event(2, "Network", "UPDATE_IN_PROGRESS")))

    def press_ctrl_c(event: StackEvent) -> None:
        if event.status == "UPDATE_IN_PROGRESS":
            _thread.interrupt_main()  # as SIGINT does: KeyboardInterrupt in the main thread

    poller = Poller(interval=5, max_interval=5)
    deployment = Deployment(stub_session(clients), network, reporter=Recorder(on_event=press_ctrl_c), poller=poller)
    [result] = deployment.run(network.stacks)
    assert deployment.interrupted and poller.cancel.is_set()
    assert (result.state, result.phase) == (INTERRUPTED, "executing")
    message = interrupted_message([result])
    assert "CloudFormation does not stop with it" in message
    assert f"aws cloudformation describe-stack-events --stack-name Network --region {REGION}" in message


def test_approval_levels() -> None:
    old = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}}
    new = {"Resources": {**old["Resources"], "Policy": {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "p", "Roles": [{"Ref": "Role"}], "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}}}}}
    widening = diff_templates(old, new, region=REGION)
    same = diff_templates(old, old, region=REGION)
    assert approval_reason(widening, "widening") == "access widens"
    assert approval_reason(widening, "never") is None
    assert approval_reason(same, "any-change") is None
    queue = {"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}
    assert approval_reason(diff_templates(None, queue, region=REGION), "widening") is None
    assert approval_reason(diff_templates(None, queue, region=REGION), "any-change") == "resources change"


# -- Ctrl-C right before ExecuteChangeSet, and losing track after it -------------------------------

def _calls(client: Any) -> list[str]:
    """The operations the client is asked for, in order (recorded before the Stubber answers)."""
    calls: list[str] = []
    client.meta.events.register_first("provide-client-params.cloudformation.*",
                                      lambda model, **_: calls.append(model.name))
    return calls


def _ctrl_c_during(client: Any, operation: str, poller: Poller) -> None:
    """Ctrl-C lands while `operation` is on its way: the main thread gets KeyboardInterrupt (as from
    SIGINT) and the call returns only once the run has been told to stop."""

    def press(**_: Any) -> None:
        _thread.interrupt_main()
        assert poller.cancel.wait(10), "the scheduler never saw the Ctrl-C"

    client.meta.events.register(f"after-call.cloudformation.{operation}", press)


def test_ctrl_c_on_the_last_call_before_executing_never_executes(clients: dict[str, Any],
                                                                network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"))
    stubber.add_response("get_template", {"TemplateBody": OLD_TEMPLATE})
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response("describe_change_set", _change_set(changes=[QUEUE_MODIFY]))
    stubber.add_response("describe_stack_events", _events(_event(1, "Network", "UPDATE_COMPLETE")))
    cfn = clients["cloudformation"]
    calls = _calls(cfn)
    poller = Poller(interval=0, max_interval=0)
    _ctrl_c_during(cfn, "DescribeStackEvents", poller)  # the marker read just before ExecuteChangeSet
    deployment = Deployment(stub_session(clients), network, reporter=Recorder(), poller=poller,
                            require_approval="never")
    [result] = deployment.run(network.stacks)
    assert "ExecuteChangeSet" not in calls and calls[-1] == "DescribeStackEvents"
    assert deployment.interrupted and result.state == INTERRUPTED and not result.executed
    message = interrupted_message([result])
    assert "Network: change set iac-deploy-1 was created and left for review, not executed; the stack is " \
           "untouched" in message
    assert "goes on deploying" not in message
    assert f"aws cloudformation delete-change-set --stack-name Network --change-set-name iac-deploy-1 " \
           f"--region {REGION}" in message


def test_ctrl_c_while_the_change_set_is_made_leaves_it_and_executes_nothing(clients: dict[str, Any],
                                                                           network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    _missing(stubber)
    stubber.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    stubber.add_response("describe_change_set", _change_set(status="CREATE_IN_PROGRESS"))
    cfn = clients["cloudformation"]
    calls = _calls(cfn)
    poller = Poller(interval=0, max_interval=0)
    _ctrl_c_during(cfn, "CreateChangeSet", poller)
    deployment = Deployment(stub_session(clients), network, reporter=Recorder(), poller=poller)
    [result] = deployment.run(network.stacks)
    assert "ExecuteChangeSet" not in calls and result.state == INTERRUPTED
    message = interrupted_message([result])
    assert "Network: change set iac-deploy-" in message and "left for review, not executed" in message
    assert "the new stack Network holds no resources (REVIEW_IN_PROGRESS)" in message


def test_ctrl_c_before_any_change_set_says_the_stack_is_untouched(clients: dict[str, Any],
                                                                 network: CloudAssembly) -> None:
    stubber = clients["cfn_stubber"]
    stubber.add_response("describe_stacks", _stack("UPDATE_COMPLETE"))
    stubber.add_response("get_template", {"TemplateBody": OLD_TEMPLATE})
    cfn = clients["cloudformation"]
    calls = _calls(cfn)
    poller = Poller(interval=0, max_interval=0)
    _ctrl_c_during(cfn, "GetTemplate", poller)
    deployment = Deployment(stub_session(clients), network, reporter=Recorder(), poller=poller)
    [result] = deployment.run(network.stacks)
    assert calls == ["DescribeStacks", "GetTemplate"] and result.state == INTERRUPTED
    assert "Network: untouched (no change set was created)" in interrupted_message([result])


@pytest.mark.parametrize(("code", "status"), [("Throttling", 1), ("ExpiredToken", 2)])
def test_losing_track_after_executing_is_not_a_failed_stack(clients: dict[str, Any], network: CloudAssembly,
                                                            code: str, status: int) -> None:
    from iac.cli.deploy_output import TerminalReporter, finish_deploy
    from iac.deploy.deployment import NOT_FOLLOWED

    stubber = clients["cfn_stubber"]
    _up_to_execution(stubber)
    stubber.add_client_error("describe_stacks", service_error_code=code, http_status_code=400,
                             service_message="Rate exceeded" if code == "Throttling" else "token expired")
    [result], _ = _deploy(clients, network, require_approval="never")
    stubber.assert_no_pending_responses()
    assert result.executed and result.state == NOT_FOLLOWED == "in progress, not followed"
    assert "CloudFormation carries on" in str(result.error)
    with pytest.raises(SystemExit) as exit_:
        finish_deploy([result], TerminalReporter(network.stacks, interactive=False), interrupted=False)
    assert exit_.value.code == status


def test_the_summary_of_a_stack_not_followed_says_how_to_follow_it(clients: dict[str, Any], network: CloudAssembly,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from iac.cli.deploy_output import TerminalReporter, finish_deploy

    stubber = clients["cfn_stubber"]
    _up_to_execution(stubber)
    stubber.add_response("describe_stacks", _stack("UPDATE_IN_PROGRESS"))  # each round: the status, then events
    stubber.add_client_error("describe_stack_events", service_error_code="Throttling", http_status_code=400,
                             service_message="Rate exceeded")
    [result], _ = _deploy(clients, network, require_approval="never")
    with pytest.raises(SystemExit):
        finish_deploy([result], TerminalReporter(network.stacks, interactive=False), interrupted=False)
    output = capsys.readouterr()
    assert "Network: in progress, not followed" in output.out
    assert "FAILED" not in output.out + output.err
    assert "iac lost track of Network after executing its change set" in output.err
    assert "CloudFormation carries on" in output.err
    assert f"aws cloudformation describe-stack-events --stack-name Network --region {REGION}" in output.err
