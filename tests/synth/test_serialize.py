"""Templates to text: deterministic JSON, and YAML in the short form people write by hand."""

from __future__ import annotations

import json

import pytest
import yaml

from iac import App, CfnResource, Stack
from iac.synth import loads_template, synthesize, to_json, to_yaml

QUEUE = "AWS::SQS::Queue"


def resource(**properties):
    return {"Resources": {"Thing": {"Type": "Custom::Echo", "Properties": properties}}}


def yaml_of_value(value) -> str:
    """The YAML line(s) of property "Value" of a one-resource template."""
    text = to_yaml(resource(Value=value))
    return text.split("Value:", 1)[1].rstrip("\n")


# -- JSON ------------------------------------------------------------------------------------


def test_json_is_indented_by_one_space_and_ends_with_a_newline():
    assert to_json({"A": {"B": 1}}) == '{\n "A": {\n  "B": 1\n }\n}\n'


def test_json_keeps_the_order_the_template_was_built_in():
    assert list(json.loads(to_json({"Z": 1, "A": 2, "M": 3}))) == ["Z", "A", "M"]


def test_json_writes_non_ascii_characters_as_they_are():
    assert '"Café"' in to_json({"Name": "Café"})


def test_json_refuses_non_finite_numbers():
    with pytest.raises(ValueError):
        to_json({"A": float("nan")})


def build_sample_app() -> App:
    app = App()
    stack = Stack(app, "Main")
    queue = CfnResource(stack, "Queue", type=QUEUE, properties={"VisibilityTimeout": 60})
    CfnResource(stack, "Topic", type="AWS::SNS::Topic",
                properties={"DisplayName": f"{queue.get_att('QueueName')}-alerts",
                            "Subscription": [{"Endpoint": queue.get_att("Arn"), "Protocol": "sqs"}]})
    return app


@pytest.mark.parametrize("format_", ["json", "yaml"])
def test_two_synths_of_the_same_app_are_byte_identical(format_):
    first = synthesize(build_sample_app(), format=format_)
    second = synthesize(build_sample_app(), format=format_)

    assert first.stack("Main").body == second.stack("Main").body
    assert json.dumps(first.manifest()) == json.dumps(second.manifest())


# -- YAML short form -------------------------------------------------------------------------


def test_ref_is_written_as_a_short_form_tag():
    assert yaml_of_value({"Ref": "Queue"}) == " !Ref Queue"


def test_get_att_is_written_as_resource_dot_attribute():
    assert yaml_of_value({"Fn::GetAtt": ["Queue", "Arn"]}) == " !GetAtt Queue.Arn"


def test_get_att_with_a_dotted_attribute_keeps_the_dots():
    assert yaml_of_value({"Fn::GetAtt": ["Db", "Endpoint.Address"]}) == " !GetAtt Db.Endpoint.Address"


def test_get_att_with_a_computed_attribute_is_written_as_a_list():
    text = yaml_of_value({"Fn::GetAtt": ["Queue", {"Ref": "Attribute"}]})

    assert text == " !GetAtt\n      - Queue\n      - !Ref Attribute"


def test_sub_is_written_as_a_short_form_tag():
    text = yaml_of_value({"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"})

    assert text == " !Sub arn:${AWS::Partition}:s3:::${Bucket}"


def test_sub_with_variables_is_a_tagged_list():
    text = yaml_of_value({"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]})

    assert text == " !Sub\n      - ${A}-x\n      - A: !Ref B"


@pytest.mark.parametrize(
    ("function", "tag"),
    [("Fn::Join", "!Join"), ("Fn::Select", "!Select"), ("Fn::Split", "!Split"), ("Fn::If", "!If"),
     ("Fn::Equals", "!Equals"), ("Fn::And", "!And"), ("Fn::Or", "!Or"), ("Fn::Not", "!Not"),
     ("Fn::FindInMap", "!FindInMap"), ("Fn::GetAZs", "!GetAZs"), ("Fn::ImportValue", "!ImportValue"),
     ("Fn::Base64", "!Base64"), ("Fn::Cidr", "!Cidr"), ("Fn::Length", "!Length"),
     ("Fn::ToJsonString", "!ToJsonString"), ("Condition", "!Condition")],
)
def test_every_function_has_its_short_form_tag(function, tag):
    argument = "IsProd" if function == "Condition" else ["a", "b"]

    assert yaml_of_value({function: argument}).startswith(f" {tag}")


def test_a_tagged_value_inside_base64_keeps_base64_in_long_form():
    text = yaml_of_value({"Fn::Base64": {"Fn::Sub": "echo ${AWS::Region}"}})

    assert text == "\n        Fn::Base64: !Sub echo ${AWS::Region}"


def test_a_condition_key_holding_an_object_is_not_a_function():
    text = to_yaml({"Statement": {"Condition": {"StringEquals": {"a": "b"}}}})

    assert "!Condition" not in text
    assert "Condition:\n    StringEquals:" in text


def test_a_multi_line_string_is_written_as_a_literal_block():
    text = yaml_of_value("#!/bin/bash\necho hello\n")

    assert text == " |\n        #!/bin/bash\n        echo hello"


def test_a_multi_line_sub_is_a_tagged_literal_block():
    text = yaml_of_value({"Fn::Sub": "line ${A}\nline two\n"})

    assert text == " !Sub |\n        line ${A}\n        line two"


def test_a_multi_line_string_with_trailing_spaces_is_quoted_to_stay_exact():
    value = "trailing   \nspaces\n"
    text = to_yaml(resource(Value=value))

    assert "|" not in text
    assert loads_template(text)["Resources"]["Thing"]["Properties"]["Value"] == value


@pytest.mark.parametrize("value", ["60", "yes", "no", "on", "null", "~", "2010-09-09", "1e3", "*", "", "- x", "a: b"])
def test_strings_that_look_like_other_yaml_types_are_quoted(value):
    text = to_yaml(resource(Value=value))

    assert loads_template(text)["Resources"]["Thing"]["Properties"]["Value"] == value
    assert yaml.safe_load(text)["Resources"]["Thing"]["Properties"]["Value"] == value


def test_yaml_has_no_anchors_or_aliases_for_repeated_values():
    shared = {"Ref": "Queue"}
    text = to_yaml({"A": shared, "B": shared, "C": [shared]})

    assert "&" not in text and "*" not in text


def test_yaml_keeps_the_order_the_template_was_built_in():
    assert to_yaml({"Z": 1, "A": 2}) == "Z: 1\nA: 2\n"


def test_the_template_format_version_is_written_as_a_quoted_string():
    assert to_yaml({"AWSTemplateFormatVersion": "2010-09-09"}) == "AWSTemplateFormatVersion: '2010-09-09'\n"


def test_a_resource_named_like_a_function_stays_a_plain_key():
    text = to_yaml({"Resources": {"Ref": {"Type": QUEUE}}})

    assert "!Ref" not in text


# -- lossless round trip ---------------------------------------------------------------------


def test_a_template_using_every_intrinsic_survives_a_yaml_round_trip(every_intrinsic_app):
    template = synthesize(every_intrinsic_app).template("Everything")

    assert loads_template(to_yaml(template)) == template


def test_a_template_using_every_intrinsic_survives_a_json_round_trip(every_intrinsic_app):
    template = synthesize(every_intrinsic_app).template("Everything")

    assert loads_template(to_json(template)) == template


def test_the_every_intrinsic_template_really_uses_every_function(every_intrinsic_app):
    from iac.synth.references import functions_used

    template = synthesize(every_intrinsic_app).template("Everything")
    text = to_json(template)

    assert functions_used(template) >= {
        "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or",
        "Fn::Not", "Fn::FindInMap", "Fn::GetAZs", "Fn::ImportValue", "Fn::Base64", "Fn::Cidr",
        "Fn::Length", "Fn::ToJsonString", "Fn::GetAtt",
    }
    assert '"Ref"' in text and '"Condition": "IsProd"' in text


@pytest.mark.parametrize(
    "value",
    ["multi\nline\n", "no trailing newline\nat end", "keep\n\n\n", "  leading spaces\nsecond", "tab\tinside",
     "unicode ✓ café", "quote ' and \" both", "# not a comment", "{not: a map}", "x" * 5000, 0, 1.5, True,
     None, [], {}],
    ids=lambda v: repr(v)[:20],
)
def test_awkward_values_survive_a_yaml_round_trip(value):
    template = resource(Value=value)

    assert loads_template(to_yaml(template)) == template


def test_mapping_keys_that_look_like_numbers_or_dates_stay_strings():
    template = {"Mappings": {"Accounts": {"123456789012": {"Env": "prod"}, "2010-09-09": {"Env": "old"},
                                          "yes": {"Env": "y"}, "1.5": {"Env": "f"}}}}

    assert loads_template(to_yaml(template)) == template


def test_our_yaml_is_accepted_by_cfn_lint(every_intrinsic_app, cfn_lint):
    template = synthesize(every_intrinsic_app, format="yaml").stack("Everything").body

    assert template.startswith("AWSTemplateFormatVersion: '2010-09-09'\n")
    assert cfn_lint(template) == []
