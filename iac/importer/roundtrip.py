"""The round-trip proof: synthesize an app and compare one stack's template with the imported one.

Both sides are normalized as `iac diff` normalizes (iac.synth.diff.normalize: key order, GetAtt's two
forms, scalars as CloudFormation reads them, policy statements and tag lists as sets), plus what a
template may spell two ways and iac writes one way: AWSTemplateFormatVersion left out, a Transform or
a DependsOn given as one string. DependsOn counts here (the diff ignores it, the proof does not).
"""

from __future__ import annotations

import os
from typing import Any

from iac.errors import UsageError
from iac.synth.diff.normalize import IGNORED_METADATA_KEYS, normalize

_DEFAULT_VERSION = "2010-09-09"
#: Differences shown at most; the count says how many more there are.
SHOWN = 20


def canonical(template: dict[str, Any]) -> dict[str, Any]:
    """The template in the form both sides are compared in."""
    result: dict[str, Any] = {}
    for section, value in template.items():
        if section == "Resources" and isinstance(value, dict):
            result[section] = {logical_id: _resource(entry) for logical_id, entry in value.items()}
        elif section == "Parameters" and isinstance(value, dict):
            result[section] = {name: _parameter(entry) for name, entry in value.items()}
        elif section == "Transform":
            result[section] = normalize(value if isinstance(value, list) else [value])
        else:
            result[section] = normalize(value)
    result.setdefault("AWSTemplateFormatVersion", _DEFAULT_VERSION)
    for section in ("Parameters", "Mappings", "Conditions", "Outputs", "Metadata"):
        if result.get(section) == {}:
            del result[section]
    return result


def _parameter(entry: Any) -> Any:
    """A parameter, without `NoEcho: false` (what CloudFormation assumes when there is none)."""
    normalized = normalize(entry)
    if isinstance(normalized, dict) and normalized.get("NoEcho") == "false":
        del normalized["NoEcho"]
    return normalized


def _resource(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return normalize(entry)
    result: dict[str, Any] = {}
    for key, value in entry.items():
        if key == "DependsOn":
            names = value if isinstance(value, list) else [value]
            result[key] = sorted({str(name) for name in names})
        elif key == "Metadata" and isinstance(value, dict):
            kept = {k: normalize(v) for k, v in value.items() if k not in IGNORED_METADATA_KEYS}
            if kept:
                result[key] = kept
        elif key == "Properties" and value == {}:
            continue
        else:
            result[key] = normalize(value)
    return result


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Each place the synthesized template (`actual`) differs from the imported one, as a line."""
    found: list[str] = []
    _compare(canonical(expected), canonical(actual), [], found)
    return found


def _compare(expected: Any, actual: Any, path: list[str], found: list[str]) -> None:
    where = ".".join(path) or "(template)"
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual and expected[key] is None:
                found.append(f"{where}.{key}: null in the template, left out by the app (iac writes no null; "
                             "CloudFormation refuses one: 'null' values are not allowed in templates)")
            elif key not in actual:
                found.append(f"{where}: {key} is missing from the app's template")
            else:
                _compare(expected[key], actual[key], [*path, str(key)], found)
        for key in actual:
            if key not in expected:
                found.append(f"{where}: {key} is in the app's template only: {_short(actual[key])}")
        return
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for number, (left, right) in enumerate(zip(expected, actual, strict=True)):
            _compare(left, right, [*path, str(number)], found)
        return
    if expected != actual:
        found.append(f"{where}: the template has {_short(expected)}, the app writes {_short(actual)}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def synthesized_template(app_path: str, stack: str | None = None) -> dict[str, Any]:
    """Run the app at `app_path` in this process and return the template of its stack (the only one,
    or the one named `stack`: its construct id or CloudFormation name)."""
    from iac.cli.app_loader import load_app
    from iac.synth import synthesize

    app = load_app(os.path.abspath(app_path))
    assembly = app.captured_assembly or synthesize(app)
    artifacts = list(assembly.stacks)
    if stack is not None:
        artifacts = [a for a in artifacts if stack in (a.name, a.stack_name, a.construct_path)]
    if len(artifacts) != 1:
        names = ", ".join(a.name for a in assembly.stacks) or "none"
        raise UsageError(f"{app_path}: expected one stack{f' named {stack!r}' if stack else ''}, found {names}",
                         hint="name the stack with --stack-name")
    return assembly.template(artifacts[0].name)


def report(found: list[str]) -> str:
    shown = found[:SHOWN]
    more = len(found) - len(shown)
    lines = [f"  {line}" for line in shown]
    if more:
        lines.append(f"  ... and {more} more")
    return "\n".join(lines)
