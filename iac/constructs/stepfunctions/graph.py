"""The check of a definition's graph, and its rendering as the States Language.

Checked when a StateMachine takes the definition, each problem at the user's line: every transition
goes to a state of the same graph (a name given as a string exists; nothing enters or leaves a Parallel
branch or a Map's item processor), no state is unreachable (a state that goes into the graph but that
nothing goes to), every path can end (no loop without a way out), names are unique, Choices have
choices and Parallels branches, and a state belongs to one state machine.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any

from iac.constructs.core.intrinsics import AttributeReference, Reference
from iac.constructs.core.tokens import Token, contains_marker, split_markers, stable_key
from iac.constructs.stepfunctions.states import Choice, Parallel, State, Transition, close_names, state_error
from iac.errors import ConstructError


class _Scope:
    """One graph: the state machine's, a Parallel branch's or a Map item processor's."""

    def __init__(self, label: str, start: State) -> None:
        self.label = label
        self.start = start
        self.states: list[State] = []


class Graph:
    """The states reachable from `start`, checked (a ConstructError at the user's line otherwise)."""

    def __init__(self, start: State, *, path: str) -> None:
        self.path = path
        self.scopes: list[_Scope] = []
        self._owner: dict[int, _Scope] = {}
        self._scope_of_start: dict[int, _Scope] = {}
        self.by_name: dict[str, State] = {}
        self.root = self._collect("the state machine", start)
        self._check_names()
        self._check_targets()
        self._check_reachable()
        self._check_structure()
        self._check_ends()

    @property
    def states(self) -> list[State]:
        return [state for scope in self.scopes for state in scope.states]

    def seal(self) -> None:
        """The states now belong to this state machine: later changes to them are refused."""
        for state in self.states:
            state.machine_path = self.path

    def render(self) -> dict[str, Any]:
        """{"StartAt": ..., "States": {...}} with every branch inside its state."""
        return self._render(self.root)

    # -- collecting ----------------------------------------------------------------------------------

    def _error(self, state: State | None, message: str, *, location: Any = None, hint: str | None = None
               ) -> ConstructError:
        return state_error(state, message, location=location, hint=hint, path=self.path)

    def _collect(self, label: str, start: State) -> _Scope:
        scope = _Scope(label, start)
        self.scopes.append(scope)
        self._scope_of_start[id(start)] = scope
        self._claim(start, scope, None)
        queue = deque([start])
        while queue:
            state = queue.popleft()
            for transition in state.transitions():
                target = transition.target
                if isinstance(target, State) and self._claim(target, scope, (state, transition)):
                    queue.append(target)
        for state in list(scope.states):
            for branch_label, branch_start in state.branches():
                self._collect(branch_label, branch_start)
        return scope

    def _claim(self, state: State, scope: _Scope, via: tuple[State, Transition] | None) -> bool:
        other = self._owner.get(id(state))
        if other is scope:
            return False
        if other is not None:
            raise self._leaving(state, scope, other, via)
        if state.machine_path is not None and state.machine_path != self.path:
            raise self._error(state, f"{state.type_name} state {state.name!r} already belongs to the state machine "
                                     f"{state.machine_path}: a state belongs to one state machine",
                              hint="create the states again (a function that builds the definition) for another "
                                   "state machine")
        self._owner[id(state)] = scope
        scope.states.append(state)
        return True

    def _leaving(self, target: State, scope: _Scope, other: _Scope, via: tuple[State, Transition] | None
                 ) -> ConstructError:
        rule = "a transition cannot enter or leave a Parallel branch or a Map's item processor"
        if via is None:
            return self._error(target, f"{target.type_name} state {target.name!r} starts {scope.label} but is also in "
                                       f"{other.label}: {rule}")
        source, transition = via
        return self._error(source, f"{source.type_name} state {source.name!r} (in {scope.label}) goes to "
                                   f"{target.name!r} ({transition.label}), which is in {other.label}: {rule}",
                           location=transition.location)

    # -- checks --------------------------------------------------------------------------------------

    def _check_names(self) -> None:
        for state in self.states:
            first = self.by_name.setdefault(state.name, state)
            if first is not state:
                raise self._error(state, f"two states are named {state.name!r}: a {first.type_name} state (created at "
                                         f"{first.location}) and this {state.type_name} state; state names must be "
                                         "unique in a state machine, its branches included")

    def _target(self, transition: Transition) -> State:
        target = transition.target
        return target if isinstance(target, State) else self.by_name[target]

    def _check_targets(self) -> None:
        for scope in self.scopes:
            for state in scope.states:
                for transition in state.transitions():
                    if not isinstance(transition.target, str):
                        continue
                    found = self.by_name.get(transition.target)
                    if found is None:
                        raise self._error(state, f"{state.type_name} state {state.name!r} goes to "
                                                 f"{transition.target!r} ({transition.label}), but the state machine "
                                                 f"has no state of that name",
                                          location=transition.location,
                                          hint=close_names(transition.target, list(self.by_name)))
                    if self._owner[id(found)] is not scope:
                        raise self._leaving(found, scope, self._owner[id(found)], (state, transition))

    def _check_reachable(self) -> None:
        for state in self.states:
            for source, transition in state.predecessors:
                if id(source) not in self._owner and source.machine_path is None:
                    raise self._error(source, f"{source.type_name} state {source.name!r} is unreachable: it goes to "
                                              f"{state.name!r} ({transition.label}), but nothing in the state "
                                              f"machine goes to {source.name!r} (StartAt is "
                                              f"{self.root.start.name!r})",
                                      hint="connect it with .next(), a Choice branch or add_catch(), or remove it")

    def _check_structure(self) -> None:
        for state in self.states:
            if isinstance(state, Choice) and not state.choices:
                raise self._error(state, f"Choice state {state.name!r} has no choices",
                                  hint="add one with .when(Condition..., next_state)")
            if isinstance(state, Parallel) and not state.branches():
                raise self._error(state, f"Parallel state {state.name!r} has no branches",
                                  hint="add one with .branch(state_or_chain)")

    def _check_ends(self) -> None:
        for scope in self.scopes:
            ending = {id(state) for state in scope.states if state.ends_run}
            changed = True
            while changed:
                changed = False
                for state in scope.states:
                    if id(state) not in ending and any(id(self._target(t)) in ending for t in state.transitions()):
                        ending.add(id(state))
                        changed = True
            stuck = [state for state in scope.states if id(state) not in ending]
            if stuck:
                names = ", ".join(repr(state.name) for state in stuck)
                raise self._error(stuck[0], f"{stuck[0].type_name} state {stuck[0].name!r} never reaches an end of "
                                            f"{scope.label}: every path from it loops through {names} forever",
                                  hint="give the loop a way out: a Choice branch or otherwise() to a state that "
                                       "ends, a Succeed or a Fail")

    # -- rendering -----------------------------------------------------------------------------------

    def _render(self, scope: _Scope) -> dict[str, Any]:
        return {"StartAt": scope.start.name,
                "States": {state.name: state.to_asl(self._render_branch) for state in scope.states}}

    def _render_branch(self, start: State) -> dict[str, Any]:
        return self._render(self._scope_of_start[id(start)])


# -- the definition as a template value -------------------------------------------------------------

def _camel(text: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", text) if word)


class Substitutions:
    """Deploy-time values of a definition (ARNs, names) moved out of the JSON text into
    DefinitionSubstitutions: the text holds `${Key}`, CloudFormation resolves the value. A value used
    twice gets one key; keys are named after where the value first appears."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self._keys: dict[str, str] = {}

    def placeholder(self, value: Any, where: list[str]) -> str:
        identity = stable_key(value)
        key = self._keys.get(identity)
        if key is None:
            base = self._name(value, where) or "Value"
            key, number = base, 2
            while key in self.values:
                key, number = f"{base}{number}", number + 1
            self.values[key] = value
            self._keys[identity] = key
        return "${" + key + "}"

    @staticmethod
    def _name(value: Any, where: list[str]) -> str:
        fields = [part for part in where if not part.isdigit()]
        field = (fields[-1] if fields else "").removesuffix(".$")
        if isinstance(value, AttributeReference | Reference):
            parts = [part for part in value.target.path.split("/")[1:] if part not in ("Resource", "Default")]
            suffix = value.attribute if isinstance(value, AttributeReference) else field
            return _camel(" ".join(parts)) + _camel(suffix.replace(".", " "))
        if fields and fields[-1] == "Resource" and isinstance(value, str):
            literal = "".join(part for part in split_markers(value) if isinstance(part, str))
            return "Resource" + _camel(literal.partition(":::")[2] or literal)
        state = next((where[index + 1] for index in range(len(where) - 2, -1, -1)
                      if where[index] == "States" and index + 1 < len(where)), "")
        return _camel(state) + _camel(field)

    def externalize(self, value: Any, where: list[str]) -> Any:
        if isinstance(value, Token) or (isinstance(value, str) and contains_marker(value)):
            return self.placeholder(value, where)
        if isinstance(value, dict):
            for key in value:
                if not isinstance(key, str) or contains_marker(key):
                    raise ConstructError(f"a state machine definition's keys must be plain strings, got {key!r} at "
                                         f"{'.'.join(where) or 'the top'}")
            return {key: self.externalize(item, [*where, key]) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.externalize(item, [*where, str(index)]) for index, item in enumerate(value)]
        return value


def definition_string(definition: dict[str, Any], *, path: str, location: Any) -> tuple[str, dict[str, Any]]:
    """The definition as JSON text with `${Key}` placeholders, and the substitutions for them."""
    substitutions = Substitutions()
    try:
        text = json.dumps(substitutions.externalize(definition, []), separators=(",", ":"), ensure_ascii=False)
    except ConstructError as error:
        raise ConstructError(error.message, path=path, location=location) from None
    except (TypeError, ValueError) as error:
        raise ConstructError(f"the definition holds a value JSON cannot write: {error}", path=path, location=location,
                             hint="results, parameters and payloads take JSON values: dicts, lists, strings, "
                                  "numbers, booleans, None and tokens") from None
    return text, substitutions.values
