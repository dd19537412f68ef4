"""How fast `iac synth` with full lint is when a template changed, with and without the warm lint worker,
beside cfn-lint's own CLI on the same template (issue 21, parts 1 and 4). Prints figures; not a test.

    .venv/bin/python benchmarks/lint_speed.py                     # the seed serverless app, 7 rounds
    .venv/bin/python benchmarks/lint_speed.py --app hello --runs 11 --no-samples

Whole process (a subprocess, start to exit, like a user at a terminal), interleaved round by round:

- `changed, worker`: `iac synth --app APP --out OUT --quiet` after an edit of the app that changes its
  template (a new value each run, so the lint cache misses), IAC_LINT_WORKER=1 with the worker running
  (started by `iac lint-worker start` before timing, so no run pays for its start).
- `changed, in process`: the same with IAC_LINT_WORKER=0 (cfn-lint imported and its rules built in the
  synth process, as every synth did before the worker).
- `unchanged, worker` / `unchanged, in process`: the same command again without an edit (lint cache hit).
- `cfn-lint CLI`: `cfn-lint TEMPLATE` on the template the last changed synth wrote: the peer.
- `no lint`: `iac synth --no-lint` (what a synth costs besides lint).
- Start-up floors, to read the rows above against: `python (nothing)` (`python -c pass`, the interpreter's own
  start), `import iac` (what an app's first line costs) and `iac --version` (the CLI's start: click, iac and
  the synth machinery imported, nothing run). An unchanged synth is `iac --version` plus running the app,
  synthesizing, the schema layer and checks, the lint cache lookup and the write.

Each row gives the median and min-max of the wall time and the median peak RSS of the synth process
(ru_maxrss from wait4), and the ratios are medians of the paired (same round) ratios. Then the worker's
own memory (resident now and its peak, VmHWM), and, per sample (part 4), the peak RSS of a cold synth
with lint in process, of a changed synth served by the worker, and of a synth without lint.

Runs use a private cache folder in a temporary directory (IAC_CACHE_DIR: the lint key and the worker's
socket; the user's own worker is not touched) and a bytecode cache there too (PYTHONPYCACHEPREFIX), as
a user's Python has one even where this machine sets PYTHONDONTWRITEBYTECODE. The load average
(`uptime`) is printed before and after: the targets (changed <= 0.8 s, unchanged <= 0.3 s) are for an
idle 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: The console script a user runs (the same interpreter as this one).
IAC = [os.path.join(os.path.dirname(sys.executable), "iac")]
CFN_LINT = os.path.join(os.path.dirname(sys.executable), "cfn-lint")
#: sample -> (text in its app.py, the same with {n} a number that makes each run's template new)
EDITS = {
    "serverless_api": ('"TABLE_NAME": table.table_name}', '"TABLE_NAME": table.table_name, "BENCH_RUN": "{n}"}'),
    "hello": ("visibility_timeout=60", "visibility_timeout={n}"),
}
TARGETS = {"changed, worker": 0.8, "unchanged, worker": 0.3, "unchanged, in process": 0.3, "no lint": 0.3}
PYTHON = [sys.executable]


def child_environment(work: str, *, worker: bool) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    environment.update(
        PYTHONPYCACHEPREFIX=os.path.join(work, "pycache"),
        IAC_CACHE_DIR=os.path.join(work, "cache"),
        IAC_LINT_WORKER="1" if worker else "0",
        PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH", "")) if p),
    )
    environment.pop("CI", None)
    return environment


def timed(
    command: list[str], environment: dict[str, str], *, cwd: str = ROOT, check: bool = True
) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one process run to its end."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    if check and process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{error.decode(errors='replace')}")
    return seconds, usage.ru_maxrss / 1024


class App:
    """A copy of a sample whose template each `change()` makes new."""

    def __init__(self, sample: str, work: str) -> None:
        self.folder = os.path.join(work, f"app-{sample}")
        shutil.copytree(
            os.path.join(ROOT, "samples", sample), self.folder, ignore=shutil.ignore_patterns("iac.out", "__pycache__")
        )
        self.path = os.path.join(self.folder, "app.py")
        with open(self.path, encoding="utf-8") as handle:
            self.source = handle.read()
        self.edit = EDITS.get(sample)
        self.runs = 0

    def change(self) -> None:
        if self.edit is None:
            raise SystemExit(f"no edit known for this sample (known: {', '.join(EDITS)})")
        written, template = self.edit
        if written not in self.source:
            raise SystemExit(f"{self.path} no longer holds {written!r}: update EDITS in {__file__}")
        self.runs += 1
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.write(self.source.replace(written, template.replace("{n}", str(100 + self.runs))))


def synth(app: App, out: str, *extra: str) -> list[str]:
    return [*IAC, "synth", "--app", app.path, "--out", out, "--quiet", *extra]


def describe(values: list[float]) -> str:
    return f"{statistics.median(values):6.3f} s ({min(values):.3f}-{max(values):.3f})"


def paired(a: list[float], b: list[float]) -> str:
    return f"{statistics.median(x / y for x, y in zip(a, b, strict=True)):.2f}x"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


def worker_memory(environment: dict[str, str]) -> str:
    result = subprocess.run([*IAC, "lint-worker", "status"], env=environment, capture_output=True, text=True)
    found = re.search(r"pid (\d+):", result.stdout)
    if not found:
        return "no worker answered"
    fields: dict[str, str] = {}
    try:
        with open(f"/proc/{found.group(1)}/status", encoding="ascii") as handle:
            fields = dict(line.split(":", 1) for line in handle if ":" in line)
    except OSError:
        pass
    now, peak = fields.get("VmRSS", "?").strip(), fields.get("VmHWM", "?").strip()
    return f"pid {found.group(1)}: resident {now}, peak {peak}"


def whole_process(app: App, work: str, runs: int) -> None:
    with_worker, without = child_environment(work, worker=True), child_environment(work, worker=False)
    out_worker, out_alone = os.path.join(work, "out-worker"), os.path.join(work, "out-alone")
    subprocess.run([*IAC, "lint-worker", "start"], env=with_worker, check=True, capture_output=True)
    for environment, out in ((with_worker, out_worker), (without, out_alone)):  # warm: bytecode, lint cache
        app.change()
        timed(synth(app, out), environment)
    rows: dict[str, list[tuple[float, float]]] = {
        name: []
        for name in (
            "changed, worker",
            "changed, in process",
            "unchanged, worker",
            "unchanged, in process",
            "cfn-lint CLI",
            "no lint",
            "python (nothing)",
            "import iac",
            "iac --version",
        )
    }
    template = _largest_template(out_alone)

    def pair(mode: str, out: str, environment: dict[str, str]) -> None:
        app.change()  # a template no run linted before, then the same again (a lint cache hit)
        rows[f"changed, {mode}"].append(timed(synth(app, out), environment))
        rows[f"unchanged, {mode}"].append(timed(synth(app, out), environment))

    groups = [
        lambda: pair("worker", out_worker, with_worker),
        lambda: pair("in process", out_alone, without),
        lambda: rows["cfn-lint CLI"].append(timed([CFN_LINT, "--", template], without, check=False)),
        lambda: rows["no lint"].append(timed(synth(app, os.path.join(work, "out-nolint"), "--no-lint"), without)),
        lambda: rows["python (nothing)"].append(timed([*PYTHON, "-c", "pass"], without)),
        lambda: rows["import iac"].append(timed([*PYTHON, "-c", "import iac"], without)),
        lambda: rows["iac --version"].append(timed([*IAC, "--version"], without)),
    ]
    for round_ in range(runs):  # each round in another order: no kind always follows the same other
        for group in groups[round_ % len(groups) :] + groups[: round_ % len(groups)]:
            group()
    peer = [seconds for seconds, _ in rows["cfn-lint CLI"]]
    alone = [seconds for seconds, _ in rows["changed, in process"]]
    print(f"\nwhole process, {runs} interleaved rounds; cfn-lint CLI on {os.path.basename(template)}")
    print(
        f"  {'':24} {'wall: median (min-max)':>27}  {'peak RSS':>9}  {'/ cfn-lint':>10}  {'/ in process':>12}  target"
    )
    for name, figures in rows.items():
        seconds = [s for s, _ in figures]
        memory = statistics.median(m for _, m in figures)
        vs_peer = paired(seconds, peer) if name != "cfn-lint CLI" else ""
        vs_alone = paired(seconds, alone) if name.startswith("changed") else ""
        target = TARGETS.get(name)
        verdict = f"<= {target} s: {'met' if statistics.median(seconds) <= target else 'NOT met'}" if target else ""
        print(f"  {name:<24} {describe(seconds):>27}  {memory:6.0f} MB  {vs_peer:>10}  {vs_alone:>12}  {verdict}")
    print(f"  the worker: {worker_memory(with_worker)}")
    subprocess.run([*IAC, "lint-worker", "stop"], env=with_worker, check=True, capture_output=True)


def _largest_template(out: str) -> str:
    templates = [os.path.join(out, name) for name in os.listdir(out) if name.endswith(".template.json")]
    return max(templates, key=os.path.getsize)


def samples_memory(work: str) -> None:
    """Per sample: peak RSS of a cold synth with lint in process, one served by the worker, one without lint."""
    with_worker, without = child_environment(work, worker=True), child_environment(work, worker=False)
    subprocess.run([*IAC, "lint-worker", "start"], env=with_worker, check=True, capture_output=True)
    print("\npeak RSS per sample (one run each; the worker's is separate, below)")
    print(f"  {'sample':<16} {'lint in process':>16} {'lint by worker':>15} {'no lint':>9}")
    for folder in sorted(os.listdir(os.path.join(ROOT, "samples"))):
        app_file = os.path.join(ROOT, "samples", folder, "app.py")
        if not os.path.isfile(app_file):
            continue
        out = os.path.join(work, f"mem-{folder}")
        figures = []
        for environment, extra, fresh in (
            (without, (), True),
            (with_worker, (), True),
            (without, ("--no-lint",), True),
        ):
            if fresh:
                shutil.rmtree(out, ignore_errors=True)
            command = [*IAC, "synth", "--app", app_file, "--out", out, "--quiet", *extra]
            seconds, memory = timed(command, environment, check=False)
            figures.append(f"{memory:.0f} MB")
        print(f"  {folder:<16} {figures[0]:>16} {figures[1]:>15} {figures[2]:>9}")
    print(f"  the worker: {worker_memory(with_worker)}")
    subprocess.run([*IAC, "lint-worker", "stop"], env=with_worker, check=True, capture_output=True)


def first_synth(app: App, work: str) -> None:
    """The first synth with the worker on and none running: it lints in process, then starts one."""
    environment = child_environment(work, worker=True)
    subprocess.run([*IAC, "lint-worker", "stop"], env=environment, capture_output=True)
    app.change()
    seconds, memory = timed(synth(app, os.path.join(work, "out-first")), environment)
    ended = time.monotonic()
    while (
        "pid "
        not in subprocess.run([*IAC, "lint-worker", "status"], env=environment, capture_output=True, text=True).stdout
    ):
        if time.monotonic() - ended > 60:
            print("  the worker did not start within 60 s")
            return
        time.sleep(0.2)
    print(
        f"\nfirst synth, no worker yet: {seconds:.3f} s, {memory:.0f} MB (lints in process, then starts the"
        f" worker, which answered {time.monotonic() - ended:.1f} s after that synth ended)"
    )
    subprocess.run([*IAC, "lint-worker", "stop"], env=environment, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--app",
        default="serverless_api",
        choices=sorted(EDITS),
        help="the sample to edit and synthesize (default: serverless_api, the seed's SAM app)",
    )
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds (default 7)")
    parser.add_argument("--no-samples", action="store_true", help="skip the per-sample memory table")
    options = parser.parse_args()
    print(f"lint_speed: samples/{options.app}; {load()}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="iac-lint-bench-", dir="/tmp" if os.path.isdir("/tmp") else None) as work:
        os.makedirs(os.path.join(work, "cache"), mode=0o700)
        app = App(options.app, work)
        try:
            whole_process(app, work, options.runs)
            first_synth(app, work)
            if not options.no_samples:
                samples_memory(work)
        finally:
            subprocess.run([*IAC, "lint-worker", "stop"], env=child_environment(work, worker=True), capture_output=True)
    print(
        f"\n{load()} (after); command: {os.path.relpath(sys.executable, ROOT)} benchmarks/lint_speed.py "
        + " ".join(sys.argv[1:])
    )


if __name__ == "__main__":
    main()
