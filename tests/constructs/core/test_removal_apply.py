"""RemovalPolicy.apply(scope, policy): DeletionPolicy and UpdateReplacePolicy on every resource below a scope."""

from __future__ import annotations

import pytest

from iac import App, CfnResource, Construct, ConstructError, RemovalPolicy, Stack
from iac.constructs import s3
from iac.constructs.core.removal import DESTROY, RETAIN, SNAPSHOT, RemovalPolicies
from iac.specs import snapshot_types
from iac.synth import synthesize
from iac.synth.diff import diff_templates

QUEUE = "AWS::SQS::Queue"
VOLUME = "AWS::EC2::Volume"


def policies(app: App, logical_id: str, name: str = "Main") -> tuple[str | None, str | None]:
    entry = synthesize(app).template(name)["Resources"][logical_id]
    return entry.get("DeletionPolicy"), entry.get("UpdateReplacePolicy")


def volume(scope: Construct, id: str) -> CfnResource:
    return CfnResource(scope, id, type=VOLUME, properties={"AvailabilityZone": "us-east-1a", "Size": 10})


def test_apply_sets_both_policies_on_every_resource_below_the_scope(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    CfnResource(Construct(stack, "Inner"), "Q", type=QUEUE)
    RemovalPolicy.apply(stack, RETAIN)

    for entry in synthesize(app).template("Main")["Resources"].values():
        assert (entry["DeletionPolicy"], entry["UpdateReplacePolicy"]) == ("Retain", "Retain")


def test_apply_reaches_only_the_scope(app, stack):
    inner = Construct(stack, "Inner")
    CfnResource(inner, "Q", type=QUEUE)
    CfnResource(stack, "Outside", type=QUEUE)
    RemovalPolicy.apply(inner, RETAIN)

    assert policies(app, "Outside") == (None, None)


def test_apply_overrides_what_an_l2_set_by_default(app, stack):
    s3.Bucket(stack, "Data")  # retains by default
    RemovalPolicy.apply(stack, DESTROY)

    [bucket] = [e for e in synthesize(app).template("Main")["Resources"].values() if e["Type"] == "AWS::S3::Bucket"]
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_the_closer_scope_wins(app, stack):
    inner = Construct(stack, "Inner")
    volume(inner, "V")
    RemovalPolicy.apply(inner, RETAIN)
    RemovalPolicy.apply(stack, DESTROY)  # later, but further away

    [entry] = synthesize(app).template("Main")["Resources"].values()
    assert entry["DeletionPolicy"] == "Retain"


def test_on_one_scope_the_later_call_wins(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    RemovalPolicy.apply(stack, RETAIN)
    RemovalPolicy.apply(stack, DESTROY)

    assert policies(app, "Q") == ("Delete", "Delete")


def test_snapshot_goes_only_to_types_that_support_it(app, stack):
    volume(stack, "V")
    CfnResource(stack, "Q", type=QUEUE)
    RemovalPolicy.apply(stack, SNAPSHOT)

    assert VOLUME in snapshot_types() and QUEUE not in snapshot_types()
    assert policies(app, "V") == ("Snapshot", "Snapshot")
    assert policies(app, "Q") == (None, None)


def test_snapshot_leaves_a_stateful_type_that_cannot_snapshot_with_its_own_policy(app, stack):
    s3.Bucket(stack, "Data")
    RemovalPolicy.apply(stack, SNAPSHOT)

    [bucket] = [e for e in synthesize(app).template("Main")["Resources"].values() if e["Type"] == "AWS::S3::Bucket"]
    assert bucket["DeletionPolicy"] == "Retain"


def test_a_resource_created_after_the_call_gets_the_policy(app, stack):
    RemovalPolicy.apply(stack, RETAIN)
    CfnResource(stack, "Late", type=QUEUE)

    assert policies(app, "Late") == ("Retain", "Retain")


def test_include_and_exclude_resource_types_narrow_it(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    volume(stack, "V")
    RemovalPolicy.apply(stack, RETAIN, include_resource_types=[VOLUME])
    RemovalPolicy.apply(stack, DESTROY, exclude_resource_types=[VOLUME])

    assert policies(app, "V") == ("Retain", "Retain")
    assert policies(app, "Q") == ("Delete", "Delete")


def test_the_cdk_spelling_works_too(app, stack):
    CfnResource(stack, "Q", type=QUEUE)
    RemovalPolicies.of(stack).retain()

    assert policies(app, "Q") == ("Retain", "Retain")


def test_an_unknown_policy_is_refused_at_the_users_line(stack):
    with pytest.raises(ConstructError, match="removal policy must be one of 'retain', 'destroy', 'snapshot'; "
                                             "got 'Delete'") as caught:
        RemovalPolicy.apply(stack, "Delete")

    assert caught.value.location.file == __file__


def test_apply_on_something_that_is_not_a_construct_is_refused():
    with pytest.raises(ConstructError, match="RemovalPolicy.apply takes a construct"):
        RemovalPolicy.apply("Main", RETAIN)


# -- what iac diff makes of it ------------------------------------------------------------------------


def _bucket_app(name: str, *, destroy_all: bool = False, bucket_policy: str | None = None) -> dict:
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    if bucket_policy is None:
        s3.Bucket(stack, "Data", bucket_name=name)
    else:
        s3.Bucket(stack, "Data", bucket_name=name, removal_policy=bucket_policy)
    if destroy_all:
        RemovalPolicy.apply(stack, DESTROY)
    return synthesize(app).template("Main")


def test_destroy_applied_to_a_stack_writes_the_bucket_as_removal_policy_destroy_does():
    def bucket(template: dict) -> dict:
        return next(e for e in template["Resources"].values() if e["Type"] == "AWS::S3::Bucket")

    assert bucket(_bucket_app("orders-a", destroy_all=True)) == bucket(_bucket_app("orders-a", bucket_policy=DESTROY))


def test_diff_reports_a_replaced_bucket_under_destroy_as_data_at_risk():
    result = diff_templates(_bucket_app("orders-a", destroy_all=True), _bucket_app("orders-b", destroy_all=True))

    [finding] = [f for f in result.findings if f.kind == "data-at-risk"]
    assert "REPLACED" in finding.message and "UpdateReplacePolicy is Delete" in finding.message


def test_diff_reports_no_data_at_risk_for_the_same_replacement_under_the_default_retain():
    result = diff_templates(_bucket_app("orders-a"), _bucket_app("orders-b"))

    assert [f for f in result.findings if f.kind == "data-at-risk"] == []


def test_diff_shows_the_policy_change_when_destroy_is_applied():
    result = diff_templates(_bucket_app("orders-a"), _bucket_app("orders-a", destroy_all=True))

    [bucket] = [c for c in result.resources if c.resource_type == "AWS::S3::Bucket"]
    assert {d.target.attribute for d in bucket.details} == {"DeletionPolicy", "UpdateReplacePolicy"}
