"""What reaches the terminal: text from templates and apps can never drive it.

A template value is data, but a terminal obeys what it prints: ESC ] 52 writes the clipboard, ESC ] 0
sets the window title, CSI sequences move the cursor and recolour what follows, a carriage return or
backspace overwrites what was printed, and the C1 controls U+0080-U+009F act as ESC on some terminals.
So every control character from user data is shown escaped, Python style (`\\x1b`, `\\r`, `\\x9b`),
and stays visible.

Two layers, so that a forgotten spot is still covered:

- `one_line` / `printable` escape values where they are rendered; `one_line` also escapes newlines, so
  a value cannot forge extra lines of a diff or of an error block.
- `guarded_terminal()`, around every command (common.handle_errors), escapes every control character
  written to stdout and stderr, except iac's own: `own()` sequences (the Painter's colours, the
  progress line's erase) are written as markers holding a secret picked per process, which user data
  cannot contain, and turned back into control characters only on the way out.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import secrets
import sys
from collections.abc import Iterator
from typing import IO

from iac.text import CONTROLS, printable

_CONTROL = re.compile(f"[{CONTROLS}]")

_SECRET = secrets.token_hex(8)
#: Stands for one control character of iac's own output: the marker, then its code in two hex digits.
_MARK = f"\ue000{_SECRET}"
_MARKED = re.compile(re.escape(_MARK) + "([0-9a-f]{2})")
_guarded = contextvars.ContextVar("iac_terminal_guarded", default=False)


def own(sequence: str) -> str:
    """A control sequence of iac's own (a colour, erase line) that the guard must let through.

    Outside a guarded command (iac used as a library, rendering into a string) it is returned as is.
    """
    if not _guarded.get():
        return sequence
    return _CONTROL.sub(lambda match: f"{_MARK}{ord(match.group()):02x}", sequence)


def terminal_text(text: str) -> str:
    """What the guard writes: user control characters escaped, iac's own marked ones restored."""
    return _MARKED.sub(lambda match: chr(int(match.group(1), 16)), printable(text))


class GuardedStream:
    """A text stream that writes `terminal_text` of everything to the stream it wraps.

    Only what click and iac use is passed on; there is deliberately no `buffer`, so nothing can
    write around the guard through the binary stream below.
    """

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._stream.write(terminal_text(text))
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:
        return hasattr(self._stream, "isatty") and self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return getattr(self._stream, "errors", None) or "strict"

    @property
    def closed(self) -> bool:
        return bool(getattr(self._stream, "closed", False))

    def writable(self) -> bool:
        return True


@contextlib.contextmanager
def guarded_terminal() -> Iterator[None]:
    """Guard stdout and stderr for the length of one command (nested calls reuse the outer guard)."""
    if _guarded.get():
        yield
        return
    saved = sys.stdout, sys.stderr
    token = _guarded.set(True)
    if saved[0] is not None:
        sys.stdout = GuardedStream(saved[0])
    if saved[1] is not None:
        sys.stderr = GuardedStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        _guarded.reset(token)
