"""CfnElement: a construct that becomes one entry of a template section (resource, output, ...)."""

from __future__ import annotations

from typing import Any

from iac.constructs.core.construct import Construct
from iac.constructs.core.logical_id import is_valid_logical_id, make_logical_id
from iac.errors import ConstructError


class CfnElement(Construct):
    """Base of the things a template lists by logical id. `element_kind` names the section."""

    element_kind = "element"

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self._stack = self.stack  # also checks, at creation, that we are inside a stack
        self._logical_id_override: str | None = None
        self._logical_id: str | None = None

    @property
    def logical_id(self) -> str:
        """Stable id derived from the path below the stack (see `logical_id.make_logical_id`)."""
        if self._logical_id_override is not None:
            return self._logical_id_override
        if self._logical_id is None:
            below_stack = self.path[len(self._stack.path) + 1 :]
            self._logical_id = make_logical_id(below_stack.split("/"))
        return self._logical_id

    def override_logical_id(self, logical_id: str) -> None:
        """Pin the logical id, e.g. to keep a resource's identity after a refactor moved it."""
        if not isinstance(logical_id, str) or not is_valid_logical_id(logical_id):
            raise ConstructError(
                f"logical id {logical_id!r} is invalid: CloudFormation accepts 1-255 letters and digits",
                path=self.path,
                location=self.location,
            )
        self._logical_id_override = logical_id

    def render(self) -> Any:
        """The element's template entry, tokens unresolved (synthesis resolves them). Each kind says its own."""
        raise NotImplementedError(f"{type(self).__name__} does not say how it renders")
