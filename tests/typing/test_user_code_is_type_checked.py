"""A user's misspelt prop is caught twice: by their type checker before running anything (the
signatures are real and iac ships py.typed), and by `iac synth` at their line with a suggestion."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent

APP = textwrap.dedent('''\
    from iac import App, Stack
    from iac.constructs import awslambda, s3

    app = App()
    stack = Stack(app, "Typo")
    s3.Bucket(stack, "Files", versioned=True)
    awslambda.Function(stack, "Handler", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                       code=awslambda.Code.from_inline("exports.handler = async () => 1;"), {prop}=3)
    app.synth()
''')


@pytest.fixture
def user_app(tmp_path: Path):
    def write(prop: str) -> Path:
        path = tmp_path / "app.py"
        path.write_text(APP.format(prop=prop), encoding="utf-8")
        return path
    return write


def _mypy(path: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    # A user's mypy run: their file only, default strictness, iac found as an installed, typed package.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), "--no-error-summary", str(path)],
        capture_output=True, text=True, cwd=path.parent, timeout=300,
    )


def test_mypy_flags_a_misspelt_prop_of_a_construct(user_app, tmp_path):
    result = _mypy(user_app("timout"), tmp_path / "mypy-cache")
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Unexpected keyword argument "timout" for "Function"' in result.stdout


def test_mypy_accepts_the_same_file_spelt_right(user_app, tmp_path):
    result = _mypy(user_app("timeout"), tmp_path / "mypy-cache")
    assert result.returncode == 0, result.stdout + result.stderr


def test_synth_names_the_misspelt_prop_at_the_users_line(user_app, tmp_path):
    app = user_app("timout")
    result = subprocess.run(
        [str(BIN / "iac"), "synth", "--app", str(app), "--out", str(tmp_path / "out"), "--no-lint"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "did you mean timeout" in result.stderr.replace("'", "").replace("`", "")
    assert "app.py:7" in result.stderr
    assert "Traceback" not in result.stderr
