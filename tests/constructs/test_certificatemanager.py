"""certificatemanager: DNS-validated certificates whose validation records CloudFormation writes into the zone."""

from __future__ import annotations

import pytest

from iac import ConstructError, Stack
from iac.constructs import certificatemanager, route53
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

Validation = certificatemanager.CertificateValidation


def test_dns_validation_in_a_zone_names_the_zone_for_every_name(app, stack):
    zone = route53.HostedZone(stack, "Zone", zone_name="example.com")
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com",
                                                 subject_alternative_names=["example.com"],
                                                 validation=Validation.from_dns(zone))

    entry = synthesize(app).template("Main")["Resources"][certificate.resource.logical_id]
    zone_id = {"Ref": zone.resource.logical_id}
    assert entry == {"Type": "AWS::CertificateManager::Certificate", "Properties": {
        "DomainName": "www.example.com", "SubjectAlternativeNames": ["example.com"], "ValidationMethod": "DNS",
        "DomainValidationOptions": [{"DomainName": "www.example.com", "HostedZoneId": zone_id},
                                    {"DomainName": "example.com", "HostedZoneId": zone_id}]}}


def test_without_a_zone_the_certificate_waits_for_records_written_by_hand(app, stack):
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com")

    properties = synthesize(app).template("Main")["Resources"][certificate.resource.logical_id]["Properties"]
    assert properties == {"DomainName": "www.example.com", "ValidationMethod": "DNS"}


def test_email_validation_writes_the_method(app, stack):
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="example.com",
                                                 validation=Validation.from_email())

    properties = synthesize(app).template("Main")["Resources"][certificate.resource.logical_id]["Properties"]
    assert properties["ValidationMethod"] == "EMAIL"


def test_a_name_outside_the_validating_zone_is_refused_at_the_users_line(stack):
    zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789", zone_name="example.com")

    with pytest.raises(ConstructError, match="not in the zone example.com") as caught:
        certificatemanager.Certificate(stack, "Cert", domain_name="*.example.com",
                                       subject_alternative_names=["example.org"], validation=Validation.from_dns(zone))
    assert caught.value.location.file == __file__


def test_names_are_in_the_zone_whatever_their_case(app, stack):
    zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789", zone_name="Example.com")

    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com",
                                                 subject_alternative_names=["API.EXAMPLE.COM"],
                                                 validation=Validation.from_dns(zone))

    options = synthesize(app).template("Main")["Resources"][certificate.resource.logical_id]["Properties"][
        "DomainValidationOptions"]
    assert [option["DomainName"] for option in options] == ["www.example.com", "API.EXAMPLE.COM"]


def test_the_arn_is_the_ref_and_the_region_the_stacks(app, stack, resolve):
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="example.com")
    elsewhere = certificatemanager.Certificate(Stack(app, "Certs", region="us-east-1"), "Cert", domain_name="a.com")

    assert (certificate.region, elsewhere.region) == (None, "us-east-1")
    assert resolve(certificate.certificate_arn) == {"Ref": certificate.resource.logical_id}


def test_certificates_pass_the_schemas_and_cfn_lint(app, stack):
    zone = route53.HostedZone(stack, "Zone", zone_name="example.com")
    certificatemanager.Certificate(stack, "Cert", domain_name="example.com", key_algorithm="EC_prime256v1",
                                   validation=Validation.from_dns(zone))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)
    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
