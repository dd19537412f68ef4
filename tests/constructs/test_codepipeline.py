"""codepipeline: the pipeline, its artifact bucket and roles, each kind of source and action, the
triggers (source change, schedule), change sets (template path, capabilities, the derived deployment
role), ECS deploys, approval, and the inputs refused at the user's line."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import awslambda, codebuild, codepipeline, dynamodb, ec2, ecs, iam, s3
from iac.constructs.deployment_permissions import action_resource_types, owned_types
from iac.constructs.patterns import LoadBalancedFargateService
from iac.specs import property_enum, property_pattern, stack_name_rule
from iac.synth import synthesize
from iac.synth.lint import lint_template

CONNECTION = "arn:aws:codestar-connections:us-east-1:123456789012:connection/0f5b2c1e-1111-2222-3333-444455556666"
INLINE = awslambda.Code.from_inline("exports.handler = async () => 1;")
BUILD_SPEC = {"phases": {"build": {"commands": ["make"]}}, "artifacts": {"files": ["**/*"]}}


def _next_line() -> int:
    """The line after the caller's: where the statement that should fail is."""
    return sys._getframe(1).f_lineno + 1


class Setup:
    """An app with a target stack (a function reading a table) and a Delivery stack with a project."""

    def __init__(self) -> None:
        self.app = App(path_metadata=False)
        self.target = Stack(self.app, "Target")
        table = dynamodb.SimpleTable(self.target, "Table")
        table.grant_read(awslambda.Function(self.target, "Fn", handler="index.handler",
                                            runtime=awslambda.DEFAULT_NODEJS_RUNTIME, code=INLINE))
        self.stack = Stack(self.app, "Delivery")
        self.project = codebuild.PipelineProject(self.stack, "Build", build_spec=BUILD_SPEC)
        self.source = codepipeline.Artifact("Source")
        self.built = codepipeline.Artifact("Built")

    def pipeline(self, **props: Any) -> codepipeline.Pipeline:
        pipeline = codepipeline.Pipeline(self.stack, "Pipeline", **props)
        pipeline.add_stage("Source", [codepipeline.CodeCommitSource(repository="app", output=self.source)])
        pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=self.project, input=self.source,
                                                                  outputs=[self.built])])
        return pipeline

    def resources(self) -> dict[str, Any]:
        return synthesize(self.app).template("Delivery")["Resources"]


@pytest.fixture
def setup() -> Setup:
    return Setup()


def _declaration(resources: dict[str, Any], pipeline: codepipeline.Pipeline) -> dict[str, Any]:
    return resources[pipeline.resource.logical_id]["Properties"]


def _action(resources: dict[str, Any], pipeline: codepipeline.Pipeline, stage: str, action: str) -> dict[str, Any]:
    declaration = next(s for s in _declaration(resources, pipeline)["Stages"] if s["Name"] == stage)
    return next(a for a in declaration["Actions"] if a["Name"] == action)


def _role(pipeline: codepipeline.Pipeline, stage: str, action: str) -> iam.Role:
    return pipeline.find_child(stage).find_child(action).find_child("Role")


def _statements(resources: dict[str, Any], role: iam.Role) -> list[dict[str, Any]]:
    return resources[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    return {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}


def _arn_of(role: iam.Role) -> dict[str, Any]:
    return {"Fn::GetAtt": [role.resource.logical_id, "Arn"]}


# -- the pipeline -----------------------------------------------------------------------------------------

def test_stages_are_rendered_in_the_order_they_were_added(setup):
    pipeline = setup.pipeline()
    pipeline.add_stage("Approve", [codepipeline.ManualApproval()])

    declaration = _declaration(setup.resources(), pipeline)
    assert [s["Name"] for s in declaration["Stages"]] == ["Source", "Build", "Approve"]
    assert declaration["PipelineType"] == "V2"


def test_the_artifact_bucket_is_encrypted_private_and_tls_only(setup):
    pipeline = setup.pipeline()
    resources = setup.resources()

    bucket = resources[pipeline.artifact_bucket.resource.logical_id]
    assert bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert set(bucket["Properties"]["PublicAccessBlockConfiguration"].values()) == {True}
    policy = resources[pipeline.artifact_bucket.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert policy[0]["Effect"] == "Deny" and policy[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert _declaration(resources, pipeline)["ArtifactStore"] == {
        "Type": "S3", "Location": {"Ref": pipeline.artifact_bucket.resource.logical_id}}


def test_each_action_has_a_role_only_the_pipeline_role_may_assume(setup):
    pipeline = setup.pipeline()
    resources = setup.resources()

    for stage, action in (("Source", "Source"), ("Build", "Build")):
        role = _role(pipeline, stage, action)
        trust = resources[role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust == [{"Effect": "Allow", "Principal": {"AWS": _arn_of(pipeline.role)}, "Action": "sts:AssumeRole"}]
        assert _action(resources, pipeline, stage, action)["RoleArn"] == _arn_of(role)
    assume = next(s for s in _statements(resources, pipeline.role) if s["Action"] == "sts:AssumeRole")
    assert assume["Resource"] == [_arn_of(_role(pipeline, "Build", "Build")),
                                  _arn_of(_role(pipeline, "Source", "Source"))]


def test_the_pipeline_waits_for_every_role_policy(setup):
    pipeline = setup.pipeline()
    resources = setup.resources()

    depends = resources[pipeline.resource.logical_id]["DependsOn"]
    for role in (pipeline.role, _role(pipeline, "Source", "Source"), _role(pipeline, "Build", "Build")):
        assert role.default_policy.logical_id in depends


# -- sources ------------------------------------------------------------------------------------------------

def test_a_codecommit_source_reads_its_repository_only_and_starts_on_a_push(setup):
    pipeline = setup.pipeline()
    resources = setup.resources()

    action = _action(resources, pipeline, "Source", "Source")
    assert action["ActionTypeId"] == {"Category": "Source", "Owner": "AWS", "Provider": "CodeCommit", "Version": "1"}
    assert action["Configuration"] == {"RepositoryName": "app", "BranchName": "main", "PollForSourceChanges": False}
    assert action["OutputArtifacts"] == [{"Name": "Source"}]
    repository = {"Fn::Sub": "arn:${AWS::Partition}:codecommit:${AWS::Region}:${AWS::AccountId}:app"}
    statements = _statements(resources, _role(pipeline, "Source", "Source"))
    codecommit = next(s for s in statements if "codecommit:GitPull" not in s["Action"] and
                      s["Action"][0].startswith("codecommit:"))
    assert codecommit["Resource"] == repository
    rule = resources[pipeline.find_child("Source").find_child("Source").find_child("OnChange").resource.logical_id]
    assert rule["Properties"]["EventPattern"]["resources"] == [repository]
    assert rule["Properties"]["EventPattern"]["detail"]["referenceName"] == ["main"]
    assert rule["Properties"]["Targets"][0]["RoleArn"] == _arn_of(pipeline.events_role)


def test_a_github_source_uses_exactly_its_connection_and_its_webhook(setup):
    pipeline = codepipeline.Pipeline(setup.stack, "Pipeline")
    pipeline.add_stage("Source", [codepipeline.GitHubSource(repository="octo/app", connection_arn=CONNECTION,
                                                            branch="release", output=setup.source)])
    pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=setup.project, input=setup.source)])
    resources = setup.resources()

    action = _action(resources, pipeline, "Source", "Source")
    assert action["ActionTypeId"]["Provider"] == "CodeStarSourceConnection"
    assert action["Configuration"] == {"ConnectionArn": CONNECTION, "FullRepositoryId": "octo/app",
                                       "BranchName": "release", "OutputArtifactFormat": "CODE_ZIP",
                                       "DetectChanges": True}
    statements = _statements(resources, _role(pipeline, "Source", "Source"))
    assert {"Effect": "Allow", "Action": "codestar-connections:UseConnection", "Resource": CONNECTION} in statements
    assert pipeline.events_role is None  # the connection starts the pipeline, not a rule


def test_an_s3_source_reads_its_key_and_starts_on_a_new_object(setup):
    uploads = s3.Bucket(setup.stack, "Uploads", versioned=True, event_bridge_enabled=True)
    pipeline = codepipeline.Pipeline(setup.stack, "Pipeline")
    pipeline.add_stage("Source", [codepipeline.S3Source(bucket=uploads, key="app.zip", output=setup.source)])
    pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=setup.project, input=setup.source)])
    resources = setup.resources()

    assert _action(resources, pipeline, "Source", "Source")["Configuration"] == {
        "S3Bucket": {"Ref": uploads.resource.logical_id}, "S3ObjectKey": "app.zip", "PollForSourceChanges": False}
    statements = _statements(resources, _role(pipeline, "Source", "Source"))
    read = next(s for s in statements if "s3:GetObject*" in s["Action"] and "s3:PutObject" not in s["Action"])
    assert {"Fn::Join": ["", [{"Fn::GetAtt": [uploads.resource.logical_id, "Arn"]}, "/app.zip"]]} in read["Resource"]
    rule = pipeline.find_child("Source").find_child("Source").find_child("OnChange")
    assert resources[rule.resource.logical_id]["Properties"]["EventPattern"]["detail"] == {
        "bucket": {"name": [{"Ref": uploads.resource.logical_id}]}, "object": {"key": ["app.zip"]}}


def test_an_ecr_source_describes_its_repository_and_starts_on_a_push_of_the_tag(setup):
    pipeline = codepipeline.Pipeline(setup.stack, "Pipeline")
    pipeline.add_stage("Source", [codepipeline.EcrSource(repository="web", tag="release", output=setup.source)])
    pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=setup.project, input=setup.source)])
    resources = setup.resources()

    assert _action(resources, pipeline, "Source", "Source")["Configuration"] == {"RepositoryName": "web",
                                                                                 "ImageTag": "release"}
    statements = _statements(resources, _role(pipeline, "Source", "Source"))
    assert {"Effect": "Allow", "Action": "ecr:DescribeImages", "Resource": {
        "Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/web"}} in statements
    rule = pipeline.find_child("Source").find_child("Source").find_child("OnChange")
    assert resources[rule.resource.logical_id]["Properties"]["EventPattern"]["detail"]["image-tag"] == ["release"]


def test_a_source_without_trigger_makes_no_rule(setup):
    pipeline = codepipeline.Pipeline(setup.stack, "Pipeline")
    pipeline.add_stage("Source", [codepipeline.CodeCommitSource(repository="app", trigger_on_change=False,
                                                                output=setup.source)])
    pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=setup.project, input=setup.source)])

    assert pipeline.find_child("Source").find_child("Source").find_child("OnChange") is None
    assert pipeline.events_role is None


# -- schedule -------------------------------------------------------------------------------------------------

def test_a_schedule_starts_the_pipeline_through_a_role_allowed_to_start_this_pipeline_only(setup):
    pipeline = setup.pipeline(schedule="cron(0 3 * * ? *)")
    resources = setup.resources()

    [rule] = pipeline.schedules
    properties = resources[rule.resource.logical_id]["Properties"]
    pipeline_arn = {"Fn::Sub": "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:"
                               f"${{{pipeline.resource.logical_id}}}"}
    assert properties["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert properties["Targets"] == [{"Arn": pipeline_arn, "Id": "Target0", "RoleArn": _arn_of(pipeline.events_role)}]
    assert _statements(resources, pipeline.events_role) == [
        {"Effect": "Allow", "Action": "codepipeline:StartPipelineExecution", "Resource": pipeline_arn}]
    trust = resources[pipeline.events_role.resource.logical_id]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "events.amazonaws.com"}


def test_add_schedule_makes_another_rule_with_the_same_role(setup):
    pipeline = setup.pipeline()
    nightly = pipeline.add_schedule("Nightly", "cron(0 3 * * ? *)")
    weekly = pipeline.add_schedule("Weekly", "cron(0 6 ? * MON *)")
    resources = setup.resources()

    roles = {json.dumps(resources[r.resource.logical_id]["Properties"]["Targets"][0]["RoleArn"])
             for r in (nightly, weekly)}
    assert roles == {json.dumps(_arn_of(pipeline.events_role))}


def test_a_schedule_that_is_no_expression_is_refused(setup):
    with pytest.raises(ConstructError, match="is not an EventBridge expression"):
        setup.pipeline(schedule="nightly")


# -- builds ---------------------------------------------------------------------------------------------------

def test_a_build_action_may_start_its_project_only(setup):
    pipeline = setup.pipeline()
    resources = setup.resources()

    action = _action(resources, pipeline, "Build", "Build")
    assert action["Configuration"] == {"ProjectName": {"Ref": setup.project.resource.logical_id}}
    assert (action["InputArtifacts"], action["OutputArtifacts"]) == ([{"Name": "Source"}], [{"Name": "Built"}])
    assert _statements(resources, _role(pipeline, "Build", "Build")) == [{
        "Effect": "Allow", "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"],
        "Resource": {"Fn::GetAtt": [setup.project.resource.logical_id, "Arn"]}}]


def test_the_project_writes_the_bucket_only_when_the_action_has_outputs(setup):
    tests = codebuild.PipelineProject(setup.stack, "Tests", build_spec={"phases": {"build": {"commands": ["t"]}}})
    pipeline = setup.pipeline()
    pipeline.add_stage("Test", [codepipeline.CodeBuildAction(name="Unit", project=tests, input=setup.source,
                                                             test=True)])
    resources = setup.resources()

    assert "s3:PutObject" in _actions(_statements(resources, setup.project.role))
    test_actions = _actions(_statements(resources, tests.role))
    assert "s3:GetObject*" in test_actions and "s3:PutObject" not in test_actions
    assert _action(resources, pipeline, "Test", "Unit")["ActionTypeId"]["Category"] == "Test"


def test_extra_inputs_name_the_primary_source_and_variables_are_json(setup):
    pipeline = setup.pipeline()
    pipeline.add_stage("Package", [codepipeline.CodeBuildAction(
        name="Package", project=setup.project, input=setup.built, extra_inputs=[setup.source],
        environment_variables={"STAGE": "prod"}, outputs=[codepipeline.Artifact("Package")])])
    configuration = _action(setup.resources(), pipeline, "Package", "Package")["Configuration"]

    assert configuration["PrimarySource"] == "Built"
    assert json.loads(configuration["EnvironmentVariables"]) == [{"name": "STAGE", "value": "prod",
                                                                  "type": "PLAINTEXT"}]


# -- change sets ----------------------------------------------------------------------------------------------

def _deploy(setup: Setup, **props: Any) -> codepipeline.Pipeline:
    pipeline = setup.pipeline()
    pipeline.add_stage("Deploy", [
        codepipeline.CreateReplaceChangeSet(stack=setup.target, template_path=setup.built.at_path(
            "Target.template.json"), **props),
        codepipeline.ExecuteChangeSet(stack=setup.target)])
    return pipeline


def test_a_change_set_is_prepared_from_the_template_path_then_executed(setup):
    pipeline = _deploy(setup, parameter_overrides={"Stage": "prod"})
    resources = setup.resources()

    prepare = _action(resources, pipeline, "Deploy", "PrepareChanges")
    deployment_role = pipeline.find_child("Deploy").find_child("PrepareChanges").find_child("DeploymentRole").role
    assert prepare["ActionTypeId"]["Provider"] == "CloudFormation"
    assert prepare["Configuration"] == {
        "ActionMode": "CHANGE_SET_REPLACE", "StackName": "Target", "ChangeSetName": "iac-pipeline",
        "TemplatePath": "Built::Target.template.json", "RoleArn": _arn_of(deployment_role),
        "Capabilities": "CAPABILITY_IAM", "ParameterOverrides": '{"Stage": "prod"}'}
    assert prepare["InputArtifacts"] == [{"Name": "Built"}]
    assert prepare["RunOrder"] == 1
    execute = _action(resources, pipeline, "Deploy", "ExecuteChanges")
    assert execute["Configuration"] == {"ActionMode": "CHANGE_SET_EXECUTE", "StackName": "Target",
                                        "ChangeSetName": "iac-pipeline"}
    assert execute["RunOrder"] == 2


def test_change_set_roles_manage_their_stack_and_change_set_only(setup):
    pipeline = _deploy(setup)
    resources = setup.resources()
    stack_arn = {"Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/Target/*"}
    only_this = {"StringEqualsIfExists": {"cloudformation:ChangeSetName": "iac-pipeline"}}

    prepare = _statements(resources, _role(pipeline, "Deploy", "PrepareChanges"))
    assert {"Effect": "Allow", "Action": ["cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet",
                                          "cloudformation:DescribeChangeSet", "cloudformation:DescribeStacks"],
            "Resource": stack_arn, "Condition": only_this} in prepare
    deployment_role = pipeline.find_child("Deploy").find_child("PrepareChanges").find_child("DeploymentRole").role
    assert {"Effect": "Allow", "Action": "iam:PassRole", "Resource": _arn_of(deployment_role),
            "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}} in prepare
    execute = _statements(resources, _role(pipeline, "Deploy", "ExecuteChanges"))
    assert execute == [{"Effect": "Allow", "Action": list(codepipeline.EXECUTE_CHANGE_SET_ACTIONS),
                        "Resource": stack_arn, "Condition": only_this}]
    assert codepipeline.EXECUTE_CHANGE_SET_ACTIONS == (
        "cloudformation:DescribeChangeSet", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks",
        "cloudformation:ExecuteChangeSet")


def test_the_derived_deployment_role_has_the_stacks_handler_permissions_and_scoped_iam(setup):
    pipeline = _deploy(setup)
    resources = setup.resources()
    derived = pipeline.find_child("Deploy").find_child("PrepareChanges").find_child("DeploymentRole")

    role = resources[derived.role.resource.logical_id]["Properties"]
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "cloudformation.amazonaws.com"}
    statements = resources[derived.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    granted = {a for s in statements if s["Effect"] == "Allow" for a in _listed(s)}
    assert {"lambda:CreateFunction", "lambda:UpdateFunctionCode", "dynamodb:CreateTable",
            "dynamodb:DeleteTable"} <= granted
    anywhere = next(s for s in statements if s["Effect"] == "Allow" and s["Resource"] == "*")
    assert not any(a.startswith(("iam:", "s3:Put", "ec2:Run")) for a in anywhere["Action"])
    assert not {"lambda:CreateFunction", "dynamodb:CreateTable", "dynamodb:DeleteTable"} & set(anywhere["Action"])
    identities = next(s for s in statements if "iam:CreateRole" in s["Action"])
    assert identities["Resource"] == [
        {"Fn::Sub": f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{kind}/Target-*"}
        for kind in ("instance-profile", "policy", "role")]
    assert derived.policy.logical_id in resources[pipeline.resource.logical_id]["DependsOn"]


BOUNDED_IAM_ACTIONS = {"iam:AttachRolePolicy", "iam:CreateRole", "iam:PutRolePermissionsBoundary",
                       "iam:PutRolePolicy"}


def _derived(pipeline: codepipeline.Pipeline, stage: str = "Deploy") -> Any:
    return pipeline.find_child(stage).find_child("PrepareChanges").find_child("DeploymentRole")


def _deployment_statements(resources: dict[str, Any], pipeline: codepipeline.Pipeline) -> list[dict[str, Any]]:
    return resources[_derived(pipeline).policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def _listed(statement: dict[str, Any]) -> list[str]:
    return statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]


def _boundary_arn(pipeline: codepipeline.Pipeline) -> dict[str, Any]:
    return {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/iac-boundary/"
                       f"Delivery-${{AWS::Region}}-{pipeline.resource.logical_id}"}


def test_the_deployment_role_creates_and_changes_roles_only_with_the_pipelines_boundary(setup):
    pipeline = _deploy(setup)
    statements = _deployment_statements(setup.resources(), pipeline)
    boundary = _boundary_arn(pipeline)

    allowed = [s for s in statements if s["Effect"] == "Allow"]
    bounded = [s for s in allowed if BOUNDED_IAM_ACTIONS & set(_listed(s))]
    assert {a for s in bounded for a in _listed(s)} >= BOUNDED_IAM_ACTIONS  # the stack has roles and policies
    for statement in bounded:
        assert statement["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": boundary}}, statement
    assert not any("iam:DeleteRolePermissionsBoundary" in _listed(s) for s in allowed)
    denied = [s for s in statements if s["Effect"] == "Deny"]
    assert {"Effect": "Deny", "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
            "Resource": "*"} in denied
    assert {"Effect": "Deny", "Action": list(codepipeline.BOUNDARY_POLICY_EDITS), "Resource": boundary} in denied


def test_the_boundary_allows_the_roles_own_policies_but_no_iam_change_without_itself(setup):
    pipeline = _deploy(setup)
    resources = setup.resources()
    boundary = _boundary_arn(pipeline)

    policy = resources[pipeline.deployment_boundary().resource.logical_id]
    assert policy["Type"] == "AWS::IAM::ManagedPolicy"
    assert policy["Properties"]["Path"] == "/iac-boundary/"
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {"Effect": "Allow", "Action": "*", "Resource": "*"} in statements
    without = next(s for s in statements if s.get("Condition"))
    assert without["Effect"] == "Deny"
    assert without["Condition"] == {"StringNotEquals": {"iam:PermissionsBoundary": boundary}}
    assert BOUNDED_IAM_ACTIONS | {"iam:CreateUser"} <= set(without["Action"])
    assert {"Effect": "Deny", "Action": list(codepipeline.BOUNDARY_POLICY_EDITS), "Resource": boundary} in statements
    assert {"Effect": "Deny", "Action": ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
            "Resource": "*"} in statements
    # the deployment role is held to the same boundary
    assert resources[_derived(pipeline).role.resource.logical_id]["Properties"]["PermissionsBoundary"] == {
        "Ref": pipeline.deployment_boundary().resource.logical_id}


def test_every_role_of_the_delivered_stack_carries_the_boundary(setup):
    pipeline = _deploy(setup)
    boundary = _boundary_arn(pipeline)
    target = synthesize(setup.app).template("Target")["Resources"]

    roles = [r for r in target.values() if r["Type"] == "AWS::IAM::Role"]
    assert roles and all(r["Properties"]["PermissionsBoundary"] == boundary for r in roles)


def test_a_role_of_the_delivered_stack_without_the_boundary_fails_the_synth(setup):
    from iac import CfnResource
    from iac.errors import ValidationError

    CfnResource(setup.target, "Raw", type="AWS::IAM::Role", properties={"AssumeRolePolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}})
    _deploy(setup)

    with pytest.raises(ValidationError, match="Target/Raw .*has no permissions boundary"):
        synthesize(setup.app)


def test_every_pass_role_names_the_service_it_passes_to(setup):
    pipeline = _deploy(setup)
    resources = setup.resources()

    passing = [s for r in resources.values() if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
               for s in r["Properties"]["PolicyDocument"]["Statement"]
               if s["Effect"] == "Allow" and {"iam:PassRole", "iam:*", "*"} & set(_listed(s))
               and "iac-boundary" not in json.dumps(r["Properties"].get("Path", ""))]
    assert len(passing) == 2
    for statement in passing:
        assert list(statement["Condition"]) == ["StringEquals"]
        assert list(statement["Condition"]["StringEquals"]) == ["iam:PassedToService"]
    to_cloudformation = next(s for s in _statements(resources, _role(pipeline, "Deploy", "PrepareChanges"))
                             if "iam:PassRole" in _listed(s))
    assert to_cloudformation["Condition"] == {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}
    # the stack's one role is the function's: CloudFormation passes roles to Lambda only
    from_deployment = next(s for s in _deployment_statements(resources, pipeline) if "iam:PassRole" in _listed(s))
    assert from_deployment["Condition"] == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}


def _where(statements: list[dict[str, Any]], action: str) -> list[Any]:
    """The resources every Allow statement that grants `action` names (a list, "*" included)."""
    found: list[Any] = []
    for statement in statements:
        if statement["Effect"] == "Allow" and action in _listed(statement):
            resource = statement["Resource"]
            found.extend(resource if isinstance(resource, list) else [resource])
    return found


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


TABLE_ARNS = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"


def test_the_deployment_role_acts_on_the_stacks_own_resources_and_reads_no_data_elsewhere(setup):
    pipeline = _deploy(setup)
    statements = _deployment_statements(setup.resources(), pipeline)
    permissions = _derived(pipeline).scoped_permissions()

    # the table's and the function's actions: the names CloudFormation gives the stack's resources
    for action in ("dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:Scan", "dynamodb:GetItem"):
        assert _where(statements, action) == [_sub(TABLE_ARNS + "Target-*")], action
    assert _where(statements, "lambda:UpdateFunctionCode") == [
        _sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:Target-*")]
    # the inline code names no object and no key: no object read and no key use at all
    for action in ("s3:GetObject", "s3:GetObjectVersion", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"):
        assert _where(statements, action) == [], action
        assert action in permissions.left_out
    # what is left on "*": actions IAM offers on no resource, or on a resource the stack does not hold
    anywhere = set(next(s for s in statements if s["Effect"] == "Allow" and s["Resource"] == "*")["Action"])
    assert anywhere == set(permissions.anywhere)
    for action in anywhere:
        kinds = action_resource_types(action)
        assert not kinds or not any(owned_types(setup.target, action.split(":")[0], k) for k in kinds), action
    assert not {a for a in anywhere if a.split(":")[0] in ("dynamodb", "lambda", "kms")} - {
        "dynamodb:DescribeImport", "lambda:GetLayerVersion", "lambda:GetCodeSigningConfig",
        "lambda:PassCapacityProvider", "kms:ListAliases"}


def test_names_the_stack_gives_are_added_and_buckets_are_lower_case(setup):
    dynamodb.SimpleTable(setup.target, "Orders", table_name="orders")
    s3.Bucket(setup.target, "Uploads")
    pipeline = _deploy(setup)
    statements = _deployment_statements(setup.resources(), pipeline)

    assert _where(statements, "dynamodb:CreateTable") == [_sub(TABLE_ARNS + "Target-*"), _sub(TABLE_ARNS + "orders")]
    assert _where(statements, "s3:CreateBucket") == [_sub("arn:${AWS::Partition}:s3:::target-*")]


def test_a_name_known_only_at_deploy_time_or_a_long_stack_name_widens_to_the_accounts_resources():
    from iac import Parameter

    app = App(path_metadata=False)
    target = Stack(app, "T" * 120)
    dynamodb.SimpleTable(target, "Table", table_name=Parameter(target, "Name").value)
    awslambda.Function(target, "Fn", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME, code=INLINE)
    source = codepipeline.Artifact("Source")
    pipeline = codepipeline.Pipeline(Stack(app, "Delivery"), "Pipeline")
    pipeline.add_stage("Source", [codepipeline.CodeCommitSource(repository="app", output=source)])
    pipeline.add_stage("Deploy", [codepipeline.CreateReplaceChangeSet(stack=target,
                                                                      template_path=source.at_path("t.json"))])
    statements = _deployment_statements(synthesize(app).template("Delivery")["Resources"], pipeline)

    assert _where(statements, "dynamodb:CreateTable") == [_sub(TABLE_ARNS + "*")]
    assert _where(statements, "lambda:CreateFunction") == [
        _sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*")]


def test_the_code_object_and_a_customer_key_the_template_names_are_the_only_ones_used(setup):
    from pathlib import Path

    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    dynamodb.SimpleTable(setup.target, "Secret", encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                         kms_key_arn=key)
    source = Path(__file__).resolve().parents[2] / "samples" / "serverless_api" / "src"
    awslambda.Function(setup.target, "FromAsset", handler="index.get", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                       code=awslambda.Code.from_asset(str(source)))
    pipeline = _deploy(setup)
    statements = _deployment_statements(setup.resources(), pipeline)

    assert _where(statements, "kms:Decrypt") == [key]
    [code] = _where(statements, "s3:GetObject")
    parts = code["Fn::Join"][1]
    assert parts[:3] == ["arn:", {"Ref": "AWS::Partition"}, ":s3:::"]
    assert parts[3] == {"Fn::Sub": "iac-assets-${AWS::AccountId}-${AWS::Region}"}
    assert parts[4].startswith("/") and parts[4].endswith(".zip")


def test_the_sample_pipelines_deployment_roles_keep_few_actions_on_any_resource_and_no_data_reads():
    """The issue measured 86 non-IAM actions on "*" for this sample, DynamoDB Scan, S3 GetObject and KMS
    Decrypt among them."""
    from pathlib import Path

    from iac.cli.app_loader import load_app

    app = load_app(str(Path(__file__).resolve().parents[2] / "samples" / "pipeline" / "app.py"))
    resources = synthesize(app).template("Delivery")["Resources"]
    policies = [r["Properties"]["PolicyDocument"]["Statement"] for name, r in resources.items()
                if r["Type"] == "AWS::IAM::Policy" and "DeploymentRole" in name]
    assert len(policies) == 2
    for statements in policies:
        anywhere = {a for s in statements if s["Effect"] == "Allow" and s["Resource"] == "*" for a in _listed(s)}
        # <= 30: the API stage's access log group brings CloudWatch Logs' handler permissions (on "*" in the schema)
        assert len(anywhere) <= 30, sorted(anywhere)
        assert not anywhere & {"dynamodb:Scan", "dynamodb:Query", "dynamodb:GetItem", "s3:GetObject",
                               "s3:GetObjectVersion", "kms:Decrypt"}
        assert not any(a.startswith("iam:") for a in anywhere)


def test_handler_permissions_come_from_the_schema_and_leave_out_actions_iam_does_not_know():
    from iac.specs import additional_spec, resource_schema

    permissions = codepipeline.handler_permissions("AWS::Lambda::Function", "us-east-1")
    handlers = resource_schema("AWS::Lambda::Function").document["handlers"]
    listed = {p for op in ("create", "read", "update", "delete") for p in handlers[op]["permissions"]}
    known = additional_spec("Policies")
    assert set(permissions) <= listed
    assert all(a.split(":")[1].lower() in known[a.split(":")[0].lower()]["Actions"] for a in permissions)
    assert "lambda:CreateFunction" in permissions and "lambda:ListFunctions" not in permissions


def test_a_role_the_stack_names_itself_may_be_managed_too(setup):
    iam.Role(setup.target, "Named", role_name="billing-reader",
             assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    pipeline = _deploy(setup)
    resources = setup.resources()
    derived = pipeline.find_child("Deploy").find_child("PrepareChanges").find_child("DeploymentRole")

    statements = resources[derived.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    identities = next(s for s in statements if "iam:CreateRole" in s["Action"])
    assert {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/billing-reader"} in identities["Resource"]
    assert _action(resources, pipeline, "Deploy", "PrepareChanges")["Configuration"]["Capabilities"] == \
        "CAPABILITY_IAM,CAPABILITY_NAMED_IAM"  # the same list `iac deploy` sends for this template


def test_a_given_deployment_role_and_capabilities_are_used_as_they_are(setup):
    role = iam.Role(setup.stack, "Deployer", assumed_by=iam.ServicePrincipal("cloudformation.amazonaws.com"))
    pipeline = setup.pipeline()
    pipeline.add_stage("Deploy", [
        codepipeline.CreateReplaceChangeSet(stack_name="Legacy", change_set_name="release", deployment_role=role,
                                            capabilities=["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                                            template_path=setup.built.at_path("legacy.yaml"),
                                            template_configuration=setup.built.at_path("prod.json")),
        codepipeline.ExecuteChangeSet(stack_name="Legacy", change_set_name="release")])
    configuration = _action(setup.resources(), pipeline, "Deploy", "PrepareChanges")["Configuration"]

    assert configuration["RoleArn"] == _arn_of(role)
    assert configuration["Capabilities"] == "CAPABILITY_NAMED_IAM,CAPABILITY_AUTO_EXPAND"
    assert configuration["TemplateConfiguration"] == "Built::prod.json"
    assert pipeline.find_child("Deploy").find_child("PrepareChanges").find_child("DeploymentRole") is None


def test_an_execute_in_a_later_stage_after_an_approval_is_accepted(setup):
    pipeline = setup.pipeline()
    pipeline.add_stage("Prepare", [codepipeline.CreateReplaceChangeSet(
        stack=setup.target, template_path=setup.built.at_path("Target.template.json"))])
    pipeline.add_stage("Release", [codepipeline.ManualApproval(),
                                   codepipeline.ExecuteChangeSet(stack=setup.target, run_order=2)])
    resources = setup.resources()

    assert [a["Name"] for a in _declaration(resources, pipeline)["Stages"][3]["Actions"]] == ["Approve",
                                                                                            "ExecuteChanges"]


# -- ECS deploys ----------------------------------------------------------------------------------------------

def _services(stack: Stack) -> tuple[LoadBalancedFargateService, LoadBalancedFargateService]:
    cluster = ecs.Cluster(stack, "Cluster", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    image = ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample")
    rolling = LoadBalancedFargateService(stack, "Rolling", cluster=cluster, image=image)
    blue_green = LoadBalancedFargateService(stack, "BlueGreen", cluster=cluster, image=image, deployment="blue_green")
    return rolling, blue_green


def test_an_ecs_deploy_updates_its_service_and_passes_its_task_roles_only(setup):
    rolling, _ = _services(setup.stack)
    pipeline = setup.pipeline()
    pipeline.add_stage("Deploy", [codepipeline.EcsDeploy(service=rolling.service, input=setup.built)])
    resources = setup.resources()

    assert _action(resources, pipeline, "Deploy", "Deploy")["Configuration"] == {
        "ClusterName": {"Ref": rolling.cluster.resource.logical_id},
        "ServiceName": {"Fn::GetAtt": [rolling.service.resource.logical_id, "Name"]},
        "FileName": "imagedefinitions.json"}
    statements = _statements(resources, _role(pipeline, "Deploy", "Deploy"))
    assert {"Effect": "Allow", "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
            "Resource": {"Ref": rolling.service.resource.logical_id}} in statements
    pass_role = next(s for s in statements if s["Action"] == "iam:PassRole")
    task = rolling.task_definition
    assert pass_role["Resource"] == sorted([_arn_of(task.execution_role), _arn_of(task.task_role)],
                                           key=lambda r: r["Fn::GetAtt"][0])
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}


def test_a_codedeploy_ecs_deploy_creates_deployments_in_its_group_only(setup):
    _, blue_green = _services(setup.stack)
    image = codepipeline.Artifact("Image")
    pipeline = codepipeline.Pipeline(setup.stack, "Pipeline")
    pipeline.add_stage("Source", [codepipeline.CodeCommitSource(repository="app", output=setup.source),
                                  codepipeline.EcrSource(name="Image", repository="web", output=image)])
    pipeline.add_stage("Deploy", [codepipeline.CodeDeployEcsDeploy(
        deployment_group=blue_green.deployment_group, image=image,
        task_definition_template=setup.source.at_path("taskdef.json"),
        app_spec_template=setup.source.at_path("appspec.yaml"))])
    resources = setup.resources()
    group = blue_green.deployment_group

    action = _action(resources, pipeline, "Deploy", "Deploy")
    assert action["ActionTypeId"]["Provider"] == "CodeDeployToECS"
    assert action["Configuration"] == {
        "ApplicationName": {"Ref": group.application.resource.logical_id},
        "DeploymentGroupName": {"Ref": group.resource.logical_id},
        "TaskDefinitionTemplateArtifact": "Source", "TaskDefinitionTemplatePath": "taskdef.json",
        "AppSpecTemplateArtifact": "Source", "AppSpecTemplatePath": "appspec.yaml",
        "Image1ArtifactName": "Image", "Image1ContainerName": "IMAGE1_NAME"}
    assert action["InputArtifacts"] == [{"Name": "Source"}, {"Name": "Image"}]
    statements = _statements(resources, _role(pipeline, "Deploy", "Deploy"))
    create = next(s for s in statements if "codedeploy:CreateDeployment" in s["Action"])
    assert create["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:"
                                             f"deploymentgroup:${{{group.application.resource.logical_id}}}/"
                                             f"${{{group.resource.logical_id}}}"}
    config = next(s for s in statements if s["Action"] == "codedeploy:GetDeploymentConfig")
    assert config["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:"
                                             "deploymentconfig:CodeDeployDefault.ECSAllAtOnce"}


def test_an_ecs_deploy_of_a_blue_green_service_is_refused(setup):
    _, blue_green = _services(setup.stack)

    with pytest.raises(ConstructError, match="is deployed by CodeDeploy.*use CodeDeployEcsDeploy") as caught:
        line = _next_line()
        codepipeline.EcsDeploy(service=blue_green.service, input=setup.built)
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


# -- approval -----------------------------------------------------------------------------------------------

def test_an_approval_needs_no_role_unless_it_notifies(setup):
    pipeline = setup.pipeline()
    topic = "arn:aws:sns:us-east-1:123456789012:releases"
    pipeline.add_stage("Approve", [codepipeline.ManualApproval(comment="check staging"),
                                   codepipeline.ManualApproval(name="Notify", notification_topic_arn=topic,
                                                               review_url="https://staging.example.com")])
    resources = setup.resources()

    plain = _action(resources, pipeline, "Approve", "Approve")
    assert plain["Configuration"] == {"CustomData": "check staging"} and "RoleArn" not in plain
    notify = _action(resources, pipeline, "Approve", "Notify")
    assert notify["Configuration"] == {"NotificationArn": topic, "ExternalEntityLink": "https://staging.example.com"}
    assert _statements(resources, _role(pipeline, "Approve", "Notify")) == [
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic}]


# -- refused inputs -------------------------------------------------------------------------------------------

def test_a_change_set_action_without_a_template_artifact_is_refused_at_the_users_line():
    with pytest.raises(ConstructError, match="^CreateReplaceChangeSet needs the argument template_path=") as caught:
        line = _next_line()
        codepipeline.CreateReplaceChangeSet(stack_name="App", deployment_role=None)
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)
    assert "a change set is made from a template: pass template_path=<artifact>.at_path('<Stack>.template.json')" \
        in caught.value.hint


def test_a_template_path_given_as_text_is_refused_with_the_way_to_write_it():
    with pytest.raises(ConstructError, match="template_path must be ArtifactPath, got str") as caught:
        line = _next_line()
        codepipeline.CreateReplaceChangeSet(stack_name="App", template_path="Built::App.template.json")
    assert caught.value.location.line == line
    assert caught.value.hint.startswith("write <artifact>.at_path('App.template.json')")


def test_a_change_set_for_a_stack_outside_the_app_needs_a_deployment_role(setup):
    with pytest.raises(ConstructError, match="needs deployment_role="):
        codepipeline.CreateReplaceChangeSet(stack_name="Legacy", template_path=setup.built.at_path("t.json"))


def test_an_unknown_capability_is_refused_with_the_known_ones(setup):
    with pytest.raises(ConstructError, match="capability 'CAPABILITY_ADMIN' is not one CloudFormation knows; use "
                                             "CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND"):
        codepipeline.CreateReplaceChangeSet(stack=setup.target, capabilities=["CAPABILITY_ADMIN"],
                                            template_path=setup.built.at_path("t.json"))


def test_an_execute_without_a_prepared_change_set_is_refused_at_the_add_stage_line(setup):
    pipeline = setup.pipeline()

    with pytest.raises(ConstructError, match="which no earlier CreateReplaceChangeSet prepares") as caught:
        line = _next_line()
        pipeline.add_stage("Deploy", [codepipeline.ExecuteChangeSet(stack_name="Target")])
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_an_execute_ordered_before_its_change_set_is_refused(setup):
    pipeline = setup.pipeline()

    with pytest.raises(ConstructError, match="which no earlier CreateReplaceChangeSet prepares"):
        pipeline.add_stage("Deploy", [
            codepipeline.CreateReplaceChangeSet(stack=setup.target, run_order=2,
                                                template_path=setup.built.at_path("Target.template.json")),
            codepipeline.ExecuteChangeSet(stack=setup.target, run_order=1)])


def test_a_source_outside_the_first_stage_is_refused(setup):
    pipeline = setup.pipeline()

    with pytest.raises(ConstructError, match="source Late must be in the first stage, not in More") as caught:
        line = _next_line()
        pipeline.add_stage("More", [codepipeline.CodeCommitSource(name="Late", repository="other")])
    assert caught.value.location.line == line


def test_a_build_in_the_first_stage_is_refused(setup):
    pipeline = codepipeline.Pipeline(setup.stack, "Pipeline")

    with pytest.raises(ConstructError, match=r"the first stage \(Build\) holds the sources"):
        pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=setup.project, input=setup.source)])


def test_an_input_no_earlier_action_produces_is_refused(setup):
    pipeline = setup.pipeline()

    with pytest.raises(ConstructError, match="reads artifact 'Elsewhere', which no earlier action produces"):
        pipeline.add_stage("Test", [codepipeline.CodeBuildAction(project=setup.project,
                                                                 input=codepipeline.Artifact("Elsewhere"))])


def test_an_artifact_name_used_twice_is_refused(setup):
    pipeline = setup.pipeline()

    with pytest.raises(ConstructError, match="artifact name 'Built' is already used"):
        pipeline.add_stage("Again", [codepipeline.CodeBuildAction(project=setup.project, input=setup.source,
                                                                  outputs=[codepipeline.Artifact("Built")])])


def test_an_unknown_kind_of_action_is_refused(setup):
    pipeline = setup.pipeline()

    with pytest.raises(ConstructError, match="is not a pipeline action"):
        pipeline.add_stage("Odd", [codebuild.Source.github("octo", "app")])


def test_an_s3_source_needs_a_versioned_bucket_that_sends_events(setup):
    plain = s3.Bucket(setup.stack, "Plain")
    quiet = s3.Bucket(setup.stack, "Quiet", versioned=True)

    with pytest.raises(ConstructError, match="needs versioned=True") as caught:
        line = _next_line()
        codepipeline.S3Source(bucket=plain, key="app.zip")
    assert caught.value.location.line == line
    with pytest.raises(ConstructError, match="event_bridge_enabled=True"):
        codepipeline.S3Source(bucket=quiet, key="app.zip")
    assert codepipeline.S3Source(bucket=quiet, key="app.zip", trigger_on_change=False).key == "app.zip"


@pytest.mark.parametrize("props, message", [
    ({"repository": "octo/app", "connection_arn": "arn:aws:iam::123456789012:role/x"}, "ARN of a CodeStar connection"),
    ({"repository": "octo", "connection_arn": CONNECTION}, "repository"),
])
def test_a_github_source_needs_owner_repo_and_a_connection_arn(props, message):
    with pytest.raises(ConstructError, match=message):
        codepipeline.GitHubSource(**props)


def test_a_build_that_declares_outputs_needs_artifacts_in_its_buildspec(setup):
    bare = codebuild.PipelineProject(setup.stack, "Bare", build_spec={"phases": {"build": {"commands": ["make"]}}})

    with pytest.raises(ConstructError, match="has no 'artifacts' section"):
        codepipeline.CodeBuildAction(project=bare, input=setup.source, outputs=[codepipeline.Artifact("Out")])


def test_a_project_with_its_own_source_is_refused(setup):
    own = codebuild.Project(setup.stack, "Own", build_spec=BUILD_SPEC)

    with pytest.raises(ConstructError, match="project must be PipelineProject, got Project") as caught:
        codepipeline.CodeBuildAction(project=own, input=setup.source)
    assert caught.value.hint.startswith("a codebuild.PipelineProject takes its source from the pipeline")


@pytest.mark.parametrize("name", ["has space", "", "a/b", "x" * 101])
def test_action_names_follow_the_schemas_pattern(name):
    pattern = property_pattern("AWS::CodePipeline::Pipeline", "Stages", "Actions", "Name")

    with pytest.raises(ConstructError) as caught:
        codepipeline.ManualApproval(name=name)
    assert f"ManualApproval: name: {name!r} does not match {pattern}" in caught.value.message


@pytest.mark.parametrize("name", ["has space", "a/b"])
def test_stage_and_pipeline_names_follow_the_same_pattern(setup, name):
    pattern = property_pattern("AWS::CodePipeline::Pipeline", "Stages", "Actions", "Name")

    with pytest.raises(ConstructError, match=f"pipeline_name: {name!r} does not match"):
        codepipeline.Pipeline(setup.stack, "Named", pipeline_name=name)
    with pytest.raises(ConstructError) as caught:
        codepipeline.Pipeline(setup.stack, "Pipeline").add_stage(name, [])
    assert f"stage name {name!r} does not match {pattern}" in caught.value.message


def test_a_pipeline_with_one_stage_fails_validation(setup):
    pipeline = codepipeline.Pipeline(setup.stack, "Pipeline")
    pipeline.add_stage("Source", [codepipeline.CodeCommitSource(repository="app")])

    assert pipeline.validate() == ["pipeline Delivery/Pipeline has 1 stage(s); CodePipeline needs at least 2 (a "
                                   "source stage and one more): add them with add_stage(name, actions)"]


def test_a_change_set_of_the_pipelines_own_stack_is_refused(setup):
    pipeline = setup.pipeline()

    with pytest.raises(ConstructError, match="which holds the pipeline itself"):
        pipeline.add_stage("Deploy", [codepipeline.CreateReplaceChangeSet(
            stack=setup.stack, template_path=setup.built.at_path("Delivery.template.json"))])


# -- cfn-lint -------------------------------------------------------------------------------------------------

def test_a_pipeline_with_every_kind_of_action_passes_cfn_lint_with_no_findings():
    app = App()  # with iac:path metadata, as users synthesize
    target = Stack(app, "Target")
    dynamodb.SimpleTable(target, "Table").grant_read(awslambda.Function(
        target, "Fn", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME, code=INLINE))
    stack = Stack(app, "Delivery")
    project = codebuild.PipelineProject(stack, "Build", build_spec=BUILD_SPEC)
    rolling, blue_green = _services(stack)
    uploads = s3.Bucket(stack, "Uploads", versioned=True, event_bridge_enabled=True)
    source, upload, image, built = (codepipeline.Artifact(n) for n in ("Source", "Upload", "Image", "Built"))
    pipeline = codepipeline.Pipeline(stack, "Pipeline", schedule="cron(0 3 * * ? *)", execution_mode="QUEUED")
    pipeline.add_stage("Source", [
        codepipeline.GitHubSource(repository="octo/app", connection_arn=CONNECTION, output=source),
        codepipeline.CodeCommitSource(name="Config", repository="config", output=codepipeline.Artifact("Config")),
        codepipeline.S3Source(name="Upload", bucket=uploads, key="app.zip", output=upload),
        codepipeline.EcrSource(name="Image", repository="web", tag="release", output=image)])
    pipeline.add_stage("Build", [codepipeline.CodeBuildAction(project=project, input=source, outputs=[built])])
    pipeline.add_stage("Staging", [
        codepipeline.CreateReplaceChangeSet(stack=target, stack_name="Staging-Target",
                                            template_path=built.at_path("Target.template.json")),
        codepipeline.ExecuteChangeSet(stack_name="Staging-Target")])
    pipeline.add_stage("Approval", [codepipeline.ManualApproval(notification_topic_arn=(
        "arn:aws:sns:us-east-1:123456789012:releases"))])
    pipeline.add_stage("Production", [
        codepipeline.CreateReplaceChangeSet(stack=target, template_path=built.at_path("Target.template.json")),
        codepipeline.ExecuteChangeSet(stack=target),
        codepipeline.EcsDeploy(service=rolling.service, input=built, run_order=3),
        codepipeline.CodeDeployEcsDeploy(name="BlueGreen", deployment_group=blue_green.deployment_group, image=image,
                                         run_order=3,
                                         task_definition_template=source.at_path("taskdef.json"),
                                         app_spec_template=source.at_path("appspec.yaml"))])

    assembly = synthesize(app)
    assert lint_template(assembly.stack("Delivery").body, "us-east-1") == []


def test_a_missing_argument_names_the_action_and_the_argument():
    with pytest.raises(ConstructError, match=r"^CodeBuildAction needs the argument project=") as caught:
        line = _next_line()
        codepipeline.CodeBuildAction(input=codepipeline.Artifact("Source"))
    assert caught.value.location.line == line


def test_a_misspelt_action_argument_is_named_with_the_closest_real_one_at_the_users_line(setup):
    with pytest.raises(ConstructError, match="^CodeBuildAction has no argument 'projct'") as caught:
        line = _next_line()
        codepipeline.CodeBuildAction(projct=setup.project, input=setup.source)
    assert caught.value.hint == "did you mean project?"
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_a_misspelt_pipeline_prop_is_named_with_the_closest_real_one(setup):
    with pytest.raises(ConstructError, match="has no argument 'execution_mod'") as caught:
        codepipeline.Pipeline(setup.stack, "Pipeline", execution_mod="QUEUED")
    assert caught.value.hint == "did you mean execution_mode?"


@pytest.mark.parametrize("prop, cfn_property", [("execution_mode", "ExecutionMode"), ("pipeline_type", "PipelineType")])
def test_pipeline_enums_are_the_registry_schemas(setup, prop, cfn_property):
    accepted = property_enum("AWS::CodePipeline::Pipeline", cfn_property)
    assert accepted

    for value in accepted:
        pipeline = codepipeline.Pipeline(setup.stack, f"P{value}", **{prop: value})
        assert pipeline.resource.properties[cfn_property] == value
    with pytest.raises(ConstructError, match=f"{prop}: 'SOMETIMES' is not one of"):
        codepipeline.Pipeline(setup.stack, "Odd", **{prop: "SOMETIMES"})


def test_stack_and_change_set_names_follow_the_rule_iac_specs_keeps(setup):
    why = stack_name_rule().why

    with pytest.raises(ConstructError) as caught:
        codepipeline.ExecuteChangeSet(stack_name="1st")
    assert f"stack_name: '1st' is not a CloudFormation stack name: {why}" in caught.value.message
    with pytest.raises(ConstructError) as caught:
        codepipeline.ExecuteChangeSet(stack_name="App", change_set_name="my_changes")
    assert f"change_set_name: 'my_changes' is not a CloudFormation change set name: {why}" in caught.value.message


def test_an_approval_timeout_is_written_to_the_declaration_in_minutes(setup):
    from iac import Duration

    pipeline = setup.pipeline()
    pipeline.add_stage("Approve", [codepipeline.ManualApproval(timeout_minutes=Duration.hours(2)),
                                   codepipeline.ManualApproval(name="Plain")])
    resources = setup.resources()

    assert _action(resources, pipeline, "Approve", "Approve")["TimeoutInMinutes"] == 120
    assert "TimeoutInMinutes" not in _action(resources, pipeline, "Approve", "Plain")
    with pytest.raises(ConstructError, match="90 seconds is not a whole number of minutes"):
        codepipeline.ManualApproval(timeout_minutes=Duration.seconds(90))
    with pytest.raises(ConstructError, match="timeout_minutes: must be 5-10080 minutes, got 4"):
        codepipeline.ManualApproval(timeout_minutes=4)


def test_a_run_order_outside_codepipelines_range_is_refused():
    with pytest.raises(ConstructError, match="run_order: must be 1-999"):
        codepipeline.ManualApproval(run_order=1000)
    with pytest.raises(ConstructError, match=r"run_order must be int \| None, got bool True"):
        codepipeline.ManualApproval(run_order=True)


def test_an_ecs_deploy_timeout_takes_a_duration_in_whole_minutes(setup):
    from iac import Duration

    rolling, _ = _services(setup.stack)
    pipeline = setup.pipeline()
    pipeline.add_stage("Deploy", [codepipeline.EcsDeploy(service=rolling.service, input=setup.built,
                                                         timeout_minutes=Duration.minutes(45))])

    assert _action(setup.resources(), pipeline, "Deploy", "Deploy")["Configuration"]["DeploymentTimeout"] == 45
    with pytest.raises(ConstructError, match="timeout_minutes: must be 1-60 minutes, got 120"):
        codepipeline.EcsDeploy(service=rolling.service, input=setup.built, timeout_minutes=Duration.hours(2))


def test_a_deploy_action_given_something_else_than_its_service_is_refused_at_the_users_line(setup):
    with pytest.raises(ConstructError, match="^EcsDeploy: service must be an ecs.FargateService, got str") as caught:
        line = _next_line()
        codepipeline.EcsDeploy(service="web", input=setup.built)
    assert caught.value.location.line == line
    with pytest.raises(ConstructError, match="deployment_group must be a codedeploy.EcsDeploymentGroup"):
        codepipeline.CodeDeployEcsDeploy(deployment_group="web", task_definition_template=setup.built.at_path("t.json"),
                                         app_spec_template=setup.built.at_path("a.yaml"))
