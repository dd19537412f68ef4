"""Dependency cycles inside a stack: found at synth and reported as the resources along the cycle."""

from __future__ import annotations

import pytest

from iac import CfnResource, Fn, ValidationError
from iac.synth.graph import find_cycles, topological_order

TOPIC = "AWS::SNS::Topic"


def cycle_problem(app, assembly_of):
    with pytest.raises(ValidationError) as caught:
        assembly_of(app)
    problems = caught.value.problems
    assert len(problems) == 1
    return problems[0]


def test_two_resources_referring_to_each_other_are_a_cycle(stack, app, assembly_of):
    a = CfnResource(stack, "A", type=TOPIC)
    b = CfnResource(stack, "B", type=TOPIC, properties={"DisplayName": a.ref})
    a.properties["DisplayName"] = b.get_att("TopicName")

    problem = cycle_problem(app, assembly_of)

    assert "dependency cycle between resources: A -> B -> A" in problem.message
    assert "A = Main/A" in problem.message and "B = Main/B" in problem.message


def test_a_cycle_error_points_at_the_users_line_for_each_resource(stack, app, assembly_of):
    a = CfnResource(stack, "A", type=TOPIC)
    b = CfnResource(stack, "B", type=TOPIC, depends_on=[a])
    a.add_depends_on(b)

    problem = cycle_problem(app, assembly_of)

    assert problem.path == "Main/A"
    assert problem.location.file == __file__
    assert f"({a.location})" in problem.message and f"({b.location})" in problem.message


def test_a_three_resource_cycle_lists_all_three_in_order(stack, app, assembly_of):
    a = CfnResource(stack, "A", type=TOPIC)
    b = CfnResource(stack, "B", type=TOPIC, depends_on=[a])
    c = CfnResource(stack, "C", type=TOPIC, properties={"DisplayName": f"after-{b.ref}"})
    a.add_depends_on(c)

    problem = cycle_problem(app, assembly_of)

    assert "A -> C -> B -> A" in problem.message


def test_depends_on_its_own_logical_id_is_a_cycle(stack, app, assembly_of):
    CfnResource(stack, "A", type=TOPIC, depends_on=["A"])

    problem = cycle_problem(app, assembly_of)

    assert "dependency cycle between resources: A -> A" in problem.message


def test_a_reference_to_itself_is_a_cycle(stack, app, assembly_of):
    a = CfnResource(stack, "A", type=TOPIC)
    a.properties["DisplayName"] = a.get_att("TopicName")

    assert "A -> A" in cycle_problem(app, assembly_of).message


def test_a_cycle_through_fn_sub_dollar_names_is_found(stack, app, assembly_of):
    CfnResource(stack, "A", type=TOPIC, properties={"DisplayName": Fn.sub("after-${B}")})
    CfnResource(stack, "B", type=TOPIC, properties={"DisplayName": Fn.sub("after-${A.TopicName}")})

    assert "A -> B -> A" in cycle_problem(app, assembly_of).message


def test_fn_sub_literals_and_local_variables_are_not_references(stack, app, assembly_of):
    CfnResource(stack, "A", type=TOPIC, properties={"DisplayName": Fn.sub("${!B} ${B}", {"B": "local"})})
    CfnResource(stack, "B", type=TOPIC, properties={"DisplayName": Fn.sub("${A}")})

    assembly_of(app)  # no cycle: A's ${B} is its own variable, ${!B} a literal


def test_every_independent_cycle_is_reported(stack, app, assembly_of):
    a = CfnResource(stack, "A", type=TOPIC, depends_on=["B"])
    CfnResource(stack, "B", type=TOPIC, depends_on=[a])
    c = CfnResource(stack, "C", type=TOPIC, depends_on=["D"])
    CfnResource(stack, "D", type=TOPIC, depends_on=[c])

    with pytest.raises(ValidationError) as caught:
        assembly_of(app)

    messages = [problem.message for problem in caught.value.problems]
    assert len(messages) == 2
    assert "A -> B -> A" in messages[0] and "C -> D -> C" in messages[1]


def test_a_chain_of_references_is_not_a_cycle(stack, app, assembly_of):
    a = CfnResource(stack, "A", type=TOPIC)
    b = CfnResource(stack, "B", type=TOPIC, properties={"DisplayName": a.get_att("TopicName")})
    CfnResource(stack, "C", type=TOPIC, depends_on=[a, b], properties={"DisplayName": b.get_att("TopicName")})

    assert list(assembly_of(app).template("Main")["Resources"]) == ["A", "B", "C"]


# -- the graph functions -----------------------------------------------------------------------


def test_find_cycles_returns_each_cycle_with_its_first_node_repeated():
    assert find_cycles({"A": ["B"], "B": ["C"], "C": ["A"], "D": []}) == [["A", "B", "C", "A"]]


def test_find_cycles_finds_self_loops_and_ignores_unknown_targets():
    assert find_cycles({"A": ["A", "Elsewhere"], "B": ["A"]}) == [["A", "A"]]


def test_find_cycles_of_an_acyclic_graph_is_empty():
    assert find_cycles({"A": ["B", "C"], "B": ["C"], "C": []}) == []


def test_topological_order_puts_dependencies_first_and_keeps_ties_in_order():
    assert topological_order({"App": ["Db", "Net"], "Db": ["Net"], "Net": [], "Tools": []}) == [
        "Net", "Db", "App", "Tools",
    ]
