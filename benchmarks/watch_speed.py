"""How long `iac watch` takes from a save to its result, on the seed serverless app. Prints figures; not a test.

    .venv/bin/python benchmarks/watch_speed.py
    .venv/bin/python benchmarks/watch_speed.py --saves 11 --settle 5 --modes in-process,no-lint

A copy of samples/serverless_api/ in a temporary folder is watched by the real `iac watch` (a
subprocess, as a user runs it). Each save rewrites app.py with a new value of one environment
variable of the function (a changed template: synthesis, schema validation and cfn-lint of that
template, the write, and the diff of one modified resource); the time is taken from just before the
write to the moment the diff's summary line (`0 to add, 1 to change, ...`) is read from the watch's
stdout: save-to-result, including watchfiles noticing the change and its debounce step (50 ms of
quiet). Between saves the script waits `--settle` seconds (default 1), as a user reads the result.
The synth server got ready once, at start (iac imported, cfn-lint's rules built and warmed on the
last synth's templates), and every run is forked from it, so the pause does not matter; with
`--settle 0` saves come back to back.

Modes (`--modes`): `in-process` (IAC_LINT_WORKER=0: the forked run lints, with the rules the
server built), `lint-worker` (IAC_LINT_WORKER=1: synth's normal path sends the template to
the warm lint worker, when that is installed) and `no-lint` (`iac watch --no-lint`). Each prints the
median and min-max of the saves, and the synth's own time as `iac synth` reports it ("in 0.21s").
`uptime` is printed before and after: on a shared 2-core machine the load moves every figure.
Only the standard library is used besides iac.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "samples", "serverless_api")
SUMMARY = re.compile(r"^\d+ to add, \d+ to change, \d+ to replace, \d+ to remove")
SYNTH_TIME = re.compile(r"^Synthesized \d+ stacks? to .* in (\d+\.\d+)s$")
MODES = {
    "in-process": ({"IAC_LINT_WORKER": "0"}, []),
    "lint-worker": ({"IAC_LINT_WORKER": "1"}, []),
    "no-lint": ({"IAC_LINT_WORKER": "0"}, ["--no-lint"]),
}
TIMEOUT = 60.0


class Watch:
    """`iac watch` in `folder`; every stdout line kept with the monotonic time it was read."""

    def __init__(self, folder: str, env: dict[str, str], args: list[str]) -> None:
        environment = {**os.environ, **env}
        environment.pop("NO_COLOR", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "iac", "watch", *args],
            cwd=folder,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: list[tuple[float, str]] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self.lines.append((time.monotonic(), line.rstrip("\n")))

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line)

    def summaries(self) -> list[tuple[float, str]]:
        with self._lock:
            return [(at, line) for at, line in self.lines if SUMMARY.match(line)]

    def synth_seconds(self) -> list[float]:
        with self._lock:
            return [float(match.group(1)) for _, line in self.lines if (match := SYNTH_TIME.match(line))]

    def wait_for(self, count: int) -> float:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            found = self.summaries()
            if len(found) >= count:
                return found[count - 1][0]
            if self.process.poll() is not None:
                break
            time.sleep(0.002)
        raise SystemExit(f"no result from iac watch:\n{''.join(self.errors)}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=TIMEOUT)


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "load average: " + ", ".join(f"{load:.2f}" for load in os.getloadavg())


def measure(mode: str, saves: int, settle: float) -> tuple[list[float], list[float]]:
    env, args = MODES[mode]
    with tempfile.TemporaryDirectory(prefix="iac-watch-bench-") as folder:
        project = os.path.join(folder, "serverless_api")
        shutil.copytree(SEED, project, ignore=shutil.ignore_patterns("iac.out", "__pycache__"))
        app = os.path.join(project, "app.py")
        with open(app, encoding="utf-8") as handle:
            source = handle.read()
        marker = 'environment={"TABLE_NAME": table.table_name}'
        if marker not in source:
            raise SystemExit(f"the seed app changed: {marker!r} is not in {app}")
        watch = Watch(project, env, args)
        watch.wait_for(1)  # the first synth, at start: everything is new
        latencies: list[float] = []
        for save in range(saves):
            time.sleep(settle)
            changed = source.replace(marker, f'environment={{"TABLE_NAME": table.table_name, "SAVE": "{save}"}}')
            saved_at = time.monotonic()
            with open(app, "w", encoding="utf-8") as handle:
                handle.write(changed)
            latencies.append(watch.wait_for(save + 2) - saved_at)
        status = watch.stop()
        if status != 0:
            raise SystemExit(f"iac watch exited {status} on Ctrl-C:\n{''.join(watch.errors)}")
        return latencies, watch.synth_seconds()[1:]


def figure(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=7, help="saves measured per mode (default 7)")
    parser.add_argument(
        "--settle",
        type=float,
        default=1.0,
        help="seconds between a result and the next save (default 1), as a user reads the result",
    )
    parser.add_argument(
        "--modes", default="in-process,lint-worker,no-lint", help=f"comma-separated, of: {', '.join(MODES)}"
    )
    options = parser.parse_args()
    modes = [mode.strip() for mode in options.modes.split(",") if mode.strip()]
    unknown = [mode for mode in modes if mode not in MODES]
    if unknown:
        parser.error(f"unknown mode(s): {', '.join(unknown)}")
    print("iac watch: save-to-result on samples/serverless_api (a changed template each save)")
    print(f"uptime before: {uptime()}")
    for mode in modes:
        latencies, synth = measure(mode, options.saves, options.settle)
        print(f"  {mode:<12} save-to-result {figure(latencies)}")
        if synth:
            print(f"  {'':<12} synth's own   {figure(synth)}")
    print(f"uptime after:  {uptime()}")
    print("target (issue 21): save-to-result <= 0.5 s on an idle 2-core machine")
    print(
        f"rerun: .venv/bin/python benchmarks/watch_speed.py --saves {options.saves} --settle {options.settle:g} "
        f"--modes {','.join(modes)}"
    )


if __name__ == "__main__":
    main()
