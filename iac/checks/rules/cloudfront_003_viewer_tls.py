import re
from collections.abc import Iterator
from typing import Any

from iac.checks._cloudfront import distribution_config
from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, is_true, known

#: The oldest security policy that is accepted: TLS 1.2 with only forward-secret AEAD ciphers (2021).
MINIMUM = "TLSv1.2_2021"
#: CloudFront's security policy names: SSLv3, TLSv1, TLSv1_2016, TLSv1.1_2016, TLSv1.2_2018 ... TLSv1.3_2025.
POLICY = re.compile(r"(?:SSLv3|TLSv1(?:\.(?P<minor>\d))?)(?:_(?P<year>\d{4}))?")


def rank(policy: str) -> tuple[int, int, int] | None:
    """A security policy's place in time: (TLS major, TLS minor, year of its cipher set); SSLv3 first."""
    match = POLICY.fullmatch(policy)
    if match is None:
        return None
    if policy == "SSLv3":
        return (0, 0, 0)
    return (1, int(match["minor"] or 0), int(match["year"] or 0))


def _custom_certificate(certificate: dict[str, Any]) -> bool:
    return not is_true(certificate.get("CloudFrontDefaultCertificate")) and any(
        certificate.get(name) is not None for name in ("AcmCertificateArn", "IamCertificateId"))


def check(resource: TemplateResource) -> Iterator[Finding]:
    config = distribution_config(resource)
    certificate = known(config.get("ViewerCertificate")) if config is not None else None
    if not isinstance(certificate, dict) or not _custom_certificate(certificate):
        return  # the CloudFront default certificate: CloudFront sets TLSv1 whatever is written
    where = ("DistributionConfig", "ViewerCertificate")
    policy = known(certificate.get("MinimumProtocolVersion"))
    if policy is None:
        yield resource.finding("the distribution's certificate names no MinimumProtocolVersion: CloudFront then "
                               f"accepts TLSv1 (older than {MINIMUM})", *where)
    elif policy is not UNKNOWN and isinstance(policy, str):
        found, minimum = rank(policy), rank(MINIMUM)
        if found is not None and minimum is not None and found < minimum:
            yield resource.finding(f"the distribution's MinimumProtocolVersion {policy} accepts viewers on TLS "
                                   f"versions or ciphers older than {MINIMUM}", *where, "MinimumProtocolVersion")


RULE = Rule(
    id="IAC-CLOUDFRONT-003",
    severity="warning",
    pack="network",
    description="A CloudFront distribution with its own certificate accepts TLS older than TLSv1.2_2021",
    why="The older security policies still offer TLS 1.0 and 1.1 or TLS 1.2 ciphers without forward secrecy; "
        "a viewer, or an attacker in the middle, can pick them, and compliance regimes (PCI DSS) refuse them.",
    fix="Set ViewerCertificate.MinimumProtocolVersion to TLSv1.2_2021 or newer (iac's cloudfront.Distribution "
        "default: minimum_protocol_version=\"TLSv1.2_2021\").",
    url="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-"
        "protocols-ciphers.html",
    resource_types=("AWS::CloudFront::Distribution",),
    check=check,
    reads={"AWS::CloudFront::Distribution": ("DistributionConfig",)},
)
