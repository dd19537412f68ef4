"""Reading templates back: JSON, or YAML with short-form tags; errors name the file and line."""

from __future__ import annotations

import pytest

from iac import TemplateError
from iac.synth import load_template, loads_template


def test_short_form_tags_are_read_into_the_long_form():
    template = loads_template(
        "Resources:\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n"
        "      DisplayName: !Sub '${AWS::Region}-${Queue.QueueName}'\n"
        "      KmsMasterKeyId: !GetAtt Key.Arn\n"
        "      TopicName: !Join ['-', [!Ref AWS::StackName, !Select [0, !GetAZs '']]]\n"
    )

    assert template["Resources"]["Topic"]["Properties"] == {
        "DisplayName": {"Fn::Sub": "${AWS::Region}-${Queue.QueueName}"},
        "KmsMasterKeyId": {"Fn::GetAtt": ["Key", "Arn"]},
        "TopicName": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]},
    }


def test_condition_tag_is_read_as_a_condition_reference():
    assert loads_template("A: !And [!Condition X, !Condition Y]\n") == {
        "A": {"Fn::And": [{"Condition": "X"}, {"Condition": "Y"}]}
    }


def test_get_att_splits_at_the_first_dot_only():
    assert loads_template("A: !GetAtt Db.Endpoint.Address\n") == {"A": {"Fn::GetAtt": ["Db", "Endpoint.Address"]}}


def test_get_att_without_a_dot_is_an_error():
    with pytest.raises(TemplateError, match="!GetAtt 'Db' needs the form Resource.Attribute"):
        loads_template("A: !GetAtt Db\n")


def test_a_tag_on_a_mapping_is_read_as_the_function_of_that_mapping():
    assert loads_template("A: !Base64\n  Fn::Sub: x\nB: !ToJsonString\n  k: v\n") == {
        "A": {"Fn::Base64": {"Fn::Sub": "x"}},
        "B": {"Fn::ToJsonString": {"k": "v"}},
    }


def test_an_unquoted_template_format_version_stays_a_string():
    template = loads_template("AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n")

    assert template["AWSTemplateFormatVersion"] == "2010-09-09"


def test_a_json_template_is_read_as_json():
    assert loads_template('{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}') == {
        "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}
    }


def test_broken_yaml_is_an_error_with_its_line_number(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n   Bad: [\n")

    with pytest.raises(TemplateError, match=r"invalid YAML: .*\(line 4, column \d+\)") as caught:
        load_template(path)

    assert caught.value.location.file == str(path)
    assert caught.value.location.line == 4


def test_broken_json_is_an_error_with_its_line_number(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n "Resources": {\n  "Q": 1,\n }\n}\n')

    with pytest.raises(TemplateError, match=r"invalid JSON: .*\(line 4, column \d+\)") as caught:
        load_template(path)

    assert caught.value.location.line == 4


def test_a_duplicate_key_in_yaml_is_an_error_naming_both_lines(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Queue:\n    Type: AWS::SNS::Topic\n")

    with pytest.raises(TemplateError, match=r"duplicate key 'Queue' \(first at line 2\)") as caught:
        load_template(path)

    assert caught.value.location.line == 4


def test_a_duplicate_key_in_json_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text('{\n "Resources": {\n  "Queue": {},\n  "Queue": {}\n }\n}\n')

    with pytest.raises(TemplateError, match=r"duplicate key 'Queue' \(line 4\)") as caught:
        load_template(path)

    assert caught.value.location.line == 4


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- a\n- b\n", "list"), ("just text\n", "str"), ("[1, 2]", "list"), ("~\n", "NoneType"), ("42\n", "int")],
)
def test_a_template_that_is_not_a_mapping_at_the_top_is_an_error(text, kind):
    with pytest.raises(TemplateError, match=f"a template must be a mapping .* got {kind}"):
        loads_template(text)


@pytest.mark.parametrize("text", ["", "   \n\n", "\t"])
def test_an_empty_template_is_an_error(text):
    with pytest.raises(TemplateError, match="the template is empty"):
        loads_template(text)


def test_a_missing_file_is_a_template_error(tmp_path):
    with pytest.raises(TemplateError, match="template file not found"):
        load_template(tmp_path / "nope.yaml")


def test_a_file_that_is_not_utf8_is_a_template_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("Name: caf\xe9\n".encode("latin-1"))

    with pytest.raises(TemplateError, match="cannot read template"):
        load_template(path)


def test_a_non_scalar_key_is_an_error():
    with pytest.raises(TemplateError, match="mapping keys must be strings"):
        loads_template("? [a, b]\n: 1\n")


def test_unquoted_number_keys_stay_text():
    from iac.synth.loader import loads

    template = loads("Mappings:\n  Accounts:\n    123456789012:\n      Name: prod\nResources: {}\n")
    assert list(template["Mappings"]["Accounts"]) == ["123456789012"]
