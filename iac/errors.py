"""Exception types shared by every layer.

Each error carries what a user needs to find the problem in their own code: the construct path
and the source location (file:line) where the construct was created. Only the CLI turns these into
messages and exit codes; library users catch them like any other exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac.constructs.core.source import SourceLocation


class IacError(Exception):
    """Base of every error iac raises on purpose (never a bug in iac itself)."""

    #: CLI exit status for this kind of error: 2 is usage/input, 1 is validation.
    exit_status = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        location: SourceLocation | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.location = location
        self.hint = hint

    def __str__(self) -> str:
        where = [f"construct {self.path}"] if self.path else []
        if self.location:
            where.append(f"at {self.location}")
        return f"{self.message} [{', '.join(where)}]" if where else self.message


class ConstructError(IacError):
    """The construct tree was built wrongly: a bad or duplicate id, a bad argument."""


class UsageError(IacError):
    """The command line or its inputs are wrong: no app found, unknown stack, bad option."""


class TemplateError(IacError):
    """A template file could not be read: broken YAML/JSON, duplicate keys, not a mapping."""


class ValidationError(IacError):
    """The synthesized infrastructure would be rejected: a cycle, a limit, a schema or lint error.

    Several problems are reported together, so a ValidationError holds a list of them.
    """

    exit_status = 1

    def __init__(self, problems: Sequence[IacError]) -> None:
        self.problems = list(problems)
        summary = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
        super().__init__(summary + ":\n" + "\n".join(f"- {p}" for p in problems))


class Problem(IacError):
    """One validation finding; collected into a ValidationError.

    Besides where it is (construct path, file:line) a problem can say which rule found it (`code`:
    "schema", a cfn-lint rule id such as "E3002", ...), the template property it concerns, what was
    expected and what was given, and whether it is an error or a warning.
    """

    exit_status = 1

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        location: SourceLocation | None = None,
        hint: str | None = None,
        code: str | None = None,
        property_path: str | None = None,
        expected: str | None = None,
        given: str | None = None,
        severity: str = "error",
    ) -> None:
        super().__init__(message, path=path, location=location, hint=hint)
        self.code = code
        self.property_path = property_path
        self.expected = expected
        self.given = given
        self.severity = severity


class SynthError(IacError):
    """Synthesis could not produce a template (e.g. stacks that reference each other)."""

    exit_status = 1


class AppError(IacError):
    """The user's app raised an exception while it ran; `original` holds it."""

    def __init__(self, message: str, *, original: BaseException) -> None:
        super().__init__(message)
        self.original = original


class DeployError(IacError):
    """A deployment failed or was refused: a change set CloudFormation would not make, a stack that
    failed or rolled back, a stack it is still busy with, an approval nobody could give."""

    exit_status = 1


class CredentialsError(IacError):
    """AWS credentials are missing, expired or rejected (exit 2: the configuration is the input)."""
