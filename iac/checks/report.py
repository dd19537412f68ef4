"""Check results as the Problems synth and validate report: at the construct path and the user's file:line
(synthesized stacks) or the file's line (template files), with the rule id as the code and its fix as
the hint. Suppressed findings are no problems; `suppressed()` lists them for the report."""

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


def suppressed_problems(template: dict[str, Any], locate: Locate,
                        selection: Selection | None = None) -> list[tuple[Problem, str]]:
    """The findings a suppression accepts, each with the suppression's reason (for the JSON and SARIF reports)."""
    results = run_checks(template, selection if selection is not None else project_selection())
    return [(problem(result, locate), result.suppressed_by) for result in results if result.suppressed_by is not None]


def suppressed_in_assembly(assembly: Any) -> list[tuple[Problem, str]]:
    from iac.synth.validation import artifact_locator

    return [found for artifact in assembly.stacks
            for found in suppressed_problems(artifact.template, artifact_locator(artifact))]


def suppressed_in_files(paths: list[str]) -> list[tuple[Problem, str]]:
    """Suppressed findings of the template files (a file that cannot be read has none: validate says why)."""
    import os

    from iac.errors import IacError
    from iac.synth.loader import loads, read_template_text
    from iac.synth.template_files import expand_template_paths, file_locator

    found: list[tuple[Problem, str]] = []
    for path in expand_template_paths(paths):
        name = os.path.abspath(path)
        try:
            text = read_template_text(path)
            template = loads(text, file=name)
        except IacError:
            continue
        if isinstance(template, dict):
            found.extend(suppressed_problems(template, file_locator(name, text, template)))
    return found
