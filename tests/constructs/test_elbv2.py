"""elbv2: application load balancers, listeners (HTTP, HTTPS, redirects) and target groups, and the
security group rules a listener opens."""

from __future__ import annotations

import re
from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack, ValidationError
from iac.constructs import ec2, elbv2
from iac.constructs.elbv2 import ListenerAction
from iac.specs import property_enum, property_length, property_pattern, property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f5b2c1e-1111-2222-3333-444455556666"


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def props(app: App, resource: Any) -> dict[str, Any]:
    return resources(app)[resource.logical_id].get("Properties", {})


def ingress(app: App, lb: elbv2.ApplicationLoadBalancer) -> list[tuple[str, int]]:
    rules = props(app, lb.security_group.resource).get("SecurityGroupIngress", [])
    return [(rule["CidrIp"], rule["FromPort"]) for rule in rules if rule["FromPort"] == rule["ToPort"]]


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


@pytest.fixture
def group(stack: Stack, vpc: ec2.Vpc) -> elbv2.ApplicationTargetGroup:
    return elbv2.ApplicationTargetGroup(stack, "Web", vpc=vpc, port=8080)


@pytest.fixture
def lb(stack: Stack, vpc: ec2.Vpc) -> elbv2.ApplicationLoadBalancer:
    return elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc)


# -- load balancers --------------------------------------------------------------------------------


def test_an_internet_facing_load_balancer_sits_in_public_subnets_once_they_reach_the_internet(app, vpc, lb, group):
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    entry = resources(app)[lb.resource.logical_id]
    assert entry["Properties"] == {
        "Type": "application",
        "Scheme": "internet-facing",
        "Subnets": [{"Ref": s.resource.logical_id} for s in vpc.public_subnets],
        "SecurityGroups": [{"Fn::GetAtt": [lb.security_group.resource.logical_id, "GroupId"]}],
        "LoadBalancerAttributes": [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}],
    }
    assert entry["DependsOn"] == [r.logical_id for r in vpc.internet_connectivity]


def test_an_internal_load_balancer_sits_in_private_subnets_and_accepts_only_the_vpc(app, stack, vpc, group):
    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc, internet_facing=False)
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    entry = resources(app)[lb.resource.logical_id]
    assert entry["Properties"]["Scheme"] == "internal"
    assert entry["Properties"]["Subnets"] == [{"Ref": s.resource.logical_id} for s in vpc.private_subnets]
    assert "DependsOn" not in entry
    assert ingress(app, lb) == [("10.0.0.0/16", 80)]


def test_load_balancer_attributes_follow_the_props(app, stack, vpc, group):
    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc, idle_timeout_seconds=120, deletion_protection=True,
                                       drop_invalid_header_fields=False)
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    assert props(app, lb.resource)["LoadBalancerAttributes"] == [
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"},
        {"Key": "deletion_protection.enabled", "Value": "true"},
        {"Key": "idle_timeout.timeout_seconds", "Value": "120"}]


def test_one_zone_is_not_enough_for_a_load_balancer(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1)
    with pytest.raises(ConstructError, match="at least two availability zones; Main/LB would have 1") as caught:
        elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc)
    assert caught.value.location.file == __file__


def test_a_load_balancer_without_listeners_is_a_validation_problem(app, lb):
    with pytest.raises(ValidationError, match="load balancer Main/LB has no listener"):
        synthesize(app)


# -- listeners -------------------------------------------------------------------------------------


def test_an_http_listener_forwards_and_opens_only_its_port(app, lb, group):
    listener = lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    assert props(app, listener.resource) == {
        "LoadBalancerArn": {"Ref": lb.resource.logical_id},
        "Port": 80,
        "Protocol": "HTTP",
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": group.resource.logical_id}}],
    }
    assert props(app, lb.security_group.resource)["SecurityGroupIngress"] == [
        {"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80,
         "Description": "HTTP listener on port 80"}]


def test_an_https_listener_has_the_certificate_and_a_tls12_policy_and_port_80_redirects(app, lb, group):
    https = lb.add_listener("Https", certificate_arn=CERTIFICATE, default_action=ListenerAction.forward([group]))
    redirect = lb.add_redirect()

    assert props(app, https.resource) == {
        "LoadBalancerArn": {"Ref": lb.resource.logical_id},
        "Port": 443,
        "Protocol": "HTTPS",
        "Certificates": [{"CertificateArn": CERTIFICATE}],
        "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": group.resource.logical_id}}],
    }
    assert props(app, redirect.resource) == {
        "LoadBalancerArn": {"Ref": lb.resource.logical_id},
        "Port": 80,
        "Protocol": "HTTP",
        "DefaultActions": [{"Type": "redirect", "RedirectConfig": {
            "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}],
    }
    assert ingress(app, lb) == [("0.0.0.0/0", 443), ("0.0.0.0/0", 80)]
    assert group.listeners == [https]  # the redirect forwards nowhere


def test_a_redirect_to_another_https_port(app, lb):
    redirect = lb.add_redirect("Redirect", source_port=8080, target_port=8443)

    assert props(app, redirect.resource)["DefaultActions"][0]["RedirectConfig"]["Port"] == "8443"
    assert props(app, redirect.resource)["Port"] == 8080


def test_a_listener_that_does_not_open_its_port_leaves_the_group_closed(app, lb, group):
    lb.add_listener("Http", default_action=ListenerAction.forward([group]), open=False)

    assert "SecurityGroupIngress" not in props(app, lb.security_group.resource)


def test_forwarding_to_several_groups_spreads_requests_evenly(app, stack, vpc, lb, group):
    other = elbv2.ApplicationTargetGroup(stack, "Other", vpc=vpc, port=8080)
    listener = lb.add_listener("Http", default_action=ListenerAction.forward([group, other]))

    assert props(app, listener.resource)["DefaultActions"] == [{"Type": "forward", "ForwardConfig": {"TargetGroups": [
        {"TargetGroupArn": {"Ref": group.resource.logical_id}, "Weight": 1},
        {"TargetGroupArn": {"Ref": other.resource.logical_id}, "Weight": 1}]}}]


def test_a_fixed_response(app, lb):
    listener = lb.add_listener("Http", default_action=ListenerAction.fixed_response(
        404, content_type="text/plain", message_body="nothing here"))

    assert props(app, listener.resource)["DefaultActions"] == [{"Type": "fixed-response", "FixedResponseConfig": {
        "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "nothing here"}}]


@pytest.mark.parametrize("listener_props, message", [
    ({"protocol": "HTTPS"}, "an HTTPS listener needs certificates"),
    ({"protocol": "HTTP", "certificate_arn": CERTIFICATE}, "apply to HTTPS listeners"),
    ({"certificate_arn": "my-cert"}, "certificate_arn: 'my-cert' is not an ACM certificate ARN"),
    ({"port": 0}, "port"),
])
def test_bad_listeners_are_errors_at_the_users_line(lb, group, listener_props, message):
    with pytest.raises(ConstructError, match=message) as caught:
        lb.add_listener("L", default_action=ListenerAction.forward([group]), **listener_props)
    assert caught.value.location.file == __file__


def test_two_listeners_on_one_port_are_refused(lb, group):
    lb.add_listener("A", default_action=ListenerAction.forward([group]))
    with pytest.raises(ConstructError, match="already listens on port 80"):
        lb.add_listener("B", port=80, default_action=ListenerAction.fixed_response(200))


@pytest.mark.parametrize("make, message", [
    (lambda: ListenerAction.forward([]), "one or more ApplicationTargetGroups"),
    (lambda: ListenerAction.redirect(protocol="FTP"), "HTTP or HTTPS"),
    (lambda: ListenerAction.redirect(status_code="HTTP_308"), "HTTP_301 or HTTP_302"),
    (lambda: ListenerAction.fixed_response(99), r"status_code must be an HTTP status code matching .*got 99"),
    (lambda: ListenerAction.fixed_response(200, content_type="x" * 100), "content_type must be a string of at most"),
])
def test_bad_actions_are_errors_at_the_users_line(make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make()
    assert caught.value.location.file == __file__


# -- target groups ---------------------------------------------------------------------------------


def test_a_target_group_uses_ip_targets_and_a_quick_health_check(app, vpc, lb, group):
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    assert props(app, group.resource) == {
        "VpcId": {"Ref": vpc.resource.logical_id},
        "TargetType": "ip",
        "Port": 8080,
        "Protocol": "HTTP",
        "HealthCheckPath": "/",
        "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 2,
        "UnhealthyThresholdCount": 3,
        "Matcher": {"HttpCode": "200"},
    }
    assert group.load_balancers == [lb]


def test_health_check_and_deregistration_delay_can_be_chosen(app, stack, vpc, lb):
    group = elbv2.ApplicationTargetGroup(stack, "Api", vpc=vpc, port=3000, deregistration_delay_seconds=30,
                                         health_check=elbv2.HealthCheck(path="/health", healthy_http_codes="200-299",
                                                                        interval_seconds=10, timeout_seconds=4))
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    properties = props(app, group.resource)
    assert (properties["HealthCheckPath"], properties["Matcher"], properties["HealthCheckIntervalSeconds"]) == (
        "/health", {"HttpCode": "200-299"}, 10)
    assert properties["TargetGroupAttributes"] == [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}]


@pytest.mark.parametrize("check, message", [
    ({"timeout_seconds": 30, "interval_seconds": 30}, "must be shorter than interval_seconds"),
    ({"path": "health"}, "path"),
    ({"healthy_http_codes": "ok"}, "healthy_http_codes"),
])
def test_bad_health_checks_are_refused(check, message):
    with pytest.raises(ValueError, match=message):
        elbv2.HealthCheck(**check)


def test_a_dependent_waits_for_listeners_added_later(app, stack, vpc, lb, group):
    waiting = vpc.resource  # any resource can wait; the VPC stands in for a service
    group.add_dependent(waiting)
    listener = lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    assert listener.resource in waiting.depends_on


def test_a_target_group_with_targets_but_no_listener_is_a_validation_problem(app, stack, vpc, lb, group):
    lb.add_listener("Http", default_action=ListenerAction.fixed_response(200))
    group.add_dependent(vpc.resource)
    with pytest.raises(ValidationError, match="target group Main/Web has targets registered but no listener"):
        synthesize(app)


def test_load_balancer_listeners_and_target_groups_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    group = elbv2.ApplicationTargetGroup(stack, "Web", vpc=vpc, port=8080, deregistration_delay_seconds=30)
    public = elbv2.ApplicationLoadBalancer(stack, "Public", vpc=vpc, idle_timeout_seconds=60)
    public.add_listener("Https", certificate_arn=CERTIFICATE, default_action=ListenerAction.forward([group]))
    public.add_redirect()
    internal = elbv2.ApplicationLoadBalancer(stack, "Internal", vpc=vpc, internet_facing=False)
    internal.add_listener("Http", default_action=ListenerAction.fixed_response(503, content_type="text/plain"))

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


# -- props: declared in the signatures, bound to the schemas ---------------------------------------


@pytest.mark.parametrize("make, message, hint", [
    (lambda s, vpc, lb, group: elbv2.ApplicationTargetGroup(s, "Api", vpc=vpc, prot=80),
     "ApplicationTargetGroup 'Api' has no argument 'prot'", "did you mean port?"),
    (lambda s, vpc, lb, group: elbv2.ApplicationLoadBalancer(s, "Other", vpc=vpc, internet_facin=False),
     "ApplicationLoadBalancer 'Other' has no argument 'internet_facin'", "did you mean internet_facing?"),
    (lambda s, vpc, lb, group: lb.add_listener("L", default_action=ListenerAction.forward([group]), certificate="x"),
     "add_listener of ApplicationLoadBalancer 'Main/LB' has no argument 'certificate'",
     "did you mean certificates?"),
])
def test_a_misspelt_prop_names_the_closest_one_at_the_users_line(stack, vpc, lb, group, make, message, hint):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack, vpc, lb, group)
    assert caught.value.hint == hint
    assert caught.value.location.file == __file__


def test_add_listener_without_a_default_action_names_it(lb):
    with pytest.raises(ConstructError, match="add_listener of ApplicationLoadBalancer 'Main/LB' needs the argument "
                                             "default_action=") as caught:
        lb.add_listener("L", port=80)
    assert caught.value.location.file == __file__
    assert lb.listeners == []


def test_ports_are_checked_against_the_registry_schemas(stack, vpc, lb, group):
    highest = property_range(elbv2.TARGET_GROUP, "Port")[1]
    assert highest is not None
    with pytest.raises(ConstructError, match=rf"port: {int(highest) + 1} is greater than the maximum of "
                                             rf"{int(highest)} \(AWS::ElasticLoadBalancingV2::TargetGroup Port"):
        elbv2.ApplicationTargetGroup(stack, "Api", vpc=vpc, port=int(highest) + 1)
    lowest = property_range(elbv2.LISTENER, "Port")[0]
    assert lowest is not None
    with pytest.raises(ConstructError, match=rf"port: {int(lowest) - 1} is less than the minimum of {int(lowest)} "
                                             r"\(AWS::ElasticLoadBalancingV2::Listener Port") as caught:
        lb.add_listener("L", port=int(lowest) - 1, default_action=ListenerAction.forward([group]))
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("field, schema_property", [
    ("interval_seconds", "HealthCheckIntervalSeconds"),
    ("timeout_seconds", "HealthCheckTimeoutSeconds"),
    ("healthy_threshold_count", "HealthyThresholdCount"),
    ("unhealthy_threshold_count", "UnhealthyThresholdCount"),
])
def test_health_check_limits_are_the_target_group_schemas(field, schema_property):
    low, high = property_range(elbv2.TARGET_GROUP, schema_property)
    assert low is not None and high is not None
    with pytest.raises(ValueError, match=rf"{field} must be a whole number from {low} to {high} "
                                         rf"\(AWS::ElasticLoadBalancingV2::TargetGroup {schema_property}"):
        elbv2.HealthCheck(**{field: int(high) + 1})
    longest = property_length(elbv2.TARGET_GROUP, "HealthCheckPath")[1]
    assert longest is not None
    elbv2.HealthCheck(path="/" + "x" * (longest - 1))
    with pytest.raises(ValueError, match="health check path must start with '/'"):
        elbv2.HealthCheck(path="/" + "x" * longest)


def test_times_take_a_duration_in_seconds(app, stack, vpc, group):
    lb = elbv2.ApplicationLoadBalancer(stack, "Slow", vpc=vpc, idle_timeout_seconds=Duration.minutes(2))
    api = elbv2.ApplicationTargetGroup(stack, "Api", vpc=vpc, deregistration_delay_seconds=Duration.minutes(1))
    lb.add_listener("Http", default_action=ListenerAction.forward([api, group]))

    assert {"Key": "idle_timeout.timeout_seconds", "Value": "120"} in props(app, lb.resource)["LoadBalancerAttributes"]
    assert props(app, api.resource)["TargetGroupAttributes"] == [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "60"}]


@pytest.mark.parametrize("make, message", [
    (lambda s, vpc: elbv2.ApplicationLoadBalancer(s, "A", vpc=vpc, idle_timeout_seconds=Duration.millis(1500)),
     "idle_timeout_seconds: 1500 milliseconds is not a whole number of seconds"),
    (lambda s, vpc: elbv2.ApplicationLoadBalancer(s, "A", vpc=vpc, idle_timeout_seconds=Duration.hours(2)),
     "idle_timeout_seconds: 7200 is not from 1 to 4000 seconds"),
    (lambda s, vpc: elbv2.ApplicationTargetGroup(s, "T", vpc=vpc, deregistration_delay_seconds=3601),
     "deregistration_delay_seconds: 3601 is not from 0 to 3600 seconds"),
    (lambda s, vpc: elbv2.ApplicationLoadBalancer(s, "A", vpc=vpc, load_balancer_name="-web"),
     "load_balancer_name: '-web' is not a name Elastic Load Balancing accepts"),
    (lambda s, vpc: elbv2.ApplicationTargetGroup(s, "T", vpc=vpc, target_group_name="internal-web"),
     "target_group_name: 'internal-web' is not a name"),
    (lambda s, vpc: elbv2.ApplicationTargetGroup(s, "T", vpc=vpc, target_type="lambda"),
     r"target_type must be 'ip' \| 'instance', got str 'lambda'"),
    (lambda s, vpc: elbv2.ApplicationTargetGroup(s, "T", vpc=vpc, protocol="TCP"),
     r"protocol must be 'HTTP' \| 'HTTPS', got str 'TCP'"),
    (lambda s, vpc: elbv2.ApplicationTargetGroup(s, "T", vpc=vpc, health_check={"path": "/"}),
     r"health_check must be HealthCheck \| None, got dict"),
    (lambda s, vpc: elbv2.ApplicationLoadBalancer(s, "A", vpc=vpc, security_group="sg-123"),
     r"security_group must be SecurityGroup \| None, got str 'sg-123'"),
])
def test_bad_props_are_errors_at_the_users_line(stack, vpc, make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack, vpc)
    assert caught.value.location.file == __file__


def test_action_values_are_the_listener_schemas():
    status_codes = property_enum(elbv2.LISTENER, "DefaultActions", "RedirectConfig", "StatusCode")
    assert status_codes
    for code in status_codes:
        assert ListenerAction.redirect(status_code=code).action["RedirectConfig"]["StatusCode"] == code
    pattern = property_pattern(elbv2.LISTENER, "DefaultActions", "FixedResponseConfig", "StatusCode")
    assert pattern is not None
    # 3xx answers are redirects: the schema's pattern leaves them out of fixed responses (iac took 200-599)
    accepted = [code for code in range(100, 600) if re.search(pattern, str(code))]
    assert 302 not in accepted and 200 in accepted
    for code in (100, 302, 600):
        with pytest.raises(ConstructError, match=rf"fixed_response status_code .* got {code} \(AWS::"):
            ListenerAction.fixed_response(code)
    assert ListenerAction.fixed_response(accepted[-1]).action["FixedResponseConfig"]["StatusCode"] == str(accepted[-1])
    longest = property_length(elbv2.LISTENER, "DefaultActions", "FixedResponseConfig", "ContentType")[1]
    assert longest is not None
    ListenerAction.fixed_response(200, content_type="x" * longest)
    with pytest.raises(ConstructError, match=f"at most {longest} characters"):
        ListenerAction.fixed_response(200, content_type="x" * (longest + 1))


def test_health_check_times_and_metric_periods_take_a_duration(app, stack, vpc, lb):
    check = elbv2.HealthCheck(interval_seconds=Duration.seconds(10), timeout_seconds=Duration.millis(4000))
    assert (check.interval_seconds, check.timeout_seconds) == (10, 4)
    with pytest.raises(ValueError, match="1500 milliseconds is not a whole number of seconds"):
        elbv2.HealthCheck(timeout_seconds=Duration.millis(1500))
    group = elbv2.ApplicationTargetGroup(stack, "Api", vpc=vpc, health_check=check)
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    assert props(app, group.resource)["HealthCheckIntervalSeconds"] == 10
    assert group.metric_5xx(period=Duration.minutes(5)).period == 300
    assert lb.metric_5xx(origin="elb", period=Duration.minutes(1)).period == 60
