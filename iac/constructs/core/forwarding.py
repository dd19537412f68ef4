"""Helper methods whose keywords are another construct's props (`lb.add_listener(...)` makes a Listener,
`task.add_container(...)` a ContainerDefinition).

Such a method declares the props again in its own keyword-only signature, so type checkers and IDEs see
them; `@checked_keywords` makes a keyword it does not take (`add_container("web", imag=...)`) the same
ConstructError a constructor gives, naming the closest real keyword and the caller's file:line, instead
of Python's bare TypeError. Values are checked by the constructor the method calls. Nothing is done on a
call that binds: the check runs only when Python has refused the arguments.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from iac.constructs.core.props import unknown_argument
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

P = ParamSpec("P")
R = TypeVar("R")


def checked_keywords(method: Callable[P, R]) -> Callable[P, R]:
    """Decorate a method `(self, ...)` of a construct: arguments it does not take are a ConstructError."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except TypeError as error:
            traceback = error.__traceback__
            if traceback is None or traceback.tb_next is not None:
                raise  # raised inside the method, not by binding its arguments
            problem = binding_problem(method, args, kwargs)
            if problem is None:
                raise
            raise problem from None

    return wrapper


def binding_problem(method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> ConstructError | None:
    """The ConstructError for arguments `method` does not take, or None when they bind."""
    import inspect
    import re

    signature = inspect.signature(method)
    owner = args[0] if args else None
    path = getattr(owner, "path", None)
    what = f"{method.__name__} of {type(owner).__name__} {path!r}" if path else method.__name__
    known = [name for name, p in signature.parameters.items()
             if name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    problem = unknown_argument(what, [name for name in kwargs if name not in signature.parameters], known, path=path)
    if problem is not None:
        return problem
    try:
        signature.bind(*args, **kwargs)
    except TypeError as error:
        missing = re.search(r"missing a required (?:keyword-only )?argument: '(\w+)'", str(error))
        detail = f"needs the argument {missing.group(1)}=" if missing else str(error)
        return ConstructError(f"{what} {detail}", path=path, location=caller_location())
    return None


__all__ = ["binding_problem", "checked_keywords"]
