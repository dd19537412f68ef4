"""The construct tree: scopes, ids and paths, and a clear error for every way to build it wrongly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from iac import App, CfnResource, Construct, ConstructError, Stack

QUEUE = "AWS::SQS::Queue"
THIS_FILE = Path(__file__).name


def next_line() -> int:
    """The number of the caller's next line: where the construct under test is created."""
    return sys._getframe(1).f_lineno + 1


# -- paths and children ------------------------------------------------------------------------


def test_path_is_the_ids_from_the_root_joined_with_slashes(app):
    network = Stack(app, "Network")
    group = Construct(network, "Group")
    queue = CfnResource(group, "Queue", type=QUEUE)

    assert app.path == ""
    assert network.path == "Network"
    assert group.path == "Network/Group"
    assert queue.path == "Network/Group/Queue"


def test_children_are_listed_in_creation_order(stack):
    for id in ("Zebra", "Apple", "Mango"):
        CfnResource(stack, id, type=QUEUE)

    assert [child.id for child in stack.children] == ["Zebra", "Apple", "Mango"]


def test_walk_visits_the_subtree_depth_first_in_creation_order(app):
    first = Stack(app, "First")
    group = Construct(first, "Group")
    CfnResource(group, "Inner", type=QUEUE)
    CfnResource(first, "After", type=QUEUE)
    Stack(app, "Second")

    assert [node.path for node in app.walk()] == [
        "", "First", "First/Group", "First/Group/Inner", "First/After", "Second",
    ]


def test_find_child_returns_the_child_with_that_id_or_none(stack):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    assert stack.find_child("Queue") is queue
    assert stack.find_child("Missing") is None


def test_every_construct_knows_its_root_and_its_stack(app):
    stack = Stack(app, "Network")
    queue = CfnResource(Construct(Construct(stack, "A"), "B"), "Queue", type=QUEUE)

    assert queue.root is app
    assert queue.stack is stack
    assert stack.stack is stack


def test_app_lists_its_stacks_in_creation_order(app):
    second_level = Construct(app, "Group")
    Stack(app, "One")
    Stack(second_level, "Two")
    Stack(app, "Three")

    assert [stack.path for stack in app.stacks] == ["Group/Two", "One", "Three"]


def test_repr_shows_the_type_and_path(stack):
    assert repr(CfnResource(stack, "Queue", type=QUEUE)) == "<CfnResource Main/Queue>"


# -- where the user created it -----------------------------------------------------------------


def test_location_is_the_users_own_file_and_line(stack):
    line = next_line()
    queue = CfnResource(stack, "Queue", type=QUEUE)

    assert queue.location.file == __file__
    assert queue.location.line == line
    assert queue.location.source_line == 'queue = CfnResource(stack, "Queue", type=QUEUE)'


class _Pair(Construct):
    """A user's own composite construct: its children are created inside its __init__."""

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.line = next_line()
        self.queue = CfnResource(self, "Queue", type=QUEUE)


def test_location_of_a_child_made_by_a_users_construct_is_the_line_inside_that_construct(stack):
    pair = _Pair(stack, "Pair")

    assert pair.queue.location.file == __file__
    assert pair.queue.location.line == pair.line


# -- ids -------------------------------------------------------------------------------------


def test_duplicate_id_error_names_the_path_and_the_users_file_and_line(stack):
    first_line = next_line()
    CfnResource(stack, "Queue", type=QUEUE)

    with pytest.raises(ConstructError) as caught:
        line = next_line()
        CfnResource(stack, "Queue", type=QUEUE)

    error = caught.value
    assert error.path == "Main/Queue"
    assert error.location.file == __file__
    assert error.location.line == line
    assert f"{THIS_FILE}:{line}" in str(error.location)
    assert "already a construct with id 'Queue' in Main" in error.message
    assert f"{THIS_FILE}:{first_line}" in error.message  # and where the first one was made


def test_the_same_id_under_different_scopes_is_fine(app):
    one, two = Stack(app, "One"), Stack(app, "Two")

    assert CfnResource(one, "Queue", type=QUEUE).path == "One/Queue"
    assert CfnResource(two, "Queue", type=QUEUE).path == "Two/Queue"


@pytest.mark.parametrize(
    ("bad_id", "message"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("a/b", "must not contain '/'"),
        (42, "must be a string, got int"),
        (None, "must be a string, got NoneType"),
    ],
    ids=["empty", "blank", "slash", "int", "none"],
)
def test_bad_ids_are_refused_at_the_users_line(stack, bad_id, message):
    with pytest.raises(ConstructError, match=message) as caught:
        line = next_line()
        CfnResource(stack, bad_id, type=QUEUE)

    assert caught.value.location.file == __file__
    assert caught.value.location.line == line


def test_an_id_holding_a_deploy_time_value_is_refused(stack):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    with pytest.raises(ConstructError, match="plain string, not a deploy-time value"):
        CfnResource(stack, f"Copy{queue.ref}", type=QUEUE)


def test_a_slash_in_an_id_comes_with_a_hint(stack):
    with pytest.raises(ConstructError) as caught:
        CfnResource(stack, "a/b", type=QUEUE)

    assert "'a-b'" in caught.value.hint


# -- scopes ----------------------------------------------------------------------------------


def test_scope_that_is_not_a_construct_is_refused(app):
    with pytest.raises(ConstructError, match="scope of construct 'Queue' must be a Construct.*got str") as caught:
        line = next_line()
        CfnResource("Main", "Queue", type=QUEUE)

    assert caught.value.location.line == line


def test_resource_outside_a_stack_is_refused(app):
    with pytest.raises(ConstructError, match="'Queue' is not inside a Stack") as caught:
        CfnResource(app, "Queue", type=QUEUE)

    assert caught.value.path == "Queue"
    assert caught.value.location.file == __file__


def test_resource_in_a_plain_construct_outside_any_stack_is_refused(app):
    group = Construct(app, "Group")

    with pytest.raises(ConstructError, match="not inside a Stack"):
        CfnResource(group, "Queue", type=QUEUE)


def test_plain_constructs_may_sit_directly_under_the_app(app):
    group = Construct(app, "Group")

    assert group.path == "Group"
    with pytest.raises(ConstructError, match="not inside a Stack"):
        _ = group.stack


def test_an_app_is_the_root_and_has_an_empty_path():
    app = App()

    assert app.scope is None
    assert app.root is app
    assert app.path == ""
    assert app.children == []


def test_an_attrs_validation_error_shows_its_message_not_the_attribute_repr():
    import attrs

    @attrs.define(kw_only=True)
    class GadgetProps:
        architecture: str = attrs.field(default="x86_64", validator=attrs.validators.in_(("x86_64", "arm64")))

    class Gadget(Construct):  # a construct still built on an attrs props record (Construct._build_props)
        def __init__(self, scope: Construct, id: str, **props: object) -> None:
            super().__init__(scope, id)
            self.props = self._build_props(GadgetProps, props)

    with pytest.raises(ConstructError) as caught:
        Gadget(Stack(App(), "S"), "G", architecture="arm")
    assert "'architecture' must be in ('x86_64', 'arm64') (got 'arm')" in caught.value.message
    assert "Attribute(" not in caught.value.message
    assert caught.value.location.file == __file__


def test_an_unknown_app_format_is_refused_at_the_users_line():
    with pytest.raises(ConstructError, match="not a template format") as caught:
        App(format="xml")
    assert caught.value.location.file == __file__
