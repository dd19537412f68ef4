"""Fn::ForEach loops (AWS::LanguageExtensions) import as ForEach constructs that synthesize the loop as
written, each proved by its round trip; a loop CloudFormation would refuse is refused with the reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iac.errors import TemplateError
from iac.importer import differences, generate, synthesized_template
from iac.synth.loader import loads


def _round_trip(template: dict[str, Any], folder: Path) -> str:
    source = generate(template, stack_name="Loops")
    path = folder / "app.py"
    path.write_text(source, encoding="utf-8")
    assert differences(template, synthesized_template(str(path))) == []
    return source


LOOPS = """
Transform: AWS::LanguageExtensions
Parameters:
  Name: {Type: String, Default: shared}
  Names: {Type: CommaDelimitedList, Default: "a,b"}
Conditions:
  Fn::ForEach::Enabled:
    - Name
    - !Ref Names
    - Is${Name}: !Equals [!Ref Name, a]
Resources:
  Shared:
    Type: AWS::SNS::Topic
    Properties: {TopicName: !Ref Name}
  Fn::ForEach::Topics:
    - Name
    - [Alpha, Beta]
    - Topic${Name}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Sub "${Name}-${Shared.TopicName}"
          DisplayName: !Ref Name
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !GetAtt TopicAlpha.TopicName
      Tags:
        - {Key: beta, Value: !Ref TopicBeta}
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/f
      Code: {ZipFile: "def handler(event, context): pass"}
      Handler: index.handler
      Runtime: python3.12
      Environment:
        Variables:
          Fn::ForEach::Vars:
            - V
            - [A, B]
            - TOPIC_${V}: !Ref Name
Outputs:
  Fn::ForEach::Arns:
    - Name
    - [Alpha, Beta]
    - ${Name}Arn:
        Value: !Ref
          Fn::Sub: Topic${Name}
"""


def test_loops_are_foreach_constructs_and_round_trip(tmp_path: Path) -> None:
    source = _round_trip(loads(LOOPS), tmp_path)
    assert "from iac import App, Fn, ForEach, Parameter, Stack" in source
    assert 'ForEach(\n    stack,\n    "Topics",\n    section="Resources",\n    identifier="Name",' in source
    assert 'section="Conditions",\n    identifier="Name",\n    collection=names.ref,' in source
    # inside a loop, its identifier is the item even where a parameter has the name; outside, the parameter
    assert '"DisplayName": Fn.ref("Name")' in source
    assert '"TopicName": Fn.sub(f"${{Name}}-{shared.get_att(\'TopicName\')}")' in source
    assert 'shared = sns.Topic(stack, "Shared", topic_name=name.ref)' in source
    # what a loop makes is referred to by name (the template declares no such resource)
    assert 'queue_name=Fn.get_att("TopicAlpha", "TopicName")' in source
    assert '"Value": Fn.ref("TopicBeta")' in source
    # a loop inside a typed resource's properties, where the stub takes any map: the typed argument
    assert 'environment={"Variables": {"Fn::ForEach::Vars": ["V", ["A", "B"], {"TOPIC_${V}": name.ref}]}}' in source
    assert '"TOPIC_${V}": name.ref' in source  # another loop's identifier does not hide the parameter


def test_the_loops_app_passes_mypy(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    _round_trip(loads(LOOPS), tmp_path)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            "app.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            {
                "Parameters": {"Fn::ForEach::P": ["N", ["a"], {"P${N}": {"Type": "String"}}]},
                "Resources": {"A": {"Type": "AWS::SNS::Topic"}},
            },
            "Parameters.Fn::ForEach::P: Fn::ForEach makes entries of Resources, Outputs, Conditions only",
        ),
        ({"Resources": {"Fn::ForEach::T": ["N", ["a"]]}}, r"Resources.Fn::ForEach::T must be \[identifier, collection"),
        (
            {"Resources": {"Fn::ForEach::T": [1, ["a"], {"T${N}": {"Type": "AWS::SNS::Topic"}}]}},
            r"must be \[identifier, collection",
        ),
        (
            {"Resources": {"Fn::ForEach::Not-A-Name": ["N", ["a"], {"T${N}": {"Type": "AWS::SNS::Topic"}}]}},
            "a loop's key is Fn::ForEach:: and a name of letters and digits",
        ),
    ],
)
def test_a_loop_cloudformation_would_refuse_is_refused(template: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        generate(template, stack_name="Loops")
