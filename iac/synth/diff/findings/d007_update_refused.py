"""IAC-DIFF-007: a property whose update CloudFormation refuses changes (a "Fails" replacement correction in
iac/spec_corrections.json: a KMS key's KeySpec, an EBS volume's Availability Zone...)."""

from __future__ import annotations

from iac.specs import ReplacementCorrection
from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding, ResourceChange

RULE = DiffRule(
    id="IAC-DIFF-007", kind="deployability", severity="error",
    title="update refused",
    description="A property that cannot be updated changes: the template reference says the update fails (or "
                "that updates are not supported), whatever the UpdateReplacePolicy.",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html",
)


def finding(change: ResourceChange, name: str, certain: bool, correction: ReplacementCorrection) -> Finding:
    will = "fails" if certain else "may fail"
    return RULE.finding(
        change.logical_id,
        f"{change.logical_id}: the update of {name} {will}: {correction.why} ({correction.url})",
        fix=f"keep {name} as it was, or make a new {change.resource_type} under another logical id")
