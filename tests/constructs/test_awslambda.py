"""Lambda functions: defaults, code sources, permissions, versions, aliases and event sources."""

from __future__ import annotations

import datetime
import warnings
from pathlib import Path

import pytest

from iac import App, CfnResource, ConstructError, Duration, Size, Stack, ValidationError
from iac.constructs import awslambda, iam
from iac.specs import additional_spec, property_enum, property_range, schema_date, schema_extension
from iac.synth import synthesize
from iac.synth.lint import lint_template

INLINE = awslambda.Code.from_inline("exports.handler = async () => 1;")


def _function(stack: Stack, id: str = "Fn", **props) -> awslambda.Function:
    props.setdefault("handler", "index.handler")
    props.setdefault("runtime", awslambda.DEFAULT_NODEJS_RUNTIME)
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


def test_an_unknown_runtime_is_refused_at_your_line_with_the_closest_and_the_usable_ones(
        frozen_today: datetime.date) -> None:
    stack = Stack(App(), "S")
    expected = (rf"unknown runtime 'nodejs22x' \(did you mean 'nodejs22.x'\?\); "
                rf"runtimes new functions can use on {frozen_today}: .*python3.14")
    with pytest.raises(ConstructError, match=expected) as caught:
        _function(stack, runtime="nodejs22x")
    assert caught.value.location.file == __file__
    assert caught.value.path == "S/Fn"
    assert "python2.7" not in str(caught.value)  # blocked for new functions long ago


def test_a_runtime_the_schema_knows_before_the_lifecycle_data_does_is_accepted() -> None:
    schema_runtimes = set(property_enum("AWS::Lambda::Function", "Runtime"))
    newer = sorted(schema_runtimes - set(additional_spec("LmbdRuntimeLifecycle")))
    if not newer:
        pytest.skip("every runtime of the pinned schema has lifecycle dates")
    fn = _function(Stack(App(), "S"), runtime=newer[0])
    assert fn.runtime == newer[0]


def test_a_blocked_runtime_is_judged_at_synth_not_when_the_function_is_built() -> None:
    app = App()
    fn = _function(Stack(app, "S"), runtime="python2.7")  # blocked in 2021: building it is no error
    assert fn.runtime == "python2.7"
    with pytest.raises(ValidationError, match="runtime 'python2.7' can no longer be used to create functions"):
        app.synth(lint=False)


@pytest.mark.parametrize("props, message", [
    ({"memory_size": 64}, "memory_size"),
    ({"timeout": 901}, "timeout: 901 seconds is over the maximum of 900 for a function without CapacityProviderConfig"),
    ({"architecture": "sparc"}, r"architecture: 'sparc' is not one of 'x86_64', 'arm64'"),
    ({"architecture": "arm"}, r"did you mean 'arm64'\?"),
    ({"tracing": "On"}, r"tracing: 'On' is not one of 'Active', 'PassThrough'"),
    ({"environment": {"1BAD": "x"}}, "environment variable name"),
    ({"environment": {"A": "x"}}, "environment variable name 'A' must be 2 or more"),
    ({"code": "index.js"}, "code"),
    ({"handler": ""}, "handler"),
    ({"dead_letter_queue_arn": "arn:aws:sqs:us-east-1:123456789012:q",
      "dead_letter_topic_arn": "arn:aws:sns:us-east-1:123456789012:t"}, "not both"),
])
def test_bad_arguments_are_construct_errors(props: dict, message: str) -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match=message) as caught:
        _function(stack, **props)
    assert caught.value.location.file == __file__


def test_a_misspelt_argument_names_the_one_meant() -> None:
    with pytest.raises(ConstructError, match="has no argument 'timout'") as caught:
        _function(Stack(App(), "S"), timout=30)
    assert caught.value.hint == "did you mean timeout?"
    assert caught.value.location.file == __file__


def test_memory_limits_come_from_the_schema() -> None:
    low, high = property_range("AWS::Lambda::Function", "MemorySize")
    assert low is not None and high is not None
    stack = Stack(App(), "S")
    _function(stack, "Largest", memory_size=int(high))
    for value in (int(low) - 1, int(high) + 1):
        with pytest.raises(ConstructError, match=f"memory_size: {value} is (less|greater) than"):
            _function(stack, f"Fn{value}", memory_size=value)


def test_the_timeout_limit_without_a_capacity_provider_comes_from_cfn_lints_data() -> None:
    maximum = schema_extension("aws_lambda_function", "capacity_provider_timeout")["then"]["properties"]["Timeout"]
    stack = Stack(App(), "S")
    _function(stack, "Longest", timeout=maximum["maximum"])
    with pytest.raises(ConstructError, match=f"over the maximum of {maximum['maximum']}"):
        _function(stack, timeout=maximum["maximum"] + 1)


def test_the_batch_size_limits_come_from_the_event_source_mapping_schema() -> None:
    low, high = property_range("AWS::Lambda::EventSourceMapping", "BatchSize")
    fn = _function(Stack(App(), "S"))
    fn.add_sqs_source("Largest", "arn:aws:sqs:us-east-1:123456789012:q", batch_size=int(high))
    for value in (int(low) - 1, int(high) + 1, True):
        with pytest.raises(ConstructError, match=f"batch_size must be a whole number at least {low:g} and at most "
                                                 f"{high:g}, got {value!r}") as caught:
            fn.add_sqs_source(f"Bad{value}", "arn:aws:sqs:us-east-1:123456789012:q", batch_size=value)
        assert caught.value.location.file == __file__


def test_environment_names_lambda_sets_itself_are_refused() -> None:
    reserved = schema_extension("aws_lambda_function", "environment_variable_keys")["propertyNames"]["not"]["enum"]
    assert "AWS_REGION" in reserved
    with pytest.raises(ConstructError, match="'AWS_REGION' is reserved"):
        _function(Stack(App(), "S"), environment={"AWS_REGION": "eu-west-1"})
    fn = _function(Stack(App(), "S"))
    with pytest.raises(ConstructError, match=f"{reserved[-1]!r} is reserved"):
        fn.add_environment(reserved[-1], "x")


def test_an_alias_name_is_checked_against_the_alias_schema() -> None:
    fn = _function(Stack(App(), "S"))
    with pytest.raises(ConstructError, match=r"alias_name: '2024' does not match .*AWS::Lambda::Alias Name") as caught:
        fn.add_alias("2024")
    assert caught.value.location.file == __file__


def test_a_duration_and_a_size_are_converted_to_the_properties_units() -> None:
    app = App(path_metadata=False)
    fn = _function(Stack(app, "S"), timeout=Duration.minutes(5), memory_size=Size.gibibytes(1))
    props = _resources(app)[fn.resource.logical_id]["Properties"]
    assert (props["Timeout"], props["MemorySize"]) == (300, 1024)
    with pytest.raises(ConstructError, match="not a whole number of seconds"):
        _function(Stack(App(), "S"), timeout=Duration.millis(1500))


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


def test_version_logical_id_ignores_properties_left_unset() -> None:
    """A property that stays None is not in the template, so it must not move the version either (an
    iac release that adds an optional property would otherwise republish every user's functions)."""
    def version_id(extra: dict) -> str:
        fn = _function(Stack(App(), "S"))
        fn.resource.properties.update(extra)
        return fn.current_version.logical_id

    assert version_id({"EphemeralStorage": None}) == version_id({})
    assert version_id({"EphemeralStorage": {"Size": 1024}}) != version_id({})


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


# -- the runtime's lifecycle, at synth: these tests set the date themselves ---------------------------

LIFECYCLE = awslambda.runtime_lifecycle("nodejs22.x")
DAY = datetime.timedelta(days=1)


def _synth_on(day: datetime.date, out: Path, monkeypatch: pytest.MonkeyPatch, *functions: str,
              strict: bool = False, runtime: str = "nodejs22.x") -> tuple[App, list]:
    """Synthesize a stack of `functions` on `runtime` into `out` on `day`; the warnings."""
    monkeypatch.setenv("IAC_TODAY", day.isoformat())
    app = App()
    stack = Stack(app, "S")
    for id in functions:
        _function(stack, id, runtime=runtime)
    assembly = app.synth(outdir=str(out), lint=False, strict=strict)
    return app, assembly.warnings


def test_the_lifecycle_data_has_the_dates_these_tests_use() -> None:
    assert LIFECYCLE is not None
    assert LIFECYCLE.deprecated < LIFECYCLE.create_block < LIFECYCLE.update_block
    assert LIFECYCLE.successor


def test_no_warning_before_the_notice_period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    day = LIFECYCLE.deprecated - datetime.timedelta(days=awslambda.DEPRECATION_NOTICE_DAYS) - DAY
    assert _synth_on(day, tmp_path / "out", monkeypatch, "Fn")[1] == []


def _dates(runtime: str = "nodejs22.x") -> str:
    return (f"{runtime}: deprecated {LIFECYCLE.deprecated}, create-block {LIFECYCLE.create_block}, "
            f"update-block {LIFECYCLE.update_block}, successor {LIFECYCLE.successor}")


@pytest.mark.parametrize("days_before, when", [
    (awslambda.DEPRECATION_NOTICE_DAYS, f"on {LIFECYCLE.deprecated} (in {awslambda.DEPRECATION_NOTICE_DAYS} days): "
                                        "AWS stops patching it then"),
    (1, f"on {LIFECYCLE.deprecated} (in 1 day)"),
    (0, f"since {LIFECYCLE.deprecated}: AWS no longer patches it"),
    (-1, f"since {LIFECYCLE.deprecated}"),
])
def test_a_deprecation_is_a_warning_from_the_notice_period_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              days_before: int, when: str) -> None:
    day = LIFECYCLE.deprecated - datetime.timedelta(days=days_before)
    [warning] = _synth_on(day, tmp_path / "out", monkeypatch, "Fn")[1]
    assert warning.severity == "warning" and warning.code == "runtime-lifecycle"
    assert warning.message.startswith(f"runtime 'nodejs22.x' is deprecated {when}")
    assert warning.message.endswith(f"; Lambda refuses new functions from {LIFECYCLE.create_block} "
                                    f"and updates from {LIFECYCLE.update_block}")
    assert warning.hint == f"move the function to {LIFECYCLE.successor} ({_dates()})"
    assert warning.path == "S/Fn/Resource" and warning.location.file == __file__
    with pytest.raises(ValidationError, match="is deprecated"):
        _synth_on(day, tmp_path / "strict", monkeypatch, "Fn", strict=True)


def test_a_new_function_is_refused_from_the_create_block_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _synth_on(LIFECYCLE.create_block - DAY, tmp_path / "out", monkeypatch, "Fn")  # the day before: a warning only
    with pytest.raises(ValidationError) as caught:
        _synth_on(LIFECYCLE.create_block, tmp_path / "fresh", monkeypatch, "Fn")
    [problem] = caught.value.problems
    assert problem.message == (
        f"runtime 'nodejs22.x' can no longer be used to create functions: Lambda refuses new functions on it "
        f"since {LIFECYCLE.create_block}, and this function is new (there is no baseline assembly: on a first "
        "synth every function is new)")
    assert problem.hint == f"move the function to {LIFECYCLE.successor} ({_dates()})"
    assert (problem.path, problem.location.file) == ("S/Fn/Resource", __file__)
    assert not (tmp_path / "fresh").exists()


def test_a_function_the_baseline_has_may_still_be_updated_until_the_update_block_date(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    _synth_on(LIFECYCLE.create_block - DAY, out, monkeypatch, "Old")
    [warning] = _synth_on(LIFECYCLE.update_block - DAY, out, monkeypatch, "Old")[1]
    assert warning.message == (f"runtime 'nodejs22.x' is blocked for new functions since {LIFECYCLE.create_block}; "
                               f"this function exists (in the baseline assembly {out}/) and may be updated until "
                               f"{LIFECYCLE.update_block}")
    assert warning.hint == f"move the function to {LIFECYCLE.successor} before {LIFECYCLE.update_block} ({_dates()})"


def test_next_to_an_existing_function_a_new_one_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    _synth_on(LIFECYCLE.create_block - DAY, out, monkeypatch, "Old")
    with pytest.raises(ValidationError) as caught:
        _synth_on(LIFECYCLE.create_block, out, monkeypatch, "Old", "New")
    error, warning = caught.value.problems  # the existing function's warning is reported with the error
    assert (error.severity, error.path) == ("error", "S/New/Resource")
    assert f"this function is new (the baseline assembly {out}/ does not have it)" in error.message
    assert (warning.severity, warning.path) == ("warning", "S/Old/Resource")


def test_an_existing_function_is_refused_from_the_update_block_date(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    _synth_on(LIFECYCLE.create_block - DAY, out, monkeypatch, "Old")
    with pytest.raises(ValidationError) as caught:
        _synth_on(LIFECYCLE.update_block, out, monkeypatch, "Old")
    [problem] = caught.value.problems
    assert problem.message == (f"runtime 'nodejs22.x' can no longer be updated: Lambda refuses updates of functions "
                               f"on it since {LIFECYCLE.update_block}, and this function exists (in the baseline "
                               f"assembly {out}/)")
    assert problem.path == "S/Old/Resource"


def test_a_function_replaced_by_another_type_under_its_id_is_new(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("IAC_TODAY", (LIFECYCLE.create_block - DAY).isoformat())
    app = App()
    fn = _function(Stack(app, "S"))
    app.synth(outdir=str(out), lint=False)
    app = App()
    CfnResource(Stack(app, "S"), "Fn", type="AWS::SQS::Queue").override_logical_id(fn.resource.logical_id)
    app.synth(outdir=str(out), lint=False)  # the baseline now has a queue under the function's id
    with pytest.raises(ValidationError, match="this function is new"):
        _synth_on(LIFECYCLE.create_block, out, monkeypatch, "Fn")


def test_cfn_lints_calendar_rules_give_way_to_the_baseline_rule(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """cfn-lint judges runtimes by its own calendar (W2531 after the deprecation date, E2531 after the
    create-block date, E2533 after the update-block date), every function alike: with lint on, only iac's
    rule (by IAC_TODAY and the baseline) speaks. (tests/conftest.py gives cfn-lint iac's date too.)"""
    deprecated = awslambda.runtime_lifecycle("nodejs20.x")
    assert deprecated is not None and deprecated.deprecated < deprecated.create_block
    monkeypatch.setenv("IAC_TODAY", deprecated.deprecated.isoformat())
    app = App()
    _function(Stack(app, "S"), runtime="nodejs20.x")
    found = {finding.rule_id for finding in lint_template(synthesize(app).stack("S").body, "us-east-1")}
    assert "W2531" in found  # cfn-lint alone would speak
    assembly = app.synth(outdir=str(tmp_path / "out"))
    assert [warning.code for warning in assembly.warnings] == ["runtime-lifecycle"]


def test_synth_prints_the_refusal_with_the_runtime_date_successor_construct_and_line(write_app, run_iac) -> None:
    app_file = write_app("""
        from iac import App, Stack
        from iac.constructs import awslambda

        app = App()
        stack = Stack(app, "Api")
        awslambda.Function(stack, "Get", handler="index.get", runtime="nodejs22.x",
                           code=awslambda.Code.from_inline("exports.get = async () => 1;"))
        app.synth()
    """)
    result = run_iac("synth", "--no-lint", "--app", app_file, env={"IAC_TODAY": LIFECYCLE.create_block.isoformat()})
    assert result.returncode == 1, result.stderr
    assert "runtime 'nodejs22.x' can no longer be used to create functions" in result.stderr
    assert str(LIFECYCLE.create_block) in result.stderr and LIFECYCLE.successor in result.stderr
    assert "Api/Get" in result.stderr and "app.py:6" in result.stderr
    result = run_iac("synth", "--no-lint", "--app", app_file,
                     env={"IAC_TODAY": (LIFECYCLE.create_block - DAY).isoformat()})
    assert result.returncode == 0, result.stderr
    assert "is deprecated since" in result.stderr and "app.py:6" in result.stderr
    assert "warning[runtime-lifecycle]" in result.stderr


@pytest.mark.parametrize("runtime", awslambda.DEFAULT_RUNTIMES)
def test_the_default_runtimes_are_not_near_their_deprecation(runtime: str) -> None:
    """The defaults samples and new projects use have half a year left by the pinned data's own date (its
    schema date), so the check changes only with the cfn-lint pin, never with the calendar: bumping
    cfn-lint is when a maintainer bumps awslambda.DEFAULT_*_RUNTIME. By the real calendar it is only a
    warning (a reminder), never a failure: tests do not depend on today's date."""
    lifecycle = awslambda.runtime_lifecycle(runtime)
    assert runtime in awslambda.runtime_names()
    if lifecycle is None or lifecycle.deprecated is None:
        return
    stamp = schema_date()
    assert stamp is not None, "the pinned cfn-lint's schema date is unknown"
    data_date = datetime.date.fromisoformat(stamp[:10])
    assert data_date + datetime.timedelta(days=180) < lifecycle.deprecated, (
        f"{runtime} is deprecated on {lifecycle.deprecated}, within 180 days of the pinned data's date "
        f"{data_date}: bump the default (successor {lifecycle.successor})")
    if lifecycle.deprecated - datetime.timedelta(days=180) <= datetime.date.today():
        warnings.warn(f"{runtime} is deprecated on {lifecycle.deprecated}: bump the default to a newer runtime "
                      f"(successor {lifecycle.successor})", stacklevel=1)
