"""CloudFormation's hard limits, checked at synth with errors that name the stack."""

from __future__ import annotations

import pytest

from iac import CfnResource, Output, Parameter, Stack, ValidationError
from iac.synth.limits import MAX_TEMPLATE_BYTES, check_limits

QUEUE = "AWS::SQS::Queue"


def only_problem(app, assembly_of):
    with pytest.raises(ValidationError) as caught:
        assembly_of(app)
    assert len(caught.value.problems) == 1
    return caught.value.problems[0]


def test_500_resources_are_allowed(stack, app, assembly_of):
    for i in range(500):
        CfnResource(stack, f"Queue{i}", type=QUEUE)

    assert assembly_of(app).stack("Main").resource_count == 500


def test_501_resources_are_too_many(stack, app, assembly_of):
    for i in range(501):
        CfnResource(stack, f"Queue{i}", type=QUEUE)

    problem = only_problem(app, assembly_of)

    assert problem.message == "stack 'Main' has 501 resources; CloudFormation allows at most 500"
    assert "split the app into several stacks" in problem.hint


def test_201_parameters_are_too_many(stack, app, assembly_of):
    CfnResource(stack, "Queue", type=QUEUE)
    for i in range(201):
        Parameter(stack, f"Param{i}")

    problem = only_problem(app, assembly_of)

    assert problem.message == "stack 'Main' has 201 parameters; CloudFormation allows at most 200"


def test_201_outputs_are_too_many(stack, app, assembly_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    for i in range(201):
        Output(stack, f"Out{i}", value=queue.ref)

    assert only_problem(app, assembly_of).message == "stack 'Main' has 201 outputs; CloudFormation allows at most 200"


def test_200_parameters_and_200_outputs_are_allowed(stack, app, assembly_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    for i in range(200):
        Parameter(stack, f"Param{i}")
        Output(stack, f"Out{i}", value=queue.ref)

    assembly_of(app)


def test_a_template_over_1_mb_is_too_big(stack, app, assembly_of, echo):
    echo(stack, "Big", Payload="x" * MAX_TEMPLATE_BYTES)

    problem = only_problem(app, assembly_of)

    assert problem.message.startswith("the template of stack 'Main' is 1,04")
    assert "CloudFormation accepts at most 1,048,576 (1 MB)" in problem.message


def test_size_is_counted_in_utf8_bytes_not_characters(stack, app, assembly_of, echo):
    echo(stack, "Big", Payload="é" * (MAX_TEMPLATE_BYTES // 2))  # 2 bytes each

    assert "the template of stack 'Main' is" in only_problem(app, assembly_of).message


def test_a_description_over_1024_bytes_is_too_long(app, assembly_of):
    CfnResource(Stack(app, "Main", description="d" * 1025), "Queue", type=QUEUE)

    assert "the description of stack 'Main' is 1025 bytes; the limit is 1024" in only_problem(app, assembly_of).message


def test_a_stack_with_no_resources_is_an_error_at_the_line_that_made_the_stack(app, assembly_of):
    empty = Stack(app, "Empty")
    Parameter(empty, "Unused")

    problem = only_problem(app, assembly_of)

    assert problem.message == "stack 'Empty' has no resources; CloudFormation needs at least one"
    assert problem.path == "Empty"
    assert problem.location == empty.location
    assert problem.location.file == __file__


def test_every_limit_broken_is_reported_together(stack, app, assembly_of):
    queue = CfnResource(stack, "Queue", type=QUEUE)
    for i in range(201):
        Parameter(stack, f"Param{i}")
        Output(stack, f"Out{i}", value=queue.ref)

    with pytest.raises(ValidationError) as caught:
        assembly_of(app)

    assert len(caught.value.problems) == 2
    assert "2 problems found" in str(caught.value)


def test_an_invalid_logical_id_in_a_template_is_reported_with_its_construct():
    template = {"Resources": {"bad-id": {"Type": QUEUE}, "Good": {"Type": QUEUE}}}
    locate = {("Resources", "bad-id"): ("Main/Bad", None)}.get

    problems = check_limits("Main", template, 100, lambda section, lid: locate((section, lid)))

    assert [p.message for p in problems] == [
        "logical id 'bad-id' is invalid: CloudFormation accepts 1-255 letters and digits"
    ]
    assert problems[0].path == "Main/Bad"


def test_ids_too_long_for_cloudformation_are_reported_in_every_section():
    template = {"Outputs": {"O" * 256: {"Value": "x"}}, "Conditions": {"C-1": {"Fn::Equals": ["a", "b"]}}}

    problems = check_limits("Main", template, 100, lambda section, lid: ("Main", None))

    assert len(problems) == 2


def test_sections_that_are_not_mappings_are_left_to_the_schema_layer():
    from iac.synth.limits import check_limits

    template = {"Resources": 5, "Parameters": ["a"], "Outputs": "x", "Mappings": None}
    assert check_limits("t.yaml", template, 10, lambda section, logical_id: (None, None)) == []
