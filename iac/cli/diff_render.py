"""`iac diff` as text: per stack, `[+] [-] [~]` lines with reasons, before/after, security tables,
data at risk, renames and deployability problems, then a one-line summary.

Every name and value comes from the templates, so each goes through `one_line` (control characters and
newlines escaped): a value can neither drive the terminal nor forge a line of the diff. Multi-line
strings are shown as a line diff, every line indented under the property it belongs to."""

from __future__ import annotations

import difflib
import json
from typing import Any

from iac.cli.report import Painter
from iac.synth.diff.model import ADD, DYNAMIC, MODIFY, REMOVE, DiffResult, ResourceChange, StackDiff
from iac.synth.serialize import yaml_fragment
from iac.text import one_line

_SYMBOL = {ADD: "[+]", REMOVE: "[-]", MODIFY: "[~]"}
_COLOUR = {ADD: "green", REMOVE: "red", MODIFY: "yellow"}
INLINE_LIMIT = 70


def render_diff(result: DiffResult, *, color: bool = False) -> str:
    paint = Painter(color)
    blocks = [_stack(stack, paint) for stack in result.stacks]
    counts = result.counts()
    summary = (f"{counts['add']} to add, {counts['change']} to change, {counts['replace']} to replace, "
               f"{counts['remove']} to remove")
    possible = result.possible_count()
    if possible:
        summary += f" ({possible} of the adds and removes only if a condition allows)"
    if result.widens_access:
        summary += "; access widens"
    if result.data_at_risk:
        summary += "; DATA AT RISK"
    return "\n\n".join([*blocks, paint(summary, bold=True)])


def _stack(stack: StackDiff, paint: Painter) -> str:
    lines = [paint(f"Stack {one_line(stack.stack)}", bold=True)]
    lines.extend(paint("note: ", fg="yellow") + one_line(note) for note in stack.notes)
    if not stack.has_changes:
        lines.append("  no changes")
        return "\n".join(lines)
    if stack.resources:
        lines.append(paint("Resources", underline=True))
        for origin, origin_type, members in _by_origin(stack.resources):
            if origin is None:
                for change in members:
                    lines.extend(_resource(change, paint))
                continue
            what = "nested stack" if origin_type == "AWS::CloudFormation::Stack" else "SAM"
            lines.append(f"in {one_line(origin_type)} {one_line(origin)} ({what}):")
            for change in members:
                lines.extend("  " + line for line in _resource(change, paint))
    for section in ("Description", "Transform", "Parameters", "Mappings", "Conditions", "Outputs"):
        changes = [c for c in stack.values if c.section == section]
        if changes:
            lines.append(paint(section, underline=True))
            for value in changes:
                head = paint(_SYMBOL[value.action], fg=_COLOUR[value.action])
                lines.append(f"{head} {one_line(value.name)}" if section not in ("Description", "Transform") else head)
                if value.action == MODIFY:
                    lines.extend(_before_after(None, value.before, value.after, paint))
    if stack.statements:
        lines.append(paint("IAM statement changes", underline=True))
        for s in stack.statements:
            sign = paint("+" if s.action == ADD else "-", fg="green" if s.action == ADD else "red")
            widen = paint("  (widens access)", fg="red") if s.widens else ""
            principal = f"  principal {one_line(s.principal)}" if s.principal else ""
            condition = f"  when {one_line(s.condition)}" if s.condition else ""
            actions, resources = one_line(", ".join(s.actions)), one_line(", ".join(s.resources) or "-")
            lines.append(f"  {sign} {one_line(s.effect)} {actions} on {resources}"
                         f"{principal}{condition}  [{one_line(s.logical_id)} {one_line(s.location)}]{widen}")
    if stack.rules:
        lines.append(paint("Security group rule changes", underline=True))
        for r in stack.rules:
            sign = paint("+" if r.action == ADD else "-", fg="green" if r.action == ADD else "red")
            direction = "from" if r.direction == "ingress" else "to"
            world = paint("  (open to the internet)", fg="red") if r.peer in ("0.0.0.0/0", "::/0") else ""
            rule = " ".join(one_line(part) for part in (r.group, r.direction, r.protocol, r.ports, direction,
                                                         r.peer or "-"))
            lines.append(f"  {sign} {rule}{world}")
    for finding in stack.findings:
        colour = "red" if finding.severity == "error" else "yellow"
        label = {"data-at-risk": "DATA AT RISK", "rename": "rename?", "deployability": "will fail",
                 "widening": "access widens"}.get(finding.kind, finding.kind)
        rule = f" [{one_line(finding.id)}]" if finding.id else ""
        if finding.acknowledged is not None:
            lines.append(paint(f"acknowledged{rule} {label}: ", bold=True) + one_line(finding.message))
            lines.append(f"    reason: {one_line(finding.acknowledged)}")
            continue
        lines.append(paint(f"{label}{rule}: ", fg=colour, bold=True) + one_line(finding.message))
        if finding.fix:
            lines.append(f"    fix: {one_line(finding.fix)}")
    return "\n".join(lines)


def _by_origin(changes: list[ResourceChange]) -> list[tuple[str | None, str | None, list[ResourceChange]]]:
    """The changes grouped by the SAM resource or nested stack they come from, in the order they first appear."""
    groups: dict[str | None, tuple[str | None, list[ResourceChange]]] = {}
    for change in changes:
        groups.setdefault(change.origin, (change.origin_type, []))[1].append(change)
    return [(origin, origin_type, members) for origin, (origin_type, members) in groups.items()]


def _resource(change: ResourceChange, paint: Painter) -> list[str]:
    head = paint(_SYMBOL[change.action], fg=_COLOUR[change.action])
    where = f" ({one_line(change.construct_path)})" if change.construct_path else ""
    tail = ""
    if change.action == MODIFY and change.replacement == "True":
        tail = paint("  replace", fg="red", bold=True)
    elif change.action == MODIFY and change.replacement == "Conditional":
        tail = paint("  may replace", fg="red")
    elif change.action == REMOVE and change.policy_action != "Delete":
        tail = f"  ({one_line(change.policy_action.lower()) if change.policy_action else ''})"
    if not change.certain:
        tail = paint("  may be " + ("created" if change.action == ADD else "deleted"), fg=_COLOUR[change.action]) + tail
    if change.data_at_risk:
        tail += paint("  DATA AT RISK", fg="red", bold=True)
    lines = [f"{head} {one_line(change.resource_type)} {one_line(change.logical_id)}{where}{tail}"]
    for reason in change.reasons:
        lines.append(f"    └─ {one_line(reason)}")
    for detail in change.details:
        name = detail.target.path.removeprefix("/Properties/").removeprefix("/")
        if detail.evaluation == DYNAMIC:
            lines.append(f"    ~ {one_line(name)}: follows {one_line(detail.causing_entity)} (known at deploy time)")
        else:
            lines.extend(_before_after(name, detail.before, detail.after, paint))
    return lines


def _before_after(name: str | None, before: Any, after: Any, paint: Painter) -> list[str]:
    label = f"{one_line(name)}: " if name else ""
    old, new = one_line(_compact(before)), one_line(_compact(after))
    if len(old) + len(new) <= INLINE_LIMIT and "\n" not in old + new:
        return [f"    ~ {label}{paint(old, fg='red')} → {paint(new, fg='green')}"]
    lines = [f"    ~ {label}".rstrip()]
    diff = difflib.unified_diff(_pretty(before), _pretty(after), lineterm="", n=2)
    for line in list(diff)[2:]:
        colour = "green" if line.startswith("+") else "red" if line.startswith("-") else None
        lines.append("        " + (paint(one_line(line), fg=colour) if colour else one_line(line)))
    return lines


def _compact(value: Any) -> str:
    if value is None:
        return "(absent)"
    return json.dumps(value, separators=(", ", ": "), default=str)


def _pretty(value: Any) -> list[str]:
    """Line-oriented text for a line diff: YAML, so strings nested in documents (inline code, user
    data, policies) break into their own lines."""
    if value is None:
        return ["(absent)"]
    if isinstance(value, str):  # split at newlines only: a carriage return stays visible, as \r
        return value.removesuffix("\n").split("\n")
    return yaml_fragment(value).splitlines()
