"""docs/checks.md is generated from the rules' metadata: it must be current and list every rule."""

from __future__ import annotations

from pathlib import Path

from iac.checks import all_rules
from iac.checks.docs import render

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def test_the_checks_doc_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/checks.md is stale: run `.venv/bin/python -m iac.checks.docs`")


def test_the_checks_doc_lists_every_rule_with_its_section() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"### {rule.id}\n" in text and f"| [{rule.id}](#{rule.id.lower()}) | {rule.severity} |" in text
