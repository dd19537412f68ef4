"""The `distributions` fixture: iac's wheel and sdist, built once per test run (every xdist worker shares it).

Under pytest-xdist every worker asks for the distributions; the first one builds them into the run's
shared temporary folder under a file lock, the others wait and reuse them.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest
from distbuild import Distributions, build


@pytest.fixture(scope="session")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> Distributions:
    """The wheel and the sdist of this checkout, built once for the whole run (all xdist workers)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(tmp_path_factory.mktemp("iac-dist"))
    shared = tmp_path_factory.getbasetemp().parent  # one folder per run, common to its workers
    folder = shared / "iac-dist"
    with open(shared / "iac-dist.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            done = folder / "built"
            if not done.exists():
                shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed left
                folder.mkdir()
                built = build(folder)
                done.write_text(f"{built.wheel}\n{built.sdist}\n")
            wheel, sdist = done.read_text().split()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Distributions(wheel=Path(wheel), sdist=Path(sdist))
