"""The construct tree: every piece of infrastructure is a node with a scope, an id and a path.

The tree is what gives iac its composition (an L3 construct is a subtree), its stable names (the path
becomes the logical id) and its error messages (every node knows the user's file:line).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, TypeVar

import attrs

from iac.constructs.core.source import SourceLocation, creation_location
from iac.errors import ConstructError

PATH_SEPARATOR = "/"
T = TypeVar("T")


class Construct:
    """A node of the construct tree.

    `scope` is the parent (None only for the App), `id` is unique among its siblings, and `path` is
    the ids from the root joined with "/". Subclasses call `super().__init__(scope, id)` first.
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every construct class's own constructor checks its arguments against its signature (a
        misspelt prop is "did you mean", values meet their annotation and bound schema): see props.py."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is not None and not getattr(init, "__iac_checked__", False):
            cls.__init__ = _checked_init(init, cls)  # type: ignore[method-assign]

    def __init__(self, scope: Construct | None, id: str) -> None:
        self._location = creation_location(self)
        self._children: dict[str, Construct] = {}
        self.scope = scope
        if scope is None:
            self.id = id
            self.path = ""
            return
        if not isinstance(scope, Construct):
            raise ConstructError(
                f"the scope of construct {id!r} must be a Construct (an App, Stack or construct), "
                f"got {type(scope).__name__}",
                location=self._location,
            )
        _check_id(id, scope, self._location)
        self.id = id
        self.path = f"{scope.path}{PATH_SEPARATOR}{id}" if scope.path else id
        scope._add_child(self)

    # -- tree ------------------------------------------------------------------------------

    def _add_child(self, child: Construct) -> None:
        if child.id in self._children:
            existing = self._children[child.id]
            raise ConstructError(
                f"there is already a construct with id {child.id!r} in {self.path or 'the app'}"
                + (f" (created at {existing.location})" if existing.location else ""),
                path=child.path,
                location=child.location,
                hint="ids must be unique among the children of one scope; pick another id",
            )
        self._children[child.id] = child

    @property
    def children(self) -> list[Construct]:
        """Direct children, in the order they were created."""
        return list(self._children.values())

    def find_child(self, id: str) -> Construct | None:
        return self._children.get(id)

    def walk(self) -> Iterator[Construct]:
        """This construct and all below it, depth first, in creation order."""
        stack: list[Construct] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node._children.values()))

    @property
    def location(self) -> SourceLocation | None:
        """Where the user created this construct (first frame outside iac)."""
        return self._location

    @property
    def root(self) -> Construct:
        node = self
        while node.scope is not None:
            node = node.scope
        return node

    @property
    def stack(self) -> Any:
        """The Stack this construct belongs to (raises if it is not inside one)."""
        node: Construct | None = self
        while node is not None:
            if getattr(node, "is_stack", False):
                return node
            node = node.scope
        raise ConstructError(
            f"construct {self.path!r} is not inside a Stack",
            path=self.path,
            location=self.location,
            hint="create resources with a Stack (or a construct inside one) as their scope",
        )

    # -- validation ------------------------------------------------------------------------

    def validate(self) -> list[str]:
        """Problems with this construct's configuration, checked before the template is written.

        Override in constructs that can only judge themselves once the whole tree is built (e.g. a
        load balancer with no listener). Every construct's problems are reported together.
        """
        return []

    def _build_props(self, props_type: type[T], values: dict[str, Any]) -> T:
        """Build an attrs props record, turning attrs' type/value errors into a ConstructError."""
        self._check_prop_names(props_type, values)
        try:
            return props_type(**values)
        except (TypeError, ValueError) as error:
            # attrs' own validators raise with (message, Attribute, ...) args: show the message only
            detail = error.args[0] if len(error.args) > 1 and isinstance(error.args[0], str) else error
            raise ConstructError(
                f"invalid argument for {type(self).__name__} {self.id!r}: {detail}",
                path=self.path,
                location=self.location,
            ) from None

    def _check_prop_names(self, props_type: type, values: dict[str, Any]) -> None:
        """A misspelt argument is named with the closest real one: Python's own TypeError names neither
        the construct nor what was meant."""
        accepted = _init_names(props_type)
        for name in values:
            if name not in accepted:
                import difflib

                known = sorted(accepted)
                close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
                raise ConstructError(
                    f"{type(self).__name__} {self.id!r} has no argument {name!r}",
                    path=self.path,
                    location=self.location,
                    hint=f"did you mean {close[0]}?" if close else f"its arguments: {', '.join(known)}",
                )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path or '(app)'}>"


@functools.cache
def _init_names(props_type: type) -> frozenset[str]:
    """The keyword arguments an attrs props record takes (its fields' aliases), once per record class."""
    return frozenset(field.alias for field in attrs.fields(props_type) if field.init)


def _checked_init(init: Any, owner: type) -> Any:
    """`init` with props.checked_init's checks; props (and inspect, typing) load at the first
    construction, not at `import iac`. That first construction puts the checked constructor in the
    class in place of this one, so later ones (a tree builds thousands) skip a call."""
    checked = None

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal checked
        if checked is None:
            from iac.constructs.core.props import checked_init

            checked = checked_init(init, owner)
            if owner.__dict__.get("__init__") is __init__:
                owner.__init__ = checked  # type: ignore[misc]
        checked(self, *args, **kwargs)

    __init__.__wrapped__ = init  # type: ignore[attr-defined]  # inspect.signature and help() see the real one
    __init__.__doc__ = init.__doc__
    __init__.__qualname__ = getattr(init, "__qualname__", "__init__")
    __init__.__iac_checked__ = True  # type: ignore[attr-defined]
    return __init__


def _check_id(id: object, scope: Construct, location: SourceLocation | None) -> None:
    if not isinstance(id, str):
        raise ConstructError(
            f"construct id must be a string, got {type(id).__name__} {id!r}",
            path=scope.path or None,
            location=location,
        )
    if not id or not id.strip():
        raise ConstructError("construct id must not be empty", path=scope.path or None, location=location)
    if PATH_SEPARATOR in id:
        raise ConstructError(
            f"construct id {id!r} must not contain {PATH_SEPARATOR!r} (it separates path components)",
            path=scope.path or None,
            location=location,
            hint=f"use {id.replace(PATH_SEPARATOR, '-')!r}, or nest constructs to build a path",
        )
    if "${Token[" in id:
        raise ConstructError(
            "construct id must be a plain string, not a deploy-time value (a Ref or GetAtt)",
            path=scope.path or None,
            location=location,
        )


def props_validator_in(choices: frozenset[str] | tuple[str, ...]) -> Any:
    """attrs validator: value is None or one of `choices` (the message lists them)."""

    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if value is not None and value not in choices:
            raise ValueError(f"{attribute.name} must be one of {', '.join(sorted(choices))}; got {value!r}")

    return check
