"""Every Python code block in the README and docs runs, so the docs cannot rot."""

from __future__ import annotations

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def _blocks() -> list[tuple[str, int, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 2
            found.append((document.name, line, match.group(1)))
    return found


@pytest.mark.parametrize(("document", "line", "code"), _blocks(), ids=lambda v: str(v)[:40])
def test_python_block_runs(document: str, line: int, code: str, tmp_path: pathlib.Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    compiled = compile("\n" * (line - 1) + code, f"{document}", "exec")
    exec(compiled, {"__name__": "__docs__"})


def test_every_document_has_been_searched_for_blocks() -> None:
    assert len(_blocks()) >= 5
