"""IAC-DIFF-009: IAM access widens on a resource: an Allow statement added, a Deny removed, a managed policy
attached."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding, StatementChange

RULE = DiffRule(
    id="IAC-DIFF-009", kind="widening", severity="warning",
    title="IAM access widens",
    description="A policy on the resource grants more than before: an Allow added, a Deny removed, or a managed "
                "policy attached.",
    url="https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
)


def finding(logical_id: str, statements: list[StatementChange]) -> Finding:
    actions = sorted({action for s in statements for action in s.actions})
    shown = ", ".join(actions[:4]) + (f" and {len(actions) - 4} more" if len(actions) > 4 else "")
    count = f"{len(statements)} statement{'s' if len(statements) != 1 else ''}"
    return RULE.finding(logical_id, f"IAM access widens on {logical_id}: {count} ({shown or 'managed policies'})",
                        fix="review the statements above; grant only what the workload calls")
