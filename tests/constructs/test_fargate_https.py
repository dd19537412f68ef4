"""LoadBalancedFargateService over HTTPS: `certificate=` (a certificatemanager.Certificate or an ARN),
`domain_name=` + `domain_zone=` (a DNS-validated certificate, HTTPS only on 443, 80 redirecting, alias
records), access logs, and the fargate_service sample given a domain (its ids pinned, `--strict` clean)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import certificatemanager, ec2, ecs, route53, s3
from iac.constructs.patterns import LoadBalancedFargateService
from iac.synth import synthesize
from iac.synth.lint import lint_template

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "fargate_service" / "app.py"
GOLDEN = REPO / "tests" / "golden" / "logical_ids" / "sample-fargate_service.json"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f5b2c1e-1111-2222-3333-444455556666"
IMAGE = ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample")
ZONE = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")
SAMPLE_DOMAIN = {"FARGATE_DOMAIN": "app.example.com", "FARGATE_ZONE_ID": "Z0123456789EXAMPLE"}


def _service(*, ipv6: bool = False, region: str | None = None, **props: Any) -> tuple[App, LoadBalancedFargateService]:
    app = App(path_metadata=False)
    stack = Stack(app, "Main", region=region)
    vpc = ec2.Vpc(stack, "MyVpc", max_azs=2, ipv6=ipv6)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    return app, LoadBalancedFargateService(stack, "FargateService", cluster=cluster, image=IMAGE, **props)


def _resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def _of_type(app: App, resource_type: str) -> dict[str, Any]:
    return {k: r["Properties"] for k, r in _resources(app).items() if r["Type"] == resource_type}


def _ingress(app: App, web: LoadBalancedFargateService) -> list[tuple[str, int]]:
    rules = _resources(app)[web.load_balancer.security_group.resource.logical_id]["Properties"]["SecurityGroupIngress"]
    return [(rule.get("CidrIp") or rule.get("CidrIpv6"), rule["FromPort"]) for rule in rules]


# -- a domain --------------------------------------------------------------------------------------


def test_a_domain_gets_a_dns_validated_certificate_https_on_443_a_redirect_and_an_alias():
    app, web = _service(domain_name="app.example.com", domain_zone=ZONE)
    resources = _resources(app)

    assert isinstance(web.certificate, certificatemanager.Certificate)
    assert web.certificate.resource.logical_id == "FargateServiceCertificateF15CBDA5"
    assert resources[web.certificate.resource.logical_id]["Properties"] == {
        "DomainName": "app.example.com", "ValidationMethod": "DNS",
        "DomainValidationOptions": [{"DomainName": "app.example.com", "HostedZoneId": "Z0123456789EXAMPLE"}]}
    listener = resources[web.listener.resource.logical_id]["Properties"]
    assert (listener["Port"], listener["Protocol"], listener["SslPolicy"]) == (
        443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert listener["Certificates"] == [{"CertificateArn": {"Ref": web.certificate.resource.logical_id}}]
    assert web.redirect_listener is not None
    assert resources[web.redirect_listener.resource.logical_id]["Properties"]["DefaultActions"] == [
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
    assert _ingress(app, web) == [("0.0.0.0/0", 443), ("0.0.0.0/0", 80)]
    (record,) = web.domain_records
    lb = web.load_balancer.resource.logical_id
    assert (record.resource.logical_id, resources[record.resource.logical_id]["Properties"]) == (
        "FargateServiceDomainRecordD17CBDDA", {
            "HostedZoneId": "Z0123456789EXAMPLE", "Name": "app.example.com", "Type": "A", "AliasTarget": {
                "DNSName": {"Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [lb, "DNSName"]}]]},
                "HostedZoneId": {"Fn::GetAtt": [lb, "CanonicalHostedZoneID"]}, "EvaluateTargetHealth": True}})
    assert synthesize(app).template("Main")["Outputs"]["FargateServiceServiceURL"]["Value"] == "https://app.example.com"
    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


def test_a_domain_at_the_zone_apex_in_a_zone_of_the_stack():
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    zone = route53.HostedZone(stack, "Zone", zone_name="example.com")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "MyVpc", max_azs=2))
    web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, domain_name="example.com",
                                     domain_zone=zone)

    (record,) = web.domain_records
    found = _resources(app)[record.resource.logical_id]["Properties"]
    assert (found["Name"], found["HostedZoneId"]) == ("example.com", {"Ref": zone.resource.logical_id})


def test_a_given_certificate_is_used_for_the_domain_and_none_is_made():
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    certificate = certificatemanager.Certificate(stack, "Wildcard", domain_name="*.example.com")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "MyVpc", max_azs=2))
    web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, certificate=certificate,
                                     domain_name="app.example.com", domain_zone=ZONE)

    assert web.certificate is certificate
    assert list(_of_type(app, "AWS::CertificateManager::Certificate")) == [certificate.resource.logical_id]
    assert _resources(app)[web.listener.resource.logical_id]["Properties"]["Certificates"] == [
        {"CertificateArn": {"Ref": certificate.resource.logical_id}}]


def test_a_dualstack_service_gets_an_aaaa_alias_too():
    app, web = _service(ipv6=True, ip_address_type="dualstack", domain_name="app.example.com", domain_zone=ZONE)

    assert [r.resource.logical_id for r in web.domain_records] == ["FargateServiceDomainRecordD17CBDDA",
                                                                   "FargateServiceDomainRecordIpv68950A527"]
    assert sorted(p["Type"] for p in _of_type(app, "AWS::Route53::RecordSet").values()) == ["A", "AAAA"]
    assert _ingress(app, web) == [("0.0.0.0/0", 443), ("::/0", 443), ("0.0.0.0/0", 80), ("::/0", 80)]


# -- a certificate without a domain ----------------------------------------------------------------


def test_a_certificate_object_or_arn_makes_the_service_https_without_records():
    for certificate in (CERTIFICATE, None):
        app = App(path_metadata=False)
        stack = Stack(app, "Main")
        given = certificate or certificatemanager.Certificate(stack, "Cert", domain_name="app.example.com")
        cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "MyVpc", max_azs=2))
        web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, certificate=given)

        assert (web.listener.port, web.listener.protocol, web.domain_records) == (443, "HTTPS", [])
        assert web.url.startswith("https://")
        expected = CERTIFICATE if certificate else {"Ref": given.resource.logical_id}
        assert _resources(app)[web.listener.resource.logical_id]["Properties"]["Certificates"] == [
            {"CertificateArn": expected}]


def test_the_deprecated_certificate_arn_still_works_and_says_so():
    with pytest.warns(DeprecationWarning, match="certificate_arn= is deprecated; pass certificate="):
        app, web = _service(certificate_arn=CERTIFICATE)
    assert (web.listener.protocol, web.certificate) == ("HTTPS", CERTIFICATE)


def test_without_a_certificate_or_domain_nothing_changes():
    app, web = _service()
    assert (web.listener.port, web.listener.protocol, web.certificate, web.redirect_listener, web.domain_records) == (
        80, "HTTP", None, None, [])


def test_access_logs_go_to_the_bucket_given():
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    logs = s3.Bucket(stack, "Logs")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "MyVpc", max_azs=2))
    web = LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, access_logs=logs,
                                     access_logs_prefix="web")

    assert web.load_balancer.access_logs_bucket is logs
    attributes = _resources(app)[web.load_balancer.resource.logical_id]["Properties"]["LoadBalancerAttributes"]
    assert {"Key": "access_logs.s3.prefix", "Value": "web"} in attributes


# -- errors at the user's line ---------------------------------------------------------------------


@pytest.mark.parametrize("props, message", [
    ({"domain_name": "app.example.com"}, "domain_name needs domain_zone"),
    ({"domain_zone": ZONE}, "domain_zone is used only with domain_name"),
    ({"domain_name": "app.other.org", "domain_zone": ZONE}, "'app.other.org' is not in the zone example.com"),
    ({"domain_name": "*.example.com", "domain_zone": ZONE}, "is not a domain name a service can be served at"),
    ({"certificate": CERTIFICATE, "certificate_arn": CERTIFICATE}, "give certificate or certificate_arn"),
    ({"certificate": "my-cert"}, "'my-cert' is not an ACM certificate ARN"),
    ({"ip_address_type": "dualstack"}, "needs subnets with IPv6 ranges"),
])
def test_bad_https_props_are_errors_at_the_users_line(props, message):
    with pytest.raises(ConstructError, match=message) as caught:
        _service(**props)
    assert caught.value.location is not None and caught.value.location.file == __file__


def test_a_certificate_of_another_region_is_refused():
    app = App(path_metadata=False)
    certificate = certificatemanager.Certificate(Stack(app, "Certs", region="us-east-1"), "Cert",
                                                 domain_name="app.example.com")
    stack = Stack(app, "Main", region="eu-west-1")
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "MyVpc", max_azs=2))
    with pytest.raises(ConstructError, match="a load balancer serves only ACM certificates of its own region"):
        LoadBalancedFargateService(stack, "Web", cluster=cluster, image=IMAGE, certificate=certificate)


# -- the sample, given a domain --------------------------------------------------------------------


def test_the_sample_given_a_domain_keeps_every_id_and_adds_the_certificate_redirect_and_record(monkeypatch):
    sys.path.insert(0, str(REPO / "tests" / "golden"))
    try:
        from golden_ids import snapshot_of_app_file
    finally:
        sys.path.remove(str(REPO / "tests" / "golden"))
    for name, value in SAMPLE_DOMAIN.items():
        monkeypatch.setenv(name, value)

    ids = snapshot_of_app_file(SAMPLE)["BonjourFargate"]
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["BonjourFargate"]
    assert {k: v for k, v in ids.items() if k not in golden} == {
        "FargateServiceCertificateF15CBDA5": "AWS::CertificateManager::Certificate",
        "FargateServiceDomainRecordD17CBDDA": "AWS::Route53::RecordSet",
        "FargateServiceLBRedirectListener76EEBAD5": "AWS::ElasticLoadBalancingV2::Listener",
    }
    assert {k: ids[k] for k in golden} == golden


def test_the_sample_given_a_domain_synthesizes_strict_with_no_findings(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "iac", "synth", "--app", str(SAMPLE), "--out", str(tmp_path / "out"), "--strict"],
        capture_output=True, text=True, cwd=SAMPLE.parent, env={**os.environ, "NO_COLOR": "1", **SAMPLE_DOMAIN})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    template = json.loads((tmp_path / "out" / "BonjourFargate.template.json").read_text())
    assert template["Outputs"]["FargateServiceServiceURL"]["Value"] == "https://app.example.com"


def test_the_sample_given_a_domain_without_its_zone_id_says_so_and_exits_2(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("FARGATE_")}
    result = subprocess.run(
        [sys.executable, "-m", "iac", "synth", "--app", str(SAMPLE), "--out", str(tmp_path / "out"), "--no-lint"],
        capture_output=True, text=True, cwd=SAMPLE.parent,
        env={**env, "NO_COLOR": "1", "FARGATE_DOMAIN": "app.example.com"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "FARGATE_DOMAIN needs FARGATE_ZONE_ID" in result.stderr
    assert "Traceback" not in result.stderr
