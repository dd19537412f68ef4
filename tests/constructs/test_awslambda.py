"""Lambda functions: defaults, code sources, permissions, versions, aliases and event sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from iac import App, CfnResource, ConstructError, Stack
from iac.constructs import awslambda, iam
from iac.synth import synthesize
from iac.synth.lint import lint_template

INLINE = awslambda.Code.from_inline("exports.handler = async () => 1;")


def _function(stack: Stack, id: str = "Fn", **props) -> awslambda.Function:
    props.setdefault("handler", "index.handler")
    props.setdefault("runtime", "nodejs22.x")
    props.setdefault("code", INLINE)
    return awslambda.Function(stack, id, **props)


def _resources(app: App) -> dict:
    return synthesize(app).template("S")["Resources"]


def test_a_function_gets_a_role_with_basic_execution() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack)
    resources = _resources(app)
    role = resources[fn.role.resource.logical_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert "AWSLambdaBasicExecutionRole" in str(role["ManagedPolicyArns"])
    props = resources[fn.resource.logical_id]["Properties"]
    assert props["Role"] == {"Fn::GetAtt": [fn.role.resource.logical_id, "Arn"]}
    assert (props["MemorySize"], props["Timeout"], props["Architectures"]) == (128, 3, ["x86_64"])


def test_a_given_role_is_used_and_no_other_is_created() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    role = iam.Role(stack, "Shared", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    _function(stack, role=role)
    assert [r["Type"] for r in _resources(app).values()].count("AWS::IAM::Role") == 1


def test_environment_added_later_is_in_the_template() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack, environment={"MODE": "fast"})
    fn.add_environment("TABLE_NAME", "orders")
    assert _resources(app)[fn.resource.logical_id]["Properties"]["Environment"] == {
        "Variables": {"MODE": "fast", "TABLE_NAME": "orders"}}


def test_no_environment_leaves_the_property_out() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack)
    assert "Environment" not in _resources(app)[fn.resource.logical_id]["Properties"]


def test_the_function_depends_on_its_role_policy_once_it_has_one() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack)
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    fn.role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.get_att("Arn")]))
    assert _resources(app)[fn.resource.logical_id]["DependsOn"] == [fn.role.default_policy.logical_id]


@pytest.mark.parametrize("runtime, message", [
    ("nodejs99.x", "unknown runtime"),
    ("python2.7", "can no longer be used"),
])
def test_bad_runtimes_are_rejected_with_the_alternatives(runtime: str, message: str) -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match=message) as caught:
        _function(stack, runtime=runtime)
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("props, message", [
    ({"memory_size": 64}, "memory_size"),
    ({"timeout": 901}, "timeout"),
    ({"architecture": "sparc"}, "architecture"),
    ({"environment": {"1BAD": "x"}}, "environment variable name"),
    ({"code": "index.js"}, "code"),
])
def test_bad_arguments_are_construct_errors(props: dict, message: str) -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match=message):
        _function(stack, **props)


def test_inline_code_over_the_limit_is_refused() -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match="inline code"):
        _function(stack, code=awslambda.Code.from_inline("x" * 5000))


def test_asset_code_is_relative_to_the_calling_file(tmp_path: Path) -> None:
    stack = Stack(App(), "S")
    here = Path(__file__).parent
    with pytest.raises(ConstructError, match=str(here / "no-such-folder")):
        _function(stack, code=awslambda.Code.from_asset("no-such-folder"))


def test_grant_invoke_allows_only_invoking_this_function() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack)
    caller = iam.Role(stack, "Caller", assumed_by=iam.ServicePrincipal("states.amazonaws.com"))
    fn.grant_invoke(caller)
    statement = _resources(app)[caller.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statement[0]["Action"] == "lambda:InvokeFunction"
    assert {"Fn::GetAtt": [fn.resource.logical_id, "Arn"]} in statement[0]["Resource"]
    arn = {"Fn::GetAtt": [fn.resource.logical_id, "Arn"]}
    assert statement == [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                          "Resource": [arn, {"Fn::Join": ["", [arn, ":*"]]}]}]  # this function and its versions only


def test_version_logical_id_follows_the_configuration() -> None:
    def version_id(memory: int) -> str:
        app = App()
        fn = _function(Stack(app, "S"), memory_size=memory)
        return fn.current_version.logical_id

    assert version_id(128) == version_id(128)
    assert version_id(128) != version_id(256)


def test_alias_points_at_the_current_version() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack)
    alias = fn.add_alias("live")
    props = _resources(app)[alias.resource.logical_id]["Properties"]
    assert props["Name"] == "live"
    assert props["FunctionVersion"] == {"Fn::GetAtt": [fn.current_version.logical_id, "Version"]}


def test_schedule_creates_a_rule_and_a_scoped_permission() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack)
    rule = fn.add_schedule("Nightly", "rate(1 day)")
    resources = _resources(app)
    permission = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission")
    assert permission["Properties"]["Principal"] == "events.amazonaws.com"
    assert permission["Properties"]["SourceArn"] == {"Fn::GetAtt": [rule.resource.logical_id, "Arn"]}


def test_bad_schedule_expression_is_rejected() -> None:
    stack = Stack(App(), "S")
    fn = _function(stack)
    with pytest.raises(ConstructError, match="not an EventBridge expression"):
        fn.add_schedule("Bad", "every day")


def test_sqs_source_grants_only_consuming_the_queue() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    fn = _function(stack)
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    fn.add_sqs_source("FromQueue", queue.get_att("Arn"), batch_size=5)
    resources = _resources(app)
    statement = resources[fn.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"][0]
    assert sorted(statement["Action"]) == ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                                           "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
    assert statement["Resource"] == {"Fn::GetAtt": ["Queue", "Arn"]}


def test_function_template_passes_cfn_lint_without_findings() -> None:
    app = App()
    stack = Stack(app, "S")
    fn = _function(stack, tracing="Active", environment={"MODE": "x"})
    fn.add_schedule("Nightly", "rate(1 day)")
    fn.add_alias("live")
    assert lint_template(synthesize(app).stack("S").body, "us-east-1") == []


def test_dynamodb_stream_source_reads_only_the_stream() -> None:
    from iac.constructs import dynamodb

    app = App(path_metadata=False)
    stack = Stack(app, "S")
    table = dynamodb.Table(stack, "Orders", partition_key=dynamodb.Attribute("id", "S"), stream="NEW_IMAGE")
    fn = _function(stack)
    mapping = fn.add_dynamodb_stream_source("FromOrders", table, starting_position="TRIM_HORIZON")
    resources = _resources(app)
    props = resources[mapping.logical_id]["Properties"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": [table.resource.logical_id, "StreamArn"]}
    assert props["StartingPosition"] == "TRIM_HORIZON"
    statements = resources[fn.role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert actions == {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                       "dynamodb:ListStreams"}
    stream_arn = {"Fn::GetAtt": [table.resource.logical_id, "StreamArn"]}
    for statement in statements:  # ListStreams supports no resource scoping; the rest is the stream only
        expected = "*" if statement["Action"] == "dynamodb:ListStreams" else stream_arn
        assert statement["Resource"] == expected, statement


def test_add_environment_checks_the_name() -> None:
    fn = _function(Stack(App(), "S"))
    with pytest.raises(ConstructError, match="environment variable name") as caught:
        fn.add_environment("1bad", "x")
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("make", [lambda: awslambda.Code.from_inline(None), lambda: awslambda.Code.from_asset(None)])
def test_code_sources_refuse_non_strings(make) -> None:
    with pytest.raises(ConstructError, match="Code.from_"):
        make()


@pytest.mark.parametrize("expression", ["rate(1 minutes)", "rate(0 minutes)", "rate(5 minute)"])
def test_schedule_rate_units_follow_eventbridge(expression: str) -> None:
    fn = _function(Stack(App(), "S"))
    with pytest.raises(ConstructError, match="not an EventBridge expression"):
        fn.add_schedule("Bad", expression)
