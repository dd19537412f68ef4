"""Lint worker processes die with iac, and Ctrl-C during lint stops it promptly (issue 12, defect 4).

Each test runs the real `iac synth` in a subprocess over an app of several large stacks with
IAC_LINT_JOBS=2 and no lint cache, waits until the forked lint workers exist (found through /proc:
the processes whose parent is iac), then kills or interrupts iac mid-lint.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="finds the workers through /proc")

#: Four stacks of 240 resources: cfn-lint takes a few seconds on each, so a kill lands mid-lint.
SLOW_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    for number in range(4):
        stack = Stack(app, f"Stack{number}")
        for index in range(120):
            queue = CfnResource(stack, f"Queue{index}", type="AWS::SQS::Queue")
            CfnResource(stack, f"Policy{index}", type="AWS::SQS::QueuePolicy", properties={
                "Queues": [queue.ref],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage", "Resource": queue.get_att("Arn")}]},
            })
"""

#: How long the workers and the interrupted iac may take to go.
GONE_WITHIN = 5.0
INTERRUPT_WITHIN = 3.0


def parent_of(pid: int) -> int | None:
    """The parent pid of a live process; None for one that is gone or a zombie (it holds no files)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = stat.rpartition(")")[2].split()[:2]
    return None if state in ("Z", "X") else int(ppid)


def children_of(pid: int) -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and parent_of(int(entry)) == pid]


def wait_for_workers(process: subprocess.Popen[bytes], *, count: int = 2, seconds: float = 60.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        workers = children_of(process.pid)
        if len(workers) >= count:
            return workers
        time.sleep(0.02)
    raise AssertionError(f"no {count} lint workers appeared in {seconds:.0f}s")


def alive(pids: list[int]) -> list[int]:
    return [pid for pid in pids if parent_of(pid) is not None]


def wait_until_gone(pids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive(pids)


@pytest.fixture
def project(tmp_path: Path, write_app, run_iac, tree_digest) -> tuple[Path, dict[str, tuple[str, int]]]:
    """The slow app, synthesized once without lint: (its folder, the digest of that iac.out/)."""
    write_app(SLOW_APP)
    first = run_iac("synth", "--no-lint")
    assert first.returncode == 0, first.stderr
    return tmp_path, tree_digest(tmp_path / "iac.out")


def start_synth(folder: Path, *, new_session: bool = False) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "IAC_LINT_JOBS": "2"}
    return subprocess.Popen([sys.executable, "-m", "iac", "synth"], cwd=folder, env=environment,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=new_session)


def kill_all(pids: list[int]) -> None:
    for pid in alive(pids):
        os.kill(pid, signal.SIGKILL)


def test_workers_die_with_a_killed_iac_and_release_its_pipes(project) -> None:
    folder, _ = project
    process = start_synth(folder)
    workers = wait_for_workers(process)

    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    left = wait_until_gone(workers, GONE_WITHIN)
    try:
        assert left == [], f"lint workers {left} outlived the killed iac"
        # `iac synth | cat` ends: nothing holds the output pipes any more.
        process.communicate(timeout=GONE_WITHIN)
    finally:
        kill_all(workers)


@pytest.mark.parametrize("to_group", [False, True], ids=["kill -INT iac", "Ctrl-C (the whole group)"])
def test_ctrl_c_during_lint_exits_130_promptly_without_a_traceback(project, tree_digest, to_group) -> None:
    folder, before = project
    process = start_synth(folder, new_session=True)
    workers = wait_for_workers(process)

    started = time.monotonic()
    (os.killpg if to_group else os.kill)(process.pid, signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=INTERRUPT_WITHIN * 3)
        took = time.monotonic() - started
        left = wait_until_gone(workers, GONE_WITHIN)
    finally:
        kill_all(workers)

    text = stderr.decode()
    assert process.returncode == 130, text
    assert took < INTERRUPT_WITHIN, f"took {took:.1f}s to stop"
    assert text.strip() == "interrupted", text
    assert left == []
    assert tree_digest(folder / "iac.out") == before
    assert sorted(os.listdir(folder)) == ["app.py", "iac.out"]


def test_a_worker_whose_parent_died_before_it_started_exits() -> None:
    # The race PR_SET_PDEATHSIG alone leaves open: the parent dies between the fork and the prctl.
    script = textwrap.dedent("""
        import os
        from iac.synth.lint import _start_worker

        parent = os.getpid()
        if os.fork() == 0:
            while os.getppid() == parent:  # wait until the parent is gone
                pass
            _start_worker(parent)
            print("went on", flush=True)
        os._exit(0)
    """)
    # The orphan keeps stdout open: run() returns once it has exited too.
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
