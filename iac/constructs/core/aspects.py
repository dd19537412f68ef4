"""Aspects: visitors run over the construct tree before synthesis, and the findings they (or any code) add.

    class BucketsVersioned:
        def visit(self, node):
            if isinstance(node, CfnResource) and node.resource_type == "AWS::S3::Bucket":
                if "VersioningConfiguration" not in node.properties:
                    Annotations.of(node).add_error("buckets must be versioned")

    Aspects.of(stack).add(BucketsVersioned())

Every aspect added to a scope visits that scope and every construct below it, parents before children, the
aspects of an outer scope before those of an inner one, each in the order they were added. A visitor may
change what it visits (set a property, add a child); a construct it adds is visited too. Each aspect visits
each construct once, however often the app is synthesized. `Tags.of(...)` and `RemovalPolicy.apply(...)`
are aspects of this kind.

Findings (`Annotations.of(node).add_error / add_warning`) carry the node's path and the user's line where
the node was made; a finding added while an aspect runs also names the aspect and the line that added it.
Errors fail the synth; warnings are reported with the validation warnings (errors under `--strict`).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import attrs

from iac.constructs.core.construct import Construct
from iac.constructs.core.source import SourceLocation, caller_location
from iac.errors import ConstructError, IacError, Problem

#: How many times the tree is walked at most: each walk visits what aspects of the previous one added.
MAX_PASSES = 10


@runtime_checkable
class IAspect(Protocol):
    """A visitor: `visit(node)` is called for each construct below the scope it was added to."""

    def visit(self, node: Construct) -> None: ...


@attrs.frozen
class _Added:
    aspect: Any
    location: SourceLocation | None


class Aspects:
    """The aspects of one scope: `Aspects.of(scope).add(visitor)`."""

    def __init__(self, scope: Construct) -> None:
        self._scope = scope

    @staticmethod
    def of(scope: Construct) -> Aspects:
        if not isinstance(scope, Construct):
            raise ConstructError(f"Aspects.of takes a construct (an App, Stack or construct), got "
                                 f"{type(scope).__name__}", location=caller_location())
        return Aspects(scope)

    def add(self, aspect: IAspect) -> None:
        """Run `aspect.visit(node)` on this scope and every construct below it, before synthesis."""
        location = caller_location()
        if not callable(getattr(aspect, "visit", None)):
            raise ConstructError(f"an aspect needs a visit(node) method; {type(aspect).__name__} has none",
                                 path=self._scope.path or None, location=location)
        _added(self._scope).append(_Added(aspect, location))

    @property
    def all(self) -> list[Any]:
        """The aspects added to this scope itself, in order (not those of outer scopes)."""
        return [entry.aspect for entry in _added(self._scope)]


def _added(scope: Construct) -> list[_Added]:
    found: list[_Added] | None = scope.__dict__.get("_iac_aspects")
    if found is None:
        found = scope.__dict__["_iac_aspects"] = []
    return found


@attrs.frozen
class _Finding:
    severity: str
    message: str
    hint: str | None
    by: str | None  # the aspect that added it, and where that aspect was added


class Annotations:
    """Findings about one construct: `Annotations.of(node).add_error("...")` or `.add_warning("...")`."""

    def __init__(self, node: Construct) -> None:
        self._node = node

    @staticmethod
    def of(node: Construct) -> Annotations:
        if not isinstance(node, Construct):
            raise ConstructError(f"Annotations.of takes a construct, got {type(node).__name__}",
                                 location=caller_location())
        return Annotations(node)

    def add_error(self, message: str, *, hint: str | None = None) -> None:
        """A finding that fails the synth."""
        self._add("error", message, hint)

    def add_warning(self, message: str, *, hint: str | None = None) -> None:
        """A finding reported with the synth's warnings (an error under --strict)."""
        self._add("warning", message, hint)

    def _add(self, severity: str, message: str, hint: str | None) -> None:
        if not isinstance(message, str) or not message:
            raise ConstructError("an annotation needs a message", path=self._node.path or None,
                                 location=caller_location())
        finding = _Finding(severity, message, hint, _running[-1] if _running else None)
        found: list[_Finding] = self._node.__dict__.setdefault("_iac_findings", [])
        if finding not in found:  # a second synth of the same app adds nothing new
            found.append(finding)

    @property
    def findings(self) -> list[tuple[str, str]]:
        """(severity, message) of each finding on this construct."""
        return [(f.severity, f.message) for f in self._node.__dict__.get("_iac_findings", [])]


_running: list[str] = []  # "<aspect> (added at file:line)" of the aspect being run, for its findings


def apply_aspects(root: Construct) -> list[Problem]:
    """Run every aspect of the tree below `root` (the synth hook), then return every annotation as a Problem.

    Walks until a walk runs no aspect it had not run on that node before (at most MAX_PASSES walks).
    """
    for _ in range(MAX_PASSES):
        if not _one_pass(root):
            break
    return [
        Problem(finding.message, path=node.path or None, location=node.location, severity=finding.severity,
                code="aspect", hint=_hint(finding))
        for node in root.walk()
        for finding in node.__dict__.get("_iac_findings", [])
    ]


def _hint(finding: _Finding) -> str | None:
    parts = [part for part in (finding.hint, f"found by {finding.by}" if finding.by else None) if part]
    return "; ".join(parts) or None


def _one_pass(root: Construct) -> bool:
    ran = False
    pending: list[tuple[Construct, tuple[_Added, ...]]] = [(root, ())]
    while pending:
        node, inherited = pending.pop()
        own = node.__dict__.get("_iac_aspects")
        active = inherited + tuple(own) if own else inherited
        if active:  # most trees have aspects on few nodes, if any: nothing to record for the rest
            done: set[int] = node.__dict__.setdefault("_iac_aspects_done", set())
            for entry in active:
                if id(entry) in done:
                    continue
                done.add(id(entry))
                ran = True
                _visit(entry, node)
        pending.extend((child, active) for child in reversed(node._children.values()))
    return ran


def _visit(entry: _Added, node: Construct) -> None:
    name = type(entry.aspect).__name__
    _running.append(f"{name} (added at {entry.location})" if entry.location else name)
    try:
        entry.aspect.visit(node)
    except IacError:
        raise
    except Exception as error:  # the user's visitor failed: say which, on which node, where it was added
        raise ConstructError(f"aspect {name} failed on {node.path or 'the app'}: {type(error).__name__}: {error}",
                             path=node.path or None, location=entry.location) from error
    finally:
        _running.pop()


__all__ = ["Annotations", "Aspects", "IAspect", "apply_aspects"]
