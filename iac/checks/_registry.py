"""The rules: every module of iac.checks.rules, loaded once, each defining RULE (or RULES)."""

from __future__ import annotations

import difflib
import functools
import importlib
import pkgutil

from iac.checks._model import Rule


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every rule, sorted by id; a duplicate id is a bug in iac and fails loudly."""
    from iac.checks import rules as package

    found: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda module: module.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        declared = getattr(module, "RULES", None) or ((module.RULE,) if hasattr(module, "RULE") else ())
        for rule in declared:
            if rule.id in found:
                raise RuntimeError(f"rule id {rule.id} is declared twice (iac.checks.rules.{info.name})")
            found[rule.id] = rule
    return tuple(found[rule_id] for rule_id in sorted(found))


@functools.cache
def _by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in all_rules()}


def rule_by_id(rule_id: str) -> Rule | None:
    return _by_id().get(rule_id.upper() if isinstance(rule_id, str) else rule_id)


def packs() -> tuple[str, ...]:
    return tuple(sorted({rule.pack for rule in all_rules()}))


def suggest(name: str) -> str | None:
    """The rule id or pack closest to a misspelt one."""
    candidates = [rule.id for rule in all_rules()] + list(packs())
    close = difflib.get_close_matches(name.upper() if name.upper().startswith("IAC-") else name, candidates, n=1)
    return close[0] if close else None
