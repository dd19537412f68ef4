"""Where in the user's code a construct was created.

Every later error (schema, lint, cycles, diff) points back at this file:line, so capturing it must be
cheap: we walk raw frames with `sys._getframe` instead of `inspect.stack()`, which reads source files.
"""

from __future__ import annotations

import linecache
import os
import sys
from types import FrameType

import attrs

_IAC_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@attrs.frozen(kw_only=True)
class SourceLocation:
    """A file and line in the user's code."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}"

    @property
    def source_line(self) -> str:
        """The text of the line, stripped, or "" when the file cannot be read."""
        return linecache.getline(self.file, self.line).strip()


def display_path(file: str) -> str:
    """Relative to the working directory when the file is below it: short and clickable."""
    try:
        rel = os.path.relpath(file)
    except ValueError:
        return file
    return file if rel.startswith("..") else rel


def is_iac_file(filename: str) -> bool:
    """True for iac's own modules (their frames are never the user's line)."""
    return filename.startswith(_IAC_PREFIX)


_IAC_PREFIX = _IAC_DIR + os.sep


def _is_internal(filename: str) -> bool:
    """iac's modules, the import machinery, and code attrs generates (validators run inside it)."""
    return is_iac_file(filename) or filename.startswith(("<frozen ", "<attrs generated"))


#: A code object's file name -> its absolute path when its frames are the user's, None when they are
#: internal. Every construct walks the same few files' frames, so each is judged once (bounded all the same).
_USER_FILES: dict[str, str | None] = {}
_USER_FILES_LIMIT = 4096


def _user_file(filename: str) -> str | None:
    """The absolute path of `filename` when it is the user's code, None when it is internal."""
    try:
        return _USER_FILES[filename]
    except KeyError:
        pass
    if _is_internal(filename):
        path = None
    elif os.path.isabs(filename):
        path = os.path.abspath(filename)  # normalized: the same answer in any working directory
    else:
        return os.path.abspath(filename)  # relative to the working directory, which may change: not kept
    if len(_USER_FILES) >= _USER_FILES_LIMIT:
        _USER_FILES.clear()
    _USER_FILES[filename] = path
    return path


def caller_location(skip: int = 1) -> SourceLocation | None:
    """The first frame outside iac (and the interpreter's machinery) on the current stack."""
    frame: FrameType | None = sys._getframe(skip)
    while frame is not None:
        path = _user_file(frame.f_code.co_filename)
        if path is not None:
            return SourceLocation(file=path, line=frame.f_lineno)
        frame = frame.f_back
    return None


def creation_location(construct: object) -> SourceLocation | None:
    """Where the user created `construct`: the first frame outside iac that is not the `__init__`
    of that same construct (a construct class the user wrote calls `super().__init__` from inside
    its own `__init__`; the interesting line is the one that instantiated it)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        path = _user_file(code.co_filename)
        if path is not None and not (code.co_name == "__init__" and frame.f_locals.get("self") is construct):
            return SourceLocation(file=path, line=frame.f_lineno)
        frame = frame.f_back
    return None
