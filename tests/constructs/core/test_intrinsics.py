"""Every CloudFormation intrinsic function and pseudo parameter, and the template JSON each becomes."""

from __future__ import annotations

import pytest

from iac import Aws, CfnResource, Condition, Fn, Mapping, Output, Parameter

QUEUE = "AWS::SQS::Queue"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (Fn.ref("Bucket"), {"Ref": "Bucket"}),
        (Fn.get_att("Bucket", "Arn"), {"Fn::GetAtt": ["Bucket", "Arn"]}),
        (Fn.sub("arn:${AWS::Partition}:s3:::${Bucket}"), {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"}),
        (Fn.sub("${Name}-x", {"Name": "n"}), {"Fn::Sub": ["${Name}-x", {"Name": "n"}]}),
        (Fn.join(",", ["a", "b"]), {"Fn::Join": [",", ["a", "b"]]}),
        (Fn.select(1, ["a", "b"]), {"Fn::Select": [1, ["a", "b"]]}),
        (Fn.split(",", "a,b"), {"Fn::Split": [",", "a,b"]}),
        (Fn.if_("IsProd", "big", "small"), {"Fn::If": ["IsProd", "big", "small"]}),
        (Fn.equals("a", "b"), {"Fn::Equals": ["a", "b"]}),
        (Fn.and_(Fn.equals("a", "a"), Fn.equals("b", "b")),
         {"Fn::And": [{"Fn::Equals": ["a", "a"]}, {"Fn::Equals": ["b", "b"]}]}),
        (Fn.or_(Fn.condition("IsProd"), Fn.equals("b", "b")),
         {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Equals": ["b", "b"]}]}),
        (Fn.not_(Fn.equals("a", "b")), {"Fn::Not": [{"Fn::Equals": ["a", "b"]}]}),
        (Fn.condition("IsProd"), {"Condition": "IsProd"}),
        (Fn.find_in_map("Map", "top", "second"), {"Fn::FindInMap": ["Map", "top", "second"]}),
        (Fn.find_in_map("Map", "top", "second", default="x"),
         {"Fn::FindInMap": ["Map", "top", "second", {"DefaultValue": "x"}]}),
        (Fn.get_azs(), {"Fn::GetAZs": ""}),
        (Fn.get_azs("eu-west-1"), {"Fn::GetAZs": "eu-west-1"}),
        (Fn.import_value("shared-vpc-id"), {"Fn::ImportValue": "shared-vpc-id"}),
        (Fn.base64("#!/bin/sh"), {"Fn::Base64": "#!/bin/sh"}),
        (Fn.cidr("10.0.0.0/16", 4, 8), {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
        (Fn.length([1, 2, 3]), {"Fn::Length": [1, 2, 3]}),
        (Fn.to_json_string({"a": [1, 2]}), {"Fn::ToJsonString": {"a": [1, 2]}}),
    ],
    ids=lambda value: None if isinstance(value, dict) else repr(value)[:40],
)
def test_each_intrinsic_function_renders_to_its_cloudformation_form(resolve, token, expected):
    assert resolve(token) == expected


@pytest.mark.parametrize(
    ("pseudo", "name"),
    [
        (Aws.ACCOUNT_ID, "AWS::AccountId"),
        (Aws.REGION, "AWS::Region"),
        (Aws.PARTITION, "AWS::Partition"),
        (Aws.STACK_NAME, "AWS::StackName"),
        (Aws.STACK_ID, "AWS::StackId"),
        (Aws.URL_SUFFIX, "AWS::URLSuffix"),
        (Aws.NOTIFICATION_ARNS, "AWS::NotificationARNs"),
        (Aws.NO_VALUE, "AWS::NoValue"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_each_pseudo_parameter_is_a_ref(resolve, pseudo, name):
    assert resolve(pseudo) == {"Ref": name}


def test_intrinsics_nest_and_resolve_all_the_way_down(resolve):
    token = Fn.select(0, Fn.split(",", Fn.join(",", [Aws.REGION, Fn.import_value("x")])))

    assert resolve(token) == {
        "Fn::Select": [0, {"Fn::Split": [",", {"Fn::Join": [",", [{"Ref": "AWS::Region"}, {"Fn::ImportValue": "x"}]]}]}]
    }


def test_fn_ref_and_get_att_accept_resources(stack, resolve):
    queue = CfnResource(stack, "Queue", type=QUEUE)

    assert resolve(Fn.ref(queue)) == {"Ref": "Queue"}
    assert resolve(Fn.get_att(queue, "Arn")) == {"Fn::GetAtt": ["Queue", "Arn"]}


def test_fn_get_azs_of_the_stacks_region(resolve):
    assert resolve(Fn.get_azs(Aws.REGION)) == {"Fn::GetAZs": {"Ref": "AWS::Region"}}


def test_fn_if_condition_and_find_in_map_accept_their_constructs(stack, resolve):
    is_prod = Condition(stack, "IsProd", expression=Fn.equals(Parameter(stack, "Env").value, "prod"))
    sizes = Mapping(stack, "Sizes", mapping={"prod": {"Count": 3}})

    assert resolve(Fn.if_(is_prod, 1, 2)) == {"Fn::If": ["IsProd", 1, 2]}
    assert resolve(Fn.condition(is_prod)) == {"Condition": "IsProd"}
    assert resolve(Fn.find_in_map(sizes, "prod", "Count")) == {"Fn::FindInMap": ["Sizes", "prod", "Count"]}


def test_fn_if_needs_a_condition_or_a_condition_name():
    with pytest.raises(TypeError, match="expected a Condition or a condition name"):
        Fn.if_(Fn.equals("a", "b"), 1, 2)


@pytest.mark.parametrize("count", [1, 11])
def test_fn_and_and_or_take_two_to_ten_conditions(count):
    conditions = [Fn.equals("a", "a")] * count

    with pytest.raises(ValueError, match="between 2 and 10 conditions"):
        Fn.and_(*conditions)
    with pytest.raises(ValueError, match="between 2 and 10 conditions"):
        Fn.or_(*conditions)


# -- AWS::LanguageExtensions -----------------------------------------------------------------


@pytest.mark.parametrize(
    "token", [Fn.length(["a", "b"]), Fn.to_json_string({"a": "b"})], ids=["length", "to_json_string"]
)
def test_fn_length_and_to_json_string_add_the_language_extensions_transform(stack, app, template_of, echo, token):
    echo(stack, "Thing", Value=token)

    assert template_of(app)["Transform"] == "AWS::LanguageExtensions"


def test_a_stack_without_those_functions_has_no_transform(stack, app, template_of, echo):
    echo(stack, "Thing", Value=Fn.join("-", ["a", "b"]))

    assert "Transform" not in template_of(app)


def test_the_language_extensions_transform_comes_before_other_transforms(stack, app, template_of, echo):
    stack.add_transform("AWS::Serverless-2016-10-31")
    echo(stack, "Thing", Value=Fn.length(["a"]))

    assert template_of(app)["Transform"] == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]


def test_the_language_extensions_transform_is_not_added_twice(stack, app, template_of, echo):
    stack.add_transform("AWS::LanguageExtensions")
    echo(stack, "Thing", Value=Fn.length(["a"]))

    assert template_of(app)["Transform"] == "AWS::LanguageExtensions"


def test_language_extension_functions_in_outputs_add_the_transform_too(stack, app, template_of):
    CfnResource(stack, "Queue", type=QUEUE)
    Output(stack, "Count", value=Fn.to_json_string(["a", "b"]))

    assert template_of(app)["Transform"] == "AWS::LanguageExtensions"
