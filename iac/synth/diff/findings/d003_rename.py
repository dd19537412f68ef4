"""IAC-DIFF-003: a Remove and an Add of one type with equal (or nearly equal) properties: a renamed construct,
which CloudFormation replaces."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding

RULE = DiffRule(
    id="IAC-DIFF-003", kind="rename", severity="warning",
    title="likely rename",
    description="A resource disappears and one of the same type with the same properties appears under another "
                "logical id: usually a construct id changed, and CloudFormation creates the new one and deletes "
                "the old one.",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html",
)


def finding(old_id: str, new_id: str, where: str, nearly: bool) -> Finding:
    return RULE.finding(
        new_id,
        f"looks like a rename of {old_id} to {new_id}" + (" (properties nearly equal)" if nearly else "")
        + ": CloudFormation will create the new resource and delete the old one",
        fix=f'keep the old identity: call .override_logical_id("{old_id}") on the resource at {where}')
