"""Token resolution for one stack: turns tokens, f-string markers and references into template JSON.

A reference to an element of another stack becomes `Fn::ImportValue` here and an `Export` output in
the producing stack (collected in `Exports`), and the consuming stack gains a dependency on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import attrs

from iac.constructs.core.construct import Construct
from iac.constructs.core.intrinsics import AttributeReference, Reference
from iac.constructs.core.logical_id import MAX_LOGICAL_ID_LENGTH, path_hash
from iac.constructs.core.tokens import MARKER_PREFIX as _MARKER
from iac.constructs.core.tokens import ResolveContext, Token, contains_marker, split_markers
from iac.errors import SynthError


@attrs.frozen(kw_only=True)
class StackDependency:
    """That the stack being written needs `producer` (a stack), and why, in words."""

    producer: Any
    reason: str


@attrs.define
class Exports:
    """Outputs to add to producing stacks: {stack: {output logical id: (value, export name)}}."""

    by_stack: dict[Any, dict[str, tuple[Any, str]]] = attrs.field(factory=dict)

    def export(self, producer_stack: Any, output_id: str, value: Any) -> str:
        outputs = self.by_stack.setdefault(producer_stack, {})
        if output_id not in outputs:
            outputs[output_id] = (value, f"{producer_stack.stack_name}:{output_id}")
        return outputs[output_id][1]


def export_output_id(token: Token, target: Any) -> str:
    """A stable output id for an exported reference, e.g. `ExportsOutputRefQueue` or
    `ExportsOutputFnGetAttQueueArn`, shortened with a hash if it would exceed 255 characters."""
    if isinstance(token, AttributeReference):
        name = "ExportsOutputFnGetAtt" + target.logical_id + "".join(c for c in token.attribute if c.isalnum())
    else:
        name = "ExportsOutputRef" + target.logical_id
    if len(name) > MAX_LOGICAL_ID_LENGTH:
        name = name[: MAX_LOGICAL_ID_LENGTH - 8] + path_hash([name])
    return name


class StackResolver(ResolveContext):
    """Resolves values as seen from `stack`; `current` is the element being written (for errors)."""

    def __init__(self, stack: Any, exports: Exports) -> None:
        self.stack = stack
        self.exports = exports
        self.current: Any = None
        self.dependencies: list[StackDependency] = []

    # -- ResolveContext --------------------------------------------------------------------

    def resolve(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:  # the exact JSON types first: nearly every value of a template is one
            return self._resolve_string(value) if _MARKER in value else value
        if kind is dict:
            return self._resolve_dict(value)
        if kind is list:
            return [self.resolve(item) for item in value]
        if kind is int or kind is bool:
            return value
        return self._resolve_other(value)

    def _resolve_other(self, value: Any) -> Any:
        """`resolve` of what is not exactly a str, dict, list, int or bool (tokens, subclasses, floats...)."""
        if isinstance(value, str):
            return self._resolve_string(value) if contains_marker(value) else value
        if isinstance(value, dict):
            return self._resolve_dict(value)
        if isinstance(value, list | tuple):
            return [self.resolve(item) for item in value]
        if isinstance(value, Token):
            return value.resolve(self)
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self._error(f"{value!r} cannot be written to a template (not a finite number)")
            return value
        if isinstance(value, Construct):
            raise self._error(
                f"the construct {value.path or 'App'!r} was used as a value",
                hint="use its .ref or .get_att('Attribute') to refer to it",
            )
        raise self._error(f"a value of type {type(value).__name__} cannot be written to a template: {value!r}")

    def resolve_reference(self, token: Token, target: Any, build: Callable[[], Any]) -> Any:
        target_stack = target.stack
        if target_stack is self.stack:
            return build()
        if target.root is not self.stack.root:
            raise self._error(f"{target.path!r} belongs to another App and cannot be referenced here")
        if not isinstance(token, Reference | AttributeReference):
            raise self._error(
                f"{target.element_kind} {target.path!r} is in stack {target_stack.path!r}; "
                f"a {target.element_kind} can only be used inside its own stack",
                hint=f"create a {type(target).__name__} in stack {self.stack.path!r} too",
            )
        output_id = export_output_id(token, target)
        value = build()
        exported = self.exports.by_stack.get(target_stack, {}).get(output_id)
        if exported is not None and exported[0] != value:  # e.g. Table.StreamArn and TableStream.Arn
            raise self._error(
                f"{target.path!r} cannot be exported as {output_id!r}: stack {target_stack.path!r} "
                f"already exports another value under that id ({exported[0]})",
                hint="change the id of one of the two resources (or call override_logical_id())",
            )
        export_name = self.exports.export(target_stack, output_id, value)
        self.add_dependency(target_stack, f"{self._current_path()} refers to {target.path}")
        return {"Fn::ImportValue": export_name}

    # -- helpers ---------------------------------------------------------------------------

    def add_dependency(self, producer: Any, reason: str) -> None:
        self.dependencies.append(StackDependency(producer=producer, reason=reason))

    def name_of(self, element: Any, *, what: str) -> str:
        """Logical id of `element` (an element or a plain string) for use inside this stack."""
        if isinstance(element, str):
            return element
        if getattr(element, "element_kind", None) is None:
            raise self._error(f"{what} must be a construct of this stack or a logical id, got {element!r}")
        if element.stack is not self.stack:
            raise self._error(
                f"{what} {element.path!r} is in stack {element.stack.path!r}, not in {self.stack.path!r}"
            )
        return element.logical_id

    def _resolve_dict(self, value: dict[Any, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, child in value.items():
            if child is None:
                continue  # an unset optional value: leave the key out, as CloudFormation expects
            if type(key) is not str and not isinstance(key, str):
                raise self._error(f"template keys must be strings, got {type(key).__name__} {key!r}")
            if _MARKER in key:
                raise self._error(f"a deploy-time value (Ref/GetAtt) cannot be used as a key: {key!r}")
            kind = type(child)
            if (kind is str and _MARKER not in child) or kind is int or kind is bool:
                result[key] = child  # as resolve() would return it, without the call
                continue
            resolved = self.resolve(child)
            if resolved is not None:  # a lazy value that turned out unset
                result[key] = resolved
        return result

    def _resolve_string(self, text: str) -> Any:
        parts: list[Any] = []
        for part in split_markers(text):
            resolved: Any = part if isinstance(part, str) else self.resolve(part)
            if _is_plain_join(resolved):
                parts.extend(resolved["Fn::Join"][1])
            else:
                parts.append(resolved)
        merged: list[Any] = []
        for part in parts:
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            elif part != "":
                merged.append(part)
        if len(merged) == 1:
            return merged[0]
        return {"Fn::Join": ["", merged]}

    def _current_path(self) -> str:
        return self.current.path if self.current is not None else self.stack.path

    def _error(self, message: str, hint: str | None = None) -> SynthError:
        current = self.current
        return SynthError(
            message,
            path=current.path if current is not None else self.stack.path,
            location=current.location if current is not None else self.stack.location,
            hint=hint,
        )


def _is_plain_join(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1 or "Fn::Join" not in value:
        return False
    args = value["Fn::Join"]
    return isinstance(args, list) and len(args) == 2 and args[0] == "" and isinstance(args[1], list)
