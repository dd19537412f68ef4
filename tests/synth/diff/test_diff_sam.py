"""SAM templates diffed through the SAM translator (iac/synth/diff/sam.py), from minimal template pairs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from diff_helpers import change_of, diff, edited, findings_of, props, resource

from iac.synth.diff.sam import expand, is_sam
from iac.synth.loader import load

pytest.importorskip("samtranslator")

SAM = "AWS::Serverless-2016-10-31"


def sam_template(resources: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"Transform": SAM, "Resources": resources, **sections}


def function(**properties: Any) -> dict[str, Any]:
    return resource("AWS::Serverless::Function", {"Handler": "app.handler", "Runtime": "python3.12",
                                                  "CodeUri": "./src", **properties})


def test_an_edited_function_property_is_an_in_place_update_of_the_lambda_function() -> None:
    old = sam_template({"Fn": function(MemorySize=128)})
    new = edited(old, lambda t: props(t, "Fn").update(MemorySize=256))
    result = diff(old, new)
    change = change_of(result, "Fn")
    assert change.resource_type == "AWS::Lambda::Function"
    assert change.replacement == "False"
    assert [d.target.name for d in change.details] == ["MemorySize"]
    assert (change.origin, change.origin_type) == ("Fn", "AWS::Serverless::Function")
    assert result.notes == []


def test_a_changed_function_name_replaces_the_function_for_certain() -> None:
    old = sam_template({"Fn": function(FunctionName="orders")})
    new = edited(old, lambda t: props(t, "Fn").update(FunctionName="orders-v2"))
    change = change_of(diff(old, new), "Fn")
    assert change.replacement == "True"
    assert change.reasons == ["replace: create-only property FunctionName changed"]


def test_the_generated_resources_are_reported_under_the_sam_resource() -> None:
    old = sam_template({"Fn": function(Policies=["AWSLambdaBasicExecutionRole"])})
    new = edited(old, lambda t: props(t, "Fn").update(Policies=["AWSLambdaBasicExecutionRole",
                                                                 {"SQSPollerPolicy": {"QueueName": "jobs"}}]))
    result = diff(old, new)
    role = change_of(result, "FnRole")
    assert role.resource_type == "AWS::IAM::Role" and role.origin == "Fn" and role.replacement == "False"
    assert result.widens_access  # the policy template's statements are seen as IAM statements
    assert {s.logical_id for s in result.statements} == {"FnRole"}


def test_a_plain_resource_whose_id_starts_with_a_sam_id_is_not_attributed_to_it() -> None:
    old = sam_template({"Fn": function(), "FnTopic": resource("AWS::SNS::Topic", {"DisplayName": "a"})})
    new = edited(old, lambda t: props(t, "FnTopic").update(DisplayName="b"))
    assert change_of(diff(old, new), "FnTopic").origin is None


def test_an_unchanged_sam_template_has_no_changes() -> None:
    events = {"Get": {"Type": "Api", "Properties": {"Path": "/", "Method": "get"}}}
    tpl = sam_template({"Fn": function(MemorySize=128, AutoPublishAlias="live", Events=events),
                        "Table": resource("AWS::Serverless::SimpleTable")})
    result = diff(tpl, edited(tpl, lambda t: t.update(Metadata={"note": "no resource"})))  # both expanded
    assert not result.has_changes and result.notes == []
    edit = diff(tpl, edited(tpl, lambda t: props(t, "Fn").update(MemorySize=256)))
    # the function changes, and with AutoPublishAlias a new version is published and the alias moves to it
    assert sorted((c.action, c.resource_type) for c in edit.resources) == [
        ("Add", "AWS::Lambda::Version"), ("Modify", "AWS::Lambda::Alias"), ("Modify", "AWS::Lambda::Function"),
        ("Remove", "AWS::Lambda::Version")]


def test_a_new_code_path_publishes_a_new_version_under_the_function() -> None:
    old = sam_template({"Fn": function(AutoPublishAlias="live")})
    new = edited(old, lambda t: props(t, "Fn").update(CodeUri="./build/v2"))
    result = diff(old, new)
    versions = [c for c in result.resources if c.resource_type == "AWS::Lambda::Version"]
    assert sorted(c.action for c in versions) == ["Add", "Remove"]
    assert all(c.origin == "Fn" for c in versions)
    assert change_of(result, "Fn").details[0].target.name == "Code"
    assert findings_of(result, "rename") == []  # the translator names versions by content, on purpose


def test_a_renamed_sam_resource_is_still_a_likely_rename() -> None:
    old = sam_template({"Orders": resource("AWS::Serverless::SimpleTable")})
    new = sam_template({"OrdersTable": resource("AWS::Serverless::SimpleTable")})
    [finding] = findings_of(diff(old, new), "rename")
    assert finding.logical_id == "OrdersTable"


def test_a_simple_table_key_change_replaces_its_table_and_puts_data_at_risk() -> None:
    old = sam_template({"Orders": resource("AWS::Serverless::SimpleTable",
                                           {"PrimaryKey": {"Name": "id", "Type": "String"}})})
    new = edited(old, lambda t: props(t, "Orders").update(PrimaryKey={"Name": "orderId", "Type": "String"}))
    result = diff(old, new)
    change = change_of(result, "Orders")
    assert change.resource_type == "AWS::DynamoDB::Table" and change.replacement == "True"
    assert change.origin_type == "AWS::Serverless::SimpleTable"
    assert [f.logical_id for f in findings_of(result, "data-at-risk")] == ["Orders"]


def test_globals_reach_every_function() -> None:
    old = sam_template({"A": function(), "B": function()}, Globals={"Function": {"Timeout": 3}})
    new = edited(old, lambda t: t["Globals"]["Function"].update(Timeout=10))
    result = diff(old, new)
    assert {(c.logical_id, c.origin) for c in result.resources} == {("A", "A"), ("B", "B")}
    assert all(c.details[0].target.name == "Timeout" for c in result.resources)


def test_an_implicit_api_is_its_own_origin() -> None:
    old = sam_template({"Fn": function(Events={"Get": {"Type": "Api", "Properties": {"Path": "/a", "Method": "get"}}})})
    new = edited(old, lambda t: props(t, "Fn")["Events"]["Get"]["Properties"].update(Path="/b"))
    result = diff(old, new)
    api = change_of(result, "ServerlessRestApi")
    assert api.origin == "ServerlessRestApi" and api.origin_type == "AWS::Serverless::Api"


def test_a_sar_application_is_not_fetched_and_becomes_a_nested_stack() -> None:
    app = resource("AWS::Serverless::Application", {"Location": {"ApplicationId": "arn:aws:serverlessrepo:us-east-1:"
                                                                 "123456789012:applications/app",
                                                                 "SemanticVersion": "1.0.0"}})
    expansion = expand(sam_template({"App": app}), "us-east-1")
    assert expansion.note is None
    assert expansion.template["Resources"]["App"]["Type"] == "AWS::CloudFormation::Stack"


def test_a_failing_translation_falls_back_to_the_written_template_with_a_note() -> None:
    broken = sam_template({"Fn": resource("AWS::Serverless::Function", {"Handler": "a.h", "Runtime": "python3.12",
                                                                        "CodeUri": "./src", "Events": "nonsense"})})
    new = edited(broken, lambda t: props(t, "Fn").update(MemorySize=256))
    result = diff(broken, new)
    change = change_of(result, "Fn")
    assert change.resource_type == "AWS::Serverless::Function" and change.replacement == "Conditional"
    assert len(result.notes) == 2 and "the SAM transform failed" in result.notes[0]
    assert result.notes[0].startswith("old template: ")


def test_when_one_side_fails_both_are_compared_as_written() -> None:
    old = sam_template({"Fn": resource("AWS::Serverless::Function", {"Events": 3})})
    new = sam_template({"Fn": function()})
    result = diff(old, new)
    change = change_of(result, "Fn")
    assert change.action == "Modify" and change.resource_type == "AWS::Serverless::Function"
    assert findings_of(result, "deployability") == []
    [note] = result.notes
    assert note.startswith("old template: the SAM transform failed")


def test_without_the_translator_the_diff_compares_as_written_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "samtranslator.parser.parser", None)  # import fails
    old = sam_template({"Fn": function(MemorySize=128)})
    new = edited(old, lambda t: props(t, "Fn").update(MemorySize=256))
    result = diff(old, new)
    assert change_of(result, "Fn").resource_type == "AWS::Serverless::Function"
    assert "aws-sam-translator is not installed" in result.notes[-1]


def test_the_json_carries_the_origin_and_the_notes() -> None:
    from iac.synth.diff import DiffResult

    old = sam_template({"Fn": function(MemorySize=128)})
    new = edited(old, lambda t: props(t, "Fn").update(MemorySize=256))
    data = DiffResult(stacks=[diff(old, new)]).to_json()["stacks"][0]
    [change] = data["Changes"]
    assert change["ResourceChange"]["Origin"] == {"LogicalResourceId": "Fn",
                                                  "ResourceType": "AWS::Serverless::Function"}
    assert data["Notes"] == []


def test_an_acknowledgement_on_the_sam_resource_silences_the_finding_of_what_it_makes() -> None:
    def tpl(bucket: str) -> dict[str, Any]:
        fn = function(Policies=[{"S3ReadPolicy": {"BucketName": bucket}}])
        fn["Metadata"] = {"iac:acknowledge": [{"id": "IAC-DIFF-009", "reason": "reads the new bucket"}]}
        return sam_template({"Fn": fn})

    result = diff(tpl("a"), tpl("b"))
    [finding] = findings_of(result, "widening")
    assert finding.logical_id == "FnRole" and finding.acknowledged == "reads the new bucket"
    assert not result.widens_access


def test_a_value_given_for_a_parameter_the_translator_resolves_makes_no_certain_change() -> None:
    """The translator resolves AutoPublishAlias: !Ref Alias into the alias's logical id; the old deployment's value
    is unknown, so both sides are expanded with the default (a presumption hides a change, never makes one)."""
    tpl = sam_template({"Fn": function(AutoPublishAlias={"Ref": "Alias"})},
                       Parameters={"Alias": {"Type": "String", "Default": "live"}})
    result = diff(tpl, edited(tpl, lambda t: None), parameters={"Alias": "prod"})
    assert all(c.action == "Modify" for c in result.resources)
    assert expand(tpl, "us-east-1", {"Alias": "prod"}).template["Resources"]["FnAliasprod"]["Type"] == \
        "AWS::Lambda::Alias"


SAM_TEMPLATES = sorted(p for p in Path(__file__).resolve().parents[2].rglob("*.yaml")
                       if "AWS::Serverless-2016-10-31" in p.read_text(encoding="utf-8", errors="replace"))


def test_the_tests_hold_sam_templates() -> None:
    assert len(SAM_TEMPLATES) >= 5


@pytest.mark.parametrize("path", SAM_TEMPLATES, ids=[p.name for p in SAM_TEMPLATES])
def test_every_sam_template_under_tests_expands_to_no_change_against_itself(path: Path) -> None:
    tpl = load(path)
    if not is_sam(tpl):
        pytest.skip("the transform is not the template's")
    other = edited(tpl, lambda t: t.setdefault("Metadata", {}).update({"iac:test": "not a resource change"}))
    result = diff(tpl, other)  # the templates differ, so both are expanded
    assert result.resources == [] and result.statements == [] and result.findings == []
