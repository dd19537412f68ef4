"""The bootstrap stack: the bucket the synthesizer names (owner-enforced, private, encrypted, versioned,
with a lifecycle for old versions, kept when the stack goes), the permissions boundary, the execution
role and the deploy role; clean for cfn-lint (warnings included) through iac's own validation."""

from __future__ import annotations

from typing import Any

import pytest

from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.deploy.assets import asset_bucket
from iac.deploy.bootstrap import (
    BOOTSTRAP_STACK_NAME,
    BOUNDARY_ARN_TEMPLATE,
    BOUNDARY_ID,
    BOUNDARY_NAME_TEMPLATE,
    DEPLOY_ROLE_ID,
    DEPLOY_ROLE_TEMPLATE,
    EXECUTION_ROLE_ID,
    EXECUTION_ROLE_TEMPLATE,
    bootstrap_artifact,
)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return bootstrap_artifact().template


def _bucket(template: dict[str, Any]) -> dict[str, Any]:
    [bucket] = [r for r in template["Resources"].values() if r["Type"] == "AWS::S3::Bucket"]
    return bucket


def test_the_bucket_is_named_as_synthesized_templates_name_it(template: dict[str, Any]) -> None:
    assert _bucket(template)["Properties"]["BucketName"] == {"Fn::Sub": ASSET_BUCKET_TEMPLATE}
    assert asset_bucket("123456789012", "eu-west-1") == "iac-assets-123456789012-eu-west-1"
    assert bootstrap_artifact().stack_name == BOOTSTRAP_STACK_NAME == "iac-bootstrap"


def test_the_bucket_is_private_encrypted_versioned_and_kept(template: dict[str, Any]) -> None:
    bucket = _bucket(template)
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")
    [policy] = [r for r in template["Resources"].values() if r["Type"] == "AWS::S3::BucketPolicy"]
    [deny] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_old_versions_expire_and_unfinished_uploads_are_cleaned_up() -> None:
    [rule] = _bucket(bootstrap_artifact(noncurrent_days=7).template)["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 7}
    assert rule["ExpiredObjectDeleteMarker"] is True
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert "ExpirationInDays" not in rule  # current assets are never expired: deployed stacks use them


def test_the_bootstrap_template_is_clean_for_cfn_lint(cfn_lint: Any) -> None:
    assert cfn_lint(bootstrap_artifact().body) == []


def test_the_bootstrap_stack_names_its_roles_so_it_needs_named_iam(template: dict[str, Any]) -> None:
    from iac.deploy.change_sets import capabilities

    assert capabilities(template) == ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]


def _resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def _statements(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {statement["Sid"]: statement for statement in document["Statement"]}


def test_the_bucket_enforces_the_owner_so_no_acl_can_hand_an_object_to_another_account(
        template: dict[str, Any]) -> None:
    assert _bucket(template)["Properties"]["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_both_roles_carry_the_boundary_the_stack_makes(template: dict[str, Any]) -> None:
    for role in (DEPLOY_ROLE_ID, EXECUTION_ROLE_ID):
        assert _resource(template, role)["PermissionsBoundary"] == {"Ref": BOUNDARY_ID}
    assert _resource(template, BOUNDARY_ID)["ManagedPolicyName"] == {"Fn::Sub": BOUNDARY_NAME_TEMPLATE}


def test_the_boundary_forbids_identities_without_it_and_editing_it(template: dict[str, Any]) -> None:
    statements = _statements(_resource(template, BOUNDARY_ID)["PolicyDocument"])
    boundary_arn = {"Fn::Sub": BOUNDARY_ARN_TEMPLATE}
    without = statements["DenyIdentitiesWithoutThisBoundary"]
    assert without["Effect"] == "Deny" and without["Resource"] == "*"
    assert {"iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:PutRolePolicy",
            "iam:CreateUser", "iam:AttachUserPolicy", "iam:PutUserPolicy"} <= set(without["Action"])
    assert without["Condition"] == {"StringNotEquals": {"iam:PermissionsBoundary": boundary_arn}}
    editing = statements["DenyEditingThisBoundary"]
    assert editing["Effect"] == "Deny" and editing["Resource"] == boundary_arn
    assert {"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"} <= set(editing["Action"])
    removing = statements["DenyRemovingBoundaries"]
    assert set(removing["Action"]) == {"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"}
    assert {"iam:CreateAccessKey", "iam:AddUserToGroup"} <= set(statements["DenyUnboundedGrants"]["Action"])
    assert statements["DenyChangingWhoMayAssumeTheBootstrapRoles"]["Action"] == ["iam:UpdateAssumeRolePolicy"]


def test_cloudformation_alone_acts_as_the_execution_role() -> None:
    template = bootstrap_artifact(execution_policies=("arn:aws:iam::123456789012:policy/deploy-only",)).template
    execution = _resource(template, EXECUTION_ROLE_ID)
    [trust] = execution["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "cloudformation.amazonaws.com"}
    assert execution["ManagedPolicyArns"] == ["arn:aws:iam::123456789012:policy/deploy-only"]
    assert execution["RoleName"] == {"Fn::Sub": EXECUTION_ROLE_TEMPLATE}


def test_the_deploy_role_is_for_this_accounts_principals_and_does_only_deploying(template: dict[str, Any]) -> None:
    deploy = _resource(template, DEPLOY_ROLE_ID)
    [trust] = deploy["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    assert deploy["RoleName"] == {"Fn::Sub": DEPLOY_ROLE_TEMPLATE}
    [policy] = deploy["Policies"]
    statements = _statements(policy["PolicyDocument"])
    assert set(statements) == {"CloudFormationOnThisAccountsStacks", "NotTheBootstrapStack",
                               "PassOnlyTheExecutionRoleToCloudFormation", "TheAssetBucketOfThisAccount"}
    cloudformation = statements["CloudFormationOnThisAccountsStacks"]
    assert all(action.startswith("cloudformation:") for action in cloudformation["Action"])
    assert all("${AWS::Region}:${AWS::AccountId}:" in arn["Fn::Sub"] for arn in cloudformation["Resource"])
    not_bootstrap = statements["NotTheBootstrapStack"]
    assert not_bootstrap["Effect"] == "Deny" and "cloudformation:ExecuteChangeSet" in not_bootstrap["Action"]
    assert not_bootstrap["Resource"]["Fn::Sub"].endswith(f":stack/{BOOTSTRAP_STACK_NAME}/*")
    passing = statements["PassOnlyTheExecutionRoleToCloudFormation"]
    assert passing["Action"] == ["iam:PassRole"]
    assert passing["Resource"] == {"Fn::GetAtt": [EXECUTION_ROLE_ID, "Arn"]}
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}
    bucket = statements["TheAssetBucketOfThisAccount"]
    assert all(action.startswith("s3:") for action in bucket["Action"]) and "s3:DeleteObject" not in bucket["Action"]
    assert bucket["Condition"] == {"StringEquals": {"aws:ResourceAccount": {"Fn::Sub": "${AWS::AccountId}"}}}
    every_action = [a for s in statements.values() if s["Effect"] == "Allow" for a in s["Action"]]
    assert "*" not in every_action and not any(a.startswith("iam:") and a != "iam:PassRole" for a in every_action)


def test_iacs_own_validation_passes_the_bootstrap_template_with_warnings_as_errors(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from iac.deploy import bootstrap as module

    seen: list[dict[str, Any]] = []
    real = module.validate_assembly
    monkeypatch.setattr(module, "validate_assembly", lambda assembly, **options: (seen.append(options),
                                                                                   real(assembly, **options)))
    artifact = bootstrap_artifact()
    assert seen == [{"lint": True, "strict": True, "reuse_lint_cache": False}]
    assert artifact.stack_name == BOOTSTRAP_STACK_NAME
