"""Python source text the importer writes, laid out the way `ruff format` lays it out.

An expression is a small tree: `Atom` (text that cannot break) and `Group` (brackets around items,
each item optionally led by `name=` or `"key": `). A group goes on one line when that line fits the
limit; otherwise each item goes on its own line with a trailing comma, which is ruff's "magic
trailing comma", so ruff keeps it exploded and the file is a fixed point of `ruff format`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

import attrs

LINE_LENGTH = 100
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z_0-9]*(\.[A-Za-z_][A-Za-z_0-9]*)*")
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


@attrs.frozen
class Text:
    """A string literal (an f-string when a segment is a field), which may be split into parts that
    Python joins: `("first part " "second part")`, each on its own line."""

    segments: tuple[tuple[str, bool], ...]  # (text, is a replacement field's expression)

    @property
    def literal(self) -> str:
        return _literal(self.segments)

    def parts(self, width: int) -> list[str]:
        """The literal as parts of at most `width` characters where it can be broken (after a newline,
        else after a space, else anywhere in the text; never inside a field)."""
        pieces: list[tuple[str, bool]] = []
        for text, field in self.segments:
            if field:
                pieces.append((text, True))
            else:
                pieces += [(piece, False) for piece in re.findall(r"[^\n ]*(?:\n| +|$)", text) if piece]
        parts: list[list[tuple[str, bool]]] = [[]]
        for piece in pieces:
            if parts[-1] and text_width(_literal(tuple(parts[-1] + [piece]))) > width:
                parts.append([])
            if not piece[1] and text_width(_literal(((piece[0], False),))) > width:  # a long word: cut it
                text = piece[0]
                while text:
                    size = 1
                    while size < len(text) and text_width(
                            _literal(tuple(parts[-1] + [(text[:size + 1], False)]))) <= width:
                        size += 1
                    parts[-1].append((text[:size], False))
                    text = text[size:]
                    if text:
                        parts.append([])
                continue
            parts[-1].append(piece)
            if not piece[1] and piece[0].endswith("\n"):
                parts.append([])  # a line of the text per part, where it has lines
        return [_literal(tuple(part)) for part in parts if part]


def _literal(segments: tuple[tuple[str, bool], ...]) -> str:
    plain = "".join(text for text, field in segments if not field)
    quote = "'" if plain.count('"') > plain.count("'") else '"'
    if any(field and "'" in text for text, field in segments):
        quote = '"'  # a field's own string is in single quotes (an f-string cannot nest its quote before 3.12)
    if not any(field for _, field in segments):
        return quote + escape(plain, quote) + quote
    body = "".join("{" + text + "}" if field else escape(text, quote, braces=True) for text, field in segments)
    return f"f{quote}{body}{quote}"


Node = Atom | Group | Text


def call(function: str, positional: Sequence[Node] = (), keywords: Sequence[tuple[str, Node]] = ()) -> Group:
    items = [Item("", value) for value in positional] + [Item(f"{name}=", value) for name, value in keywords]
    return Group(f"{function}(", tuple(items), ")")


def flat(node: Node) -> str:
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Text):
        return node.literal
    return node.open + ", ".join(item.lead + flat(item.value) for item in node.items) + node.close


def render(node: Node, indent: str = "", lead: str = "", trail: str = "") -> list[str]:
    """`lead + node + trail` as lines starting at `indent`."""
    one_line = indent + lead + flat(node) + trail
    if text_width(one_line) <= LINE_LENGTH or (isinstance(node, Group) and not node.items):
        return [one_line]
    inner = indent + INDENT
    if isinstance(node, Atom):  # a long name (`load_balancer.attr_...`) goes in parentheses, on a line of its own
        if (lead or trail) and _DOTTED.fullmatch(node.text):
            return [indent + lead + "(", inner + node.text, indent + ")" + trail]
        return [one_line]
    if isinstance(node, Text):  # in parentheses, on lines of its own (ruff keeps both forms)
        if not lead and not trail:
            return [one_line]  # a statement of its own: nothing to break
        width = LINE_LENGTH - len(inner)
        return [indent + lead + "("] + [inner + part for part in node.parts(width)] + [indent + ")" + trail]
    lines = [indent + lead + node.open]
    if len(node.items) == 1 and not node.items[0].lead and isinstance(node.items[0].value, Text):
        sole = node.items[0].value
        if len(inner) + text_width(sole.literal) + 1 > LINE_LENGTH:  # a long string, a call's only argument
            width = LINE_LENGTH - len(inner)
            return lines + [inner + part for part in sole.parts(width)] + [indent + node.close + trail]
    for item in node.items:
        lines += render(item.value, inner, item.lead, ",")
    lines.append(indent + node.close + trail)
    return lines


def text_width(text: str) -> int:
    """Columns `text` takes, as ruff counts them (Unicode widths: East Asian wide characters take two,
    combining marks none)."""
    if text.isascii():
        return len(text)
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def string(text: str) -> Text:
    return Text(((text, False),))


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
