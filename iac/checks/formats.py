"""`iac validate --format json|sarif`: every problem found (checks, schema, cfn-lint, quotas) as a
document for machines: rule id, severity, stack, logical id, construct path, file:line.

SARIF 2.1.0 is what code-scanning services read: one run of the `iac` tool, its check rules described
(description, why and fix, documentation link), each problem a result at the file and line (the
user's app line for a synthesized stack, the template's line for a file) with the construct path as
its logical location. Messages are the same as the text report's, so they never hold a secret's value.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from iac.checks._registry import all_rules, rule_by_id
from iac.errors import IacError

FORMATS = ("text", "json", "sarif")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note", "informational": "note"}


def problem_record(problem: IacError, stacks: Mapping[str, str]) -> dict[str, Any]:
    """One problem as a flat record; `stacks` maps each stack's construct path to its name."""
    path = problem.path
    property_path = getattr(problem, "property_path", None)
    location = problem.location
    return {
        "rule": getattr(problem, "code", None),
        "severity": getattr(problem, "severity", "error"),
        "message": problem.message,
        "stack": _stack_of(path, stacks),
        "logical_id": _logical_id(property_path),
        "construct_path": path,
        "file": _relative(location.file) if location is not None else None,
        "line": location.line if location is not None else None,
        "property_path": property_path,
        "hint": problem.hint,
    }


#: (problem, the suppression's reason) for a suppressed finding, (problem, None) for an info-level one.
Side = Iterable[tuple[IacError, str | None]]


def json_document(errors: Iterable[IacError], warnings: Iterable[IacError], stacks: Mapping[str, str],
                  side: Side = ()) -> str:
    """{valid, errors, warnings, problems: [...], suppressed: [... with the reason], notes: [info findings]}."""
    errors, warnings, side = list(errors), list(warnings), list(side)
    document = {
        "valid": not errors,
        "errors": len(errors),
        "warnings": len(warnings),
        "problems": [problem_record(problem, stacks) for problem in [*errors, *warnings]],
        "suppressed": [problem_record(problem, stacks) | {"reason": reason} for problem, reason in side if reason],
        "notes": [problem_record(problem, stacks) for problem, reason in side if not reason],
    }
    return json.dumps(document, indent=2) + "\n"


def sarif_document(errors: Iterable[IacError], warnings: Iterable[IacError], stacks: Mapping[str, str],
                   side: Side = ()) -> str:
    """One run; suppressed findings are results with an in-source suppression and its justification, info
    findings results of level note."""
    records = [problem_record(problem, stacks) | {"severity": "error"} for problem in errors]
    records += [problem_record(problem, stacks) for problem in warnings]
    records += [problem_record(problem, stacks) | {"reason": reason} for problem, reason in side]
    codes = sorted({record["rule"] or "iac" for record in records})
    rules = [_rule_descriptor(rule_id) for rule_id in sorted({rule.id for rule in all_rules()} | set(codes))]
    index = {descriptor["id"]: position for position, descriptor in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": "iac", "version": _version(), "rules": rules}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(record, index) for record in records],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"


def _rule_descriptor(rule_id: str) -> dict[str, Any]:
    rule = rule_by_id(rule_id)
    if rule is None:  # a schema, cfn-lint or quota finding: its id is all SARIF needs
        return {"id": rule_id}
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "shortDescription": {"text": rule.description},
        "fullDescription": {"text": rule.why},
        "help": {"text": f"{rule.fix} ({rule.url})"},
        "defaultConfiguration": {"level": SARIF_LEVELS[rule.severity]},
        "properties": {"pack": rule.pack},
    }
    if rule.url.startswith("https://"):
        descriptor["helpUri"] = rule.url
    return descriptor


def _result(record: dict[str, Any], index: Mapping[str, int]) -> dict[str, Any]:
    rule_id = record["rule"] or "iac"
    text = record["message"] + (f" (fix: {record['hint']})" if record["hint"] else "")
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": SARIF_LEVELS.get(record["severity"], "warning"),
        "message": {"text": text},
    }
    location: dict[str, Any] = {}
    if record["file"]:
        physical: dict[str, Any] = {"artifactLocation": {"uri": record["file"].replace(os.sep, "/")}}
        if record["line"]:
            physical["region"] = {"startLine": int(record["line"])}
        location["physicalLocation"] = physical
    if record["construct_path"]:
        location["logicalLocations"] = [{"fullyQualifiedName": record["construct_path"], "kind": "resource"}]
    if location:
        result["locations"] = [location]
    if record.get("reason"):
        result["suppressions"] = [{"kind": "inSource", "status": "accepted", "justification": record["reason"]}]
    properties = {key: record[key] for key in ("stack", "logical_id", "property_path") if record[key]}
    if properties:
        result["properties"] = properties
    return result


def _stack_of(path: str | None, stacks: Mapping[str, str]) -> str | None:
    if not path:
        return None
    owners = [stack for stack in stacks if path == stack or path.startswith(stack + "/")]
    return stacks[max(owners, key=len)] if owners else None


def _logical_id(property_path: str | None) -> str | None:
    if not property_path:
        return None
    parts = property_path.split(".")
    return parts[1] if len(parts) >= 2 and parts[0] in ("Resources", "Parameters", "Outputs", "Conditions") else None


def _relative(file: str) -> str:
    try:
        relative = os.path.relpath(file)
    except ValueError:  # another drive (Windows)
        return file
    return file if relative.startswith("..") else relative


def _version() -> str:
    from importlib import metadata  # ~20 ms to import: only when a document is written

    try:
        return metadata.version("iac-cfn")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a checkout without install
        return "0"
