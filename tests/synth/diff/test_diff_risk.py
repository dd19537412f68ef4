"""Data at risk, PolicyAction, likely renames, and changes CloudFormation will refuse or fail on."""

from __future__ import annotations

import pytest
from diff_helpers import (
    bucket,
    change_of,
    diff,
    edited,
    findings_of,
    function,
    props,
    queue,
    ref,
    resource,
    role,
    security_group,
    table,
    template,
    vpc,
)

from iac.specs import stateful_corrections, stateful_types

# -- data at risk and PolicyAction ----------------------------------------------------------


def test_stateful_resource_removed_without_retain_is_data_at_risk() -> None:
    result = diff(template({"T": table("orders")}), template({}))
    change = change_of(result, "T")
    assert change.policy_action == "Delete"
    assert change.data_at_risk
    [finding] = findings_of(result, "data-at-risk")
    assert (finding.severity, finding.logical_id) == ("error", "T")
    assert "DELETED" in finding.message and "Retain" in finding.fix


@pytest.mark.parametrize(("policy", "action"), [("Retain", "Retain"), ("RetainExceptOnCreate", "Retain"),
                                                 ("Snapshot", "Snapshot")])
def test_stateful_resource_removed_with_a_keeping_policy_is_not_at_risk(policy: str, action: str) -> None:
    result = diff(template({"T": table("orders") | {"DeletionPolicy": policy}}), template({}))
    change = change_of(result, "T")
    assert change.policy_action == action
    assert not change.data_at_risk
    assert findings_of(result, "data-at-risk") == []


def test_deletion_policy_delete_is_at_risk() -> None:
    result = diff(template({"B": bucket() | {"DeletionPolicy": "Delete"}}), template({}))
    assert change_of(result, "B").policy_action == "Delete"
    assert findings_of(result, "data-at-risk")


def test_stateless_resource_removed_is_not_at_risk() -> None:
    result = diff(template({"Fn": function(), "R": role()}), template({}))
    assert findings_of(result, "data-at-risk") == []
    assert all(c.policy_action == "Delete" and not c.data_at_risk for c in result.resources)


@pytest.mark.parametrize("resource_type", sorted(stateful_types()))
def test_every_stateful_type_removed_with_deletion_policy_delete_is_at_risk(resource_type: str) -> None:
    result = diff(template({"R": resource(resource_type, {}, DeletionPolicy="Delete")}), template({}))
    [finding] = findings_of(result, "data-at-risk")
    assert finding.logical_id == "R" and resource_type in finding.message


@pytest.mark.parametrize("resource_type", ["AWS::EMR::Cluster", "AWS::SDB::Domain", "AWS::Organizations::Account",
                                           "AWS::CloudFormation::Stack"])
def test_types_cfn_lint_lists_as_stateful_are_at_risk(resource_type: str) -> None:
    # cfn-lint's StatefulResources (its rule I3011) lists them; the diff's former hand-kept list missed them.
    # A nested stack, for one, takes every resource in it along when it is deleted.
    result = diff(template({"R": resource(resource_type, {})}), template({}))
    assert change_of(result, "R").data_at_risk


def test_types_iac_adds_to_cfn_lints_list_are_at_risk() -> None:
    added, _ = stateful_corrections()
    assert added
    for correction in added:
        result = diff(template({"R": resource(correction.subject, {})}), template({}))
        assert change_of(result, "R").data_at_risk, correction


def test_stateful_resource_replaced_without_update_replace_policy_is_at_risk() -> None:
    result = diff(template({"T": table("a")}), template({"T": table("b")}))
    change = change_of(result, "T")
    assert change.policy_action == "ReplaceAndDelete"
    assert change.data_at_risk
    [finding] = findings_of(result, "data-at-risk")
    assert "will be REPLACED" in finding.message


@pytest.mark.parametrize(("policy", "action"), [("Retain", "ReplaceAndRetain"), ("Snapshot", "ReplaceAndSnapshot")])
def test_stateful_resource_replaced_with_a_keeping_update_replace_policy_is_not_at_risk(policy: str,
                                                                                         action: str) -> None:
    result = diff(template({"T": table("a") | {"UpdateReplacePolicy": policy}}),
                  template({"T": table("b") | {"UpdateReplacePolicy": policy}}))
    change = change_of(result, "T")
    assert change.policy_action == action
    assert not change.data_at_risk
    assert findings_of(result, "data-at-risk") == []


def test_deletion_policy_alone_does_not_protect_a_replacement() -> None:
    result = diff(template({"T": table("a") | {"DeletionPolicy": "Retain"}}),
                  template({"T": table("b") | {"DeletionPolicy": "Retain"}}))
    assert change_of(result, "T").policy_action == "ReplaceAndDelete"
    assert findings_of(result, "data-at-risk")


def test_conditional_replacement_of_stateful_resource_says_may() -> None:
    old = template({"T": table("orders")})
    new = edited(old, lambda t: props(t, "T").update(
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], TableName="orders-2"))
    assert "will be REPLACED" in findings_of(diff(old, new), "data-at-risk")[0].message
    named = template({"T": table(ref("Name"))}, Parameters={"Name": {"Type": "String", "Default": "orders"}})
    renamed = edited(named, lambda t: t["Parameters"]["Name"].update(Default="orders-2"))
    conditional = diff(named, renamed)
    assert change_of(conditional, "T").replacement == "Conditional"
    message = findings_of(conditional, "data-at-risk")[0].message
    assert " may be REPLACED and may lose its data" in message and "will" not in message


def test_modify_without_replacement_is_not_at_risk() -> None:
    result = diff(template({"Q": queue(VisibilityTimeout=1)}), template({"Q": queue(VisibilityTimeout=2)}))
    assert change_of(result, "Q").policy_action is None
    assert findings_of(result, "data-at-risk") == []


def test_replaced_stateless_resource_is_not_at_risk() -> None:
    result = diff(template({"Fn": function(FunctionName="a")}), template({"Fn": function(FunctionName="b")}))
    assert change_of(result, "Fn").replacement == "True"
    assert change_of(result, "Fn").policy_action == "ReplaceAndDelete"
    assert findings_of(result, "data-at-risk") == []


def test_rds_instance_removed_without_deletion_policy_is_snapshotted() -> None:
    database = resource("AWS::RDS::DBInstance", {"Engine": "postgres", "DBInstanceClass": "db.t4g.micro",
                                                 "AllocatedStorage": "20"})
    result = diff(template({"Db": database}), template({}))
    assert change_of(result, "Db").policy_action == "Snapshot"
    assert findings_of(result, "data-at-risk") == []


def test_rds_cluster_removed_without_deletion_policy_is_snapshotted() -> None:
    cluster = resource("AWS::RDS::DBCluster", {"Engine": "aurora-postgresql", "MasterUsername": "admin"})
    result = diff(template({"Cluster": cluster}), template({}))
    assert change_of(result, "Cluster").policy_action == "Snapshot"
    assert findings_of(result, "data-at-risk") == []


def test_rds_instance_in_a_cluster_removed_without_deletion_policy_is_deleted() -> None:
    database = resource("AWS::RDS::DBInstance", {"Engine": "aurora-postgresql", "DBInstanceClass": "db.r6g.large",
                                                 "DBClusterIdentifier": "orders"})
    result = diff(template({"Db": database}), template({}))
    assert change_of(result, "Db").policy_action == "Delete"
    assert findings_of(result, "data-at-risk")


def test_json_carries_policy_action_and_data_at_risk() -> None:
    from iac.synth.diff.model import DiffResult
    result = DiffResult(stacks=[diff(template({"T": table("a"), "Gone": queue() | {"DeletionPolicy": "Retain"}}),
                                     template({"T": table("b")}))])
    data = result.to_json()
    assert data["summary"]["data_at_risk"] is True
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in data["stacks"][0]["Changes"]}
    assert changes["T"]["PolicyAction"] == "ReplaceAndDelete" and changes["T"]["DataAtRisk"] is True
    assert changes["Gone"]["PolicyAction"] == "Retain" and "DataAtRisk" not in changes["Gone"]


# -- renames ----------------------------------------------------------------------------------


def test_remove_and_add_with_equal_properties_is_a_rename() -> None:
    result = diff(template({"OrdersQueue": queue(VisibilityTimeout=60)}),
                  template({"OrdersQueue2": queue(VisibilityTimeout=60) | {"Metadata": {"iac:path": "Main/Orders"}}}))
    [finding] = findings_of(result, "rename")
    assert finding.severity == "warning"
    assert finding.logical_id == "OrdersQueue2"
    assert "rename of OrdersQueue to OrdersQueue2" in finding.message
    assert finding.fix == 'keep the old identity: call .override_logical_id("OrdersQueue") on the resource at ' \
                          'Main/Orders'


def test_rename_fix_names_the_new_logical_id_without_construct_path() -> None:
    result = diff(template({"A": queue(DelaySeconds=3)}), template({"B": queue(DelaySeconds=3)}))
    [finding] = findings_of(result, "rename")
    assert '.override_logical_id("A")' in finding.fix and finding.fix.endswith(" at B")


def test_nearly_equal_properties_are_a_likely_rename() -> None:
    properties = {"VisibilityTimeout": 60, "DelaySeconds": 5, "MessageRetentionPeriod": 86400,
                  "MaximumMessageSize": 2048, "ReceiveMessageWaitTimeSeconds": 20, "SqsManagedSseEnabled": True,
                  "Tags": [{"Key": "team", "Value": "orders"}, {"Key": "env", "Value": "prod"},
                           {"Key": "cost-center", "Value": "42"}, {"Key": "tier", "Value": "backend"}]}
    result = diff(template({"Old": queue(**properties)}),
                  template({"New": queue(**(properties | {"VisibilityTimeout": 90}))}))
    [finding] = findings_of(result, "rename")
    assert "rename of Old to New" in finding.message and "nearly equal" in finding.message


def test_different_properties_are_not_a_rename() -> None:
    result = diff(template({"Old": queue(VisibilityTimeout=60, DelaySeconds=5)}),
                  template({"New": queue(MessageRetentionPeriod=600, FifoQueue=True)}))
    assert findings_of(result, "rename") == []


def test_different_types_are_not_a_rename() -> None:
    result = diff(template({"Old": resource("AWS::SNS::Topic", {"DisplayName": "x"})}),
                  template({"New": resource("AWS::SNS::TopicPolicy", {"DisplayName": "x"})}))
    assert findings_of(result, "rename") == []


def test_each_removed_resource_matches_one_add() -> None:
    result = diff(template({"A": queue(DelaySeconds=1), "B": queue(DelaySeconds=2)}),
                  template({"C": queue(DelaySeconds=2), "D": queue(DelaySeconds=1), "E": queue(DelaySeconds=1)}))
    pairs = sorted(f.message.split(":")[0] for f in findings_of(result, "rename"))
    assert pairs == ["looks like a rename of A to D", "looks like a rename of B to C"]


def test_renamed_stateful_resource_is_also_data_at_risk() -> None:
    result = diff(template({"Orders": table()}), template({"OrdersTable": table()}))
    assert findings_of(result, "rename") and findings_of(result, "data-at-risk")


# -- deployability --------------------------------------------------------------------------


def test_replacement_with_an_unchanged_fixed_name_is_an_error() -> None:
    old = template({"T": table("orders")})
    new = edited(old, lambda t: props(t, "T").update(
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}]))
    result = diff(old, new)
    assert change_of(result, "T").is_replacement
    [finding] = findings_of(result, "deployability")
    assert (finding.severity, finding.logical_id) == ("error", "T")
    assert "TableName is fixed to 'orders'" in finding.message
    assert "custom-named resource requires replacing" in finding.message


def test_function_replacement_with_a_fixed_function_name_is_an_error() -> None:
    old = template({"Fn": function(FunctionName="worker", PackageType="Zip")})
    new = edited(old, lambda t: props(t, "Fn").update(PackageType="Image"))
    [finding] = findings_of(diff(old, new), "deployability")
    assert "FunctionName is fixed to 'worker'" in finding.message


def test_replacement_through_a_reference_with_a_fixed_name_is_an_error() -> None:
    old = template({"Vpc": vpc("10.0.0.0/16"), "Sg": security_group(ref("Vpc"), GroupName="web")})
    new = edited(old, lambda t: props(t, "Vpc").update(CidrBlock="10.1.0.0/16"))
    result = diff(old, new)
    assert change_of(result, "Sg").replacement == "Conditional"
    [finding] = findings_of(result, "deployability")
    assert finding.logical_id == "Sg" and "GroupName is fixed to 'web'" in finding.message


def test_replacement_with_a_changed_name_is_fine() -> None:
    result = diff(template({"T": table("orders")}), template({"T": table("orders-v2")}))
    assert findings_of(result, "deployability") == []


def test_replacement_without_a_fixed_name_is_fine() -> None:
    old = template({"T": table()})
    new = edited(old, lambda t: props(t, "T").update(
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}]))
    assert findings_of(diff(old, new), "deployability") == []


def test_name_from_an_intrinsic_is_not_fixed() -> None:
    name = {"Fn::Sub": "${AWS::StackName}-orders"}
    old = template({"T": table(name)})
    new = edited(old, lambda t: props(t, "T").update(
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}]))
    assert findings_of(diff(old, new), "deployability") == []


def test_rename_of_a_named_resource_is_an_error() -> None:
    result = diff(template({"X": bucket(BucketName="b")}), template({"Y": bucket(BucketName="b")}))
    [finding] = findings_of(result, "deployability")
    assert (finding.severity, finding.logical_id) == ("error", "Y")
    assert "BucketName 'b'" in finding.message and "still held by X" in finding.message
    assert '.override_logical_id("X")' in finding.fix
    assert findings_of(result, "rename")


def test_remove_and_add_with_different_names_is_fine() -> None:
    result = diff(template({"X": bucket(BucketName="a")}), template({"Y": bucket(BucketName="b")}))
    assert findings_of(result, "deployability") == []


def test_same_name_on_different_types_is_fine() -> None:
    result = diff(template({"X": queue(QueueName="jobs")}),
                  template({"Y": resource("AWS::SNS::Topic", {"TopicName": "jobs"})}))
    assert findings_of(result, "deployability") == []


def test_a_new_id_for_the_same_construct_is_not_a_rename() -> None:
    def version(lid: str) -> dict:
        return {"Resources": {lid: {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": "f"},
                                    "Metadata": {"iac:path": "S/Fn/CurrentVersion"}}}}

    result = diff(version("FnVersionAAAA1111"), version("FnVersionBBBB2222"))
    assert findings_of(result, "rename") == []


def test_a_computed_deletion_policy_counts_as_delete_and_does_not_crash() -> None:
    table_entry = table("orders") | {"DeletionPolicy": {"Fn::If": ["IsProd", "Retain", "Delete"]}}
    result = diff(template({"T": table_entry}), template({}))
    assert change_of(result, "T").policy_action == "Delete"
    assert "computed" in findings_of(result, "data-at-risk")[0].message
