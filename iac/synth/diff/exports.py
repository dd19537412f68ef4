"""Exports between stacks: CloudFormation refuses to change or delete an export another stack imports.

A stack's output with an Export changes when its value is edited, or when it refers to a resource
that is replaced; it disappears when removed. If any stack currently imports that export name, the
deployment of the exporting stack fails ("Cannot update export ... as it is in use by ..."). iac's
own cross-stack references are exports, so a replacement in a shared stack hits this often.
"""

from __future__ import annotations

from typing import Any

from iac.synth.diff.findings import d008_export_in_use
from iac.synth.diff.model import StackDiff
from iac.synth.diff.normalize import normalize
from iac.synth.references import referenced_names


def export_findings(stacks: list[tuple[StackDiff, dict[str, Any] | None, dict[str, Any] | None]]) -> None:
    """Add a deployability finding to each stack whose in-use export would change or vanish."""
    if len({stack_diff.stack for stack_diff, _, _ in stacks}) < 2:
        return  # a stack's own imports never count: with one stack, nothing to find (and no template to walk)
    importers = _importers([(stack_diff.stack, old) for stack_diff, old, _ in stacks])
    if not importers:
        return
    for stack_diff, old, new in stacks:
        replaced = {c.logical_id for c in stack_diff.resources if c.is_replacement}
        before = _exports(old)
        after = _exports(new)
        for name, (output_id, value) in before.items():
            users = sorted(user for user in importers.get(name, ()) if user != stack_diff.stack)
            if not users:
                continue
            now = after.get(name)
            if now is None:
                problem = "is removed"
            elif normalize(now[1]) != normalize(value):
                problem = "changes value"
            elif referenced_names(now[1]) & replaced:
                problem = "changes value (it refers to a resource that is replaced)"
            else:
                continue
            stack_diff.findings.append(d008_export_in_use.finding(output_id, name, problem, users))


def _exports(template: dict[str, Any] | None) -> dict[str, tuple[str, Any]]:
    outputs = (template or {}).get("Outputs")
    found: dict[str, tuple[str, Any]] = {}
    if isinstance(outputs, dict):
        for output_id, output in outputs.items():
            export = output.get("Export") if isinstance(output, dict) else None
            name = export.get("Name") if isinstance(export, dict) else None
            if isinstance(name, str):
                found[name] = (output_id, output.get("Value"))
    return found


def _importers(templates: list[tuple[str, dict[str, Any] | None]]) -> dict[str, set[str]]:
    """Export name -> names of the stacks whose current (deployed) template imports it."""
    users: dict[str, set[str]] = {}
    for stack, template in templates:
        for name in imports_of(template):
            users.setdefault(name, set()).add(stack)
    return users


def imports_of(template: dict[str, Any] | None) -> set[str]:
    """Literal export names used with Fn::ImportValue anywhere in `template`."""
    names: set[str] = set()
    pending: list[Any] = [template or {}]
    pop, extend = pending.pop, pending.extend
    while pending:
        item = pop()
        if isinstance(item, dict):
            if len(item) == 1 and isinstance(item.get("Fn::ImportValue"), str):
                names.add(item["Fn::ImportValue"])
                continue
            extend(item.values())
        elif isinstance(item, list):
            extend(item)
    return names
