"""The importer writes what the typed L1 arguments take (mypy --strict accepts the app) and everything else
through the escape hatches, each proved by its round trip; explicit nulls are said, not silently lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iac.importer import differences, generate, synthesized_template
from iac.synth.loader import loads


def _app(template: dict[str, Any], folder: Path) -> tuple[str, list[str]]:
    """(the app's source, the round trip's differences)."""
    source = generate(template, stack_name="Imported")
    path = folder / "app.py"
    path.write_text(source, encoding="utf-8")
    return source, differences(template, synthesized_template(str(path)))


def _mypy(folder: Path) -> str:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(folder / ".mypy_cache"),
            "app.py",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def mypy_available() -> None:
    pytest.importorskip("mypy", reason="mypy is in the test extra")


def test_fn_get_stack_output_is_written_with_fn_and_passes_mypy(tmp_path: Path, mypy_available: None) -> None:
    template = loads("""
Parameters:
  Producer: {Type: String}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !GetStackOutput {StackName: producer, OutputName: TopicName}
      TopicName:
        Fn::GetStackOutput: {StackName: !Ref Producer, OutputName: Name, Region: !Ref AWS::Region,
                             RoleArn: "arn:aws:iam::123456789012:role/read"}
Outputs:
  Odd:
    Value: {"Fn::GetStackOutput": {StackName: s, OutputName: o, Extra: x}}
""")
    source, found = _app(template, tmp_path)
    assert found == []
    assert 'display_name=Fn.get_stack_output("producer", "TopicName")' in source
    assert (
        'Fn.get_stack_output(\n        producer.ref,\n        "Name",\n        region=Aws.REGION,\n'
        '        role_arn="arn:aws:iam::123456789012:role/read",\n    )'
    ) in source
    assert '{"Fn::GetStackOutput": {"StackName": "s", "OutputName": "o", "Extra": "x"}}' in source  # as it is
    assert _mypy(tmp_path) == ""


def test_a_ref_to_a_name_the_template_lacks_is_fn_ref(tmp_path: Path, mypy_available: None) -> None:
    template = loads("""
Transform: AWS::Serverless-2016-10-31
Resources:
  Policy:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Roles: [!Ref FunctionRole]
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}
""")
    source, found = _app(template, tmp_path)
    assert found == []
    assert 'roles=[Fn.ref("FunctionRole")]' in source
    assert _mypy(tmp_path) == ""


def test_a_value_the_typed_argument_cannot_take_is_an_override(tmp_path: Path, mypy_available: None) -> None:
    """An optional property whose value the schema does not allow (a Rain directive where a string goes) is a
    property override; a required one keeps the whole resource a CfnResource; what fits stays typed."""
    template = loads("""
Resources:
  Set:
    Type: AWS::CloudFormation::StackSet
    Properties:
      StackSetName: shared
      PermissionModel: SERVICE_MANAGED
      TemplateBody: {"Rain::Embed": stack.yaml}
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::123456789012:role/f
      Code: {ZipFile: {"Rain::Embed": handler.py}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: sk, AttributeType: S}]
      BillingMode: PAY_PER_REQUEST
      LocalSecondaryIndexes:
        - IndexName: bySk
          KeySchema: [{AttributeName: pk, KeyType: HASH}, {AttributeName: sk, KeyType: RANGE}]
          Projection: {ProjectionType: KEYS_ONLY}
""")
    source, found = _app(template, tmp_path)
    assert found == []
    assert 'set_.add_property_override("TemplateBody", {"Rain::Embed": "stack.yaml"})' in source
    assert 'set_ = cloudformation.StackSet(\n    stack,\n    "Set",\n    stack_set_name="shared",' in source
    assert 'function = CfnResource(\n    stack,\n    "Function",\n    type="AWS::Lambda::Function",' in source
    assert "table = dynamodb.Table(" in source and "key_schema=[" in source
    assert _mypy(tmp_path) == ""


@pytest.mark.parametrize(
    ("properties", "fits"),
    [
        ({"VisibilityTimeout": 60}, True),
        ({"VisibilityTimeout": "60"}, True),  # CloudFormation reads "60" as 60: written as the schema types it
        ({"VisibilityTimeout": [60]}, False),
        ({"VisibilityTimeout": {"Ref": "AWS::NoValue"}}, True),  # an intrinsic is a Token, which every argument takes
        ({"VisibilityTimeout": {"Fn::Made::Up": 1}}, False),  # not one the app writes as a Token
        ({"RedrivePolicy": {"deadLetterTargetArn": "arn", "maxReceiveCount": 3}}, True),
        ({"Tags": [{"Key": "a", "Value": "b"}]}, True),
        ({"Tags": [{"Key": "a"}]}, False),  # Value is required in a Tag
        ({"Tags": [{"Key": "a", "Value": "b", "Extra": 1}]}, False),  # a TypedDict has no other keys
        ({"Tags": {"Key": "a", "Value": "b"}}, False),  # one tag where a list goes
    ],
)
def test_what_fits_a_typed_argument(tmp_path: Path, properties: dict[str, Any], fits: bool) -> None:
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": properties}}}
    source, found = _app(template, tmp_path)
    assert found == []
    name = next(iter(properties))
    assert (f'queue.add_property_override("{name}"' not in source) is fits, source


def test_a_null_property_is_said_in_the_app_and_by_the_round_trip(tmp_path: Path) -> None:
    template = loads("""
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: ~
      Tags: [{Key: a, Value: null}]
""")
    source, found = _app(template, tmp_path)
    assert "# DisplayName is null in the template: CloudFormation refuses a null value" in source
    assert found == [
        "Resources.Topic.Properties.DisplayName: null in the template, left out by the app (iac writes no null; "
        "CloudFormation refuses one: 'null' values are not allowed in templates)",
        "Resources.Topic.Properties.Tags.0.Value: null in the template, left out by the app (iac writes no null; "
        "CloudFormation refuses one: 'null' values are not allowed in templates)",
    ]
