"""Choosing stacks on the command line: one set of rules for every command that takes STACK patterns.

Users name a stack three ways (its assembly name `Prod-Network`, its CloudFormation stack name
`prod-network`, its construct path `Prod/Network`), and they must get the same answer from `ls`,
`synth`, `diff`, `deploy` and `destroy`; so the rules live here and nowhere else:

1. a pattern equal to a stack's assembly name or CloudFormation stack name picks that stack;
2. else a glob (fnmatch, case-sensitive) over those names picks every stack it matches;
3. else the construct path, exactly or as a glob (`Prod/*`).

The first rule that picks anything decides. Several patterns pick the union, always in the order the
stacks were given in (for an assembly: dependencies first, the order to deploy in), never in the
order of the patterns. A pattern that picks nothing is a usage error that lists the stacks and
offers the nearest name. No pattern picks every stack.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

import attrs

from iac.errors import UsageError

if TYPE_CHECKING:
    from iac.synth import CloudAssembly, StackArtifact

T = TypeVar("T")

#: How many stacks a "no stack matches" message lists before it says how many more there are.
_LISTED = 12
#: How alike (difflib's ratio, 0 to 1) a name must be to a pattern to be offered as "did you mean".
_CLOSE = 0.6


@attrs.frozen(kw_only=True)
class StackNames:
    """The three names a user may call one stack by."""

    name: str
    stack_name: str
    path: str

    @classmethod
    def of(cls, artifact: StackArtifact) -> StackNames:
        return cls(name=artifact.name, stack_name=artifact.stack_name, path=artifact.construct_path)

    @property
    def shown(self) -> str:
        """How a listing shows it: the assembly name, and the stack name where that differs."""
        return self.name if self.stack_name == self.name else f"{self.name} ({self.stack_name})"


def select_stacks(assembly: CloudAssembly, patterns: Sequence[str]) -> list[StackArtifact]:
    """The assembly's stacks that `patterns` pick, dependencies first; all of them for no pattern."""
    return select(list(assembly.stacks), patterns, names=StackNames.of)


def select(stacks: Sequence[T], patterns: Sequence[str], *, names: Callable[[T], StackNames]) -> list[T]:
    """The `stacks` that `patterns` pick, in the order of `stacks`; all of them for no pattern.

    Raises UsageError (exit status 2) for a pattern that picks none, listing the stacks.
    """
    if not patterns:
        return list(stacks)
    known = [names(stack) for stack in stacks]
    picked: set[int] = set()
    for pattern in patterns:
        hits = matching(pattern, known)
        if not hits:
            raise no_match_error(pattern, known)
        picked.update(hits)
    return [stack for index, stack in enumerate(stacks) if index in picked]


def matching(pattern: str, known: Sequence[StackNames]) -> list[int]:
    """Indexes into `known` that `pattern` picks, by the first of the three rules that picks any."""
    rules: tuple[Callable[[StackNames], bool], ...] = (
        lambda n: pattern in (n.name, n.stack_name),
        lambda n: fnmatch.fnmatchcase(n.name, pattern) or fnmatch.fnmatchcase(n.stack_name, pattern),
        lambda n: n.path == pattern or fnmatch.fnmatchcase(n.path, pattern),
    )
    for rule in rules:
        hits = [index for index, names in enumerate(known) if rule(names)]
        if hits:
            return hits
    return []


def no_match_error(pattern: str, known: Sequence[StackNames], *, message: str | None = None) -> UsageError:
    """`no stack matches 'X' (stacks: A, B)` (or `message` before the list), with a did-you-mean and
    what a stack may be called as the hint: the user sees at once what they could have typed."""
    listed = ", ".join(names.shown for names in known[:_LISTED]) or "none"
    if len(known) > _LISTED:
        listed += f" and {len(known) - _LISTED} more"
    guess = _nearest(pattern, known)
    hint = f"did you mean {guess}? A" if guess else "a"
    hint += (" stack is named by its assembly name, its CloudFormation stack name or its construct path "
             "(globs allowed, case-sensitive); `iac ls -l` shows them")
    return UsageError(f"{message or f'no stack matches {pattern!r}'} (stacks: {listed})", hint=hint)


def _nearest(pattern: str, known: Sequence[StackNames]) -> str | None:
    """The name most like `pattern`, case aside (ties go to the one closer in case too); None when
    nothing is close. Matching stays case-sensitive: the hint is how the user learns the right case."""
    candidates = list(dict.fromkeys(text for names in known for text in (names.name, names.stack_name, names.path)))

    def likeness(text: str) -> tuple[float, float]:
        folded = difflib.SequenceMatcher(None, pattern.casefold(), text.casefold()).ratio()
        return folded, difflib.SequenceMatcher(None, pattern, text).ratio()

    best = max(candidates, key=likeness, default=None)
    return best if best is not None and likeness(best)[0] >= _CLOSE else None
