"""patterns.LoadBalancedFargateService: the seed's CDK example, what it makes, who may talk to whom,
HTTPS with a redirect, and errors pointing at the user's line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from iac import App, ConstructError, Duration, Size, Stack
from iac.constructs import ec2, ecs
from iac.constructs.patterns import LoadBalancedFargateService
from iac.specs import property_range
from iac.synth import synthesize
from iac.synth.lint import lint_template

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "fargate_service" / "app.py"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f5b2c1e-1111-2222-3333-444455556666"
IMAGE = ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample")
NO_TRAFFIC = {"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "IpProtocol": "icmp",
              "FromPort": 252, "ToPort": 86}

#: what the CDK's ApplicationLoadBalancedFargateService makes for the seed's app
CDK_RESOURCES = {
    "AWS::EC2::VPC": 1, "AWS::EC2::Subnet": 4, "AWS::EC2::RouteTable": 4, "AWS::EC2::SubnetRouteTableAssociation": 4,
    "AWS::EC2::Route": 4, "AWS::EC2::NatGateway": 2, "AWS::EC2::EIP": 2, "AWS::EC2::InternetGateway": 1,
    "AWS::EC2::VPCGatewayAttachment": 1, "AWS::ECS::Cluster": 1, "AWS::ECS::TaskDefinition": 1, "AWS::IAM::Role": 2,
    "AWS::IAM::Policy": 1, "AWS::Logs::LogGroup": 1, "AWS::EC2::SecurityGroup": 2,
    "AWS::EC2::SecurityGroupIngress": 1, "AWS::EC2::SecurityGroupEgress": 1,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": 1, "AWS::ElasticLoadBalancingV2::Listener": 1,
    "AWS::ElasticLoadBalancingV2::TargetGroup": 1, "AWS::ECS::Service": 1,
}


def _service(**props: Any) -> tuple[App, LoadBalancedFargateService]:
    """The sample's app (VPC across 2 zones, cluster, service), with `props` for the pattern."""
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "MyVpc", max_azs=2)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    props.setdefault("image", IMAGE)
    return app, LoadBalancedFargateService(stack, "FargateService", cluster=cluster, **props)


def _template(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")


def _group_id(group: ec2.SecurityGroup) -> dict[str, Any]:
    return {"Fn::GetAtt": [group.resource.logical_id, "GroupId"]}


def _every_rule(template: dict[str, Any]) -> set[tuple[str, str, str, Any, Any]]:
    """(group, direction, peer, protocol, ports) for every security group rule, inline or separate."""
    rules = set()
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::EC2::SecurityGroup":
            for direction, key in (("in", "SecurityGroupIngress"), ("out", "SecurityGroupEgress")):
                for rule in properties.get(key, []):
                    rules.add((logical_id, direction, rule.get("CidrIp") or rule.get("CidrIpv6"), rule["IpProtocol"],
                               (rule.get("FromPort"), rule.get("ToPort"))))
        elif resource["Type"] in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
            ingress = resource["Type"].endswith("Ingress")
            peer = properties["SourceSecurityGroupId" if ingress else "DestinationSecurityGroupId"]
            rules.add((properties["GroupId"]["Fn::GetAtt"][0], "in" if ingress else "out", peer["Fn::GetAtt"][0],
                       properties["IpProtocol"], (properties.get("FromPort"), properties.get("ToPort"))))
    return rules


# -- the sample ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("fargate")
    result = subprocess.run([sys.executable, "-m", "iac", "synth", "--app", str(SAMPLE), "--out", str(out), "--strict"],
                            capture_output=True, text=True, cwd=SAMPLE.parent, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads((out / "BonjourFargate.template.json").read_text())


def test_the_sample_makes_what_the_cdk_makes_for_the_seed_app_and_a_bucket_for_its_access_logs(sample_template):
    access_logs = Counter({"AWS::S3::Bucket": 1, "AWS::S3::BucketPolicy": 1})  # the CDK's seed app keeps none
    assert Counter(r["Type"] for r in sample_template["Resources"].values()) == Counter(CDK_RESOURCES) + access_logs


def test_the_sample_outputs_the_url(sample_template):
    assert sample_template["Outputs"]["FargateServiceServiceURL"]["Value"] == {"Fn::Join": ["", [
        "http://", {"Fn::GetAtt": ["FargateServiceLBB353E155", "DNSName"]}]]}


def test_the_samples_traffic_is_exactly_internet_to_lb_80_and_lb_to_service_80(sample_template):
    lb_group, service_group = "FargateServiceLBSecurityGroup5F444C78", "FargateServiceServiceSecurityGroup262B61DD"
    assert _every_rule(sample_template) == {
        (lb_group, "in", "0.0.0.0/0", "tcp", (80, 80)),
        (lb_group, "out", "255.255.255.255/32", "icmp", (252, 86)),  # matches nothing: no egress by default
        (lb_group, "out", service_group, "tcp", (80, 80)),
        (service_group, "in", lb_group, "tcp", (80, 80)),
        (service_group, "out", "0.0.0.0/0", "tcp", (443, 443)),  # image pulls, logs
    }


# -- wiring ----------------------------------------------------------------------------------------


def test_the_parts_are_exposed_and_wired():
    app, service = _service()
    template = _template(app)
    resources = template["Resources"]

    assert service.listener in service.target_group.listeners
    assert service.target_group.load_balancers == [service.load_balancer]
    assert service.redirect_listener is None
    entry = resources[service.service.resource.logical_id]
    target_group = {"Ref": service.target_group.resource.logical_id}
    assert entry["Properties"]["LoadBalancers"] == [
        {"ContainerName": "web", "ContainerPort": 80, "TargetGroupArn": target_group}]
    assert entry["Properties"]["HealthCheckGracePeriodSeconds"] == 60
    assert service.listener.resource.logical_id in entry["DependsOn"]
    assert resources[service.task_definition.resource.logical_id]["Properties"]["ContainerDefinitions"][0][
        "LogConfiguration"]["Options"]["awslogs-stream-prefix"] == "FargateService"


def test_the_service_group_accepts_only_the_load_balancer_on_the_container_port():
    app, service = _service(container_port=8080)
    resources = _template(app)["Resources"]
    lb_group, service_group = service.load_balancer.security_group, service.service.security_group

    [ingress] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
    assert ingress == {"GroupId": _group_id(service_group), "SourceSecurityGroupId": _group_id(lb_group),
                       "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                       "Description": "from FargateService/LB/SecurityGroup:8080"}
    [egress] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::EC2::SecurityGroupEgress"]
    assert egress == {"GroupId": _group_id(lb_group), "DestinationSecurityGroupId": _group_id(service_group),
                      "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
                      "Description": "to FargateService/Service/SecurityGroup:8080"}
    lb_properties = resources[lb_group.resource.logical_id]["Properties"]
    assert lb_properties["SecurityGroupEgress"] == [NO_TRAFFIC]
    assert [(r["CidrIp"], r["FromPort"]) for r in lb_properties["SecurityGroupIngress"]] == [("0.0.0.0/0", 80)]
    assert "SecurityGroupIngress" not in resources[service_group.resource.logical_id]["Properties"]


def test_https_listens_on_443_with_the_certificate_and_redirects_80():
    app, service = _service(certificate_arn=CERTIFICATE)
    template = _template(app)
    resources = template["Resources"]

    https = resources[service.listener.resource.logical_id]["Properties"]
    assert (https["Port"], https["Protocol"], https["Certificates"]) == (443, "HTTPS",
                                                                         [{"CertificateArn": CERTIFICATE}])
    assert https["DefaultActions"] == [{"Type": "forward",
                                        "TargetGroupArn": {"Ref": service.target_group.resource.logical_id}}]
    redirect = resources[service.redirect_listener.resource.logical_id]["Properties"]
    assert (redirect["Port"], redirect["Protocol"]) == (80, "HTTP")
    assert redirect["DefaultActions"] == [{"Type": "redirect", "RedirectConfig": {
        "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    lb_rules = resources[service.load_balancer.security_group.resource.logical_id]["Properties"]
    assert sorted(r["FromPort"] for r in lb_rules["SecurityGroupIngress"]) == [80, 443]
    assert template["Outputs"]["FargateServiceServiceURL"]["Value"]["Fn::Join"][1][0] == "https://"


def test_https_on_another_port_redirects_there_and_the_url_names_it():
    app, service = _service(certificate_arn=CERTIFICATE, listener_port=8443)
    template = _template(app)

    redirect = template["Resources"][service.redirect_listener.resource.logical_id]["Properties"]
    assert redirect["DefaultActions"][0]["RedirectConfig"]["Port"] == "8443"
    assert template["Outputs"]["FargateServiceServiceURL"]["Value"]["Fn::Join"][1][-1] == ":8443"


def test_https_without_the_redirect_opens_only_443():
    app, service = _service(certificate_arn=CERTIFICATE, redirect_http=False)
    lb_rules = _template(app)["Resources"][service.load_balancer.security_group.resource.logical_id]["Properties"]

    assert service.redirect_listener is None
    assert [r["FromPort"] for r in lb_rules["SecurityGroupIngress"]] == [443]


def test_an_internal_load_balancer_is_reachable_from_the_vpc_only():
    app, service = _service(public_load_balancer=False)
    resources = _template(app)["Resources"]

    assert resources[service.load_balancer.resource.logical_id]["Properties"]["Scheme"] == "internal"
    lb_rules = resources[service.load_balancer.security_group.resource.logical_id]["Properties"]
    assert [(r["CidrIp"], r["FromPort"]) for r in lb_rules["SecurityGroupIngress"]] == [("10.0.0.0/16", 80)]


def test_environment_secrets_and_size_reach_the_task_definition():
    app, service = _service(cpu=1024, memory_limit_mib=2048, desired_count=3, environment={"MODE": "prod"},
                            secrets={"DB_PASSWORD": "{{resolve:secretsmanager:prod/db:SecretString:password}}"})
    resources = _template(app)["Resources"]

    task = resources[service.task_definition.resource.logical_id]["Properties"]
    assert (task["Cpu"], task["Memory"]) == ("1024", "2048")
    [container] = task["ContainerDefinitions"]
    assert container["Environment"] == [{"Name": "MODE", "Value": "prod"}]
    assert [s["Name"] for s in container["Secrets"]] == ["DB_PASSWORD"]
    assert resources[service.service.resource.logical_id]["Properties"]["DesiredCount"] == 3


# -- errors ----------------------------------------------------------------------------------------


def test_a_wrong_cpu_memory_pair_is_an_error_at_the_users_line():
    with pytest.raises(ConstructError, match="with cpu 512 the valid memory values") as caught:
        _service(cpu=512, memory_limit_mib=512)
    assert caught.value.location.file == __file__


def test_https_on_port_80_clashes_with_the_redirect():
    with pytest.raises(ConstructError, match="listener_port 80 is where plain HTTP is redirected") as caught:
        _service(certificate_arn=CERTIFICATE, listener_port=80)
    assert caught.value.location.file == __file__


def test_a_secret_literal_is_refused_at_the_users_line():
    with pytest.raises(ConstructError, match="never a literal value") as caught:
        _service(secrets={"DB_PASSWORD": "hunter2"})
    assert caught.value.location.file == __file__


def test_a_one_zone_vpc_cannot_hold_the_load_balancer():
    stack = Stack(App(), "Main")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "Vpc", max_azs=1))
    with pytest.raises(ConstructError, match="at least two availability zones") as caught:
        LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE)
    assert caught.value.location.file == __file__


def test_https_and_internal_variants_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=3, nat_gateways=1)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc, container_insights=True)
    LoadBalancedFargateService(stack, "Public", cluster=cluster, image=IMAGE, certificate_arn=CERTIFICATE,
                               container_port=8080, cpu=512, memory_limit_mib=1024)
    LoadBalancedFargateService(stack, "Internal", cluster=cluster, image=IMAGE, public_load_balancer=False)

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


# -- props: declared in the signature, bound to the schemas ----------------------------------------


def test_a_misspelt_prop_names_the_closest_one_at_the_users_line():
    with pytest.raises(ConstructError, match="LoadBalancedFargateService 'FargateService' has no argument "
                                             "'container_prot'") as caught:
        _service(container_prot=8080)
    assert caught.value.hint == "did you mean container_port?"
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/FargateService"


def test_ports_are_checked_against_the_load_balancing_schemas():
    highest = property_range("AWS::ElasticLoadBalancingV2::TargetGroup", "Port")[1]
    assert highest is not None
    with pytest.raises(ConstructError, match=rf"container_port: {int(highest) + 1} is greater than the maximum of "
                                             rf"{int(highest)} \(AWS::ElasticLoadBalancingV2::TargetGroup Port, "
                                             "per its schema") as caught:
        _service(container_port=int(highest) + 1)
    assert caught.value.location.file == __file__
    lowest = property_range("AWS::ElasticLoadBalancingV2::Listener", "Port")[0]
    assert lowest is not None
    with pytest.raises(ConstructError, match=rf"listener_port: {int(lowest) - 1} is less than the minimum of "
                                             rf"{int(lowest)} \(AWS::ElasticLoadBalancingV2::Listener Port"):
        _service(listener_port=int(lowest) - 1)


def test_memory_takes_a_size_and_the_termination_wait_a_duration():
    app, _ = _service(cpu=1024, memory_limit_mib=Size.gibibytes(2))
    [task] = [r["Properties"] for r in _template(app)["Resources"].values() if r["Type"] == "AWS::ECS::TaskDefinition"]
    assert task["Memory"] == "2048"

    app, web = _service(deployment="blue_green", termination_wait_minutes=Duration.hours(1))
    assert web.deployment_group is not None
    group = _template(app)["Resources"][web.deployment_group.resource.logical_id]["Properties"]
    wait = group["BlueGreenDeploymentConfiguration"]["TerminateBlueInstancesOnDeploymentSuccess"]
    assert wait["TerminationWaitTimeInMinutes"] == 60


@pytest.mark.parametrize("props, message", [
    ({"deployment": "canary"}, r"deployment must be 'rolling' \| 'blue_green', got str 'canary'"),
    ({"desired_count": 10001}, "desired_count: 10001 is not from 0 to 10000 tasks"),
    ({"deployment": "blue_green", "termination_wait_minutes": Duration.seconds(90)},
     "termination_wait_minutes: 90 seconds is not a whole number of minutes"),
    ({"deployment": "blue_green", "termination_wait_minutes": 2881},
     "termination_wait_minutes: 2881 is not from 0 to 2880 minutes"),
    ({"deployment": "blue_green", "test_listener_cidr": "10.0.0.0/33"},
     "test_listener_cidr: '10.0.0.0/33' is not an IPv4 range"),
    ({"health_check": "/health"}, r"health_check must be HealthCheck \| None, got str '/health'"),
    ({"image": "nginx"}, "image must be ContainerImage, got str 'nginx'"),
])
def test_bad_props_are_errors_at_the_users_line(props, message):
    with pytest.raises(ConstructError, match=message) as caught:
        _service(**props)
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/FargateService"
