"""Templates CloudFormation accepts are not refused by iac's schema layer: Fn::ForEach under
AWS::LanguageExtensions (expanded, findings at the loop's lines), Fn::Length / Fn::ToJsonString /
Fn::GetStackOutput, references to a module's resources; what iac does not understand is cfn-lint's.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from iac.synth.language_extensions import expand
from iac.synth.lint import lint_template
from iac.synth.loader import loads
from iac.synth.schema_validation import validate_template
from iac.synth.template_files import validate_files


def template(text: str) -> dict[str, Any]:
    return loads(textwrap.dedent(text))


def messages(text: str) -> list[tuple[str, str]]:
    return [(f.property_path, f.message) for f in validate_template(template(text))]


LOOP = """
    Transform: AWS::LanguageExtensions
    Resources:
      Fn::ForEach::Topics:
        - Name
        - [Alpha, Beta]
        - Topic${Name}:
            Type: AWS::SNS::Topic
            Properties:
              TopicName: !Sub "topic-${Name}"
              DisplayName: !Ref Name
      Subscription:
        Type: AWS::SNS::Subscription
        Properties:
          TopicArn: !Ref TopicBeta
          Protocol: email
          Endpoint: someone@example.com
    Outputs:
      Fn::ForEach::Arns:
        - Name
        - [Alpha, Beta]
        - Arn${Name}:
            Value: !Ref
              Fn::Sub: Topic${Name}
"""


def test_a_loop_is_expanded_as_cloudformation_expands_it() -> None:
    expanded = expand(template(LOOP)).template
    assert list(expanded["Resources"]) == ["TopicAlpha", "TopicBeta", "Subscription"]
    assert expanded["Resources"]["TopicBeta"]["Properties"] == {"TopicName": {"Fn::Sub": "topic-Beta"},
                                                                 "DisplayName": "Beta"}
    assert expanded["Outputs"] == {"ArnAlpha": {"Value": {"Ref": "TopicAlpha"}},
                                   "ArnBeta": {"Value": {"Ref": "TopicBeta"}}}


def test_a_valid_loop_has_no_findings_and_its_copies_can_be_referenced() -> None:
    assert messages(LOOP) == []


def test_a_finding_in_a_loop_is_reported_once_at_the_loop_body() -> None:
    broken = LOOP.replace("TopicName:", "TopicNam:")
    assert messages(broken) == [("Resources.Fn::ForEach::Topics.2.Topic${Name}.Properties.TopicNam",
                                 "unknown property 'TopicNam'")]


def test_in_a_file_the_loop_body_line_is_reported_and_cfn_lint_says_it_once_with_iac(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(textwrap.dedent(LOOP.replace("TopicName:", "TopicNam:")))
    assert "E3002" in {f.rule_id for f in lint_template(path.read_text(), "us-east-1")}
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    assert [(p.code, p.location.line if p.location else None) for p in report.errors] == [("schema", 10)]
    assert report.warnings == []


def test_cfn_lint_findings_in_a_loop_point_at_the_loop_once(tmp_path: Path) -> None:
    # A policy statement's Effect is free-form for the schema layer; cfn-lint alone finds it (E3512).
    path = tmp_path / "loop.yaml"
    path.write_text(textwrap.dedent("""
        Transform: AWS::LanguageExtensions
        Resources:
          Queue:
            Type: AWS::SQS::Queue
          Fn::ForEach::Policies:
            - Name
            - [Alpha, Beta]
            - Policy${Name}:
                Type: AWS::SQS::QueuePolicy
                Properties:
                  Queues: [!Ref Queue]
                  PolicyDocument:
                    Version: "2012-10-17"
                    Statement:
                      - Effect: Alow
                        Principal: {Service: sns.amazonaws.com}
                        Action: sqs:SendMessage
                        Resource: "*"
    """))
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    [problem] = report.errors
    assert (problem.code, problem.location.line if problem.location else None) == ("E3512", 16)
    assert problem.property_path == ("Resources.Fn::ForEach::Policies.2.Policy${Name}.Properties.PolicyDocument"
                                     ".Statement.0.Effect")


def test_nested_loops_and_the_ampersand_form() -> None:
    text = """
        Transform: AWS::LanguageExtensions
        Resources:
          Fn::ForEach::Envs:
            - Env
            - [dev, prod]
            - Fn::ForEach::Apps:
                - App
                - [web-a, api]
                - Queue&{Env}&{App}:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: !Sub "${Env}-${App}"
          Policy:
            Type: AWS::SQS::QueuePolicy
            Properties:
              Queues: [!Ref Queueprodweba, !Ref QueuedevAPI]
              PolicyDocument: {}
    """
    expanded = expand(template(text)).template
    assert list(expanded["Resources"]) == ["Queuedevweba", "Queuedevapi", "Queueprodweba", "Queueprodapi",
                                           "Policy"]
    assert messages(text) == [("Resources.Policy.Properties.Queues.1.Ref",
                               "Ref names 'QueuedevAPI', which is not defined in this template")]


def test_a_loop_over_a_list_parameter_uses_its_default_and_accepts_any_name_it_may_make() -> None:
    text = """
        Transform: AWS::LanguageExtensions
        Parameters:
          Names:
            Type: CommaDelimitedList
            Default: "a,b"
        Resources:
          Fn::ForEach::Topics:
            - Name
            - !Ref Names
            - Topic${Name}:
                Type: AWS::SNS::Topic
                Properties:
                  Bogus: 1
          Subscription:
            Type: AWS::SNS::Subscription
            Properties:
              TopicArn: !Ref Topicc
              Protocol: sqs
              Endpoint: !GetAtt Topicd.TopicArn
    """
    assert list(expand(template(text)).template["Resources"]) == ["Topica", "Topicb", "Subscription"]
    assert messages(text) == [("Resources.Fn::ForEach::Topics.2.Topic${Name}.Properties.Bogus",
                               "unknown property 'Bogus'")]


def test_a_loop_whose_items_are_unknown_is_left_to_cfn_lint() -> None:
    text = """
        Transform: AWS::LanguageExtensions
        Parameters:
          Names:
            Type: CommaDelimitedList
        Conditions:
          Fn::ForEach::Flags:
            - Name
            - !Ref Names
            - Is${Name}: !Equals [!Ref Name, x]
        Resources:
          Fn::ForEach::Topics:
            - Name
            - !Ref Names
            - Topic${Name}:
                Type: AWS::SNS::Topic
                Condition: Isx
                Properties:
                  Bogus: 1
        Outputs:
          First:
            Condition: Isa
            Value: !GetAtt Topica.TopicArn
          Missing:
            Value: !Ref Queue
    """
    assert messages(text) == [("Outputs.Missing.Value.Ref", "Ref names 'Queue', which is not defined in this template")]


def test_a_malformed_loop_is_left_to_cfn_lint() -> None:
    text = """
        Transform: AWS::LanguageExtensions
        Resources:
          Fn::ForEach::Topics: [Name, [a]]
    """
    assert messages(text) == []
    assert "E0001" in {f.rule_id for f in lint_template(textwrap.dedent(text), "us-east-1")}  # cannot transform


def test_without_the_transform_a_loop_is_not_expanded() -> None:
    text = LOOP.replace("Transform: AWS::LanguageExtensions", "Description: no transform")
    assert ("Resources.Fn::ForEach::Topics", "Fn::ForEach::Topics needs the AWS::LanguageExtensions transform") in \
        messages(text)


def test_a_loop_file_passes_the_quotas_on_its_expansion(tmp_path: Path) -> None:
    # A loop key is not a logical id: CloudFormation checks the ids the loop makes.
    path = tmp_path / "loop.yaml"
    path.write_text(textwrap.dedent(LOOP))
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    assert (report.errors, report.warnings) == ([], [])


EXTENSION_FUNCTIONS = """
    Transform: AWS::LanguageExtensions
    Parameters:
      Names:
        Type: CommaDelimitedList
        Default: "a,b"
    Conditions:
      HasTwo: !Equals [!Length {Ref: Names}, 2]
    Resources:
      Queue:
        Type: AWS::SQS::Queue
        DeletionPolicy: !If [HasTwo, Retain, Delete]
        UpdateReplacePolicy: Retain
        Properties:
          DelaySeconds: !Length [a, b]
          QueueName: !ToJsonString [a]
          RedrivePolicy: !ToJsonString {deadLetterTargetArn: !GetAtt Dead.Arn, maxReceiveCount: 3}
      Dead:
        Type: AWS::SQS::Queue
        Properties:
          MessageRetentionPeriod: !Length {Ref: Names}
      Role:
        Type: AWS::IAM::Role
        Properties:
          AssumeRolePolicyDocument: !ToJsonString
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Service: lambda.amazonaws.com}
                Action: sts:AssumeRole
      Topic:
        Type: AWS::SNS::Topic
        Properties:
          DisplayName:
            Fn::GetStackOutput: {StackName: network, OutputName: Name, Region: eu-west-1}
    Outputs:
      Count:
        Value: !Length {Ref: Names}
      Json:
        Value: !ToJsonString {names: !Ref Names}
      Found:
        Value: !FindInMap [Map, a, b, {DefaultValue: x}]
"""


def test_language_extension_functions_are_accepted_where_cloudformation_accepts_them() -> None:
    assert messages(EXTENSION_FUNCTIONS) == []


def test_cfn_lint_agrees_the_extension_functions_template_has_no_errors() -> None:
    body = textwrap.dedent(EXTENSION_FUNCTIONS)
    assert [f for f in lint_template(body, "us-east-1") if f.severity == "error"] == []


def test_a_function_iac_does_not_know_is_left_to_cfn_lint_but_a_misspelling_is_said() -> None:
    text = """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              DelaySeconds: {"Fn::SomethingNew": [1]}
              MaximumMessageSize: {"Fn::Lenght": [1]}
    """
    [(path, message)] = messages(text)
    assert path == "Resources.Queue.Properties.MaximumMessageSize.Fn::Lenght"


MODULE = """
    Resources:
      Storage:
        Type: My::Company::Storage::MODULE
        Properties:
          BucketName: data
      Topic:
        Type: AWS::SNS::Topic
        DependsOn: StorageBucket
        Properties:
          DisplayName: !Ref StorageBucket
          KmsMasterKeyId: !GetAtt Storage.Key.Arn
          TopicName: !Sub "${Storage.Bucket}-${StorageKey.Arn}"
      Other:
        Type: AWS::SNS::Topic
        Properties:
          DisplayName: !Ref Storage.Bucket
"""


def test_references_to_a_modules_resources_are_accepted() -> None:
    assert messages(MODULE) == []


def test_a_reference_matching_no_module_is_still_undefined() -> None:
    assert messages(MODULE.replace("!Ref StorageBucket", "!Ref Storag")) == [
        ("Resources.Topic.Properties.DisplayName.Ref", "Ref names 'Storag', which is not defined in this template")]


# -- whatever the loops hold, the schema layer says something or nothing, and never fails --------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

NAMES = st.sampled_from(["Name", "Topic${Name}", "Q&{Name}", "Fn::ForEach::Inner", "Ref", "Fn::Sub", "Fn::GetAtt",
                         "Type", "Properties", "Names", "x"])
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["a", "b-c", "${Name}", "Name", ""]))
COLLECTIONS = st.one_of(st.lists(LEAVES, max_size=3), st.just({"Ref": "Names"}), st.just({"Ref": "Nothing"}),
                        st.just({"Fn::FindInMap": ["M", "a", "b"]}),
                        st.just({"Fn::FindInMap": ["M", "c", "b"]}),
                        st.just({"Fn::FindInMap": ["M", "a", "z", {"DefaultValue": [1]}]}),
                        LEAVES)


def loops(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(NAMES, inner, max_size=3),
        st.tuples(st.one_of(st.just("Name"), LEAVES), COLLECTIONS, st.dictionaries(NAMES, inner, max_size=3)).map(list),
    )


LOOP_VALUES = st.recursive(LEAVES, loops, max_leaves=12)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["Fn::ForEach::A", "Fn::ForEach::B", "Queue"]), LOOP_VALUES, min_size=1,
                       max_size=3),
       st.sampled_from(["Resources", "Outputs", "Conditions"]))
def test_any_loop_is_expanded_or_left_alone_without_an_exception(entries: dict[str, Any], section: str) -> None:
    body = {"Transform": "AWS::LanguageExtensions",
            "Parameters": {"Names": {"Type": "CommaDelimitedList", "Default": "a,b"}},
            "Mappings": {"M": {"a": {"b": ["x", "y"]}, "c": ["not", "a", "map"]}},
            "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    body.setdefault(section, {}).update(entries)
    for finding in validate_template(body):
        assert finding.path and finding.message


def test_loops_that_would_make_more_copies_than_a_stack_holds_are_one_error_without_lint(tmp_path: Path) -> None:
    # Five nested loops of 100 items: 10^10 copies written in a few kilobytes.
    items = "[" + ", ".join(f"i{n}" for n in range(100)) + "]"
    body = "Transform: AWS::LanguageExtensions\nResources:\n"
    indent = "  "
    for level in range(5):
        body += f"{indent}Fn::ForEach::L{level}:\n{indent}  - V{level}\n{indent}  - {items}\n{indent}  -"
        indent += "    "
        body += "\n" if level < 4 else " "
    body += "Q${V0}${V1}${V2}${V3}${V4}:\n" + indent + "  Type: AWS::SQS::Queue\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(body)
    report = validate_files([str(path)], region=None, lint=True, strict=False)
    [problem] = report.errors
    assert problem.message.startswith("the Fn::ForEach loops make more than 10,000 copies")
    assert problem.location is not None and problem.location.line >= 3


def test_a_loop_without_the_transform_is_one_iac_error_naming_the_transform(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(textwrap.dedent(LOOP.replace("Transform: AWS::LanguageExtensions", "Description: none")))
    report = validate_files([str(path)], region=None, lint=False, strict=False)
    assert [(p.code, p.message) for p in report.errors] == [
        ("schema", "Fn::ForEach::Topics needs the AWS::LanguageExtensions transform"),
        ("schema", "Ref names 'TopicBeta', which is not defined in this template"),
    ]
