"""Hostile template text: the loader bounds bytes, values, values made by YAML aliases and nesting depth
before anything walks the result, and says where in the file a bound is broken (issue 12, defect 8)."""

from __future__ import annotations

import json

import pytest

from iac import TemplateError
from iac.deploy.change_sets import DeployedStack, deployed_template
from iac.synth import load_template, loads_template
from iac.synth.loader import (
    MAX_ALIAS_VALUES,
    MAX_TEMPLATE_DEPTH,
    MAX_TEMPLATE_FILE_BYTES,
    MAX_TEMPLATE_VALUES,
    read_template_text,
)

QUEUE = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each level an anchored list of `width` aliases of the level before."""
    names = [chr(ord("a") + i) for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ",".join(['"lol"'] * width) + "]"]
    for previous, name in zip(names, names[1:], strict=False):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * width) + "]")
    return "\n".join(lines) + "\n"


def nested_json(depth: int) -> str:
    """A template whose Metadata nests `depth` collections deep, counting the top object."""
    return '{"Metadata": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def nested_yaml(depth: int) -> str:
    return "Metadata: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_the_billion_laughs_is_refused_naming_the_file_and_the_line_where_it_crosses_the_bound(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    assert len(path.read_bytes()) < 500

    with pytest.raises(TemplateError, match=f"YAML aliases expand to more than {MAX_ALIAS_VALUES:,} values") as caught:
        load_template(path)

    # 9 + 81 + ... : line 6 (`f: &f [*e, ...]`) is where the expansion passes 250,000 values
    assert caught.value.location.file == str(path)
    assert caught.value.location.line == 6
    assert caught.value.exit_status == 2


def test_aliases_used_as_people_use_them_load_expanded():
    template = loads_template(
        "Tags: &tags [{Key: team, Value: blue}, {Key: env, Value: prod}]\n"
        "Resources:\n"
        "  A: {Type: AWS::SQS::Queue, Properties: {Tags: *tags}}\n"
        "  B: {Type: AWS::SQS::Queue, Properties: {Tags: *tags}}\n"
        "Base: &base {Type: AWS::SNS::Topic}\n"
        "Merged: {<<: *base, Condition: X}\n"
    )

    assert template["Resources"]["B"]["Properties"]["Tags"] == [{"Key": "team", "Value": "blue"},
                                                               {"Key": "env", "Value": "prod"}]
    assert template["Merged"] == {"Type": "AWS::SNS::Topic", "Condition": "X"}


def test_aliases_just_within_the_bound_load():
    # 2 + 2 * 124,999 = 249,998 values come from aliases: within 250,000
    text = "x: &x [1]\nitems:\n" + "  - *x\n" * 124_999

    assert len(loads_template(text)["items"]) == 124_999


def test_aliases_just_past_the_bound_are_refused():
    text = "x: &x [1]\nitems:\n" + "  - *x\n" * 125_001

    with pytest.raises(TemplateError, match="YAML aliases expand"):
        loads_template(text)


def test_an_alias_inside_its_own_anchor_is_refused_as_infinite(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text(QUEUE + "Metadata:\n  Loop: &loop\n    - 1\n    - *loop\n")

    with pytest.raises(TemplateError, match="refers to a node that contains it") as caught:
        load_template(path)

    assert caught.value.location.line == 5


def test_json_nested_two_thousand_deep_is_an_input_error_not_a_recursion_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{\n"Resources": {},\n"Metadata":\n' + "[" * 2000 + "]" * 2000 + "\n}\n")

    with pytest.raises(TemplateError, match=f"nests deeper than {MAX_TEMPLATE_DEPTH} levels") as caught:
        load_template(path)

    assert caught.value.location.line == 4
    assert caught.value.exit_status == 2


@pytest.mark.parametrize("make", [nested_json, nested_yaml], ids=["json", "yaml"])
def test_nesting_up_to_the_bound_loads_and_one_level_more_is_refused(make):
    assert loads_template(make(MAX_TEMPLATE_DEPTH))["Metadata"] is not None

    with pytest.raises(TemplateError, match="nests deeper than"):
        loads_template(make(MAX_TEMPLATE_DEPTH + 1))


def test_depth_reached_through_an_alias_counts(tmp_path):
    deep = "[" * 100 + "1" + "]" * 100
    path = tmp_path / "deep-alias.yaml"
    path.write_text(f"a: &a {deep}\nb:\n  - " + "[" * 30 + "*a" + "]" * 30 + "\n")

    with pytest.raises(TemplateError, match="nests deeper than") as caught:
        load_template(path)

    assert caught.value.location.line == 3


def test_more_values_than_the_bound_are_refused_in_json():
    text = '{"Metadata": [' + ",".join(["0"] * MAX_TEMPLATE_VALUES) + "]}"

    with pytest.raises(TemplateError, match=f"more than {MAX_TEMPLATE_VALUES:,} values"):
        loads_template(text)


def test_a_template_at_cloudformations_size_quota_made_of_the_smallest_values_loads():
    """1 MB of `0,`: the most values a body CloudFormation accepts can hold."""
    count = 1_048_576 // 2 - 20
    template = loads_template('{"Metadata": [' + ",".join(["0"] * count) + "]}")

    assert len(template["Metadata"]) == count


def test_a_file_over_the_byte_bound_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "huge.yaml"
    line = "# " + "x" * 1021 + "\n"  # 1 KiB a line
    path.write_text(QUEUE + line * (MAX_TEMPLATE_FILE_BYTES // len(line) + 1))

    with pytest.raises(TemplateError, match=f"over {MAX_TEMPLATE_FILE_BYTES:,} bytes") as caught:
        load_template(path)

    # the first byte past the bound: after QUEUE's 3 lines, in the 10,240th comment line
    assert caught.value.location.line == 3 + (MAX_TEMPLATE_FILE_BYTES - len(QUEUE)) // len(line) + 1


def test_text_over_the_byte_bound_is_refused():
    with pytest.raises(TemplateError, match="bytes"):
        loads_template(QUEUE + "#" * MAX_TEMPLATE_FILE_BYTES)


def test_a_device_is_refused_before_it_is_read():
    with pytest.raises(TemplateError, match="not a regular file"):
        read_template_text("/dev/zero")  # a read would never end


def test_a_folder_is_refused_as_not_a_regular_file(tmp_path):
    with pytest.raises(TemplateError, match="not a regular file"):
        load_template(tmp_path)


class _GetTemplate:
    def __init__(self, body: str) -> None:
        self.body = body

    def get_template(self, **_: str) -> dict[str, str]:
        return {"TemplateBody": self.body}


def test_a_deployed_template_is_read_with_the_same_bounds():
    stack = DeployedStack(name="Main", stack_id="arn:aws:cloudformation:us-east-1:1:stack/Main/x",
                          status="CREATE_COMPLETE")

    with pytest.raises(TemplateError, match="YAML aliases expand") as caught:
        deployed_template(_GetTemplate(alias_bomb()), stack)

    assert caught.value.location.line == 6
    assert deployed_template(_GetTemplate(json.dumps({"Resources": {}})), stack) == {"Resources": {}}


@pytest.mark.parametrize("text", ["Resources:\n  Q:\n    Properties:\n      N: " + "9" * 5000 + "\n",
                                  '{"Resources": {"Q": {"Properties": {"N": ' + "9" * 5000 + "}}}}"])
def test_an_integer_too_long_for_python_is_an_input_error(text: str) -> None:
    with pytest.raises(TemplateError, match="a value cannot be read: Exceeds the limit"):
        loads_template(text, file="t.yaml")
