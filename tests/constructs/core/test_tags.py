"""Tags.of(scope): tags on every taggable resource below a scope, by the schemas' tagging metadata."""

from __future__ import annotations

import pytest

from iac import CfnResource, Construct, ConstructError, Stack, Tags
from iac.specs import tagging
from iac.synth import synthesize

QUEUE = "AWS::SQS::Queue"
PARAMETER = "AWS::SSM::Parameter"
GROUP = "AWS::AutoScaling::AutoScalingGroup"


def queue(scope: Construct, id: str, tags: list[dict[str, str]] | None = None) -> CfnResource:
    return CfnResource(scope, id, type=QUEUE, properties={"Tags": tags} if tags is not None else None)


def resources(app, name: str = "Main") -> dict:
    return synthesize(app).template(name)["Resources"]


def tags_of(app, logical_id: str, name: str = "Main") -> object:
    return resources(app, name)[logical_id].get("Properties", {}).get("Tags")


# -- the schema accessor -----------------------------------------------------------------------------


def test_tagging_reads_a_list_of_key_value_from_the_schema():
    assert tagging(QUEUE).property == "Tags"
    assert tagging(QUEUE).shape == "list"


def test_tagging_reads_a_map_where_the_schema_has_an_object():
    assert tagging(PARAMETER).shape == "map"


def test_tagging_names_the_property_a_type_keeps_its_tags_in():
    assert tagging("AWS::Cognito::UserPool").property == "UserPoolTags"


def test_tagging_names_the_per_tag_flag_of_an_auto_scaling_group():
    assert tagging(GROUP).item_flags == ("PropagateAtLaunch",)


def test_a_type_whose_schema_says_it_is_not_taggable_has_no_tagging():
    assert tagging("AWS::IAM::Policy") is None
    assert tagging("AWS::Lambda::Permission") is None


# -- adding ------------------------------------------------------------------------------------------


def test_a_tag_on_the_stack_reaches_every_taggable_resource(app, stack):
    queue(stack, "Q")
    CfnResource(Construct(stack, "Group"), "P", type=PARAMETER, properties={"Type": "String", "Value": "v"})
    Tags.of(stack).add("team", "payments")

    found = resources(app)
    assert found["Q"]["Properties"]["Tags"] == [{"Key": "team", "Value": "payments"}]
    [parameter] = [r for r in found.values() if r["Type"] == PARAMETER]
    assert parameter["Properties"]["Tags"] == {"team": "payments"}


def test_a_map_typed_resource_gets_a_map(app, stack):
    CfnResource(stack, "P", type=PARAMETER, properties={"Type": "String", "Value": "v"})
    Tags.of(app).add("team", "payments")

    assert tags_of(app, "P") == {"team": "payments"}


def test_a_resource_that_takes_no_tags_is_left_alone(app, stack):
    queue(stack, "Q")
    CfnResource(stack, "Policy", type="AWS::SQS::QueuePolicy", properties={
        "Queues": [stack.find_child("Q").ref],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": []}})
    Tags.of(stack).add("team", "payments")

    assert "Tags" not in resources(app)["Policy"]["Properties"]


def test_a_tag_reaches_only_the_resources_below_the_scope(app, stack):
    inside = Construct(stack, "Inside")
    queue(inside, "Q")
    queue(stack, "Other")
    Tags.of(inside).add("team", "payments")

    found = resources(app)
    tagged = [lid for lid, r in found.items() if r.get("Properties", {}).get("Tags")]
    assert tagged == [lid for lid in found if lid.startswith("InsideQ")]


def test_tags_are_written_sorted_by_key_after_the_resources_own(app, stack):
    queue(stack, "Q", tags=[{"Key": "z-own", "Value": "1"}])
    Tags.of(stack).add("b", "2")
    Tags.of(stack).add("a", "1")

    assert tags_of(app, "Q") == [{"Key": "z-own", "Value": "1"}, {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]


def test_include_resource_types_limits_the_tag_to_those_types(app, stack):
    queue(stack, "Q")
    CfnResource(stack, "P", type=PARAMETER, properties={"Type": "String", "Value": "v"})
    Tags.of(stack).add("team", "payments", include_resource_types=[PARAMETER])

    assert tags_of(app, "Q") is None
    assert tags_of(app, "P") == {"team": "payments"}


def test_exclude_resource_types_skips_those_types(app, stack):
    queue(stack, "Q")
    CfnResource(stack, "P", type=PARAMETER, properties={"Type": "String", "Value": "v"})
    Tags.of(stack).add("team", "payments", exclude_resource_types=[PARAMETER])

    assert tags_of(app, "Q") == [{"Key": "team", "Value": "payments"}]
    assert "Tags" not in resources(app)["P"]["Properties"]


def test_a_misspelt_resource_type_is_refused_with_a_did_you_mean_at_the_users_line(stack):
    with pytest.raises(ConstructError, match="not a CloudFormation resource type") as caught:
        Tags.of(stack).add("team", "payments", include_resource_types=["AWS::SQS::Queeu"])

    assert caught.value.hint == "did you mean 'AWS::SQS::Queue'?"
    assert caught.value.location.file == __file__


def test_an_auto_scaling_group_tag_propagates_to_instances_unless_told_not_to(app, stack):
    props = {"MinSize": "1", "MaxSize": "1", "AvailabilityZones": ["us-east-1a"],
             "LaunchTemplate": {"LaunchTemplateId": "lt-0123456789abcdef0", "Version": "1"}}
    CfnResource(stack, "Asg", type=GROUP, properties=dict(props))
    CfnResource(stack, "Quiet", type=GROUP, properties=dict(props))
    Tags.of(stack).add("team", "payments")
    Tags.of(stack.find_child("Quiet")).add("team", "quiet", apply_to_launched_instances=False)

    assert tags_of(app, "Asg") == [{"Key": "team", "Value": "payments", "PropagateAtLaunch": True}]
    assert tags_of(app, "Quiet") == [{"Key": "team", "Value": "quiet", "PropagateAtLaunch": False}]


def test_a_resource_created_after_the_call_is_tagged_too(app, stack):
    Tags.of(stack).add("team", "payments")
    queue(stack, "Late")

    assert tags_of(app, "Late") == [{"Key": "team", "Value": "payments"}]


def test_tags_reach_the_resources_of_every_stack_below_the_app(app):
    queue(Stack(app, "One"), "Q")
    queue(Stack(app, "Two"), "Q")
    Tags.of(app).add("team", "payments")

    assembly = synthesize(app)
    for name in ("One", "Two"):
        assert assembly.template(name)["Resources"]["Q"]["Properties"]["Tags"] == [{"Key": "team", "Value": "payments"}]


def test_stack_tags_stay_out_of_the_template(app):
    stack = Stack(app, "Main", tags={"env": "prod"})
    queue(stack, "Q")

    assembly = synthesize(app)
    assert "Properties" not in assembly.template("Main")["Resources"]["Q"]
    assert assembly.stack("Main").tags == {"env": "prod"}


def test_synthesizing_twice_gives_the_same_tags(app, stack):
    queue(stack, "Q", tags=[{"Key": "own", "Value": "1"}])
    Tags.of(stack).add("team", "payments")

    first = tags_of(app, "Q")
    assert tags_of(app, "Q") == first == [{"Key": "own", "Value": "1"}, {"Key": "team", "Value": "payments"}]


# -- precedence --------------------------------------------------------------------------------------


def test_a_tag_set_on_the_resource_wins_over_an_inherited_one(app, stack):
    queue(stack, "Q", tags=[{"Key": "team", "Value": "own"}])
    Tags.of(app).add("team", "payments")

    assert tags_of(app, "Q") == [{"Key": "team", "Value": "own"}]


def test_a_higher_priority_inherited_tag_wins_over_the_resources_own(app, stack):
    queue(stack, "Q", tags=[{"Key": "team", "Value": "own"}, {"Key": "other", "Value": "x"}])
    Tags.of(app).add("team", "payments", priority=101)

    assert tags_of(app, "Q") == [{"Key": "team", "Value": "payments"}, {"Key": "other", "Value": "x"}]


def test_the_closer_scope_wins_on_equal_priority(app, stack):
    inner = Construct(stack, "Inner")
    queue(inner, "Q")
    Tags.of(inner).add("team", "inner")
    Tags.of(app).add("team", "outer")  # added later, but further away

    assert tags_of(app, next(iter(resources(app)))) == [{"Key": "team", "Value": "inner"}]


def test_a_higher_priority_wins_over_a_closer_scope(app, stack):
    inner = Construct(stack, "Inner")
    queue(inner, "Q")
    Tags.of(inner).add("team", "inner")
    Tags.of(app).add("team", "outer", priority=300)

    assert tags_of(app, next(iter(resources(app)))) == [{"Key": "team", "Value": "outer"}]


def test_on_one_scope_the_later_add_wins(app, stack):
    queue(stack, "Q")
    Tags.of(stack).add("team", "first")
    Tags.of(stack).add("team", "second")

    assert tags_of(app, "Q") == [{"Key": "team", "Value": "second"}]


# -- removing ----------------------------------------------------------------------------------------


def test_remove_takes_an_inherited_tag_off_a_scope(app, stack):
    inner = Construct(stack, "Inner")
    queue(inner, "Q")
    queue(stack, "Kept")
    Tags.of(stack).add("team", "payments")
    Tags.of(inner).remove("team")

    found = resources(app)
    assert found["Kept"]["Properties"]["Tags"] == [{"Key": "team", "Value": "payments"}]
    assert all("Properties" not in r for lid, r in found.items() if lid != "Kept")


def test_remove_takes_the_resources_own_tag_off_too(app, stack):
    queue(stack, "Q", tags=[{"Key": "team", "Value": "own"}, {"Key": "keep", "Value": "1"}])
    Tags.of(stack).remove("team")

    assert tags_of(app, "Q") == [{"Key": "keep", "Value": "1"}]


def test_remove_loses_to_a_higher_priority_add(app, stack):
    queue(stack, "Q")
    Tags.of(stack).remove("team")
    Tags.of(app).add("team", "payments", priority=250)

    assert tags_of(app, "Q") == [{"Key": "team", "Value": "payments"}]


def test_remove_of_the_only_tag_leaves_no_empty_tags_property(app, stack):
    queue(stack, "Q", tags=[{"Key": "team", "Value": "own"}])
    Tags.of(stack).remove("team")

    assert "Properties" not in resources(app)["Q"]


# -- arguments ---------------------------------------------------------------------------------------


def test_an_empty_key_is_refused_at_the_users_line(stack):
    with pytest.raises(ConstructError, match="a tag key must be a non-empty string") as caught:
        Tags.of(stack).add("", "x")

    assert caught.value.location.file == __file__


def test_a_value_that_is_not_a_string_is_refused(stack):
    with pytest.raises(ConstructError, match="the value must be a string, got int"):
        Tags.of(stack).add("team", 42)  # type: ignore[arg-type]


def test_tags_of_something_that_is_not_a_construct_is_refused():
    with pytest.raises(ConstructError, match="Tags.of takes a construct"):
        Tags.of("Main")  # type: ignore[arg-type]
