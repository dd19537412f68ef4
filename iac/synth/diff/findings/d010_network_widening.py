"""IAC-DIFF-010: network access widens: a security group rule added."""

from __future__ import annotations

from iac.synth.diff.findings._rule import DiffRule
from iac.synth.diff.model import Finding, RuleChange

RULE = DiffRule(
    id="IAC-DIFF-010", kind="widening", severity="warning",
    title="network access widens",
    description="A security group rule is added: more traffic may reach (or leave) what the group protects.",
    url="https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
)


def finding(logical_id: str, rules: list[RuleChange]) -> Finding:
    peers = sorted({r.peer or "-" for r in rules})
    world = any(r.peer in ("0.0.0.0/0", "::/0") for r in rules)
    count = f"{len(rules)} rule{'s' if len(rules) != 1 else ''}"
    return RULE.finding(logical_id, f"network access widens on {logical_id}: {count} added (from or to "
                                    f"{', '.join(peers)}){', open to the internet' if world else ''}",
                        fix="open only the ports and peers the service needs")
