"""Running the rules over one template, with the suppressions its metadata holds.

A suppression is an entry of `Metadata: {"iac:suppress": [{"id": "IAC-S3-001", "reason": "..."}]}`:
on a resource it covers that resource's findings; in the template's own Metadata it covers the
template's (with "target": a logical id, only that parameter's, output's or resource's). `iac.suppress`
writes them, so `iac validate` of a synthesized template honours them too, and reviewers see the
reason in the template. A suppression that matches nothing, or that has no reason or names no rule,
is a finding itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from iac.checks._model import SUPPRESS_KEY, Finding, Rule, Run, TemplatePath, section
from iac.checks._registry import all_rules, rule_by_id
from iac.checks.config import EVERY_RULE, Selection

UNUSED_SUPPRESSION = "IAC-CHECK-001"
BAD_SUPPRESSION = "IAC-CHECK-002"


@attrs.frozen
class Suppression:
    rule_id: str
    reason: str
    #: Where the entry is: ("Resources", logical id) or () for the template's Metadata.
    scope: TemplatePath
    target: str | None
    #: The entry's own path, where a finding about it points.
    path: TemplatePath

    def covers(self, finding: Finding) -> bool:
        if self.scope:
            return finding.path[: len(self.scope)] == self.scope
        return self.target is None or (len(finding.path) >= 2 and finding.path[1] == self.target)


@attrs.frozen
class CheckResult:
    """A rule's finding, and the reason it is suppressed (None: it stands)."""

    rule: Rule
    finding: Finding
    suppressed_by: str | None = None


def run_checks(template: dict[str, Any], selection: Selection = EVERY_RULE) -> list[CheckResult]:
    """Every enabled rule's findings on `template`, in rule-id order, suppressed ones marked."""
    run = Run(template)  # one walk of the resources, and what rules compute once, for every rule
    entries, problems = _suppressions(template, run)
    by_rule: dict[str, list[Suppression]] = {}  # each rule's entries, in template order
    for entry in entries:
        by_rule.setdefault(entry.rule_id, []).append(entry)
    used: set[Suppression] = set()
    results: list[CheckResult] = []
    for rule in all_rules():
        if not selection.enabled(rule):
            continue
        candidates = by_rule.get(rule.id)
        if candidates is None:
            results.extend(CheckResult(rule, finding) for finding in rule.findings(template, run))
            continue
        for finding in rule.findings(template, run):
            match = next((s for s in candidates if s.covers(finding)), None)
            if match is not None:
                used.add(match)
            results.append(CheckResult(rule, finding, match.reason if match is not None else None))
    results.extend(_suppression_findings(entries, used, problems, selection))
    return results


def finds(rule_id: str, entry: dict[str, Any]) -> bool:
    """Whether rule `rule_id` finds something in one resource entry ({"Type": ..., "Properties": ...}) on
    its own: for a construct that accepts a finding only when its output has it (so that its suppression
    is never one that matches nothing)."""
    rule = rule_by_id(rule_id)
    if rule is None:
        raise ValueError(f"no rule {rule_id!r}")
    return any(True for _ in rule.findings({"Resources": {"Resource": entry}}))


def _suppression_findings(entries: list[Suppression], used: set[Suppression], problems: list[Finding],
                          selection: Selection) -> Iterator[CheckResult]:
    unused_rule, bad_rule = rule_by_id(UNUSED_SUPPRESSION), rule_by_id(BAD_SUPPRESSION)
    if bad_rule is not None and selection.enabled(bad_rule):
        yield from (CheckResult(bad_rule, finding) for finding in problems)
    if unused_rule is None or not selection.enabled(unused_rule):
        return
    # iac.suppress on a construct with several resources writes one entry on each: one warning if none matched
    groups: dict[tuple[str, str, str | None], list[Suppression]] = {}
    for entry in entries:
        groups.setdefault((entry.rule_id, entry.reason, entry.target), []).append(entry)
    for (rule_id, reason, _), members in groups.items():
        rule = rule_by_id(rule_id)
        if rule is None or not selection.enabled(rule) or any(member in used for member in members):
            continue
        where = _scope_name(members[0]) + (f" and {len(members) - 1} more" if len(members) > 1 else "")
        yield CheckResult(unused_rule, Finding(
            f"the suppression of {rule_id} on {where} matches no finding (reason given: {reason!r}); "
            "remove it, or it will hide a future finding nobody reviewed", members[0].path))


def _scope_name(entry: Suppression) -> str:
    if entry.scope:
        return str(entry.scope[1])
    return entry.target or "the template"


def _suppressions(template: dict[str, Any], run: Run) -> tuple[list[Suppression], list[Finding]]:
    """The well-formed suppression entries of the template, and findings about the others (the resources'
    Metadata entries found by `run`'s walk of the resources)."""
    entries: list[Suppression] = []
    problems: list[Finding] = []
    places: list[tuple[TemplatePath, Any]] = [((), section(template, "Metadata").get(SUPPRESS_KEY))]
    places += [(("Resources", logical_id), value) for logical_id, value in run.resource_suppressions]
    for scope, value in places:
        if value is None:
            continue
        base: TemplatePath = (*scope, "Metadata", SUPPRESS_KEY)
        if not isinstance(value, list):
            problems.append(Finding(f"{_dotted(base)} must be a list of {{id, reason}} entries", base))
            continue
        for index, item in enumerate(value):
            path: TemplatePath = (*base, index)
            entry, problem = _entry(item, scope, path)
            if entry is not None:
                entries.append(entry)
            if problem is not None:
                problems.append(problem)
    return entries, problems


def _entry(item: Any, scope: TemplatePath, path: TemplatePath) -> tuple[Suppression | None, Finding | None]:
    if not isinstance(item, dict):
        return None, Finding(f"{_dotted(path)} must be a mapping with id and reason", path)
    rule_id, reason, target = item.get("id"), item.get("reason"), item.get("target")
    if not isinstance(rule_id, str) or rule_by_id(rule_id) is None:
        return None, Finding(f"{_dotted(path)} names no rule ({rule_id!r}): it suppresses nothing", path)
    if not isinstance(reason, str) or not reason.strip():
        return None, Finding(f"{_dotted(path)} suppresses {rule_id} without a reason: it is ignored", path)
    if target is not None and not isinstance(target, str):
        return None, Finding(f"{_dotted(path)} has a target that is not a logical id: it is ignored", path)
    return Suppression(rule_id.upper(), reason.strip(), scope, target if not scope else None, path), None


def _dotted(path: TemplatePath) -> str:
    return ".".join(str(part) for part in path)
