"""Tokens: values that are only known to CloudFormation at deploy time.

A token (a Ref, a GetAtt, any intrinsic function) is an object that can stand anywhere a value is
expected. When Python needs it as a string (an f-string, `str()`, `+`), it becomes a marker such as
`${Token[7]}`; synthesis finds the markers again and turns the surrounding string into `Fn::Join`.
So references flow through ordinary string code and never end up as a Python repr in a template.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from typing import Any

#: How every marker starts: a string without it holds no token.
MARKER_PREFIX = "${Token["
_MARKER_RE = re.compile(r"\$\{Token\[(\d+)\]\}")
_ids = itertools.count(1)
_by_id: dict[int, Token] = {}
_lock = threading.Lock()


class Token:
    """A value CloudFormation computes; subclasses say how it is written in a template.

    `resolve(context)` returns the template form (a dict such as {"Ref": "Queue"}). The context
    knows which stack is being written, so a reference can become an import when it crosses stacks.
    """

    _marker_id: int | None = None

    def resolve(self, context: ResolveContext) -> Any:
        raise NotImplementedError

    def marker(self) -> str:
        """The string that stands for this token inside ordinary Python strings."""
        if self._marker_id is None:
            with _lock:
                if self._marker_id is None:
                    marker_id = next(_ids)
                    _by_id[marker_id] = self
                    self._marker_id = marker_id
        return f"${{Token[{self._marker_id}]}}"

    def __str__(self) -> str:
        return self.marker()

    def __format__(self, spec: str) -> str:
        return format(self.marker(), spec)

    def __add__(self, other: object) -> str:
        if isinstance(other, str):
            return self.marker() + other
        return NotImplemented

    def __radd__(self, other: object) -> str:
        if isinstance(other, str):
            return other + self.marker()
        return NotImplemented

    def __iter__(self):
        raise TypeError(
            f"{self!r} is only known at deploy time and cannot be iterated in Python; "
            "use Fn.select(index, value) to pick an element"
        )

    def __bool__(self) -> bool:
        return True

    def stable_key(self) -> str:
        """A text that identifies this token across runs (for ordering and hashing).

        Built from the token's public state, never from memory addresses or marker numbers.
        """
        state = {key: value for key, value in vars(self).items() if not key.startswith("_")}
        return f"{type(self).__name__}({stable_key(state)})"


class Lazy(Token):
    """A value computed when the template is written: `Lazy(lambda: document.to_json())`.

    Constructs use it for things that grow after creation (a role's policy gains statements as
    grants are made), so the template always holds the final state.
    """

    def __init__(self, producer: Callable[[], Any]) -> None:
        self.producer = producer

    def resolve(self, context: ResolveContext) -> Any:
        return context.resolve(self.producer())

    def stable_key(self) -> str:
        return stable_key(self.producer())

    def __repr__(self) -> str:
        return "<Lazy>"


class ResolveContext:
    """What resolution needs to know; implemented by the synthesizer (core defines the shape only)."""

    def resolve_reference(self, token: Token, target: Any, build: Callable[[], Any]) -> Any:
        """Resolve a token that points at `target` (an element of some stack).

        `build()` gives the plain template form as seen from the target's own stack.
        """
        raise NotImplementedError

    def resolve(self, value: Any) -> Any:
        raise NotImplementedError


def contains_marker(text: str) -> bool:
    return MARKER_PREFIX in text


def split_markers(text: str) -> list[str | Token]:
    """Split a string into literal parts and the tokens whose markers it holds."""
    parts: list[str | Token] = []
    position = 0
    for match in _MARKER_RE.finditer(text):
        if match.start() > position:
            parts.append(text[position : match.start()])
        token = _by_id.get(int(match.group(1)))
        if token is None:
            parts.append(match.group(0))
        else:
            parts.append(token)
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return parts


def stable_key(value: Any) -> str:
    """An ordering key for values that may hold tokens: markers are replaced by the tokens' keys.

    A dict entry whose value is None is left out, as the template leaves it out: ids hashed from a key
    (a Lambda Version's, an API Deployment's) then change only when the template does, not when a
    construct gains an optional property that stays unset."""
    if isinstance(value, Token):
        return value.stable_key()
    if isinstance(value, str):
        if not contains_marker(value):
            return value
        return "".join(part if isinstance(part, str) else part.stable_key() for part in split_markers(value))
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{stable_key(v)}" for k, v in sorted(value.items()) if v is not None) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(stable_key(v) for v in value) + "]"
    if callable(value) and not isinstance(value, type):
        return getattr(value, "__qualname__", type(value).__name__)
    return repr(value)


def is_token(value: object) -> bool:
    """True when `value` is, or (as a string) contains, a deploy-time value."""
    if isinstance(value, Token):
        return True
    return isinstance(value, str) and contains_marker(value)
