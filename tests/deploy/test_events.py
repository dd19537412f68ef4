"""Following a stack: events reported once each, oldest first, until a terminal status; failures and
their causes kept. DescribeStacks/DescribeStackEvents answers are recorded through botocore's Stubber
(moto finishes every operation at once and never fails or rolls back)."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from local_aws import REGION

from iac.deploy.events import StackEvent, follow, new_events
from iac.deploy.polling import Interrupted, Poller

STACK_ID = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Network/1f2e3d4c-0000-1111-2222-333344445555"
NO_WAIT = Poller(interval=0, max_interval=0)
T0 = datetime.datetime(2026, 1, 1, 12, 0, 0, tzinfo=datetime.UTC)


def event(number: int, logical_id: str, status: str, reason: str | None = None,
          resource_type: str = "AWS::SQS::Queue") -> dict[str, Any]:
    data: dict[str, Any] = {
        "StackId": STACK_ID, "EventId": f"event-{number}", "StackName": "Network", "LogicalResourceId": logical_id,
        "ResourceType": resource_type, "Timestamp": T0 + datetime.timedelta(seconds=number),
        "ResourceStatus": status,
    }
    if reason:
        data["ResourceStatusReason"] = reason
    return data


def stack_event(number: int, status: str) -> dict[str, Any]:
    return event(number, "Network", status, resource_type="AWS::CloudFormation::Stack")


def newest_first(*events: dict[str, Any]) -> dict[str, Any]:
    return {"StackEvents": list(reversed(events))}


def status(value: str) -> dict[str, Any]:
    return {"Stacks": [{"StackName": "Network", "StackId": STACK_ID, "StackStatus": value,
                        "CreationTime": T0}]}


def test_new_events_stop_at_the_marker_and_come_oldest_first(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_response("describe_stack_events", {
        **newest_first(event(3, "Queue", "UPDATE_IN_PROGRESS")), "NextToken": "page-2"})
    stubber.add_response("describe_stack_events", newest_first(
        event(1, "Old", "CREATE_COMPLETE"), event(2, "Network", "UPDATE_IN_PROGRESS")))
    events = new_events(client, STACK_ID, "event-1")
    assert [e.event_id for e in events] == ["event-2", "event-3"]


def test_follow_reports_each_event_once_until_the_stack_is_done(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    first = [stack_event(2, "UPDATE_IN_PROGRESS"), event(3, "Queue", "UPDATE_IN_PROGRESS")]
    then = [*first, event(4, "Queue", "UPDATE_COMPLETE"), stack_event(5, "UPDATE_COMPLETE")]
    stubber.add_response("describe_stacks", status("UPDATE_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", newest_first(stack_event(1, "CREATE_COMPLETE"), *first))
    stubber.add_response("describe_stacks", status("UPDATE_COMPLETE"))
    stubber.add_response("describe_stack_events", newest_first(stack_event(1, "CREATE_COMPLETE"), *then))
    seen: list[StackEvent] = []
    outcome = follow(client, STACK_ID, after="event-1", poller=NO_WAIT, on_event=seen.append)
    stubber.assert_no_pending_responses()
    assert outcome.status == "UPDATE_COMPLETE" and not outcome.failures
    assert [(e.logical_id, e.status) for e in seen] == [
        ("Network", "UPDATE_IN_PROGRESS"), ("Queue", "UPDATE_IN_PROGRESS"), ("Queue", "UPDATE_COMPLETE"),
        ("Network", "UPDATE_COMPLETE")]


def test_a_rollback_ends_with_the_failures_and_their_first_cause(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    events = [
        stack_event(2, "UPDATE_IN_PROGRESS"),
        event(3, "Queue", "UPDATE_FAILED", "Resource handler returned message: \"Invalid request provided: "
                                           "VisibilityTimeout must be between 0 and 43200\""),
        event(4, "Topic", "UPDATE_FAILED", "Resource update cancelled", resource_type="AWS::SNS::Topic"),
        stack_event(5, "UPDATE_ROLLBACK_IN_PROGRESS"),
        stack_event(6, "UPDATE_ROLLBACK_COMPLETE"),
    ]
    stubber.add_response("describe_stacks", status("UPDATE_ROLLBACK_COMPLETE"))
    stubber.add_response("describe_stack_events", newest_first(*events))
    outcome = follow(client, STACK_ID, after=None, poller=NO_WAIT, on_event=lambda e: None)
    assert outcome.status == "UPDATE_ROLLBACK_COMPLETE"
    assert [e.logical_id for e in outcome.failures] == ["Queue", "Topic"]
    assert [e.logical_id for e in outcome.causes] == ["Queue"]


def test_a_terminal_status_from_before_the_operation_is_not_trusted_at_once(stubbed: Any) -> None:
    """Right after ExecuteChangeSet the stack can still show its old status: follow waits for the stack's
    own event of the new operation."""
    client, stubber = stubbed("cloudformation")
    stubber.add_response("describe_stacks", status("UPDATE_COMPLETE"))
    stubber.add_response("describe_stack_events", newest_first(stack_event(1, "UPDATE_COMPLETE")))
    stubber.add_response("describe_stacks", status("UPDATE_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", newest_first(stack_event(1, "UPDATE_COMPLETE"),
                                                               stack_event(2, "UPDATE_IN_PROGRESS")))
    stubber.add_response("describe_stacks", status("UPDATE_COMPLETE"))
    stubber.add_response("describe_stack_events", newest_first(
        stack_event(1, "UPDATE_COMPLETE"), stack_event(2, "UPDATE_IN_PROGRESS"), stack_event(3, "UPDATE_COMPLETE")))
    seen: list[StackEvent] = []
    follow(client, STACK_ID, after="event-1", poller=NO_WAIT, on_event=seen.append)
    stubber.assert_no_pending_responses()
    assert [e.event_id for e in seen] == ["event-2", "event-3"]


def test_a_stack_that_is_gone_is_delete_complete(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_client_error("describe_stacks", service_error_code="ValidationError",
                             service_message=f"Stack with id {STACK_ID} does not exist", http_status_code=400)
    stubber.add_response("describe_stack_events", newest_first())
    assert follow(client, STACK_ID, after=None, poller=NO_WAIT, on_event=lambda e: None).status == "DELETE_COMPLETE"


def test_an_interrupted_wait_stops_at_once(stubbed: Any) -> None:
    client, stubber = stubbed("cloudformation")
    stubber.add_response("describe_stacks", status("UPDATE_IN_PROGRESS"))
    stubber.add_response("describe_stack_events", newest_first(stack_event(2, "UPDATE_IN_PROGRESS")))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Interrupted):
        follow(client, STACK_ID, after="event-1", poller=Poller(interval=60, cancel=cancel), on_event=lambda e: None)
