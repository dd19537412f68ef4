"""Which rules run: `[tool.iac.checks]` in the project's pyproject.toml turns rules or packs off (or on).

    [tool.iac.checks]
    logging = false        # every rule of the logging pack
    "IAC-S3-002" = false   # one rule
    "IAC-LOGS-001" = true  # a rule wins over its pack

The file is the working directory's pyproject.toml, the one the app is found by.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from typing import Any

import attrs

from iac.checks._model import Rule
from iac.checks._registry import all_rules, packs, suggest
from iac.errors import UsageError


@attrs.frozen
class Selection:
    """Rule ids and pack names turned on or off; everything else runs."""

    settings: Mapping[str, bool] = attrs.field(factory=dict)
    source: str | None = None

    def enabled(self, rule: Rule) -> bool:
        if rule.id in self.settings:
            return self.settings[rule.id]
        return self.settings.get(rule.pack, True)


EVERY_RULE = Selection()
_cache: dict[tuple[str, float], Selection] = {}


def project_selection(directory: str | None = None) -> Selection:
    """The selection in `directory`'s (default: the working directory's) pyproject.toml."""
    path = os.path.join(directory or os.getcwd(), "pyproject.toml")
    try:
        stamp = os.stat(path).st_mtime
    except OSError:
        return EVERY_RULE
    key = (path, stamp)
    if key not in _cache:
        _cache[key] = _read(path)
    return _cache[key]


def _read(path: str) -> Selection:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    tool = data.get("tool")
    section = tool.get("iac") if isinstance(tool, dict) else None
    table = section.get("checks") if isinstance(section, dict) else None
    if table is None:
        return EVERY_RULE
    return selection_from(table, source=path)


def selection_from(table: Any, *, source: str | None = None) -> Selection:
    """A Selection from a `[tool.iac.checks]` table; UsageError for anything but known names -> booleans."""
    where = f" in {source}" if source else ""
    if not isinstance(table, dict):
        raise UsageError(f"[tool.iac] checks{where} must be a table of rule ids or packs = true/false",
                         hint='e.g. [tool.iac.checks] "IAC-S3-002" = false')
    known = {rule.id for rule in all_rules()} | set(packs())
    settings: dict[str, bool] = {}
    for name, value in table.items():
        key = name.upper() if name.upper().startswith("IAC-") else name
        if key not in known:
            close = suggest(name)
            raise UsageError(f"[tool.iac.checks]{where} names {name!r}, which is no rule id or pack",
                             hint=f"did you mean {close!r}?" if close else "iac validate --list-rules lists them")
        if not isinstance(value, bool):
            raise UsageError(f"[tool.iac.checks] {name}{where} must be true or false, got {value!r}")
        settings[key] = value
    return Selection(settings, source)
