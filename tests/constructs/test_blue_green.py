"""ECS blue/green: `LoadBalancedFargateService(..., deployment="blue_green")` — the two target groups,
the production and test listeners, the CODE_DEPLOY service, the CodeDeploy ECS deployment group and
role, the load balancer metrics its alarms watch, and the inputs refused at the user's line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import cloudwatch, codedeploy, ec2, ecs, elbv2
from iac.constructs.patterns import LoadBalancedFargateService
from iac.synth import synthesize
from iac.synth.lint import lint_template

REPO = Path(__file__).resolve().parents[2]
IMAGE = ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample")
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f5b2c1e-1111-2222-3333-444455556666"


def _next_line() -> int:
    """The line after the caller's: where the statement that should fail is."""
    return sys._getframe(1).f_lineno + 1


def _stack() -> tuple[App, Stack, ecs.Cluster]:
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    return app, stack, cluster


def _blue_green(**props: Any) -> tuple[App, LoadBalancedFargateService]:
    app, stack, cluster = _stack()
    props.setdefault("image", IMAGE)
    return app, LoadBalancedFargateService(stack, "Web", cluster=cluster, deployment="blue_green", **props)


def _resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def _properties(app: App, construct: Any) -> dict[str, Any]:
    return _resources(app)[construct.resource.logical_id]["Properties"]


def _ref(construct: Any) -> dict[str, str]:
    return {"Ref": construct.resource.logical_id}


# -- listeners and target groups ----------------------------------------------------------------------

def test_the_production_listener_forwards_to_blue():
    app, web = _blue_green()

    listener = _properties(app, web.listener)
    assert listener["Port"] == 80
    assert listener["DefaultActions"] == [{"Type": "forward", "TargetGroupArn": _ref(web.target_group)}]


def test_the_test_listener_on_9000_forwards_to_blue_and_names_green_with_no_weight():
    app, web = _blue_green()

    test = _properties(app, web.test_listener)
    assert (test["Port"], test["Protocol"]) == (9000, "HTTP")
    assert test["DefaultActions"] == [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": _ref(web.target_group), "Weight": 1},
        {"TargetGroupArn": _ref(web.green_target_group), "Weight": 0}]}}]
    assert web.green_target_group.load_balancers == [web.load_balancer]


def test_the_service_registers_with_blue_only():
    app, web = _blue_green()

    service = _properties(app, web.service)
    assert service["LoadBalancers"] == [{"ContainerName": "web", "ContainerPort": 80,
                                         "TargetGroupArn": _ref(web.target_group)}]


def test_both_target_groups_check_health_like_the_first():
    app, web = _blue_green(health_check=elbv2.HealthCheck(path="/health"))

    blue, green = _properties(app, web.target_group), _properties(app, web.green_target_group)
    assert blue == green
    assert blue["HealthCheckPath"] == "/health"


def test_the_load_balancer_group_opens_the_test_port_like_the_production_port():
    app, web = _blue_green()

    rules = _properties(app, web.load_balancer.security_group)["SecurityGroupIngress"]
    assert sorted((r["CidrIp"], r["FromPort"], r["ToPort"]) for r in rules) == [
        ("0.0.0.0/0", 80, 80), ("0.0.0.0/0", 9000, 9000)]


def test_test_listener_cidr_narrows_who_reaches_the_test_port():
    app, web = _blue_green(test_listener_cidr="203.0.113.0/24")

    rules = _properties(app, web.load_balancer.security_group)["SecurityGroupIngress"]
    assert sorted((r["CidrIp"], r["FromPort"]) for r in rules) == [("0.0.0.0/0", 80), ("203.0.113.0/24", 9000)]


def test_another_test_port_is_used_and_opened():
    app, web = _blue_green(test_listener_port=8080)

    assert _properties(app, web.test_listener)["Port"] == 8080
    assert web.deployment_group is not None


def test_with_https_the_test_listener_uses_the_same_certificate():
    app, web = _blue_green(certificate_arn=CERTIFICATE)

    test = _properties(app, web.test_listener)
    assert (test["Port"], test["Protocol"], test["Certificates"]) == (9000, "HTTPS", [{"CertificateArn": CERTIFICATE}])


# -- the service and the deployment group --------------------------------------------------------------

def test_the_service_uses_the_codedeploy_controller_without_a_circuit_breaker():
    app, web = _blue_green()

    service = _properties(app, web.service)
    assert service["DeploymentController"] == {"Type": "CODE_DEPLOY"}
    assert "DeploymentCircuitBreaker" not in service["DeploymentConfiguration"]


def test_a_rolling_service_keeps_the_ecs_controller_and_its_circuit_breaker():
    app, stack, cluster = _stack()
    web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE)

    service = _properties(app, web.service)
    assert service["DeploymentController"] == {"Type": "ECS"}
    assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert web.green_target_group is web.test_listener is web.deployment_group is None


def test_the_deployment_group_names_service_both_groups_and_both_listeners():
    app, web = _blue_green()

    group = _properties(app, web.deployment_group)
    assert group["ECSServices"] == [{"ClusterName": _ref(web.cluster),
                                     "ServiceName": {"Fn::GetAtt": [web.service.resource.logical_id, "Name"]}}]
    assert group["LoadBalancerInfo"] == {"TargetGroupPairInfoList": [{
        "TargetGroups": [{"Name": {"Fn::GetAtt": [web.target_group.resource.logical_id, "TargetGroupName"]}},
                         {"Name": {"Fn::GetAtt": [web.green_target_group.resource.logical_id, "TargetGroupName"]}}],
        "ProdTrafficRoute": {"ListenerArns": [_ref(web.listener)]},
        "TestTrafficRoute": {"ListenerArns": [_ref(web.test_listener)]},
    }]}
    assert group["DeploymentStyle"] == {"DeploymentType": "BLUE_GREEN", "DeploymentOption": "WITH_TRAFFIC_CONTROL"}


def test_the_deployment_group_keeps_blue_tasks_and_rolls_back_on_failure_alarm_and_request():
    app, web = _blue_green(termination_wait_minutes=30)
    alarm = cloudwatch.Alarm(web.stack, "Errors", metric=web.load_balancer.metric_5xx(), threshold=1,
                             evaluation_periods=1)
    web.add_alarm(alarm)

    group = _properties(app, web.deployment_group)
    assert group["BlueGreenDeploymentConfiguration"] == {
        "DeploymentReadyOption": {"ActionOnTimeout": "CONTINUE_DEPLOYMENT"},
        "TerminateBlueInstancesOnDeploymentSuccess": {"Action": "TERMINATE", "TerminationWaitTimeInMinutes": 30}}
    assert group["AutoRollbackConfiguration"] == {"Enabled": True, "Events": [
        "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"]}
    assert group["AlarmConfiguration"] == {"Enabled": True, "Alarms": [{"Name": _ref(alarm)}]}
    assert group["DeploymentConfigName"] == "CodeDeployDefault.ECSAllAtOnce"


def test_alarms_given_to_the_pattern_are_watched_and_the_default_wait_is_five_minutes():
    app, stack, cluster = _stack()
    cpu = cloudwatch.Alarm(stack, "Cpu", threshold=90, evaluation_periods=3, metric=cloudwatch.Metric(
        namespace="AWS/ECS", metric_name="CPUUtilization", dimensions={"ClusterName": cluster.cluster_name}))
    web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, deployment="blue_green",
                                     alarms=[cpu])

    group = _properties(app, web.deployment_group)
    assert group["AlarmConfiguration"]["Alarms"] == [{"Name": _ref(cpu)}]
    assert group["BlueGreenDeploymentConfiguration"]["TerminateBlueInstancesOnDeploymentSuccess"][
        "TerminationWaitTimeInMinutes"] == 5


def test_without_alarms_there_is_no_rollback_on_alarm():
    app, web = _blue_green()

    group = _properties(app, web.deployment_group)
    assert "AlarmConfiguration" not in group
    assert "DEPLOYMENT_STOP_ON_ALARM" not in group["AutoRollbackConfiguration"]["Events"]


def test_the_application_is_for_ecs_and_the_role_has_the_partition_aware_ecs_policy():
    app, web = _blue_green()
    resources = _resources(app)

    application = resources[web.deployment_group.application.resource.logical_id]["Properties"]
    assert application == {"ComputePlatform": "ECS"}
    role = resources[web.deployment_group.role.resource.logical_id]["Properties"]
    assert role["ManagedPolicyArns"] == [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSCodeDeployRoleForECS"}]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "codedeploy.amazonaws.com"}


@pytest.mark.parametrize("preset", sorted(codedeploy.ECS_PRESETS))
def test_each_ecs_preset_uses_codedeploys_predefined_configuration(preset):
    app, web = _blue_green(traffic_shifting=preset)

    assert _properties(app, web.deployment_group)["DeploymentConfigName"] == f"CodeDeployDefault.ECS{preset}"


def test_a_custom_canary_for_ecs_is_a_deployment_config_of_the_ecs_platform():
    app, web = _blue_green(traffic_shifting=codedeploy.Deployment.canary(percent=20, minutes=5))

    config = web.deployment_group.find_child("Config")
    assert _resources(app)[config.logical_id]["Properties"] == {"ComputePlatform": "ECS", "TrafficRoutingConfig": {
        "Type": "TimeBasedCanary", "TimeBasedCanary": {"CanaryPercentage": 20, "CanaryInterval": 5}}}
    assert _properties(app, web.deployment_group)["DeploymentConfigName"] == {"Ref": config.logical_id}


def test_the_stability_contract_ids():
    _, web = _blue_green()

    assert [c.id for c in web.children if c.id in ("TargetGroup", "GreenTargetGroup", "Service", "Deployment")] == [
        "TargetGroup", "GreenTargetGroup", "Service", "Deployment"]
    assert web.test_listener.path == "Main/Web/LB/TestListener"
    assert [c.id for c in web.deployment_group.children] == ["Application", "ServiceRole", "Resource"]


# -- metrics ------------------------------------------------------------------------------------------

def test_load_balancer_5xx_counts_every_targets_errors_per_minute():
    app, web = _blue_green()
    metric = web.load_balancer.metric_5xx()

    assert (metric.namespace, metric.metric_name, metric.statistic, metric.period) == (
        "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", 60)
    assert list(metric.dimensions) == ["LoadBalancer"]
    assert web.load_balancer.metric_5xx(origin="elb").metric_name == "HTTPCode_ELB_5XX_Count"


def test_a_target_groups_metrics_name_it_and_its_load_balancer():
    app, web = _blue_green()
    alarm = cloudwatch.Alarm(web.stack, "Unhealthy", metric=web.green_target_group.metric_unhealthy_hosts(),
                             threshold=1, evaluation_periods=2)

    properties = _properties(app, alarm)
    assert properties["MetricName"] == "UnHealthyHostCount"
    assert properties["Dimensions"] == [
        {"Name": "LoadBalancer", "Value": {"Fn::GetAtt": [web.load_balancer.resource.logical_id,
                                                          "LoadBalancerFullName"]}},
        {"Name": "TargetGroup", "Value": {"Fn::GetAtt": [web.green_target_group.resource.logical_id,
                                                         "TargetGroupFullName"]}}]
    assert web.target_group.metric_5xx().metric_name == "HTTPCode_Target_5XX_Count"
    assert web.target_group.metric_response_time().statistic == "p99"


def test_a_target_group_no_listener_forwards_to_has_no_metrics_yet():
    _, stack, cluster = _stack()
    group = elbv2.ApplicationTargetGroup(stack, "Lonely", vpc=cluster.vpc)

    with pytest.raises(ConstructError, match="no listener forwards to it yet") as caught:
        line = _next_line()
        group.metric_5xx()
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_an_unknown_error_origin_is_refused():
    _, web = _blue_green()

    with pytest.raises(ConstructError, match="origin must be 'target' or 'elb'"):
        web.load_balancer.metric_5xx(origin="client")


# -- refused inputs -----------------------------------------------------------------------------------

def test_a_test_port_equal_to_the_listener_port_is_refused():
    with pytest.raises(ConstructError, match="test_listener_port 80 is the production listener's port") as caught:
        _blue_green(test_listener_port=80)
    assert caught.value.location.file == __file__


def test_a_test_port_equal_to_the_listener_port_is_refused_where_the_pattern_is_written():
    _, stack, cluster = _stack()

    with pytest.raises(ConstructError, match="needs a port of its own") as caught:
        line = _next_line()
        LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, deployment="blue_green",
                                   listener_port=9000)
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_blue_green_options_without_blue_green_are_refused():
    _, stack, cluster = _stack()

    with pytest.raises(ConstructError, match="test_listener_port, termination_wait_minutes apply to blue/green"):
        LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, test_listener_port=9000,
                                   termination_wait_minutes=5)


def test_an_unknown_deployment_kind_is_refused():
    _, stack, cluster = _stack()

    with pytest.raises(ConstructError, match="deployment"):
        LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, deployment="canary")


def test_add_alarm_on_a_rolling_service_is_refused_at_the_users_line():
    _, stack, cluster = _stack()
    web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE)

    with pytest.raises(ConstructError, match="is not deployed blue/green") as caught:
        line = _next_line()
        web.add_alarm("some-alarm")
    assert caught.value.location.line == line


def test_a_termination_wait_beyond_two_days_is_refused():
    with pytest.raises(ConstructError, match="termination_wait_minutes"):
        _blue_green(termination_wait_minutes=2881)


def test_a_lambda_preset_for_ecs_is_refused_with_the_ecs_presets_listed():
    with pytest.raises(ConstructError, match="unknown ECS deployment preset 'Canary10Percent10Minutes'.*"
                                             "Canary10Percent15Minutes"):
        _blue_green(traffic_shifting="Canary10Percent10Minutes")


def test_an_invalid_test_cidr_is_refused():
    with pytest.raises(ConstructError, match="not-a-cidr"):
        _blue_green(test_listener_cidr="not-a-cidr")


def test_an_alarm_from_another_stack_is_refused():
    app, web = _blue_green()
    other = Stack(app, "Monitoring")
    alarm = cloudwatch.Alarm(other, "Errors", metric=web.load_balancer.metric_5xx(), threshold=1,
                             evaluation_periods=1)

    with pytest.raises(ConstructError, match="alarm Monitoring/Errors is in stack Monitoring") as caught:
        web.add_alarm(alarm)
    assert "cloudwatch.Alarm(service.stack" in caught.value.hint


def test_a_deployment_group_needs_a_codedeploy_controlled_service():
    app, stack, cluster = _stack()
    web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE)
    green = elbv2.ApplicationTargetGroup(stack, "Green", vpc=cluster.vpc)

    with pytest.raises(ConstructError, match="uses the ECS deployment controller"):
        codedeploy.EcsDeploymentGroup(stack, "Deployment", service=web.service, blue_target_group=web.target_group,
                                      green_target_group=green, listener=web.listener)


def test_the_production_listener_must_forward_to_blue():
    _, web = _blue_green()

    with pytest.raises(ConstructError, match="must forward to the blue target group"):
        codedeploy.EcsDeploymentGroup(web, "Other", service=web.service, blue_target_group=web.green_target_group,
                                      green_target_group=web.target_group, listener=web.listener)


def test_weights_must_match_the_target_groups():
    _, web = _blue_green()

    with pytest.raises(ConstructError, match="one whole number from 0 to 999 per target group"):
        elbv2.ListenerAction.forward([web.target_group, web.green_target_group], weights=[1])


# -- the sample and cfn-lint ----------------------------------------------------------------------------

def test_the_sample_has_two_target_groups_a_test_listener_on_9000_and_the_deployment_group():
    from iac.cli.app_loader import load_app

    app = load_app(str(REPO / "samples" / "blue_green" / "app.py"))
    resources = synthesize(app).template("BlueGreenService")["Resources"]
    types = [r["Type"] for r in resources.values()]

    assert types.count("AWS::ElasticLoadBalancingV2::TargetGroup") == 2
    assert sorted(r["Properties"]["Port"] for r in resources.values()
                  if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener") == [80, 9000]
    for resource_type in ("AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup",
                          "AWS::CloudWatch::Alarm"):
        assert types.count(resource_type) == 1


def test_blue_green_variants_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Main")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    public = LoadBalancedFargateService(stack, "Public", cluster=cluster, image=IMAGE, deployment="blue_green",
                                        certificate_arn=CERTIFICATE, test_listener_cidr="10.0.0.0/8",
                                        traffic_shifting=codedeploy.Deployment.linear(percent=25, every_minutes=2))
    public.add_alarm(cloudwatch.Alarm(stack, "Errors", metric=public.load_balancer.metric_5xx(), threshold=1,
                                      evaluation_periods=1))
    LoadBalancedFargateService(stack, "Internal", cluster=cluster, image=IMAGE, deployment="blue_green",
                               public_load_balancer=False, test_listener_port=8443)

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []
