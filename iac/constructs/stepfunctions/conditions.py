"""Typed conditions for a Choice state: `Condition.string_equals("$.status", "PAID")`, numbers,
timestamps, booleans, type tests, and `and_` / `or_` / `not_` to combine them.

Each condition is written as the States Language's JSONPath comparison ({"Variable": "$.x",
"StringEquals": "y"}); the operator names are checked against the ones the ASL schema lists.
"""

from __future__ import annotations

import datetime
import numbers
from typing import Any

from iac.constructs.core.source import caller_location
from iac.constructs.stepfunctions import _asl
from iac.errors import ConstructError


def _error(message: str) -> ConstructError:
    return ConstructError(message, location=caller_location())


def _variable(variable: Any, operator: str) -> str:
    if not isinstance(variable, str) or not _asl.path_pattern().search(variable):
        raise _error(f"Condition {operator}: the variable must be a JSONPath starting with '$' (such as "
                     f"'$.status'), got {variable!r}")
    return variable


class Condition:
    """One test a Choice state makes; build them with the static methods."""

    def __init__(self, rule: dict[str, Any]) -> None:
        self._rule = rule

    def to_asl(self) -> dict[str, Any]:
        return dict(self._rule)

    def __repr__(self) -> str:
        return f"Condition({self._rule!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and other._rule == self._rule

    __hash__ = None  # type: ignore[assignment]

    @staticmethod
    def _compare(variable: str, operator: str, value: Any, kind: str) -> Condition:
        if operator not in _asl.condition_operators():  # pragma: no cover - a cfn-lint upgrade dropped one
            raise _error(f"the States Language schema has no {operator} comparison")
        _variable(variable, operator)
        if operator.endswith("Path"):
            if not isinstance(value, str) or not _asl.path_pattern().search(value):
                raise _error(f"Condition {operator}: the value to compare with is a path, such as '$.limit', "
                             f"got {value!r}")
        elif kind == "string" and not isinstance(value, str):
            raise _error(f"Condition {operator} compares strings, got {value!r}")
        elif kind == "number" and (not isinstance(value, numbers.Real) or isinstance(value, bool)):
            raise _error(f"Condition {operator} compares numbers, got {value!r}")
        elif kind == "boolean" and not isinstance(value, bool):
            raise _error(f"Condition {operator} compares booleans, got {value!r}")
        elif kind == "timestamp":
            value = _timestamp(value, operator)
        return Condition({"Variable": variable, operator: value})

    # -- strings
    @staticmethod
    def string_equals(variable: str, value: str) -> Condition:
        return Condition._compare(variable, "StringEquals", value, "string")

    @staticmethod
    def string_equals_path(variable: str, path: str) -> Condition:
        return Condition._compare(variable, "StringEqualsPath", path, "string")

    @staticmethod
    def string_less_than(variable: str, value: str) -> Condition:
        return Condition._compare(variable, "StringLessThan", value, "string")

    @staticmethod
    def string_less_than_equals(variable: str, value: str) -> Condition:
        return Condition._compare(variable, "StringLessThanEquals", value, "string")

    @staticmethod
    def string_greater_than(variable: str, value: str) -> Condition:
        return Condition._compare(variable, "StringGreaterThan", value, "string")

    @staticmethod
    def string_greater_than_equals(variable: str, value: str) -> Condition:
        return Condition._compare(variable, "StringGreaterThanEquals", value, "string")

    @staticmethod
    def string_matches(variable: str, pattern: str) -> Condition:
        """`pattern` may hold `*` wildcards ('orders/*.json'); `\\*` is a literal star."""
        return Condition._compare(variable, "StringMatches", pattern, "string")

    # -- numbers
    @staticmethod
    def number_equals(variable: str, value: float) -> Condition:
        return Condition._compare(variable, "NumericEquals", value, "number")

    @staticmethod
    def number_equals_path(variable: str, path: str) -> Condition:
        return Condition._compare(variable, "NumericEqualsPath", path, "number")

    @staticmethod
    def number_less_than(variable: str, value: float) -> Condition:
        return Condition._compare(variable, "NumericLessThan", value, "number")

    @staticmethod
    def number_less_than_path(variable: str, path: str) -> Condition:
        return Condition._compare(variable, "NumericLessThanPath", path, "number")

    @staticmethod
    def number_less_than_equals(variable: str, value: float) -> Condition:
        return Condition._compare(variable, "NumericLessThanEquals", value, "number")

    @staticmethod
    def number_greater_than(variable: str, value: float) -> Condition:
        return Condition._compare(variable, "NumericGreaterThan", value, "number")

    @staticmethod
    def number_greater_than_path(variable: str, path: str) -> Condition:
        return Condition._compare(variable, "NumericGreaterThanPath", path, "number")

    @staticmethod
    def number_greater_than_equals(variable: str, value: float) -> Condition:
        return Condition._compare(variable, "NumericGreaterThanEquals", value, "number")

    # -- booleans and timestamps
    @staticmethod
    def boolean_equals(variable: str, value: bool) -> Condition:
        return Condition._compare(variable, "BooleanEquals", value, "boolean")

    @staticmethod
    def timestamp_equals(variable: str, value: str | datetime.datetime) -> Condition:
        return Condition._compare(variable, "TimestampEquals", value, "timestamp")

    @staticmethod
    def timestamp_less_than(variable: str, value: str | datetime.datetime) -> Condition:
        return Condition._compare(variable, "TimestampLessThan", value, "timestamp")

    @staticmethod
    def timestamp_greater_than(variable: str, value: str | datetime.datetime) -> Condition:
        return Condition._compare(variable, "TimestampGreaterThan", value, "timestamp")

    # -- type tests
    @staticmethod
    def is_present(variable: str) -> Condition:
        return Condition._test(variable, "IsPresent", True)

    @staticmethod
    def is_not_present(variable: str) -> Condition:
        return Condition._test(variable, "IsPresent", False)

    @staticmethod
    def is_null(variable: str) -> Condition:
        return Condition._test(variable, "IsNull", True)

    @staticmethod
    def is_string(variable: str) -> Condition:
        return Condition._test(variable, "IsString", True)

    @staticmethod
    def is_numeric(variable: str) -> Condition:
        return Condition._test(variable, "IsNumeric", True)

    @staticmethod
    def is_boolean(variable: str) -> Condition:
        return Condition._test(variable, "IsBoolean", True)

    @staticmethod
    def is_timestamp(variable: str) -> Condition:
        return Condition._test(variable, "IsTimestamp", True)

    @staticmethod
    def _test(variable: str, operator: str, value: bool) -> Condition:
        return Condition({"Variable": _variable(variable, operator), operator: value})

    # -- combinations
    @staticmethod
    def and_(*conditions: Condition) -> Condition:
        """Holds when every one of `conditions` holds (at least one)."""
        return Condition({"And": Condition._operands("and_", conditions)})

    @staticmethod
    def or_(*conditions: Condition) -> Condition:
        """Holds when one of `conditions` holds (at least one)."""
        return Condition({"Or": Condition._operands("or_", conditions)})

    @staticmethod
    def not_(condition: Condition) -> Condition:
        return Condition({"Not": Condition._operands("not_", (condition,))[0]})

    @staticmethod
    def _operands(name: str, conditions: tuple[Condition, ...]) -> list[dict[str, Any]]:
        if not conditions:
            raise _error(f"Condition.{name}() needs at least one condition")
        for condition in conditions:
            if not isinstance(condition, Condition):
                raise _error(f"Condition.{name}() combines conditions, got {condition!r}")
        return [condition.to_asl() for condition in conditions]


def _timestamp(value: Any, operator: str) -> str:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise _error(f"Condition {operator}: give the datetime a time zone (tzinfo), got {value!r}")
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str):
        try:
            datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _error(f"Condition {operator}: {value!r} is not an ISO 8601 timestamp "
                         "('2026-01-31T12:00:00Z')") from None
        return value
    raise _error(f"Condition {operator} compares timestamps (ISO 8601 strings or datetimes), got {value!r}")
