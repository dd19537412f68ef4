"""The templates a fast path is checked against its plain one on: every template file the suite holds, and
every sample's synthesized stacks (tests/synth/test_fast_paths_equal.py, test_secrets.py,
test_schema_fast_equal.py, tests/checks/test_checks_fast_scan.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
SAMPLES = TESTS.parent / "samples"
TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


def templates_under_tests() -> list[tuple[str, Any]]:
    """(path below tests/, what it loads to) for every file under tests/ that iac's loader reads, in path order;
    what it holds may be no template at all (a list, a string): callers keep what they need."""
    from iac.synth.loader import load

    found: list[tuple[str, Any]] = []
    for path in sorted(TESTS.rglob("*")):
        if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
            continue
        try:
            found.append((str(path.relative_to(TESTS)), load(path)))
        except Exception:  # noqa: BLE001 - the files that do not load are other tests' business
            continue
    return found


def sample_stacks() -> list[tuple[str, dict[str, Any]]]:
    """("sample/Artifact", template) of every stack of every sample app, synthesized (not validated)."""
    from iac.cli.app_loader import load_app
    from iac.synth import synthesize

    return [(f"{app.parent.name}/{artifact.name}", artifact.template)
            for app in sorted(SAMPLES.glob("*/app.py")) for artifact in synthesize(load_app(str(app))).stacks]


def sample_count() -> int:
    return len(list(SAMPLES.glob("*/app.py")))
