"""validate_files: every layer over every template file in one run, each problem reported once,
and templates CloudFormation accepts (language extensions, modules) never refused by iac's own layer.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

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


# -- files that are not CloudFormation: one clear error each -------------------------------------------


def only_problem(tmp_path: Path, text: str, name: str = "template.yaml") -> Problem:
    report = validate_files([str(write(tmp_path, text, name))], region=None, lint=True, strict=False)
    [problem] = report.errors + report.warnings
    return problem


def test_a_rain_module_reference_is_one_error_naming_the_object_valued_types(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, """
        Parameters:
          Name:
            Type: String
        Resources:
          Bucket:
            Type: !Rain::Module "./bucket.yaml"
            Properties:
              Name: !Ref Name
          Other:
            Type:
              Rain::Module: ./other.yaml
    """)
    assert (problem.code, problem.location.line if problem.location else None) == ("schema", 6)
    assert "the Type of Bucket, Other is an object (!Rain::Module)" in problem.message
    assert problem.hint is not None and "rain pkg" in problem.hint


def test_empty_resources_is_one_error(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, "Resources: {}\n")
    assert (problem.code, problem.property_path) == ("schema", "Resources")
    assert problem.message.startswith("the template has no resources (Resources is empty)")


def test_a_template_without_a_resources_section_is_one_error(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, """
        AWSTemplateFormatVersion: "2010-09-09"
        Outputz:
          X:
            Value: 1
    """)
    assert "the Resources section is missing" in problem.message
    assert problem.code == "schema"


def test_a_yaml_file_that_is_not_a_template_is_one_input_error(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, """
        services:
          web:
            image: nginx
    """, "compose.yaml")
    assert problem.code == "template"  # an input error: exit status 2, like a file that cannot be read
    assert problem.message == "not a CloudFormation template: it has none of a template's sections (its keys: services)"


def test_resources_that_is_a_list_is_one_error(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, """
        Resources:
          - Type: AWS::SQS::Queue
    """)
    assert (problem.code, problem.message) == ("schema", "Resources must map logical ids to resources, not be a list")


def test_a_misspelt_resources_section_is_one_error_with_the_section_meant(tmp_path: Path) -> None:
    problem = only_problem(tmp_path, """
        Resource:
          Queue:
            Type: AWS::SQS::Queue
        Outputz: {}
    """)
    assert (problem.message, problem.hint) == ("the template has no resources: 'Resource' is not a section",
                                               "did you mean Resources?")
    assert problem.location is not None and problem.location.line == 1


# -- what cfn-lint is told to ignore -------------------------------------------------------------------


def test_a_check_the_template_tells_cfn_lint_to_ignore_is_not_said_by_iac_either(tmp_path: Path) -> None:
    # As in aws-cloudformation-templates' APIGateway/apigateway_lambda_integration.json: a Rain
    # directive where a string belongs, E3012 ignored in the resource's Metadata.
    text = """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Metadata:
              cfn-lint:
                config:
                  ignore_checks: [E3012]
            Properties:
              DelaySeconds: {"Rain::Embed": "delay.txt"}
              VisibilityTimout: 3
          Other:
            Type: AWS::SQS::Queue
            Properties:
              DelaySeconds: {"Rain::Embed": "delay.txt"}
    """
    report = validate_files([str(write(tmp_path, text))], region=None, lint=True, strict=False)
    assert [(p.code, p.property_path) for p in report.errors] == [
        ("schema", "Resources.Queue.Properties.VisibilityTimout"),
        ("schema", "Resources.Other.Properties.DelaySeconds"),
    ]


def test_a_family_ignored_for_the_whole_template_is_not_said(tmp_path: Path) -> None:
    text = """
        Metadata:
          cfn-lint:
            config:
              ignore_checks: [E30]
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              VisibilityTimout: 3
              DelaySeconds: lots
    """
    report = validate_files([str(write(tmp_path, text))], region=None, lint=True, strict=False)
    assert report.errors == []


def test_checks_cfn_lints_configuration_ignores_are_not_said_unless_mandatory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home, project = tmp_path / "home", tmp_path / "project"
    home.mkdir()
    project.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(project)
    (project / ".cfnlintrc").write_text("ignore_checks: [E30]\nmandatory_checks: [E3012]\n")
    path = write(project, """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              VisibilityTimout: 3
              DelaySeconds: lots
    """)
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    assert [(p.code, p.property_path) for p in report.errors] == [("schema", "Resources.Queue.Properties.DelaySeconds")]


def test_a_local_path_for_the_package_command_is_left_to_cfn_lints_warning(tmp_path: Path) -> None:
    # `aws cloudformation package` uploads ./src and writes the S3 location the schema asks for.
    text = """
        Resources:
          Function:
            Type: AWS::Lambda::Function
            Properties:
              Code: ./src
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/r
              Runtime: python3.12
          Repository:
            Type: AWS::CodeCommit::Repository
            Properties:
              RepositoryName: repo
              Code:
                S3: ./initial
          Other:
            Type: AWS::Lambda::Function
            Properties:
              Code: [./src]
              Handler: index.handler
              Role: arn:aws:iam::123456789012:role/r
              Runtime: python3.12
    """
    report = validate_files([str(write(tmp_path, text))], region=None, lint=True, strict=False)
    assert [(p.code, p.property_path) for p in report.errors] == [("schema", "Resources.Other.Properties.Code")]
    assert [p.code for p in report.warnings] == ["W3002", "W3002"]


def test_a_problem_both_layers_find_is_at_cfn_lints_line_which_knows_the_list_item(tmp_path: Path) -> None:
    path = write(tmp_path, """
        Resources:
          Topic:
            Type: AWS::SNS::Topic
            Properties:
              Subscription:
                - Protocol: sqs
                  Endpoint: arn:aws:sqs:us-east-1:123456789012:q
                - Protocol: sqs
    """)
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    [problem] = report.errors
    assert (problem.code, problem.property_path) == ("schema", "Resources.Topic.Properties.Subscription.1")
    assert problem.location is not None and problem.location.line == 8  # not 5, the line of Subscription
