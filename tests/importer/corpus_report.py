"""The share of real templates under tests/ that `iac import` round-trips, and the share of generated apps
mypy accepts (issue 19's measure). Prints figures; not a test (tests/importer/test_roundtrip.py holds each
template to its round trip, test_cli.py runs mypy on some).

    .venv/bin/python tests/importer/corpus_report.py             # round trip + mypy --strict
    .venv/bin/python tests/importer/corpus_report.py --no-mypy   # round trip only
    .venv/bin/python tests/importer/corpus_report.py --keep DIR  # keep the generated apps in DIR

The templates are those of test_roundtrip.py: every file under tests/ that CloudFormation would accept
(its EXCLUDED table says what is left out and why). mypy runs once, `--strict`, on all the generated apps
together, each app a module of its own; an app fails when mypy reports an error in it. Every template that
fails either measure is listed with the reason (the differences, the refusal, or mypy's first errors).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_roundtrip import TESTS, _app_file, _templates  # noqa: E402

from iac.errors import IacError  # noqa: E402
from iac.importer import differences, generate, read_template, stack_name_from, synthesized_template  # noqa: E402

_MYPY_LINE = re.compile(r"^(?P<file>[^:]+\.py):(?P<line>\d+): error: (?P<message>.*)$")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-mypy", action="store_true", help="measure the round trip only")
    parser.add_argument("--keep", metavar="DIR", help="write the generated apps into DIR (kept)")
    options = parser.parse_args()
    folder = Path(options.keep) if options.keep else Path(tempfile.mkdtemp(prefix="iac-import-corpus-"))
    folder.mkdir(parents=True, exist_ok=True)
    templates = _templates()
    apps: dict[str, Path] = {}
    failures: dict[str, list[str]] = {}
    started = time.perf_counter()
    for relative in templates:
        path = TESTS / relative
        try:
            source = generate(read_template(str(path)), stack_name=stack_name_from(str(path)), source=relative)
        except IacError as error:
            failures[relative] = [f"refused: {error}"]
            continue
        app = _app_file(folder, relative)
        app.write_text(source, encoding="utf-8")
        apps[relative] = app
        try:
            found = differences(read_template(str(path)), synthesized_template(str(app)))
        except IacError as error:
            found = [f"synthesis failed: {error}"]
        if found:
            failures[relative] = found
    elapsed = time.perf_counter() - started
    total = len(templates)
    holding = total - len(failures)
    print(f"round trip: {holding}/{total} templates ({100 * holding / total:.1f}%), {elapsed:.1f} s")
    for relative, found in failures.items():
        print(f"  FAIL {relative}: {len(found)} difference(s)")
        for line in found[:5]:
            print(f"      {line}")
    if options.no_mypy:
        return 0 if not failures else 1
    errors = _mypy(folder)
    by_app = {app.name: relative for relative, app in apps.items()}
    failing = {by_app[name]: lines for name, lines in errors.items() if name in by_app}
    clean = len(apps) - len(failing)
    print(f"mypy --strict: {clean}/{total} generated apps ({100 * clean / total:.1f}%)")
    for relative in templates:
        if relative not in apps:
            print(f"  FAIL {relative}: no app (refused)")
        elif relative in failing:
            lines = failing[relative]
            print(f"  FAIL {relative}: {len(lines)} error(s)")
            for line in lines[:3]:
                print(f"      {line}")
    if not options.keep:
        print(f"(apps in {folder})")
    return 0 if not failures and not failing else 1


def _mypy(folder: Path) -> dict[str, list[str]]:
    """mypy's errors per app file name."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(folder / ".mypy_cache"),
            "--explicit-package-bases",
            ".",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    errors: dict[str, list[str]] = defaultdict(list)
    for line in completed.stdout.splitlines():
        match = _MYPY_LINE.match(line)
        if match:
            errors[Path(match["file"]).name].append(f"line {match['line']}: {match['message']}")
    if completed.returncode not in (0, 1):
        print(completed.stdout + completed.stderr, file=sys.stderr)
    return errors


if __name__ == "__main__":
    sys.exit(main())
