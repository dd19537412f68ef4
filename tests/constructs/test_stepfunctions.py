"""stepfunctions: each state kind written as the Amazon States Language says, conditions, retries and
catches; the graph check (each error naming the state and the user's line); the role's policy for each
integration, pinned; logging, tracing, Express rules, grants; and cfn-lint (which validates the
definition against the ASL schema, E3601) finding nothing."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import awslambda, cloudwatch, dynamodb, ec2, ecs, iam, logs, sns, sqs
from iac.constructs import stepfunctions as sfn
from iac.specs import iam_action_resource_types
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

PARTITION = {"Ref": "AWS::Partition"}


def line() -> int:
    """The line of the caller: `state, where = sfn.Pass("A"), line()` records where the state was made."""
    return sys._getframe(1).f_lineno


def function(stack: Stack, id: str = "Fn") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=awslambda.Code.from_inline("exports.handler = async () => ({});"))


def table(stack: Stack) -> dynamodb.Table:
    return dynamodb.Table(stack, "Orders", partition_key=dynamodb.Attribute("pk", dynamodb.AttributeType.STRING))


def entry(app: App, machine: sfn.StateMachine) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"][machine.resource.logical_id]


def definition(app: App, machine: sfn.StateMachine) -> dict[str, Any]:
    return json.loads(entry(app, machine)["Properties"]["DefinitionString"])


def states(app: App, machine: sfn.StateMachine) -> dict[str, Any]:
    return definition(app, machine)["States"]


def policy(app: App, machine: sfn.StateMachine) -> list[dict[str, Any]]:
    resources = synthesize(app).template("Main")["Resources"]
    return resources[machine.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def getatt(construct: Any, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [construct.resource.logical_id, attribute]}


def ref(construct: Any) -> dict[str, Any]:
    return {"Ref": construct.resource.logical_id}


def integration(name: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", PARTITION, f":states:::{name}"]]}


# -- the states, as the States Language writes them --------------------------------------------------

def test_a_single_pass_state_is_the_whole_definition(app, stack):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello", result={"greeting": "hi"}))

    assert definition(app, machine) == {
        "StartAt": "Hello",
        "States": {"Hello": {"Type": "Pass", "Result": {"greeting": "hi"}, "End": True}},
    }


def test_pass_writes_its_paths_and_parameters(app, stack):
    state = sfn.Pass("Shape", comment="reshape", input_path="$.order", parameters={"id.$": "$.id", "kind": "order"},
                     result_path="$.shaped", output_path="$.shaped")
    machine = sfn.StateMachine(stack, "Machine", definition=state)

    assert states(app, machine)["Shape"] == {
        "Type": "Pass", "Comment": "reshape", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "kind": "order"},
        "ResultPath": "$.shaped", "OutputPath": "$.shaped", "End": True}


def test_next_chains_states_and_the_last_one_ends(app, stack):
    first, second, third = sfn.Pass("One"), sfn.Pass("Two"), sfn.Pass("Three")
    machine = sfn.StateMachine(stack, "Machine", definition=first.next(second).next(third))

    assert states(app, machine) == {"One": {"Type": "Pass", "Next": "Two"}, "Two": {"Type": "Pass", "Next": "Three"},
                                    "Three": {"Type": "Pass", "End": True}}


def test_chain_start_builds_a_chain_from_its_first_state(app, stack):
    chain = sfn.Chain.start(sfn.Pass("One")).next(sfn.Pass("Two"))
    machine = sfn.StateMachine(stack, "Machine", definition=chain)

    assert definition(app, machine)["StartAt"] == "One"
    assert list(states(app, machine)) == ["One", "Two"]


@pytest.mark.parametrize(("options", "written"), [
    ({"seconds": 30}, {"Seconds": 30}),
    ({"seconds": Duration.minutes(2)}, {"Seconds": 120}),
    ({"seconds_path": "$.delay"}, {"SecondsPath": "$.delay"}),
    ({"timestamp": "2026-12-31T00:00:00Z"}, {"Timestamp": "2026-12-31T00:00:00Z"}),
    ({"timestamp_path": "$.until"}, {"TimestampPath": "$.until"}),
])
def test_wait_writes_the_one_time_it_is_given(app, stack, options, written):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Wait("Pause", **options))

    assert states(app, machine)["Pause"] == {"Type": "Wait", **written, "End": True}


def test_succeed_and_fail_end_the_run(app, stack):
    choice = (sfn.Choice("Ok?")
              .when(sfn.Condition.boolean_equals("$.ok", True), sfn.Succeed("Done", comment="fine"))
              .otherwise(sfn.Fail("Broken", error="OrderRejected", cause="the order was refused")))
    machine = sfn.StateMachine(stack, "Machine", definition=choice)

    written = states(app, machine)
    assert written["Done"] == {"Type": "Succeed", "Comment": "fine"}
    assert written["Broken"] == {"Type": "Fail", "Error": "OrderRejected", "Cause": "the order was refused"}


def test_fail_takes_its_error_and_cause_from_paths(app, stack):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Fail("Broken", error_path="$.e", cause_path="$.c"))

    assert states(app, machine)["Broken"] == {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "$.c"}


def test_choice_writes_its_rules_in_order_and_its_default(app, stack):
    paid, pending, other = sfn.Succeed("Paid"), sfn.Pass("Pending"), sfn.Fail("Unknown")
    choice = (sfn.Choice("Status?", comment="by status")
              .when(sfn.Condition.string_equals("$.status", "PAID"), paid)
              .when(sfn.Condition.or_(sfn.Condition.string_equals("$.status", "NEW"),
                                      sfn.Condition.number_less_than("$.attempts", 3)), pending)
              .otherwise(other))
    pending.next(paid)
    machine = sfn.StateMachine(stack, "Machine", definition=choice)

    assert states(app, machine)["Status?"] == {
        "Type": "Choice", "Comment": "by status",
        "Choices": [
            {"Variable": "$.status", "StringEquals": "PAID", "Next": "Paid"},
            {"Or": [{"Variable": "$.status", "StringEquals": "NEW"},
                    {"Variable": "$.attempts", "NumericLessThan": 3}], "Next": "Pending"},
        ],
        "Default": "Unknown",
    }


@pytest.mark.parametrize(("condition", "written"), [
    (sfn.Condition.string_equals("$.x", "y"), {"Variable": "$.x", "StringEquals": "y"}),
    (sfn.Condition.string_equals_path("$.x", "$.y"), {"Variable": "$.x", "StringEqualsPath": "$.y"}),
    (sfn.Condition.string_matches("$.key", "orders/*.json"), {"Variable": "$.key", "StringMatches": "orders/*.json"}),
    (sfn.Condition.string_less_than("$.x", "m"), {"Variable": "$.x", "StringLessThan": "m"}),
    (sfn.Condition.string_greater_than_equals("$.x", "m"), {"Variable": "$.x", "StringGreaterThanEquals": "m"}),
    (sfn.Condition.number_equals("$.n", 1.5), {"Variable": "$.n", "NumericEquals": 1.5}),
    (sfn.Condition.number_greater_than("$.n", 10), {"Variable": "$.n", "NumericGreaterThan": 10}),
    (sfn.Condition.number_greater_than_equals("$.n", 0), {"Variable": "$.n", "NumericGreaterThanEquals": 0}),
    (sfn.Condition.number_less_than_equals("$.n", 5), {"Variable": "$.n", "NumericLessThanEquals": 5}),
    (sfn.Condition.number_less_than_path("$.n", "$.limit"), {"Variable": "$.n", "NumericLessThanPath": "$.limit"}),
    (sfn.Condition.boolean_equals("$.ok", False), {"Variable": "$.ok", "BooleanEquals": False}),
    (sfn.Condition.timestamp_less_than("$.t", "2026-01-31T12:00:00Z"),
     {"Variable": "$.t", "TimestampLessThan": "2026-01-31T12:00:00Z"}),
    (sfn.Condition.is_present("$.x"), {"Variable": "$.x", "IsPresent": True}),
    (sfn.Condition.is_not_present("$.x"), {"Variable": "$.x", "IsPresent": False}),
    (sfn.Condition.is_null("$.x"), {"Variable": "$.x", "IsNull": True}),
    (sfn.Condition.is_numeric("$.x"), {"Variable": "$.x", "IsNumeric": True}),
    (sfn.Condition.is_string("$.x"), {"Variable": "$.x", "IsString": True}),
    (sfn.Condition.not_(sfn.Condition.is_boolean("$.x")), {"Not": {"Variable": "$.x", "IsBoolean": True}}),
    (sfn.Condition.and_(sfn.Condition.is_present("$.a"), sfn.Condition.is_timestamp("$.a")),
     {"And": [{"Variable": "$.a", "IsPresent": True}, {"Variable": "$.a", "IsTimestamp": True}]}),
])
def test_conditions_are_the_states_language_comparisons(condition, written):
    assert condition.to_asl() == written


@pytest.mark.parametrize(("make", "message"), [
    (lambda: sfn.Condition.string_equals("status", "PAID"), "the variable must be a JSONPath starting with '\\$'"),
    (lambda: sfn.Condition.string_equals("$.status", 3), "StringEquals compares strings, got 3"),
    (lambda: sfn.Condition.number_less_than("$.n", "3"), "NumericLessThan compares numbers, got '3'"),
    (lambda: sfn.Condition.number_equals("$.n", True), "NumericEquals compares numbers, got True"),
    (lambda: sfn.Condition.boolean_equals("$.ok", "yes"), "BooleanEquals compares booleans"),
    (lambda: sfn.Condition.timestamp_equals("$.t", "tomorrow"), "'tomorrow' is not an ISO 8601 timestamp"),
    (lambda: sfn.Condition.string_equals_path("$.x", "y"), "the value to compare with is a path"),
    (lambda: sfn.Condition.and_(), r"Condition.and_\(\) needs at least one condition"),
    (lambda: sfn.Condition.or_({"Variable": "$.x"}), r"Condition.or_\(\) combines conditions"),
])
def test_a_wrong_condition_is_refused_at_the_users_line(make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make()

    assert caught.value.location.file == __file__


def test_parallel_writes_each_branch_as_its_own_graph(app, stack):
    parallel = sfn.Parallel("Both", result_path="$.both", result_selector={"stock.$": "$[0]"})
    parallel.branch(sfn.Pass("Check stock").next(sfn.Pass("Reserve"))).branch(sfn.Pass("Charge"))
    machine = sfn.StateMachine(stack, "Machine", definition=parallel.next(sfn.Succeed("Done")))

    assert states(app, machine)["Both"] == {
        "Type": "Parallel",
        "Branches": [
            {"StartAt": "Check stock", "States": {"Check stock": {"Type": "Pass", "Next": "Reserve"},
                                                  "Reserve": {"Type": "Pass", "End": True}}},
            {"StartAt": "Charge", "States": {"Charge": {"Type": "Pass", "End": True}}},
        ],
        "ResultSelector": {"stock.$": "$[0]"}, "ResultPath": "$.both", "Next": "Done",
    }


def test_map_writes_an_inline_item_processor(app, stack):
    each = sfn.Map("Each order", items_path="$.orders", max_concurrency=5,
                   item_selector={"order.$": "$$.Map.Item.Value"}, item_processor=sfn.Pass("Process"),
                   result_path=sfn.DISCARD)
    machine = sfn.StateMachine(stack, "Machine", definition=each)

    assert states(app, machine)["Each order"] == {
        "Type": "Map", "ItemsPath": "$.orders", "ItemSelector": {"order.$": "$$.Map.Item.Value"}, "MaxConcurrency": 5,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Process",
                          "States": {"Process": {"Type": "Pass", "End": True}}},
        "ResultPath": None, "End": True,
    }


def test_retries_and_catches_are_written_in_the_order_they_were_added(app, stack):
    fallback = sfn.Pass("Fallback")
    task = (sfn.Task("Call", resource="arn:aws:states:::aws-sdk:sts:getCallerIdentity")
            .add_retry(errors=[sfn.Errors.TIMEOUT], interval=Duration.seconds(5), max_attempts=2, backoff_rate=1.5,
                       max_delay=Duration.minutes(1), jitter="FULL")
            .add_retry(max_attempts=0)
            .add_catch(fallback, errors=["Custom.Error"], result_path="$.error")
            .add_catch(sfn.Fail("Failed")))
    fallback.next(sfn.Succeed("Recovered"))
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    written = states(app, machine)["Call"]
    assert written["Retry"] == [
        {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 5, "MaxAttempts": 2, "BackoffRate": 1.5,
         "MaxDelaySeconds": 60, "JitterStrategy": "FULL"},
        {"ErrorEquals": ["States.ALL"], "MaxAttempts": 0},
    ]
    assert written["Catch"] == [
        {"ErrorEquals": ["Custom.Error"], "ResultPath": "$.error", "Next": "Fallback"},
        {"ErrorEquals": ["States.ALL"], "Next": "Failed"},
    ]


def test_a_generic_task_writes_its_resource_parameters_and_timeouts(app, stack):
    task = sfn.Task("Call", resource="arn:aws:states:::aws-sdk:sts:getCallerIdentity", parameters={},
                    timeout=Duration.minutes(5), heartbeat=60, result_selector={"account.$": "$.Account"},
                    policy_statements=[iam.PolicyStatement(actions=["sts:GetCallerIdentity"], resources=["*"])])
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    assert states(app, machine)["Call"] == {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sts:getCallerIdentity", "Parameters": {},
        "ResultSelector": {"account.$": "$.Account"}, "TimeoutSeconds": 300, "HeartbeatSeconds": 60, "End": True}
    assert policy(app, machine) == [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]


def test_a_loop_with_a_way_out_is_a_valid_definition(app, stack):
    wait = sfn.Wait("Wait", seconds=10)
    check = sfn.Pass("Check")
    done = sfn.Choice("Done?").when(sfn.Condition.boolean_equals("$.done", True), sfn.Succeed("Finished"))
    wait.next(check).next(done.otherwise(wait))
    machine = sfn.StateMachine(stack, "Machine", definition=wait)

    assert states(app, machine)["Done?"]["Default"] == "Wait"


def test_a_transition_may_name_its_target(app, stack):
    retry = sfn.Pass("Try")
    choice = (sfn.Choice("Again?").when(sfn.Condition.boolean_equals("$.again", True), "Try")
              .otherwise(sfn.Succeed("Ok")))
    machine = sfn.StateMachine(stack, "Machine", definition=retry.next(choice))

    assert states(app, machine)["Again?"]["Choices"][0]["Next"] == "Try"


# -- bad states, at the user's line ------------------------------------------------------------------

@pytest.mark.parametrize(("make", "message"), [
    (lambda: sfn.Pass(""), "invalid Pass state name ''"),
    (lambda: sfn.Pass("x" * 81), "a state name must match"),
    (lambda: sfn.Pass("P", input_path="order"), "input_path must be a JSONPath starting with '\\$'"),
    (lambda: sfn.Pass("P", parameters={"id.$": 3}), r"parameters\['id.\$'\] ends in '.\$'"),
    (lambda: sfn.Wait("W"), "needs exactly one of seconds=, seconds_path=, timestamp= and timestamp_path=, got 0"),
    (lambda: sfn.Wait("W", seconds=1, seconds_path="$.s"), "got 2"),
    (lambda: sfn.Wait("W", seconds=Duration.millis(1500)), "seconds"),
    (lambda: sfn.Wait("W", seconds=100_000_000), "seconds must be at most 99999999"),
    (lambda: sfn.Fail("F", error="E", error_path="$.e"), "give error= or error_path=, not both"),
    (lambda: sfn.Pass("P", result_path=sfn.DISCARD), "result_path cannot be DISCARD here"),
    (lambda: sfn.Fail("F", error_path=sfn.DISCARD), "error_path cannot be DISCARD here"),
    (lambda: sfn.Map("M", item_processor="Process"), "item_processor is a state or a chain, not a name"),
    (lambda: sfn.Map("M", item_processor=sfn.Pass("P"), max_concurrency=-1), "max_concurrency must be a whole"),
    (lambda: sfn.Task("T", resource="arn:aws:states:::lambda:invoke", timeout=10, heartbeat=10),
     "heartbeat .* must be shorter"),
    (lambda: sfn.Task("T", resource="my-function"), "resource 'my-function' is not an ARN the States Language"),
    (lambda: sfn.Task("T", resource="arn:aws:states:::lambda:invoke", integration_pattern="WAIT_FOR_TASK_TOKEN"),
     "waits for a task token, but its parameters do not pass one on"),
])
def test_a_wrong_state_is_refused_where_it_is_made(make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make()

    assert caught.value.location.file == __file__


@pytest.mark.parametrize(("add", "message"), [
    (lambda t: t.add_retry(errors=[]), "retrier errors must be a non-empty list"),
    (lambda t: t.add_retry(errors="States.ALL"), "retrier errors must be a non-empty list"),
    (lambda t: t.add_retry(errors=["States.ALL", "States.Timeout"]), "States.ALL must appear alone"),
    (lambda t: t.add_retry().add_retry(errors=["States.Timeout"]), "comes after one for States.ALL"),
    (lambda t: t.add_retry(interval=0), "interval must be at least 1 seconds"),
    (lambda t: t.add_retry(max_attempts=-1), "max_attempts must be a whole number, 0 or more"),
    (lambda t: t.add_retry(backoff_rate=0.5), "backoff_rate must be a number of at least 1.0"),
    (lambda t: t.add_retry(jitter="SOME"), "jitter must be 'FULL' or 'NONE'"),
    (lambda t: t.add_catch(sfn.Fail("F")).add_catch(sfn.Fail("G"), errors=["X"]), "comes after one for States.ALL"),
    (lambda t: t.add_catch(sfn.Fail("F"), result_path="error"), "result_path must be a JSONPath"),
])
def test_a_wrong_retry_or_catch_is_refused_at_the_call(add, message):
    task = sfn.Task("Call", resource="arn:aws:states:::aws-sdk:sts:getCallerIdentity")

    with pytest.raises(ConstructError, match=message) as caught:
        add(task)

    assert caught.value.location.file == __file__


def test_a_state_goes_to_one_next_state_only():
    first = sfn.Pass("One")
    first.next(sfn.Pass("Two"))

    where = line() + 2
    with pytest.raises(ConstructError, match="Pass state 'One' already goes to 'Two'") as caught:
        first.next(sfn.Pass("Three"))

    assert caught.value.location.line == where


def test_a_choice_has_no_next_and_a_chain_ending_in_one_cannot_go_on():
    choice = sfn.Choice("Which?")

    with pytest.raises(ConstructError, match="Choice state 'Which\\?' has no Next"):
        choice.next(sfn.Pass("After"))
    with pytest.raises(ConstructError, match="it ends in Choice state 'Which\\?', which has no Next"):
        sfn.Pass("Before").next(choice).next(sfn.Pass("After"))
    with pytest.raises(ConstructError, match="Succeed state 'Done' has no Next: it ends the run"):
        sfn.Succeed("Done").next(sfn.Pass("After"))
    with pytest.raises(ConstructError, match="it ends in a transition to 'Start', a state named, not held"):
        sfn.Pass("Loop").next("Start").next(sfn.Pass("After"))


# -- the graph check ----------------------------------------------------------------------------------

def test_two_states_with_one_name_are_refused_naming_both_lines(stack):
    first, first_line = sfn.Pass("Step"), line()
    second, second_line = sfn.Pass("Step"), line()

    with pytest.raises(ConstructError, match="two states are named 'Step'") as caught:
        sfn.StateMachine(stack, "Machine", definition=first.next(second))

    assert caught.value.location.line == second_line
    assert f"test_stepfunctions.py:{first_line}" in caught.value.message
    assert caught.value.path == "Main/Machine"


def test_names_are_unique_across_branches_too(stack):
    parallel = sfn.Parallel("Both", branches=[sfn.Pass("Work"), sfn.Pass("Work")])

    with pytest.raises(ConstructError, match="two states are named 'Work'"):
        sfn.StateMachine(stack, "Machine", definition=parallel)


def test_a_named_target_that_does_not_exist_is_refused_with_did_you_mean(stack):
    start = sfn.Pass("Start")
    start.next(sfn.Pass("Process")).next("Procss"); where = line()  # noqa: E702

    with pytest.raises(ConstructError, match="Pass state 'Process' goes to 'Procss' \\(Next\\), but the state "
                                             "machine has no state of that name") as caught:
        sfn.StateMachine(stack, "Machine", definition=start)

    assert caught.value.location.line == where
    assert caught.value.hint == "did you mean 'Process'?"


def test_a_state_that_nothing_goes_to_is_unreachable(stack):
    start = sfn.Pass("Start")
    shared = sfn.Succeed("Done")
    start.next(shared)
    orphan, where = sfn.Pass("Orphan"), line()
    orphan.next(shared)

    with pytest.raises(ConstructError, match="Pass state 'Orphan' is unreachable: it goes to 'Done'") as caught:
        sfn.StateMachine(stack, "Machine", definition=start)

    assert caught.value.location.line == where


def test_a_catch_handler_that_is_never_attached_is_unreachable(stack):
    done = sfn.Succeed("Done")
    work = sfn.Pass("Work").next(done)
    handler, where = sfn.Pass("Handle"), line()
    handler.next(done)

    with pytest.raises(ConstructError, match="'Handle' is unreachable") as caught:
        sfn.StateMachine(stack, "Machine", definition=work)

    assert caught.value.location.line == where


def test_a_loop_without_a_way_out_never_ends(stack):
    wait, where = sfn.Wait("Wait", seconds=5), line()
    check = sfn.Pass("Check")
    wait.next(check).next(wait)

    with pytest.raises(ConstructError, match="Wait state 'Wait' never reaches an end of the state machine: every path "
                                             "from it loops through 'Wait', 'Check' forever") as caught:
        sfn.StateMachine(stack, "Machine", definition=wait)

    assert caught.value.location.line == where


def test_a_choice_loop_whose_only_rule_loops_never_ends(stack):
    wait = sfn.Wait("Wait", seconds=5)
    wait.next(sfn.Choice("Again?").when(sfn.Condition.is_present("$.x"), wait))

    with pytest.raises(ConstructError, match="never reaches an end"):
        sfn.StateMachine(stack, "Machine", definition=wait)


def test_a_branch_cannot_go_to_a_state_outside_it(stack):
    after = sfn.Succeed("After")
    inner = sfn.Pass("Inner")
    inner.next(after); where = line()  # noqa: E702
    parallel = sfn.Parallel("Both", branches=[inner])

    with pytest.raises(ConstructError, match="a transition cannot enter or leave a Parallel branch") as caught:
        sfn.StateMachine(stack, "Machine", definition=parallel.next(after))

    assert caught.value.location.line == where


def test_a_choice_without_choices_is_refused_at_its_line(stack):
    choice, where = sfn.Choice("Empty"), line()

    with pytest.raises(ConstructError, match="Choice state 'Empty' has no choices") as caught:
        sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Start").next(choice))

    assert caught.value.location.line == where


def test_a_parallel_without_branches_is_refused(stack):
    with pytest.raises(ConstructError, match="Parallel state 'Both' has no branches"):
        sfn.StateMachine(stack, "Machine", definition=sfn.Parallel("Both"))


def test_a_state_belongs_to_one_state_machine_and_is_then_closed(stack):
    start = sfn.Pass("Start")
    sfn.StateMachine(stack, "First", definition=start)

    with pytest.raises(ConstructError, match="already belongs to the state machine Main/First"):
        sfn.StateMachine(stack, "Second", definition=start)
    where = line() + 2
    with pytest.raises(ConstructError, match="change a definition before the StateMachine takes it") as caught:
        start.next(sfn.Pass("Later"))

    assert caught.value.location.line == where


def test_a_value_json_cannot_write_is_refused_at_the_state_machines_line(stack):
    where = line() + 2
    with pytest.raises(ConstructError, match="the definition holds a value JSON cannot write") as caught:
        sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello", result={"when": Duration.seconds(1)}))

    assert (caught.value.path, caught.value.location.line) == ("Main/Machine", where)


def test_definition_must_be_a_state_or_a_chain(stack):
    with pytest.raises(ConstructError, match="definition must be State \\| Chain"):
        sfn.StateMachine(stack, "Machine", definition={"StartAt": "A"})


# -- integrations and the role's policy ---------------------------------------------------------------

def test_lambda_invoke_calls_the_function_and_may_invoke_it_and_its_versions_only(app, stack):
    fn = function(stack)
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.LambdaInvoke("Run", function=fn,
                                                                             output_path="$.Payload"))

    written = states(app, machine)["Run"]
    assert written == {
        "Type": "Task", "Resource": "${ResourceLambdaInvoke}",
        "Parameters": {"FunctionName": "${FnArn}", "Payload.$": "$"}, "OutputPath": "$.Payload",
        "Retry": [{"ErrorEquals": list(sfn.LAMBDA_SERVICE_ERRORS), "IntervalSeconds": 2, "MaxAttempts": 6,
                   "BackoffRate": 2}],
        "End": True}
    assert entry(app, machine)["Properties"]["DefinitionSubstitutions"] == {
        "ResourceLambdaInvoke": integration("lambda:invoke"), "FnArn": getatt(fn)}
    assert policy(app, machine) == [{
        "Effect": "Allow", "Action": "lambda:InvokeFunction",
        "Resource": [getatt(fn), {"Fn::Join": ["", [getatt(fn), ":*"]]}]}]


def test_lambda_invoke_can_send_a_payload_and_wait_for_a_task_token(app, stack):
    task = sfn.LambdaInvoke("Ask", function=function(stack), retry_on_service_exceptions=False,
                            payload=sfn.TaskInput.from_object({"token.$": "$$.Task.Token", "id.$": "$.id"}),
                            integration_pattern="WAIT_FOR_TASK_TOKEN", heartbeat=Duration.hours(1))
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    written = states(app, machine)["Ask"]
    assert written["Resource"] == "${ResourceLambdaInvokeWaitForTaskToken}"
    assert written["Parameters"]["Payload"] == {"token.$": "$$.Task.Token", "id.$": "$.id"}
    assert "Retry" not in written
    assert entry(app, machine)["Properties"]["DefinitionSubstitutions"]["ResourceLambdaInvokeWaitForTaskToken"] == \
        integration("lambda:invoke.waitForTaskToken")


def test_dynamodb_get_and_put_items_with_get_and_put_on_that_table_only(app, stack):
    orders = table(stack)
    get = sfn.DynamoGetItem("Get", table=orders, key={"pk": sfn.DynamoAttribute.string_at("$.id")},
                            consistent_read=True, result_path="$.order")
    put = sfn.DynamoPutItem("Put", table=orders, result_path=sfn.DISCARD, condition_expression="attribute_exists(pk)",
                            item={"pk": sfn.DynamoAttribute.string_at("$.id"), "count": sfn.DynamoAttribute.number(1),
                                  "kind": sfn.DynamoAttribute.string("order"),
                                  "paid": sfn.DynamoAttribute.boolean(False)})
    machine = sfn.StateMachine(stack, "Machine", definition=get.next(put))

    written = states(app, machine)
    assert written["Get"]["Parameters"] == {"TableName": "${OrdersTableName}", "Key": {"pk": {"S.$": "$.id"}},
                                            "ConsistentRead": True}
    assert written["Put"]["Parameters"] == {
        "TableName": "${OrdersTableName}", "ConditionExpression": "attribute_exists(pk)",
        "Item": {"pk": {"S.$": "$.id"}, "count": {"N": "1"}, "kind": {"S": "order"}, "paid": {"BOOL": False}}}
    substitutions = entry(app, machine)["Properties"]["DefinitionSubstitutions"]
    assert substitutions["OrdersTableName"] == ref(orders)
    assert substitutions["ResourceDynamodbGetItem"] == integration("dynamodb:getItem")
    assert substitutions["ResourceDynamodbPutItem"] == integration("dynamodb:putItem")
    assert policy(app, machine) == [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": getatt(orders)}]


def test_a_table_with_a_customer_key_gives_the_key_actions_its_own_grants_give(app, stack):
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    orders = dynamodb.Table(stack, "Orders", partition_key=dynamodb.Attribute("pk", dynamodb.AttributeType.STRING),
                            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED, kms_key_arn=key_arn)
    get = sfn.DynamoGetItem("Get", table=orders, key={"pk": sfn.DynamoAttribute.string_at("$.id")})
    machine = sfn.StateMachine(stack, "Machine", definition=get)

    assert policy(app, machine) == [
        {"Effect": "Allow", "Action": sorted(dynamodb.KMS_READ_ACTIONS), "Resource": key_arn},
        {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": getatt(orders)},
    ]


def test_sns_publish_may_publish_to_that_topic_only(app, stack):
    topic = sns.Topic(stack, "Alerts")
    task = sfn.SnsPublish("Notify", topic=topic, message=sfn.TaskInput.from_json_path("$.detail"), subject="Order")
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    assert states(app, machine)["Notify"]["Parameters"] == {"TopicArn": "${AlertsTopicArn}", "Message.$": "$.detail",
                                                            "Subject": "Order"}
    assert policy(app, machine) == [{"Effect": "Allow", "Action": "sns:Publish", "Resource": ref(topic)}]


def test_sqs_send_message_may_send_to_that_queue_only_and_use_its_key(app, stack):
    key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    queue = sqs.Queue(stack, "Jobs", encryption_key=key_arn)
    task = sfn.SqsSendMessage("Enqueue", queue=queue, message_body=sfn.TaskInput.from_text("go"),
                              delay=Duration.seconds(10))
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    assert states(app, machine)["Enqueue"]["Parameters"] == {"QueueUrl": "${JobsQueueUrl}", "MessageBody": "go",
                                                             "DelaySeconds": 10}
    assert policy(app, machine) == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key_arn},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": getatt(queue)},
    ]


IMPORTED_KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def test_sqs_send_message_to_an_imported_queue_uses_the_key_it_was_imported_with(app, stack):
    queue = sqs.Queue.from_queue_arn(stack, "Jobs", "arn:aws:sqs:us-east-1:123456789012:jobs",
                                     encryption_key=IMPORTED_KEY_ARN)
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.SqsSendMessage(
        "Enqueue", queue=queue, message_body=sfn.TaskInput.from_text("go")))

    assert policy(app, machine) == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": IMPORTED_KEY_ARN},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs"},
    ]


def test_sns_publish_to_an_imported_topic_uses_the_key_it_was_imported_with(app, stack):
    topic = sns.Topic.from_topic_arn(stack, "Alerts", "arn:aws:sns:us-east-1:123456789012:alerts",
                                     encryption_key=IMPORTED_KEY_ARN)
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.SnsPublish(
        "Notify", topic=topic, message=sfn.TaskInput.from_text("done")))

    assert policy(app, machine) == [
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": IMPORTED_KEY_ARN},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:123456789012:alerts"},
    ]


def test_start_execution_may_start_that_machine_only(app, stack):
    child = sfn.StateMachine(stack, "Child", definition=sfn.Pass("Work"))
    task = sfn.StepFunctionsStartExecution("Start child", state_machine=child)
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    assert states(app, machine)["Start child"]["Parameters"] == {"StateMachineArn": "${ChildStateMachineArn}",
                                                                  "Input.$": "$"}
    assert policy(app, machine) == [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": ref(child)}]


def test_start_execution_run_job_may_also_follow_the_execution(app, stack):
    child = sfn.StateMachine(stack, "Child", definition=sfn.Pass("Work"))
    task = sfn.StepFunctionsStartExecution("Run child", state_machine=child, integration_pattern="RUN_JOB")
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    substitutions = entry(app, machine)["Properties"]["DefinitionSubstitutions"]
    assert substitutions["ResourceStatesStartExecutionSync2"] == integration("states:startExecution.sync:2")
    child_name = {"Fn::Select": [6, {"Fn::Split": [":", ref(child)]}]}
    assert policy(app, machine) == [
        {"Effect": "Allow", "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
         "Resource": {"Fn::Join": ["", ["arn:", PARTITION, ":events:", {"Ref": "AWS::Region"}, ":",
                                        {"Ref": "AWS::AccountId"},
                                        ":rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"]]}},
        {"Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"],
         "Resource": {"Fn::Join": ["", ["arn:", PARTITION, ":states:", {"Ref": "AWS::Region"}, ":",
                                        {"Ref": "AWS::AccountId"}, ":execution:", child_name, ":*"]]}},
        {"Effect": "Allow", "Action": "states:StartExecution", "Resource": ref(child)},
    ]


def ecs_job(stack: Stack) -> tuple[ec2.Vpc, ecs.Cluster, ecs.FargateTaskDefinition]:
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    job = ecs.FargateTaskDefinition(stack, "Job")
    job.add_container("app", image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"))
    return vpc, cluster, job


def test_ecs_run_task_may_run_that_task_definition_on_that_cluster_and_pass_its_roles_to_ecs_tasks(app, stack):
    vpc, cluster, job = ecs_job(stack)
    group = ec2.SecurityGroup(stack, "Sg", vpc=vpc)
    task = sfn.EcsRunTask("Run job", cluster=cluster, task_definition=job, security_groups=[group],
                          container_overrides=[{"Name": "app", "Environment": [{"Name": "ID", "Value.$": "$.id"}]}])
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    assert states(app, machine)["Run job"]["Parameters"] == {
        "Cluster": "${ClusterArn}", "TaskDefinition": "${JobTaskDefinition}", "LaunchType": "FARGATE",
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "Subnets": ["${VpcPrivateSubnet1Subnets}", "${VpcPrivateSubnet2Subnets}"],
            "SecurityGroups": ["${SgGroupId}"], "AssignPublicIp": "DISABLED"}},
        "Overrides": {"ContainerOverrides": [{"Name": "app", "Environment": [{"Name": "ID", "Value.$": "$.id"}]}]}}
    substitutions = entry(app, machine)["Properties"]["DefinitionSubstitutions"]
    assert substitutions["VpcPrivateSubnet1Subnets"] == {"Ref": vpc.private_subnets[0].resource.logical_id}
    assert substitutions["SgGroupId"] == getatt(group, "GroupId")
    assert policy(app, machine) == [
        {"Effect": "Allow", "Action": "ecs:RunTask", "Resource": ref(job),
         "Condition": {"ArnEquals": {"ecs:cluster": getatt(cluster)}}},
        {"Effect": "Allow", "Action": "iam:PassRole",
         "Resource": [getatt(job.execution_role), getatt(job.task_role)],
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
    ]


def test_ecs_run_task_run_job_may_also_follow_the_tasks_on_that_cluster(app, stack):
    _, cluster, job = ecs_job(stack)
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.EcsRunTask(
        "Run job", cluster=cluster, task_definition=job, integration_pattern="RUN_JOB"))

    assert entry(app, machine)["Properties"]["DefinitionSubstitutions"]["ResourceEcsRunTaskSync"] == \
        integration("ecs:runTask.sync")
    region, account = {"Ref": "AWS::Region"}, {"Ref": "AWS::AccountId"}
    assert [s for s in policy(app, machine) if s["Action"] not in ("ecs:RunTask", "iam:PassRole")] == [
        {"Effect": "Allow", "Action": ["ecs:DescribeTasks", "ecs:StopTask"],
         "Resource": {"Fn::Join": ["", ["arn:", PARTITION, ":ecs:", region, ":", account, ":task/", ref(cluster),
                                        "/*"]]}},
        {"Effect": "Allow", "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
         "Resource": {"Fn::Join": ["", ["arn:", PARTITION, ":events:", region, ":", account,
                                        ":rule/StepFunctionsGetEventsForECSTaskRule"]]}},
    ]


def test_call_aws_service_derives_the_iam_action_from_the_call(app, stack):
    task = sfn.CallAwsService("Head", service="s3", action="getObject",
                              parameters={"Bucket": "my-bucket", "Key.$": "$.key"},
                              iam_resources=["arn:aws:s3:::my-bucket/*"])
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    written = states(app, machine)["Head"]
    assert written["Resource"] == "${ResourceAwsSdkS3GetObject}"
    assert written["Parameters"] == {"Bucket": "my-bucket", "Key.$": "$.key"}
    assert task.iam_action == "s3:GetObject"
    assert policy(app, machine) == [{"Effect": "Allow", "Action": "s3:GetObject",
                                     "Resource": "arn:aws:s3:::my-bucket/*"}]


@pytest.mark.parametrize(("options", "message", "hint"), [
    ({"service": "s3", "action": "getObjct"}, "IAM's service 's3' has no action 'GetObjct'",
     "IAM's closest, case aside: s3:getobject"),
    ({"service": "s3", "action": "headObject"}, "IAM's service 's3' has no action 'HeadObject'", "iam_action="),
    ({"service": "sfn", "action": "listExecutions"}, "names the service prefix 'sfn', which IAM does not know",
     "the SDK's 'sfn' is IAM's 'states'"),
    ({"service": "s3", "action": "GetObject"}, "action is the API action in camel case", "write it 'getObject'"),
    ({"service": "S3", "action": "getObject"}, "service is the SDK's service name in lower case", None),
    ({"service": "s3", "action": "getObject", "iam_resources": []}, "iam_resources must list the ARNs", None),
])
def test_call_aws_service_refuses_a_call_iam_cannot_name(options, message, hint):
    with pytest.raises(ConstructError, match=message) as caught:
        sfn.CallAwsService("Call", **{"iam_resources": ["*"], **options})

    assert caught.value.location.file == __file__
    if hint:
        assert hint in caught.value.hint


def test_call_aws_service_takes_an_explicit_iam_action(app, stack):
    task = sfn.CallAwsService("List", service="sfn", action="listExecutions", iam_action="states:ListExecutions",
                              iam_resources=["*"])
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    assert policy(app, machine) == [{"Effect": "Allow", "Action": "states:ListExecutions", "Resource": "*"}]


@pytest.mark.parametrize(("make", "message"), [
    (lambda: sfn.LambdaInvoke("Run", function="my-function"), "function must be a Lambda function"),
    (lambda: sfn.DynamoGetItem("Get", table="orders", key={}), "table must be a DynamoDB table"),
    (lambda: sfn.SqsSendMessage("Send", queue=object(), message_body=sfn.TaskInput.from_text("x")),
     "queue must be an SQS queue"),
    (lambda: sfn.SnsPublish("Send", topic=None, message=sfn.TaskInput.from_text("x")), "topic must be an SNS topic"),
    (lambda: sfn.StepFunctionsStartExecution("Start", state_machine="arn"), "state_machine must be a state machine"),
])
def test_an_integration_refuses_what_it_cannot_call(make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make()

    assert caught.value.location.file == __file__


def test_an_integration_refuses_an_integration_pattern_it_does_not_support(stack):
    with pytest.raises(ConstructError, match="does not support the integration pattern 'RUN_JOB'"):
        sfn.LambdaInvoke("Run", function=function(stack), integration_pattern="RUN_JOB")


def test_a_dynamodb_number_can_come_from_an_intrinsic_function(app, stack):
    task = sfn.DynamoPutItem("Put", table=table(stack), item={
        "pk": sfn.DynamoAttribute.string_at("$.id"),
        "quantity": sfn.DynamoAttribute.number_at("States.Format('{}', $.quantity)")})
    machine = sfn.StateMachine(stack, "Machine", definition=task)

    assert states(app, machine)["Put"]["Parameters"]["Item"]["quantity"] == {
        "N.$": "States.Format('{}', $.quantity)"}
    with pytest.raises(ConstructError, match="a path starts with '\\$'"):
        sfn.DynamoAttribute.number_at("quantity")


def test_dynamodb_key_values_are_typed(stack):
    with pytest.raises(ConstructError, match="key\\['pk'\\] must be a DynamoAttribute"):
        sfn.DynamoGetItem("Get", table=table(stack), key={"pk": "$.id"})


# -- the state machine --------------------------------------------------------------------------------

def test_the_state_machine_runs_as_a_role_only_step_functions_may_assume(app, stack):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello"))

    resources = synthesize(app).template("Main")["Resources"]
    assert resources[machine.role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert machine.role.default_policy is None
    assert entry(app, machine)["Properties"] == {
        "RoleArn": getatt(machine.role), "StateMachineType": "STANDARD",
        "DefinitionString": '{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","End":true}}}'}


def test_the_state_machine_waits_for_its_role_policy(app, stack):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.LambdaInvoke("Run", function=function(stack)))

    assert entry(app, machine)["DependsOn"] == [machine.role.default_policy.logical_id]


def test_logging_and_tracing_write_their_configuration_and_permissions(app, stack):
    group = logs.LogGroup(stack, "Logs")
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello"), tracing_enabled=True,
                               logs=sfn.LogOptions(destination=group, level="ALL", include_execution_data=True),
                               state_machine_type="EXPRESS", timeout=Duration.minutes(5), comment="orders")

    properties = entry(app, machine)["Properties"]
    assert properties["StateMachineType"] == "EXPRESS"
    assert properties["LoggingConfiguration"] == {
        "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": getatt(group)}}],
        "IncludeExecutionData": True, "Level": "ALL"}
    assert properties["TracingConfiguration"] == {"Enabled": True}
    assert json.loads(properties["DefinitionString"]) == {
        "Comment": "orders", "StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "End": True}},
        "TimeoutSeconds": 300}
    assert policy(app, machine) == [{"Effect": "Allow",
                                     "Action": sorted(sfn.LOG_DELIVERY_ACTIONS + sfn.TRACING_ACTIONS),
                                     "Resource": "*"}]
    assert entry(app, machine)["DependsOn"] == [machine.role.default_policy.logical_id]


def test_log_delivery_and_tracing_actions_take_no_resource_arn_in_iam():
    """Why their statement names "*": IAM's service data lists no resource type for any of them."""
    for action in sfn.LOG_DELIVERY_ACTIONS + sfn.TRACING_ACTIONS:
        assert iam_action_resource_types(action) == (), action


@pytest.mark.parametrize(("options", "message"), [
    ({"level": "DEBUG"}, "level must be one of ALL, ERROR, FATAL, OFF"),
    ({"destination": "/aws/states/orders"}, "destination must be a log group"),
    ({"include_execution_data": "yes"}, "include_execution_data must be True or False"),
])
def test_log_options_are_checked_at_the_users_line(stack, options, message):
    group = logs.LogGroup(stack, "Logs")

    with pytest.raises(ConstructError, match=message) as caught:
        sfn.LogOptions(**{"destination": group, **options})

    assert caught.value.location.file == __file__


@pytest.mark.parametrize("pattern", sfn.EXPRESS_UNSUPPORTED_PATTERNS)
def test_an_express_state_machine_refuses_tasks_that_wait(stack, pattern):
    child = sfn.StateMachine(stack, "Child", definition=sfn.Pass("Work"))
    task, where = sfn.StepFunctionsStartExecution(
        "Start", state_machine=child, integration_pattern=pattern,
        input=sfn.TaskInput.from_object({"token.$": "$$.Task.Token"})), line() - 2

    with pytest.raises(ConstructError, match=f"uses the {pattern} integration pattern, which an EXPRESS") as caught:
        sfn.StateMachine(stack, "Machine", definition=task, state_machine_type="EXPRESS")

    assert caught.value.location.line == where


def test_state_machine_type_is_checked_against_the_schema(stack):
    with pytest.raises(ConstructError, match="state_machine_type must be"):
        sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello"), state_machine_type="FAST")


def test_grant_start_execution_allows_starting_this_machine_only(app, stack):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello"))
    starter = function(stack, "Starter")

    grant = machine.grant_start_execution(starter)

    assert grant.role is starter.grant_principal
    resources = synthesize(app).template("Main")["Resources"]
    assert resources[starter.grant_principal.default_policy.logical_id]["Properties"]["PolicyDocument"][
        "Statement"] == [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": ref(machine)}]


def test_grant_task_response_lets_a_worker_answer_task_tokens(app, stack):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello"))
    worker = function(stack, "Worker")

    machine.grant_task_response(worker)

    resources = synthesize(app).template("Main")["Resources"]
    assert resources[worker.grant_principal.default_policy.logical_id]["Properties"]["PolicyDocument"][
        "Statement"] == [{"Effect": "Allow", "Action": sorted(sfn.TASK_RESPONSE_ACTIONS), "Resource": "*"}]
    assert all(iam_action_resource_types(action) == () for action in sfn.TASK_RESPONSE_ACTIONS)


def test_metrics_are_the_state_machines_aws_states_metrics(app, stack, resolve):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello"))

    failed = machine.metric_failed()
    cloudwatch.Alarm(stack, "Failures", metric=failed, threshold=1, evaluation_periods=1)

    assert (failed.namespace, failed.metric_name, failed.statistic, failed.period) == (
        "AWS/States", "ExecutionsFailed", "Sum", 60)
    assert resolve(failed.dimensions["StateMachineArn"]) == ref(machine)
    assert [m.metric_name for m in (machine.metric_succeeded(), machine.metric_timed_out(), machine.metric_aborted(),
                                    machine.metric_started(), machine.metric_throttled(), machine.metric_time())] == [
        "ExecutionsSucceeded", "ExecutionsTimedOut", "ExecutionsAborted", "ExecutionsStarted", "ExecutionThrottled",
        "ExecutionTime"]
    assert machine.metric_time().statistic == "Average"


def test_grant_start_sync_execution_is_for_express_machines(stack):
    machine = sfn.StateMachine(stack, "Machine", definition=sfn.Pass("Hello"))

    with pytest.raises(ConstructError, match="only an EXPRESS state machine runs synchronous executions"):
        machine.grant_start_sync_execution(function(stack))


def test_a_reference_from_another_stack_is_imported_into_the_substitutions():
    app = App(path_metadata=False)
    data = Stack(app, "Data")
    orders = table(data)
    work = Stack(app, "Work")
    machine = sfn.StateMachine(work, "Machine", definition=sfn.DynamoGetItem(
        "Get", table=orders, key={"pk": sfn.DynamoAttribute.string_at("$.id")}))

    substitutions = synthesize(app).template("Work")["Resources"][machine.resource.logical_id]["Properties"][
        "DefinitionSubstitutions"]
    assert "Fn::ImportValue" in substitutions["OrdersTableName"]


# -- cfn-lint --------------------------------------------------------------------------------------------

def everything(stack: Stack) -> sfn.StateMachine:
    fn = function(stack)
    orders = table(stack)
    topic = sns.Topic(stack, "Alerts")
    queue = sqs.Queue(stack, "Jobs")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    job = ecs.FargateTaskDefinition(stack, "Job")
    job.add_container("app", image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"))
    child = sfn.StateMachine(stack, "Child", definition=sfn.Pass("Work"), state_machine_type="EXPRESS")

    failed = sfn.Fail("Failed", error="OrderFailed", cause="see the execution's history")
    submit = sfn.LambdaInvoke("Submit", function=fn, output_path="$.Payload").add_catch(failed, result_path="$.error")
    record = sfn.DynamoPutItem("Record", table=orders, result_path=sfn.DISCARD,
                               item={"pk": sfn.DynamoAttribute.string_at("$.id")})
    fan_out = sfn.Parallel("Fan out", result_path=sfn.DISCARD, branches=[
        sfn.SnsPublish("Notify", topic=topic, message=sfn.TaskInput.from_json_path("$.id")),
        sfn.SqsSendMessage("Enqueue", queue=queue, message_body=sfn.TaskInput.from_object({"id.$": "$.id"})),
        sfn.StepFunctionsStartExecution("Start child", state_machine=child, integration_pattern="RUN_JOB"),
    ]).add_retry(errors=[sfn.Errors.TASK_FAILED], max_attempts=2)
    each = sfn.Map("Each item", items_path="$.items", result_path=sfn.DISCARD,
                   item_processor=sfn.EcsRunTask("Run job", cluster=cluster, task_definition=job,
                                                 integration_pattern="RUN_JOB"))
    wait = sfn.Wait("Wait", seconds=Duration.seconds(30))
    get = sfn.DynamoGetItem("Get", table=orders, key={"pk": sfn.DynamoAttribute.string_at("$.id")},
                            result_path="$.order")
    done = (sfn.Choice("Done?")
            .when(sfn.Condition.and_(sfn.Condition.is_present("$.order.Item"),
                                     sfn.Condition.string_equals("$.order.Item.status.S", "DONE")),
                  sfn.Succeed("Finished"))
            .when(sfn.Condition.not_(sfn.Condition.is_present("$.order.Item")), failed)
            .otherwise(wait))
    audit = sfn.CallAwsService("Audit", service="dynamodb", action="describeTable", iam_resources=[orders.table_arn],
                               parameters={"TableName": orders.table_name}, result_path=sfn.DISCARD)
    definition = (submit.next(record).next(fan_out).next(each).next(audit).next(sfn.Pass("Shape", parameters={
        "id.$": "$.id"})).next(wait).next(get).next(done))
    return sfn.StateMachine(stack, "Machine", definition=definition, tracing_enabled=True,
                            logs=sfn.LogOptions(destination=logs.LogGroup(stack, "Logs"), level="ERROR"))


def test_every_state_and_integration_passes_cfn_lint_and_the_schemas_cleanly():
    app = App()
    stack = Stack(app, "Main")
    machine = everything(stack)
    machine.grant_start_execution(function(stack, "Starter"))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_cfn_lint_validates_the_definition_so_the_test_above_can_fail():
    app = App()
    stack = Stack(app, "Main")
    machine = everything(stack)
    text = json.loads(synthesize(app).template("Main")["Resources"][machine.resource.logical_id]["Properties"][
        "DefinitionString"])
    text["States"]["Wait"]["Seconds"] = "soon"
    machine.resource.add_override("Properties.DefinitionString", json.dumps(text))

    findings = lint_template(synthesize(app).stacks[0].body, "us-east-1")

    assert [finding.rule_id for finding in findings] == ["E3601"]


def test_every_state_and_integration_synthesizes_strictly_with_the_checks_and_lint(tmp_path):
    app = App()
    stack = Stack(app, "Main")
    everything(stack).grant_start_execution(function(stack, "Starter"))

    assembly = app.synth(outdir=str(tmp_path / "out"), strict=True)  # schemas, iac's checks, cfn-lint; warnings fail

    assert (tmp_path / "out" / "Main.template.json").exists()
    assert assembly.template("Main")["Resources"]


DOCS = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"
DOC_BLOCKS = [block for block in re.findall(r"^```python\n(.*?)^```", DOCS.read_text(encoding="utf-8"),
                                            re.DOTALL | re.MULTILINE)
              if "StateMachine(" in block and "except ConstructError" not in block]  # not the one showing an error


@pytest.mark.parametrize("block", DOC_BLOCKS, ids=lambda block: re.findall(r'Stack\([^,]+, "(\w+)"', block)[0])
def test_each_example_of_the_docs_synthesizes_strictly(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    exec(compile(block, str(DOCS), "exec"), namespace)  # noqa: S102 - the docs' own example

    namespace["stack"].scope.synth(outdir=str(tmp_path / "out"), strict=True)  # schemas, checks, cfn-lint

    assert list((tmp_path / "out").glob("*.template.json"))
