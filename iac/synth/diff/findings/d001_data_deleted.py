"""IAC-DIFF-001: a resource that holds data is deleted (removed, or its Condition becomes false) without a
DeletionPolicy that keeps it."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding, ResourceChange

RULE = DiffRule(
    id="IAC-DIFF-001", kind="data-at-risk", severity="error",
    title="stored data deleted",
    description="A stateful resource (table, bucket, database, file system, log group, queue...) is deleted "
                "and its DeletionPolicy is Delete: its data goes with it.",
    url="https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html",
)


def finding(change: ResourceChange, policy_shown: str) -> Finding:
    if change.certain:
        what = "will be DELETED with its data"
    else:  # a condition that may change value: "may lose data", never "will"
        what = "may be DELETED (its Condition may become false) and may lose its data"
    return RULE.finding(change.logical_id,
                        f"{change.resource_type} {change.logical_id} {what} (DeletionPolicy is {policy_shown})",
                        fix="set deletion_policy='Retain' (or 'Snapshot') before removing it")
