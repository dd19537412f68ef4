"""Python source text the importer writes, laid out the way `ruff format` lays it out.

An expression is a small tree: `Atom` (text that cannot break) and `Group` (brackets around items,
each item optionally led by `name=` or `"key": `). A group goes on one line when that line fits the
limit; otherwise each item goes on its own line with a trailing comma, which is ruff's "magic
trailing comma", so ruff keeps it exploded and the file is a fixed point of `ruff format`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

LINE_LENGTH = 100
INDENT = "    "


@attrs.frozen
class Atom:
    text: str


@attrs.frozen
class Item:
    """One element of a group: `lead` is "name=", '"Key": ' or "" (a positional value)."""

    lead: str
    value: Node


@attrs.frozen
class Group:
    open: str  # "sqs.Queue(", "[", "{"
    items: tuple[Item, ...]
    close: str  # ")", "]", "}"


Node = Atom | Group


def call(function: str, positional: Sequence[Node] = (), keywords: Sequence[tuple[str, Node]] = ()) -> Group:
    items = [Item("", value) for value in positional] + [Item(f"{name}=", value) for name, value in keywords]
    return Group(f"{function}(", tuple(items), ")")


def flat(node: Node) -> str:
    if isinstance(node, Atom):
        return node.text
    return node.open + ", ".join(item.lead + flat(item.value) for item in node.items) + node.close


def render(node: Node, indent: str = "", lead: str = "", trail: str = "") -> list[str]:
    """`lead + node + trail` as lines starting at `indent`."""
    one_line = indent + lead + flat(node) + trail
    if len(one_line) <= LINE_LENGTH or isinstance(node, Atom) or not node.items:
        return [one_line]
    lines = [indent + lead + node.open]
    inner = indent + INDENT
    for item in node.items:
        lines += render(item.value, inner, item.lead, ",")
    lines.append(indent + node.close + trail)
    return lines


def string(text: str) -> Atom:
    return Atom(string_literal(text))


def string_literal(text: str, *, braces: bool = False) -> str:
    """A string literal ruff keeps: double quotes unless single ones need fewer escapes."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + escape(text, quote, braces=braces) + quote


def escape(text: str, quote: str, *, braces: bool = False) -> str:
    out: list[str] = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == quote:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif braces and char in "{}":
            out.append(char * 2)
        elif not char.isprintable() and char != " ":
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def number(value: int | float) -> Atom:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return Atom(f'float("{value}")')
        text = repr(value)
        if "e" in text:  # ruff writes exponents without "+": 1e+16 -> 1e16
            mantissa, _, exponent = text.partition("e")
            text = f"{mantissa}e{exponent.lstrip('+')}"
        return Atom(text)
    return Atom(str(value))
