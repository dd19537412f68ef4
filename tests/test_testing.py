"""iac.testing: Template assertions and Match patterns, passing and failing, with their messages."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from iac import App, CfnResource, Output, Parameter, Stack, ValidationError
from iac.testing import Match, Template


class Mail:
    """Two queues, a topic naming one, a subscription; an output and a parameter. Valid CloudFormation."""

    def __init__(self, app: App) -> None:
        self.stack = Stack(app, "Mail")
        self.queue = CfnResource(self.stack, "Queue", type="AWS::SQS::Queue", deletion_policy="Retain", properties={
            "VisibilityTimeout": 60,
            "MessageRetentionPeriod": 3600,
            "Tags": [{"Key": "team", "Value": "mail"}, {"Key": "env", "Value": "dev"}, {"Key": "tier", "Value": "1"}],
        })
        self.dead_letters = CfnResource(self.stack, "DeadLetters", type="AWS::SQS::Queue",
                                        properties={"VisibilityTimeout": 30, "FifoQueue": True})
        self.topic = CfnResource(self.stack, "Topic", type="AWS::SNS::Topic",
                                 properties={"DisplayName": f"alerts-{self.queue.get_att('QueueName')}"})
        CfnResource(self.stack, "Sub", type="AWS::SNS::Subscription", depends_on=[self.queue], properties={
            "TopicArn": self.topic.ref, "Protocol": "sqs", "Endpoint": self.queue.get_att("Arn"),
        })
        Output(self.stack, "QueueUrl", value=self.queue.ref, export_name="mail-queue-url", description="the queue")
        Output(self.stack, "TopicArn", value=self.topic.ref)
        Parameter(self.stack, "Env", allowed_values=["dev", "prod"], default="dev")


@pytest.fixture
def mail() -> Mail:
    return Mail(App())


@pytest.fixture
def template(mail: Mail) -> Template:
    return Template.from_stack(mail.stack)


def failure(check: Any, *args: Any) -> str:
    """The message of the AssertionError that `check(*args)` raises."""
    with pytest.raises(AssertionError) as raised:
        check(*args)
    return str(raised.value)


# -- Template.from_stack and friends ------------------------------------------------------------------


def test_from_stack_synthesizes_in_memory_and_writes_nothing(mail: Mail, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    template = Template.from_stack(mail.stack)
    assert set(template.template["Resources"]) == {"Queue", "DeadLetters", "Topic", "Sub"}
    assert os.listdir(tmp_path) == []


def test_from_stack_takes_one_stack_of_a_multi_stack_app() -> None:
    app = App()
    queue = CfnResource(Stack(app, "Network"), "Queue", type="AWS::SQS::Queue")
    service = Stack(app, "Service")
    CfnResource(service, "Topic", type="AWS::SNS::Topic", properties={"DisplayName": queue.get_att("QueueName")})
    template = Template.from_stack(service)
    template.has_resource_properties("AWS::SNS::Topic", {"DisplayName": queue.get_att("QueueName")})
    template.has_resource_properties("AWS::SNS::Topic", {"DisplayName": {"Fn::ImportValue": Match.any_value()}})
    assert "Queue" not in template.template["Resources"]


def test_from_stack_checks_the_registry_schemas(stack: Stack) -> None:
    CfnResource(stack, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 60})
    with pytest.raises(ValidationError, match="VisibilityTimout"):
        Template.from_stack(stack)


def test_from_stack_checks_only_its_own_stack() -> None:
    app = App()
    CfnResource(Stack(app, "Broken"), "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 60})
    fine = Stack(app, "Fine")
    CfnResource(fine, "Topic", type="AWS::SNS::Topic")
    Template.from_stack(fine).resource_count_is("AWS::SNS::Topic", 1)


def test_from_stack_without_validation_takes_the_template_as_it_is(stack: Stack) -> None:
    CfnResource(stack, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimout": 60})
    Template.from_stack(stack, validate=False).has_resource_properties("AWS::SQS::Queue", {"VisibilityTimout": 60})


def test_from_stack_refuses_a_construct_that_is_not_a_stack(mail: Mail) -> None:
    with pytest.raises(TypeError, match=r"takes a Stack, got CfnResource 'Mail/Queue'; pass its stack"):
        Template.from_stack(mail.queue)


def test_template_property_is_a_copy(template: Template) -> None:
    template.template["Resources"].clear()
    assert template.template["Resources"]


def test_from_file_reads_yaml_with_short_form_tags(tmp_path: Path) -> None:
    path = tmp_path / "stack.yaml"
    path.write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Topic:\n    Type: AWS::SNS::Topic\n"
                    "    Properties:\n      DisplayName: !GetAtt Queue.QueueName\n")
    template = Template.from_file(str(path))
    template.has_resource_properties("AWS::SNS::Topic", {"DisplayName": {"Fn::GetAtt": ["Queue", "QueueName"]}})
    assert repr(template) == f"<Template of {path}: 2 resources>"


def test_tokens_in_patterns_need_a_template_made_from_a_stack(mail: Mail, template: Template) -> None:
    plain = Template(template.template)
    with pytest.raises(TypeError, match="only a Template made with Template.from_stack can resolve tokens"):
        plain.has_resource_properties("AWS::SNS::Subscription", {"TopicArn": mail.topic.ref})


# -- has_resource_properties ----------------------------------------------------------------------------


def test_has_resource_properties_matches_a_subset_at_every_depth(template: Template) -> None:
    template.has_resource_properties("AWS::SQS::Queue", {"VisibilityTimeout": 60})
    template.has_resource_properties("AWS::SNS::Subscription", {"Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}})


def test_has_resource_properties_resolves_tokens_and_f_strings(mail: Mail, template: Template) -> None:
    template.has_resource_properties("AWS::SNS::Subscription", {"TopicArn": mail.topic.ref,
                                                                "Endpoint": mail.queue.get_att("Arn")})
    template.has_resource_properties("AWS::SNS::Topic", {"DisplayName": f"alerts-{mail.queue.get_att('QueueName')}"})


def test_failure_names_the_closest_resource_and_where_it_differs(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queue",
                      {"VisibilityTimeout": 60, "MessageRetentionPeriod": 7200})
    assert message.splitlines()[0] == "stack Mail has no AWS::SQS::Queue whose Properties match the pattern."
    assert message.splitlines()[1] == "The closest of 2 is Queue (Mail/Queue), which differs in 1 place:"
    assert "  Resources.Queue.Properties.MessageRetentionPeriod: expected 7200, got 3600" in message


def test_failure_shows_the_pattern_with_matchers_and_the_candidate_in_full(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queue",
                      {"VisibilityTimeout": 1, "Tags": Match.array_with([{"Key": "owner"}])})
    pattern = message[message.index("Pattern:"):message.index("Queue:")]
    assert '"Tags": Match.array_with([\n' in pattern
    assert '"Key": "owner"' in pattern
    candidate = message[message.index("\nQueue:"):]
    assert '"DeletionPolicy": "Retain"' in candidate
    assert '"Key": "tier"' in candidate


def test_failure_says_when_a_key_is_missing_and_suggests_a_close_one(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queue", {"VisibilityTimout": 60})
    assert "Resources.Queue.Properties.VisibilityTimout: expected 60, but the key is missing " \
           "(did you mean VisibilityTimeout?)" in message


def test_failure_lists_the_keys_there_when_none_is_close(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SNS::Topic", {"KmsMasterKeyId": "alias/x"})
    assert "Properties.KmsMasterKeyId: expected \"alias/x\", but the key is missing (keys here: DisplayName)" \
        in message


def test_unknown_type_suggests_the_close_one_and_lists_the_types(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queu", {})
    assert message.splitlines() == [
        "stack Mail has no resource of type AWS::SQS::Queu; did you mean AWS::SQS::Queue?",
        "Types in stack Mail: AWS::SNS::Subscription (1), AWS::SNS::Topic (1), AWS::SQS::Queue (2)",
    ]


def test_type_mismatch_is_named(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queue", {"VisibilityTimeout": "60"})
    assert 'Properties.VisibilityTimeout: expected "60", got 60 (a number, not a string)' in message


def test_a_bool_never_matches_a_number(template: Template) -> None:
    template.has_resource_properties("AWS::SQS::Queue", {"FifoQueue": True})
    message = failure(template.has_resource_properties, "AWS::SQS::Queue", {"FifoQueue": 1})
    assert "Resources.DeadLetters.Properties.FifoQueue: expected 1, got true (a boolean, not a number)" in message


def test_a_list_matches_element_by_element_and_its_length(template: Template) -> None:
    tags = [{"Key": "team"}, {"Key": "env"}, {"Key": "tier"}]
    template.has_resource_properties("AWS::SQS::Queue", {"Tags": tags})
    message = failure(template.has_resource_properties, "AWS::SQS::Queue", {"Tags": tags[:2]})
    assert "Properties.Tags: expected a list of 2 elements, got 3" in message
    assert "Match.array_with() looks for some elements in a longer list" in message


# -- has_resource, counts, find ------------------------------------------------------------------------


def test_has_resource_matches_the_whole_entry(template: Template) -> None:
    template.has_resource("AWS::SQS::Queue", {"DeletionPolicy": "Retain", "Properties": {"VisibilityTimeout": 60}})
    template.has_resource("AWS::SNS::Subscription", {"DependsOn": ["Queue"]})
    template.has_resource("AWS::SQS::Queue", {"DeletionPolicy": Match.absent()})
    template.has_resource("AWS::SNS::Topic")


def test_has_resource_failure_points_at_the_entry_key(template: Template) -> None:
    message = failure(template.has_resource, "AWS::SNS::Subscription", {"DeletionPolicy": "Retain"})
    assert "has no AWS::SNS::Subscription whose entry matches the pattern." in message
    assert "The only one is Sub (Mail/Sub), which differs in 1 place:" in message
    assert 'Resources.Sub.DeletionPolicy: expected "Retain", but the key is missing' in message


def test_has_resource_of_a_type_that_is_not_there_fails(template: Template) -> None:
    assert failure(template.has_resource, "AWS::S3::Bucket").startswith("stack Mail has no resource of type "
                                                                        "AWS::S3::Bucket\nTypes in stack Mail:")


def test_resource_count_is(template: Template) -> None:
    template.resource_count_is("AWS::SQS::Queue", 2)
    template.resource_count_is("AWS::S3::Bucket", 0)
    assert failure(template.resource_count_is, "AWS::SQS::Queue", 1) == (
        "expected 1 resource of type AWS::SQS::Queue in stack Mail, found 2:\n"
        "  Queue (Mail/Queue)\n  DeadLetters (Mail/DeadLetters)")
    assert failure(template.resource_count_is, "AWS::SNS::Topics", 1).startswith(
        "expected 1 resource of type AWS::SNS::Topics in stack Mail, found 0; did you mean AWS::SNS::Topic?")


def test_resource_properties_count_is(template: Template) -> None:
    template.resource_properties_count_is("AWS::SQS::Queue", {"VisibilityTimeout": Match.any_value()}, 2)
    template.resource_properties_count_is("AWS::SQS::Queue", {"FifoQueue": True}, 1)
    message = failure(template.resource_properties_count_is, "AWS::SQS::Queue", {"FifoQueue": Match.absent()}, 2)
    assert message.startswith("expected 2 resources of type AWS::SQS::Queue with Properties matching the pattern "
                              "in stack Mail, found 1: Queue")


def test_find_resources_returns_the_matching_entries(template: Template) -> None:
    assert set(template.find_resources("AWS::SQS::Queue")) == {"Queue", "DeadLetters"}
    found = template.find_resources("AWS::SQS::Queue", {"Properties": {"FifoQueue": True}})
    assert list(found) == ["DeadLetters"]
    assert found["DeadLetters"]["Properties"]["VisibilityTimeout"] == 30
    assert template.find_resources("AWS::SQS::Queue", {"DeletionPolicy": "Delete"}) == {}
    assert template.find_resources("AWS::S3::Bucket") == {}


# -- outputs and parameters ------------------------------------------------------------------------------


def test_has_output_by_id_glob_or_matcher(mail: Mail, template: Template) -> None:
    template.has_output("QueueUrl", {"Value": mail.queue.ref, "Export": {"Name": "mail-queue-url"}})
    template.has_output("*Url")
    template.has_output(Match.string_like_regexp("^Topic"), {"Value": {"Ref": "Topic"}})


def test_has_output_failure_suggests_a_close_id(template: Template) -> None:
    assert failure(template.has_output, "QueueURL") == (
        "stack Mail has no output QueueURL (outputs: QueueUrl, TopicArn); did you mean QueueUrl?")


def test_has_output_failure_shows_where_the_output_differs(template: Template) -> None:
    message = failure(template.has_output, "QueueUrl", {"Description": "the dead letters"})
    assert message.splitlines()[:3] == [
        "stack Mail has no output QueueUrl matching the pattern.",
        "Output QueueUrl, which differs in 1 place:",
        '  Outputs.QueueUrl.Description: expected "the dead letters", got "the queue"',
    ]


def test_has_output_with_a_glob_names_the_closest_of_several(template: Template) -> None:
    message = failure(template.has_output, "*", {"Export": {"Name": "mail-queue"}})
    assert "The closest of 2 is QueueUrl, which differs in 1 place:" in message


def test_find_outputs(template: Template) -> None:
    assert set(template.find_outputs()) == {"QueueUrl", "TopicArn"}
    assert list(template.find_outputs("*", {"Export": Match.any_value()})) == ["QueueUrl"]


def test_has_parameter(template: Template) -> None:
    template.has_parameter("Env", {"AllowedValues": Match.array_with(["prod"]), "Default": "dev"})
    message = failure(template.has_parameter, "Env", {"Default": "prod"})
    assert 'Parameters.Env.Default: expected "prod", got "dev"' in message


# -- Match -----------------------------------------------------------------------------------------------


def test_any_value_matches_anything_that_is_there(template: Template) -> None:
    template.has_resource_properties("AWS::SQS::Queue", {"Tags": Match.any_value()})
    message = failure(template.has_resource_properties, "AWS::SNS::Topic", {"TopicName": Match.any_value()})
    assert "Properties.TopicName: expected Match.any_value(), but the key is missing" in message


def test_any_value_does_not_match_null() -> None:
    template = Template({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": None}}}})
    message = failure(template.has_resource_properties, "AWS::SQS::Queue", {"QueueName": Match.any_value()})
    assert "Resources.Q.Properties.QueueName: expected any value, got null" in message


def test_absent_requires_the_key_to_be_missing(template: Template) -> None:
    template.has_resource_properties("AWS::SNS::Topic", {"TopicName": Match.absent()})
    message = failure(template.has_resource_properties, "AWS::SNS::Topic", {"DisplayName": Match.absent()})
    assert "Properties.DisplayName: expected no such key, but it is there: {\"Fn::Join\"" in message


def test_absent_as_the_whole_properties_means_no_properties() -> None:
    template = Template({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}})
    template.has_resource_properties("AWS::SQS::Queue", Match.absent())


def test_object_like_is_the_default_for_dicts(template: Template) -> None:
    template.has_resource_properties("AWS::SNS::Subscription", Match.object_like({"Protocol": "sqs"}))
    template.has_resource("AWS::SNS::Subscription", {"Properties": Match.object_like({"Protocol": "sqs"})})


def test_object_equals_allows_no_other_keys(template: Template) -> None:
    template.has_resource_properties("AWS::SQS::Queue", Match.object_equals(
        {"VisibilityTimeout": 30, "FifoQueue": True}))
    message = failure(template.has_resource_properties, "AWS::SQS::Queue",
                      Match.object_equals({"VisibilityTimeout": 30}))
    assert "Resources.DeadLetters.Properties.FifoQueue: unexpected key (object_equals allows no other keys): true" \
        in message


def test_object_equals_makes_plain_dicts_inside_it_exact(template: Template) -> None:
    message = failure(template.has_resource, "AWS::SNS::Subscription", Match.object_equals({
        "Type": "AWS::SNS::Subscription", "DependsOn": ["Queue"], "Metadata": {},
        "Properties": Match.any_value()}))
    assert "Resources.Sub.Metadata.iac:path: unexpected key" in message


def test_array_with_finds_items_in_order_with_others_between(template: Template) -> None:
    template.has_resource_properties("AWS::SQS::Queue", {"Tags": Match.array_with([{"Key": "team"}, {"Key": "tier"}])})
    template.has_resource_properties("AWS::SQS::Queue", {"Tags": Match.array_with([])})


def test_array_with_respects_the_order(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queue",
                      {"Tags": Match.array_with([{"Key": "tier"}, {"Key": "team"}])})
    assert ('Resources.Queue.Properties.Tags: Match.array_with item 1 ({"Key": "team"}) matches no element at or '
            'after [3]; the list: ') in message


def test_array_with_names_the_closest_element_and_its_difference(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queue",
                      {"Tags": Match.array_with([{"Key": "env", "Value": "prod"}])})
    assert ('Properties.Tags: Match.array_with item 0 ({"Key": "env", "Value": "prod"}) matches no element; '
            'the closest, [1], differs at [1].Value: expected "prod", got "dev"') in message


def test_array_with_needs_a_list(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SQS::Queue",
                      {"VisibilityTimeout": Match.array_with([30])})
    assert "Properties.VisibilityTimeout: expected a list with [30] in it, got 60" in message


def test_string_like_regexp_searches_the_string(template: Template) -> None:
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": Match.string_like_regexp("^sq")})
    message = failure(template.has_resource_properties, "AWS::SNS::Subscription",
                      {"Protocol": Match.string_like_regexp("^https?$")})
    assert 'Properties.Protocol: expected a string matching /^https?$/, got "sqs"' in message


def test_string_like_regexp_does_not_match_an_intrinsic_function(template: Template) -> None:
    message = failure(template.has_resource_properties, "AWS::SNS::Topic",
                      {"DisplayName": Match.string_like_regexp("^alerts-")})
    assert 'Properties.DisplayName: expected a string matching /^alerts-/, got {"Fn::Join"' in message


def test_exact_compares_everything_inside(template: Template) -> None:
    template.has_resource_properties("AWS::SQS::Queue", {"Tags": Match.exact(
        [{"Key": "team", "Value": "mail"}, {"Key": "env", "Value": "dev"}, {"Key": "tier", "Value": "1"}])})
    message = failure(template.has_resource_properties, "AWS::SQS::Queue", {"Tags": Match.exact(
        [{"Key": "team"}, {"Key": "env"}, {"Key": "tier"}])})
    assert "Resources.Queue.Properties.Tags[0].Value: unexpected key" in message


def test_not_matches_anything_but_its_pattern(template: Template) -> None:
    template.has_resource_properties("AWS::SNS::Subscription", {"Protocol": Match.not_("https")})
    template.has_resource_properties("AWS::SNS::Subscription", {"FilterPolicy": Match.not_(Match.any_value())})
    message = failure(template.has_resource_properties, "AWS::SNS::Subscription", {"Protocol": Match.not_("sqs")})
    assert 'Properties.Protocol: expected anything but "sqs", got "sqs"' in message


def test_matchers_reject_wrong_arguments() -> None:
    with pytest.raises(TypeError, match=re.escape("Match.object_like() takes a dict, got list")):
        Match.object_like([])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("Match.array_with() takes a list, got dict")):
        Match.array_with({})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("Match.string_like_regexp() takes a str, got int")):
        Match.string_like_regexp(1)  # type: ignore[arg-type]


def test_matchers_show_as_written() -> None:
    assert repr(Match.object_like({"A": Match.array_with([1, Match.any_value()])})) == \
        'Match.object_like({"A": Match.array_with([1, Match.any_value()])})'
    assert repr(Match.not_(Match.absent())) == "Match.not_(Match.absent())"
    assert repr(Match.exact({"B": None})) == 'Match.exact({"B": null})'
    assert repr(Match.string_like_regexp("^a")) == "Match.string_like_regexp('^a')"
