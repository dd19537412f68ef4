"""A SIGKILL at any moment of writing leaves `iac.out/` either the old assembly or the new one, whole,
and the next write sweeps what the killed writer left behind, and only that.

The kill points are enumerated, not guessed: a forked child (a real process doing the real system
calls) writes the new assembly with `kill_points` armed to SIGKILL itself before its Nth filesystem
step, for N = 0, 1, 2, ... until a run gets through; after each kill the parent checks the folder,
then writes again and checks the leftovers are gone. The same runs through the real `iac synth` in
a subprocess at the steps that matter most.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import kill_points
import pytest

from iac import App, CfnResource, Stack
from iac.synth import assembly_dir, synthesize

TESTS = Path(__file__).resolve().parents[1]
QUEUE = "AWS::SQS::Queue"


def assembly_with(*names: str, extra: str = ""):
    app = App(path_metadata=False)
    for name in names:
        CfnResource(Stack(app, name), "Queue", type=QUEUE,
                    properties={"QueueName": f"{name}-{extra}"} if extra else {})
    return synthesize(app)


OLD = ("Network", "Service")
NEW = ("Network", "Service", "Worker")


@pytest.fixture
def references(tmp_path, tree_digest):
    """The digests of the old and the new assembly, each written alone."""
    old, new = tmp_path / "ref" / "old", tmp_path / "ref" / "new"
    assembly_with(*OLD).write(old)
    assembly_with(*NEW, extra="v2").write(new)
    return tree_digest(old), tree_digest(new)


def without_exchange(monkeypatch):
    """Behave like a platform (or filesystem) that cannot exchange two paths."""
    monkeypatch.setattr(assembly_dir, "exchange_function", lambda: None)


def write_killed_at(step: int, out: Path) -> int:
    """Fork a child that writes the new assembly to `out`, killed before filesystem step `step`;
    its exit code (-9 when killed, 0 when it got through)."""
    new = assembly_with(*NEW, extra="v2")
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            kill_points.install(kill_at=step)
            new.write(out)
        except BaseException:
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def leftovers(folder: Path, out: Path) -> set[str]:
    """Names beside `out` other than it and the live folder iac's flip symlink points to."""
    live = assembly_dir.flip_target(str(out))
    return set(os.listdir(folder)) - {out.name} - ({os.path.basename(live)} if live else set())


def reset(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()


@pytest.mark.parametrize("mode", ["exchange", "flip", "convert"])
def test_a_kill_at_any_step_leaves_the_old_or_the_new_assembly_whole_and_the_next_write_sweeps(
        tmp_path, tree_digest, references, monkeypatch, mode):
    """exchange: renameat2 where it works. flip: no exchange, iac.out a symlink renamed over. convert: no
    exchange and iac.out a real folder (the first write there turns it into the symlink layout)."""
    old_digest, new_digest = references
    project = tmp_path / "project"
    out = project / "iac.out"
    outcomes = []
    for step in itertools.count():
        reset(project)
        if mode == "flip":
            without_exchange(monkeypatch)
        assembly_with(*OLD).write(out)
        if mode == "convert":
            without_exchange(monkeypatch)

        code = write_killed_at(step, out)

        if code == 0:
            break
        assert code == -signal.SIGKILL, f"step {step}: the child failed instead of being killed"
        if os.path.lexists(out):
            state = tree_digest(out)
            assert state in (old_digest, new_digest), f"step {step}: iac.out is neither assembly"
            outcome = "new" if state == new_digest else "old"
        else:  # only between the two renames of the one-time conversion
            assert mode == "convert", f"step {step}: iac.out is missing"
            (retired,) = [name for name in os.listdir(project) if name.endswith(".old")]
            assert tree_digest(project / retired) == old_digest
            outcome = "missing, old kept aside"
        outcomes.append((step, outcome, sorted(leftovers(project, out))))

        assembly_with(*NEW, extra="v2").write(out)  # the next synth

        assert tree_digest(out) == new_digest, f"step {step}"
        assert leftovers(project, out) == set(), f"step {step}: not swept: {leftovers(project, out)}"
        monkeypatch.undo()

    assert len(outcomes) >= 12, outcomes
    assert {"old", "new"} <= {outcome for _, outcome, _ in outcomes}, outcomes
    assert any(left for _, _, left in outcomes), "no kill left anything to sweep"
    if mode == "convert":
        assert sum(outcome.startswith("missing") for _, outcome, _ in outcomes) == 1, outcomes
    else:
        assert not any(outcome.startswith("missing") for _, outcome, _ in outcomes)


def test_exchange_keeps_iac_out_a_real_folder(tmp_path):
    out = tmp_path / "iac.out"
    assembly_with(*OLD).write(out)

    assembly_with(*NEW).write(out)

    assert out.is_dir() and not out.is_symlink()
    assert os.listdir(tmp_path) == ["iac.out"]


def test_without_exchange_iac_out_is_a_symlink_to_a_sibling_and_readers_see_the_assembly(tmp_path, monkeypatch):
    without_exchange(monkeypatch)
    out = tmp_path / "iac.out"

    assembly_with(*OLD).write(out)
    assembly_with(*NEW).write(out)

    assert out.is_symlink()
    assert sorted(os.listdir(out)) == ["Network.template.json", "Service.template.json", "Worker.template.json",
                                       "manifest.json"]
    assert len(os.listdir(tmp_path)) == 2  # iac.out and the one live folder it points to


def test_with_exchange_back_an_iac_symlink_becomes_a_real_folder_again(tmp_path, monkeypatch):
    out = tmp_path / "iac.out"
    with monkeypatch.context() as patch:
        without_exchange(patch)
        assembly_with(*OLD).write(out)
    assert out.is_symlink()

    assembly_with(*NEW).write(out)

    assert out.is_dir() and not out.is_symlink()
    assert os.listdir(tmp_path) == ["iac.out"]


# -- what a sweep touches ----------------------------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def sibling(folder: Path, *, pid: int, suffix: str = "", host: str | None = None, token: str = "0" * 16) -> Path:
    return folder / f".iac.out.{pid}-{host or assembly_dir.host_tag()}-{token}{suffix}"


def staging_with_marker(path: Path, token: str = "0" * 16) -> Path:
    path.mkdir()
    (path / f".iac-staging-{token}").touch()
    (path / "Half.template.json").write_text('{"Resou')
    return path


def test_a_dead_writers_staging_folder_is_swept(tmp_path):
    stale = staging_with_marker(sibling(tmp_path, pid=dead_pid()))
    empty = sibling(tmp_path, pid=dead_pid(), token="1" * 16)
    empty.mkdir()

    assembly_with(*OLD).write(tmp_path / "iac.out")

    assert not stale.exists() and not empty.exists()


def test_a_live_writers_staging_folder_is_left_alone(tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        live = staging_with_marker(sibling(tmp_path, pid=writer.pid))

        assembly_with(*OLD).write(tmp_path / "iac.out")

        assert (live / "Half.template.json").exists()
    finally:
        writer.kill()
        writer.wait()


def test_a_folder_that_only_looks_like_staging_is_never_swept(tmp_path, tree_digest):
    """The name pattern is not enough: without iac's marker (or an iac manifest) it is the user's."""
    lookalike = sibling(tmp_path, pid=dead_pid())
    lookalike.mkdir()
    (lookalike / "thesis.tex").write_text("years of work")
    wrong_token = staging_with_marker(sibling(tmp_path, pid=dead_pid(), token="2" * 16), token="3" * 16)
    before = tree_digest(lookalike), tree_digest(wrong_token)

    assembly_with(*OLD).write(tmp_path / "iac.out")

    assert (tree_digest(lookalike), tree_digest(wrong_token)) == before


def test_a_dead_writers_link_is_unlinked_without_following_it(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data").write_text("x")
    link = sibling(tmp_path, pid=dead_pid(), suffix=".link")
    link.symlink_to(precious)

    assembly_with(*OLD).write(tmp_path / "iac.out")

    assert not os.path.lexists(link)
    assert (precious / "data").read_text() == "x"


def test_a_retired_folder_is_put_back_when_the_swap_was_cut_between_its_renames(tmp_path, tree_digest):
    out = tmp_path / "iac.out"
    assembly_with(*OLD).write(out)
    before = tree_digest(out)
    out.rename(sibling(tmp_path, pid=dead_pid(), suffix=".old"))

    assembly_dir.sweep_stale(str(tmp_path), "iac.out")

    assert tree_digest(out) == before
    assert os.listdir(tmp_path) == ["iac.out"]


def test_another_hosts_leftovers_wait_a_day(tmp_path):
    """Its pid means nothing here (another machine or container sharing the folder)."""
    young = staging_with_marker(sibling(tmp_path, pid=os.getpid(), host="deadbeef"))
    old = staging_with_marker(sibling(tmp_path, pid=os.getpid(), host="deadbeef", token="4" * 16), token="4" * 16)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))

    assembly_with(*OLD).write(tmp_path / "iac.out")

    assert young.exists() and not old.exists()


def test_siblings_of_another_output_name_are_not_touched(tmp_path):
    other = tmp_path / f".build.{dead_pid()}-{assembly_dir.host_tag()}-{'5' * 16}"
    staging_with_marker(other, token="5" * 16)

    assembly_with(*OLD).write(tmp_path / "iac.out")

    assert other.exists()


# -- the real CLI ------------------------------------------------------------------------------------

APP = """
    from iac import App, CfnResource, Stack

    app = App()
    for name in {names!r}:
        CfnResource(Stack(app, name), "Queue", type="AWS::SQS::Queue")
"""


def run_synth(project: Path, *, kill_at: int | None = None, log: Path | None = None) -> subprocess.CompletedProcess:
    arguments = f"kill_at={-1 if kill_at is None else kill_at}, log={str(log) if log else None!r}"
    code = f"import kill_points; kill_points.install({arguments}); kill_points.run_cli()"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", code, "synth", "--no-lint", "--quiet"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=60)


def test_iac_synth_killed_at_the_steps_that_matter_leaves_a_whole_assembly_and_the_next_synth_sweeps(
        tmp_path, tree_digest):
    project = tmp_path / "project"
    project.mkdir()
    app = project / "app.py"
    app.write_text(textwrap.dedent(APP.format(names=list(OLD))))
    assert run_synth(project).returncode == 0
    old = tree_digest(project / "iac.out")
    app.write_text(textwrap.dedent(APP.format(names=list(NEW))))
    log = tmp_path / "steps.log"
    assert run_synth(project, log=log).returncode == 0  # a dry run lists the steps
    new = tree_digest(project / "iac.out")
    steps = [line.split(" ", 1) for line in log.read_text().splitlines()]
    names = [name for _, name in steps]
    exchange = names.index("exchange")
    chosen = {
        "staging made": names.index("os.open"),
        "a template half written": next(i for i, n in enumerate(names) if n.startswith("half-written")),
        "just before the exchange": exchange,
        "just after the exchange": exchange + 1,
    }
    for what, step in chosen.items():
        app.write_text(textwrap.dedent(APP.format(names=list(OLD))))
        assert run_synth(project).returncode == 0
        app.write_text(textwrap.dedent(APP.format(names=list(NEW))))

        killed = run_synth(project, kill_at=step)

        assert killed.returncode == -signal.SIGKILL, (what, killed.stderr)
        assert tree_digest(project / "iac.out") in (old, new), what
        assert run_synth(project).returncode == 0  # the next synth
        assert tree_digest(project / "iac.out") == new, what
        assert sorted(os.listdir(project)) == ["app.py", "iac.out"], what


def test_iac_synth_sweeps_a_killed_writers_leftovers_before_the_app_runs(tmp_path):
    """So that an asset of the project folder never packs a half-written staging folder."""
    stale = staging_with_marker(sibling(tmp_path, pid=dead_pid()))
    (tmp_path / "app.py").write_text(textwrap.dedent(APP.format(names=["Main"])) +
                                     f"assert not __import__('os').path.exists({str(stale)!r}), 'still there'\n")

    result = run_synth(tmp_path)

    assert result.returncode == 0, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["app.py", "iac.out"]
