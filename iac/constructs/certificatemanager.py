"""Certificate Manager: public TLS certificates, validated through DNS in a Route 53 zone.

    zone = route53.HostedZone(stack, "Zone", zone_name="example.com")
    certificate = certificatemanager.Certificate(
        stack, "Certificate", domain_name="www.example.com",
        validation=certificatemanager.CertificateValidation.from_dns(zone))

With `from_dns(zone)` CloudFormation writes the validation CNAME records into the zone itself
(DomainValidationOptions HostedZoneId) and waits until ACM has issued the certificate, so the stack's
creation finishes only with a certificate that works. Without a zone (`from_dns()`), ACM waits for you to
write the records (the console and `aws acm describe-certificate` show them) and the stack waits with it.

A CloudFront distribution accepts only certificates of us-east-1: make the certificate in a stack whose
region is "us-east-1" (cloudfront.Distribution refuses another).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Final

import attrs

from iac.constructs.core import CfnResource, Construct, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.route53 import HostedZoneBase
from iac.errors import ConstructError

RESOURCE_TYPE: Final = "AWS::CertificateManager::Certificate"


@attrs.frozen(kw_only=True)
class CertificateValidation:
    """How ACM checks that the domain is yours: `from_dns(zone)` (records written by CloudFormation),
    `from_dns()` (records written by you) or `from_email()` (a mail to the domain's contacts)."""

    method: str
    hosted_zone: HostedZoneBase | None = None

    @staticmethod
    def from_dns(hosted_zone: HostedZoneBase | None = None) -> CertificateValidation:
        """DNS validation; with a zone, CloudFormation writes the validation records into it."""
        if hosted_zone is not None and not isinstance(hosted_zone, HostedZoneBase):
            raise TypeError(f"from_dns takes a route53.HostedZone (or None), got {hosted_zone!r}")
        return CertificateValidation(method="DNS", hosted_zone=hosted_zone)

    @staticmethod
    def from_email() -> CertificateValidation:
        """E-mail validation: ACM writes to the domain's registered contacts and admin addresses."""
        return CertificateValidation(method="EMAIL")


def _names_rule(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        return "must be a list of domain names"
    return None


class Certificate(Construct):
    """A public ACM certificate (`AWS::CertificateManager::Certificate`, the child `Resource`).

    Args:
        domain_name: the name the certificate is for, e.g. "www.example.com" or "*.example.com".
        subject_alternative_names: further names it covers, e.g. ["example.com"].
        validation: how ACM checks the domain is yours; default DNS, with the records written into the zone
            when `CertificateValidation.from_dns(zone)` names one.
        key_algorithm: the key pair's algorithm, e.g. "RSA_2048" (ACM's default) or "EC_prime256v1".
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        domain_name: Annotated[str | Token, Cfn("DomainName")],
        subject_alternative_names: Annotated[Sequence[str] | None, Cfn("SubjectAlternativeNames"),
                                             Check(_names_rule)] = None,
        validation: CertificateValidation | None = None,
        key_algorithm: Annotated[str | None, Cfn("KeyAlgorithm")] = None,
    ) -> None:
        super().__init__(scope, id)
        validation = validation or CertificateValidation.from_dns()
        self.domain_name = domain_name
        self.subject_alternative_names = list(subject_alternative_names or ())
        self.validation = validation
        names = [domain_name, *(subject_alternative_names or ())]
        zone = validation.hosted_zone
        if zone is not None:
            self._check_names_in_zone(names, zone)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "DomainName": domain_name,
            "SubjectAlternativeNames": list(subject_alternative_names) if subject_alternative_names else None,
            "ValidationMethod": validation.method,
            "DomainValidationOptions": None if zone is None else [
                {"DomainName": name, "HostedZoneId": zone.hosted_zone_id} for name in names],
            "KeyAlgorithm": key_algorithm,
        })

    def _check_names_in_zone(self, names: list[Any], zone: HostedZoneBase) -> None:
        for name in names:
            if is_token(name) or not isinstance(name, str):
                continue
            bare, apex = name.rstrip(".").removeprefix("*.").lower(), zone.zone_name.lower()  # DNS ignores case
            if bare != apex and not bare.endswith(f".{apex}"):
                raise ConstructError(
                    f"{name!r} is not in the zone {zone.zone_name}: CloudFormation could not write its validation "
                    "record there, and the certificate would wait for validation until the stack times out",
                    path=self.path, location=self.location,
                    hint=f"use names ending in {zone.zone_name}, or validate with the zone that holds {name!r}")

    def covers(self, name: str) -> bool | None:
        """Whether the certificate is valid for `name` (its domain name or an alternative name, "*.example.com"
        covering one label more, whatever the case); None when a deploy-time value makes it unknown."""
        names = [self.domain_name, *self.subject_alternative_names]
        patterns = [pattern.rstrip(".").lower() for pattern in names
                    if isinstance(pattern, str) and not is_token(pattern)]
        if is_token(name) or len(patterns) < len(names):
            return None
        wanted = name.rstrip(".").lower()
        for pattern in patterns:
            if wanted == pattern or (pattern.startswith("*.") and wanted.partition(".")[2] == pattern[2:]):
                return True
        return False

    @property
    def certificate_arn(self) -> Token:
        return self.resource.ref

    @property
    def region(self) -> str | None:
        """The region of the stack the certificate is made in (None when the stack names none)."""
        region: str | None = self.stack.region
        return region
