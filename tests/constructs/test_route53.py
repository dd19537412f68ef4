"""route53: hosted zones (retained), imported zones, and A/AAAA aliases to a distribution or a load balancer,
CNAME and TXT records, each refused at the user's line when DNS would not take it."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Duration, Stack
from iac.constructs import cloudfront, ec2, elbv2, route53, s3
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def properties(app: App, construct: Any) -> dict[str, Any]:
    return resources(app)[construct.resource.logical_id]["Properties"]


@pytest.fixture
def zone(stack: Stack) -> route53.HostedZone:
    return route53.HostedZone(stack, "Zone", zone_name="example.com.")


@pytest.fixture
def distribution(stack: Stack) -> cloudfront.Distribution:
    bucket = s3.Bucket(stack, "Site")
    behavior = cloudfront.Behavior(origin=cloudfront.S3Origin(bucket))
    return cloudfront.Distribution(stack, "Cdn", default_behavior=behavior)


def test_a_hosted_zone_is_named_without_the_final_dot_and_retained(app, zone):
    assert resources(app)[zone.resource.logical_id] == {
        "Type": "AWS::Route53::HostedZone", "Properties": {"Name": "example.com"},
        "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def test_an_imported_zone_creates_nothing_and_names_records_by_its_id(app, stack):
    zone = route53.HostedZone.from_attributes(hosted_zone_id="/hostedzone/Z0123456789ABC", zone_name="example.org")
    record = route53.CnameRecord(stack, "Docs", zone=zone, record_name="docs", domain_name="example.github.io")

    assert list(resources(app)) == [record.resource.logical_id]
    assert properties(app, record) == {"HostedZoneId": "Z0123456789ABC", "Name": "docs.example.org", "Type": "CNAME",
                                       "TTL": "1800", "ResourceRecords": ["example.github.io"]}


def test_an_a_record_aliases_a_distribution_in_cloudfronts_zone(app, stack, zone, distribution):
    record = route53.ARecord(stack, "Www", zone=zone, record_name="www", target=distribution)

    assert properties(app, record) == {
        "HostedZoneId": {"Ref": zone.resource.logical_id}, "Name": "www.example.com", "Type": "A",
        "AliasTarget": {"DNSName": {"Fn::GetAtt": [distribution.resource.logical_id, "DomainName"]},
                        "HostedZoneId": "Z2FDTNDATAQYW2", "EvaluateTargetHealth": False}}


def test_an_aaaa_alias_to_a_distribution_without_ipv6_is_refused(stack, zone):
    bucket = s3.Bucket(stack, "Site")
    distribution = cloudfront.Distribution(stack, "Cdn", ipv6_enabled=False,
                                           default_behavior=cloudfront.Behavior(origin=cloudfront.S3Origin(bucket)))

    with pytest.raises(ConstructError, match="does not serve IPv6") as caught:
        route53.AaaaRecord(stack, "Www", zone=zone, target=distribution)
    assert caught.value.location.file == __file__


def test_an_a_record_aliases_a_load_balancer_by_its_dualstack_name_and_health(app, stack, zone):
    balancer = elbv2.ApplicationLoadBalancer(stack, "Lb", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    balancer.add_listener("Https", port=443, protocol="HTTPS", certificate_arn=CERTIFICATE_ARN,
                          default_action=elbv2.ListenerAction.fixed_response(200))
    record = route53.ARecord(stack, "Api", zone=zone, record_name="api.example.com", target=balancer)

    assert properties(app, record)["AliasTarget"] == {
        "DNSName": {"Fn::Join": ["", ["dualstack.", {"Fn::GetAtt": [balancer.resource.logical_id, "DNSName"]}]]},
        "HostedZoneId": {"Fn::GetAtt": [balancer.resource.logical_id, "CanonicalHostedZoneID"]},
        "EvaluateTargetHealth": True}
    assert properties(app, record)["Name"] == "api.example.com"


def test_an_aaaa_alias_to_an_ipv4_only_load_balancer_is_refused(stack, zone):
    balancer = elbv2.ApplicationLoadBalancer(stack, "Lb", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))

    assert balancer.alias_record_target().hosted_zone_id == balancer.canonical_hosted_zone_id
    with pytest.raises(ConstructError, match="does not serve IPv6") as caught:
        route53.AaaaRecord(stack, "Api6", zone=zone, record_name="api", target=balancer)
    assert caught.value.location.file == __file__


def test_address_records_carry_a_ttl_in_seconds(app, stack, zone):
    v4 = route53.ARecord(stack, "Old", zone=zone, record_name="old", target=["192.0.2.1"], ttl=Duration.minutes(5))
    v6 = route53.AaaaRecord(stack, "Old6", zone=zone, record_name="old", target=["2001:db8::1"], ttl=60)

    assert (properties(app, v4)["TTL"], properties(app, v4)["ResourceRecords"]) == ("300", ["192.0.2.1"])
    assert (properties(app, v6)["TTL"], properties(app, v6)["ResourceRecords"]) == ("60", ["2001:db8::1"])


def test_an_address_of_the_wrong_family_is_refused(stack, zone):
    with pytest.raises(ConstructError, match="not an IPv4 address"):
        route53.ARecord(stack, "Old", zone=zone, target=["2001:db8::1"])


def test_a_cname_at_the_apex_is_refused(stack, zone):
    with pytest.raises(ConstructError, match="apex"):
        route53.CnameRecord(stack, "Apex", zone=zone, record_name="example.com", domain_name="example.github.io")


def test_txt_values_are_quoted_escaped_and_split_at_255(app, stack, zone):
    record = route53.TxtRecord(stack, "Txt", zone=zone, values=['say "hi"', "x" * 300])

    quoted, long = properties(app, record)["ResourceRecords"]
    assert quoted == '"say \\"hi\\""'
    assert long == f'"{"x" * 255}" "{"x" * 45}"'


def test_a_zone_name_must_be_literal(stack):
    with pytest.raises(ConstructError, match="literal domain name"):
        route53.HostedZone.from_attributes(hosted_zone_id="Z1", zone_name=3)  # type: ignore[arg-type]


def test_zones_and_records_pass_the_schemas_and_cfn_lint(app, stack, zone, distribution):
    route53.ARecord(stack, "Www", zone=zone, record_name="www", target=distribution)
    route53.AaaaRecord(stack, "Www6", zone=zone, record_name="www", target=distribution)
    route53.TxtRecord(stack, "Spf", zone=zone, values=["v=spf1 -all"])
    route53.CnameRecord(stack, "Docs", zone=zone, record_name="docs", domain_name="example.github.io")

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)
    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
