"""Step Functions definitions in a template, read as the graph of states they describe.

A definition is the `Definition` object or the `DefinitionString` (a JSON string, or a Fn::Sub/Fn::Join
whose computed parts stand inside JSON strings); one that cannot be read is not judged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from iac.checks._model import TemplateResource
from iac.checks._values import text_of

TYPES = ("AWS::StepFunctions::StateMachine",)
READS = {"AWS::StepFunctions::StateMachine": ("Definition", "DefinitionString")}
#: States that end an execution, and so need neither Next nor End.
TERMINAL = ("Succeed", "Fail")


def definition(resource: TemplateResource) -> tuple[dict[str, Any] | None, str]:
    """The definition as a dict (None when it cannot be read) and the property it is in."""
    if isinstance(resource.properties.get("Definition"), dict):
        return resource.properties["Definition"], "Definition"
    text = text_of(resource.properties.get("DefinitionString"))
    if text is None:
        return None, "DefinitionString"
    try:
        loaded = json.loads(text)
    except ValueError:
        return None, "DefinitionString"
    return (loaded if isinstance(loaded, dict) else None), "DefinitionString"


def machines(machine: dict[str, Any], where: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    """The machine and every machine inside it (a Parallel's branches, a Map's processor), each with a
    description of where it is ("" for the top level)."""
    yield machine, where
    states = machine.get("States")
    for name, state in (states.items() if isinstance(states, dict) else ()):
        if not isinstance(state, dict):
            continue
        branches = state.get("Branches") if state.get("Type") == "Parallel" else None
        for index, branch in enumerate(branches if isinstance(branches, list) else []):
            if isinstance(branch, dict):
                yield from machines(branch, f"{where}branch {index + 1} of {name!r}: ")
        if state.get("Type") == "Map":
            inner = state.get("ItemProcessor") or state.get("Iterator")
            if isinstance(inner, dict):
                yield from machines(inner, f"{where}the item processor of {name!r}: ")


def transitions(state: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(what, target) for every transition a state names: Next, a Choice's rules and Default, Catch."""
    if "Next" in state:
        yield "Next", state["Next"]
    if "Default" in state and state.get("Type") == "Choice":
        yield "Default", state["Default"]
    for key in ("Choices", "Catch"):
        entries = state.get(key)
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict) and "Next" in entry:
                yield f"{key}[{index}].Next", entry["Next"]
