"""events: Rule output, the schedule/event pattern choice and the errors for inputs EventBridge would
refuse, checked at construction from the signature and the registry schema."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import events
from iac.specs import property_length
from iac.synth import synthesize

RULE = "AWS::Events::Rule"


def rule_properties(app: App, rule: events.Rule) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"][rule.resource.logical_id]["Properties"]


def test_a_scheduled_rule_is_enabled_and_sends_to_its_targets(app, stack):
    rule = events.Rule(stack, "Nightly", schedule="cron(0 3 * * ? *)", description="nightly job")
    rule.add_target("arn:aws:sqs:us-east-1:123456789012:jobs", input='{"job": "nightly"}')

    assert rule_properties(app, rule) == {
        "Description": "nightly job",
        "ScheduleExpression": "cron(0 3 * * ? *)",
        "State": "ENABLED",
        "Targets": [{"Arn": "arn:aws:sqs:us-east-1:123456789012:jobs", "Id": "Target0",
                     "Input": '{"job": "nightly"}'}],
    }


def test_an_event_pattern_rule_can_be_created_disabled(app, stack):
    rule = events.Rule(stack, "OnPush", event_pattern={"source": ["aws.codecommit"]}, enabled=False)

    properties = rule_properties(app, rule)

    assert (properties["EventPattern"], properties["State"]) == ({"source": ["aws.codecommit"]}, "DISABLED")
    assert "ScheduleExpression" not in properties


@pytest.mark.parametrize("schedule", ["rate(1 day)", "rate(5 minutes)", "rate(12 hours)", "cron(0 12 * * ? *)"])
def test_eventbridge_expressions_are_accepted(stack, schedule):
    assert events.Rule(stack, "Rule", schedule=schedule).schedule == schedule


@pytest.mark.parametrize(("options", "message"), [
    ({}, "needs exactly one of schedule= or event_pattern="),
    ({"schedule": "rate(5 minutes)", "event_pattern": {"source": ["aws.s3"]}}, "needs exactly one of"),
    ({"schedule": "every day"}, "schedule: 'every day' is not an EventBridge expression"),
    ({"schedule": "rate(1 days)"}, r"schedule: 'rate\(1 days\)' is not an EventBridge expression"),
    ({"schedule": "rate(5 minute)"}, "is not an EventBridge expression"),
    ({"schedule": "cron(0 12 * * ?)"}, r"six fields"),
    ({"schedule": 5}, r"schedule must be str \| None, got int 5"),
    ({"event_pattern": ["aws.s3"]}, r"event_pattern must be dict\[str, Any\] \| None, got list"),
    ({"schedule": "rate(5 minutes)", "enabled": "yes"}, "enabled must be bool, got str 'yes'"),
])
def test_bad_inputs_are_refused_at_the_users_line(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        events.Rule(stack, "Rule", **options)

    assert caught.value.path == "Main/Rule"
    assert caught.value.location is not None and caught.value.location.file == __file__


def test_a_misspelt_argument_gets_a_did_you_mean(stack):
    with pytest.raises(ConstructError, match="Rule 'Rule' has no argument 'schedul'") as caught:
        events.Rule(stack, "Rule", schedul="rate(5 minutes)")

    assert caught.value.hint == "did you mean schedule?"
    assert caught.value.location.file == __file__


def test_the_description_limit_is_the_schemas(stack):
    longest = property_length(RULE, "Description")[1]
    assert isinstance(longest, int)

    events.Rule(stack, "Fits", schedule="rate(5 minutes)", description="d" * longest)
    with pytest.raises(ConstructError, match=r"description: .* is too long \(AWS::Events::Rule Description"):
        events.Rule(stack, "TooLong", schedule="rate(5 minutes)", description="d" * (longest + 1))


def test_the_schedule_length_limit_is_the_schemas(stack):
    longest = property_length(RULE, "ScheduleExpression")[1]
    assert isinstance(longest, int)
    too_long = f"cron({'0,' * longest}0 12 * * ? *)"

    with pytest.raises(ConstructError, match=f"is longer than {longest} characters"):
        events.Rule(stack, "Rule", schedule=too_long)


def test_scheduled_and_pattern_rules_pass_the_schema_layer():
    app = App()
    stack = Stack(app, "Main")
    events.Rule(stack, "Nightly", schedule="rate(1 day)").add_target("arn:aws:sqs:us-east-1:123456789012:q")
    events.Rule(stack, "OnPush", event_pattern={"source": ["aws.codecommit"]})

    from iac.synth.synthesizer import validate_assembly

    validate_assembly(synthesize(app), lint=False)


@pytest.mark.parametrize(("pattern", "message"), [
    ({"source": "aws.s3"}, "event_pattern\\['source'\\] is 'aws.s3': a pattern's values are arrays"),
    ({"detail": {"bucket": {"name": []}}}, "event_pattern\\['detail'\\]\\['bucket'\\]\\['name'\\] is an empty array"),
])
def test_a_pattern_eventbridge_would_refuse_is_refused_at_the_users_line(stack, pattern, message):
    with pytest.raises(ConstructError, match=message) as info:
        events.Rule(stack, "Rule", event_pattern=pattern)

    assert info.value.location.file == __file__


def test_a_pattern_with_nested_fields_matchers_and_tokens_is_accepted(app, stack):
    from iac import Aws

    pattern = {"source": ["aws.s3"], "account": [Aws.ACCOUNT_ID], "detail": {"object": {"key": [{"prefix": "in/"}]}},
               "$or": [{"detail-type": ["Object Created"]}]}
    rule = events.Rule(stack, "Rule", event_pattern=pattern)

    assert rule_properties(app, rule)["EventPattern"]["account"] == [{"Ref": "AWS::AccountId"}]
