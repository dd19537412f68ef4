"""IAC-DIFF-005: a resource whose physical name is fixed in the template must (or may have to) be replaced:
CloudFormation cannot create the new one under a name the old one still holds."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding, ResourceChange

RULE = DiffRule(
    id="IAC-DIFF-005", kind="deployability", severity="error",
    title="custom-named resource replaced",
    description="A resource with a fixed name is replaced and keeps the name: \"CloudFormation cannot update a "
                "stack when a custom-named resource requires replacing\".",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html",
)


def finding(change: ResourceChange, name: str, value: str) -> Finding:
    must = "must" if change.replacement == "True" else "may have to"
    return RULE.finding(
        change.logical_id,
        f"{change.logical_id} {must} be replaced but its {name} is fixed to {value!r}: "
        "CloudFormation cannot update a stack when a custom-named resource requires replacing",
        fix=f"change {name} too (or leave it unset) so the new resource can be created")
