"""An app that ends the process while it runs (sys.exit, Ctrl-C) is a failed synth: nothing is written.

Each test runs the real `iac synth` in a subprocess over an app file whose first version was
synthesized already, and checks the previous assembly is byte-for-byte what it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

FIRST_APP = """
    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
"""

#: The second version adds a stack, then stops the process halfway through building the tree.
EXITING_APP = """
    import sys

    from iac import App, CfnResource, Stack

    app = App()
    CfnResource(Stack(app, "Main"), "Queue", type="AWS::SQS::Queue")
    CfnResource(Stack(app, "Extra"), "Topic", type="AWS::SNS::Topic")
    {stop}
    CfnResource(Stack(app, "Late"), "Queue", type="AWS::SQS::Queue")
"""


@pytest.fixture
def synthesized(tmp_path, write_app, run_iac, tree_digest):
    """A project whose first synth is done: returns the digest of that iac.out/."""
    write_app(FIRST_APP)
    first = run_iac("synth", "--no-lint")
    assert first.returncode == 0, first.stderr
    return tree_digest(tmp_path / "iac.out")


@pytest.mark.parametrize("stop", ["sys.exit(0)", "sys.exit()", "raise SystemExit(4)", "sys.exit('done')"])
def test_an_app_that_exits_fails_the_synth_at_its_line_and_writes_nothing(
        tmp_path, write_app, run_iac, tree_digest, synthesized, stop):
    write_app(EXITING_APP.format(stop=stop))

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 2, result.stderr
    assert "exited (sys.exit(" in result.stderr and "nothing was written" in result.stderr
    assert "--> app.py:8" in result.stderr and stop in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(tmp_path / "iac.out") == synthesized
    assert sorted(os.listdir(tmp_path)) == ["app.py", "iac.out"]


def test_an_app_that_exits_after_calling_app_synth_writes_nothing(tmp_path, write_app, run_iac, tree_digest,
                                                                  synthesized):
    write_app(EXITING_APP.format(stop="app.synth(); sys.exit(0)"))

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 2, result.stderr
    assert tree_digest(tmp_path / "iac.out") == synthesized


def test_deploy_of_an_app_that_exits_stops_before_writing(tmp_path, write_app, run_iac, tree_digest, synthesized):
    write_app(EXITING_APP.format(stop="sys.exit(0)"))

    result = run_iac("deploy", "--no-lint", env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y",
                                                 "AWS_DEFAULT_REGION": "us-east-1",
                                                 "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})

    assert result.returncode == 2, result.stderr
    assert "exited (sys.exit(0))" in result.stderr
    assert tree_digest(tmp_path / "iac.out") == synthesized


def test_a_keyboard_interrupt_inside_the_app_exits_130_and_writes_nothing(tmp_path, write_app, run_iac,
                                                                          tree_digest, synthesized):
    write_app(EXITING_APP.format(stop="raise KeyboardInterrupt"))

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(tmp_path / "iac.out") == synthesized


def test_ctrl_c_while_the_app_runs_exits_130_promptly_and_writes_nothing(tmp_path, write_app, tree_digest,
                                                                         synthesized):
    ready = tmp_path / "ready"
    write_app(EXITING_APP.format(stop=f"open({str(ready)!r}, 'w').close(); __import__('time').sleep(60)"))
    child = subprocess.Popen([sys.executable, "-m", "iac", "synth", "--no-lint"], cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(ready, child)
        child.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, stderr = child.communicate(timeout=20)
        took = time.monotonic() - started
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    assert child.returncode == 130, stderr
    assert took < 5
    assert "Traceback" not in stderr
    ready.unlink()
    assert tree_digest(tmp_path / "iac.out") == synthesized


def _wait_for(path, child, *, seconds=30.0):
    deadline = time.monotonic() + seconds
    while not path.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the app never got going: {child.communicate()[1]}")
        time.sleep(0.02)


def test_the_message_names_the_app_and_the_exit_without_control_characters(tmp_path, write_app, run_iac):
    write_app(textwrap.dedent("""
        import sys
        from iac import App
        app = App()
        sys.exit("bad\\x1b]0;title\\x07")
    """))

    result = run_iac("synth", "--no-lint")

    assert result.returncode == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert not (tmp_path / "iac.out").exists()
