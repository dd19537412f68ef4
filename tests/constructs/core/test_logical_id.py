"""Logical IDs: a stability contract. If an id changes, CloudFormation replaces the resource.

The pinned ids below were computed once and written down by hand. If a change to the algorithm
makes this test fail, that change would replace users' deployed resources: don't update the pins.
"""

from __future__ import annotations

import pytest

from iac import CfnResource, Construct, ConstructError, Parameter, Stack, SynthError
from iac.constructs.core.logical_id import is_valid_logical_id, make_logical_id

QUEUE = "AWS::SQS::Queue"


@pytest.mark.parametrize(
    ("path", "pinned"),
    [
        (["GetFunction", "ServiceRole", "Resource"], "GetFunctionServiceRoleE63CDF24"),
        (["Table", "Resource"], "TableCD117FA1"),
        (["Api", "Default"], "ApiC19D37BB"),
        (["Network", "Vpc", "PublicSubnet1", "RouteTable"], "NetworkVpcPublicSubnet1RouteTable30235CE2"),
        (["my-bucket"], "mybucket60180BBB"),
        (["a-b", "c_d"], "abcdBAD64BCA"),
        (["A", "A"], "A1164CB75"),
        (["Queue"], "Queue"),
    ],
)
def test_logical_ids_are_pinned(path, pinned):
    assert make_logical_id(path) == pinned


def test_a_single_top_level_alphanumeric_id_is_kept_as_is():
    assert make_logical_id(["Queue"]) == "Queue"
    assert make_logical_id(["Resource"]) == "Resource"


def test_deeper_paths_get_a_readable_part_and_an_eight_hex_digit_hash():
    logical_id = make_logical_id(["GetFunction", "ServiceRole", "Resource"])

    readable, digest = logical_id[:-8], logical_id[-8:]
    assert readable == "GetFunctionServiceRole"
    assert all(c in "0123456789ABCDEF" for c in digest)


def test_resource_and_default_components_are_elided_from_the_readable_part():
    assert make_logical_id(["Table", "Resource"]).startswith("Table")
    assert make_logical_id(["Api", "Default", "Stage"])[:-8] == "ApiStage"


def test_the_hash_still_tells_apart_paths_that_differ_only_by_elided_components():
    assert make_logical_id(["Table", "Resource"]) != make_logical_id(["Table", "Default"])


def test_non_alphanumeric_characters_are_dropped():
    logical_id = make_logical_id(["web-server", "security_group", "rule.80", "été"])

    assert logical_id[:-8] == "webserversecuritygrouprule80t"
    assert is_valid_logical_id(logical_id)


def test_a_single_id_with_other_characters_gets_a_hash():
    assert make_logical_id(["my-queue"]) == "myqueue" + make_logical_id(["my-queue"])[-8:]
    assert len(make_logical_id(["my-queue"])) == len("myqueue") + 8


@pytest.mark.parametrize("path", [["X" * 300], ["Y" * 200, "Z" * 200], ["A" * 60] * 10])
def test_very_long_paths_give_valid_ids_of_at_most_255_characters(path):
    logical_id = make_logical_id(path)

    assert len(logical_id) <= 255
    assert is_valid_logical_id(logical_id)


def test_long_paths_that_share_a_prefix_still_get_different_ids():
    assert make_logical_id(["A" * 300, "One"]) != make_logical_id(["A" * 300, "Two"])


def test_the_same_path_gives_the_same_id_every_time():
    assert make_logical_id(["Service", "Role"]) == make_logical_id(["Service", "Role"])


def test_a_resource_logical_id_comes_from_its_path_below_the_stack(app):
    stack = Stack(Construct(app, "Prod"), "Api")
    role = CfnResource(Construct(Construct(stack, "GetFunction"), "ServiceRole"), "Resource", type="AWS::IAM::Role")

    assert role.logical_id == "GetFunctionServiceRoleE63CDF24"


def test_the_stack_path_does_not_change_logical_ids(app):
    one = CfnResource(Construct(Stack(app, "One"), "Table"), "Resource", type=QUEUE)
    two = CfnResource(Construct(Stack(Construct(app, "Deep"), "Two"), "Table"), "Resource", type=QUEUE)

    assert one.logical_id == two.logical_id == "TableCD117FA1"


def test_override_logical_id_pins_the_id(stack, app, template_of):
    queue = CfnResource(Construct(stack, "Moved"), "Queue", type=QUEUE)
    queue.override_logical_id("OriginalQueue")

    assert queue.logical_id == "OriginalQueue"
    assert list(template_of(app)["Resources"]) == ["OriginalQueue"]


@pytest.mark.parametrize("bad", ["bad-id", "", "with space", "A" * 256, 42])
def test_override_logical_id_refuses_ids_cloudformation_would_reject(stack, bad):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    with pytest.raises(ConstructError, match="is invalid: CloudFormation accepts 1-255 letters and digits"):
        queue.override_logical_id(bad)


def test_override_logical_id_accepts_the_longest_valid_id(stack):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    queue.override_logical_id("A" * 255)

    assert queue.logical_id == "A" * 255


def test_two_resources_with_the_same_logical_id_in_one_stack_are_an_error(stack, app, assembly_of):
    CfnResource(stack, "Queue", type=QUEUE)
    other = CfnResource(stack, "Other", type=QUEUE)
    other.override_logical_id("Queue")

    expected = "logical id 'Queue' is used twice in stack 'Main': by Main/Queue and by Main/Other"
    with pytest.raises(SynthError, match=expected):
        assembly_of(app)


def test_a_parameter_and_a_resource_cannot_share_a_logical_id(stack, app, assembly_of):
    CfnResource(stack, "Queue", type=QUEUE)
    Parameter(stack, "Size").override_logical_id("Queue")

    with pytest.raises(SynthError, match="logical id 'Queue' is used twice"):
        assembly_of(app)


def test_the_same_logical_id_in_two_stacks_is_fine(app, assembly_of):
    CfnResource(Stack(app, "One"), "Queue", type=QUEUE)
    CfnResource(Stack(app, "Two"), "Queue", type=QUEUE)

    assembly = assembly_of(app)

    assert list(assembly.template("One")["Resources"]) == list(assembly.template("Two")["Resources"]) == ["Queue"]
