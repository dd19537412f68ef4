"""IAC-DIFF-002: a resource that holds data is replaced (or may be) without an UpdateReplacePolicy that keeps
the old one."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding, ResourceChange

RULE = DiffRule(
    id="IAC-DIFF-002", kind="data-at-risk", severity="error",
    title="stored data replaced",
    description="A stateful resource is replaced and its UpdateReplacePolicy is Delete: CloudFormation creates "
                "the new one and deletes the old one with its data.",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-updatereplacepolicy.html",
)


def finding(change: ResourceChange, policy_shown: str) -> Finding:
    what = "will be REPLACED and the old one deleted with its data" if change.replacement == "True" else \
        "may be REPLACED and may lose its data (the old one is deleted if it is)"
    return RULE.finding(change.logical_id,
                        f"{change.resource_type} {change.logical_id} {what} (UpdateReplacePolicy is {policy_shown})",
                        fix="keep the create-only property as it was, or set update_replace_policy='Retain'")
