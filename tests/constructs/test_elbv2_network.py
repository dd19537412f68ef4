"""elbv2 network load balancers: where they run, their security group, TCP/TLS/UDP listeners and target
groups, certificates, alias records, access logs, Fargate services behind them, and the errors at the
user's line."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack, ValidationError
from iac.constructs import certificatemanager, ec2, ecs, elbv2, route53, s3
from iac.specs import property_enum
from iac.synth import synthesize
from iac.synth.lint import lint_template

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f5b2c1e-1111-2222-3333-444455556666"
OTHER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def props(app: App, resource: Any) -> dict[str, Any]:
    return resources(app)[resource.logical_id].get("Properties", {})


def ingress(app: App, group: ec2.SecurityGroup) -> list[tuple[str, str, int]]:
    rules = props(app, group.resource).get("SecurityGroupIngress", [])
    return [(rule.get("CidrIp") or rule.get("CidrIpv6"), rule["IpProtocol"], rule["FromPort"]) for rule in rules]


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


@pytest.fixture
def nlb(stack: Stack, vpc: ec2.Vpc) -> elbv2.NetworkLoadBalancer:
    return elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc)


@pytest.fixture
def db(stack: Stack, vpc: ec2.Vpc) -> elbv2.NetworkTargetGroup:
    return elbv2.NetworkTargetGroup(stack, "Db", vpc=vpc, port=5432)


# -- the load balancer -----------------------------------------------------------------------------


def test_an_internet_facing_nlb_sits_in_public_subnets_with_a_group_of_its_own(app, vpc, nlb, db):
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])

    entry = resources(app)[nlb.resource.logical_id]
    assert entry["Properties"] == {
        "Type": "network",
        "Scheme": "internet-facing",
        "Subnets": [{"Ref": s.resource.logical_id} for s in vpc.public_subnets],
        "SecurityGroups": [{"Fn::GetAtt": [nlb.security_group.resource.logical_id, "GroupId"]}],
    }
    assert entry["DependsOn"] == [r.logical_id for r in vpc.internet_connectivity]
    assert ingress(app, nlb.security_group) == [("0.0.0.0/0", "tcp", 5432)]


def test_the_nlb_and_its_parts_have_stable_logical_ids(app, nlb, db):
    listener = nlb.add_listener("Tls", port=5432, certificates=[CERTIFICATE, OTHER_CERTIFICATE],
                                default_target_groups=[db])

    assert (nlb.resource.logical_id, nlb.security_group.resource.logical_id, listener.resource.logical_id,
            listener.extra_certificates[0].logical_id, db.resource.logical_id) == (
        "NLB55158F82", "NLBSecurityGroup69CBE94F", "NLBTlsEEB00BE1", "NLBTlsCertificate276866D68", "Db5D02A0A9")


def test_an_internal_nlb_sits_in_private_subnets_and_accepts_only_the_vpc(app, stack, vpc, db):
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, internet_facing=False)
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])

    entry = resources(app)[nlb.resource.logical_id]
    assert entry["Properties"]["Scheme"] == "internal"
    assert entry["Properties"]["Subnets"] == [{"Ref": s.resource.logical_id} for s in vpc.private_subnets]
    assert "DependsOn" not in entry
    assert ingress(app, nlb.security_group) == [("10.0.0.0/16", "tcp", 5432)]


def test_an_nlb_without_security_groups_names_none_and_opens_nothing(app, stack, vpc, db):
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, security_groups=[])
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])

    assert nlb.security_group is None
    assert "SecurityGroups" not in props(app, nlb.resource)
    assert not [r for r in resources(app).values() if r["Type"] == "AWS::EC2::SecurityGroup"]


def test_given_security_groups_are_the_nlbs_and_its_listeners_open_the_first(app, stack, vpc, db):
    first, second = ec2.SecurityGroup(stack, "First", vpc=vpc), ec2.SecurityGroup(stack, "Second", vpc=vpc)
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, security_groups=[first, second])
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])

    assert props(app, nlb.resource)["SecurityGroups"] == [
        {"Fn::GetAtt": [first.resource.logical_id, "GroupId"]}, {"Fn::GetAtt": [second.resource.logical_id, "GroupId"]}]
    assert ingress(app, first) == [("0.0.0.0/0", "tcp", 5432)]
    assert ingress(app, second) == []


def test_cross_zone_and_deletion_protection_are_attributes(app, stack, vpc, db):
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, cross_zone_enabled=True, deletion_protection=True)
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])

    assert props(app, nlb.resource)["LoadBalancerAttributes"] == [
        {"Key": "load_balancing.cross_zone.enabled", "Value": "true"},
        {"Key": "deletion_protection.enabled", "Value": "true"}]


def test_an_nlb_may_run_in_one_zone_where_an_alb_may_not(stack):
    single = ec2.Vpc(stack, "Single", max_azs=1, nat_gateways=0)
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=single)
    assert len(nlb.subnets.subnets) == 1
    with pytest.raises(ConstructError, match="at least two availability zones") as caught:
        elbv2.ApplicationLoadBalancer(stack, "ALB", vpc=single)
    assert caught.value.location.file == __file__


def test_an_nlb_without_listeners_is_a_validation_problem(app, nlb):
    with pytest.raises(ValidationError, match=r"load balancer Main/NLB has no listener.*default_target_groups"):
        synthesize(app)


# -- listeners and target groups -------------------------------------------------------------------


def test_a_tcp_listener_forwards_to_a_tcp_group_checked_by_a_tcp_connection(app, nlb, db):
    listener = nlb.add_listener("Tcp", port=5432, default_target_groups=[db])

    assert props(app, listener.resource) == {
        "LoadBalancerArn": {"Ref": nlb.resource.logical_id}, "Port": 5432, "Protocol": "TCP",
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": db.resource.logical_id}}]}
    assert props(app, db.resource) == {
        "VpcId": {"Ref": db.vpc.resource.logical_id}, "TargetType": "ip", "Port": 5432, "Protocol": "TCP",
        "HealthCheckProtocol": "TCP", "HealthCheckIntervalSeconds": 30, "HealthCheckTimeoutSeconds": 10,
        "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 2}
    assert db.listeners == [listener] and db.load_balancers == [nlb]


def test_a_tls_listener_serves_the_certificates_with_a_tls12_policy(app, stack, nlb, db):
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="db.example.com")
    listener = nlb.add_listener("Tls", port=5432, certificates=[certificate, OTHER_CERTIFICATE],
                                default_target_groups=[db], alpn_policy="None")

    assert listener.protocol == "TLS"
    found = props(app, listener.resource)
    assert found["Certificates"] == [{"CertificateArn": {"Ref": certificate.resource.logical_id}}]
    assert found["SslPolicy"] == elbv2.DEFAULT_SSL_POLICY == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert found["AlpnPolicy"] == ["None"]
    (extra,) = listener.extra_certificates
    assert resources(app)[extra.logical_id] == {"Type": "AWS::ElasticLoadBalancingV2::ListenerCertificate",
                                                "Properties": {"ListenerArn": {"Ref": listener.resource.logical_id},
                                                               "Certificates": [{"CertificateArn": OTHER_CERTIFICATE}]}}


def test_a_tls_listener_takes_another_policy_when_asked(app, nlb, db):
    listener = nlb.add_listener("Tls", port=443, certificates=[CERTIFICATE], default_target_groups=[db],
                                ssl_policy="ELBSecurityPolicy-TLS13-1-3-2021-06")
    assert props(app, listener.resource)["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"


def test_udp_listeners_open_udp_and_tcp_udp_ones_open_both(app, stack, vpc, nlb):
    dns = elbv2.NetworkTargetGroup(stack, "Dns", vpc=vpc, port=53, protocol="TCP_UDP")
    syslog = elbv2.NetworkTargetGroup(stack, "Syslog", vpc=vpc, port=514, protocol="UDP",
                                      health_check=elbv2.NetworkHealthCheck(port=8080))
    nlb.add_listener("Dns", port=53, protocol="TCP_UDP", default_target_groups=[dns])
    nlb.add_listener("Syslog", port=514, protocol="UDP", default_target_groups=[syslog])

    assert ingress(app, nlb.security_group) == [("0.0.0.0/0", "tcp", 53), ("0.0.0.0/0", "udp", 53),
                                                ("0.0.0.0/0", "udp", 514)]
    assert props(app, syslog.resource)["HealthCheckPort"] == "8080"


def test_a_tcp_and_a_udp_listener_may_share_a_port(app, stack, vpc, nlb, db):
    udp = elbv2.NetworkTargetGroup(stack, "Udp", vpc=vpc, port=5432, protocol="UDP")
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])
    nlb.add_listener("Udp", port=5432, protocol="UDP", default_target_groups=[udp])
    assert [listener.protocol for listener in nlb.listeners] == ["TCP", "UDP"]


def test_an_http_health_check_asks_a_path_with_its_codes(app, stack, vpc):
    group = elbv2.NetworkTargetGroup(stack, "Web", vpc=vpc, port=8080, health_check=elbv2.NetworkHealthCheck(
        protocol="HTTP", path="/health", healthy_http_codes="200-299", interval_seconds=10, timeout_seconds=6))

    found = props(app, group.resource)
    assert {key: found[key] for key in ("HealthCheckProtocol", "HealthCheckPath", "Matcher",
                                        "HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds")} == {
        "HealthCheckProtocol": "HTTP", "HealthCheckPath": "/health", "Matcher": {"HttpCode": "200-299"},
        "HealthCheckIntervalSeconds": 10, "HealthCheckTimeoutSeconds": 6}


def test_target_group_attributes_follow_the_props(app, stack, vpc):
    group = elbv2.NetworkTargetGroup(stack, "Web", vpc=vpc, port=80, deregistration_delay_seconds=30,
                                     preserve_client_ip=True, proxy_protocol_v2=True, target_type="instance")
    found = props(app, group.resource)
    assert found["TargetType"] == "instance"
    assert found["TargetGroupAttributes"] == [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
        {"Key": "preserve_client_ip.enabled", "Value": "true"},
        {"Key": "proxy_protocol_v2.enabled", "Value": "true"}]


def test_the_protocols_are_the_schemas_less_the_other_kinds():
    schema = property_enum("AWS::ElasticLoadBalancingV2::Listener", "Protocol")
    assert set(elbv2.network_protocols()) == set(schema) - {"HTTP", "HTTPS", "GENEVE"}
    assert {"TCP", "TLS", "UDP", "TCP_UDP"} <= set(elbv2.network_protocols())


@pytest.mark.parametrize("listener_props, message", [
    ({"protocol": "TLS"}, "a TLS listener needs certificates"),
    ({"certificates": [CERTIFICATE], "protocol": "TCP"}, "apply to TLS listeners; this one is TCP"),
    ({"ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"}, "apply to TLS listeners"),
    ({"certificates": ["my-cert"]}, "certificates: 'my-cert' is not an ACM certificate ARN"),
    ({"certificates": []}, "must hold at least one certificate"),
    ({"protocol": "HTTP"}, "'HTTP' is not a network load balancer protocol"),
    ({"protocol": "UDP"}, "a UDP listener cannot forward to the TCP target group Main/Db"),
    ({"port": 0}, "port"),
    ({"port": 70000}, "port"),
])
def test_bad_listeners_are_errors_at_the_users_line(nlb, db, listener_props, message):
    arguments = {"port": 5432, "default_target_groups": [db], **listener_props}
    with pytest.raises(ConstructError, match=message) as caught:
        nlb.add_listener("L", **arguments)
    assert caught.value.location.file == __file__


def test_a_listener_forwards_to_exactly_one_target_group(stack, vpc, nlb, db):
    other = elbv2.NetworkTargetGroup(stack, "Other", vpc=vpc, port=5432)
    with pytest.raises(ConstructError, match="default_target_groups must be one NetworkTargetGroup") as caught:
        nlb.add_listener("L", port=5432, default_target_groups=[db, other])
    assert caught.value.location.file == __file__


def test_two_tcp_listeners_on_one_port_are_refused(nlb, db):
    nlb.add_listener("A", port=5432, default_target_groups=[db])
    with pytest.raises(ConstructError, match="already listens on port 5432") as caught:
        nlb.add_listener("B", port=5432, protocol="TLS", certificates=[CERTIFICATE], default_target_groups=[db])
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("make, message", [
    (lambda: elbv2.NetworkHealthCheck(protocol="UDP"), "health check protocol is TCP, HTTP or HTTPS"),
    (lambda: elbv2.NetworkHealthCheck(path="/health"), "apply to HTTP and HTTPS health checks; this one is TCP"),
    (lambda: elbv2.NetworkHealthCheck(interval_seconds=1), r"interval_seconds must be a whole number from 5 to 300"),
    (lambda: elbv2.NetworkHealthCheck(timeout_seconds=30), "must be shorter than interval_seconds"),
    (lambda: elbv2.NetworkHealthCheck(port=0), "health check port must be 1-65535"),
])
def test_bad_health_checks_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_a_target_group_protocol_must_be_a_network_one(stack, vpc):
    with pytest.raises(ConstructError, match="'HTTPS' is not a network load balancer protocol") as caught:
        elbv2.NetworkTargetGroup(stack, "Web", vpc=vpc, port=443, protocol="HTTPS")
    assert caught.value.location.file == __file__


def test_a_certificate_of_another_region_is_refused(app):
    stack = Stack(app, "Eu", region="eu-west-1")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc)
    group = elbv2.NetworkTargetGroup(stack, "Db", vpc=vpc, port=5432)
    with pytest.raises(ConstructError, match="is in us-east-1 and the listener Eu/NLB/Tls in eu-west-1") as caught:
        nlb.add_listener("Tls", port=5432, certificates=[CERTIFICATE], default_target_groups=[group])
    assert caught.value.location.file == __file__


# -- DNS -------------------------------------------------------------------------------------------


def test_an_a_record_aliases_the_nlb_and_an_aaaa_one_needs_dualstack(app, stack, nlb, db):
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])
    zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
    record = route53.ARecord(stack, "DbRecord", zone=zone, record_name="db", target=nlb)

    assert props(app, record.resource)["AliasTarget"] == {
        "DNSName": {"Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [nlb.resource.logical_id, "DNSName"]}]]},
        "HostedZoneId": {"Fn::GetAtt": [nlb.resource.logical_id, "CanonicalHostedZoneID"]},
        "EvaluateTargetHealth": True}
    with pytest.raises(ConstructError, match="does not serve IPv6"):
        route53.AaaaRecord(stack, "Db6", zone=zone, record_name="db", target=nlb)


def test_a_dualstack_nlb_takes_aaaa_aliases_and_opens_ipv6_but_no_udp(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, ipv6=True)
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, ip_address_type="dualstack")
    db = elbv2.NetworkTargetGroup(stack, "Db", vpc=vpc, port=5432, protocol="TCP_UDP")
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])
    zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
    route53.AaaaRecord(stack, "Db6", zone=zone, record_name="db", target=nlb)

    assert props(app, nlb.resource)["IpAddressType"] == "dualstack"
    assert ingress(app, nlb.security_group) == [("0.0.0.0/0", "tcp", 5432), ("::/0", "tcp", 5432)]
    with pytest.raises(ConstructError, match="a dualstack load balancer takes no UDP listener"):
        nlb.add_listener("Udp", port=53, protocol="UDP", default_target_groups=[db])


@pytest.mark.parametrize("vpc_props, nlb_props, message", [
    ({}, {"ip_address_type": "dualstack"}, "needs subnets with IPv6 ranges"),
    ({"ipv6": True}, {"ip_address_type": "dualstack", "internet_facing": False}, "internal load balancer uses"),
])
def test_dualstack_needs_an_ipv6_vpc_and_an_internet_facing_nlb(stack, vpc_props, nlb_props, message):
    vpc = ec2.Vpc(stack, "V6", max_azs=2, nat_gateways=1, **vpc_props)
    with pytest.raises(ConstructError, match=message) as caught:
        elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, **nlb_props)
    assert caught.value.location.file == __file__


# -- access logs -----------------------------------------------------------------------------------


def test_access_logs_let_cloudwatch_log_delivery_write_this_accounts_folder_only(app, stack, vpc, db):
    logs = s3.Bucket(stack, "Logs")
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, access_logs=logs, access_logs_prefix="nlb")
    nlb.add_listener("Tls", port=5432, certificates=[CERTIFICATE], default_target_groups=[db])

    entry = resources(app)[nlb.resource.logical_id]
    assert entry["Properties"]["LoadBalancerAttributes"] == [
        {"Key": "access_logs.s3.enabled", "Value": "true"},
        {"Key": "access_logs.s3.bucket", "Value": {"Ref": logs.resource.logical_id}},
        {"Key": "access_logs.s3.prefix", "Value": "nlb"}]
    assert logs.policy is not None and entry["DependsOn"][-1] == logs.policy.logical_id
    statements = props(app, logs.policy)["PolicyDocument"]["Statement"]
    allowed = [s for s in statements if s["Effect"] == "Allow"]
    source_arn = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":logs:", {"Ref": "AWS::Region"}, ":",
                                    {"Ref": "AWS::AccountId"}, ":*"]]}
    assert sorted(allowed, key=lambda s: s["Action"]) == [
        {"Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:GetBucketAcl",
         "Resource": {"Fn::GetAtt": [logs.resource.logical_id, "Arn"]},
         "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                       "ArnLike": {"aws:SourceArn": source_arn}}},
        {"Effect": "Allow", "Principal": {"Service": "delivery.logs.amazonaws.com"}, "Action": "s3:PutObject",
         "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [logs.resource.logical_id, "Arn"]}, "/nlb/AWSLogs/",
                                        {"Ref": "AWS::AccountId"}, "/*"]]},
         "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control",
                                        "aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                       "ArnLike": {"aws:SourceArn": source_arn}}}]


def test_access_logs_without_a_tls_listener_would_log_nothing(app, stack, vpc, db):
    nlb = elbv2.NetworkLoadBalancer(stack, "NLB", vpc=vpc, access_logs=s3.Bucket(stack, "Logs"))
    nlb.add_listener("Tcp", port=5432, default_target_groups=[db])
    with pytest.raises(ValidationError, match="logs TLS connections only"):
        synthesize(app)


# -- Fargate behind it, and cfn-lint ---------------------------------------------------------------


def test_a_fargate_service_registers_with_a_network_target_group_once_its_listener_exists(app, stack, vpc, nlb, db):
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    task = ecs.FargateTaskDefinition(stack, "Task")
    container = task.add_container("db", image=ecs.ContainerImage.from_registry("postgres"), port_mappings=[5432])
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task)
    service.attach_to_target_group(db, container=container)
    listener = nlb.add_listener("Tcp", port=5432, default_target_groups=[db])
    service.security_group.allow_from(nlb.security_group, ec2.Port.tcp(5432))

    entry = resources(app)[service.resource.logical_id]
    assert entry["Properties"]["LoadBalancers"] == [{"ContainerName": "db", "ContainerPort": 5432,
                                                     "TargetGroupArn": {"Ref": db.resource.logical_id}}]
    assert listener.resource.logical_id in entry["DependsOn"]


def test_network_load_balancers_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    db = elbv2.NetworkTargetGroup(stack, "Db", vpc=vpc, port=5432, deregistration_delay_seconds=30)
    web = elbv2.NetworkTargetGroup(stack, "Web", vpc=vpc, port=8080, health_check=elbv2.NetworkHealthCheck(
        protocol="HTTP", path="/health"))
    dns = elbv2.NetworkTargetGroup(stack, "Dns", vpc=vpc, port=53, protocol="UDP")
    public = elbv2.NetworkLoadBalancer(stack, "Public", vpc=vpc, cross_zone_enabled=True,
                                       access_logs=s3.Bucket(stack, "Logs"), access_logs_prefix="nlb")
    public.add_listener("Tls", port=443, certificates=[CERTIFICATE, OTHER_CERTIFICATE], default_target_groups=[web])
    public.add_listener("Dns", port=53, protocol="UDP", default_target_groups=[dns])
    internal = elbv2.NetworkLoadBalancer(stack, "Internal", vpc=vpc, internet_facing=False, security_groups=[])
    internal.add_listener("Tcp", port=5432, default_target_groups=[db])

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []
