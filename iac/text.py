"""Text from users' files and apps, made safe to show: every control character escaped, visibly.

A terminal obeys what it prints (ESC ] 52 writes the clipboard, CSI moves the cursor, CR overwrites a
line, the C1 controls act as ESC on some terminals, bidirectional overrides reorder what is shown), so
a value iac prints is shown with its controls escaped Python style (`\\x1b`, `\\r`, `\\u202e`). This
sits below every layer: constructs, synth and cli all name paths and values in their messages.
"""

from __future__ import annotations

import re

#: C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and isolates
#: that make a terminal show text in another order than it is written.
CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{CONTROLS}]")
_CONTROL_OR_NEWLINE = re.compile(f"[{CONTROLS}\n]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """`text` with every control character but tab and newline shown escaped."""
    return _CONTROL.sub(_escape, text)


def one_line(value: object) -> str:
    """A value for one line of output: every control character, newlines included, shown escaped."""
    return _CONTROL_OR_NEWLINE.sub(_escape, str(value))
