"""Real-world templates (tests/diff_templates): no change against themselves, none after a
YAML -> JSON -> YAML round trip, and the usual edits classified right."""

from __future__ import annotations

import pytest
from diff_helpers import REAL_TEMPLATES, assert_no_changes, change_of, diff, edited, findings_of, props

from iac.synth.loader import load, loads
from iac.synth.serialize import to_json, to_yaml


@pytest.fixture(autouse=True, scope="module")
def compare_every_resource():
    """Bypass the byte-identical shortcut (identical_resources), so these tests exercise
    normalization itself: a round trip keeps types, so every resource would take the shortcut."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("iac.synth.diff.stack.identical_resources", lambda old, new: frozenset())
        yield

FILES = sorted(p for p in REAL_TEMPLATES.iterdir() if p.suffix in (".json", ".yaml", ".yml"))


def test_the_folder_holds_json_and_yaml_templates() -> None:
    assert 6 <= len(FILES) <= 10
    assert {p.suffix for p in FILES} == {".json", ".yaml"}
    assert all(len(load(p)["Resources"]) >= 4 for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_template_has_no_changes_against_itself(path) -> None:
    tpl = load(path)
    assert_no_changes(diff(tpl, tpl))
    assert_no_changes(diff(tpl, load(path)))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_template_has_no_changes_after_yaml_json_yaml_round_trip(path) -> None:
    tpl = load(path)
    round_tripped = loads(to_json(loads(to_yaml(tpl))))
    assert_no_changes(diff(tpl, round_tripped))
    assert_no_changes(diff(round_tripped, tpl))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_round_trip_keeps_a_real_change_visible(path) -> None:
    tpl = load(path)
    first = next(iter(tpl["Resources"]))
    changed = edited(tpl, lambda t: t["Resources"][first].setdefault("Metadata", {}).update(note="edited"))
    result = diff(tpl, loads(to_json(loads(to_yaml(changed)))))
    assert [(c.logical_id, c.scope) for c in result.resources] == [(first, ["Metadata"])]


def test_lambda_api_table_memory_change_is_a_plain_modify() -> None:
    old = load(REAL_TEMPLATES / "lambda-api-dynamodb.yaml")
    new = edited(old, lambda t: props(t, "OrdersFunction").update(MemorySize=1024))
    result = diff(old, new)
    assert [(c.logical_id, c.replacement) for c in result.resources] == [("OrdersFunction", "False")]


def test_lambda_api_retained_table_replacement_is_not_data_at_risk_but_its_followers_are_listed() -> None:
    old = load(REAL_TEMPLATES / "lambda-api-dynamodb.yaml")
    new = edited(old, lambda t: props(t, "OrdersTable").update(TableName={"Fn::Sub": "${AWS::StackName}-orders-v2"}))
    result = diff(old, new)
    table_change = change_of(result, "OrdersTable")
    assert (table_change.replacement, table_change.policy_action) == ("True", "ReplaceAndRetain")
    assert not table_change.data_at_risk
    # the function's environment, the role's policy (!GetAtt and !Sub ${OrdersTable.Arn}) follow it
    function_change = change_of(result, "OrdersFunction")
    assert function_change.replacement == "False"
    assert {d.causing_entity for d in function_change.details} == {"OrdersTable"}
    role_change = change_of(result, "FunctionRole")
    assert {d.causing_entity for d in role_change.details} == {"OrdersTable.Arn"}
    assert role_change.replacement == "False"


def test_lambda_api_function_name_follows_into_the_log_group_name() -> None:
    old = load(REAL_TEMPLATES / "lambda-api-dynamodb.yaml")
    new = edited(old, lambda t: props(t, "OrdersFunction").update(FunctionName="orders-handler"))
    result = diff(old, new)
    assert change_of(result, "OrdersFunction").replacement == "True"
    # /aws/lambda/${OrdersFunction} is the log group's create-only name (computed: Conditional)
    assert change_of(result, "OrdersLogGroup").replacement == "Conditional"
    # the permission's FunctionName (create-only) uses !GetAtt OrdersFunction.Arn
    assert change_of(result, "InvokePermission").replacement == "Conditional"
    assert change_of(result, "OrdersPost").replacement == "False"


def test_ecs_service_opening_ssh_to_the_world_widens_access() -> None:
    old = load(REAL_TEMPLATES / "ecs-fargate-alb.json")
    new = edited(old, lambda t: props(t, "ServiceSecurityGroup").update(SecurityGroupIngress=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"}]))
    result = diff(old, new)
    assert [(r.group, r.ports, r.peer, r.widens) for r in result.rules] == [
        ("ServiceSecurityGroup", "22", "0.0.0.0/0", True)]


def test_ecs_reordered_load_balancer_attributes_are_not_changes() -> None:
    old = load(REAL_TEMPLATES / "ecs-fargate-alb.json")
    new = edited(old, lambda t: props(t, "LoadBalancer")["LoadBalancerAttributes"].reverse())
    assert_no_changes(diff(old, new))


def test_ecs_reordered_security_group_rules_are_not_changes() -> None:
    old = load(REAL_TEMPLATES / "ecs-fargate-alb.json")
    new = edited(old, lambda t: props(t, "LoadBalancerSecurityGroup")["SecurityGroupIngress"].reverse())
    assert_no_changes(diff(old, new))


def test_ecs_reordered_container_environment_is_not_a_replacement() -> None:
    # ContainerDefinitions is create-only: a spurious difference here would claim a replacement
    old = load(REAL_TEMPLATES / "ecs-fargate-alb.json")
    new = edited(old, lambda t: props(t, "TaskDefinition")["ContainerDefinitions"][0]["Environment"].reverse())
    assert_no_changes(diff(old, new))


def test_iam_deny_removed_from_the_deploy_policy_widens_access() -> None:
    old = load(REAL_TEMPLATES / "iam-roles.json")
    new = edited(old, lambda t: props(t, "DeployPolicy")["PolicyDocument"]["Statement"].pop())
    result = diff(old, new)
    [change] = result.statements
    assert (change.action, change.effect, change.logical_id, change.widens) == ("Remove", "Deny", "DeployPolicy", True)
    assert change.actions == ("iam:CreateAccessKey", "iam:CreateUser")


def test_site_bucket_policy_opened_to_everyone_widens_access() -> None:
    old = load(REAL_TEMPLATES / "s3-cloudfront-site.yaml")

    def open_up(t: dict) -> None:
        statement = props(t, "SiteBucketPolicy")["PolicyDocument"]["Statement"][0]
        statement["Principal"] = "*"
        del statement["Condition"]

    result = diff(old, edited(old, open_up))
    added = [s for s in result.statements if s.action == "Add"]
    assert [(s.logical_id, s.principal, s.condition, s.widens) for s in added] == [
        ("SiteBucketPolicy", "*", "", True)]


def test_rds_instance_class_is_modified_but_storage_encryption_replaces_with_snapshot() -> None:
    old = load(REAL_TEMPLATES / "rds-postgres.yaml")
    resized = diff(old, edited(old, lambda t: props(t, "Database").update(MaxAllocatedStorage=2000)))
    assert change_of(resized, "Database").replacement == "False"
    unencrypted = diff(old, edited(old, lambda t: props(t, "Database").update(StorageEncrypted=False)))
    database = change_of(unencrypted, "Database")
    assert (database.replacement, database.policy_action) == ("True", "ReplaceAndSnapshot")
    assert not database.data_at_risk
    # the secret attachment, alarm and replica follow the database's physical id
    attachment = change_of(unencrypted, "SecretAttachment")
    assert attachment.replacement == "False"
    assert [(d.target.name, d.evaluation, d.causing_entity) for d in attachment.details] == [
        ("TargetId", "Dynamic", "Database")]
    assert change_of(unencrypted, "DevCpuAlarm").replacement == "False"
    assert change_of(unencrypted, "ReadReplica").replacement == "Conditional"  # conditionally create-only


def test_messaging_renamed_queue_is_a_likely_rename_with_data_at_risk() -> None:
    old = load(REAL_TEMPLATES / "sns-sqs-fanout.yaml")

    def rename(t: dict) -> None:
        t["Resources"]["BillingDLQ"] = t["Resources"].pop("BillingDeadLetters")

    result = diff(old, edited(old, rename))
    [finding] = findings_of(result, "rename")
    assert 'override_logical_id("BillingDeadLetters")' in finding.fix
    assert [f.logical_id for f in findings_of(result, "data-at-risk")] == ["BillingDeadLetters"]


def test_sam_template_transform_removed_is_reported() -> None:
    old = load(REAL_TEMPLATES / "sam-serverless.yaml")
    new = {k: v for k, v in old.items() if k != "Transform"}
    assert [(v.section, v.action) for v in diff(old, new).values] == [("Transform", "Remove")]
