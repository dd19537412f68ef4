"""A corpus of public templates (tests/templates/corpus, sources and licence in its README.md): each
validates with exactly cfn-lint's errors plus iac's documented additions, reads back losslessly through
iac's YAML and JSON writers, and diffs clean against itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iac.errors import Problem
from iac.synth.diff.stack import diff_templates
from iac.synth.language_extensions import written_path
from iac.synth.lint import LintFinding, lint_template
from iac.synth.loader import load, loads
from iac.synth.serialize import to_json, to_yaml
from iac.synth.template_files import FileReport, validate_files
from iac.synth.validation import repeats

CORPUS = Path(__file__).resolve().parents[1] / "templates" / "corpus"
DOCS = Path(__file__).resolve().parents[2] / "docs"
FILES = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
#: Files of the corpus that are not CloudFormation: iac says so in one error (docs/validation.md).
NOT_TEMPLATES = {
    "aws-cloudformation-templates/RainModules/bucket.yml":
        "not CloudFormation: the Type of LogBucketAccess, BucketAccess, ReplicaBucketAccess is an object "
        "(!Rain::Module)",
    "aws-cloudformation-templates/Solutions/CodeBuildAndCodePipeline/codebuild-app-build.yml":
        "not a CloudFormation template",
}
TEMPLATES = [name for name in FILES if name not in NOT_TEMPLATES]


def typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: typed(child) for key, child in value.items()}
    if isinstance(value, list):
        return [typed(child) for child in value]
    return (type(value).__name__, value)


@pytest.fixture(scope="module")
def report() -> FileReport:
    return validate_files([str(CORPUS)], region=None, lint=True, strict=False)


def problems_of(problems: list[Problem], name: str) -> list[Problem]:
    return [p for p in problems if p.location is not None and p.location.file == str(CORPUS / name)]


def as_problem(finding: LintFinding, template: dict[str, Any]) -> Problem:
    """cfn-lint's finding at its path in the template as written (cfn-lint's own is in the template with
    its Fn::ForEach loops expanded)."""
    to_written = written_path(template)
    path = to_written(finding.path) if to_written else finding.path
    return Problem(finding.message, code=finding.rule_id, severity=finding.severity,
                   property_path=".".join(str(part) for part in path) or None)


def documented(code: str | None) -> bool:
    return code is not None and any(code in page.read_text() for page in DOCS.glob("*.md"))


def test_the_corpus_is_a_few_dozen_templates_each_listed_with_its_source() -> None:
    readme = (CORPUS / "README.md").read_text()
    assert len(FILES) >= 50
    assert [name for name in FILES if f"`{name}`" not in readme] == []


@pytest.mark.parametrize("name", FILES)
def test_a_corpus_template_reads_back_as_written_from_yaml_and_json(name: str) -> None:
    template = load(CORPUS / name)
    assert typed(loads(to_yaml(template))) == typed(template)
    assert typed(loads(to_json(template))) == typed(template)


@pytest.mark.parametrize("name", FILES)
def test_a_corpus_template_diffs_clean_against_itself(name: str) -> None:
    template = load(CORPUS / name)
    result = diff_templates(template, template)
    assert not result.has_changes
    assert result.findings == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_validate_says_exactly_cfn_lints_errors_plus_documented_additions(name: str, report: FileReport) -> None:
    text = (CORPUS / name).read_text()
    found = [as_problem(f, loads(text)) for f in lint_template(text, "us-east-1") if f.severity != "informational"]
    errors, warnings = problems_of(report.errors, name), problems_of(report.warnings, name)
    for lint in found:  # each cfn-lint finding is said: as cfn-lint says it, or as the schema layer does
        said = errors if lint.severity == "error" else warnings
        assert any((p.code, p.property_path) == (lint.code, lint.property_path) or
                   (p.code == "schema" and repeats(lint, [p])) for p in said), (lint.code, lint.property_path)
    for problem in errors:  # and iac says nothing cfn-lint does not, but for its documented checks
        from_lint = any((lint.code, lint.property_path) == (problem.code, problem.property_path) for lint in found)
        same_as_lint = problem.code == "schema" and any(repeats(lint, [problem]) for lint in found)
        assert from_lint or same_as_lint or documented(problem.code), (problem.code, problem.property_path)


@pytest.mark.parametrize("name", sorted(NOT_TEMPLATES))
def test_a_corpus_file_that_is_not_cloudformation_is_one_error(name: str, report: FileReport) -> None:
    [problem] = problems_of(report.errors + report.warnings, name)
    assert problem.message.startswith(NOT_TEMPLATES[name])


def test_the_corpus_has_both_layers_findings_and_templates_without_any(report: FileReport) -> None:
    codes = {p.code for p in report.errors}
    assert {"schema", "E1017", "E3710"} <= codes  # said by the schema layer, and by cfn-lint alone
    clean = [name for name in TEMPLATES if not problems_of(report.errors, name)]
    assert len(clean) >= 20
