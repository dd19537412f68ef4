"""Runs the schema and lint layers over templates and turns findings into located Problems.

A finding's template path (Resources.Queue.Properties.X) is mapped back to where it came from: for a
synthesized stack, the construct that made the entry and the user's file:line; for a template file,
the file and the line of the entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from iac.constructs.core.source import SourceLocation
from iac.errors import Problem
from iac.specs import DEFAULT_REGION
from iac.synth.lint import LintCache, LintFinding, lint_bodies
from iac.synth.lint_cache import _cfnlintrc_files  # the files whose bytes key the lint cache
from iac.synth.schema_validation import SchemaFinding, validate_template

#: (template path, line reported by the checker or None) -> (construct path, source location)
Locate = Callable[[tuple[str | int, ...], int | None], tuple[str | None, SourceLocation | None]]
#: a path in a template with its loops expanded -> the path in the template as written
WrittenPath = Callable[[tuple[str | int, ...]], tuple[str | int, ...]]


def schema_problems(template: dict[str, Any], region: str | None, locate: Locate) -> list[Problem]:
    ignored, mandatory = configured_checks()
    found = validate_template(template, region, ignore_checks=ignored, mandatory_checks=mandatory)
    return [_schema_problem(finding, locate) for finding in found]


def configured_checks() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(ignore_checks, mandatory_checks) of cfn-lint's configuration files (.cfnlintrc in the home and
    current folders, the ones the lint layer reads): what cfn-lint is told not to say, the schema layer
    does not say either."""
    ignored: list[str] = []
    mandatory: list[str] = []
    files = _cfnlintrc_files()
    if not files:
        return (), ()
    import yaml  # only to read a .cfnlintrc: a synth without one never loads it

    for path in files:
        try:
            config = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # cfn-lint says what is wrong with it
        if isinstance(config, dict):
            ignored.extend(_checks(config.get("ignore_checks")))
            mandatory.extend(_checks(config.get("mandatory_checks")))
    return tuple(ignored), tuple(mandatory)


def _checks(value: Any) -> list[str]:
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [item for item in values if isinstance(item, str) and item]


def _schema_problem(finding: SchemaFinding, locate: Locate) -> Problem:
    path, location = locate(finding.path, None)
    return Problem(
        finding.message,
        path=path,
        location=location,
        hint=finding.suggestion,
        code="schema",
        property_path=finding.property_path,
        expected=finding.expected,
        given=finding.given,
    )


def lint_problems(
    templates: dict[str, tuple[str, str | None]],
    locators: dict[str, Locate],
    cache: LintCache,
    *,
    progress: Callable[[int, int], None] | None = None,
    reported: dict[str, list[Problem]] | None = None,
    written: dict[str, WrittenPath | None] | None = None,
) -> list[Problem]:
    """cfn-lint findings for {name: (body, region)} as Problems (errors and warnings).

    `progress(done, total)` is called as the templates that are not cached get linted. `reported`
    holds, per template name, what the schema layer already said: a cfn-lint error on the same
    template path is the same problem told less precisely, and is left out (see `repeats`).
    `written` turns, per template name, cfn-lint's paths (in the template with its Fn::ForEach loops
    expanded) into paths in the template as written (language_extensions.written_path).
    """
    bodies = {name: (body, region or DEFAULT_REGION) for name, (body, region) in templates.items()}
    results = lint_bodies(bodies, cache, progress=progress)
    problems: list[Problem] = []
    for name in templates:
        to_written = (written or {}).get(name)
        found = [_lint_problem(f, locators[name], to_written) for f in results[name] if f.severity != "informational"]
        already = (reported or {}).get(name, [])
        if to_written is not None:  # the copies of a loop: one problem at the loop's path
            found = _first_of_each(found)
        for problem in found:
            said = _said_before(problem, already)
            if said is None:
                problems.append(problem)
            elif _deeper_or_same(problem.property_path, said.property_path) and problem.location is not None \
                    and said.location is not None and said.location.file == problem.location.file:
                # In a file, cfn-lint's line comes from the parser's marks: the item of a list, say,
                # where a search of the text finds the list's key.
                said.location = problem.location
    return problems


def _said_before(lint: Problem, schema: list[Problem]) -> Problem | None:
    return next((problem for problem in schema if repeats(lint, [problem])), None)


def _deeper_or_same(lint_path: str | None, schema_path: str | None) -> bool:
    """Whether cfn-lint points at least as deep: the paths are the same place (`repeats`), equal or one
    a step longer than the other, so the longer text is the deeper path."""
    return lint_path is not None and schema_path is not None and len(lint_path) >= len(schema_path)


def _first_of_each(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str | None, str | None, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.code, problem.property_path, problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def repeats(lint: Problem, schema: list[Problem]) -> bool:
    """Whether a cfn-lint finding says again what a schema finding of the same template says.

    Both layers check the registry schemas and the references, so an unknown property, a wrong type
    or an undefined Ref is found twice; iac's finding (with its did-you-mean) is kept. The same
    problem is the same template path, give or take one last step that the layers place differently:
    a list index (cfn-lint points at `DependsOn`, iac at `DependsOn.0`; at `Fn::GetAtt.1` and
    `Fn::GetAtt`) or an intrinsic function's name (`Timeout` and `Timeout.Fn::Joinn`). Warnings are
    never dropped: the schema layer has none, so a warning is always another problem.
    """
    if lint.severity != "error" or lint.property_path is None:
        return False
    return any(problem.property_path is not None and _same_place(lint.property_path, problem.property_path)
               for problem in schema)


def _same_place(one: str, other: str) -> bool:
    if one == other:
        return True
    shorter, longer = sorted((one, other), key=len)
    if not longer.startswith(shorter + "."):
        return False
    step = longer[len(shorter) + 1:]
    return "." not in step and (step.isdigit() or step == "Ref" or step.startswith("Fn::"))


def _lint_problem(finding: LintFinding, locate: Locate, to_written: WrittenPath | None = None) -> Problem:
    template_path = to_written(finding.path) if to_written is not None else finding.path
    path, location = locate(template_path, finding.line)
    return Problem(
        finding.message,
        path=path,
        location=location,
        code=finding.rule_id,
        property_path=".".join(str(p) for p in template_path) or None,
        severity=finding.severity,
    )


def artifact_locator(artifact: Any) -> Locate:
    """Locate template paths of a synthesized stack through the construct that made each entry."""

    def locate(template_path: tuple[str | int, ...], line: int | None) -> tuple[str | None, SourceLocation | None]:
        if len(template_path) >= 2:
            origin = artifact.origins.get((str(template_path[0]), str(template_path[1])))
            if origin is not None:
                return origin
        return artifact.origins.get(("Stack", ""), (artifact.construct_path, None))

    return locate


def errors_and_warnings(problems: Iterable[Problem], *, strict: bool) -> tuple[list[Problem], list[Problem]]:
    """Split problems; with `strict`, warnings count as errors."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for problem in problems:
        (errors if problem.severity == "error" or strict else warnings).append(problem)
    return errors, warnings
