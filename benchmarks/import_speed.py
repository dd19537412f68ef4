"""How cheap the generated L1 modules are to import (issue 13). Prints figures; not a test.

    .venv/bin/python benchmarks/import_speed.py              # 15 runs of each, interleaved
    .venv/bin/python benchmarks/import_speed.py --runs 31 --mypy

Every figure comes from a fresh process (a user at a terminal): the child times its own import with
`time.perf_counter` (in-process), and this script times the child from start to exit (whole process,
minus the interpreter's own start measured the same way). Children have bytecode caches, in a temporary
PYTHONPYCACHEPREFIX (a user's Python writes them; this keeps them out of the checkout and makes the peer
compile its own too), written by one untimed warm-up run of each statement. Statements:

- `import iac` (the floor every iac.cfn module stands on; iac/__init__ does not import iac.cfn, so
  generated code never makes it slower);
- `import iac.cfn.sqs` (3 types), `import iac.cfn.ec2` (124 types), each also timed alone after an
  untimed `import iac` (the module's own cost), and making every class of ec2 after its import
  (`[getattr(ec2, n) for n in ec2.__all__]`: classes are made on first access);
- the peers `import troposphere`, `import troposphere.sqs`, `import troposphere.ec2`, the modules also
  alone after `import troposphere`, when troposphere is installed (it is not a dependency:
  `.venv/bin/pip install troposphere`); skipped with a note otherwise.

They run interleaved (A B C ... A B C ...) and are reported as medians with min-max, and as ratios
iac/troposphere of the medians: with the package, and of the module alone. `--mypy` also times mypy on a small
user file that imports iac.cfn.ec2, with a cold and a warm cache (mypy is in the test extra).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: label -> (untimed setup, timed statement), each in a fresh process.
STATEMENTS = {
    "python (nothing)": ("", "pass"),
    "import iac": ("", "import iac"),
    "import iac.cfn.sqs": ("", "import iac.cfn.sqs"),
    "import iac.cfn.ec2": ("", "import iac.cfn.ec2"),
    "iac.cfn.sqs after iac": ("import iac", "import iac.cfn.sqs"),
    "iac.cfn.ec2 after iac": ("import iac", "import iac.cfn.ec2"),
    "ec2: every class made": ("import iac.cfn.ec2 as m", "[getattr(m, n) for n in m.__all__]"),
    "import troposphere": ("", "import troposphere"),
    "import troposphere.sqs": ("", "import troposphere.sqs"),
    "import troposphere.ec2": ("", "import troposphere.ec2"),
    "t.sqs after troposphere": ("import troposphere", "import troposphere.sqs"),
    "t.ec2 after troposphere": ("import troposphere", "import troposphere.ec2"),
}
PEERS = {label for label in STATEMENTS if "troposphere" in label}
CHILD = "import time\n{setup}\nstart = time.perf_counter()\n{statement}\nprint(time.perf_counter() - start)\n"


def child_environment(cache: str) -> dict[str, str]:
    """The children's environment: bytecode caches on, in `cache` (PYTHONPYCACHEPREFIX), as a user's Python
    has them even where this machine sets PYTHONDONTWRITEBYTECODE, and without writing into the checkout."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = cache
    return environment


ENVIRONMENT: dict[str, str] = dict(os.environ)


def run_once(setup: str, statement: str) -> tuple[float, float]:
    """(whole process, in-process) seconds of one fresh interpreter running `setup` then, timed, `statement`."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CHILD.format(setup=setup, statement=statement)], cwd=ROOT,
                            env=ENVIRONMENT, capture_output=True, text=True, check=True)
    whole = time.perf_counter() - started
    return whole, float(result.stdout.strip().splitlines()[-1])


def describe(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms  ({min(values) * 1000:.1f}-{max(values) * 1000:.1f})"


def measure_mypy() -> None:
    if importlib.util.find_spec("mypy") is None:
        print("\nmypy: not installed (it is in the test extra), skipped")
        return
    source = ("from iac import App, Stack\nfrom iac.cfn import ec2\n\napp = App()\nstack = Stack(app, 'Main')\n"
              "vpc = ec2.VPC(stack, 'Vpc', cidr_block='10.0.0.0/16')\n"
              "ec2.Subnet(stack, 'Subnet', vpc_id=vpc.ref, cidr_block='10.0.0.0/24')\n")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "app.py")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(source)
        environment = {**os.environ, "MYPYPATH": ROOT}
        command = [sys.executable, "-m", "mypy", "--follow-imports=silent", "--cache-dir",
                   os.path.join(folder, "cache"), path]
        figures = []
        for label in ("cold cache", "warm cache"):
            started = time.perf_counter()
            result = subprocess.run(command, cwd=folder, env=environment, capture_output=True, text=True)
            figures.append(f"{label} {time.perf_counter() - started:.2f} s ({result.stdout.strip().splitlines()[-1]})")
        print("\nmypy on a user file importing iac.cfn.ec2: " + "; ".join(figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per statement (default 15)")
    parser.add_argument("--mypy", action="store_true", help="also time mypy on a user file importing iac.cfn.ec2")
    options = parser.parse_args()
    peer = importlib.util.find_spec("troposphere") is not None
    cache = tempfile.mkdtemp(prefix="iac-import-speed-")
    ENVIRONMENT.clear()
    ENVIRONMENT.update(child_environment(cache))
    labels = [label for label in STATEMENTS if peer or label not in PEERS]
    for label in labels:  # bytecode caches written, files in the page cache
        run_once(*STATEMENTS[label])
    whole: dict[str, list[float]] = {label: [] for label in labels}
    inside: dict[str, list[float]] = {label: [] for label in labels}
    for _ in range(options.runs):
        for label in labels:
            total, imported = run_once(*STATEMENTS[label])
            whole[label].append(total)
            inside[label].append(imported)
    floor = statistics.median(whole["python (nothing)"])
    print(f"Python {sys.version.split()[0]}, {options.runs} fresh processes each, interleaved; median (min-max)")
    print(f"{'':28} {'in-process (timed part)':>30}   {'whole process - interpreter':>30}")
    for label in labels[1:]:
        minus = [value - floor for value in whole[label]]
        print(f"{label:28} {describe(inside[label]):>30}   {describe(minus):>30}")
    if not peer:
        print("\ntroposphere is not installed: no ratios (.venv/bin/pip install troposphere)")
    else:
        median = {label: statistics.median(values) for label, values in inside.items()}
        print("\nratios iac/troposphere (in-process import, medians):")
        for service in ("sqs", "ec2"):
            ours, theirs = median[f"import iac.cfn.{service}"], median[f"import troposphere.{service}"]
            own, peer_own = median[f"iac.cfn.{service} after iac"], median[f"t.{service} after troposphere"]
            print(f"  {service}: with the package {ours / theirs:.2f}x; the module alone {own * 1000:.1f} ms vs "
                  f"{peer_own * 1000:.1f} ms = {own / peer_own:.2f}x")
    if options.mypy:
        measure_mypy()
    shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
