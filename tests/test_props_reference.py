"""docs/reference/constructs.md is generated from the constructors' signatures: it must be current."""

from __future__ import annotations

from pathlib import Path

from iac.constructs.core.props_doc import reference_markdown

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference" / "constructs.md"


def test_the_props_reference_is_current():
    assert REFERENCE.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/reference/constructs.md is stale: run `.venv/bin/python -m iac.constructs.core.props_doc`"
    )
