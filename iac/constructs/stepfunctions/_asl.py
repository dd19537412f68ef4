"""Facts about the Amazon States Language read from the ASL schema cfn-lint ships (the one its rule E3601
validates state machine definitions against), so the limits iac checks follow cfn-lint's upgrades."""

from __future__ import annotations

import functools
import json
import os
import re
from typing import Any

from iac.specs import schema_root


@functools.cache
def asl_schema() -> dict[str, Any]:
    """cfn-lint's JSON schema of a state machine definition."""
    path = os.path.join(schema_root(), "other", "step_functions", "statemachine.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def state_definition(kind: str) -> dict[str, Any]:
    """The schema of one state type ("pass", "task", "choice", ...)."""
    found = asl_schema()["definitions"].get(kind.lower())
    return found if isinstance(found, dict) else {}


def state_fields(kind: str) -> frozenset[str]:
    """The fields a state of `kind` may have (JSONPath and JSONata alike)."""
    return frozenset(state_definition(kind).get("properties", {}))


@functools.cache
def state_name_pattern() -> re.Pattern[str]:
    """What a state name may be: the pattern the schema gives the keys of `States`."""
    patterns = asl_schema()["properties"]["States"].get("patternProperties", {})
    return re.compile(next(iter(patterns), "^.+$"), re.DOTALL)


@functools.cache
def path_pattern() -> re.Pattern[str]:
    """What InputPath, OutputPath, ResultPath and a condition's Variable must match (a JSONPath from `$`)."""
    return re.compile(state_definition("pass")["properties"]["InputPath"].get("pattern", "^\\$"))


def field_maximum(kind: str, field: str) -> float | None:
    value = state_definition(kind).get("properties", {}).get(field, {}).get("maximum")
    return value if isinstance(value, int | float) else None


def field_minimum(kind: str, field: str) -> float | None:
    value = state_definition(kind).get("properties", {}).get(field, {}).get("minimum")
    return value if isinstance(value, int | float) else None


def condition_operators() -> frozenset[str]:
    """The comparison operators a JSONPath Choice rule may use (StringEquals, NumericLessThanPath, ...)."""
    operator = state_definition("choice")["definitions"]["Operator"]
    return frozenset(operator.get("requiredXor", ()))


def field_accepts_null(kind: str, field: str) -> bool:
    """True when the schema lets `field` of a `kind` state be null (ASL's "discard"); a field the schema does
    not describe is taken to accept it."""
    node = state_definition(kind).get("properties", {}).get(field)
    if not isinstance(node, dict) or "type" not in node:
        return True
    types = node["type"] if isinstance(node["type"], list) else [node["type"]]
    return "null" in types


def field_pattern(kind: str, field: str) -> re.Pattern[str] | None:
    """The pattern the schema gives `field` of a `kind` state (a Task's Resource: an ARN), if any."""
    pattern = state_definition(kind).get("properties", {}).get(field, {}).get("pattern")
    return re.compile(pattern) if isinstance(pattern, str) else None
