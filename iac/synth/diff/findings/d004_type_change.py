"""IAC-DIFF-004: a logical id keeps its name but changes its Type, which CloudFormation refuses."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding

RULE = DiffRule(
    id="IAC-DIFF-004", kind="deployability", severity="error",
    title="type change refused",
    description="A resource's Type changes under the same logical id: CloudFormation refuses the update "
                "(\"Update of resource type is not permitted\").",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html",
)


def finding(logical_id: str, old_type: object, new_type: object) -> Finding:
    return RULE.finding(
        logical_id,
        f"{logical_id} changes type from {old_type} to {new_type}: CloudFormation refuses this "
        "(\"Update of resource type is not permitted\")",
        fix="give the new resource another logical id (a new construct id) and remove the old one")
