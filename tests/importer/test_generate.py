"""What the importer writes for each part of a template (iac.importer.generate), each proved by its round trip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from iac.errors import IacError, TemplateError
from iac.importer import differences, generate, stack_name_from, synthesized_template
from iac.synth.loader import loads


def _round_trip(template: dict[str, Any], folder: Path, name: str = "app.py") -> str:
    source = generate(template, stack_name="Imported")
    path = folder / name
    path.write_text(source, encoding="utf-8")
    assert differences(template, synthesized_template(str(path))) == []
    return source


def test_references_are_made_on_variables_never_strings(tmp_path: Path) -> None:
    template = loads("""
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: dev}
Resources:
  Dead:
    Type: AWS::SQS::Queue
  Work:
    Type: AWS::SQS::Queue
    DependsOn: Dead
    Properties:
      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 3}
      QueueName: !Join ["-", [!Ref Env, !GetAtt Dead.QueueName, !Select [0, !GetAZs ""]]]
""")
    source = _round_trip(template, tmp_path)
    assert 'env = Parameter(stack, "Env", allowed_values=["dev", "prod"], default="dev")' in source
    assert '"deadLetterTargetArn": dead.attr_arn' in source
    assert 'dead.get_att("QueueName")' in source  # cfn-lint knows it, the schema's read-only list does not
    assert "env.ref" in source and 'Fn.select(0, Fn.get_azs(""))' in source
    assert "depends_on=dead," in source
    assert source.index("dead = sqs.Queue") < source.index("work = sqs.Queue")


def test_sub_is_an_f_string_where_every_piece_is_a_reference(tmp_path: Path) -> None:
    template = loads("""
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName: !Sub "arn:${AWS::Partition}:s3:::${Bucket}/{braces}/${!Literal}"
      TopicName: !Sub
        - "${Name}-${Bucket.Arn}"
        - Name: !Ref AWS::StackName
      KmsMasterKeyId: !Sub "alias/plain"
""")
    source = _round_trip(template, tmp_path)
    assert 'Fn.sub(f"arn:{Aws.PARTITION}:s3:::{bucket.ref}/{{braces}}/${{!Literal}}")' in source
    assert 'Fn.sub(f"${{Name}}-{bucket.attr_arn}", {"Name": Aws.STACK_NAME})' in source
    assert 'Fn.sub("alias/plain")' in source


def test_conditions_mappings_outputs_and_policies(tmp_path: Path) -> None:
    template = loads("""
Metadata:
  Owner: {Team: data}
Parameters:
  Size: {Type: Number, MinValue: "1", MaxValue: "10", NoEcho: "true", Default: 2}
  Quiet: {Type: String, NoEcho: false}
  Count: {Type: Number, Default: "1", AllowedValues: [1, 2]}
Mappings:
  Region:
    us-east-1: {Ami: ami-12345678}
Conditions:
  IsBig: !Not [!Equals [!Ref Size, 1]]
  IsBigHere: !And [!Condition IsBig, !Equals [!Ref "AWS::Region", us-east-1]]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Condition: IsBigHere
    DeletionPolicy: Retain
    UpdateReplacePolicy: Snapshot
    Metadata: {Note: kept}
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      TableClass: !If [IsBig, STANDARD, !Ref "AWS::NoValue"]
      Tags: [{Key: ami, Value: !FindInMap [Region, !Ref "AWS::Region", Ami, {DefaultValue: none}]}]
Outputs:
  TableArn:
    Description: the table
    Condition: IsBigHere
    Value: !GetAtt Table.Arn
    Export: {Name: !Sub "${AWS::StackName}-table"}
""")
    source = _round_trip(template, tmp_path)
    assert 'expression=Fn.and_(is_big, Fn.equals(Aws.REGION, "us-east-1"))' in source
    assert 'region.find_in_map(Aws.REGION, "Ami", default="none")' in source
    assert 'Fn.if_(is_big, "STANDARD", Aws.NO_VALUE)' in source
    assert 'deletion_policy="Retain"' in source and 'update_replace_policy="Snapshot"' in source
    assert "condition=is_big_here" in source and 'metadata={"Note": "kept"}' in source
    assert 'stack.add_template_metadata("Owner", {"Team": "data"})' in source
    assert "min_value=1, max_value=10" in source and "no_echo=True" in source


def test_ids_another_section_shares_are_pinned(tmp_path: Path) -> None:
    """Conditions, Mappings and Outputs have namespaces of their own in a template; constructs share one."""
    template = loads("""
Parameters:
  Queue: {Type: String}
Conditions:
  Queue: !Equals [!Ref Queue, "yes"]
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Condition: Queue
Outputs:
  Topic: {Value: !Ref Topic, Condition: Queue}
""")
    source = _round_trip(template, tmp_path)
    assert 'queue_condition = Condition(stack, "QueueCondition"' in source
    assert 'queue_condition.override_logical_id("Queue")' in source
    assert 'topic_output = Output(stack, "TopicOutput", value=topic.ref, condition=queue_condition)' in source
    assert 'topic_output.override_logical_id("Topic")' in source


def test_sam_keeps_its_types_globals_and_transform(tmp_path: Path) -> None:
    template = loads("""
Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Globals:
  Function: {Timeout: 10}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: index.handler, InlineCode: "def handler(e, c): pass"}
  Custom:
    Type: Custom::Thing
    Properties: {ServiceToken: !GetAtt Fn.Arn, Size: 3}
""")
    source = _round_trip(template, tmp_path)
    assert 'stack.add_transform("AWS::LanguageExtensions")' in source
    assert source.index("LanguageExtensions") < source.index("Serverless-2016-10-31")
    assert 'stack.template_options["Globals"] = {"Function": {"Timeout": 10}}' in source
    assert 'type="AWS::Serverless::Function"' in source and 'fn.get_att("Arn")' in source
    assert 'type="Custom::Thing"' in source


def test_what_the_typed_class_cannot_take_is_still_written(tmp_path: Path) -> None:
    template = loads("""
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Version: "1.0"
    Properties: {DisplayName: x, TopicArn: read-only}
  Policy:
    Type: AWS::SQS::QueuePolicy
    Properties: {Queues: [q]}
""")
    source = _round_trip(template, tmp_path)
    assert 'topic.add_property_override("TopicArn", "read-only")' in source
    assert 'topic.add_override("Version", "1.0")' in source
    assert 'policy = CfnResource(stack, "Policy", type="AWS::SQS::QueuePolicy"' in source  # no PolicyDocument


def test_a_cycle_is_written_with_lazy_and_refused_by_synthesis_as_by_cloudformation(tmp_path: Path) -> None:
    template = loads("""
Resources:
  First:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: !GetAtt Second.TopicName}
  Second:
    Type: AWS::SNS::Topic
    Properties: {DisplayName: !GetAtt First.TopicName}
""")
    source = generate(template, stack_name="Cycle")
    assert 'first = sns.Topic(stack, "First", display_name=Lazy(lambda: second.get_att("TopicName")))' in source
    path = tmp_path / "app.py"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(IacError, match="dependency cycle between resources: First -> Second -> First"):
        synthesized_template(str(path))


def test_long_values_break_the_way_ruff_format_keeps_them(tmp_path: Path) -> None:
    words = " ".join(f"word{number}" for number in range(60))
    template = {"Description": words, "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {
        "DisplayName": {"Fn::Sub": "${AWS::Region}-" + "x" * 150 + "-${AWS::AccountId}"},
        "Tags": [{"Key": "code", "Value": "line one\nline two\n" + "y" * 120}]}}}}
    source = _round_trip(template, tmp_path)
    path = tmp_path / "app.py"
    completed = subprocess.run([sys.executable, "-m", "ruff", "format", "--diff", "--isolated", "--line-length", "100",
                                "--target-version", "py311", str(path)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert max(len(line) for line in source.splitlines()) <= 100
    assert '        "line one\\n"\n' in source


@pytest.mark.parametrize(("template", "message"), [
    ({"Resources": {}}, "has no resources"),
    ({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Outputz": {}}, "unknown top-level section 'Outputz'"),
    ({"Resources": {"A": {"Properties": {}}}}, "resource A has no Type"),
    ({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Parameters": {"A": {"Type": "String"}}},
     "'A' is both a parameter and a resource"),
    ({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Outputs": {"O": {"Value": 1, "Exports": {}}}},
     "output O has keys an output cannot have: Exports"),
    ({"Resources": {"A": {"Type": "AWS::SNS::Topic"}}, "Parameters": {"P": {"Type": "Number", "MinValue": "x"}}},
     "parameter P: MinValue must be a number"),
])
def test_templates_it_cannot_read_are_refused_with_a_reason(template: dict[str, Any], message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        generate(template, stack_name="Bad")


@pytest.mark.parametrize(("path", "name"), [
    ("tests/templates/good/sam-app.yaml", "sam-app"),
    ("x/Orders.template.json", "Orders"),
    ("my_stack.v2.yml", "my-stack-v2"),
    ("2024.yaml", "Imported-2024"),
])
def test_stack_name_from_the_file_name(path: str, name: str) -> None:
    assert stack_name_from(path) == name


def test_an_include_transform_and_fn_transform_are_written_as_they_are(tmp_path: Path) -> None:
    template = loads("""
Transform:
  Name: AWS::Include
  Parameters: {Location: "s3://bucket/a-longer-name-for-the-snippet-so-that-the-line-breaks.yaml"}
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      DisplayName:
        Fn::Transform: {Name: AWS::Include, Parameters: {Location: "s3://bucket/x.yaml"}}
""")
    source = _round_trip(template, tmp_path)
    assert 'stack.template_options.setdefault("Transform", []).append(\n    {\n' in source
    assert '"Fn::Transform": {"Name": "AWS::Include"' in source
    completed = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "--isolated", "--line-length",
                                "100", "--target-version", "py311", str(tmp_path / "app.py")],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_hooks_are_kept(tmp_path: Path) -> None:
    template = loads("""
Transform: [AWS::CodeDeployBlueGreen]
Hooks:
  BlueGreen:
    Type: AWS::CodeDeploy::BlueGreen
    Properties: {ServiceRole: !Ref Role, Applications: []}
Parameters:
  Role: {Type: String}
Resources:
  Topic: {Type: AWS::SNS::Topic}
""")
    source = _round_trip(template, tmp_path)
    assert '"Properties": {"ServiceRole": role.ref, "Applications": []}' in source
