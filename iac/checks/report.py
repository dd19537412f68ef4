"""Check results as the Problems synth and validate report: at the construct path and the user's file:line
(synthesized stacks) or the file's line (template files), with the rule id as the code and its fix as
the hint. Suppressed findings and info-level ones are no problems: the side findings (`checked`)
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
    return checked(template, locate, selection)[0]


def problem(result: CheckResult, locate: Locate) -> Problem:
    path, location = locate(result.finding.path, None)
    return Problem(result.finding.message, path=path, location=location, hint=result.rule.fix, code=result.rule.id,
                   property_path=".".join(str(part) for part in result.finding.path), severity=result.rule.severity)


#: A finding reported beside the problems: (problem, the suppression's reason) or, for a standing info-level
#: finding, (problem, None).
SideFinding = tuple[Problem, str | None]


def side_findings(template: dict[str, Any], locate: Locate, selection: Selection | None = None) -> list[SideFinding]:
    """The findings a suppression accepts (with its reason) and the info-level ones (reason None)."""
    return checked(template, locate, selection)[1]


def checked(template: dict[str, Any], locate: Locate,
            selection: Selection | None = None) -> tuple[list[Problem], list[SideFinding]]:
    """One run of the rules: (check_problems, side_findings). Synth and validate keep the side findings
    (CloudAssembly.side_findings, FileReport.side_findings) for the summary and the JSON and SARIF reports."""
    results = run_checks(template, selection if selection is not None else project_selection())
    problems: list[Problem] = []
    side: list[SideFinding] = []
    for result in results:
        if result.suppressed_by is None and result.rule.severity != "info":
            problems.append(problem(result, locate))
        else:
            side.append((problem(result, locate), result.suppressed_by))
    return problems, side
