"""logs: LogGroup output, its defaults (two years' retention, retained), retention checked against the
values CloudWatch Logs accepts, and the write grant."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, CfnResource, ConstructError, Duration, Stack
from iac.constructs import iam, kms, logs
from iac.specs import resource_schema
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def entry(app: App, group: logs.LogGroup) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"][group.resource.logical_id]


def test_a_log_group_keeps_events_two_years_and_is_retained(app, stack):
    group = logs.LogGroup(stack, "Logs")

    assert entry(app, group) == {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"RetentionInDays": 731},
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }


def test_name_and_retention_are_written(app, stack):
    group = logs.LogGroup(stack, "Logs", log_group_name="/aws/codebuild/app",
                          retention_days=logs.RetentionDays.ONE_WEEK)

    assert entry(app, group)["Properties"] == {"LogGroupName": "/aws/codebuild/app", "RetentionInDays": 7}


def test_infinite_retention_leaves_retention_out(app, stack):
    group = logs.LogGroup(stack, "Logs", retention_days=logs.RetentionDays.INFINITE)

    assert "RetentionInDays" not in entry(app, group).get("Properties", {})


def test_removal_policy_destroy_lets_cloudformation_delete_the_group(app, stack):
    group = logs.LogGroup(stack, "Logs", removal_policy="destroy")

    assert (entry(app, group)["DeletionPolicy"], entry(app, group)["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_name_and_arn_are_ref_and_getatt(stack, resolve):
    group = logs.LogGroup(stack, "Logs")

    assert resolve(group.log_group_name) == {"Ref": group.resource.logical_id}
    assert resolve(group.log_group_arn) == {"Fn::GetAtt": [group.resource.logical_id, "Arn"]}


def test_every_retention_days_name_is_a_value_the_registry_schema_accepts():
    accepted = resource_schema("AWS::Logs::LogGroup").document["properties"]["RetentionInDays"]["enum"]
    named = {value for name, value in vars(logs.RetentionDays).items() if name.isupper() and value is not None}

    assert named == set(accepted) == set(logs.valid_retention_days())


def test_grant_write_allows_creating_streams_and_putting_events(app, stack, role, resolve):
    group = logs.LogGroup(stack, "Logs")

    grant = group.grant_write(role)

    assert grant.role is role
    document = synthesize(app).template("Main")["Resources"][role.default_policy.logical_id]["Properties"]
    assert document["PolicyDocument"]["Statement"] == [{
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": {"Fn::GetAtt": [group.resource.logical_id, "Arn"]},
    }]


def test_granting_to_something_without_a_role_names_it(stack):
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")

    with pytest.raises(ConstructError, match="cannot grant access from Main/Logs to Main/Queue: it has no IAM role"):
        logs.LogGroup(stack, "Logs").grant_write(queue)


@pytest.mark.parametrize(("options", "message"), [
    ({"retention_days": 10},
     r"retention_days: 10 is not one of .*\(nearest: 7\) \(AWS::Logs::LogGroup RetentionInDays"),
    ({"retention_days": "7"}, r"retention_days must be int \| Duration \| None, got str '7'"),
    ({"retention_days": True}, r"retention_days must be int \| Duration \| None, got bool True"),
    ({"retention_days": Duration.hours(36)}, "36 hours is not a whole number of days"),
    ({"log_group_name": "my logs"}, "log_group_name: 'my logs' does not match"),
    ({"removal_policy": "snapshot"}, "AWS::Logs::LogGroup does not support the Snapshot policy"),
])
def test_bad_inputs_are_refused_at_construction(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        logs.LogGroup(stack, "Logs", **options)

    assert caught.value.path == "Main/Logs"


def test_log_groups_and_a_write_grant_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    logs.LogGroup(stack, "Logs").grant_write(role)
    logs.LogGroup(stack, "Named", log_group_name="/app/builds", retention_days=None, removal_policy="destroy")

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


ACCOUNT_ROOT_STATEMENT = {
    "Effect": "Allow", "Action": "kms:*", "Resource": "*",
    "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"},
                                            ":root"]]}},
}
LOGS_ARN_PREFIX = ["arn:", {"Ref": "AWS::Partition"}, ":logs:", {"Ref": "AWS::Region"}, ":",
                   {"Ref": "AWS::AccountId"}]


def logs_key_statement(group_name: str) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": {"Fn::Join": ["", ["logs.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}},
        "Action": ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": {
            "Fn::Join": ["", [*LOGS_ARN_PREFIX, f":log-group:{group_name}"]]}}},
    }


def test_an_encryption_key_is_written_and_lets_cloudwatch_logs_use_it_for_the_group(app, stack):
    key = kms.Key(stack, "Key")
    group = logs.LogGroup(stack, "Logs", log_group_name="/app/audit", encryption_key=key)

    written = synthesize(app).template("Main")["Resources"]
    assert written[group.resource.logical_id]["Properties"] == {
        "LogGroupName": "/app/audit", "RetentionInDays": 731,
        "KmsKeyId": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}}
    assert written[key.resource.logical_id]["Properties"]["KeyPolicy"]["Statement"] == [
        logs_key_statement("/app/audit"), ACCOUNT_ROOT_STATEMENT]


def test_a_generated_name_scopes_the_key_statement_to_the_accounts_log_groups(app, stack):
    key = kms.Key(stack, "Key")
    logs.LogGroup(stack, "Logs", encryption_key=key)

    statements = synthesize(app).template("Main")["Resources"][key.resource.logical_id]["Properties"]["KeyPolicy"]
    assert statements["Statement"] == [logs_key_statement("*"), ACCOUNT_ROOT_STATEMENT]


def test_an_encryption_key_must_be_a_kms_key(stack):
    with pytest.raises(ConstructError, match=r"encryption_key must be Key \| None, got str"):
        logs.LogGroup(stack, "Logs", encryption_key="arn:aws:kms:us-east-1:123456789012:key/abc")


def test_an_imported_key_is_refused_because_its_policy_cannot_be_given_the_logs_statement(stack):
    key = kms.Key.from_key_arn(stack, "Shared", "arn:aws:kms:us-east-1:123456789012:key/abc")

    with pytest.raises(ConstructError, match=r"encryption_key must be Key \| None, got ImportedKey"):
        logs.LogGroup(stack, "Logs", encryption_key=key)


def test_an_encrypted_log_group_passes_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    key = kms.Key(stack, "Key")
    logs.LogGroup(stack, "Logs", encryption_key=key)
    logs.LogGroup(stack, "Named", log_group_name="/app/audit", encryption_key=key)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
