"""Assertions for your own infrastructure tests: synthesize a stack in memory and check its template.

    from iac import App
    from iac.testing import Match, Template

    template = Template.from_stack(ServiceStack(App(), "Service"))
    template.resource_count_is("AWS::SQS::Queue", 1)
    template.has_resource_properties("AWS::Lambda::Function", {
        "Runtime": "python3.13",
        "Environment": {"Variables": {"TABLE_NAME": Match.any_value()}},
    })

How a pattern matches a value:

- a dict matches any dict that has at least those keys, each with a matching value, at every depth
  (`Match.object_like`); `Match.object_equals` forbids other keys;
- a list matches a list of the same length, element by element; `Match.array_with` looks for its
  items in order, with anything in between;
- a token (`queue.ref`, `table.table_name`, an f-string with one) is written the way the stack's
  template writes it, so `{"TopicArn": topic.ref}` matches `{"Ref": "Topic"}`;
- anything else must be equal (a bool never equals a number, a number never equals a string).

A failed assertion raises AssertionError that names the closest candidate (resource or output), lists
where it differs from the pattern (the template path, what was expected and what is there), and
shows the pattern and the candidate in full.
"""

from __future__ import annotations

import copy
import difflib
import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

from iac.constructs.core.tokens import Token, contains_marker
from iac.synth import CloudAssembly, load_template, synthesize
from iac.synth.resolve import Exports, StackResolver
from iac.synth.synthesizer import validate_assembly
from iac.synth.template import construct_path, resources, section

__all__ = ["Match", "Matcher", "Template"]

_MAX_SHOWN_DIFFERENCES = 8
_MAX_SHOWN_LINES = 40
_Path = tuple[str | int, ...]


class _Missing:
    def __repr__(self) -> str:
        return "(missing)"


_MISSING: Any = _Missing()


class _Mismatch:
    """One place where a value differs from its pattern: the path to it and what is wrong there."""

    __slots__ = ("message", "path")

    def __init__(self, path: _Path, message: str) -> None:
        self.path = path
        self.message = message

    def describe(self) -> str:
        return f"{_format_path(self.path)}: {self.message}"


# -- matchers -------------------------------------------------------------------------------------


class Matcher:
    """A rule for one place of a pattern. Make them with the `Match` functions."""

    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        raise NotImplementedError

    def _map(self, function: Callable[[Any], Any]) -> Matcher:
        """This matcher with `function` applied to the patterns it holds (used to resolve tokens)."""
        return self

    def __repr__(self) -> str:
        raise NotImplementedError


class _AnyValue(Matcher):
    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        if actual is None:
            return [_Mismatch(path, "expected any value, got null")]
        return []

    def __repr__(self) -> str:
        return "Match.any_value()"


class _Absent(Matcher):
    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        if actual is _MISSING:
            return []
        return [_Mismatch(path, f"expected no such key, but it is there: {_show(actual)}")]

    def __repr__(self) -> str:
        return "Match.absent()"


class _Object(Matcher):
    def __init__(self, pattern: dict[str, Any], *, partial: bool) -> None:
        if not isinstance(pattern, dict):
            name = "object_like" if partial else "object_equals"
            raise TypeError(f"Match.{name}() takes a dict, got {type(pattern).__name__}")
        self.pattern = pattern
        self.partial = partial

    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        return _compare_object(self.pattern, actual, path, partial=self.partial)

    def _map(self, function: Callable[[Any], Any]) -> Matcher:
        return _Object(function(self.pattern), partial=self.partial)

    def __repr__(self) -> str:
        return f"Match.{'object_like' if self.partial else 'object_equals'}({_show(self.pattern)})"


class _ArrayWith(Matcher):
    def __init__(self, items: list[Any]) -> None:
        if not isinstance(items, list | tuple):
            raise TypeError(f"Match.array_with() takes a list, got {type(items).__name__}")
        self.items = list(items)

    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        if not isinstance(actual, list):
            return [_Mismatch(path, f"expected a list with {_show(self.items)} in it, got {_show(actual)}")]
        position = 0
        for index, item in enumerate(self.items):
            found = next((i for i in range(position, len(actual)) if not _compare(item, actual[i], path + (i,),
                                                                                  partial=True)), None)
            if found is None:
                return [self._not_found(index, item, actual, position, path)]
            position = found + 1
        return []

    def _not_found(self, index: int, item: Any, actual: list[Any], position: int, path: _Path) -> _Mismatch:
        message = f"Match.array_with item {index} ({_show(item, 60)}) matches no element"
        if position:
            message += f" at or after [{position}]"
        candidates = [(_closeness(item, actual[i], found), i, found) for i in range(position, len(actual))
                      if (found := _compare(item, actual[i], path + (i,), partial=True))]
        if not isinstance(item, dict | list | tuple | _Object | _ArrayWith) or not candidates:
            return _Mismatch(path, f"{message}; the list: {_show(actual, 160)}")
        _, closest, differences = min(candidates, key=lambda c: (c[0], c[1]))
        first = differences[0]
        return _Mismatch(path, f"{message}; the closest, [{closest}], differs at "
                               f"{_format_path(first.path[len(path):])}: {first.message}")

    def _map(self, function: Callable[[Any], Any]) -> Matcher:
        return _ArrayWith(function(self.items))

    def __repr__(self) -> str:
        return f"Match.array_with({_show(self.items)})"


class _StringLikeRegexp(Matcher):
    def __init__(self, pattern: str) -> None:
        if not isinstance(pattern, str):
            raise TypeError(f"Match.string_like_regexp() takes a str, got {type(pattern).__name__}")
        self.pattern = pattern
        self.regexp = re.compile(pattern)

    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        if not isinstance(actual, str):
            return [_Mismatch(path, f"expected a string matching /{self.pattern}/, got {_show(actual)}")]
        if self.regexp.search(actual) is None:
            return [_Mismatch(path, f"expected a string matching /{self.pattern}/, got {_show(actual)}")]
        return []

    def __repr__(self) -> str:
        return f"Match.string_like_regexp({self.pattern!r})"


class _Exact(Matcher):
    def __init__(self, value: Any) -> None:
        self.value = value

    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        return _compare(self.value, actual, path, partial=False)

    def _map(self, function: Callable[[Any], Any]) -> Matcher:
        return _Exact(function(self.value))

    def __repr__(self) -> str:
        return f"Match.exact({_show(self.value)})"


class _Not(Matcher):
    def __init__(self, pattern: Any) -> None:
        self.pattern = pattern

    def _test(self, actual: Any, path: _Path) -> list[_Mismatch]:
        if actual is not _MISSING and not _compare(self.pattern, actual, path, partial=True):
            return [_Mismatch(path, f"expected anything but {_show(self.pattern)}, got {_show(actual)}")]
        return []

    def _map(self, function: Callable[[Any], Any]) -> Matcher:
        return _Not(function(self.pattern))

    def __repr__(self) -> str:
        return f"Match.not_({_show(self.pattern)})"


class Match:
    """Matchers to put anywhere in a pattern."""

    @staticmethod
    def any_value() -> Matcher:
        """Any value that is there (not a missing key, not null)."""
        return _AnyValue()

    @staticmethod
    def absent() -> Matcher:
        """As the value of a key: the key must not be there."""
        return _Absent()

    @staticmethod
    def object_like(pattern: dict[str, Any]) -> Matcher:
        """A dict with at least these keys (the default for a plain dict in a pattern)."""
        return _Object(pattern, partial=True)

    @staticmethod
    def object_equals(pattern: dict[str, Any]) -> Matcher:
        """A dict with exactly these keys; plain dicts inside it must be exact too."""
        return _Object(pattern, partial=False)

    @staticmethod
    def array_with(items: list[Any]) -> Matcher:
        """A list that holds these items in this order, possibly with others around and between them."""
        return _ArrayWith(items)

    @staticmethod
    def string_like_regexp(pattern: str) -> Matcher:
        """A string in which the regular expression `pattern` is found (`re.search`)."""
        return _StringLikeRegexp(pattern)

    @staticmethod
    def exact(value: Any) -> Matcher:
        """Exactly this value: dicts inside it may hold no other keys."""
        return _Exact(value)

    @staticmethod
    def not_(pattern: Any) -> Matcher:
        """Anything that does not match `pattern` (a missing key matches)."""
        return _Not(pattern)


# -- comparing --------------------------------------------------------------------------------------


def _compare(pattern: Any, actual: Any, path: _Path, *, partial: bool) -> list[_Mismatch]:
    """Every place where `actual` differs from `pattern` (empty when it matches)."""
    if isinstance(pattern, Matcher):
        return pattern._test(actual, path)
    if isinstance(pattern, dict):
        return _compare_object(pattern, actual, path, partial=partial)
    if isinstance(pattern, list | tuple):
        return _compare_list(list(pattern), actual, path, partial=partial)
    if isinstance(pattern, Token):
        raise TypeError(f"the pattern holds a token at {_format_path(path)}; only Template.from_stack "
                        "can resolve tokens (this Template was not made from a stack)")
    if _equal(pattern, actual):
        return []
    return [_Mismatch(path, f"expected {_show(pattern)}, got {_show(actual)}{_type_note(pattern, actual)}")]


def _compare_object(pattern: dict[str, Any], actual: Any, path: _Path, *, partial: bool) -> list[_Mismatch]:
    if not isinstance(actual, dict):
        return [_Mismatch(path, f"expected an object like {_show(pattern)}, got {_show(actual)}")]
    found: list[_Mismatch] = []
    for key, expected in pattern.items():
        if key in actual:
            found.extend(_compare(expected, actual[key], path + (key,), partial=partial))
        elif isinstance(expected, Matcher):
            found.extend(expected._test(_MISSING, path + (key,)) if isinstance(expected, _Absent | _Not)
                         else [_missing(key, expected, actual, path)])
        else:
            found.append(_missing(key, expected, actual, path))
    if not partial:
        found.extend(_Mismatch(path + (key,), f"unexpected key (object_equals allows no other keys): "
                                              f"{_show(actual[key])}")
                     for key in actual if key not in pattern)
    return found


def _missing(key: str, expected: Any, actual: dict[str, Any], path: _Path) -> _Mismatch:
    message = f"expected {_show(expected)}, but the key is missing"
    close = difflib.get_close_matches(str(key), [str(k) for k in actual], n=1)
    if close:
        message += f" (did you mean {close[0]}?)"
    elif actual:
        message += f" (keys here: {', '.join(sorted(map(str, actual)))})"
    return _Mismatch(path + (key,), message)


def _compare_list(pattern: list[Any], actual: Any, path: _Path, *, partial: bool) -> list[_Mismatch]:
    if not isinstance(actual, list):
        return [_Mismatch(path, f"expected a list {_show(pattern)}, got {_show(actual)}")]
    found: list[_Mismatch] = []
    if len(pattern) != len(actual):
        found.append(_Mismatch(path, f"expected a list of {len(pattern)} element{'s' if len(pattern) != 1 else ''}, "
                                     f"got {len(actual)}: {_show(actual)} (Match.array_with() looks for some "
                                     "elements in a longer list)"))
    for index, (expected, value) in enumerate(zip(pattern, actual, strict=False)):
        found.extend(_compare(expected, value, path + (index,), partial=partial))
    return found


def _closeness(pattern: Any, actual: Any, differences: list[_Mismatch]) -> int:
    """How far `actual` is from `pattern` (lower is closer): differences, less the parts that match."""
    return len(differences) - _similarity(pattern, actual)


def _similarity(pattern: Any, actual: Any) -> int:
    """How much of `pattern` is found in `actual`: a point per key present and per equal value."""
    if isinstance(pattern, _Object):
        pattern = pattern.pattern
    elif isinstance(pattern, _Exact):
        pattern = pattern.value
    elif isinstance(pattern, _ArrayWith):
        if not isinstance(actual, list):
            return 0
        return sum(max((_similarity(item, value) for value in actual), default=0) for item in pattern.items)
    elif isinstance(pattern, Matcher):
        return 0 if pattern._test(actual, ()) else 1
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return 0
        return sum(1 + _similarity(value, actual[key]) for key, value in pattern.items() if key in actual)
    if isinstance(pattern, list | tuple):
        if not isinstance(actual, list):
            return 0
        return sum(_similarity(p, a) for p, a in zip(pattern, actual, strict=False))
    return 1 if _equal(pattern, actual) else 0


def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return expected == actual
    return type(expected) is type(actual) and expected == actual


def _type_note(expected: Any, actual: Any) -> str:
    kinds = (_kind(expected), _kind(actual))
    if actual is not _MISSING and kinds[0] != kinds[1] and not isinstance(actual, dict | list):
        return f" (a {kinds[1]}, not a {kinds[0]})"
    return ""


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "null" if value is None else type(value).__name__


# -- showing --------------------------------------------------------------------------------------


def _format_path(path: _Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"


def _show(value: Any, limit: int = 100) -> str:
    """A one-line rendering of a value (JSON, matchers as written), cut at `limit` characters."""
    text = _one_line(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(value: Any) -> str:
    if isinstance(value, Matcher):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_one_line(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_one_line(v) for v in value) + "]"
    if value is _MISSING:
        return "(missing)"
    try:
        return json.dumps(value)
    except TypeError:
        return repr(value)


def _block(value: Any) -> str:
    """A multi-line rendering (indented JSON, matchers as written), cut after a screenful."""
    lines = _pretty(value, "").splitlines()
    if len(lines) > _MAX_SHOWN_LINES:
        lines = lines[:_MAX_SHOWN_LINES] + [f"... ({len(lines) - _MAX_SHOWN_LINES} more lines)"]
    return "\n".join("  " + line for line in lines)


def _pretty(value: Any, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(str(k))}: {_pretty(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list | tuple) and value:
        return "[\n" + ",\n".join(inner + _pretty(v, inner) for v in value) + f"\n{indent}]"
    if isinstance(value, _Object):
        return f"Match.{'object_like' if value.partial else 'object_equals'}({_pretty(value.pattern, indent)})"
    if isinstance(value, _ArrayWith):
        return f"Match.array_with({_pretty(value.items, indent)})"
    if isinstance(value, _Exact):
        return f"Match.exact({_pretty(value.value, indent)})"
    if isinstance(value, _Not):
        return f"Match.not_({_pretty(value.pattern, indent)})"
    return _one_line(value)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


# -- the template ------------------------------------------------------------------------------------


class Template:
    """A synthesized template to make assertions about. `Template.from_stack(stack)` in tests."""

    def __init__(self, template: dict[str, Any], *, resolve: Callable[[Any], Any] | None = None,
                 name: str = "the template", paths: dict[str, str] | None = None) -> None:
        if not isinstance(template, dict):
            raise TypeError(f"Template() takes a template dict, got {type(template).__name__}")
        self._template = template
        self._resolve = resolve
        self._name = name
        self._paths = paths or {}

    # -- making one ---------------------------------------------------------------------------

    @classmethod
    def from_stack(cls, stack: Any, *, validate: bool = True) -> Template:
        """Synthesize the app that `stack` belongs to, in memory, and take this stack's template.

        Nothing is written. Construct validation always runs; `validate=True` also checks this
        stack's resources against their CloudFormation registry schemas (fast). cfn-lint does not
        run here: `iac synth` runs it.
        """
        if not getattr(stack, "is_stack", False):
            got = f"{type(stack).__name__} {stack.path!r}" if hasattr(stack, "path") else type(stack).__name__
            hint = "; pass its stack: Template.from_stack(construct.stack)" if _has_stack(stack) else ""
            raise TypeError(f"Template.from_stack() takes a Stack, got {got}{hint}")
        artifact = synthesize(stack.root).stack(stack.artifact_id)
        if validate:  # this stack only: another stack's problems belong to its own tests
            validate_assembly(CloudAssembly(stacks=[artifact]), lint=False)
        paths = {lid: origin[0] for (section, lid), origin in artifact.origins.items() if section == "Resources"}
        return cls(artifact.template, resolve=StackResolver(stack, Exports()).resolve,
                   name=f"stack {artifact.name}", paths=paths)

    @classmethod
    def from_file(cls, path: str) -> Template:
        """A template file (JSON or YAML with short-form tags)."""
        return cls(load_template(path), name=str(path))

    @property
    def template(self) -> dict[str, Any]:
        """The template as a dict (a copy: change it freely)."""
        return copy.deepcopy(self._template)

    def to_json(self) -> str:
        return json.dumps(self._template, indent=1)

    def __repr__(self) -> str:
        return f"<Template of {self._name}: {_plural(len(self._resources()), 'resource')}>"

    # -- resources ----------------------------------------------------------------------------

    def find_resources(self, type: str, props: Any = None) -> dict[str, dict[str, Any]]:
        """{logical id: resource entry} of every resource of `type` whose whole entry matches `props`
        (a pattern over Type, Properties, DependsOn, DeletionPolicy, ...; None matches all)."""
        pattern = self._prepare(props)
        return {logical_id: copy.deepcopy(entry) for logical_id, entry in self._of_type(type).items()
                if pattern is None or not _compare(pattern, entry, ("Resources", logical_id), partial=True)}

    def has_resource(self, type: str, props: Any = None) -> None:
        """Assert that a resource of `type` exists whose whole entry matches `props`, e.g.
        `{"Properties": {...}, "DeletionPolicy": "Retain", "DependsOn": Match.array_with([...])}`."""
        self._assert_resource(type, self._prepare(props), properties_only=False)

    def has_resource_properties(self, type: str, props: Any) -> None:
        """Assert that a resource of `type` exists whose Properties match `props`."""
        self._assert_resource(type, self._prepare(props), properties_only=True)

    def resource_count_is(self, type: str, count: int) -> None:
        """Assert that the template has exactly `count` resources of `type`."""
        found = self._of_type(type)
        if len(found) != count:
            listing = "".join(f"\n  {self._describe(lid, entry)}" for lid, entry in found.items())
            message = (f"expected {_plural(count, 'resource')} of type {type} in {self._name}, "
                       f"found {len(found)}{':' if found else ''}{listing}")
            if not found:
                message += self._type_hint(type)
            raise AssertionError(message)

    def resource_properties_count_is(self, type: str, props: Any, count: int) -> None:
        """Assert that exactly `count` resources of `type` have Properties matching `props`."""
        pattern = self._prepare(props)
        found = [lid for lid, entry in self._of_type(type).items()
                 if not _compare(pattern, entry.get("Properties", {}), ("Resources", lid, "Properties"), partial=True)]
        if len(found) != count:
            raise AssertionError(
                f"expected {_plural(count, 'resource')} of type {type} with Properties matching the pattern "
                f"in {self._name}, found {len(found)}{': ' + ', '.join(found) if found else ''}\n"
                f"Pattern:\n{_block(pattern)}")

    # -- outputs and parameters ------------------------------------------------------------------

    def find_outputs(self, logical_id: Any = "*", props: Any = None) -> dict[str, dict[str, Any]]:
        """{logical id: output entry} of the outputs whose id matches `logical_id` (an exact id, a glob
        such as "*Endpoint", or a Matcher) and whose entry matches `props`."""
        pattern = self._prepare(props)
        return {name: copy.deepcopy(entry) for name, entry in self._section("Outputs").items()
                if _id_matches(logical_id, name)
                and (pattern is None or not _compare(pattern, entry, ("Outputs", name), partial=True))}

    def has_output(self, logical_id: Any, props: Any = None) -> None:
        """Assert that an output whose id matches `logical_id` (exact, glob or Matcher) has an entry
        matching `props` (a pattern over Value, Export, Description, Condition)."""
        self._assert_entry("Outputs", "output", logical_id, self._prepare(props))

    def has_parameter(self, logical_id: Any, props: Any = None) -> None:
        """Assert that a parameter whose id matches `logical_id` has an entry matching `props`."""
        self._assert_entry("Parameters", "parameter", logical_id, self._prepare(props))

    # -- internals -------------------------------------------------------------------------------

    def _section(self, name: str) -> dict[str, Any]:
        return section(self._template, name)

    def _resources(self) -> dict[str, Any]:
        return section(self._template, "Resources")

    def _of_type(self, type: str) -> dict[str, dict[str, Any]]:
        return {lid: entry for lid, entry in resources(self._template).items() if entry.get("Type") == type}

    def _prepare(self, pattern: Any) -> Any:
        """The pattern with every token written as this stack's template writes it."""
        if isinstance(pattern, Matcher):
            return pattern._map(self._prepare)
        if isinstance(pattern, dict):
            return {key: self._prepare(value) for key, value in pattern.items()}
        if isinstance(pattern, list | tuple):
            return [self._prepare(value) for value in pattern]
        if isinstance(pattern, Token) or (isinstance(pattern, str) and contains_marker(pattern)):
            if self._resolve is None:
                raise TypeError("the pattern holds a token (a ref or an attribute); only a Template made with "
                                "Template.from_stack can resolve tokens")
            return self._resolve(pattern)
        return pattern

    def _assert_resource(self, type: str, pattern: Any, *, properties_only: bool) -> None:
        candidates = self._of_type(type)
        if not candidates:
            raise AssertionError(f"{self._name} has no resource of type {type}{self._type_hint(type)}")
        if pattern is None:
            return
        results = []
        for logical_id, entry in candidates.items():
            if properties_only:
                actual = entry.get("Properties", _MISSING if isinstance(pattern, _Absent) else {})
                differences = _compare(pattern, actual, ("Resources", logical_id, "Properties"), partial=True)
            else:
                differences = _compare(pattern, entry, ("Resources", logical_id), partial=True)
            if not differences:
                return
            results.append((_closeness(pattern, actual if properties_only else entry, differences), differences,
                            logical_id, entry))
        what = "whose Properties match" if properties_only else "whose entry matches"
        _, differences, logical_id, entry = min(results, key=lambda r: r[0])
        subject = (f"The closest of {len(candidates)} is" if len(candidates) > 1 else "The only one is")
        raise AssertionError(self._report(f"{self._name} has no {type} {what} the pattern.",
                                          f"{subject} {self._describe(logical_id, entry)}",
                                          differences, pattern, logical_id, entry))

    def _assert_entry(self, section: str, what: str, logical_id: Any, pattern: Any) -> None:
        entries = self._section(section)
        named = {name: entry for name, entry in entries.items() if _id_matches(logical_id, name)}
        if not named:
            known = ", ".join(entries) or "none"
            message = f"{self._name} has no {what} {_show_id(logical_id)} ({what}s: {known})"
            if isinstance(logical_id, str):
                close = difflib.get_close_matches(logical_id, list(entries), n=1)
                if close:
                    message += f"; did you mean {close[0]}?"
            raise AssertionError(message)
        if pattern is None:
            return
        results = []
        for name, entry in named.items():
            differences = _compare(pattern, entry, (section, name), partial=True)
            if not differences:
                return
            results.append((_closeness(pattern, entry, differences), differences, name, entry))
        _, differences, name, entry = min(results, key=lambda r: r[0])
        closest = f"The closest of {len(named)} is {name}" if len(named) > 1 else f"{what.capitalize()} {name}"
        raise AssertionError(self._report(f"{self._name} has no {what} {_show_id(logical_id)} matching the pattern.",
                                          closest, differences, pattern, name, entry))

    def _report(self, headline: str, closest: str, differences: list[_Mismatch], pattern: Any, name: str,
                entry: Any) -> str:
        shown = differences[:_MAX_SHOWN_DIFFERENCES]
        lines = [headline, f"{closest}, which differs in {_plural(len(differences), 'place')}:"]
        lines.extend(f"  {d.describe()}" for d in shown)
        if len(differences) > len(shown):
            lines.append(f"  ... and {len(differences) - len(shown)} more")
        lines.append("Pattern:")
        lines.append(_block(pattern))
        lines.append(f"{name}:")
        lines.append(_block(entry))
        return "\n".join(lines)

    def _describe(self, logical_id: str, entry: dict[str, Any]) -> str:
        path = self._paths.get(logical_id) or construct_path(entry)
        return f"{logical_id} ({path})" if path else logical_id

    def _type_hint(self, type: str) -> str:
        counts: dict[str, int] = {}
        for entry in self._resources().values():
            if isinstance(entry, dict) and isinstance(entry.get("Type"), str):
                counts[entry["Type"]] = counts.get(entry["Type"], 0) + 1
        if not counts:
            return " (it has no resources)"
        close = difflib.get_close_matches(type, list(counts), n=1, cutoff=0.8)
        hint = f"; did you mean {close[0]}?" if close else ""
        listing = ", ".join(f"{name} ({count})" for name, count in sorted(counts.items()))
        return f"{hint}\nTypes in {self._name}: {listing}"


def _id_matches(pattern: Any, name: str) -> bool:
    if isinstance(pattern, Matcher):
        return not pattern._test(name, ())
    if isinstance(pattern, str) and any(c in pattern for c in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern == name


def _show_id(pattern: Any) -> str:
    return repr(pattern) if isinstance(pattern, Matcher) else str(pattern)


def _has_stack(construct: Any) -> bool:
    try:
        construct.stack  # noqa: B018 - the property raises when the construct is outside a stack
    except Exception:
        return False
    return True
