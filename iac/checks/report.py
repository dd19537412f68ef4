"""Check results as the Problems synth and validate report: at the construct path and the user's file:line
(synthesized stacks) or the file's line (template files), with the rule id as the code and its fix as
the hint. Suppressed findings and info-level ones are no problems: the side findings (`side_findings_in_*`)
list them for the summary and the JSON and SARIF reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from iac.checks._run import CheckResult, run_checks
from iac.checks.config import Selection, project_selection
from iac.errors import Problem

Locate = Callable[[tuple[str | int, ...], int | None], tuple[str | None, Any]]


def check_problems(template: dict[str, Any], locate: Locate, selection: Selection | None = None) -> list[Problem]:
    """The standing findings of the enabled rules (errors and warnings; info findings are not problems).

    `selection` defaults to the working directory's pyproject.toml [tool.iac.checks]."""
    results = run_checks(template, selection if selection is not None else project_selection())
    return [problem(result, locate) for result in results
            if result.suppressed_by is None and result.rule.severity != "info"]


def problem(result: CheckResult, locate: Locate) -> Problem:
    path, location = locate(result.finding.path, None)
    return Problem(result.finding.message, path=path, location=location, hint=result.rule.fix, code=result.rule.id,
                   property_path=".".join(str(part) for part in result.finding.path), severity=result.rule.severity)


#: A finding reported beside the problems: (problem, the suppression's reason) or, for a standing info-level
#: finding, (problem, None).
SideFinding = tuple[Problem, str | None]


def side_findings(template: dict[str, Any], locate: Locate, selection: Selection | None = None) -> list[SideFinding]:
    """The findings a suppression accepts (with its reason) and the info-level ones (reason None)."""
    results = run_checks(template, selection if selection is not None else project_selection())
    return [(problem(result, locate), result.suppressed_by) for result in results
            if result.suppressed_by is not None or result.rule.severity == "info"]


def side_findings_in_assembly(assembly: Any) -> list[SideFinding]:
    from iac.synth.validation import artifact_locator

    return [found for artifact in assembly.stacks
            for found in side_findings(artifact.template, artifact_locator(artifact))]


def side_findings_in_files(paths: list[str]) -> list[SideFinding]:
    """Side findings of the template files (a file that cannot be read has none: validate says why)."""
    import os

    from iac.errors import IacError
    from iac.synth.loader import loads, read_template_text
    from iac.synth.template_files import expand_template_paths, file_locator

    found: list[SideFinding] = []
    for path in expand_template_paths(paths):
        name = os.path.abspath(path)
        try:
            text = read_template_text(path)
            template = loads(text, file=name)
        except IacError:
            continue
        if isinstance(template, dict):
            found.extend(side_findings(template, file_locator(name, text, template)))
    return found
