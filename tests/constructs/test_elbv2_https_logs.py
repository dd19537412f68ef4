"""elbv2 application load balancers: HTTPS listeners with certificatemanager certificates (or ARNs), the
HTTP -> HTTPS redirect, dualstack, and access logs with the bucket policy ELB's log delivery needs."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import certificatemanager, ec2, elbv2, kms, route53, s3
from iac.constructs.elbv2 import ListenerAction
from iac.synth import synthesize
from iac.synth.lint import lint_template

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f5b2c1e-1111-2222-3333-444455556666"
OTHER_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def props(app: App, resource: Any) -> dict[str, Any]:
    return resources(app)[resource.logical_id].get("Properties", {})


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


@pytest.fixture
def group(stack: Stack, vpc: ec2.Vpc) -> elbv2.ApplicationTargetGroup:
    return elbv2.ApplicationTargetGroup(stack, "Web", vpc=vpc, port=8080)


@pytest.fixture
def lb(stack: Stack, vpc: ec2.Vpc) -> elbv2.ApplicationLoadBalancer:
    return elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc)


# -- HTTPS -----------------------------------------------------------------------------------------


def test_an_https_listener_serves_a_certificatemanager_certificate_with_tls12_and_80_redirects(app, stack, lb, group):
    zone = route53.HostedZone(stack, "Zone", zone_name="example.com")
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com",
                                                 validation=certificatemanager.CertificateValidation.from_dns(zone))
    https = lb.add_listener("Https", certificates=[certificate], default_action=ListenerAction.forward([group]))
    redirect = lb.add_redirect()

    assert (https.port, https.protocol, redirect.port, redirect.protocol) == (443, "HTTPS", 80, "HTTP")
    assert props(app, https.resource) == {
        "LoadBalancerArn": {"Ref": lb.resource.logical_id}, "Port": 443, "Protocol": "HTTPS",
        "Certificates": [{"CertificateArn": {"Ref": certificate.resource.logical_id}}],
        "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": group.resource.logical_id}}]}
    assert props(app, redirect.resource)["DefaultActions"] == [{"Type": "redirect", "RedirectConfig": {
        "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    assert https.extra_certificates == []
    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


def test_further_certificates_are_listener_certificates_served_by_sni(app, lb, group):
    https = lb.add_listener("Https", certificates=[CERTIFICATE, OTHER_CERTIFICATE],
                            default_action=ListenerAction.forward([group]))

    assert props(app, https.resource)["Certificates"] == [{"CertificateArn": CERTIFICATE}]
    (extra,) = https.extra_certificates
    assert extra.logical_id == "LBHttpsCertificate2674F0B39"
    assert resources(app)[extra.logical_id] == {"Type": "AWS::ElasticLoadBalancingV2::ListenerCertificate",
                                                "Properties": {"ListenerArn": {"Ref": https.resource.logical_id},
                                                               "Certificates": [{"CertificateArn": OTHER_CERTIFICATE}]}}


def test_the_deprecated_certificate_arn_still_works_and_says_so(app, lb, group):
    with pytest.warns(DeprecationWarning, match="certificate_arn= is deprecated; pass certificates="):
        https = lb.add_listener("Https", certificate_arn=CERTIFICATE, default_action=ListenerAction.forward([group]))
    assert props(app, https.resource)["Certificates"] == [{"CertificateArn": CERTIFICATE}]


@pytest.mark.parametrize("listener_props, message", [
    ({"certificates": [CERTIFICATE], "certificate_arn": CERTIFICATE}, "give certificates or certificate_arn"),
    ({"protocol": "HTTP", "certificates": [CERTIFICATE]}, "apply to HTTPS listeners; this one is HTTP"),
    ({"certificates": []}, "must hold at least one certificate"),
    ({"certificates": ["arn:aws:iam::123456789012:role/not-a-certificate"]}, "is not an ACM certificate ARN"),
])
def test_bad_certificates_are_errors_at_the_users_line(lb, group, listener_props, message):
    with pytest.raises(ConstructError, match=message) as caught:
        lb.add_listener("L", default_action=ListenerAction.forward([group]), **listener_props)
    assert caught.value.location.file == __file__


def test_a_certificate_of_another_region_is_refused(app):
    stack = Stack(app, "Eu", region="eu-west-1")
    certificates = Stack(app, "Certs", region="us-east-1")
    certificate = certificatemanager.Certificate(certificates, "Cert", domain_name="www.example.com")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc)
    with pytest.raises(ConstructError, match="Certs/Cert is in us-east-1 and the listener Eu/LB/Https in eu-west-1"):
        lb.add_listener("Https", certificates=[certificate], default_action=ListenerAction.fixed_response(200))


# -- dualstack -------------------------------------------------------------------------------------


def test_a_dualstack_alb_opens_its_listeners_to_ipv6_and_takes_aaaa_aliases(app, stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1, ipv6=True)
    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc, ip_address_type="dualstack")
    lb.add_listener("Https", certificates=[CERTIFICATE], default_action=ListenerAction.fixed_response(200))
    zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
    record = route53.AaaaRecord(stack, "Www6", zone=zone, record_name="www", target=lb)

    assert lb.dualstack and lb.alias_record_target().ipv6
    assert props(app, lb.resource)["IpAddressType"] == "dualstack"
    rules = props(app, lb.security_group.resource)["SecurityGroupIngress"]
    assert [(r.get("CidrIp") or r.get("CidrIpv6"), r["FromPort"]) for r in rules] == [("0.0.0.0/0", 443),
                                                                                      ("::/0", 443)]
    assert props(app, record.resource)["Type"] == "AAAA"


# -- access logs -----------------------------------------------------------------------------------


def test_access_logs_let_elb_log_delivery_put_objects_in_this_accounts_folder_only(app, stack, vpc, group):
    logs = s3.Bucket(stack, "Logs")
    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc, access_logs=logs, access_logs_prefix="web")
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))

    entry = resources(app)[lb.resource.logical_id]
    assert entry["Properties"]["LoadBalancerAttributes"] == [
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        {"Key": "access_logs.s3.enabled", "Value": "true"},
        {"Key": "access_logs.s3.bucket", "Value": {"Ref": logs.resource.logical_id}},
        {"Key": "access_logs.s3.prefix", "Value": "web"}]
    assert logs.policy is not None and logs.policy.logical_id in entry["DependsOn"]
    allowed = [s for s in props(app, logs.policy)["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allowed == [{
        "Effect": "Allow", "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [logs.resource.logical_id, "Arn"]}, "/web/AWSLogs/",
                                       {"Ref": "AWS::AccountId"}, "/*"]]}}]
    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


def test_log_access_logs_after_the_fact_and_without_a_prefix(app, stack, lb, group):
    logs = s3.Bucket(stack, "Logs")
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))
    lb.log_access_logs(logs)

    attributes = props(app, lb.resource)["LoadBalancerAttributes"]
    assert {a["Key"] for a in attributes} == {"routing.http.drop_invalid_header_fields.enabled",
                                              "access_logs.s3.enabled", "access_logs.s3.bucket"}
    (allowed,) = [s for s in props(app, logs.policy)["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allowed["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [logs.resource.logical_id, "Arn"]},
                                                     "/AWSLogs/", {"Ref": "AWS::AccountId"}, "/*"]]}


def test_an_imported_log_bucket_gets_the_attributes_and_no_policy(app, stack, lb, group):
    logs = s3.Bucket.from_bucket_name(stack, "Central", "central-elb-logs")
    lb.add_listener("Http", default_action=ListenerAction.forward([group]))
    lb.log_access_logs(logs, prefix="web")

    assert {"Key": "access_logs.s3.bucket", "Value": "central-elb-logs"} in props(app, lb.resource)[
        "LoadBalancerAttributes"]
    assert not [r for r in resources(app).values() if r["Type"] == "AWS::S3::BucketPolicy"]


@pytest.mark.parametrize("make_bucket, prefix, message", [
    (lambda s: s3.Bucket(s, "Logs", encryption_key=kms.Key(s, "Key")), None, "only to buckets encrypted with S3"),
    (lambda s: s3.Bucket(s, "Logs"), "/web", "no leading or trailing '/'"),
    (lambda s: s3.Bucket(s, "Logs"), "web/AWSLogs", "must not contain 'AWSLogs'"),
    (lambda s: "my-bucket", None, "access logs go to an s3.Bucket"),
])
def test_bad_access_logs_are_errors_at_the_users_line(stack, lb, make_bucket, prefix, message):
    bucket = make_bucket(stack)
    with pytest.raises(ConstructError, match=message) as caught:
        lb.log_access_logs(bucket, prefix=prefix)
    assert caught.value.location.file == __file__


def test_a_prefix_without_a_bucket_is_refused(stack, vpc):
    with pytest.raises(ConstructError, match="access_logs_prefix needs access_logs") as caught:
        elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc, access_logs_prefix="web")
    assert caught.value.location.file == __file__


def test_a_log_bucket_of_another_region_is_refused(app):
    logs = s3.Bucket(Stack(app, "Logs", region="us-west-2"), "Logs")
    stack = Stack(app, "Web", region="us-east-1")
    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1))
    with pytest.raises(ConstructError, match="is in us-west-2 and the load balancer in us-east-1"):
        lb.log_access_logs(logs)
