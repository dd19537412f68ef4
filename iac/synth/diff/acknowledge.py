"""Silencing a diff finding, with a reason the output shows: `--ignore ID` on the command line, or an entry in
the template's metadata, read from the new template (the old one for a resource being removed):

    Resources:
      Table:
        Metadata:
          iac:acknowledge: [{id: IAC-DIFF-002, reason: "the table is rebuilt from the stream every night"}]

or in the template's own Metadata with `target` (a logical id or an output id; without it, every finding of the
id in the stack). An acknowledged finding stays in the output, marked with its reason; it no longer counts for
`--require-approval widening` (data at risk, widened access).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from iac.synth.diff.findings import rule_by_id
from iac.synth.diff.model import Finding, StackDiff
from iac.synth.diff.normalize import mapping_at

ACKNOWLEDGE_KEY = "iac:acknowledge"


def acknowledge(stack: StackDiff, old: dict[str, Any] | None, new: dict[str, Any] | None,
                ignore: Iterable[str] = ()) -> None:
    """Mark the findings of `stack` that `ignore` (ids) or the templates' metadata silence."""
    ignored = {rule_id.upper() for rule_id in ignore}
    if not stack.findings or (not ignored and not _mentions(old) and not _mentions(new)):
        return
    old_resources, new_resources = mapping_at(old or {}, "Resources"), mapping_at(new or {}, "Resources")
    template_wide = _entries(mapping_at(new or {}, "Metadata").get(ACKNOWLEDGE_KEY), template_wide=True)
    findings = []
    for finding in stack.findings:
        if finding.acknowledged is None:
            reason = _reason(finding, ignored, template_wide, new_resources.get(finding.logical_id)
                             if finding.logical_id in new_resources else old_resources.get(finding.logical_id))
            if reason is not None:
                finding = attrs.evolve(finding, acknowledged=reason)
        findings.append(finding)
    stack.findings = findings


def _reason(finding: Finding, ignored: set[str], template_wide: dict[tuple[str, str | None], str],
            resource: Any) -> str | None:
    if finding.id in ignored:
        return f"ignored with --ignore {finding.id}"
    metadata = resource.get("Metadata") if isinstance(resource, dict) else None
    own = _entries(metadata.get(ACKNOWLEDGE_KEY) if isinstance(metadata, dict) else None, template_wide=False)
    return own.get((finding.id, None)) or template_wide.get((finding.id, finding.logical_id)) or \
        template_wide.get((finding.id, None))


def _entries(value: Any, *, template_wide: bool) -> dict[tuple[str, str | None], str]:
    """(id, target) -> reason, for the well-formed entries: a known id and a reason that says something."""
    found: dict[tuple[str, str | None], str] = {}
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        rule_id, reason, target = item.get("id"), item.get("reason"), item.get("target")
        if not isinstance(rule_id, str) or rule_by_id(rule_id) is None:
            continue
        if not isinstance(reason, str) or not reason.strip():
            continue
        key_target = target if template_wide and isinstance(target, str) else None
        found[(rule_id.upper(), key_target)] = reason.strip()
    return found


def _mentions(template: dict[str, Any] | None) -> bool:
    """Whether the template holds any acknowledgement (most hold none: skip the work)."""
    if not template:
        return False
    if ACKNOWLEDGE_KEY in mapping_at(template, "Metadata"):
        return True
    return any(isinstance(resource, dict) and isinstance(resource.get("Metadata"), dict)
               and ACKNOWLEDGE_KEY in resource["Metadata"] for resource in mapping_at(template, "Resources").values())
