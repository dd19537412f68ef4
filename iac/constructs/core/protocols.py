"""What constructs exchange, as Protocols: "something grantable", "something invocable", ...

A construct that takes another by what it can do (a pipeline takes any source repository, an API any
Lambda-like handler) names the Protocol in its signature instead of probing with `hasattr`: type
checkers then see what is needed, and the props checks (props.py) test it at construction, since each
Protocol is runtime-checkable. Members are read-only properties so a plain attribute satisfies them.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Grantable(Protocol):
    """Something that can receive IAM grants: it has the role they are attached to."""

    @property
    def grant_principal(self) -> Any: ...


@runtime_checkable
class HasArn(Protocol):
    """Something other resources can point at by ARN (`arn` is a token or a literal ARN)."""

    @property
    def arn(self) -> Any: ...


@runtime_checkable
class Invocable(Grantable, Protocol):
    """A Lambda function or alias: an API route, a hook or a rule target invokes it."""

    @property
    def function_arn(self) -> Any: ...

    @property
    def function_name(self) -> Any: ...

    def add_permission(self, id: str, *, principal: str, source_arn: Any = None) -> Any: ...

    def grant_invoke(self, grantee: Any) -> Any: ...


@runtime_checkable
class SourceRepository(Protocol):
    """A code repository a pipeline reads: a name and an ARN."""

    @property
    def repository_name(self) -> Any: ...

    @property
    def repository_arn(self) -> Any: ...


@runtime_checkable
class ImageRepository(Protocol):
    """A container image repository a task pulls from: an ARN (for grants) and a URI (for the image)."""

    @property
    def repository_arn(self) -> Any: ...

    @property
    def repository_uri(self) -> Any: ...
