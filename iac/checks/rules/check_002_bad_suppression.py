from iac.checks._model import Rule

RULE = Rule(
    id="IAC-CHECK-002",
    severity="warning",
    pack="checks",
    description="A suppression in template Metadata names no rule or gives no reason, and is ignored",
    why="A suppression is a reviewed decision: without a rule id it suppresses nothing, without a reason nobody "
        "can review it.",
    fix='Write each entry as {"id": "IAC-S3-001", "reason": "why the finding does not apply"} under '
        'Metadata: {"iac:suppress": [...]}.',
    url="docs/checks.md#suppressions",
)
