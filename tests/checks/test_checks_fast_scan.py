"""The shared run of the rules gives what each rule gives alone, with suppressions matched the plain way.

run_checks walks a template's resources once (iac.checks._model.Run: the index by type, the resources'
suppression entries, one TemplateResource per resource shared by every rule and by `others`) and matches a
finding only against its own rule's suppressions. The reference below runs every rule on a Run of its own
and matches each finding against every entry, as run_checks did before: on every template under tests/ and
every sample's stacks, both must give the same results in the same order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iac.checks import SUPPRESS_KEY, all_rules, run_checks
from iac.checks._model import Finding, Run, resources_by_type, section
from iac.checks._run import CheckResult, Suppression, _entry, _suppression_findings
from iac.checks.config import EVERY_RULE, selection_from

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"


def plain_suppressions(template: dict[str, Any]) -> tuple[list[Suppression], list[Any]]:
    """The suppression entries read by a walk of their own over the template."""
    entries: list[Suppression] = []
    problems: list[Any] = []
    places: list[tuple[tuple[str | int, ...], Any]] = [((), section(template, "Metadata").get(SUPPRESS_KEY))]
    for logical_id, resource in section(template, "Resources").items():
        metadata = resource.get("Metadata") if isinstance(resource, dict) else None
        if isinstance(metadata, dict) and SUPPRESS_KEY in metadata:
            places.append((("Resources", str(logical_id)), metadata[SUPPRESS_KEY]))
    for scope, value in places:
        if value is None:
            continue
        base = (*scope, "Metadata", SUPPRESS_KEY)
        items = value if isinstance(value, list) else None
        if items is None:
            problems.append(Finding(f"{'.'.join(str(part) for part in base)} must be a list of {{id, reason}} "
                                    "entries", base))
            continue
        for index, item in enumerate(items):
            entry, problem = _entry(item, scope, (*base, index))
            if entry is not None:
                entries.append(entry)
            if problem is not None:
                problems.append(problem)
    return entries, problems


def reference_run_checks(template: dict[str, Any], selection: Any = EVERY_RULE) -> list[CheckResult]:
    entries, problems = plain_suppressions(template)
    used: set[Suppression] = set()
    results: list[CheckResult] = []
    for rule in all_rules():
        if not selection.enabled(rule):
            continue
        for finding in rule.findings(template):  # a Run of its own: nothing shared with the other rules
            match = next((s for s in entries if s.rule_id == rule.id and s.covers(finding)), None)
            if match is not None:
                used.add(match)
            results.append(CheckResult(rule, finding, match.reason if match is not None else None))
    results.extend(_suppression_findings(entries, used, problems, selection))
    return results


def _test_templates() -> list[tuple[str, dict[str, Any]]]:
    from iac.synth.loader import load

    found = []
    for path in sorted(TESTS.rglob("*")):
        if path.suffix in (".json", ".yaml", ".yml", ".template") and path.is_file():
            try:
                template = load(path)
            except Exception:  # noqa: BLE001 - the files that are no template are other tests' business
                continue
            if isinstance(template, dict):
                found.append((str(path.relative_to(TESTS)), template))
    return found


def _sample_stacks() -> list[tuple[str, dict[str, Any]]]:
    from iac.cli.app_loader import load_app
    from iac.synth import synthesize

    found = []
    for app_file in sorted((REPO / "samples").glob("*/app.py")):
        assembly = synthesize(load_app(str(app_file)))
        found += [(f"{app_file.parent.name}/{artifact.name}", assembly.template(artifact.name))
                  for artifact in assembly.stacks]
    return found


def _described(results: list[CheckResult]) -> list[tuple[str, str, tuple[str | int, ...], str | None]]:
    return [(r.rule.id, r.finding.message, r.finding.path, r.suppressed_by) for r in results]


def test_every_template_under_tests_gives_what_rules_run_alone_give() -> None:
    templates = _test_templates()
    assert len(templates) > 100
    suppressed = found = 0
    for name, template in templates:
        fast = run_checks(template)
        assert _described(fast) == _described(reference_run_checks(template)), name
        found += len(fast)
        suppressed += sum(1 for r in fast if r.suppressed_by is not None)
    assert found > 100 and suppressed > 0  # findings, and suppressed ones, were compared


def test_every_samples_stacks_give_what_rules_run_alone_give() -> None:
    stacks = _sample_stacks()
    assert len(stacks) >= len(list((REPO / "samples").glob("*/app.py")))
    for name, template in stacks:
        assert _described(run_checks(template)) == _described(reference_run_checks(template)), name


def test_a_selection_gives_what_rules_run_alone_give() -> None:
    selection = selection_from({"IAC-LOGS-001": False, "storage": False})
    for name, template in _test_templates():
        assert _described(run_checks(template, selection)) == _described(
            reference_run_checks(template, selection)), name


TEMPLATE: dict[str, Any] = {
    "Metadata": {SUPPRESS_KEY: [{"id": "IAC-LOGS-001", "reason": "the template's", "target": "Second"}]},
    "Resources": {
        "First": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": False},
                  "Metadata": {SUPPRESS_KEY: [{"id": "IAC-SQS-001", "reason": "test queue"},
                                              {"id": "IAC-LOGS-001", "reason": "matches nothing here"}]}},
        "Second": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "NoType": {"Properties": {}},
        "Text": "not a resource",
        "Third": {"Type": "AWS::Logs::LogGroup", "Metadata": {SUPPRESS_KEY: "not a list"}},
    },
}


def test_suppressions_of_resources_and_of_the_template_are_matched_per_rule() -> None:
    results = _described(run_checks(TEMPLATE))
    assert results == _described(reference_run_checks(TEMPLATE))
    assert [(rule_id, path, reason) for rule_id, _, path, reason in results] == [
        ("IAC-LOGS-001", ("Resources", "First"), None),
        ("IAC-LOGS-001", ("Resources", "Second"), "the template's"),
        ("IAC-LOGS-001", ("Resources", "Third"), None),
        ("IAC-SQS-001", ("Resources", "Queue", "Properties", "SqsManagedSseEnabled"), "test queue"),
        ("IAC-CHECK-002", ("Resources", "Third", "Metadata", SUPPRESS_KEY), None),  # the suppressions' own, last
        ("IAC-CHECK-001", ("Resources", "Queue", "Metadata", SUPPRESS_KEY, 1), None),
    ]


def test_one_walk_finds_the_index_and_the_resources_suppressions() -> None:
    run = Run(TEMPLATE)
    assert run.index == resources_by_type(TEMPLATE)
    assert {kind: [logical_id for _, logical_id, _ in items] for kind, items in run.index.items()} == {
        "AWS::Logs::LogGroup": ["First", "Second", "Third"], "AWS::SQS::Queue": ["Queue"]}
    assert [logical_id for logical_id, _ in run.resource_suppressions] == ["Queue", "Third"]


@pytest.mark.parametrize("types", [("AWS::Logs::LogGroup",), ("AWS::SQS::Queue", "AWS::Logs::LogGroup"),
                                   ("AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::Logs::LogGroup"),
                                   ("AWS::S3::Bucket",), ()])
def test_of_types_is_template_order_and_shares_one_resource_object_per_resource(types: tuple[str, ...]) -> None:
    run = Run(TEMPLATE)
    first = list(run.of_types(*types))
    expected = [logical_id for logical_id, entry in TEMPLATE["Resources"].items()
                if isinstance(entry, dict) and entry.get("Type") in types]
    assert [resource.logical_id for resource in first] == expected
    assert all(resource.run is run and resource.template is TEMPLATE for resource in first)
    again = {resource.logical_id: resource for resource in run.of_types(*reversed(types))}
    assert all(again[resource.logical_id] is resource for resource in first)
    if first:
        assert [other.logical_id for other in first[0].others(*types)] == expected[1:]
