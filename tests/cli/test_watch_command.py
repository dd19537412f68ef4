"""`iac watch` (iac/cli/watch_command.py): a synth per save in a fresh process, the diff of what the save
changed, errors shown and the watch going on, the output folder and caches never watched, Ctrl-C exit 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from watchfiles import Change

from iac.cli.main import cli, synth
from iac.cli.watch_command import SHARED_OPTIONS, ProjectFilter, _synth_args, describe_changes

WAIT_SECONDS = 60

APP = """
from iac import App, Stack
from iac.cfn import sqs

from names import QUEUES

app = App()
stack = Stack(app, "Main")
for name, delay in QUEUES.items():
    sqs.Queue(stack, name, delay_seconds=delay)
"""


def write_project(folder: Path, queues: dict[str, int], *, app: str = APP) -> None:
    (folder / "app.py").write_text(app)
    (folder / "names.py").write_text(f"QUEUES = {queues!r}\n")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["IAC_LINT_WORKER"] = "0"  # no lint daemon outliving the test: lint in the synth process
    return env


def run_once(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "iac", "watch", "--once", *args],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=WAIT_SECONDS,
    )


# -- the parts ----------------------------------------------------------------------------------------------


def test_watch_takes_synths_options_but_print():
    watch = cli.commands["watch"]
    names = {param.name for param in watch.params}
    assert names == {*SHARED_OPTIONS, "once", "debug"}
    shared = [param for param in synth.params if param.name in SHARED_OPTIONS]
    assert all(any(param is other for other in watch.params) for param in shared)  # the same objects


def test_the_synth_command_line_is_rebuilt_from_the_values():
    shared = [param for param in synth.params if param.name in SHARED_OPTIONS]
    values = {
        "stacks": ("Main", "Other"),
        "app_spec": "app.py",
        "outdir": "out",
        "format_": "yaml",
        "quiet": True,
        "no_lint": False,
        "strict": True,
        "verbose": False,
    }
    args = _synth_args(shared, values)
    assert args == ["Main", "Other", "--app", "app.py", "--out", "out", "--format", "yaml", "--quiet", "--strict"]
    parsed = synth.make_context("synth", list(args)).params
    assert {name: parsed[name] for name in values} == values


def test_the_filter_leaves_out_the_output_folder_its_staging_and_caches(tmp_path):
    keep = ProjectFilter([str(tmp_path / "build" / "out"), "iac.out"])
    cwd = Path.cwd()
    ignored = [
        tmp_path / "build" / "out" / "manifest.json",
        tmp_path / "build" / ".out.123-host-ab12" / "x.json",
        cwd / "iac.out" / "Main.template.json",
        cwd / ".iac.out.9-h-ff" / "manifest.json",
        tmp_path / ".venv" / "lib" / "x.py",
        tmp_path / "__pycache__" / "app.cpython-311.pyc",
        tmp_path / ".git" / "index",
        tmp_path / "app.py.swp",
    ]
    watched = [
        tmp_path / "app.py",
        tmp_path / "src" / "index.js",
        tmp_path / "build" / "outline.txt",
        tmp_path / "build" / "out.py",
    ]
    assert [path for path in ignored if keep(Change.modified, str(path))] == []
    assert [path for path in watched if keep(Change.modified, str(path))] == watched


def test_a_change_names_the_files_that_are_there(tmp_path):
    (tmp_path / "app.py").write_text("")
    (tmp_path / "names.py").write_text("")
    app, names, gone = str(tmp_path / "app.py"), str(tmp_path / "names.py"), str(tmp_path / "sedAb12")
    assert describe_changes({(Change.modified, app), (Change.deleted, gone)}).endswith("app.py changed")
    assert describe_changes({(Change.modified, app), (Change.added, names)}).endswith("app.py and 1 other file changed")
    assert describe_changes({(Change.deleted, gone)}).endswith("sedAb12 changed")
    assert describe_changes({(Change.modified, "a\x1b]0;t\x07")}) == "a\\x1b]0;t\\x07 changed"


# -- one run (--once) ---------------------------------------------------------------------------------------


def test_a_run_synthesizes_and_prints_what_changed_since_the_last_synth(tmp_path):
    write_project(tmp_path, {"First": 1})
    first = run_once(tmp_path, "--no-lint")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Synthesized 1 stack to iac.out/")
    assert "[+] AWS::SQS::Queue First" in first.stdout and "1 to add, 0 to change" in first.stdout

    write_project(tmp_path, {"First": 2, "Second": 0})
    second = run_once(tmp_path, "--no-lint")
    assert second.returncode == 0, second.stderr
    assert "[+] AWS::SQS::Queue Second" in second.stdout
    assert "[~] AWS::SQS::Queue First" in second.stdout and "DelaySeconds: 1 → 2" in second.stdout
    assert "1 to add, 1 to change, 0 to replace, 0 to remove" in second.stdout
    manifest = json.loads((tmp_path / "iac.out" / "manifest.json").read_text())
    assert list(manifest["stacks"]) == ["Main"]

    again = run_once(tmp_path, "--no-lint")
    assert again.stdout.endswith("no changes to the templates\n")


def test_a_failing_run_shows_the_error_as_synth_does_and_keeps_the_assembly(tmp_path):
    write_project(tmp_path, {"First": 1})
    assert run_once(tmp_path, "--no-lint").returncode == 0
    before = (tmp_path / "iac.out" / "Main.template.json").read_text()
    (tmp_path / "names.py").write_text("QUEUES = {'First': 1\n")
    broken = run_once(tmp_path, "--no-lint")
    assert broken.returncode == 2
    assert "is not valid Python" in broken.stderr and "names.py:1" in broken.stderr
    assert "Traceback" not in broken.stderr
    assert (tmp_path / "iac.out" / "Main.template.json").read_text() == before


def test_stack_patterns_limit_the_diff(tmp_path):
    two_stacks = APP + 'sqs.Queue(Stack(app, "Other"), "Extra")\n'
    write_project(tmp_path, {"First": 1}, app=two_stacks)
    result = run_once(tmp_path, "--no-lint", "Other")
    assert result.returncode == 0, result.stderr
    assert "Stack Other" in result.stdout and "Stack Main" not in result.stdout
    assert "1 to add" in result.stdout


def test_a_run_lints_as_synth_does(tmp_path):
    write_project(tmp_path, {"First": 1})
    (tmp_path / "names.py").write_text("QUEUES = {'First': 1}\n")
    result = run_once(tmp_path, "--strict")
    assert result.returncode == 0, result.stderr
    (tmp_path / "app.py").write_text(APP.replace("delay_seconds=delay", "delay_seconds=delay * 1000"))
    failed = run_once(tmp_path)
    assert failed.returncode == 1
    assert "DelaySeconds" in failed.stderr  # the schema layer and cfn-lint: at most 900


# -- the real loop ------------------------------------------------------------------------------------------


class Watch:
    """`iac watch` running in `folder`, its stdout and stderr gathered as they come."""

    def __init__(self, folder: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "iac", "watch", *args],
            cwd=folder,
            env=environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(stream, into), daemon=True)
            for stream, into in ((self.process.stdout, self.out), (self.process.stderr, self.err))
        ]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(stream: object, into: list[str]) -> None:
        for line in stream:  # type: ignore[attr-defined]
            into.append(line)

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)

    def wait_for(self, check: Callable[[], bool], what: str, *, then: Callable[[], None] | None = None) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not check():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no {what}:\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}")
            time.sleep(0.05)

    def runs(self) -> int:
        return self.stderr.count(" changed\n")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        status = self.process.wait(timeout=WAIT_SECONDS)
        for reader in self._readers:
            reader.join(timeout=WAIT_SECONDS)
        return status


def save_until_it_runs(watch: Watch, save: Callable[[], None]) -> None:
    """Save, and save again if the watcher had not started yet when the first save happened."""
    runs = watch.runs()
    for _ in range(3):
        save()
        deadline = time.monotonic() + 10
        while watch.runs() == runs and time.monotonic() < deadline and watch.process.poll() is None:
            time.sleep(0.05)
        if watch.runs() > runs:
            return
    raise AssertionError(f"no run after saving:\n{watch.stderr}")


@pytest.fixture
def watching(tmp_path):
    started: list[Watch] = []

    def start(*args: str) -> Watch:
        started.append(Watch(tmp_path, *args))
        return started[-1]

    yield start
    for watch in started:
        if watch.process.poll() is None:
            watch.process.kill()
            watch.process.wait()


def test_watch_reruns_on_each_save_survives_errors_and_stops_cleanly_on_ctrl_c(tmp_path, watching):
    write_project(tmp_path, {"First": 1})
    watch = watching()
    watch.wait_for(lambda: "for changes (Ctrl-C to stop)" in watch.stderr, "watching line")
    assert "1 to add" in watch.stdout  # the first synth, at start

    # a module the app imports changes: the app is imported afresh, the diff says what the save did
    save_until_it_runs(watch, lambda: write_project(tmp_path, {"First": 1, "Second": 5}))
    watch.wait_for(
        lambda: watch.stdout.count("Synthesized") == 2 and watch.stdout.endswith("to remove\n"),
        "diff of the second save",
    )
    second = watch.stdout[watch.stdout.rindex("Synthesized") :]
    assert "[+] AWS::SQS::Queue Second" in second and "1 to add, 0 to change" in second
    assert "First" not in second  # unchanged: not shown

    # a syntax error: shown as synth shows it, and the watch goes on
    save_until_it_runs(watch, lambda: (tmp_path / "names.py").write_text("QUEUES = {\n"))
    watch.wait_for(lambda: "is not valid Python" in watch.stderr, "syntax error")
    # an app that raises: the same
    save_until_it_runs(watch, lambda: (tmp_path / "names.py").write_text("raise RuntimeError('no queues today')\n"))
    watch.wait_for(lambda: "no queues today" in watch.stderr, "the app's exception")
    assert "Traceback (most recent call last)" not in watch.stderr

    # fixed: the diff is against the last assembly written (the second save's)
    save_until_it_runs(watch, lambda: write_project(tmp_path, {"First": 1, "Second": 6}))
    watch.wait_for(
        lambda: watch.stdout.count("Synthesized") == 3 and watch.stdout.endswith("to remove\n"), "diff after the fix"
    )
    third = watch.stdout[watch.stdout.rindex("Synthesized") :]
    assert "[~] AWS::SQS::Queue Second" in third and "DelaySeconds: 5 → 6" in third
    assert "0 to add, 1 to change, 0 to replace, 0 to remove" in third

    # what a run writes, and caches, start no run
    runs = watch.runs()
    (tmp_path / "__pycache__").mkdir(exist_ok=True)
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "x.py").write_text("")
    (tmp_path / "iac.out" / "stray.txt").write_text("")
    time.sleep(1.5)
    assert watch.runs() == runs

    assert watch.stop() == 0
    assert watch.stderr.rstrip().endswith("stopped watching")
    assert "Traceback (most recent call last)" not in watch.stderr and "interrupted" not in watch.stderr
    manifest = json.loads((tmp_path / "iac.out" / "manifest.json").read_text())
    assert list(manifest["stacks"]) == ["Main"]
    template = json.loads((tmp_path / "iac.out" / "Main.template.json").read_text())
    assert template["Resources"]["Second"]["Properties"]["DelaySeconds"] == 6


def test_ctrl_c_during_a_run_leaves_the_assembly_whole(tmp_path, watching):
    started = tmp_path.parent / f"{tmp_path.name}-started"  # outside the project: not a change
    slow = APP + f"import time\nopen({str(started)!r}, 'w').close()\ntime.sleep(30)\n"
    write_project(tmp_path, {"First": 1})
    assert run_once(tmp_path, "--no-lint").returncode == 0
    before = (tmp_path / "iac.out" / "Main.template.json").read_text()
    (tmp_path / "app.py").write_text(slow)
    watch = watching("--no-lint")
    watch.wait_for(started.exists, "the run started")
    assert watch.stop() == 0
    assert "Traceback (most recent call last)" not in watch.stderr
    assert (tmp_path / "iac.out" / "Main.template.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".iac.out")) == []


def test_a_save_right_after_the_first_result_is_not_missed(tmp_path, watching):
    """The watcher starts beside the first synth, not after it."""
    write_project(tmp_path, {"First": 1})
    watch = watching("--no-lint")
    watch.wait_for(lambda: watch.stdout.endswith("to remove\n"), "the first synth")
    write_project(tmp_path, {"First": 1, "Early": 0})  # once, no retry
    watch.wait_for(lambda: "[+] AWS::SQS::Queue Early" in watch.stdout, "the run of the early save")
    assert watch.stop() == 0


def test_debug_reaches_the_runs(tmp_path):
    write_project(tmp_path, {"First": 1})
    (tmp_path / "names.py").write_text("raise RuntimeError('no queues today')\n")
    plain = run_once(tmp_path, "--no-lint")
    debug = run_once(tmp_path, "--no-lint", "--debug")
    assert plain.returncode == debug.returncode == 2
    assert "Traceback (most recent call last)" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr and "no queues today" in debug.stderr
