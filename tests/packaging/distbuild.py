"""Building iac's wheel and sdist offline, outside the checkout, and the files git tracks.

`python -m build --no-isolation` (the venv's setuptools, as `make dist` builds) writes iac_cfn.egg-info
next to pyproject.toml, so the build runs in a copy of the source tree in a temporary folder: the
checkout is left as it was.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import attrs
import pytest

REPO = Path(__file__).resolve().parents[2]
#: what the build leaves next to the sources; never copied into the build tree when git cannot list the files
NOT_SOURCES = (".git", ".venv", "build", "dist", "iac.out", "*.egg-info", "__pycache__", ".pytest_cache",
               ".ruff_cache", ".mypy_cache", ".iac.out.*")


@attrs.frozen
class Distributions:
    wheel: Path
    sdist: Path


def git_files(*paths: str) -> list[str]:
    """The files git tracks under `paths` (relative to the checkout, posix form)."""
    result = subprocess.run(["git", "ls-files", "-z", "--", *paths], cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"not a git checkout ({result.stderr.strip()}): the tracked files are unknown")
    return sorted(name for name in result.stdout.split("\0") if name)


def _copy_sources(target: Path) -> None:
    """The checkout's source files as `make dist` sees them (tracked and untracked, not ignored) into target."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, text=True)
    if listed.returncode != 0:  # an unpacked sdist: no git, only sources and what a build left
        shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(*NOT_SOURCES), symlinks=True)
        return
    for name in listed.stdout.split("\0"):
        source = REPO / name
        if name and source.is_file():  # a tracked file deleted in the work tree is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def build(folder: Path) -> Distributions:
    sources = folder / "sources"
    _copy_sources(sources)
    out = folder / "dist"
    result = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(sources)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"python -m build failed:\n{result.stdout}\n{result.stderr}"
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in out.iterdir())
    return Distributions(wheel=wheels[0], sdist=sdists[0])
