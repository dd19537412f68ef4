"""Minimal values a registry schema accepts, for instantiating every generated class.

`placeholder(schema, node)` builds a value for one schema node: the enum's first value, the first example,
a string made from the node's regular expression (shortest match, longer repeats when a length bound needs
them), a number inside the bounds, lists of one item, objects with their required keys (and those a
oneOf/anyOf branch or a dependency requires). Deterministic: no randomness, the schema decides everything.
Returns NO_VALUE when it finds nothing the node accepts (the caller reports the type).
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import warnings
from typing import Any

import regex

from iac.specs import ResourceSchema
from iac.synth.schema_validation import _Walker

NO_VALUE: Any = object()
_MAX_DEPTH = 12
_LONGEST = 4096
_PROPERTY_CLASS = {"L": "a-zA-Z", "Lu": "A-Z", "Ll": "a-z", "N": "0-9", "Nd": "0-9", "Z": " ", "Zs": " ",
                   "S": "+", "P": ".", "M": "a"}


def placeholder(schema: ResourceSchema, node: Any, depth: int = 0) -> Any:
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return NO_VALUE
    node = _resolve(schema, node)
    fallback = NO_VALUE
    for candidate in _scalar_candidates(schema, node):
        if accepts(schema, node, candidate):
            return candidate
        fallback = candidate if fallback is NO_VALUE else fallback
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if not kinds:
        if "properties" in node or "patternProperties" in node:
            kinds = ["object"]
        elif "items" in node:
            kinds = ["array"]
        else:
            for combinator in ("oneOf", "anyOf", "allOf"):
                for branch in node.get(combinator) or []:
                    value = placeholder(schema, _merged(schema, node, branch), depth + 1)
                    if value is not NO_VALUE:
                        return value
            return "example" if fallback is NO_VALUE else fallback
    for kind in kinds:
        if kind in ("string", "integer", "number", "boolean"):
            continue  # the candidates above
        value = _typed(schema, node, kind, depth)
        if value is not NO_VALUE:
            return value
    return fallback


def accepts(schema: ResourceSchema, node: dict[str, Any], value: Any) -> bool:
    """Whether iac's schema layer accepts `value` for `node` (the check every placeholder must pass)."""
    return next(iter(_Walker(schema).check(value, node, ())), None) is None


def _scalar_candidates(schema: ResourceSchema, node: dict[str, Any]) -> Any:
    """Values to try for a node that may be a scalar, best first: the schema's own, then made ones."""
    if "const" in node:
        yield node["const"]
    for key in ("enum", "examples"):
        if isinstance(node.get(key), list):
            yield from node[key][:3]
    if "default" in node and _plain(node["default"]):
        yield node["default"]
    branches = [_merged(schema, node, branch) for combinator in ("anyOf", "oneOf")
                for branch in node.get(combinator) or [] if isinstance(branch, dict)]
    for branch in branches:
        if "enum" in branch and isinstance(branch["enum"], list) and branch["enum"]:
            yield branch["enum"][0]
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    for kind in kinds:
        if kind == "string":
            for source in [node, *branches]:
                yield from _strings(source)
        elif kind in ("integer", "number"):
            for source in [node, *branches]:
                yield _number(source, kind)
        elif kind == "boolean":
            yield True


def _typed(schema: ResourceSchema, node: dict[str, Any], kind: str, depth: int) -> Any:
    if kind == "array":
        items = node.get("items")
        count = max(int(node.get("minItems") or 0), 1)
        if not isinstance(items, dict):
            return ["example"] * count
        item = placeholder(schema, items, depth + 1)
        if item is NO_VALUE:
            return [] if not node.get("minItems") else NO_VALUE
        if count > 1 and node.get("uniqueItems") and isinstance(item, str):
            return [f"{item}{index}" if index else item for index in range(count)]
        return [item] * count
    if kind == "object":
        return object_value(schema, node, depth)
    return NO_VALUE


def _requirements(schema: ResourceSchema, node: dict[str, Any], required: list[str],
                  overlays: dict[str, list[dict[str, Any]]]) -> None:
    """The keys `node` requires, through allOf (every branch) and oneOf/anyOf (the first branch that
    requires something), with the extra constraints branches put on a property (`overlays`)."""
    required += [name for name in node.get("required") or [] if isinstance(name, str) and name not in required]
    for branch in node.get("allOf") or []:
        if isinstance(branch, dict):
            _requirements(schema, _resolve(schema, branch), required, overlays)
    for combinator in ("oneOf", "anyOf"):
        branches = [_resolve(schema, b) for b in node.get(combinator) or [] if isinstance(b, dict)]
        if branches:
            chosen = next((b for b in branches if b.get("required") or b.get("allOf")), branches[0])
            _requirements(schema, chosen, required, overlays)
            for name, extra in (chosen.get("properties") or {}).items():
                overlays.setdefault(name, []).append(extra)


def object_value(schema: ResourceSchema, node: dict[str, Any], depth: int = 0) -> Any:
    """An object with the keys `node` requires (its oneOf/anyOf/allOf branches and dependencies too)."""
    properties: dict[str, Any] = dict(node.get("properties") or {})
    required: list[str] = []
    overlays: dict[str, list[dict[str, Any]]] = {}
    _requirements(schema, node, required, overlays)
    for name, extras in overlays.items():
        base = _resolve(schema, properties[name]) if isinstance(properties.get(name), dict) else {}
        merged = dict(base)
        for extra in extras:
            extra = _resolve(schema, extra)
            merged["required"] = list(dict.fromkeys(list(merged.get("required") or []) +
                                                    list(extra.get("required") or [])))
            merged.update({k: v for k, v in extra.items() if k != "required"})
        properties[name] = merged
    value: dict[str, Any] = {}
    pending = list(required)
    while pending:
        name = pending.pop(0)
        if name in value:
            continue
        child = properties.get(name)
        if child is None and isinstance(node.get("additionalProperties"), dict):
            child = node["additionalProperties"]
        made = placeholder(schema, child, depth + 1) if child is not None else "example"
        if made is NO_VALUE:
            return NO_VALUE
        value[name] = made
        for source in ("dependencies", "dependentRequired"):
            needed = (node.get(source) or {}).get(name)
            if isinstance(needed, list):
                pending += needed
    minimum = int(node.get("minProperties") or 0)
    if len(value) < minimum:
        patterns = node.get("patternProperties") or {}
        for pattern, child in sorted(patterns.items()):
            key = next(iter(_strings({"pattern": pattern, "minLength": 1})), NO_VALUE)
            made = placeholder(schema, child, depth + 1)
            if key is not NO_VALUE and made is not NO_VALUE:
                value[key] = made
                break
        for name in sorted(properties):
            if len(value) >= minimum:
                break
            made = placeholder(schema, properties[name], depth + 1)
            if name not in value and made is not NO_VALUE:
                value[name] = made
        if len(value) < minimum:
            value.setdefault("Key", "example")
    return value


def _number(node: dict[str, Any], kind: str) -> Any:
    low = node.get("minimum")
    if low is None and "exclusiveMinimum" in node:
        low = node["exclusiveMinimum"] + 1
    high = node.get("maximum")
    if high is None and "exclusiveMaximum" in node:
        high = node["exclusiveMaximum"] - 1
    value = low if low is not None else (1 if high is None or high >= 1 else high)
    step = node.get("multipleOf")
    if isinstance(step, int | float) and step > 0 and value % step:
        value = (value // step + 1) * step
    return int(value) if kind == "integer" else value


def _strings(node: dict[str, Any]) -> Any:
    """Strings that may fit the node's length bounds and pattern (the caller checks); the first found is
    remembered for the same bounds and pattern."""
    key = (node.get("minLength"), node.get("maxLength"), node.get("pattern"))
    if key in _FOUND:
        yield _FOUND[key]
        return
    for text in _fresh_strings(node):
        _FOUND.setdefault(key, text)
        yield text


_FOUND: dict[Any, str] = {}


def _fresh_strings(node: dict[str, Any]) -> Any:
    low = int(node.get("minLength") or 0)
    high = node.get("maxLength")
    pattern = node.get("pattern")
    if not isinstance(pattern, str):
        text = "example"
        text = (text * (low // len(text) + 1))[: max(low, len(text))]
        yield text if high is None else text[: max(high, 0)] or text[:1]
        return
    compiled = _compiled(pattern)
    for candidate in _candidates(pattern, low):
        if len(candidate) >= low and (high is None or len(candidate) <= high) and (
                compiled is None or compiled.search(candidate)):
            yield candidate


_COMMON = ("example", "Example", "example-1", "a", "A", "1", "abc", "arn:aws:iam::123456789012:role/example",
           "123456789012", "us-east-1", "10.0.0.0/16", "https://example.com", "2024-01-01T00:00:00Z",
           "example.com", "/example", "s3://example/key", "e" * 10, "E" * 20)


def _candidates(pattern: str, low: int) -> Any:
    """Strings made from the pattern (its shortest match, then with longer repeats, some near the
    shortest length allowed), and common ones."""
    try:
        with warnings.catch_warnings():  # "possible set union" and the like: the registry's dialect
            warnings.simplefilter("ignore")
            parsed = sre_parse.parse(_python_pattern(pattern))
    except Exception:  # noqa: BLE001 - a dialect Python's parser lacks: the common strings only
        parsed = None
    near = [max(low + delta, 0) for delta in (-2, -1, 0, 1)] if low > 3 else []
    for extra in dict.fromkeys([0, 1, 2, 3, *near, 5, 8, 12, 20, 32, 64]):
        if extra == 3:
            yield from _COMMON
        for branch in (0, -1):
            if parsed is None:
                continue
            try:
                yield _generate(parsed, extra, branch, {})
            except (RecursionError, ValueError, IndexError):
                continue


def _python_pattern(pattern: str) -> str:
    """\\p{L}-style classes (the `regex` module's) as the nearest ASCII class Python's parser reads;
    inline flags away from the start (which Python refuses) dropped."""
    pattern = pattern[:1] + re.sub(r"\(\?[aiLmsux]+\)", "", pattern[1:])
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and pattern[index + 1: index + 2] in ("p", "P") and pattern[index + 2: index + 3] == "{":
            end = pattern.index("}", index)
            body = _PROPERTY_CLASS.get(pattern[index + 3: end], "a")
            out.append(body if in_class else f"[{body}]")
            index = end + 1
            continue
        if char == "\\":
            out.append(pattern[index: index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _generate(parsed: Any, extra: int, branch: int, groups: dict[int, str]) -> str:
    out: list[str] = []
    for op, argument in parsed:
        if op is sre_constants.LITERAL:
            out.append(chr(argument))
        elif op is sre_constants.NOT_LITERAL:
            out.append("a" if chr(argument) != "a" else "b")
        elif op is sre_constants.ANY:
            out.append("a")
        elif op is sre_constants.IN:
            out.append(_from_class(argument, branch))
        elif op is sre_constants.CATEGORY:
            out.append(_from_category(argument))
        elif op in _REPEATS:
            low, high, sub = argument
            count = low + extra if high is sre_constants.MAXREPEAT else min(high, low + extra)
            out.append("".join(_generate(sub, extra, branch, groups) for _ in range(count)))
            if sum(map(len, out)) > _LONGEST:
                raise ValueError("longer than any length bound")
        elif op is sre_constants.SUBPATTERN:
            group, _add, _del, sub = argument
            text = _generate(sub, extra, branch, groups)
            if group is not None:
                groups[group] = text
            out.append(text)
        elif op is sre_constants.ATOMIC_GROUP:
            out.append(_generate(argument, extra, branch, groups))
        elif op is sre_constants.BRANCH:
            out.append(_generate(argument[1][branch], extra, branch, groups))
        elif op is sre_constants.GROUPREF:
            out.append(groups.get(argument, ""))
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        else:
            raise ValueError(f"unsupported {op}")
    return "".join(out)


def _from_class(items: list[tuple[Any, Any]], branch: int) -> str:
    if items and items[0][0] is sre_constants.NEGATE:
        excluded = re.compile("[" + "".join(_class_text(item) for item in items[1:]) + "]")
        return next(char for char in "aA0-_./ x" if not excluded.match(char))
    preferred: list[str] = []
    for op, argument in items:
        if op is sre_constants.LITERAL:
            preferred.append(chr(argument))
        elif op is sre_constants.RANGE:
            low, high = argument
            preferred.append(next((c for c in "a0A" if low <= ord(c) <= high), chr(low)))
        elif op is sre_constants.CATEGORY:
            preferred.append(_from_category(argument))
    letters = [c for c in preferred if c.isalnum()]
    return (letters or preferred or ["a"])[branch]


def _class_text(item: tuple[Any, Any]) -> str:
    op, argument = item
    if op is sre_constants.LITERAL:
        return re.escape(chr(argument))
    if op is sre_constants.RANGE:
        return f"{re.escape(chr(argument[0]))}-{re.escape(chr(argument[1]))}"
    if op is sre_constants.CATEGORY:
        return {sre_constants.CATEGORY_DIGIT: r"\d", sre_constants.CATEGORY_WORD: r"\w",
                sre_constants.CATEGORY_SPACE: r"\s", sre_constants.CATEGORY_NOT_DIGIT: r"\D",
                sre_constants.CATEGORY_NOT_WORD: r"\W", sre_constants.CATEGORY_NOT_SPACE: r"\S"}.get(argument, "")
    return ""


def _from_category(category: Any) -> str:
    return {sre_constants.CATEGORY_DIGIT: "0", sre_constants.CATEGORY_WORD: "a", sre_constants.CATEGORY_SPACE: " ",
            sre_constants.CATEGORY_NOT_DIGIT: "a", sre_constants.CATEGORY_NOT_WORD: "-",
            sre_constants.CATEGORY_NOT_SPACE: "a"}.get(category, "a")


_COMPILED: dict[str, Any] = {}


def _compiled(pattern: str) -> Any:
    if pattern not in _COMPILED:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _COMPILED[pattern] = regex.compile(pattern)
        except regex.error:
            _COMPILED[pattern] = None
    return _COMPILED[pattern]


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float | bool) or (isinstance(value, list | dict) and not value)


def _merged(schema: ResourceSchema, node: dict[str, Any], branch: Any) -> dict[str, Any]:
    merged = {key: value for key, value in node.items() if key not in ("oneOf", "anyOf", "allOf")}
    if isinstance(branch, dict):
        merged.update(_resolve(schema, branch))
    return merged


def _resolve(schema: ResourceSchema, node: dict[str, Any]) -> dict[str, Any]:
    seen: set[str] = set()
    while isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        target: Any = schema.document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target if isinstance(target, dict) else {}
    return node
