"""docs/import.md's walk-through runs as written: its files are written, its commands run through the real `iac`
with their output compared, and the app `iac import` writes is the one the page shows.

The page marks its blocks with HTML comments (invisible when rendered): `<!-- file: NAME -->` before a block to
write, `<!-- generated: NAME -->` before the expected content of a file a command wrote, `<!-- run -->` before a
console block whose `$ ` lines are commands, each followed by its expected output. The self-contained ```python
block at the end runs in tests/test_docs.py with every other page's.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"
_STEP = re.compile(r"^<!-- (file|generated): (\S+) -->\n```\w*\n(.*?)^```|^<!-- (run) -->\n```console\n(.*?)^```",
                   re.DOTALL | re.MULTILINE)


def _steps() -> list[tuple[str, str, str]]:
    steps = []
    for match in _STEP.finditer(DOC.read_text(encoding="utf-8")):
        if match.group(4):
            steps.append(("run", "", match.group(5)))
        else:
            steps.append((match.group(1), match.group(2), match.group(3)))
    return steps


def _commands(block: str) -> list[tuple[str, list[str]]]:
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    return commands


def test_the_walk_through_runs_as_written(tmp_path: Path) -> None:
    steps = _steps()
    assert [kind for kind, _, _ in steps] == ["file", "run", "generated", "run", "file", "run"]
    iac = Path(sys.executable).with_name("iac")
    environment = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
    environment["NO_COLOR"] = "1"
    for kind, name, text in steps:
        if kind == "file":
            (tmp_path / name).write_text(text, encoding="utf-8")
        elif kind == "generated":
            assert (tmp_path / name).read_text(encoding="utf-8") == text
        else:
            for command, expected in _commands(text):
                arguments = shlex.split(command)
                assert arguments[0] == "iac"
                completed = subprocess.run([str(iac), *arguments[1:]], cwd=tmp_path, env=environment,
                                           capture_output=True, text=True, timeout=120)
                assert completed.returncode == 0, completed.stderr
                assert completed.stdout.splitlines() == expected, command
