"""`iac validate` over many template files against cfn-lint's own CLI on the same files. Prints figures.

    .venv/bin/python benchmarks/validate_files_speed.py                    # the corpus, 3 runs each
    .venv/bin/python benchmarks/validate_files_speed.py --runs 5 DIR_OR_FILE ...

Whole process, start to exit, as a user runs them: `iac validate FILES...` (both layers: iac's schema
layer, its checks and cfn-lint in one process, the lint cache disabled by a fresh private cache
folder for every run, so each run lints everything) and `cfn-lint FILES...` (the same cfn-lint iac
pins, with its default rules). The two run interleaved, A B A B, because the machines are shared and
noisy; each figure is the median with min-max, per file too, and the ratio iac/cfn-lint is the median
of the paired ratios. Issue 20 asks that `iac validate` of many files cost no more than cfn-lint on
the same files. Exit status 0 either way: it is not a test.

The default files are the public templates under tests/templates/corpus/ (sources and licences in
its README).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "templates" / "corpus"
SUFFIXES = (".json", ".yaml", ".yml", ".template")
BIN = Path(sys.executable).parent


def template_files(paths: list[str]) -> list[str]:
    """Every template file under `paths` (folders walked), sorted."""
    found: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            found.append(str(path))
    return found


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def spread(values: list[float], scale: float = 1.0) -> str:
    return (f"{statistics.median(values) * scale:8.3f} (min {min(values) * scale:.3f}, "
            f"max {max(values) * scale:.3f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(CORPUS)], help="template files or folders")
    parser.add_argument("--runs", type=int, default=3, help="runs of each tool (default 3)")
    args = parser.parse_args(argv)
    files = template_files(args.paths)
    if not files:
        print("no template files found", file=sys.stderr)
        return 2
    iac_times: list[float] = []
    lint_times: list[float] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, IAC_CACHE_DIR=cache)  # a cold lint cache: every file is linted
            iac_times.append(timed([str(BIN / "iac"), "validate", *files], env))
        lint_times.append(timed([str(BIN / "cfn-lint"), *files], dict(os.environ)))
    ratios = [a / b for a, b in zip(iac_times, lint_times, strict=True)]
    count = len(files)
    print(f"{count} template files, {args.runs} runs each, whole process, seconds (median, min-max)")
    print(f"  iac validate  {spread(iac_times)}   per file ms {spread(iac_times, 1000 / count)}")
    print(f"  cfn-lint      {spread(lint_times)}   per file ms {spread(lint_times, 1000 / count)}")
    print(f"  ratio iac/cfn-lint (median of paired runs): {statistics.median(ratios):.2f}x")
    print(f"rerun: .venv/bin/python benchmarks/validate_files_speed.py --runs {args.runs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
