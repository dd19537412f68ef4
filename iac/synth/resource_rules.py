"""Running the resource rules service modules register (iac.constructs.core.synth_rules) at synth.

Each rule sees one resource of one stack and a context: the date (iac.clock) and the baseline, the
assembly the previous synth wrote (the output folder, which `iac diff` compares against by default).
The baseline is read only when a rule asks about it. Findings become Problems at the construct path
and the user's file:line of the resource they concern. This module knows no service.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

from iac import clock
from iac.constructs.core.source import display_path
from iac.constructs.core.synth_rules import RuleFinding, StackResource, resource_rules, ruled_types
from iac.errors import Problem, TemplateError
from iac.synth.assembly import read_assembly


class AssemblyBaseline:
    """A SynthContext whose baseline is the assembly in `directory` (None: no baseline)."""

    def __init__(self, directory: str | os.PathLike[str] | None, *, today: datetime.date | None = None) -> None:
        self._directory = os.fspath(directory) if directory is not None else None
        self._today = today
        self._resources: dict[str, dict[str, str]] | None = None

    @property
    def today(self) -> datetime.date:
        if self._today is None:
            self._today = clock.today()
        return self._today

    @property
    def baseline_name(self) -> str | None:
        if self._directory is None or not self._stacks():
            return None
        return display_path(self._directory)

    def baseline_has(self, stack: str, logical_id: str, resource_type: str | None = None) -> bool:
        found = self._stacks().get(stack, {}).get(logical_id)
        return found is not None and (resource_type is None or found == resource_type)

    def _stacks(self) -> dict[str, dict[str, str]]:
        """{stack: {logical id: type}} of the baseline, read on first use."""
        if self._resources is None:
            self._resources = {}
            if self._directory is not None:
                try:
                    stored = read_assembly(self._directory)
                except TemplateError:  # a damaged assembly is no baseline (the synth replaces it)
                    stored = []
                for stack in stored:
                    resources = stack.template.get("Resources") if isinstance(stack.template, dict) else None
                    self._resources[stack.name] = {
                        str(logical_id): str(resource.get("Type"))
                        for logical_id, resource in (resources.items() if isinstance(resources, dict) else ())
                        if isinstance(resource, dict)
                    }
        return self._resources


def rule_problems(assembly: Any, context: Any) -> list[Problem]:
    """The findings of every registered rule on every resource of `assembly` (errors and warnings)."""
    types = set(ruled_types())
    if not types:
        return []
    problems: list[Problem] = []
    for artifact in assembly.stacks:
        resources = artifact.template.get("Resources") or {}
        for logical_id, resource in resources.items():
            if not isinstance(resource, dict) or resource.get("Type") not in types:
                continue
            properties = resource.get("Properties")
            target = StackResource(stack=artifact.name, logical_id=logical_id, resource_type=resource["Type"],
                                   properties=properties if isinstance(properties, dict) else {})
            for rule in resource_rules(target.resource_type):
                problems.extend(_problem(artifact, target, finding) for finding in rule(target, context))
    return problems


def _problem(artifact: Any, target: StackResource, finding: RuleFinding) -> Problem:
    path, location = artifact.origins.get(("Resources", target.logical_id), (artifact.construct_path, None))
    property_path = f"Resources.{target.logical_id}" + (f".Properties.{finding.property}" if finding.property else "")
    return Problem(finding.message, path=path, location=location, hint=finding.hint, code=finding.code,
                   property_path=property_path, severity=finding.severity)


__all__ = ["AssemblyBaseline", "rule_problems"]
