"""Parameters, Outputs, Conditions and Mappings: the template sections besides Resources."""

from __future__ import annotations

import pytest

from iac import Aws, CfnResource, Condition, ConstructError, Fn, Mapping, Output, Parameter, Stack

QUEUE = "AWS::SQS::Queue"


@pytest.fixture
def queue(stack):
    return CfnResource(stack, "Queue", type=QUEUE)


# -- Parameters ------------------------------------------------------------------------------


def test_a_parameter_is_a_string_by_default(stack, queue, app, template_of):
    Parameter(stack, "Name")

    assert template_of(app)["Parameters"] == {"Name": {"Type": "String"}}


def test_every_parameter_option_is_written(stack, queue, app, template_of):
    Parameter(stack, "Env", description="deployment stage", default="dev", allowed_values=["dev", "prod"],
              allowed_pattern="[a-z]+", constraint_description="lower case", min_length=3, max_length=4)
    Parameter(stack, "Size", type="Number", default=2, min_value=1, max_value=10)

    parameters = template_of(app)["Parameters"]

    assert parameters["Env"] == {
        "Type": "String",
        "Description": "deployment stage",
        "Default": "dev",
        "AllowedValues": ["dev", "prod"],
        "AllowedPattern": "[a-z]+",
        "ConstraintDescription": "lower case",
        "MinLength": 3,
        "MaxLength": 4,
    }
    assert parameters["Size"] == {"Type": "Number", "Default": 2, "MinValue": 1, "MaxValue": 10}


def test_no_echo_hides_the_value(stack, queue, app, template_of):
    Parameter(stack, "Password", no_echo=True)

    assert template_of(app)["Parameters"]["Password"] == {"Type": "String", "NoEcho": True}


def test_no_echo_is_left_out_when_false(stack, queue, app, template_of):
    Parameter(stack, "Name", no_echo=False)

    assert "NoEcho" not in template_of(app)["Parameters"]["Name"]


@pytest.mark.parametrize(
    "type_",
    ["String", "Number", "List<Number>", "CommaDelimitedList", "AWS::EC2::VPC::Id",
     "List<AWS::EC2::Subnet::Id>", "AWS::SSM::Parameter::Value<String>"],
)
def test_every_kind_of_parameter_type_is_accepted(stack, type_):
    assert Parameter(stack, "P", type=type_).render()["Type"] == type_


def test_an_unknown_parameter_type_is_refused(stack):
    with pytest.raises(ConstructError, match="type 'Str' is not a parameter type"):
        Parameter(stack, "P", type="Str")


def test_a_default_outside_the_allowed_values_is_refused(stack):
    with pytest.raises(ConstructError, match=r"default 'test' is not one of allowed_values \['dev', 'prod'\]"):
        Parameter(stack, "Env", allowed_values=["dev", "prod"], default="test")


def test_min_value_above_max_value_is_refused(stack):
    with pytest.raises(ConstructError, match=r"min_value \(10\) is greater than max_value \(1\)"):
        Parameter(stack, "Size", type="Number", min_value=10, max_value=1)


def test_min_length_above_max_length_is_refused(stack):
    with pytest.raises(ConstructError, match=r"min_length \(5\) is greater than max_length \(2\)"):
        Parameter(stack, "Name", min_length=5, max_length=2)


@pytest.mark.parametrize(("option", "value"), [("min_length", "3"), ("no_echo", "yes"), ("allowed_values", "a,b"),
                                               ("type", 1), ("max_value", "10"), ("description", 5)])
def test_parameter_options_of_the_wrong_type_are_refused(stack, option, value):
    with pytest.raises(ConstructError, match=f"invalid argument for Parameter 'P': {option} must be .*, got") as caught:
        Parameter(stack, "P", **{option: value})

    assert caught.value.path == "Main/P"
    assert caught.value.location.file == __file__


def test_a_misspelt_parameter_option_gets_a_did_you_mean(stack):
    with pytest.raises(ConstructError, match="Parameter 'P' has no argument 'allowed_value'") as caught:
        Parameter(stack, "P", allowed_value=["a"])

    assert caught.value.hint == "did you mean allowed_values?"
    assert caught.value.location.file == __file__


def test_inconsistent_parameter_options_point_at_the_users_line(stack):
    with pytest.raises(ConstructError, match="is not a parameter type") as caught:
        Parameter(stack, "P", type="Text")

    assert (caught.value.path, caught.value.location.file) == ("Main/P", __file__)


def test_parameter_value_refers_to_the_parameter(stack, app, template_of):
    size = Parameter(stack, "Delay", type="Number")
    CfnResource(stack, "Queue", type=QUEUE, properties={"DelaySeconds": size.value})

    assert size.value is size.ref
    assert template_of(app)["Resources"]["Queue"]["Properties"] == {"DelaySeconds": {"Ref": "Delay"}}


# -- Outputs ---------------------------------------------------------------------------------


def test_an_output_has_a_value_and_optionally_a_description(stack, queue, app, template_of):
    Output(stack, "QueueUrl", value=queue.ref, description="where to send")

    assert template_of(app)["Outputs"]["QueueUrl"] == {"Description": "where to send", "Value": {"Ref": "Queue"}}


def test_an_export_name_makes_the_output_importable(stack, queue, app, template_of, resolve):
    output = Output(stack, "QueueArn", value=queue.get_att("Arn"), export_name="shared-queue-arn")

    assert template_of(app)["Outputs"]["QueueArn"] == {
        "Value": {"Fn::GetAtt": ["Queue", "Arn"]},
        "Export": {"Name": "shared-queue-arn"},
    }
    assert resolve(output.import_value) == {"Fn::ImportValue": "shared-queue-arn"}


def test_an_export_name_may_be_built_from_tokens(stack, queue, app, template_of):
    Output(stack, "QueueArn", value=queue.get_att("Arn"), export_name=f"{Aws.STACK_NAME}-queue")

    assert template_of(app)["Outputs"]["QueueArn"]["Export"] == {
        "Name": {"Fn::Join": ["", [{"Ref": "AWS::StackName"}, "-queue"]]}
    }


def test_an_output_may_have_a_condition(stack, app, template_of):
    is_prod = Condition(stack, "IsProd", expression=Fn.equals(Parameter(stack, "Env").value, "prod"))
    queue = CfnResource(stack, "Queue", type=QUEUE, condition=is_prod)
    Output(stack, "QueueUrl", value=queue.ref, condition=is_prod)

    assert template_of(app)["Outputs"]["QueueUrl"] == {"Value": {"Ref": "Queue"}, "Condition": "IsProd"}


def test_an_output_needs_a_value(stack):
    with pytest.raises(ConstructError, match="Output 'Url' needs the argument value=") as caught:
        Output(stack, "Url")

    assert caught.value.location.file == __file__


def test_a_misspelt_output_option_gets_a_did_you_mean(stack, queue):
    with pytest.raises(ConstructError, match="Output 'Url' has no argument 'export'") as caught:
        Output(stack, "Url", value=queue.ref, export="shared")

    assert caught.value.hint == "did you mean export_name?"


def test_output_options_of_the_wrong_type_are_refused(stack, queue):
    with pytest.raises(ConstructError, match=r"description must be str \| None, got int 3"):
        Output(stack, "Url", value=queue.ref, description=3)


def test_an_output_value_of_none_is_refused(stack):
    with pytest.raises(ConstructError, match="value is required"):
        Output(stack, "Url", value=None)


# -- Conditions ------------------------------------------------------------------------------


def test_a_condition_is_written_to_the_conditions_section(stack, queue, app, template_of):
    env = Parameter(stack, "Env")
    Condition(stack, "IsProd", expression=Fn.equals(env.value, "prod"))

    assert template_of(app)["Conditions"] == {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}


def test_fn_if_with_a_condition_object_uses_its_name(stack, app, template_of):
    is_prod = Condition(stack, "IsProd", expression=Fn.equals(Parameter(stack, "Env").value, "prod"))
    CfnResource(stack, "Queue", type=QUEUE, properties={"DelaySeconds": Fn.if_(is_prod, 0, Aws.NO_VALUE)})

    assert template_of(app)["Resources"]["Queue"]["Properties"]["DelaySeconds"] == {
        "Fn::If": ["IsProd", 0, {"Ref": "AWS::NoValue"}]
    }


def test_conditions_combine_with_and_or_not_as_condition_references(stack, queue, app, template_of):
    env = Parameter(stack, "Env")
    is_prod = Condition(stack, "IsProd", expression=Fn.equals(env.value, "prod"))
    is_eu = Condition(stack, "IsEu", expression=Fn.equals(Aws.REGION, "eu-west-1"))
    Condition(stack, "ProdInEu", expression=Fn.and_(is_prod, is_eu))
    Condition(stack, "ProdOrEu", expression=Fn.or_(is_prod, is_eu))
    Condition(stack, "NotProd", expression=Fn.not_(is_prod))

    conditions = template_of(app)["Conditions"]

    assert conditions["ProdInEu"] == {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsEu"}]}
    assert conditions["ProdOrEu"] == {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "IsEu"}]}
    assert conditions["NotProd"] == {"Fn::Not": [{"Condition": "IsProd"}]}


def test_a_condition_needs_an_expression(stack):
    with pytest.raises(ConstructError, match="Condition 'IsProd'.*expression must be Token, got str 'prod'"):
        Condition(stack, "IsProd", expression="prod")


# -- Mappings --------------------------------------------------------------------------------


def test_a_mapping_is_written_to_the_mappings_section(stack, queue, app, template_of):
    Mapping(stack, "Delays", mapping={"dev": {"Seconds": 0}, "prod": {"Seconds": 5}})

    assert template_of(app)["Mappings"] == {"Delays": {"dev": {"Seconds": 0}, "prod": {"Seconds": 5}}}


def test_find_in_map_refers_to_the_mapping_by_name(stack, app, template_of):
    env = Parameter(stack, "Env")
    delays = Mapping(stack, "Delays", mapping={"dev": {"Seconds": 0}, "prod": {"Seconds": 5}})
    CfnResource(stack, "Queue", type=QUEUE, properties={"DelaySeconds": delays.find_in_map(env.value, "Seconds")})

    assert template_of(app)["Resources"]["Queue"]["Properties"]["DelaySeconds"] == {
        "Fn::FindInMap": ["Delays", {"Ref": "Env"}, "Seconds"]
    }


def test_find_in_map_may_have_a_default_value(stack, app, template_of):
    delays = Mapping(stack, "Delays", mapping={"prod": {"Seconds": 5}})
    CfnResource(stack, "Queue", type=QUEUE,
                properties={"DelaySeconds": delays.find_in_map(Aws.REGION, "Seconds", default=0)})

    assert template_of(app)["Resources"]["Queue"]["Properties"]["DelaySeconds"] == {
        "Fn::FindInMap": ["Delays", {"Ref": "AWS::Region"}, "Seconds", {"DefaultValue": 0}]
    }


@pytest.mark.parametrize("bad", [{"dev": 1}, ["dev"], "dev"])
def test_a_mapping_must_be_a_dict_of_dicts(stack, bad):
    with pytest.raises(ConstructError, match=r"mapping must be dict\[str, dict\[str, Any\]\], got"):
        Mapping(stack, "Delays", mapping=bad)


# -- sections --------------------------------------------------------------------------------


def test_sections_are_written_in_cloudformations_order(app, template_of):
    stack = Stack(app, "Main", description="ordered")
    queue = CfnResource(stack, "Queue", type=QUEUE)
    Output(stack, "Url", value=queue.ref)
    Condition(stack, "IsProd", expression=Fn.equals(Parameter(stack, "Env").value, "prod"))
    Mapping(stack, "Map", mapping={"a": {"b": "c"}})

    assert list(template_of(app)) == [
        "AWSTemplateFormatVersion", "Description", "Parameters", "Mappings", "Conditions", "Resources", "Outputs",
    ]
