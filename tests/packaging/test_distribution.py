"""The wheel and the sdist `make dist` builds: valid metadata, and the files each must (and must not) carry.

What each must carry is read from git (the files the checkout tracks), so a new template file, a new
JSON data file or a new sample is checked without editing this test.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import PurePosixPath

import pytest
from distbuild import Distributions, git_files


def wheel_files(distributions: Distributions) -> set[str]:
    with zipfile.ZipFile(distributions.wheel) as wheel:
        return {name for name in wheel.namelist() if not name.endswith("/")}


def sdist_files(distributions: Distributions) -> set[str]:
    """The sdist's files relative to its top folder (iac_cfn-<version>/)."""
    with tarfile.open(distributions.sdist) as sdist:
        return {str(PurePosixPath(*PurePosixPath(member.name).parts[1:])) for member in sdist.getmembers()
                if member.isfile()}


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_twine_check_strict_passes(distributions: Distributions, kind: str) -> None:
    path = getattr(distributions, kind)
    result = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PASSED" in result.stdout


def test_the_wheel_holds_the_package_and_its_metadata_only(distributions: Distributions) -> None:
    tops = {name.split("/")[0] for name in wheel_files(distributions)}
    name, version = distributions.wheel.name.split("-")[:2]
    assert tops == {"iac", f"{name}-{version}.dist-info"}


def test_the_wheel_carries_every_module_of_iac(distributions: Distributions) -> None:
    modules = [name for name in git_files("iac") if name.endswith(".py")]
    assert modules
    assert set(modules) - wheel_files(distributions) == set()


def test_the_wheel_carries_py_typed_stubs_and_json_data(distributions: Distributions) -> None:
    data = [name for name in git_files("iac") if name.endswith((".json", ".pyi", "py.typed"))]
    assert "iac/py.typed" in data
    assert set(data) - wheel_files(distributions) == set()


def test_the_wheel_carries_every_project_template_file(distributions: Distributions) -> None:
    templates = git_files("iac/cli/project-templates")
    assert any(name.endswith("/template.toml") for name in templates)
    assert any("/_common/" in name for name in templates) and any("/_partials/" in name for name in templates)
    assert set(templates) - wheel_files(distributions) == set()


def test_the_wheel_carries_no_tests_benchmarks_or_samples(distributions: Distributions) -> None:
    outside = {name for name in wheel_files(distributions)
               if name.split("/")[0] in ("tests", "benchmarks", "samples", "docs")}
    assert outside == set()
    # nor inside the package under such a name (a stray copy would ship)
    assert not [name for name in wheel_files(distributions) if "/tests/" in name and "project-templates" not in name]


@pytest.mark.parametrize("folder", ["docs", "tests", "samples"])
def test_the_sdist_carries_docs_tests_and_samples(distributions: Distributions, folder: str) -> None:
    tracked = git_files(folder)
    assert tracked
    assert set(tracked) - sdist_files(distributions) == set()


def test_the_sdist_carries_what_builds_the_wheel(distributions: Distributions) -> None:
    files = sdist_files(distributions)
    for name in ("pyproject.toml", "README.md", "MANIFEST.in", "Makefile", "PKG-INFO"):
        assert name in files
    assert set(git_files("iac")) - files == set()
