"""The bootstrap stack: what a team needs to deploy without administrator credentials.

One per account and region (`iac-bootstrap`), measured against the CDK's modern bootstrap:

- the asset bucket the synthesizer names (`iac-assets-<account>-<region>`), made with iac's own S3
  construct: owner-enforced (BucketOwnerEnforced: no ACLs, every object belongs to the account), all
  public access blocked, TLS required, encrypted, versioned, kept when the stack is deleted. Objects
  are keyed by content hash; old versions expire after `noncurrent_days`, and their delete markers
  and unfinished uploads are cleaned up;
- a permissions boundary (a managed policy) that caps both roles below and every role a deployment
  makes: no role or user may be created or given permissions without this same boundary, no boundary
  taken off, the boundary itself never edited or deleted, the bootstrap roles' trust never changed, no
  long-lived user credentials or group membership handed out;
- the execution role CloudFormation acts as (`iac-cfn-exec-<account>-<region>`): the policies given
  (AdministratorAccess by default), within the boundary;
- the deploy role the CLI assumes (`iac-deploy-<account>-<region>`), which principals of this account
  may assume when their own policies allow it: CloudFormation on this account's stacks in this region
  (but not the bootstrap stack), PassRole of the execution role to CloudFormation only, and the asset
  bucket of this account.

Names are fixed so the CLI finds the deploy role before it can read anything (assume first, then look).
"""

from __future__ import annotations

from typing import Any

from iac.checks import finds, suppress
from iac.constructs import s3
from iac.constructs.core import App, CfnResource, Fn, Output, Stack
from iac.constructs.core.asset import ASSET_BUCKET_TEMPLATE
from iac.constructs.iam import BOOTSTRAP_BOUNDARY_ARN_TEMPLATE, BOOTSTRAP_BOUNDARY_NAME_TEMPLATE
from iac.synth import StackArtifact, synthesize
from iac.synth.synthesizer import validate_assembly

BOOTSTRAP_STACK_NAME = "iac-bootstrap"
#: 2: the permissions boundary, the execution role and the deploy role (1 had the bucket only).
BOOTSTRAP_VERSION = "2"
NONCURRENT_DAYS = 30
DEFAULT_EXECUTION_POLICIES = ("arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess",)

DEPLOY_ROLE_TEMPLATE = "iac-deploy-${AWS::AccountId}-${AWS::Region}"
EXECUTION_ROLE_TEMPLATE = "iac-cfn-exec-${AWS::AccountId}-${AWS::Region}"
#: The boundary's name and ARN; an app applies it with
#: `iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())`.
BOUNDARY_NAME_TEMPLATE = BOOTSTRAP_BOUNDARY_NAME_TEMPLATE
BOUNDARY_ARN_TEMPLATE = BOOTSTRAP_BOUNDARY_ARN_TEMPLATE
#: Logical ids the CLI reads back with DescribeStackResources (pinned: they are an interface).
DEPLOY_ROLE_ID, EXECUTION_ROLE_ID, BOUNDARY_ID = "DeployRole", "ExecutionRole", "PermissionsBoundary"

#: What creates an identity or gives it permissions: allowed only for identities carrying the boundary
#: (IAM's iam:PermissionsBoundary condition key is the boundary of the role or user being changed).
#: Detaching or deleting a policy only takes permissions away and stays possible on a role made before
#: the boundary existed (a stack deployed before bootstrap version 2 can still be cleaned up).
BOUNDED_IAM_ACTIONS = (
    "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:PutRolePolicy",
    "iam:CreateUser", "iam:PutUserPermissionsBoundary", "iam:AttachUserPolicy", "iam:PutUserPolicy",
)
#: Edits that would change what the boundary allows (a new default version) or remove it.
BOUNDARY_EDITS = ("iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion",
                  "iam:SetDefaultPolicyVersion")
BOUNDARY_REMOVALS = ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary")
#: Ways to reach permissions that no boundary condition can cover: credentials for an existing user,
#: a group's policies (they reach users without the boundary), membership of a group.
UNBOUNDED_GRANTS = ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
                    "iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:PutGroupPolicy")
#: The deploy role's CloudFormation actions, on this account's stacks in this region.
DEPLOY_CLOUDFORMATION_ACTIONS = (
    "cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
    "cloudformation:DeleteChangeSet", "cloudformation:ListChangeSets", "cloudformation:DescribeStacks",
    "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResources",
    "cloudformation:ListStackResources", "cloudformation:GetTemplate", "cloudformation:GetTemplateSummary",
    "cloudformation:DeleteStack", "cloudformation:UpdateTerminationProtection",
)
#: What the deploy role may not do to the bootstrap stack itself (changing it needs administrators).
BOOTSTRAP_STACK_CHANGES = (
    "cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet", "cloudformation:CreateStack",
    "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:SetStackPolicy",
    "cloudformation:UpdateTerminationProtection",
)
DEPLOY_S3_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:ListBucket",
                     "s3:GetBucketLocation")


def bootstrap_artifact(*, noncurrent_days: int = NONCURRENT_DAYS,
                       execution_policies: tuple[str, ...] = DEFAULT_EXECUTION_POLICIES) -> StackArtifact:
    """The bootstrap stack, synthesized (and so validated) like any other stack."""
    if noncurrent_days < 1:
        raise ValueError(f"noncurrent_days must be at least 1, got {noncurrent_days}")
    if not execution_policies:
        raise ValueError("the execution role needs at least one managed policy")
    app = App()
    stack = Stack(app, "IacBootstrap", stack_name=BOOTSTRAP_STACK_NAME,
                  description="iac bootstrap: the asset bucket, a permissions boundary, and the roles iac deploy uses")
    bucket = _asset_bucket(stack, noncurrent_days=noncurrent_days)
    boundary = _boundary(stack)
    execution = _execution_role(stack, boundary=boundary, policies=execution_policies)
    deploy = _deploy_role(stack, boundary=boundary, bucket=bucket, execution_role=execution)
    Output(stack, "BucketName", value=bucket.bucket_name, description="where iac deploy publishes assets")
    Output(stack, "DeployRoleArn", value=deploy.get_att("Arn"), description="the role iac deploy assumes")
    Output(stack, "ExecutionRoleArn", value=execution.get_att("Arn"),
           description="the role CloudFormation acts as for iac deploy")
    Output(stack, "PermissionsBoundaryArn", value=boundary.ref,
           description="the boundary every role a deployment makes must carry")
    Output(stack, "BootstrapVersion", value=BOOTSTRAP_VERSION, description="version of the bootstrap template")
    assembly = synthesize(app)
    # iac's own three layers, cfn-lint's warnings counted as errors: the bootstrap is the template
    # every deployment trusts, so it must be clean, not only deployable.
    validate_assembly(assembly, lint=True, strict=True, reuse_lint_cache=False)
    return assembly.stacks[0]


def _asset_bucket(stack: Stack, *, noncurrent_days: int) -> s3.Bucket:
    bucket = s3.Bucket(
        stack, "Assets",
        bucket_name=Fn.sub(ASSET_BUCKET_TEMPLATE),
        versioned=True,
        lifecycle_rules=[{
            "Id": "ExpireOldVersions",
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent_days},
            "ExpiredObjectDeleteMarker": True,
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }],
    )
    # No ACLs: every object belongs to the bucket's account, whoever wrote it.
    bucket.resource.add_override("Properties.OwnershipControls",
                                 {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    suppress(bucket, "IAC-S3-005", reason="holds only what iac deploy uploads through the bootstrapped roles, "
             "whose calls CloudTrail records; a log bucket per account and region would log only those uploads")
    return bucket


def _statement(sid: str, effect: str, actions: tuple[str, ...] | str, resources: Any,
               condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": sid, "Effect": effect, "Action": list(actions) if isinstance(actions, tuple)
                                 else actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _boundary(stack: Stack) -> CfnResource:
    """The managed policy every bootstrapped role and every role they make must carry as its boundary."""
    boundary_arn = Fn.sub(BOUNDARY_ARN_TEMPLATE)
    bootstrap_roles = [Fn.sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{name}")
                       for name in (DEPLOY_ROLE_TEMPLATE, EXECUTION_ROLE_TEMPLATE)]
    policy = CfnResource(stack, BOUNDARY_ID, type="AWS::IAM::ManagedPolicy", properties={
        "ManagedPolicyName": Fn.sub(BOUNDARY_NAME_TEMPLATE),
        "Description": "iac bootstrap: no role or user without this boundary, and this boundary never edited",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            # A boundary grants nothing itself; identity policies do. It caps them at everything but below.
            _statement("AllowWithinTheDenials", "Allow", "*", "*"),
            _statement("DenyIdentitiesWithoutThisBoundary", "Deny", BOUNDED_IAM_ACTIONS, "*",
                       {"StringNotEquals": {"iam:PermissionsBoundary": boundary_arn}}),
            _statement("DenyEditingThisBoundary", "Deny", BOUNDARY_EDITS, boundary_arn),
            _statement("DenyRemovingBoundaries", "Deny", BOUNDARY_REMOVALS, "*"),
            _statement("DenyUnboundedGrants", "Deny", UNBOUNDED_GRANTS, "*"),
            _statement("DenyChangingWhoMayAssumeTheBootstrapRoles", "Deny", ("iam:UpdateAssumeRolePolicy",),
                       bootstrap_roles),
        ]},
    })
    policy.override_logical_id(BOUNDARY_ID)
    return policy


def _execution_role(stack: Stack, *, boundary: CfnResource, policies: tuple[str, ...]) -> CfnResource:
    role = CfnResource(stack, EXECUTION_ROLE_ID, type="AWS::IAM::Role", properties={
        "RoleName": Fn.sub(EXECUTION_ROLE_TEMPLATE),
        "Description": "iac bootstrap: the role CloudFormation acts as for iac deploy",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [Fn.sub(arn) if "${" in arn else arn for arn in policies],
        "PermissionsBoundary": boundary.ref,
    })
    role.override_logical_id(EXECUTION_ROLE_ID)
    written = {"Type": "AWS::IAM::Role", "Properties": {
        "ManagedPolicyArns": [{"Fn::Sub": arn} if "${" in arn else arn for arn in policies]}}
    if finds("IAC-IAM-004", written):
        suppress(role, "IAC-IAM-004", reason="the role CloudFormation deploys iac stacks with, within the "
                 "bootstrap's permissions boundary; iac bootstrap --execution-policy narrows it")
    return role


def _deploy_role(stack: Stack, *, boundary: CfnResource, bucket: s3.Bucket, execution_role: CfnResource) -> CfnResource:
    stacks = Fn.sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*")
    change_sets = Fn.sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:changeSet/*")
    bootstrap_stack = Fn.sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/"
                             f"{BOOTSTRAP_STACK_NAME}/*")
    own_account = {"StringEquals": {"aws:ResourceAccount": Fn.sub("${AWS::AccountId}")}}
    role = CfnResource(stack, DEPLOY_ROLE_ID, type="AWS::IAM::Role", properties={
        "RoleName": Fn.sub(DEPLOY_ROLE_TEMPLATE),
        "Description": "iac bootstrap: the role iac deploy assumes",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            # The account, not anyone in it: a principal of this account also needs sts:AssumeRole on this
            # role in its own policies.
            "Effect": "Allow", "Principal": {"AWS": Fn.sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
            "Action": "sts:AssumeRole"}]},
        "PermissionsBoundary": boundary.ref,
        "Policies": [{"PolicyName": "deploy", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            _statement("CloudFormationOnThisAccountsStacks", "Allow", DEPLOY_CLOUDFORMATION_ACTIONS,
                       [stacks, change_sets]),
            _statement("NotTheBootstrapStack", "Deny", BOOTSTRAP_STACK_CHANGES, bootstrap_stack),
            _statement("PassOnlyTheExecutionRoleToCloudFormation", "Allow", ("iam:PassRole",),
                       execution_role.get_att("Arn"),
                       {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}),
            _statement("TheAssetBucketOfThisAccount", "Allow", DEPLOY_S3_ACTIONS,
                       [bucket.bucket_arn, bucket.arn_for_objects()], own_account),
        ]}}],
    })
    role.override_logical_id(DEPLOY_ROLE_ID)
    return role
