"""Logical IDs: readable, stable, and unique within a stack.

The id is a stability contract: if it changes, CloudFormation replaces the resource. It is derived
from the construct path below the stack only (never from memory addresses, order or time):

- a single top-level alphanumeric id is kept as is (`Queue` stays `Queue`);
- otherwise the path components are joined with non-alphanumerics dropped, `Resource` and
  `Default` components elided (they name an L2's main resource), consecutive repeats collapsed,
  and 8 upper-case hex digits of an MD5 of the full path appended: `GetFunctionRoleA1B2C3D4`.
"""

from __future__ import annotations

import hashlib
import re

MAX_LOGICAL_ID_LENGTH = 255
HASH_LENGTH = 8
_HUMAN_MAX = MAX_LOGICAL_ID_LENGTH - HASH_LENGTH - 7  # leave room, as ids are sometimes suffixed
ELIDED_COMPONENTS = frozenset({"Resource", "Default"})
LOGICAL_ID_RE = re.compile(r"^[A-Za-z0-9]{1,255}$")
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def path_hash(components: list[str]) -> str:
    """8 upper-case hex digits identifying the path; the same on every machine and run."""
    digest = hashlib.md5("/".join(components).encode("utf-8"), usedforsecurity=False).hexdigest()
    return digest[:HASH_LENGTH].upper()


def make_logical_id(components: list[str]) -> str:
    """The logical id for a construct at `components` (its path below the stack)."""
    if len(components) == 1 and LOGICAL_ID_RE.match(components[0]):
        return components[0]
    human_parts: list[str] = []
    for component in components:
        if component in ELIDED_COMPONENTS:
            continue
        if human_parts and human_parts[-1] == component:
            continue
        human_parts.append(component)
    human = _NOT_ALNUM.sub("", "".join(human_parts))[:_HUMAN_MAX]
    return human + path_hash(components)


def is_valid_logical_id(value: str) -> bool:
    return bool(LOGICAL_ID_RE.match(value))
