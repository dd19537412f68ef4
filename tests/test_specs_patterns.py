"""specs.pattern_matches: the registry schemas' patterns as the `regex` module judges them, answered by the
standard `re` where the two read a pattern alike (printable ASCII text, plain syntax). The shortcut must give
regex's answer on every pattern the shipped schemas hold, for text of every kind."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import regex

from iac import specs


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        if isinstance(node.get("patternProperties"), dict):
            yield from node["patternProperties"]
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def _registry_patterns() -> list[str]:
    folder = os.path.join(specs.schema_root(), "resources")
    found: set[str] = set()
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            found.update(_patterns(json.load(handle)))
    return sorted(found)


#: Text of the kinds values take: names, ARNs, numbers, paths, blanks, punctuation; and text the shortcut
#: leaves to regex (non-ASCII, control characters).
TEXTS = (
    "",
    " ",
    "a",
    "Z",
    "0",
    "_",
    "-",
    "abc",
    "ABC-123",
    "my_table.v2",
    "a b",
    " lead",
    "trail ",
    "x" * 300,
    "arn:aws:iam::123456789012:role/Admin",
    "arn:aws:s3:::bucket/key*",
    "arn:aws-cn:lambda:cn-north-1:1:function:f",
    "123456789012",
    "1.5",
    "-7",
    "2024-01-31",
    "https://example.com/a?b=c",
    "/path/to/thing",
    "index.handler",
    "us-east-1",
    "aws:tag",
    "UPPER_lower-123",
    "a@b.c",
    "{}",
    "[x]",
    "$LATEST",
    "*",
    "a*b",
    "\\",
    "ünï",
    "tab\there",
    "line\nbreak",
    "\x1f",
    "日本",
)


def test_the_shortcut_gives_regexs_answer_for_every_registry_pattern() -> None:
    patterns = _registry_patterns()
    alike = [pattern for pattern in patterns if specs._reads_alike(pattern)]
    assert len(patterns) > 1_000
    assert len(alike) > len(patterns) // 2  # most patterns are plain: the shortcut does answer

    for pattern in patterns:
        try:
            compiled = regex.compile(pattern)
        except regex.error:
            assert specs.pattern_matches(pattern, "a") is None
            continue
        for text in TEXTS:
            assert specs.pattern_matches(pattern, text) is (compiled.search(text) is not None), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "alike"),
    [
        (r"^[a-zA-Z0-9_.-]+$", True),
        (r"^[^\s]+$", True),
        (r"^arn:aws:[a-z0-9-]{1,63}:.*$", True),
        (r"^(lambda:[*]|lambda:[a-zA-Z]+|[*])$", True),
        (r"^(arn:(aws[a-zA-Z-]*)?:lambda:)?$", True),  # an optional group
        (r"^([a-z]+-)*[a-z]+$", False),  # a repeated group: re backtracks exponentially through (a+)+
        (r"^(a+)+$", False),
        (r"^[\p{L}\p{N}]+$", False),  # \p{...}: regex only
        (r"(?i)^abc$", False),  # inline flags
        (r"^(?!aws:).+$", False),  # a look-around
        (r"^[[:alpha:]]+$", False),  # a POSIX class
        (r"^a++$", False),  # possessive
        (r"^abc\Z", False),
        (r"^ü+$", False),  # non-ASCII pattern
    ],
)
def test_which_patterns_the_engines_read_alike(pattern: str, alike: bool) -> None:
    assert specs._reads_alike(pattern) is alike


def test_a_catastrophic_pattern_is_left_to_regex() -> None:
    """`re` takes seconds on ^(a+)+$ against 30 a's and a '!'; regex's guards answer at once."""
    assert specs.pattern_matches(r"^(a+)+$", "a" * 30 + "!") is False


def test_plain_patterns_on_plain_text_do_not_import_regex() -> None:
    script = (
        "import sys\n"
        "from iac import specs\n"
        "print(specs.pattern_matches(r'^[a-zA-Z0-9_.-]+$', 'my-table'), specs.pattern_matches(r'^\\S+$', 'a b'))\n"
        "print('regex' in sys.modules)\n"
        "print(specs.pattern_matches(r'^[\\p{L}]+$', 'ünï'), 'regex' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)

    assert result.stdout.split() == ["True", "False", "False", "True", "True"]


def test_the_packaged_paths_are_those_of_the_whole_files_parse() -> None:
    """packaged_property_paths parses only cfn-lint's assignment; the whole file's parse finds the same."""
    import ast

    source = os.path.join(os.path.dirname(specs.cfn_lint_data_root()), "helpers.py")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    lone = specs._lone_assignment(text, "TEMPLATED_PROPERTY_CFN_PATHS")
    assert lone is not None  # the shortcut applies to the cfn-lint iac pins
    whole = [
        node
        for node in ast.parse(text).body
        if isinstance(node, ast.Assign)
        and any(getattr(target, "id", None) == "TEMPLATED_PROPERTY_CFN_PATHS" for target in node.targets)
    ]

    assert ast.dump(lone.body[0]) == ast.dump(whole[0]) and len(whole) == 1
    assert specs.packaged_property_paths()["AWS::Lambda::Function"] == (("Code",),)


@pytest.mark.parametrize(
    "text",
    [
        "NAME = [1]\nNAME = [2]\n",  # assigned twice: the whole file decides
        "NAME: list[int] = [1]\n",  # annotated: not an assignment the constant is read from
        "NAME == 1\n",
        "OTHER = 1\n",
    ],
)
def test_an_unusual_assignment_is_left_to_the_whole_parse(text: str) -> None:
    assert specs._lone_assignment(text, "NAME") is None


PRINTABLE_ASCII = [chr(code) for code in range(0x20, 0x7F)]


def test_the_ascii_spelling_of_each_category_holds_what_regex_puts_in_it() -> None:
    for category, chars in specs._ASCII_OF_CATEGORY.items():
        in_category = {char for char in PRINTABLE_ASCII if regex.fullmatch(rf"\p{{{category}}}", char)}
        assert in_category == {char for char in PRINTABLE_ASCII if re.fullmatch(f"[{chars}]", char)}, category


def test_patterns_with_unicode_categories_are_answered_by_re_as_regex_answers_them() -> None:
    spelled = [pattern for pattern in _registry_patterns()
               if "\\p{" in pattern and specs._pattern_matcher(pattern)[0] is not None]
    assert spelled  # the tag patterns at least: `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`
    texts = [*TEXTS, *PRINTABLE_ASCII, *(char * 3 for char in PRINTABLE_ASCII),
             *("a" + char + "1" for char in PRINTABLE_ASCII)]
    for pattern in spelled:
        compiled = regex.compile(pattern)
        for text in texts:
            assert specs.pattern_matches(pattern, text) is (compiled.search(text) is not None), (pattern, text)


@pytest.mark.parametrize(
    ("pattern", "spelled"),
    [
        (r"^[\p{L}\p{N}]+$", "^[A-Za-z0-9]+$"),
        (r"^\p{L}+$", "^[A-Za-z]+$"),
        (r"^[^\p{Z}]*$", "^[^ ]*$"),
        (r"^[a-\p{L}]$", None),  # the end of a range
        (r"^[\p{N}-z]$", None),
        (r"^\p{Lu}$", None),  # another category
        (r"^[]\p{L}]$", None),  # a set starting with "]"
        (r"^[a-z]+$", None),  # nothing to spell
    ],
)
def test_which_patterns_are_spelled_in_ascii(pattern: str, spelled: str | None) -> None:
    assert specs._ascii_categories(pattern) == spelled


def test_a_tag_value_is_checked_without_importing_regex() -> None:
    script = (
        "import sys\n"
        "from iac import specs\n"
        "print(specs.pattern_matches(r'^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$', 'team a:b/c'), 'regex' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False"]
