"""Templates to text: deterministic JSON, and YAML in the short form people write by hand.

JSON keeps the order the template was built in (which is deterministic) with a 1-space indent, like
CloudFormation's own output. YAML uses short-form tags (!Ref, !GetAtt A.B, !Sub ...), block style,
literal blocks for multi-line strings, and no anchors; the loader reads it back to the same dict.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from iac.constructs.core.app import TEMPLATE_FORMATS

if TYPE_CHECKING:
    import yaml  # imported where YAML is written (~10 ms): a JSON synth never loads it

FORMATS = TEMPLATE_FORMATS

#: Functions with a YAML short form (the tag is the name without "Fn::").
SHORT_FORM_FUNCTIONS = frozenset(
    {
        "Fn::And", "Fn::Base64", "Fn::Cidr", "Fn::Equals", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs",
        "Fn::If", "Fn::ImportValue", "Fn::Join", "Fn::Length", "Fn::Not", "Fn::Or", "Fn::Select",
        "Fn::Split", "Fn::Sub", "Fn::ToJsonString", "Fn::Transform", "Ref", "Condition",
    }
)


def to_json(template: dict[str, Any]) -> str:
    """The template as iac writes it: 1-space indent, non-ASCII characters as they are, and a newline."""
    return dumps_indented(template, ensure_ascii=False, allow_nan=False) + "\n"


def dumps_indented(value: Any, *, ensure_ascii: bool = True, allow_nan: bool = True,
                   default: Callable[[Any], Any] | None = None) -> str:
    """`json.dumps(value, indent=1, ...)` with the same options, byte for byte, in about a third of the time.

    The standard library writes indented JSON with its pure-Python encoder (its C encoder has no
    indent): about half of a large synth's serialization, and most of `iac diff --json`'s output time.
    This walker writes the same text for the JSON types (dicts with str keys, lists, tuples, str, int,
    float, bool, None) with the C string encoder; `default` is called for other values as json.dumps
    calls it. Anything else (a subclass, a key that is not a str, a non-finite float where allow_nan
    is false, nesting past the recursion limit, which a circular reference reaches) is left to
    json.dumps, which writes it or raises exactly as it always did.
    """
    try:
        return _indented(value, ensure_ascii, allow_nan, default)
    except (_NotPlainJson, RecursionError):
        return json.dumps(value, indent=1, ensure_ascii=ensure_ascii, allow_nan=allow_nan, default=default)


class _NotPlainJson(Exception):
    """A value `_indented` leaves to json.dumps."""


_INFINITY = float("inf")
_FLOAT_TEXT = {_INFINITY: "Infinity", -_INFINITY: "-Infinity"}


def _indented(value: Any, ensure_ascii: bool, allow_nan: bool, default: Callable[[Any], Any] | None) -> str:
    parts: list[str] = []
    encode = json.encoder.encode_basestring_ascii if ensure_ascii else json.encoder.encode_basestring
    # A module function, not a closure: a closure that calls itself is a reference cycle, which would keep
    # `parts` (every piece of the text) alive until the garbage collector runs, and a synth pauses it.
    _write(value, "\n", parts.append, encode, allow_nan, default)
    return "".join(parts)


def _write(item: Any, newline: str, append: Callable[[str], None], encode: Callable[[str], str], allow_nan: bool,
           default: Callable[[Any], Any] | None) -> None:
    kind = type(item)
    if kind is str:
        append(encode(item))
    elif kind is dict:
        if not item:
            append("{}")
            return
        inner = newline + " "
        separator = "{" + inner
        for key, child in item.items():
            if type(key) is not str:
                raise _NotPlainJson
            child_kind = type(child)
            if child_kind is str:
                append(separator + encode(key) + ": " + encode(child))
            elif child_kind is int:  # bool is not int here: `type(True) is bool`
                append(separator + encode(key) + ": " + int.__repr__(child))
            elif child is True or child is False:
                append(separator + encode(key) + (": true" if child else ": false"))
            else:
                append(separator + encode(key) + ": ")
                _write(child, inner, append, encode, allow_nan, default)
            separator = "," + inner
        append(newline + "}")
    elif kind is list or kind is tuple:
        if not item:
            append("[]")
            return
        inner = newline + " "
        separator = "[" + inner
        for child in item:
            if type(child) is str:
                append(separator + encode(child))
            else:
                append(separator)
                _write(child, inner, append, encode, allow_nan, default)
            separator = "," + inner
        append(newline + "]")
    elif item is True:
        append("true")
    elif item is False:
        append("false")
    elif item is None:
        append("null")
    elif kind is int:
        append(int.__repr__(item))
    elif kind is float:
        text = "NaN" if item != item else _FLOAT_TEXT.get(item) or float.__repr__(item)
        if not allow_nan and text in ("NaN", "Infinity", "-Infinity"):
            raise _NotPlainJson  # json.dumps says which value
        append(text)
    elif default is not None and not isinstance(item, str | int | float | list | tuple | dict):
        _write(default(item), newline, append, encode, allow_nan, default)
    else:  # a subclass of a JSON type, or no default for a value JSON has no form for
        raise _NotPlainJson


def to_yaml(template: dict[str, Any]) -> str:
    import yaml

    return yaml.dump(
        _template_short_form(template),
        Dumper=_template_dumper(),
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=1 << 16,
    )


def yaml_fragment(value: Any) -> str:
    """Any template value as YAML with short-form tags and literal multi-line strings (for display)."""
    import yaml

    return yaml.dump(_to_short_form(value), Dumper=_template_dumper(), sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1 << 16)


def serialize(template: dict[str, Any], format: str) -> str:
    if format == "json":
        return to_json(template)
    if format == "yaml":
        return to_yaml(template)
    raise ValueError(f"unknown template format {format!r}; use one of {', '.join(FORMATS)}")


#: Sections whose entries are objects keyed by attribute names (Type, Properties, Value...).
_ENTRY_SECTIONS = ("Parameters", "Resources", "Outputs")


def _template_short_form(template: dict[str, Any]) -> dict[str, Any]:
    """Short forms below the entry level only: a logical id such as `Ref` stays a plain key, and
    Mappings (plain data) are written as they are."""
    result: dict[str, Any] = {}
    for section, body in template.items():
        if section in _ENTRY_SECTIONS and isinstance(body, dict):
            result[section] = {
                name: {key: _to_short_form(child) for key, child in entry.items()} if isinstance(entry, dict)
                else _to_short_form(entry)
                for name, entry in body.items()
            }
        elif section == "Conditions" and isinstance(body, dict):
            result[section] = {name: _to_short_form(entry) for name, entry in body.items()}
        elif section in ("Mappings", "Description", "AWSTemplateFormatVersion"):
            result[section] = body
        else:
            result[section] = _to_short_form(body)
    return result


class _Tagged:
    """A value written with a short-form tag."""

    __slots__ = ("tag", "value")

    def __init__(self, tag: str, value: Any) -> None:
        self.tag = tag
        self.value = value


def _to_short_form(value: Any) -> Any:
    if isinstance(value, list):
        return [_to_short_form(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        key, arg = next(iter(value.items()))
        if key in SHORT_FORM_FUNCTIONS and _short_form_carries(key, arg):
            converted = _to_short_form(arg)
            if isinstance(converted, _Tagged):
                # A node carries one tag, so `!Base64 !Sub x` is not YAML: keep the outer long form.
                return {key: converted}
            if key == "Fn::GetAtt" and _is_plain_getatt(arg):
                converted = f"{arg[0]}.{arg[1]}"
            return _Tagged("!" + key.removeprefix("Fn::"), converted)
    return {key: _to_short_form(child) for key, child in value.items()}


def _short_form_carries(key: str, arg: Any) -> bool:
    """Whether `!Tag arg` reads back as {key: arg}, else the long form is written.

    A tagged scalar is read as text (by iac's loader, cfn-lint's and CloudFormation's alike), so
    `!GetAZs null` would come back as the string "null" and `!Ref 5` as "5": a null, a boolean or a
    number keeps the long form. `!GetAtt A.B` reads back as the list [A, B], so the string form of
    GetAtt (and one with no dot, which the short form cannot hold) keeps it too; so does a
    `Condition` key whose value is not a condition's name (an IAM statement's Condition block).
    """
    if key == "Condition":
        return isinstance(arg, str)
    if isinstance(arg, list | dict):
        return True
    if not isinstance(arg, str):
        return False
    return key != "Fn::GetAtt"


def _is_plain_getatt(arg: Any) -> bool:
    return isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg) and "." not in arg[0]


@functools.cache
def _template_dumper() -> type[yaml.SafeDumper]:
    """The safe dumper (the C one where PyYAML has it) that writes short-form tags and no aliases."""
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class _TemplateDumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    _TemplateDumper.add_representer(_Tagged, _represent_tagged)
    _TemplateDumper.add_representer(str, _represent_string)
    return _TemplateDumper


def _represent_tagged(dumper: yaml.SafeDumper, data: _Tagged) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    if isinstance(data.value, str):
        return _represent_string(dumper, data.value, tag=data.tag)
    return dumper.represent_scalar(data.tag, _scalar_text(dumper, data.value))


def _scalar_text(dumper: yaml.SafeDumper, value: Any) -> str:
    node = dumper.represent_data(value)
    return node.value


def _represent_string(dumper: yaml.SafeDumper, value: str, tag: str = "tag:yaml.org,2002:str") -> yaml.Node:
    style = "|" if "\n" in value and _literal_safe(value) else None
    return dumper.represent_scalar(tag, value, style=style)


def _literal_safe(value: str) -> bool:
    """Literal blocks cannot hold trailing spaces on lines or some control characters faithfully."""
    return not any(line.endswith((" ", "\t")) for line in value.split("\n")) and "\r" not in value

