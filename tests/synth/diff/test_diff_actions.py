"""Pairing resources by logical id: Add, Remove, Modify, one-sided stacks, type changes, custom resources."""

from __future__ import annotations

from diff_helpers import (
    actions,
    change_of,
    detail_at,
    diff,
    edited,
    findings_of,
    function,
    props,
    queue,
    resource,
    table,
    template,
)

from iac.synth.diff.model import ADD, MODIFY, REMOVE, DiffResult


def test_identical_templates_have_no_changes() -> None:
    tpl = template({"Queue": queue(VisibilityTimeout=60), "Fn": function()})
    result = diff(tpl, tpl)
    assert result.resources == [] and not result.has_changes
    assert result.counts() == {"add": 0, "change": 0, "replace": 0, "remove": 0}


def test_resource_only_in_new_template_is_an_add() -> None:
    old = template({"Queue": queue()})
    new = template({"Queue": queue(), "Topic": resource("AWS::SNS::Topic")})
    result = diff(old, new)
    assert actions(result) == {"Topic": ADD}
    added = change_of(result, "Topic")
    assert added.resource_type == "AWS::SNS::Topic"
    assert added.replacement is None and added.details == []
    assert result.counts()["add"] == 1


def test_resource_only_in_old_template_is_a_remove() -> None:
    old = template({"Queue": queue(), "Topic": resource("AWS::SNS::Topic")})
    new = template({"Queue": queue()})
    result = diff(old, new)
    assert actions(result) == {"Topic": REMOVE}
    assert change_of(result, "Topic").policy_action == "Delete"
    assert result.counts()["remove"] == 1


def test_changed_property_is_a_modify_with_a_static_detail() -> None:
    old = template({"Queue": queue(VisibilityTimeout=60)})
    new = template({"Queue": queue(VisibilityTimeout=90)})
    change = change_of(diff(old, new), "Queue")
    assert change.action == MODIFY
    assert change.replacement == "False"
    assert change.scope == ["Properties"]
    detail = detail_at(change, "/Properties/VisibilityTimeout")
    assert (detail.evaluation, detail.change_source, detail.causing_entity) == ("Static", "DirectModification", None)
    assert (detail.target.name, detail.target.attribute, detail.target.requires_recreation) == (
        "VisibilityTimeout", "Properties", "Never")
    assert (detail.before, detail.after) == (60, 90)


def test_added_and_removed_property_are_details_with_absent_side() -> None:
    old = template({"Queue": queue(VisibilityTimeout=60)})
    new = template({"Queue": queue(DelaySeconds=5)})
    change = change_of(diff(old, new), "Queue")
    assert detail_at(change, "/Properties/DelaySeconds").before is None
    assert detail_at(change, "/Properties/DelaySeconds").after == 5
    assert detail_at(change, "/Properties/VisibilityTimeout").after is None


def test_unchanged_resources_are_not_listed() -> None:
    old = template({"A": queue(VisibilityTimeout=60), "B": queue(DelaySeconds=1)})
    new = template({"A": queue(VisibilityTimeout=61), "B": queue(DelaySeconds=1)})
    assert actions(diff(old, new)) == {"A": MODIFY}


def test_stack_only_in_new_is_all_adds() -> None:
    new = template({"Queue": queue(), "Fn": function(), "Table": table("t")})
    result = diff(None, new)
    assert actions(result) == {"Queue": ADD, "Fn": ADD, "Table": ADD}
    assert result.findings == []


def test_stack_only_in_old_is_all_removes() -> None:
    old = template({"Queue": queue(), "Fn": function()})
    result = diff(old, None)
    assert actions(result) == {"Queue": REMOVE, "Fn": REMOVE}
    assert result.counts() == {"add": 0, "change": 0, "replace": 0, "remove": 2}


def test_type_change_is_a_remove_and_an_add() -> None:
    old = template({"Thing": queue()})
    new = template({"Thing": resource("AWS::SNS::Topic")})
    result = diff(old, new)
    assert sorted((c.action, c.resource_type) for c in result.resources) == [
        (ADD, "AWS::SNS::Topic"), (REMOVE, "AWS::SQS::Queue")]
    assert result.counts() == {"add": 1, "change": 0, "replace": 0, "remove": 1}


def test_type_change_is_a_deployability_error() -> None:
    result = diff(template({"Thing": queue()}), template({"Thing": resource("AWS::SNS::Topic")}))
    [finding] = findings_of(result, "deployability")
    assert finding.severity == "error"
    assert finding.logical_id == "Thing"
    assert "Update of resource type is not permitted" in finding.message
    assert "AWS::SQS::Queue" in finding.message and "AWS::SNS::Topic" in finding.message


def test_custom_resource_property_change_is_a_modify_without_replacement() -> None:
    old = template({"Seed": resource("Custom::DatabaseSeed", {"ServiceToken": "arn:aws:lambda:us-east-1:1:function:s",
                                                              "Rows": 10})})
    new = edited(old, lambda t: props(t, "Seed").update(Rows=20))
    change = change_of(diff(old, new), "Seed")
    assert (change.action, change.replacement) == (MODIFY, "False")
    assert detail_at(change, "/Properties/Rows").target.requires_recreation == "Never"


def test_cloudformation_custom_resource_is_never_replaced_even_for_its_service_token() -> None:
    # The registry schema of AWS::CloudFormation::CustomResource makes ServiceToken create-only;
    # CloudFormation still sends the provider an Update.
    old = template({"Seed": resource("AWS::CloudFormation::CustomResource",
                                     {"ServiceToken": "arn:aws:lambda:us-east-1:1:function:a", "Size": "1"})})
    new = edited(old, lambda t: props(t, "Seed").update(ServiceToken="arn:aws:lambda:us-east-1:1:function:b"))
    change = change_of(diff(old, new), "Seed")
    assert (change.action, change.replacement) == (MODIFY, "False")


def test_type_without_schema_may_be_replaced() -> None:
    old = template({"X": resource("Acme::Widget::Thing", {"Size": 1})})
    new = template({"X": resource("Acme::Widget::Thing", {"Size": 2})})
    change = change_of(diff(old, new), "X")
    assert change.replacement == "Conditional"
    assert detail_at(change, "/Properties/Size").target.requires_recreation == "Conditionally"


def test_deletion_policy_change_is_a_modify_scoped_to_that_attribute() -> None:
    old = template({"Queue": queue()})
    new = template({"Queue": queue() | {"DeletionPolicy": "Retain"}})
    change = change_of(diff(old, new), "Queue")
    assert change.action == MODIFY and change.replacement == "False"
    assert change.scope == ["DeletionPolicy"]
    assert detail_at(change, "/DeletionPolicy").after == "Retain"


def test_tags_change_is_scoped_to_tags() -> None:
    old = template({"Queue": queue(Tags=[{"Key": "team", "Value": "a"}])})
    new = template({"Queue": queue(Tags=[{"Key": "team", "Value": "b"}])})
    change = change_of(diff(old, new), "Queue")
    assert change.scope == ["Tags"]
    assert change.replacement == "False"


def test_iac_path_metadata_is_ignored_but_shown_as_construct_path() -> None:
    old = template({"Queue": queue(VisibilityTimeout=1) | {"Metadata": {"iac:path": "Main/Old/Queue"}}})
    new = template({"Queue": queue(VisibilityTimeout=2) | {"Metadata": {"iac:path": "Main/Queue"}}})
    change = change_of(diff(old, new), "Queue")
    assert change.scope == ["Properties"]
    assert change.construct_path == "Main/Queue"
    unchanged = template({"Queue": queue(VisibilityTimeout=1) | {"Metadata": {"iac:path": "Main/Moved"}}})
    assert diff(old, unchanged).resources == []


def test_other_metadata_change_is_reported() -> None:
    old = template({"Queue": queue() | {"Metadata": {"owner": "a"}}})
    new = template({"Queue": queue() | {"Metadata": {"owner": "b"}}})
    assert change_of(diff(old, new), "Queue").scope == ["Metadata"]


def test_model_counts_and_json_agree() -> None:
    old = template({"Keep": queue(VisibilityTimeout=1), "Gone": queue(), "Named": table("a")})
    new = template({"Keep": queue(VisibilityTimeout=2), "New": queue(), "Named": table("b")})
    result = DiffResult(stacks=[diff(old, new, stack="Main")])
    assert result.counts() == {"add": 1, "change": 1, "replace": 1, "remove": 1}
    data = result.to_json()
    assert data["summary"]["add"] == 1 and data["summary"]["replace"] == 1
    [stack] = data["stacks"]
    assert stack["StackName"] == "Main"
    by_id = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in stack["Changes"]}
    assert by_id["New"]["Action"] == "Add" and "Replacement" not in by_id["New"]
    assert by_id["Gone"] == {"Action": "Remove", "LogicalResourceId": "Gone", "ResourceType": "AWS::SQS::Queue",
                             "PolicyAction": "Delete", "DataAtRisk": True}
    assert by_id["Named"]["Replacement"] == "True"
    assert by_id["Named"]["PolicyAction"] == "ReplaceAndDelete"
    assert by_id["Keep"]["Details"][0]["Target"] == {
        "Attribute": "Properties", "Name": "VisibilityTimeout", "Path": "/Properties/VisibilityTimeout",
        "RequiresRecreation": "Never"}
