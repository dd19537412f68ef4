"""IAC-DIFF-006: a resource is created with a fixed name that a resource being removed still holds (CloudFormation
creates first and deletes at the end)."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding

RULE = DiffRule(
    id="IAC-DIFF-006", kind="deployability", severity="error",
    title="name still held",
    description="An added resource takes a fixed name that a removed resource holds until CloudFormation deletes "
                "it, after the creation: the creation fails.",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks.html",
)


def finding(logical_id: str, name: str, value: str, holder: str) -> Finding:
    return RULE.finding(
        logical_id,
        f"{logical_id} is created with {name} {value!r}, still held by {holder}, which CloudFormation deletes "
        "only afterwards: the creation will fail",
        fix=f'keep the old logical id (.override_logical_id("{holder}")) or change {name}')
