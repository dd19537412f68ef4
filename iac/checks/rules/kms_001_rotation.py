import functools
from collections.abc import Iterator
from typing import Any

from iac import specs
from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, is_true, known

KEY = "AWS::KMS::Key"


@functools.cache
def _default(name: str) -> Any:
    """The schema's default of a property of AWS::KMS::Key (KeySpec: SYMMETRIC_DEFAULT; Origin: AWS_KMS)."""
    schema = specs.property_schema(KEY, name)
    return schema.get("default") if schema else None


def rotatable(properties: dict[str, Any]) -> bool | None:
    """Whether KMS can rotate the key's material itself: only the symmetric encryption key spec (the schema's
    default KeySpec; asymmetric, HMAC, SM2 and ML-DSA keys cannot) with key material KMS made (the default
    Origin, not EXTERNAL imported material). None when the template computes either."""
    spec, origin = known(properties.get("KeySpec")), known(properties.get("Origin"))
    if spec is UNKNOWN or origin is UNKNOWN:
        return None
    return (spec is None or spec == _default("KeySpec")) and (origin is None or origin == _default("Origin"))


def check(resource: TemplateResource) -> Iterator[Finding]:
    rotation = resource.properties.get("EnableKeyRotation")
    if known(rotation) is UNKNOWN or is_true(rotation) or not rotatable(resource.properties):
        return
    yield resource.finding("the symmetric key's material is never rotated (EnableKeyRotation is not true)",
                           *(("EnableKeyRotation",) if "EnableKeyRotation" in resource.properties else ()))


RULE = Rule(
    id="IAC-KMS-001",
    severity="warning",
    pack="storage",
    description="A customer managed symmetric KMS key does not rotate its key material",
    why="Without rotation one key material encrypts every data key for the key's whole life: more data under "
        "one secret, and no end date for material that may have been exposed; AWS managed keys rotate every "
        "year, a key of your own only when asked (CIS AWS Foundations 3.6).",
    fix="Set EnableKeyRotation: true (iac's kms.Key rotates by default), with RotationPeriodInDays if a year "
        "is not the period you want. Asymmetric, HMAC and imported-material keys cannot rotate and are not judged.",
    url="https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
    resource_types=(KEY,),
    check=check,
    reads={KEY: ("EnableKeyRotation", "KeySpec", "Origin")},
)
