"""`--parameters [STACK:]NAME=VALUE`: one parser and one set of rules for `diff` and `deploy`.

A value without STACK goes to every chosen stack that declares NAME; with STACK (named by the same
rules as a STACK argument: name, stack name, construct path, globs) to the chosen stacks it picks,
and over a value without STACK. A STACK that picks no chosen stack, or a NAME no stack it is meant
for declares, is a usage error: a typo must not deploy (or diff) the default value unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import click

from iac.cli.selection import StackNames, matching, no_match_error
from iac.errors import UsageError
from iac.text import printable

T = TypeVar("T")

SYNTAX = "[STACK:]NAME=VALUE"


@attrs.frozen(kw_only=True)
class GivenParameter:
    """One `--parameters` item as typed: for the stacks `stack` picks (None: any that declares `name`)."""

    stack: str | None
    name: str
    value: str


def parameters_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--parameters`/`-p [STACK:]NAME=VALUE`, repeatable, spelled the same by every command."""
    return click.option("--parameters", "-p", multiple=True, metavar=SYNTAX, help=help_text)


def parse_parameters(items: Sequence[str]) -> list[GivenParameter]:
    """The items, checked for their form before anything runs; the value may hold `=` and `:`."""
    given = []
    for item in items:
        key, equals, value = item.partition("=")
        stack, colon, name = key.rpartition(":")
        if not equals or not name or (colon and not stack):
            raise UsageError(f"--parameters takes {SYNTAX}, got {printable(item)!r}",
                             hint="e.g. -p Env=prod (every stack declaring Env) or -p Network:Env=prod")
        given.append(GivenParameter(stack=stack or None, name=name, value=value))
    return given


def parameters_by_stack(given: Sequence[GivenParameter], stacks: Sequence[T], *, names: Callable[[T], StackNames],
                        template: Callable[[T], dict[str, Any] | None], doing: str) -> dict[str, dict[str, str]]:
    """{assembly name: {parameter: value}} for each of the chosen `stacks` (every one has an entry).

    `doing` ("deployed", "compared") completes the messages: "... which is not being deployed".
    """
    known = [names(stack) for stack in stacks]
    declared = [_declared(template(stack)) for stack in stacks]
    plain: list[dict[str, str]] = [{} for _ in stacks]
    aimed: list[dict[str, str]] = [{} for _ in stacks]
    for parameter in given:
        if parameter.stack is None:
            targets = [index for index, names in enumerate(declared) if parameter.name in names]
            if not targets:
                raise _undeclared(parameter.name, f"the stacks being {doing}", set().union(*declared))
            for index in targets:
                plain[index][parameter.name] = parameter.value
            continue
        targets = matching(parameter.stack, known)
        if not targets:
            raise no_match_error(parameter.stack, known, message=f"--parameters names stack {parameter.stack!r}, "
                                                                  f"which is not being {doing}")
        for index in targets:
            if parameter.name not in declared[index]:
                raise _undeclared(parameter.name, f"stack {known[index].name}", declared[index])
            aimed[index][parameter.name] = parameter.value
    return {names.name: {**plain[index], **aimed[index]} for index, names in enumerate(known)}


def _declared(template: dict[str, Any] | None) -> set[str]:
    section = (template or {}).get("Parameters")
    return set(section) if isinstance(section, dict) else set()


def _undeclared(name: str, where: str, declared: set[str]) -> UsageError:
    return UsageError(f"parameter {name!r} is not declared by {where}",
                      hint=f"declared: {', '.join(sorted(declared)) or 'none'}")
