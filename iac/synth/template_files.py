"""Validating template files (not synthesized by iac): find them, read them, locate findings in them."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from typing import Any

import attrs

from iac.checks.report import checked, side_findings
from iac.constructs.core.source import SourceLocation, display_path
from iac.errors import Problem, TemplateError, UsageError
from iac.synth.language_extensions import FOR_EACH, expand, uses_language_extensions, written_path
from iac.synth.limits import MAX_TEMPLATE_BYTES, check_limits
from iac.synth.lint import LintCache
from iac.synth.loader import loads, read_template_text
from iac.synth.phases import LINT, SCHEMA_VALIDATION, Phases
from iac.synth.template import construct_path, section
from iac.synth.validation import Locate, errors_and_warnings, lint_problems, schema_problems

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")
_NOT_TEMPLATES = {"manifest.json", ".lint-cache.json"}


def expand_template_paths(paths: list[str]) -> list[str]:
    """Files as given; folders expanded (recursively, sorted) to the template files they hold."""
    files: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for folder, subfolders, names in os.walk(path):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                files.extend(
                    os.path.join(folder, name)
                    for name in sorted(names)
                    if name.endswith(TEMPLATE_SUFFIXES) and name not in _NOT_TEMPLATES
                )
        elif os.path.exists(path):
            files.append(path)
        else:
            raise UsageError(f"no such template file or folder: {path}")
    return files


@attrs.define
class FileReport:
    """The outcome of validating template files: every problem, and how many files were read."""

    files: int = 0
    errors: list[Problem] = attrs.field(factory=list)
    warnings: list[Problem] = attrs.field(factory=list)
    #: What the checks found beside the problems (iac.checks.report.checked): suppressed and info findings.
    side_findings: list[Any] = attrs.field(factory=list)


def validate_files(paths: list[str], *, region: str | None, lint: bool, strict: bool,
                   phases: Phases | None = None) -> FileReport:
    """Both layers over every file that can be read: the schema layer, then cfn-lint in the same run,
    so that one round of fixes is enough; a problem both find is reported once, as the schema layer
    tells it (validation.repeats)."""
    phases = phases or Phases()
    report = FileReport()
    loaded: dict[str, tuple[str, dict[str, Any]]] = {}
    problems: list[Problem] = []
    reported: dict[str, list[Problem]] = {}
    with phases.phase(SCHEMA_VALIDATION):
        _read_and_check(expand_template_paths(paths), region, report, loaded, problems, reported,
                        progress=lambda done, total: phases.progress(SCHEMA_VALIDATION, done, total))
    if lint and loaded:
        with phases.phase(LINT):
            problems.extend(
                lint_problems(
                    {name: (text, region) for name, (text, _) in loaded.items()},
                    {name: file_locator(name, text, template) for name, (text, template) in loaded.items()},
                    LintCache(),
                    progress=lambda done, total: phases.progress(LINT, done, total),
                    reported=reported,
                    written={name: written_path(template) for name, (_, template) in loaded.items()},
                )
            )
    report.errors, report.warnings = errors_and_warnings(_in_file_order(problems), strict=strict)
    return report


def _in_file_order(problems: list[Problem]) -> list[Problem]:
    """Each file's problems together, by line (the schema layer's and cfn-lint's interleaved)."""
    files: dict[str | None, int] = {}
    for problem in problems:
        files.setdefault(problem.location.file if problem.location else None, len(files))

    def key(problem: Problem) -> tuple[int, int]:
        location = problem.location
        return files[location.file if location else None], (location.line or 0) if location else 0

    return sorted(problems, key=key)


def _read_and_check(files: list[str], region: str | None, report: FileReport,
                    loaded: dict[str, tuple[str, dict[str, Any]]], problems: list[Problem],
                    reported: dict[str, list[Problem]], *, progress: Callable[[int, int], None]) -> None:
    """Read each file and run the schema layer and CloudFormation's quotas (as synth does); every file
    that can be read goes into `loaded` for cfn-lint, its schema findings into `reported`.
    `progress(done, total)` is called before each file."""
    for done, path in enumerate(files):
        progress(done, len(files))
        report.files += 1
        name = os.path.abspath(path)
        try:
            text = read_template_text(path)
            template = loads(text, file=name)
        except TemplateError as error:
            problems.append(Problem(error.message, location=error.location or SourceLocation(file=name, line=1),
                                    hint=error.hint, code="template"))
            continue
        wrong = not_a_template(name, text, template)
        locate = file_locator(name, text, template)
        if wrong is not None:  # nothing else is said of it: every other finding would follow from this one
            problems.append(wrong)
            report.side_findings.extend(side_findings(template, locate))
            continue
        if uses_language_extensions(template) and expand(template).too_large is not None:
            # The schema layer says so, once; cfn-lint would expand the loops whole, for minutes.
            problems.extend(schema_problems(template, region, locate))
            report.side_findings.extend(side_findings(template, locate))
            continue
        found = schema_problems(template, region, locate) + limit_problems(name, text, template, locate)
        problems.extend(found)
        standing, side = checked(template, locate)
        problems.extend(standing)
        report.side_findings.extend(side)
        loaded[name] = (text, template)
        reported[name] = found


#: The top-level sections of a template: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
TEMPLATE_SECTIONS = ("AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Rules", "Mappings",
                     "Conditions", "Transform", "Resources", "Outputs")


def not_a_template(file: str, text: str, template: dict[str, Any]) -> Problem | None:
    """One error for a file that is not a CloudFormation template, or has nothing to deploy, instead of
    the findings that would follow from it (cfn-lint's required Resources, its unexpected keys, every
    resource "with no Type" ...).

    Not CloudFormation at all (an input error, exit status 2, like a file that cannot be read): none of
    a template's sections, nor a misspelling of Resources (a compose file, a workflow). A template
    CloudFormation refuses whole (exit status 1): no Resources section (a misspelt one named), an empty
    one, one that is not a mapping, or resources whose Type is an object (a Rain module,
    `Type: !Rain::Module ./bucket.yaml`, before `rain pkg` makes CloudFormation of it).
    """
    def problem(message: str, path: tuple[str, ...], *, code: str = "schema", hint: str | None = None) -> Problem:
        return Problem(message, location=SourceLocation(file=file, line=line_of_path(text, path)), hint=hint,
                       code=code, property_path=".".join(path) or None)

    if "Resources" not in template:
        others = [str(key) for key in template if key not in TEMPLATE_SECTIONS]
        close = difflib.get_close_matches("Resources", others, n=1, cutoff=0.85)
        if close:
            return problem(f"the template has no resources: {close[0]!r} is not a section", (close[0],),
                           hint="did you mean Resources?")
        if len(others) == len(template):
            keys = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
            return problem(f"not a CloudFormation template: it has none of a template's sections (its keys: {keys})",
                           (), code="template", hint="a template has a Resources section, and may have "
                           + ", ".join(s for s in TEMPLATE_SECTIONS if s != "Resources"))
        return problem("the template has no resources (the Resources section is missing); "
                       "CloudFormation needs at least one", ())
    resources = template["Resources"]
    if resources is None or resources == {}:
        return problem("the template has no resources (Resources is empty); CloudFormation needs at least one",
                       ("Resources",))
    if not isinstance(resources, dict):
        return problem(f"Resources must map logical ids to resources, not be a {_kind(resources)}", ("Resources",))
    objects = [str(logical_id) for logical_id, resource in resources.items()
               if isinstance(resource, dict) and isinstance(resource.get("Type"), dict | list)]
    if objects:
        first = resources[objects[0]]["Type"]
        shown = _kind(first)
        if isinstance(first, dict) and first:  # a tag (!Rain::Module) is read as {"Fn::Rain::Module": ...}
            key = str(next(iter(first)))
            shown = "!" + key.removeprefix("Fn::") if key.startswith("Fn::") else key
        named = ", ".join(objects[:5]) + (", ..." if len(objects) > 5 else "")
        return problem(
            f"not CloudFormation: the Type of {named} is an object ({shown}), as in a Rain module; "
            "CloudFormation takes a type name such as AWS::S3::Bucket",
            ("Resources", objects[0], "Type"),
            hint="make CloudFormation of it first (for a Rain module, `rain pkg`) and validate that")
    return None


def _kind(value: Any) -> str:
    return "list" if isinstance(value, list) else "mapping" if isinstance(value, dict) else type(value).__name__


def limit_problems(file: str, text: str, template: dict[str, Any], locate: Locate) -> list[Problem]:
    """CloudFormation's hard quotas (iac.synth.limits, the ones synth applies), located in the file.

    The body CloudFormation would receive is the file itself, so its size is the file's size in bytes;
    the counts and logical ids are those of the template with its Fn::ForEach loops expanded.
    A quota on a whole section points at the section's line; one on an element, at the element's.
    """
    expansion = expand(template) if uses_language_extensions(template) else None

    def locate_element(section: str, logical_id: str) -> tuple[str | None, SourceLocation | None]:
        path: tuple[str | int, ...] = (section, logical_id)
        return locate(expansion.original(path) if expansion else path, None)

    # CloudFormation counts resources, and checks their logical ids, once the loops are expanded
    checked = expansion.template if expansion else template
    found = check_limits(display_path(file), checked, len(text.encode("utf-8")), locate_element)
    located: list[Problem] = []
    for problem in found:
        if problem.location is None:
            line = _line_of_quota(text, problem.message)
            problem = Problem(problem.message, location=SourceLocation(file=file, line=line), hint=problem.hint)
        problem.code = problem.code or "limit"
        problem.property_path = problem.property_path or _path_of_quota(checked, problem.message)
        if problem.property_path and FOR_EACH.match(problem.property_path.partition(".")[2]):
            continue  # a loop left as written (no transform): the schema layer says what it needs
        located.append(problem)
    return located


def _path_of_quota(template: dict[str, Any], message: str) -> str | None:
    """The template path a quota is about (a section, an element, the Description), which cfn-lint's
    finding of the same quota names too (E3010 on Resources, E3001 on a logical id)."""
    counted = re.search(r" has [\d,]+ (resources|parameters|outputs|mappings);", message)
    if counted:
        return counted.group(1).capitalize()
    named = re.match(r"logical id '(.*)' is invalid", message)
    if named:
        for name in ("Resources", "Parameters", "Outputs", "Mappings", "Conditions"):
            if named.group(1) in section(template, name):
                return f"{name}.{named.group(1)}"
    if message.startswith("the description of"):
        return "Description"
    return None


def _line_of_quota(text: str, message: str) -> int:
    """Where a quota on the whole template is broken: the section it counts ("has 501 resources"), the
    Description, or the line on which the file grows past the size quota."""
    counted = re.search(r" has [\d,]+ (resources|parameters|outputs|mappings);", message)
    if counted:
        return line_of_path(text, (counted.group(1).capitalize(),))
    if message.startswith("the description of"):
        return line_of_path(text, ("Description",))
    if message.startswith("the template of"):
        return text.encode("utf-8")[:MAX_TEMPLATE_BYTES].count(b"\n") + 1
    return 1


def file_locator(file: str, text: str, template: dict[str, Any]) -> Locate:
    """Locate template paths in a file: the checker's line if it has one, else a search of the text.

    Resources synthesized by iac carry their construct path in Metadata (iac:path); it is reported.
    """

    def locate(template_path: tuple[str | int, ...], line: int | None) -> tuple[str | None, SourceLocation | None]:
        construct_path = _construct_path(template, template_path)
        return construct_path, SourceLocation(file=file, line=line or line_of_path(text, template_path))

    return locate


def _construct_path(template: dict[str, Any], template_path: tuple[str | int, ...]) -> str | None:
    if len(template_path) < 2 or template_path[0] != "Resources":
        return None
    return construct_path(section(template, "Resources").get(str(template_path[1])))


def line_of_path(text: str, template_path: tuple[str | int, ...]) -> int:
    """Best-effort line of a template path: each key searched for after the previous one."""
    position = 0
    found = 0
    for part in template_path:
        if not isinstance(part, str):
            continue
        match = re.compile(r"""["']?""" + re.escape(part) + r"""["']?\s*:""").search(text, position)
        if match is None:
            break
        position = found = match.start()
    return text.count("\n", 0, found) + 1
