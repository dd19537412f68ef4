"""Template sections besides Resources: Parameters, Outputs, Conditions, Mappings, Description, Transform;
and exports that another stack imports."""

from __future__ import annotations

import pytest
from diff_helpers import assert_no_changes, diff, findings_of, queue, ref, table, template

from iac.synth.diff import diff_pairs

BASE = template(
    {"Q": queue()},
    Description="orders",
    Parameters={"Env": {"Type": "String", "Default": "dev"}},
    Conditions={"IsProd": {"Fn::Equals": [ref("Env"), "prod"]}},
    Mappings={"Sizes": {"dev": {"Memory": 128}}},
    Outputs={"QueueUrl": {"Value": ref("Q")}},
)


def _values(result: object) -> list[tuple[str, str, str]]:
    return [(v.section, v.name, v.action) for v in result.values]


@pytest.mark.parametrize(("section", "name", "value"), [
    ("Parameters", "Stage", {"Type": "String"}),
    ("Conditions", "IsDev", {"Fn::Equals": [ref("Env"), "dev"]}),
    ("Mappings", "Regions", {"us-east-1": {"Ami": "ami-1"}}),
    ("Outputs", "QueueArn", {"Value": {"Fn::GetAtt": ["Q", "Arn"]}}),
])
def test_entry_added_to_a_section(section: str, name: str, value: object) -> None:
    new = {**BASE, section: {**BASE[section], name: value}}
    result = diff(BASE, new)
    assert _values(result) == [(section, name, "Add")]
    assert result.values[0].after == value and result.values[0].before is None
    assert result.has_changes and result.resources == []


@pytest.mark.parametrize(("section", "name"), [("Parameters", "Env"), ("Conditions", "IsProd"),
                                               ("Mappings", "Sizes"), ("Outputs", "QueueUrl")])
def test_entry_removed_from_a_section(section: str, name: str) -> None:
    new = {**BASE, section: {k: v for k, v in BASE[section].items() if k != name}}
    assert _values(diff(BASE, new)) == [(section, name, "Remove")]


def test_parameter_default_changed_is_a_modify() -> None:
    new = {**BASE, "Parameters": {"Env": {"Type": "String", "Default": "prod"}}}
    [change] = diff(BASE, new).values
    assert (change.section, change.name, change.action) == ("Parameters", "Env", "Modify")
    assert change.before["Default"] == "dev" and change.after["Default"] == "prod"


def test_output_value_changed_is_a_modify() -> None:
    new = {**BASE, "Outputs": {"QueueUrl": {"Value": {"Fn::GetAtt": ["Q", "QueueUrl"]}}}}
    assert _values(diff(BASE, new)) == [("Outputs", "QueueUrl", "Modify")]


def test_output_getatt_form_and_number_type_are_normalized() -> None:
    new = {**BASE, "Mappings": {"Sizes": {"dev": {"Memory": "128"}}},
           "Outputs": {"QueueUrl": {"Value": ref("Q")}}}
    assert_no_changes(diff(BASE, new))


def test_condition_changed_is_a_modify() -> None:
    new = {**BASE, "Conditions": {"IsProd": {"Fn::Equals": [ref("Env"), "production"]}}}
    assert _values(diff(BASE, new)) == [("Conditions", "IsProd", "Modify")]


def test_mapping_changed_is_a_modify() -> None:
    new = {**BASE, "Mappings": {"Sizes": {"dev": {"Memory": 256}}}}
    assert _values(diff(BASE, new)) == [("Mappings", "Sizes", "Modify")]


def test_description_changed_added_removed() -> None:
    assert _values(diff(BASE, {**BASE, "Description": "orders v2"})) == [("Description", "Description", "Modify")]
    without = {k: v for k, v in BASE.items() if k != "Description"}
    assert _values(diff(without, BASE)) == [("Description", "Description", "Add")]
    assert _values(diff(BASE, without)) == [("Description", "Description", "Remove")]


def test_transform_added_and_string_equals_one_element_list() -> None:
    sam = {**BASE, "Transform": "AWS::Serverless-2016-10-31"}
    [change] = diff(BASE, sam).values
    assert (change.section, change.action, change.after) == ("Transform", "Add", "AWS::Serverless-2016-10-31")
    assert_no_changes(diff(sam, {**BASE, "Transform": ["AWS::Serverless-2016-10-31"]}))
    assert _values(diff(sam, {**BASE, "Transform": ["AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"]})) == [
        ("Transform", "Transform", "Modify")]


def test_section_changes_alone_count_as_changes_but_not_resource_counts() -> None:
    result = diff(BASE, {**BASE, "Description": "x"})
    assert result.has_changes
    assert result.counts() == {"add": 0, "change": 0, "replace": 0, "remove": 0}


# -- exports used by another stack ----------------------------------------------------------

def _exporting(table_name: str, output: bool = True) -> dict:
    outputs = {"TableName": {"Value": ref("T"), "Export": {"Name": "shared-table"}}} if output else {}
    return template({"T": table(table_name)}, Outputs=outputs)


IMPORTING = template({"Q": queue(QueueName={"Fn::Sub": ["${T}-jobs", {"T": {"Fn::ImportValue": "shared-table"}}]})})


def test_export_in_use_that_changes_through_a_replacement_is_an_error() -> None:
    result = diff_pairs([("Data", _exporting("a"), _exporting("b"), None), ("App", IMPORTING, IMPORTING, None)])
    data = result.stacks[0]
    [finding] = findings_of(data, "deployability")
    assert finding.logical_id == "TableName"
    assert "shared-table" in finding.message and "App" in finding.message
    assert result.stacks[1].findings == []


def test_export_in_use_that_is_removed_is_an_error() -> None:
    result = diff_pairs([("Data", _exporting("a"), _exporting("a", output=False), None),
                         ("App", IMPORTING, IMPORTING, None)])
    [finding] = findings_of(result.stacks[0], "deployability")
    assert "is removed" in finding.message


def test_export_not_imported_anywhere_may_change() -> None:
    result = diff_pairs([("Data", _exporting("a"), _exporting("b"), None)])
    assert findings_of(result.stacks[0], "deployability") == []
