"""`ForEach`: an app writes a Fn::ForEach loop as it stands in a template; synthesis checks its expansion
(cycles, quotas, schemas, cfn-lint) and reports findings at the loop's line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from iac import App, ConstructError, ForEach, Output, Parameter, Stack, ValidationError
from iac.cfn import sns
from iac.synth import synthesize, synthesize_app

BUCKET = {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def _app() -> tuple[App, Stack]:
    app = App(path_metadata=False)
    return app, Stack(app, "Loop")


def test_the_loop_is_written_as_in_a_template_with_the_transform() -> None:
    app, stack = _app()
    topic = sns.Topic(stack, "Alerts", kms_master_key_id="alias/alerts")
    ForEach(
        stack,
        "Buckets",
        section="Resources",
        identifier="Name",
        collection=["Logs", "Data"],
        fragment={
            "${Name}Bucket": {**BUCKET, "Properties": {"Tags": [{"Key": "topic", "Value": topic.attr_topic_arn}]}}
        },
    )
    ForEach(
        stack,
        "Arns",
        section="Outputs",
        identifier="Name",
        collection=["Logs", "Data"],
        fragment={"${Name}Arn": {"Value": {"Fn::GetAtt": [{"Fn::Sub": "${Name}Bucket"}, "Arn"]}}},
    )
    template = synthesize(app).template("Loop")
    assert template["Transform"] == "AWS::LanguageExtensions"
    assert template["Resources"]["Fn::ForEach::Buckets"] == [
        "Name",
        ["Logs", "Data"],
        {
            "${Name}Bucket": {
                **BUCKET,
                "Properties": {"Tags": [{"Key": "topic", "Value": {"Fn::GetAtt": ["Alerts", "TopicArn"]}}]},
            }
        },
    ]
    assert list(template["Outputs"]) == ["Fn::ForEach::Arns"]
    synthesize_app(app, lint=True, strict=True)  # iac's checks and cfn-lint: no error, no warning


def test_the_transform_comes_first_and_once() -> None:
    app, stack = _app()
    stack.add_transform("AWS::Serverless-2016-10-31")
    for name in ("One", "Two"):
        ForEach(stack, name, section="Resources", identifier="X", collection=["A"], fragment={f"{name}${{X}}": BUCKET})
    assert synthesize(app).template("Loop")["Transform"] == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]


def test_a_loop_over_a_parameter_and_conditions_made_by_a_loop() -> None:
    app, stack = _app()
    names = Parameter(stack, "Names", type="CommaDelimitedList", default="a,b")
    ForEach(
        stack,
        "IsOn",
        section="Conditions",
        identifier="N",
        collection=names.ref,
        fragment={"Is${N}": {"Fn::Equals": [{"Ref": "N"}, "a"]}},
    )
    ForEach(
        stack,
        "Topics",
        section="Resources",
        identifier="N",
        collection=names.ref,
        fragment={"Topic${N}": {"Type": "AWS::SNS::Topic", "Condition": "Is${N}"}},
    )
    template = synthesize(app).template("Loop")
    assert template["Conditions"] == {
        "Fn::ForEach::IsOn": ["N", {"Ref": "Names"}, {"Is${N}": {"Fn::Equals": [{"Ref": "N"}, "a"]}}]
    }
    assert template["Resources"]["Fn::ForEach::Topics"][1] == {"Ref": "Names"}


def test_a_name_of_its_own_when_the_construct_id_is_taken() -> None:
    app, stack = _app()
    Output(stack, "Buckets", value="x")
    loop = ForEach(
        stack,
        "BucketsLoop",
        name="Buckets",
        section="Resources",
        identifier="N",
        collection=["A"],
        fragment={"B${N}": BUCKET},
    )
    assert loop.logical_id == "Fn::ForEach::Buckets"
    assert "Fn::ForEach::Buckets" in synthesize(app).template("Loop")["Resources"]
    with pytest.raises(ConstructError, match="pass name= instead"):
        loop.override_logical_id("Other")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"section": "Parameters"}, "section must be one of Resources, Outputs, Conditions, got 'Parameters'"),
        ({"name": "Not-Alnum"}, "the loop's name 'Not-Alnum' must be letters and digits"),
        ({"identifier": ""}, "identifier must be a name"),
        ({"collection": None}, "collection is required"),
        ({"fragment": {}}, "fragment must map entry names to entries"),
    ],
)
def test_bad_arguments_are_refused_at_the_users_line(arguments: dict[str, Any], message: str) -> None:
    app, stack = _app()
    given: dict[str, Any] = {
        "section": "Resources",
        "identifier": "N",
        "collection": ["A"],
        "fragment": {"B${N}": BUCKET},
        **arguments,
    }
    with pytest.raises(ConstructError, match=message) as raised:
        ForEach(stack, "Loop", **given)
    assert raised.value.location is not None and raised.value.location.file.endswith("test_for_each_construct.py")


def test_a_finding_in_the_fragment_points_at_the_loop() -> None:
    app, stack = _app()
    ForEach(
        stack,
        "Buckets",
        section="Resources",
        identifier="N",
        collection=["A", "B"],
        fragment={"B${N}": {**BUCKET, "Properties": {"BucketNam": "x"}}},
    )
    with pytest.raises(ValidationError) as raised:
        synthesize_app(app, lint=False)
    problems = raised.value.problems
    assert len(problems) == 1 and "BucketNam" in problems[0].message, problems
    assert problems[0].path == "Loop/Buckets"


def test_quotas_and_cycles_are_checked_on_the_expansion() -> None:
    app, stack = _app()
    ForEach(stack, "Bad", section="Resources", identifier="N", collection=["a-b"], fragment={"B${N}": BUCKET})
    with pytest.raises(ValidationError, match="logical id 'Ba-b' is invalid"):
        synthesize(app)
    app, stack = _app()
    ForEach(
        stack,
        "Pair",
        section="Resources",
        identifier="N",
        collection=["A", "B"],
        fragment={
            "T${N}": {
                "Type": "AWS::SNS::Topic",
                "Properties": {"DisplayName": {"Fn::GetAtt": [{"Fn::Sub": "T${N}"}, "TopicName"]}},
            }
        },
    )
    ForEach(
        stack,
        "Cycle",
        section="Resources",
        identifier="N",
        collection=["C"],
        fragment={
            "First": {"Type": "AWS::SNS::Topic", "DependsOn": "Second"},
            "Second": {"Type": "AWS::SNS::Topic", "DependsOn": "First"},
        },
    )
    with pytest.raises(ValidationError) as raised:
        synthesize(app)
    text = json.dumps([problem.message for problem in raised.value.problems])
    assert "dependency cycle between resources: TA -> TA" in text and "First -> Second -> First" in text
