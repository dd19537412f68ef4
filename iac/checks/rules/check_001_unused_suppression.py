from iac.checks._model import Rule

RULE = Rule(
    id="IAC-CHECK-001",
    severity="warning",
    pack="checks",
    description="A suppression matches no finding",
    why="A suppression that hides nothing today hides the next finding of its rule on that resource, one nobody "
        "reviewed; and it tells a reader the resource has a problem it no longer has.",
    fix="Remove the iac.suppress call (or the Metadata iac:suppress entry).",
    url="docs/checks.md#suppressions",
)
