"""codedeploy: Lambda traffic shifting through `fn.add_alias(..., deployment=...)` — presets, custom
schedules, the alias's update policy, hooks and their permissions, alarms, and the inputs refused."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import apigateway, awslambda, cloudwatch, codedeploy, ec2, ecs, iam
from iac.constructs.patterns import LoadBalancedFargateService
from iac.specs import property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template

INLINE = awslambda.Code.from_inline("exports.handler = async () => 1;")

NINE_PRESETS = {
    "Canary10Percent5Minutes": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
    "Canary10Percent10Minutes": "CodeDeployDefault.LambdaCanary10Percent10Minutes",
    "Canary10Percent15Minutes": "CodeDeployDefault.LambdaCanary10Percent15Minutes",
    "Canary10Percent30Minutes": "CodeDeployDefault.LambdaCanary10Percent30Minutes",
    "Linear10PercentEvery1Minute": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    "Linear10PercentEvery2Minutes": "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
    "Linear10PercentEvery3Minutes": "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
    "Linear10PercentEvery10Minutes": "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
    "AllAtOnce": "CodeDeployDefault.LambdaAllAtOnce",
}


def _next_line() -> int:
    """The line after the caller's: where the statement that should fail is."""
    return sys._getframe(1).f_lineno + 1


def _function(stack: Stack, id: str = "Fn") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME, code=INLINE)


def _resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def _of_type(resources: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r for r in resources.values() if r["Type"] == resource_type]


def _statements(resources: dict[str, Any], role: iam.Role) -> list[dict[str, Any]]:
    return resources[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


# -- presets and schedules -----------------------------------------------------------------------

@pytest.mark.parametrize("preset, config_name", sorted(NINE_PRESETS.items()))
def test_each_preset_uses_codedeploys_predefined_configuration(app, stack, preset, config_name):
    alias = _function(stack).add_alias("live", deployment=preset)

    group = _resources(app)[alias.deployment_group.resource.logical_id]["Properties"]
    assert group["DeploymentConfigName"] == config_name
    assert not _of_type(_resources(app), "AWS::CodeDeploy::DeploymentConfig")


def test_the_presets_are_the_seeds_nine():
    assert codedeploy.LAMBDA_PRESETS == NINE_PRESETS


def test_codedeploys_own_name_for_a_preset_is_accepted_too():
    assert codedeploy.Deployment.preset("CodeDeployDefault.LambdaLinear10PercentEvery1Minute") == \
        codedeploy.Deployment.preset("Linear10PercentEvery1Minute")


def test_a_custom_canary_creates_a_deployment_config(app, stack):
    alias = _function(stack).add_alias("live", deployment=codedeploy.Deployment.canary(percent=5, minutes=15))

    resources = _resources(app)
    (config,) = _of_type(resources, "AWS::CodeDeploy::DeploymentConfig")
    assert config["Properties"] == {"ComputePlatform": "Lambda", "TrafficRoutingConfig": {
        "Type": "TimeBasedCanary", "TimeBasedCanary": {"CanaryPercentage": 5, "CanaryInterval": 15}}}
    group = resources[alias.deployment_group.resource.logical_id]["Properties"]
    assert group["DeploymentConfigName"] == {"Ref": alias.deployment_group.find_child("Config").logical_id}


def test_a_custom_linear_schedule_creates_a_deployment_config(app, stack):
    _function(stack).add_alias("live", deployment=codedeploy.Deployment.linear(percent=20, every_minutes=2))

    (config,) = _of_type(_resources(app), "AWS::CodeDeploy::DeploymentConfig")
    assert config["Properties"]["TrafficRoutingConfig"] == {
        "Type": "TimeBasedLinear", "TimeBasedLinear": {"LinearPercentage": 20, "LinearInterval": 2}}


def test_a_schedule_knows_how_long_it_takes():
    assert codedeploy.Deployment.canary(percent=10, minutes=30).total_minutes == 30
    assert codedeploy.Deployment.linear(percent=10, every_minutes=3).total_minutes == 27
    assert codedeploy.Deployment.linear(percent=30, every_minutes=5).total_minutes == 15


# -- what a deployment makes ----------------------------------------------------------------------

def test_the_alias_hands_updates_to_codedeploy(app, stack):
    alias = _function(stack).add_alias("live", deployment="Canary10Percent10Minutes")
    group = alias.deployment_group

    entry = _resources(app)[alias.resource.logical_id]
    assert entry["UpdatePolicy"] == {"CodeDeployLambdaAliasUpdate": {
        "ApplicationName": {"Ref": group.application.resource.logical_id},
        "DeploymentGroupName": {"Ref": group.resource.logical_id},
    }}


def test_the_group_shifts_traffic_blue_green_and_rolls_back_on_failure(app, stack):
    alias = _function(stack).add_alias("live", deployment="Linear10PercentEvery1Minute")
    group = alias.deployment_group

    resources = _resources(app)
    props = resources[group.resource.logical_id]["Properties"]
    assert props["ApplicationName"] == {"Ref": group.application.resource.logical_id}
    assert props["ServiceRoleArn"] == {"Fn::GetAtt": [group.role.resource.logical_id, "Arn"]}
    assert props["DeploymentStyle"] == {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"}
    assert props["AutoRollbackConfiguration"] == {"Enabled": True,
                                                  "Events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]}
    assert "AlarmConfiguration" not in props
    assert resources[group.application.resource.logical_id]["Properties"] == {"ComputePlatform": "Lambda"}


def test_the_service_role_has_the_limited_partition_aware_managed_policy(app, stack):
    """The Limited policy is the broad one without sns:Publish on every topic: iac's groups notify no topic."""
    alias = _function(stack).add_alias("live", deployment="AllAtOnce")

    role = _resources(app)[alias.deployment_group.role.resource.logical_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "codedeploy.amazonaws.com"}
    assert role["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited"}]


def test_the_version_follows_the_code_and_the_alias_points_at_it(app, stack):
    fn = _function(stack)
    alias = fn.add_alias("live", deployment="Canary10Percent5Minutes")

    resources = _resources(app)
    assert resources[alias.resource.logical_id]["Properties"]["FunctionVersion"] == {
        "Fn::GetAtt": [fn.current_version.logical_id, "Version"]}
    assert fn.current_version.logical_id.startswith(f"{fn.resource.logical_id}Version")


# -- alarms --------------------------------------------------------------------------------------------

def test_alarms_stop_the_deployment_and_roll_back(app, stack):
    fn = _function(stack)
    errors = cloudwatch.Alarm(stack, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)
    throttles = cloudwatch.Alarm(stack, "Throttles", metric=fn.metric_throttles(), threshold=1, evaluation_periods=1)
    alias = fn.add_alias("live", deployment="Canary10Percent10Minutes", alarms=[errors, throttles])

    props = _resources(app)[alias.deployment_group.resource.logical_id]["Properties"]
    assert props["AlarmConfiguration"] == {"Enabled": True, "Alarms": [
        {"Name": {"Ref": errors.resource.logical_id}}, {"Name": {"Ref": throttles.resource.logical_id}}]}
    assert props["AutoRollbackConfiguration"]["Events"] == [
        "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"]


def test_an_alarm_added_later_is_watched_too(app, stack):
    fn = _function(stack)
    alias = fn.add_alias("live", deployment="AllAtOnce")
    alias.deployment_group.add_alarm("alarm-outside-the-app")

    props = _resources(app)[alias.deployment_group.resource.logical_id]["Properties"]
    assert props["AlarmConfiguration"]["Alarms"] == [{"Name": "alarm-outside-the-app"}]


def test_an_alarm_from_another_stack_is_refused_at_the_add_alias_line():
    app = App()
    monitoring = Stack(app, "Monitoring")
    service = Stack(app, "Service")
    fn = _function(service)
    errors = cloudwatch.Alarm(monitoring, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)

    with pytest.raises(ConstructError, match="alarm Monitoring/Errors is in stack Monitoring") as caught:
        line = _next_line()
        fn.add_alias("live", deployment="Canary10Percent10Minutes", alarms=[errors])

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)
    assert "each stack would need the other deployed first" in caught.value.message
    assert "cloudwatch.Alarm(fn.stack" in caught.value.hint


def test_more_than_ten_alarms_are_refused(stack):
    fn = _function(stack)
    alarms = [cloudwatch.Alarm(stack, f"A{i}", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)
              for i in range(11)]

    with pytest.raises(ConstructError, match="at most 10 alarms"):
        fn.add_alias("live", deployment="AllAtOnce", alarms=alarms)


# -- hooks --------------------------------------------------------------------------------------------

def test_hooks_are_named_in_the_update_policy(app, stack):
    fn = _function(stack)
    pre, post = _function(stack, "Pre"), _function(stack, "Post")
    alias = fn.add_alias("live", deployment="Canary10Percent10Minutes", pre_traffic=pre, post_traffic=post)

    update = _resources(app)[alias.resource.logical_id]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert update["BeforeAllowTrafficHook"] == {"Ref": pre.resource.logical_id}
    assert update["AfterAllowTrafficHook"] == {"Ref": post.resource.logical_id}


def test_post_traffic_none_leaves_the_after_hook_out(app, stack):
    fn = _function(stack)
    alias = fn.add_alias("live", deployment="AllAtOnce", pre_traffic=_function(stack, "Pre"), post_traffic=None)

    update = _resources(app)[alias.resource.logical_id]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert "AfterAllowTrafficHook" not in update


def test_a_hook_may_report_its_verdict_on_this_deployment_group_only(app, stack):
    fn = _function(stack)
    hook = _function(stack, "Pre")
    alias = fn.add_alias("live", deployment="Canary10Percent10Minutes", pre_traffic=hook)
    group = alias.deployment_group

    (statement,) = _statements(_resources(app), hook.role)
    assert statement["Action"] == "codedeploy:PutLifecycleEventHookExecutionStatus"
    assert statement["Resource"] == {"Fn::Sub": (
        "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:"
        f"${{{group.application.resource.logical_id}}}/${{{group.resource.logical_id}}}")}


def test_codedeploy_may_invoke_exactly_the_hooks(app, stack):
    fn = _function(stack)
    pre, post = _function(stack, "Pre"), _function(stack, "Post")
    alias = fn.add_alias("live", deployment="AllAtOnce", pre_traffic=pre, post_traffic=post)
    group = alias.deployment_group

    resources = _resources(app)
    (statement,) = _statements(resources, group.role)
    assert statement["Action"] == "lambda:InvokeFunction"
    invoked = {str(resource) for resource in statement["Resource"]}
    assert invoked == {str({"Fn::GetAtt": [hook.resource.logical_id, "Arn"]}) for hook in (pre, post)} | {
        str({"Fn::Join": ["", [{"Fn::GetAtt": [hook.resource.logical_id, "Arn"]}, ":*"]]}) for hook in (pre, post)}
    # a deployment must not start before CodeDeploy may invoke the hooks
    assert resources[alias.resource.logical_id]["DependsOn"] == [group.role.default_policy.logical_id]


def test_a_hook_from_another_stack_is_refused():
    app = App()
    fn = _function(Stack(app, "Service"))
    hook = _function(Stack(app, "Hooks"), "Pre")

    with pytest.raises(ConstructError, match="pre_traffic hook Hooks/Pre is in another stack") as caught:
        line = _next_line()
        fn.add_alias("live", deployment="AllAtOnce", pre_traffic=hook)

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_a_hook_must_be_a_function(stack):
    with pytest.raises(ConstructError, match=r"pre_traffic must be Invocable \| None, got str 'my-hook'"):
        _function(stack).add_alias("live", deployment="AllAtOnce", pre_traffic="my-hook")


def test_hooks_or_alarms_without_a_deployment_are_refused(stack):
    fn = _function(stack)

    with pytest.raises(ConstructError, match="alarms and traffic hooks belong to a deployment") as caught:
        line = _next_line()
        fn.add_alias("live", pre_traffic=_function(stack, "Pre"))

    assert caught.value.location.line == line


# -- bad inputs --------------------------------------------------------------------------------------

@pytest.mark.parametrize("percent", [0, 100, -5, 150, 10.5, True])
def test_a_canary_percent_outside_1_to_99_is_refused_at_its_line(percent):
    with pytest.raises(ConstructError, match="percent must be a whole number from 1 to 99") as caught:
        line = _next_line()
        codedeploy.Deployment.canary(percent=percent, minutes=10)

    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_a_linear_percent_outside_1_to_99_is_refused():
    with pytest.raises(ConstructError, match="Deployment.linear: percent must be a whole number from 1 to 99"):
        codedeploy.Deployment.linear(percent=100, every_minutes=1)


@pytest.mark.parametrize("make, message", [
    (lambda: codedeploy.Deployment.canary(percent=10, minutes=0), "minutes must be a whole number of at least 1"),
    (lambda: codedeploy.Deployment.linear(percent=10, every_minutes=0),
     "every_minutes must be a whole number of at least 1"),
    (lambda: codedeploy.Deployment.canary(percent=10, minutes=2161), "at most 36 hours"),
    (lambda: codedeploy.Deployment.linear(percent=1, every_minutes=30), "2970 minutes"),
])
def test_schedules_that_cannot_finish_are_refused(make, message):
    with pytest.raises(ConstructError, match=message):
        make()


def test_an_unknown_preset_lists_the_nine_and_points_at_the_add_alias_line(stack):
    fn = _function(stack)

    with pytest.raises(ConstructError, match="unknown deployment preset 'Canary10Percent20Minutes'") as caught:
        line = _next_line()
        fn.add_alias("live", deployment="Canary10Percent20Minutes")

    assert all(preset in caught.value.message for preset in NINE_PRESETS)
    assert "did you mean" in caught.value.hint
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)
    assert caught.value.path == "Main/Fn/Aliaslive/Deployment"


def test_a_deployment_of_the_wrong_type_is_refused(stack):
    with pytest.raises(ConstructError, match=r"deployment must be Deployment \| str, got int 10"):
        _function(stack).add_alias("live", deployment=10)


def test_a_misspelt_argument_names_the_real_one(stack):
    alias = _function(stack).add_alias("live")

    with pytest.raises(ConstructError, match="LambdaDeploymentGroup 'Deployment' has no argument 'pre_trafic'") \
            as caught:
        line = _next_line()
        codedeploy.LambdaDeploymentGroup(alias, "Deployment", alias=alias, pre_trafic=_function(stack, "Pre"))

    assert caught.value.hint == "did you mean pre_traffic?"
    assert (caught.value.path, caught.value.location.line) == ("Main/Fn/Aliaslive/Deployment", line)


def test_the_alias_must_be_an_alias(stack):
    fn = _function(stack)

    with pytest.raises(ConstructError, match="alias must be LambdaAlias, got Function"):
        codedeploy.LambdaDeploymentGroup(stack, "Deployment", alias=fn)


def test_the_group_name_is_bounded_by_the_schema(app, stack):
    _, longest = property_length("AWS::CodeDeploy::DeploymentGroup", "DeploymentGroupName")
    assert longest is not None
    alias = _function(stack).add_alias("live")
    group = codedeploy.LambdaDeploymentGroup(alias, "Deployment", alias=alias, deployment_group_name="g" * longest)
    assert _resources(app)[group.resource.logical_id]["Properties"]["DeploymentGroupName"] == "g" * longest

    other = _function(stack, "Other").add_alias("live")
    with pytest.raises(ConstructError, match=r"deployment_group_name: 'g+' is too long "
                                             r"\(AWS::CodeDeploy::DeploymentGroup DeploymentGroupName"):
        codedeploy.LambdaDeploymentGroup(other, "Deployment", alias=other, deployment_group_name="g" * (longest + 1))
    with pytest.raises(ConstructError, match="deployment_group_name: 'my group' does not match"):
        codedeploy.LambdaDeploymentGroup(other, "Deployment", alias=other, deployment_group_name="my group")


def test_more_than_ten_alarms_are_refused_by_the_constructor(stack):
    fn = _function(stack)
    alias = fn.add_alias("live")

    with pytest.raises(ConstructError, match="alarms: CodeDeploy watches at most 10 alarms per deployment group, "
                                             "got 11"):
        codedeploy.LambdaDeploymentGroup(alias, "Deployment", alias=alias, alarms=[f"alarm-{i}" for i in range(11)])


# -- with API Gateway, and as a whole ------------------------------------------------------------------

def test_an_api_route_can_target_the_alias(app, stack):
    fn = _function(stack)
    alias = fn.add_alias("live", deployment="Canary10Percent10Minutes")
    api = apigateway.RestApi(stack, "Api")
    method = api.add_route("GET", "/items", alias)

    resources = _resources(app)
    uri = resources[method.logical_id]["Properties"]["Integration"]["Uri"]["Fn::Sub"]
    assert f"/functions/${{{alias.resource.logical_id}}}/invocations" in uri
    (permission,) = _of_type(resources, "AWS::Lambda::Permission")
    assert permission["Properties"]["FunctionName"] == {"Ref": alias.resource.logical_id}


def test_a_deployment_group_can_be_made_directly_with_a_shared_application(app, stack):
    application = codedeploy.LambdaApplication(stack, "Releases", application_name="shop")
    first = _function(stack, "First").add_alias("live")
    second = _function(stack, "Second").add_alias("live")
    for alias in (first, second):
        codedeploy.LambdaDeploymentGroup(alias, "Deployment", alias=alias, application=application,
                                         deployment="Linear10PercentEvery2Minutes")

    resources = _resources(app)
    assert len(_of_type(resources, "AWS::CodeDeploy::Application")) == 1
    assert len(_of_type(resources, "AWS::CodeDeploy::DeploymentGroup")) == 2


def test_a_deployment_group_outside_the_alias_stack_is_refused():
    app = App()
    alias = _function(Stack(app, "Service")).add_alias("live")

    with pytest.raises(ConstructError, match="must be in the stack of alias Service/Fn/Aliaslive"):
        codedeploy.LambdaDeploymentGroup(Stack(app, "Releases"), "Deployment", alias=alias)


def test_a_canary_deployment_passes_cfn_lint_without_findings():
    app = App()
    stack = Stack(app, "Main")
    fn = _function(stack)
    errors = cloudwatch.Alarm(stack, "Errors", metric=fn.metric_errors(), threshold=1, evaluation_periods=1)
    hook = _function(stack, "PreTrafficHook")
    fn.add_alias("live", deployment="Canary10Percent10Minutes", alarms=[errors], pre_traffic=hook,
                 post_traffic=_function(stack, "PostTrafficHook"))
    _function(stack, "Other").add_alias("live", deployment=codedeploy.Deployment.linear(percent=25, every_minutes=5))

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


# -- ECS blue/green groups made directly (the pattern's are in test_blue_green.py) -------------------------

def _blue_green_web(app: App) -> LoadBalancedFargateService:
    stack = Stack(app, "Main")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    return LoadBalancedFargateService(stack, "Web", cluster=cluster, deployment="blue_green",
                                      image=ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample"))


def _ecs_group(web: LoadBalancedFargateService, **props: Any) -> codedeploy.EcsDeploymentGroup:
    return codedeploy.EcsDeploymentGroup(web, "Other", service=web.service, blue_target_group=web.target_group,
                                         green_target_group=web.green_target_group, listener=web.listener, **props)


def test_the_termination_wait_may_be_a_duration():
    app = App()
    group = _ecs_group(_blue_green_web(app), termination_wait_minutes=Duration.hours(2))

    configuration = _resources(app)[group.resource.logical_id]["Properties"]["BlueGreenDeploymentConfiguration"]
    assert configuration["TerminateBlueInstancesOnDeploymentSuccess"]["TerminationWaitTimeInMinutes"] == 120
    assert group.termination_wait_minutes == 120


@pytest.mark.parametrize(("props", "message"), [
    ({"termination_wait_minutes": Duration.seconds(90)}, "termination_wait_minutes: 90 seconds is not a whole "
                                                         "number of minutes"),
    ({"termination_wait_minutes": Duration.days(3)}, "termination_wait_minutes: must be from 0 to 2880 minutes"),
    ({"termination_wait_minutes": -1}, "termination_wait_minutes: must be from 0 to 2880 minutes"),
    ({"test_listener": "listener-arn"}, r"test_listener must be TrafficListener \| None, got str"),
    ({"deployment_group_name": "a/b"}, "deployment_group_name: 'a/b' does not match"),
    ({"deployment": "Linear10PercentEvery2Minutes"}, "unknown ECS deployment preset"),
])
def test_bad_ecs_group_arguments_point_at_the_users_line(props, message):
    web = _blue_green_web(App())

    with pytest.raises(ConstructError, match=message) as caught:
        line = _next_line()
        codedeploy.EcsDeploymentGroup(web, "Other", service=web.service, blue_target_group=web.target_group,
                                      green_target_group=web.green_target_group, listener=web.listener, **props)

    assert caught.value.path == "Main/Web/Other"
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_an_ecs_group_needs_two_target_groups():
    web = _blue_green_web(App())

    with pytest.raises(ConstructError, match="must be two target groups") as caught:
        codedeploy.EcsDeploymentGroup(web, "Other", service=web.service, blue_target_group=web.target_group,
                                      green_target_group=web.target_group, listener=web.listener)
    assert caught.value.path == "Main/Web/Other"


def test_an_ecs_group_needs_a_service():
    web = _blue_green_web(App())

    with pytest.raises(ConstructError, match="service must be BlueGreenService, got str 'web'"):
        codedeploy.EcsDeploymentGroup(web, "Other", service="web", blue_target_group=web.target_group,
                                      green_target_group=web.green_target_group, listener=web.listener)


def test_a_custom_schedule_takes_durations():
    assert codedeploy.Deployment.canary(percent=10, minutes=Duration.hours(1)).minutes == 60
    assert codedeploy.Deployment.linear(percent=10, every_minutes=Duration.minutes(3)).minutes == 3
    with pytest.raises(ConstructError, match="Deployment.linear: every_minutes: 90 seconds is not a whole number "
                                             "of minutes") as caught:
        line = _next_line()
        codedeploy.Deployment.linear(percent=10, every_minutes=Duration.seconds(90))
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_an_application_name_is_checked_against_the_schema(stack):
    _, longest = property_length("AWS::CodeDeploy::Application", "ApplicationName")
    assert longest is not None

    with pytest.raises(ConstructError, match=r"application_name: 'a+' is too long "
                                             r"\(AWS::CodeDeploy::Application ApplicationName"):
        codedeploy.EcsApplication(stack, "Releases", application_name="a" * (longest + 1))
