"""Stack: one template per stack, a valid CloudFormation name, and no stacks inside stacks."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from iac import CfnResource, Construct, ConstructError, Stack, SynthError
from iac.specs import stack_name_pattern, stack_name_rule

QUEUE = "AWS::SQS::Queue"


def test_nested_stacks_are_refused(stack):
    with pytest.raises(ConstructError, match="stack 'Inner' is inside stack 'Main'; nested stacks are not supported"):
        Stack(stack, "Inner")


def test_a_stack_below_a_construct_below_a_stack_is_nested_too(stack):
    with pytest.raises(ConstructError, match="nested stacks are not supported"):
        Stack(Construct(stack, "Group"), "Inner")


@pytest.mark.parametrize("bad_id", ["1Network", "my_stack", "net.work", "-dash", "N" * 129])
def test_a_stack_id_that_is_not_a_valid_stack_name_is_refused(app, bad_id):
    with pytest.raises(ConstructError, match="not a valid CloudFormation stack name") as caught:
        Stack(app, bad_id)

    assert "stack_name=" in caught.value.hint


def test_stack_name_can_differ_from_the_id(app):
    stack = Stack(app, "Network", stack_name="prod-network")

    assert stack.stack_name == "prod-network"
    assert stack.artifact_id == "Network"


@pytest.mark.parametrize("bad_name", ["prod_network", "9lives", "has space", "", "prod\n", "N" * 129])
def test_an_invalid_stack_name_is_refused(app, bad_name):
    with pytest.raises(ConstructError, match="stack name .* is invalid") as caught:
        Stack(app, "Network", stack_name=bad_name)

    assert caught.value.location.file == __file__


def test_the_stack_name_rule_is_the_one_iac_specs_keeps(app):
    rule = stack_name_rule()
    longest = "N" * 128
    assert stack_name_pattern().match(longest) and not stack_name_pattern().match(longest + "N")

    assert Stack(app, "Network", stack_name=longest).stack_name == longest
    with pytest.raises(ConstructError, match=re.escape(rule.why)) as caught:
        Stack(app, "Other", stack_name="prod_network")
    assert caught.value.hint == f"see {rule.url}"
    with pytest.raises(ConstructError, match="not a valid CloudFormation stack name") as caught:
        Stack(app, "my_stack")
    assert rule.why in caught.value.hint


@pytest.mark.parametrize(("option", "value", "message"), [
    ("stack_name", 5, r"stack_name must be str \| None, got int 5"),
    ("region", 1, r"region must be str \| None, got int 1"),
    ("termination_protection", "yes", "termination_protection must be bool, got str 'yes'"),
    ("description", ["a"], r"description must be str \| None, got list"),
])
def test_stack_options_of_the_wrong_type_are_refused_at_the_users_line(app, option, value, message):
    with pytest.raises(ConstructError, match=f"invalid argument for Stack 'Main': {message}") as caught:
        Stack(app, "Main", **{option: value})

    assert caught.value.location.file == __file__


def test_a_stack_under_a_plain_construct_is_named_by_its_path_with_dashes(app):
    stack = Stack(Construct(app, "Prod"), "Network")

    assert stack.artifact_id == "Prod-Network"
    assert stack.stack_name == "Prod-Network"


def test_two_stacks_with_the_same_stack_name_cannot_be_synthesized(app, assembly_of):
    CfnResource(Stack(app, "One", stack_name="shared"), "Queue", type=QUEUE)
    CfnResource(Stack(app, "Two", stack_name="shared"), "Queue", type=QUEUE)

    with pytest.raises(SynthError, match="stacks 'One' and 'Two' have the same stack name 'shared'"):
        assembly_of(app)


def test_description_becomes_the_template_description(app, template_of):
    stack = Stack(app, "Main", description="shared network")
    CfnResource(stack, "Queue", type=QUEUE)

    assert template_of(app)["Description"] == "shared network"


def test_a_stack_without_description_has_no_description_key(stack, app, template_of):
    CfnResource(stack, "Queue", type=QUEUE)

    assert "Description" not in template_of(app)


def test_stack_tags_are_recorded_in_the_manifest_not_in_the_template(app, assembly_of):
    stack = Stack(app, "Main", tags={"team": "core"})
    stack.add_tag("env", "prod")
    CfnResource(stack, "Queue", type=QUEUE)

    assembly = assembly_of(app)

    assert assembly.manifest()["stacks"]["Main"]["tags"] == {"team": "core", "env": "prod"}
    assert "Tags" not in assembly.template("Main")["Resources"]["Queue"].get("Properties", {})


def test_tags_must_map_strings_to_strings(app):
    with pytest.raises(ConstructError, match=r"tags must be Mapping\[str, str\] \| None, .*of 'count' is int 1"):
        Stack(app, "Main", tags={"count": 1})


def test_region_and_account_are_recorded_as_the_stacks_environment(app, assembly_of):
    stack = Stack(app, "Main", region="eu-west-1", account="123456789012")
    CfnResource(stack, "Queue", type=QUEUE)

    entry = assembly_of(app).manifest()["stacks"]["Main"]

    assert entry["environment"] == {"account": "123456789012", "region": "eu-west-1"}


@pytest.mark.parametrize(("option", "value"), [("region", "mars-1"), ("account", "1234"), ("region", "EU-WEST-1")])
def test_a_malformed_region_or_account_is_refused(app, option, value):
    with pytest.raises(ConstructError, match=f"invalid argument for Stack 'Main': {option} {value!r} is not") as caught:
        Stack(app, "Main", **{option: value})

    assert (caught.value.path, caught.value.location.file) == ("Main", __file__)


def test_unknown_stack_options_are_refused_with_the_closest_name(app):
    with pytest.raises(ConstructError, match="Stack 'Main' has no argument 'descripton'") as raised:
        Stack(app, "Main", descripton="typo")
    assert raised.value.hint == "did you mean description?"


def test_an_argument_like_none_lists_the_arguments(app):
    with pytest.raises(ConstructError) as raised:
        Stack(app, "Main", zzzz=1)
    assert raised.value.hint.startswith("its arguments: ") and "description" in raised.value.hint


def test_termination_protection_is_recorded_in_the_manifest(app, assembly_of):
    CfnResource(Stack(app, "Main", termination_protection=True), "Queue", type=QUEUE)

    assert assembly_of(app).manifest()["stacks"]["Main"]["termination_protection"] is True


def test_add_transform_writes_the_transform_once(stack, app, template_of):
    CfnResource(stack, "Queue", type=QUEUE)
    stack.add_transform("AWS::Serverless-2016-10-31")
    stack.add_transform("AWS::Serverless-2016-10-31")

    assert template_of(app)["Transform"] == "AWS::Serverless-2016-10-31"


def test_template_metadata_is_written_at_the_top_of_the_template(stack, app, template_of):
    CfnResource(stack, "Queue", type=QUEUE)
    stack.add_template_metadata("Owner", {"Team": "core"})

    assert template_of(app)["Metadata"] == {"Owner": {"Team": "core"}}


def test_import_iac_leaves_the_props_machinery_for_the_first_construction():
    """Stack, Parameter and Output are imported by `import iac`: their checks must not load props.py (and
    with it the schemas' accessors) at import time, only when a construct is first built."""
    script = (
        "import sys, iac\n"
        "print('iac.constructs.core.props' in sys.modules, 'jsonschema' in sys.modules)\n"
        "iac.Stack(iac.App(), 'Main', description='d')\n"
        "print('iac.constructs.core.props' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)

    assert result.stdout.split() == ["False", "False", "True"]
