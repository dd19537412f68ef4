"""Aspects.of(scope).add(visitor): visitors over the tree before synth, their findings and their changes."""

from __future__ import annotations

import pytest

from iac import Annotations, Aspects, CfnResource, Construct, ConstructError, Stack, ValidationError
from iac.synth import synthesize, synthesize_app

QUEUE = "AWS::SQS::Queue"


class Recorder:
    def __init__(self) -> None:
        self.visited: list[str] = []

    def visit(self, node: Construct) -> None:
        self.visited.append(node.path)


class QueuesNeedRetention:
    def __init__(self, severity: str = "error") -> None:
        self.severity = severity

    def visit(self, node: Construct) -> None:
        if (isinstance(node, CfnResource) and node.resource_type == QUEUE
                and "MessageRetentionPeriod" not in node.properties):
            annotations = Annotations.of(node)
            add = annotations.add_error if self.severity == "error" else annotations.add_warning
            add("queues must set MessageRetentionPeriod", hint="set message_retention=")


def test_an_aspect_visits_the_scope_and_everything_below_it_parents_first(app, stack):
    group = Construct(stack, "Group")
    CfnResource(group, "Q", type=QUEUE)
    CfnResource(stack, "Other", type=QUEUE)
    recorder = Recorder()
    Aspects.of(group).add(recorder)

    synthesize(app)
    assert recorder.visited == ["Main/Group", "Main/Group/Q"]


def test_outer_aspects_run_before_inner_ones_on_each_node(app, stack):
    order: list[str] = []

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def visit(self, node: Construct) -> None:
            if node.path == "Main/Q":
                order.append(self.name)

    CfnResource(stack, "Q", type=QUEUE)
    Aspects.of(stack).add(Named("stack-1"))
    Aspects.of(app).add(Named("app"))
    Aspects.of(stack).add(Named("stack-2"))

    synthesize(app)
    assert order == ["app", "stack-1", "stack-2"]


def test_an_error_finding_fails_the_synth_with_the_nodes_path_and_line(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    Aspects.of(stack).add(QueuesNeedRetention())

    with pytest.raises(ValidationError) as caught:
        synthesize(app)
    [problem] = caught.value.problems
    assert problem.message == "queues must set MessageRetentionPeriod"
    assert problem.path == "Main/Q"
    assert problem.location.file == __file__
    assert problem.hint.startswith("set message_retention=; found by QueuesNeedRetention (added at ")
    assert "test_aspects.py:" in problem.hint


def test_a_warning_finding_is_kept_as_a_warning(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    Aspects.of(stack).add(QueuesNeedRetention("warning"))

    assembly = synthesize(app)
    assert [(w.severity, w.path, w.message) for w in assembly.warnings] == [
        ("warning", "Main/Q", "queues must set MessageRetentionPeriod")]


def test_a_warning_finding_fails_a_strict_synth(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    Aspects.of(stack).add(QueuesNeedRetention("warning"))

    with pytest.raises(ValidationError, match="queues must set MessageRetentionPeriod"):
        synthesize_app(app, lint=False, strict=True)


def test_a_warning_finding_survives_validation(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    Aspects.of(stack).add(QueuesNeedRetention("warning"))

    assembly = synthesize_app(app, lint=False)
    assert [w.message for w in assembly.warnings if w.code == "aspect"] == ["queues must set MessageRetentionPeriod"]


def test_an_aspect_may_change_the_resources_it_visits(app, stack):
    CfnResource(stack, "Q", type=QUEUE)

    class SetRetention:
        def visit(self, node: Construct) -> None:
            if isinstance(node, CfnResource) and node.resource_type == QUEUE:
                node.properties["MessageRetentionPeriod"] = 1209600

    Aspects.of(stack).add(SetRetention())
    Aspects.of(stack).add(QueuesNeedRetention())  # sees the change: no finding

    assert synthesize(app).template("Main")["Resources"]["Q"]["Properties"] == {"MessageRetentionPeriod": 1209600}


def test_a_construct_an_aspect_adds_is_visited_too(app, stack):
    recorder = Recorder()

    class AddQueue:
        def visit(self, node: Construct) -> None:
            if node is stack and stack.find_child("Added") is None:
                CfnResource(stack, "Added", type=QUEUE)

    Aspects.of(app).add(AddQueue())
    Aspects.of(app).add(recorder)
    CfnResource(stack, "Q", type=QUEUE)

    template = synthesize(app).template("Main")
    assert set(template["Resources"]) == {"Q", "Added"}
    assert "Main/Added" in recorder.visited


def test_each_aspect_visits_each_node_once_however_often_the_app_is_synthesized(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    recorder = Recorder()
    Aspects.of(stack).add(recorder)

    synthesize(app)
    synthesize(app)
    assert recorder.visited == ["Main", "Main/Q"]


def test_a_failing_visitor_is_named_with_the_node_and_the_line_that_added_it(app, stack):
    class Broken:
        def visit(self, node: Construct) -> None:
            raise KeyError("oops")

    Aspects.of(stack).add(Broken())

    with pytest.raises(ConstructError, match=r"aspect Broken failed on Main: KeyError: 'oops'") as caught:
        synthesize(app)
    assert caught.value.location.file == __file__


def test_an_object_without_visit_is_refused_at_the_users_line(stack):
    with pytest.raises(ConstructError, match="an aspect needs a visit\\(node\\) method; str has none") as caught:
        Aspects.of(stack).add("not an aspect")  # type: ignore[arg-type]

    assert caught.value.location.file == __file__


def test_an_annotation_added_outside_any_aspect_is_reported_too(app, stack):
    queue = CfnResource(stack, "Q", type=QUEUE)
    Annotations.of(queue).add_warning("check this one")

    [warning] = synthesize(app).warnings
    assert (warning.path, warning.message, warning.hint) == ("Main/Q", "check this one", None)


def test_all_lists_the_aspects_of_the_scope_itself(app):
    stack = Stack(app, "Main")
    first, second = Recorder(), Recorder()
    Aspects.of(stack).add(first)
    Aspects.of(app).add(second)

    assert Aspects.of(stack).all == [first]
