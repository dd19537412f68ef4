"""Every kind of diff finding, one small module each (cfn-lint style): a stable id, a short description and a
doc link, and the words of its message. `--ignore ID` and a resource's `iac:acknowledge` metadata name the ids.

    from iac.synth.diff.findings import all_rules, rule_by_id
"""

from __future__ import annotations

from iac.synth.diff.findings import (
    d001_data_deleted,
    d002_data_replaced,
    d003_rename,
    d004_type_change,
    d005_custom_name_replaced,
    d006_name_still_held,
    d007_update_refused,
    d008_export_in_use,
    d009_iam_widening,
    d010_network_widening,
)
from iac.synth.diff.findings._rule import DiffRule

_RULES = tuple(module.RULE for module in (
    d001_data_deleted, d002_data_replaced, d003_rename, d004_type_change, d005_custom_name_replaced,
    d006_name_still_held, d007_update_refused, d008_export_in_use, d009_iam_widening, d010_network_widening))
_BY_ID = {rule.id: rule for rule in _RULES}


def all_rules() -> tuple[DiffRule, ...]:
    return _RULES


def rule_by_id(rule_id: str) -> DiffRule | None:
    return _BY_ID.get(rule_id.upper())


__all__ = ["DiffRule", "all_rules", "rule_by_id"]
