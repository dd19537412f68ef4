"""Assets through the real `iac synth`: a bad asset is one clear block (exit 2, the construct path and
app.py:line, no traceback), a FIFO never hangs the command, and an app that packs its own folder does
not pack its previous output (the asset is the same on every synth)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

APP = """\
from iac import App, Stack
from iac.constructs import awslambda
app = App()
stack = Stack(app, "Api")
awslambda.Function(stack, "Handler", handler="index.main", runtime="python3.13",
                   code=awslambda.Code.from_asset({path!r}))
"""


def _project(tmp_path: Path, *, asset: str = "src") -> Path:
    (tmp_path / "app.py").write_text(APP.format(path=asset))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "index.py").write_text("def main(event, context):\n    return 1\n")
    return tmp_path / "src"


def _assert_one_clear_block(stderr: str, *mentions: str) -> None:
    assert "Traceback" not in stderr and "bug in iac" not in stderr, stderr
    assert len(stderr.splitlines()) < 20, stderr
    for text in ("app.py:5", "Api/Handler/Code", *mentions):
        assert text in stderr, (text, stderr)


def test_synth_of_an_asset_linking_outside_exits_2_naming_the_link(
        tmp_path: Path, run_iac: Callable[..., object]) -> None:
    source = _project(tmp_path)
    (tmp_path / "secret.txt").write_text("password\n")
    (source / "creds").symlink_to(tmp_path / "secret.txt")
    result = run_iac("synth", "--no-lint")
    assert result.returncode == 2, result.stderr
    _assert_one_clear_block(result.stderr, "creds", "secret.txt")
    assert not (tmp_path / "iac.out").exists()


def test_synth_of_an_asset_holding_a_fifo_exits_2_promptly(tmp_path: Path, run_iac: Callable[..., object]) -> None:
    source = _project(tmp_path)
    os.mkfifo(source / "pipe")
    result = run_iac("synth", "--no-lint")  # run_iac is bounded by a timeout: a hang fails
    assert result.returncode == 2, result.stderr
    _assert_one_clear_block(result.stderr, "pipe", "FIFO")


def test_an_app_packing_its_own_folder_gets_the_same_asset_on_every_synth(
        tmp_path: Path, run_iac: Callable[..., object]) -> None:
    _project(tmp_path, asset=".")

    def synth_once() -> tuple[str, int]:
        result = run_iac("synth", "--no-lint")
        assert result.returncode == 0, result.stderr
        manifest = json.loads((tmp_path / "iac.out" / "manifest.json").read_text())
        (sha256, entry), = manifest["assets"].items()
        data = (tmp_path / "iac.out" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha256
        return sha256, len(data)

    first = synth_once()
    assert synth_once() == first
