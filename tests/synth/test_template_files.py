"""validate_files: every layer over every template file in one run, each problem reported once,
and templates CloudFormation accepts (language extensions, modules) never refused by iac's own layer.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from iac.errors import Problem
from iac.synth.lint import lint_template
from iac.synth.template_files import validate_files


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def found(problems: list[Problem]) -> list[tuple[str | None, int | None]]:
    return [(p.code, p.location.line if p.location else None) for p in problems]


#: One schema error (a misspelt property, line 6) and one that only cfn-lint finds: a misspelt
#: top-level section (line 7).
SCHEMA_AND_LINT = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        Properties:
          VisibilityTimout: 60
    Outputz:
      Url:
        Value: !Ref Queue
"""


def test_a_schema_error_does_not_hide_an_unrelated_lint_error(tmp_path: Path) -> None:
    report = validate_files([str(write(tmp_path, SCHEMA_AND_LINT))], region=None, lint=True, strict=False)
    assert found(report.errors) == [("schema", 6), ("E1001", 7)]
    assert "Outputz" in report.errors[1].message


def test_the_problem_both_layers_find_is_reported_once_with_the_did_you_mean(tmp_path: Path) -> None:
    path = write(tmp_path, SCHEMA_AND_LINT)
    assert {"E3002", "E1001"} <= {f.rule_id for f in lint_template(path.read_text(), "us-east-1")}
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    [schema] = [p for p in report.errors if p.code == "schema"]
    assert schema.hint == "did you mean VisibilityTimeout?"
    assert "E3002" not in {p.code for p in report.errors}


def test_each_layer_finds_the_same_problem_at_its_own_depth_and_it_is_said_once(tmp_path: Path) -> None:
    # cfn-lint points at DependsOn, Fn::GetAtt.1 and Timeout; iac at DependsOn.0, Fn::GetAtt and
    # Timeout.Fn::Joinn: the same three problems.
    path = write(tmp_path, """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            DependsOn: Nope
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              KmsMasterKeyId: !GetAtt Queue.Arnn
          Function:
            Type: AWS::Lambda::Function
            Properties:
              Role: arn:aws:iam::123456789012:role/r
              Code: {ZipFile: "x"}
              Handler: index.handler
              Runtime: python3.12
              Timeout: {"Fn::Joinn": ["", ["1"]]}
    """)
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    assert found(report.errors) == [("schema", 4), ("schema", 8), ("schema", 16)]


def test_lint_warnings_on_a_path_the_schema_layer_flags_are_kept(tmp_path: Path) -> None:
    path = write(tmp_path, """
        Parameters:
          Unused:
            Type: String
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              VisibilityTimout: 60
    """)
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    assert found(report.errors) == [("schema", 8)]
    assert found(report.warnings) == [("W2001", 2)]


def test_several_files_each_get_both_layers(tmp_path: Path) -> None:
    first = write(tmp_path, SCHEMA_AND_LINT, "a.yaml")
    second = write(tmp_path, SCHEMA_AND_LINT, "b.yaml")
    report = validate_files([str(first), str(second)], region=None, lint=True, strict=False)
    assert [(p.location.file if p.location else None, p.code) for p in report.errors] == [
        (str(first), "schema"), (str(first), "E1001"), (str(second), "schema"), (str(second), "E1001")]
