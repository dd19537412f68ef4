"""Conditions, followed: which of them may change value between the deployed stack and the new deployment,
their values where they can be known, and Fn::If resolved with those values.

What is known offline is only what the user gives: `-p NAME=VALUE` (the new deployment's value), the region
and the account. A parameter's Default is never a known value for a stack that exists (it may have been
deployed with another value); it is only *presumed*: a parameter whose default and given value are unchanged is
presumed to keep its value, so nothing that depends on it changes. Presumption only ever hides a change; it
never makes one certain.

Each condition is evaluated symbolically on each side: literals and known values fold (Fn::Equals of two
literals is True or False; Fn::And/Or/Not fold as far as their parts allow), unknown inputs stay as symbols
(a parameter, a pseudo parameter, a lookup in a mapping whose content is part of the symbol). A condition is
unchanged when both sides fold to the same form; its change is certain when both fold to different booleans;
otherwise it *may* change.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from iac.synth.diff.normalize import canonical_json, mapping_at, normalize, normalize_scalar

SAME, MAY, WILL = "same", "may", "will"
NO_VALUE = {"Ref": "AWS::NoValue"}
#: More unknown conditions than this in one property and the worlds are not enumerated: the change is a "may".
MAX_VARIABLES = 6
_DEPTH = 64


@attrs.frozen(kw_only=True)
class Status:
    """How a condition (or a resource's existence) compares between the old and the new deployment."""

    change: str  # same | may | will
    old: bool | None  # its value in the deployed stack, when known
    new: bool | None  # its value in the new deployment, when known


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class _Side:
    """Evaluates one template's conditions with the values one side knows."""

    def __init__(self, template: dict[str, Any], parameters: Mapping[str, Any], region: str | None,
                 account: str | None) -> None:
        self.conditions = mapping_at(template, "Conditions")
        self.mappings = mapping_at(template, "Mappings")
        self.parameters = parameters  # name -> a literal (known) or a symbol
        self.pseudo: dict[str, Any] = {}
        if region:
            self.pseudo.update({"AWS::Region": region, "AWS::Partition": _partition(region),
                                "AWS::URLSuffix": "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"})
        if account:
            self.pseudo["AWS::AccountId"] = account
        self._forms: dict[str, Any] = {}

    def form(self, name: str) -> Any:
        """The condition `name` folded: True, False, or a symbolic form (a tuple)."""
        if name not in self._forms:
            self._forms[name] = ("cycle", name)  # a condition that refers to itself stays unknown
            if name in self.conditions:
                self._forms[name] = self._condition(self.conditions[name], 0)
            else:
                self._forms[name] = ("absent", name)
        return self._forms[name]

    def value(self, name: str) -> bool | None:
        form = self.form(name)
        return form if isinstance(form, bool) else None

    def _condition(self, expression: Any, depth: int) -> Any:
        if depth > _DEPTH or not isinstance(expression, dict) or len(expression) != 1:
            return ("?", canonical_json(expression))
        key, arg = next(iter(expression.items()))
        if key == "Condition" and isinstance(arg, str):
            return self.form(arg)
        if key == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            first, second = self._value(arg[0], depth + 1), self._value(arg[1], depth + 1)
            if isinstance(first, str) and isinstance(second, str):
                return first == second
            if first == second:
                return True
            return ("eq", *sorted((first, second), key=repr))
        if key == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._condition(arg[0], depth + 1)
            return (not inner) if isinstance(inner, bool) else ("not", inner)
        if key in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            absorbing = key == "Fn::Or"  # True absorbs an Or, False an And
            parts = [self._condition(part, depth + 1) for part in arg]
            if absorbing in parts:
                return absorbing
            rest = sorted({repr(p): p for p in parts if p is not (not absorbing)}.values(), key=repr)
            if not rest:
                return not absorbing
            return rest[0] if len(rest) == 1 else ("or" if absorbing else "and", *rest)
        return ("?", canonical_json(normalize(expression)))

    def _value(self, value: Any, depth: int) -> Any:
        """A value inside a condition: a string when known, else a symbol."""
        if depth > _DEPTH:
            return ("?", canonical_json(value))
        if isinstance(value, list):
            return ("list", *(self._value(item, depth + 1) for item in value))
        if not isinstance(value, dict):
            return normalize_scalar(value) if value is not None else ("null",)
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Ref" and isinstance(arg, str):
                if arg in self.pseudo:
                    return self.pseudo[arg]
                if arg.startswith("AWS::"):
                    return ("pseudo", arg)  # the same stack on both sides: the same unknown value
                return self.parameters.get(arg, ("param", arg))
            if key == "Fn::FindInMap" and isinstance(arg, list) and len(arg) == 3:
                return self._lookup(arg, depth)
            if key == "Fn::Select" and isinstance(arg, list) and len(arg) == 2:
                index, items = self._value(arg[0], depth + 1), self._value(arg[1], depth + 1)
                if isinstance(index, str) and index.isdigit() and isinstance(items, tuple) and items[0] == "list" \
                        and int(index) + 1 < len(items):
                    return items[int(index) + 1]
            return ("fn", key, self._value(arg, depth + 1))
        return ("dict", *sorted((k, self._value(v, depth + 1)) for k, v in value.items()))

    def _lookup(self, arg: list[Any], depth: int) -> Any:
        name = arg[0] if isinstance(arg[0], str) else None
        keys = [self._value(part, depth + 1) for part in arg[1:]]
        table = self.mappings.get(name) if name else None
        if isinstance(table, dict) and all(isinstance(k, str) for k in keys):
            entry = table.get(keys[0])
            found = entry.get(keys[1]) if isinstance(entry, dict) else None
            if found is not None:
                return self._value(found, depth + 1)
        return ("map", name, canonical_json(normalize(table)), *keys)


class _Same:
    """The default of `Conditions.status`'s second argument: the same name as the first."""


_SAME_NAME = _Same()


class Conditions:
    """The conditions of two templates of one stack, compared (see the module's docstring)."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any], *, given: Mapping[str, str] | None = None,
                 region: str | None = None, account: str | None = None) -> None:
        given = dict(given or {})
        old_parameters = mapping_at(old, "Parameters")
        new_parameters = mapping_at(new, "Parameters")
        self.unchanged_parameters = frozenset(
            name for name in new_parameters if name in old_parameters and _presumed_same(
                old_parameters[name], new_parameters[name], given.get(name)))
        known = {name: normalize_scalar(value) for name, value in given.items()}
        if not old:  # a stack that does not exist yet is created with the defaults: they are known there
            for name, definition in new_parameters.items():
                default = definition.get("Default") if isinstance(definition, dict) else None
                if name not in known and isinstance(default, str | int | float | bool):
                    known[name] = normalize_scalar(default)
        presumed: dict[str, Any] = {name: known.get(name, ("param'", name)) for name in new_parameters}
        presumed.update({name: ("param", name) for name in self.unchanged_parameters})
        self.empty = not mapping_at(old, "Conditions") and not mapping_at(new, "Conditions")
        self._old = _Side(old, {}, region, account)
        self._new = _Side(new, presumed, region, account)  # for comparing with the old side
        self._new_known = _Side(new, {name: known.get(name, ("param'", name)) for name in new_parameters},
                                region, account)
        self._status: dict[tuple[str | None, str | None], Status] = {}
        names = set(self._old.conditions) | set(self._new.conditions)
        self.changed = frozenset(name for name in names if self.status(name).change != SAME)
        self.known_old = self.known("old")
        self.known_new = self.known("new")

    # -- conditions ----------------------------------------------------------------------------

    def status(self, old_name: str | None, new_name: str | None | _Same = _SAME_NAME) -> Status:
        """Condition `old_name` of the old template against `new_name` (default: the same name) of the new;
        None stands for no condition (always true): a resource's existence is `status(old Condition, new Condition)`.
        """
        if isinstance(new_name, _Same):
            new_name = old_name
        key = (old_name, new_name)
        found = self._status.get(key)
        if found is None:
            found = self._status[key] = self._compare(old_name, new_name)
        return found

    def _compare(self, old_name: str | None, new_name: str | None) -> Status:
        old_form = True if old_name is None else self._old.form(old_name)
        new_form = True if new_name is None else self._new.form(new_name)
        new_value = True if new_name is None else self._new_known.value(new_name)
        old_value = old_form if isinstance(old_form, bool) else None
        if old_form == new_form:
            # presumed unchanged: the old side takes the new side's known value
            return Status(change=SAME, old=old_value if old_value is not None else new_value, new=new_value)
        if old_value is not None and new_value is not None:
            return Status(change=SAME if old_value == new_value else WILL, old=old_value, new=new_value)
        if old_name is not None and old_name != new_name:  # another condition now: compare presumed values
            presumed = self.status(old_name).old
            if presumed is not None and presumed == new_value:
                return Status(change=SAME, old=presumed, new=new_value)
        return Status(change=MAY, old=old_value, new=new_value)

    def old_value(self, name: str) -> bool | None:
        return self.status(name).old

    def new_value(self, name: str) -> bool | None:
        return self.status(name).new

    # -- Fn::If --------------------------------------------------------------------------------

    def resolve(self, value: Any, values: Mapping[str, bool]) -> Any:
        """`value` with each Fn::If whose condition `values` knows replaced by its branch (AWS::NoValue drops
        the key or item that holds it; at the top it gives None)."""
        if not values:
            return value
        result = _resolve(value, values, 0)
        return None if result is _DROP else result

    def known(self, side: str) -> dict[str, bool]:
        """Conditions with a known value on `side` ("old" or "new")."""
        names = set(self._old.conditions if side == "old" else self._new.conditions)
        found = {}
        for name in names:
            status = self.status(name)
            value = status.old if side == "old" else status.new
            if value is not None:
                found[name] = value
        return found

    def worlds(self, before: Any, after: Any) -> list[tuple[dict[str, bool], dict[str, bool]]] | None:
        """Every assignment of the unknown conditions that the Fn::Ifs of `before` (old side) and `after` (new
        side) branch on, as (old values, new values); one condition that stays the same is one variable for both
        sides, a condition that may change one variable per side. None when there are too many to enumerate."""
        old_known, new_known = self.known_old, self.known_new
        old_names = [n for n in dict.fromkeys(if_conditions(before)) if n not in old_known]
        new_names = [n for n in dict.fromkeys(if_conditions(after)) if n not in new_known]
        variables: list[tuple[str, str]] = []
        for name in dict.fromkeys([*old_names, *new_names]):
            if self.status(name).change == SAME:
                variables.append(("both", name))
            else:
                variables += [(side, name) for side, names in (("old", old_names), ("new", new_names))
                              if name in names]
        if len(variables) > MAX_VARIABLES:
            return None
        result = []
        for bits in itertools.product((True, False), repeat=len(variables)):
            old_values, new_values = dict(old_known), dict(new_known)
            for (side, name), bit in zip(variables, bits, strict=True):
                if side in ("both", "old"):
                    old_values[name] = bit
                if side in ("both", "new"):
                    new_values[name] = bit
            result.append((old_values, new_values))
        return result

    def inputs(self, name: str) -> list[str]:
        """The parameters a condition of the new template depends on (for the words of a reason)."""
        found: list[str] = []
        _parameters_in(self._new.conditions.get(name), self._new.conditions, found, set(), 0)
        return found


def _presumed_same(old: Any, new: Any, given: str | None) -> bool:
    old_default = old.get("Default") if isinstance(old, dict) else None
    if given is not None:
        return normalize(given) == normalize(old_default)
    new_default = new.get("Default") if isinstance(new, dict) else None
    return normalize(new_default) == normalize(old_default)


class _Drop:
    pass


_DROP: Any = _Drop()


def _resolve(value: Any, values: Mapping[str, bool], depth: int) -> Any:
    if depth > _DEPTH:
        return value
    if isinstance(value, dict):
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str) \
                    and arg[0] in values:
                return _resolve(arg[1] if values[arg[0]] else arg[2], values, depth + 1)
            if key == "Ref" and arg == "AWS::NoValue":
                return _DROP
        result = {}
        for key, child in value.items():
            resolved = _resolve(child, values, depth + 1)
            if resolved is not _DROP:
                result[key] = resolved
        return result
    if isinstance(value, list):
        return [item for item in (_resolve(child, values, depth + 1) for child in value) if item is not _DROP]
    return value


def if_conditions(value: Any, depth: int = 0) -> Iterable[str]:
    """The condition names the Fn::Ifs in `value` branch on, outermost first."""
    if depth > _DEPTH:
        return
    if isinstance(value, dict):
        arg = value.get("Fn::If") if len(value) == 1 else None
        if isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            yield arg[0]
        for child in value.values():
            yield from if_conditions(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            yield from if_conditions(child, depth + 1)


def _parameters_in(value: Any, conditions: dict[str, Any], found: list[str], seen: set[str], depth: int) -> None:
    if depth > _DEPTH:
        return
    if isinstance(value, dict):
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Ref" and isinstance(arg, str) and arg not in found:
                found.append(arg)
                return
            if key == "Condition" and isinstance(arg, str) and arg not in seen:
                seen.add(arg)
                _parameters_in(conditions.get(arg), conditions, found, seen, depth + 1)
                return
        for child in value.values():
            _parameters_in(child, conditions, found, seen, depth + 1)
    elif isinstance(value, list):
        for child in value:
            _parameters_in(child, conditions, found, seen, depth + 1)
