"""The README's "project of your own" commands, run as written, with an iac installed from the built wheel.

The commands are read from README.md (the ```sh block after "For a project of your own"), not copied
here, and run by bash in a temporary folder outside the repository laid out as the README assumes:
`<tmp>/checkout/.venv` holds iac installed from the wheel (standing for the checkout's venv that
`make synth` makes, so `.venv/bin/iac` is that iac), and `../my-api` is made next to it.

There is no network in tests, and nothing else is changed in the commands:
- iac's third-party dependencies (cfn-lint, click, ..., pytest and setuptools) are this test run's own,
  from its venv's site-packages, seen through a folder of links that leaves out iac itself and pip (by
  the wheel's venv through a .pth file; by the project's venv, which the README's own command makes,
  through PYTHONPATH);
- pip is configured by environment variables only: no index, none of the machine's pip config files,
  and no build isolation, because an isolated build would have to download setuptools. No --find-links
  either: the project must install iac through the requirement `iac init` wrote (the wheel's file URL),
  as it would on a machine that has no index holding iac.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

from distbuild import REPO, Distributions

INTRO = "For a project of your own"
#: entries of this venv's site-packages that are iac's own or must not shadow the new venvs' pip
NOT_DEPENDENCIES = re.compile(r"^(iac|iac_cfn[-.].*|__editable__.*|pip|pip-.*\.dist-info|.*\.pth|__pycache__)$")


def readme_commands() -> list[str]:
    """The commands of the ```sh block that follows the README's "For a project of your own"."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert INTRO in text, f"README.md no longer says {INTRO!r}: this test reads the commands after it"
    block = re.search(r"^```sh\n(.*?)^```", text[text.index(INTRO):], flags=re.MULTILINE | re.DOTALL)
    assert block, f"no ```sh block after {INTRO!r} in README.md"
    return [line for line in block.group(1).splitlines() if line.strip()]


def dependencies_folder(tmp: Path) -> Path:
    """A folder of links to this venv's third-party packages (not iac, not pip): the new venvs' dependencies."""
    folder = tmp / "dependencies"
    folder.mkdir()
    site_packages = {Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")}
    for directory in sorted(site_packages):
        for entry in sorted(directory.iterdir()):
            if not NOT_DEPENDENCIES.match(entry.name) and not (folder / entry.name).exists():
                (folder / entry.name).symlink_to(entry)
    return folder


def offline_environment(tmp: Path, dependencies: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV", "NO_COLOR", "FORCE_COLOR"))}
    # `python3` in the README is this run's interpreter (the dependencies' compiled parts are built for it)
    bin_folder = tmp / "bin"
    bin_folder.mkdir()
    python3 = bin_folder / "python3"
    python3.write_text(f'#!/bin/sh\nexec "{sys._base_executable}" "$@"\n')
    python3.chmod(0o755)
    environment.update({
        "PATH": f"{bin_folder}{os.pathsep}{environment.get('PATH', '')}",
        # before the project venv's own site-packages: Python 3.11's venv brings setuptools 65, older than
        # the setuptools>=68 the project's build requires, which a download would have provided
        "PYTHONPATH": str(dependencies),
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's inverted spelling: 0 turns isolation off
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_CACHE_DIR": str(tmp / "pip-cache"),
    })
    return environment


def make_venv_from_wheel(venv: Path, wheel: Path, dependencies: Path, environment: dict[str, str]) -> None:
    """`python -m venv`, iac from the wheel alone (--no-deps), the dependencies through a .pth file.

    The venv gets no pip of its own (ensurepip takes seconds): this run's pip installs into it (--python),
    writing the same dist-info, direct_url.json (PEP 610) included, as the venv's own pip would.
    """
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=environment,
                   timeout=120)
    python = venv / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True, env=environment)
    (Path(purelib.stdout.strip()) / "iac-test-dependencies.pth").write_text(f"{dependencies}\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                              "--no-index", str(wheel)], capture_output=True, text=True, env=environment, timeout=120)
    assert install.returncode == 0, install.stdout + install.stderr


def where_iac_is(python: Path, environment: dict[str, str]) -> Path:
    found = subprocess.run([str(python), "-c", "import iac; print(iac.__file__)"], capture_output=True,
                           text=True, env=environment, cwd=python.parent, timeout=60)
    assert found.returncode == 0, found.stderr
    return Path(found.stdout.strip())


def test_readme_block_is_found_and_starts_from_the_checkouts_venv() -> None:
    commands = readme_commands()
    assert commands[0].startswith(".venv/bin/iac init ")
    assert any(command.startswith("iac synth") for command in commands)
    assert any("pytest" in command for command in commands)


def test_the_readme_project_of_your_own_works_with_iac_from_the_wheel(distributions: Distributions,
                                                                       tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("quickstart")
    assert REPO not in tmp.resolve().parents, "the quick start must run outside the repository"
    dependencies = dependencies_folder(tmp)
    environment = offline_environment(tmp, dependencies)
    checkout = tmp / "checkout"
    venv = checkout / ".venv"
    without_path = {key: value for key, value in environment.items() if key != "PYTHONPATH"}
    make_venv_from_wheel(venv, distributions.wheel, dependencies, without_path)
    assert venv.resolve() in where_iac_is(venv / "bin" / "python", without_path).resolve().parents

    commands = readme_commands()
    script = "PS4='+ ${EPOCHREALTIME} '\nset -ex\n" + "\n".join(commands) + "\n"
    run = subprocess.run(["bash", "-c", script], cwd=checkout, capture_output=True, text=True, env=environment,
                         timeout=300)
    assert run.returncode == 0, f"the README's commands failed:\n{run.stdout}\n{run.stderr}"

    assert f"pyproject.toml requires iac-cfn @ {distributions.wheel.as_uri()}" in run.stdout  # init says which
    project = (checkout / next(c.split()[1] for c in commands if c.startswith("cd "))).resolve()
    assert "Synthesized " in run.stdout and " passed" in run.stdout
    assert (project / "iac.out" / "manifest.json").is_file()
    # the project requires the very wheel this iac was installed from (PEP 610), and installed it
    requirement = tomllib.loads((project / "pyproject.toml").read_text())["project"]["dependencies"]
    assert requirement == [f"iac-cfn @ {distributions.wheel.as_uri()}"]
    assert (project / ".venv").resolve() in where_iac_is(project / ".venv" / "bin" / "python",
                                                          environment).resolve().parents
    recorded = next((project / ".venv").glob("lib/python*/site-packages/iac_cfn-*.dist-info/direct_url.json"))
    assert json.loads(recorded.read_text())["url"] == distributions.wheel.as_uri()
