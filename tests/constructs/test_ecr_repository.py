"""ecr.Repository: scans on push, immutable tags, AES256 or a kms.Key, retained; lifecycle rules rendered to the
LifecyclePolicyText ECR reads and checked as ECR documents; least-privilege pull/push grants; imported
repositories that make nothing."""

from __future__ import annotations

import inspect
import json
from typing import Any

import pytest

from iac import App, ConstructError, Duration, Parameter, Stack
from iac.constructs import codebuild, ecr, iam, kms
from iac.specs import iam_action_resource_types, iam_actions, is_stateful, property_enum, property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

REPOSITORY = "AWS::ECR::Repository"
PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
AUTH = {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def make_role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Builder", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))


def statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    return resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def lifecycle(app: App, repository: ecr.Repository) -> dict[str, Any]:
    text = resources(app)[repository.resource.logical_id]["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert isinstance(text, str)  # ECR takes the policy as one JSON string
    return json.loads(text)


# -- the repository ------------------------------------------------------------------------------

def test_a_repository_scans_on_push_keeps_tags_immutable_encrypts_and_is_retained(app, stack):
    repository = ecr.Repository(stack, "Api")

    assert repository.resource.logical_id == "ApiF70053CD"
    assert resources(app) == {"ApiF70053CD": {
        "Type": REPOSITORY,
        "Properties": {"ImageScanningConfiguration": {"ScanOnPush": True}, "ImageTagMutability": "IMMUTABLE",
                       "EncryptionConfiguration": {"EncryptionType": "AES256"}},
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }}
    assert is_stateful(REPOSITORY)  # why it is retained


def test_a_kms_key_encrypts_the_images_and_destroy_may_empty_the_repository(app, stack):
    key = kms.Key(stack, "Key")

    repository = ecr.Repository(stack, "Web", repository_name="shop/web", encryption_key=key,
                                image_scan_on_push=False, image_tag_mutability=ecr.TagMutability.MUTABLE,
                                removal_policy="destroy", empty_on_delete=True)

    entry = resources(app)[repository.resource.logical_id]
    assert entry["Properties"] == {
        "RepositoryName": "shop/web", "ImageScanningConfiguration": {"ScanOnPush": False},
        "ImageTagMutability": "MUTABLE",
        "EncryptionConfiguration": {"EncryptionType": "KMS",
                                    "KmsKey": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}},
        "EmptyOnDelete": True}
    assert (entry["DeletionPolicy"], entry["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_kms_without_a_key_uses_ecrs_aws_managed_key(app, stack):
    repository = ecr.Repository(stack, "Api", encryption=ecr.KMS)

    assert resources(app)[repository.resource.logical_id]["Properties"]["EncryptionConfiguration"] == {
        "EncryptionType": "KMS"}


def test_exclusion_filters_go_with_a_with_exclusion_mutability(app, stack):
    repository = ecr.Repository(stack, "Api", image_tag_mutability=ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION,
                                image_tag_mutability_exclusion_filters=["latest", "dev-*"])

    filter_type = property_enum(REPOSITORY, "ImageTagMutabilityExclusionFilters",
                                "ImageTagMutabilityExclusionFilterType")
    assert filter_type == ("WILDCARD",)
    assert resources(app)[repository.resource.logical_id]["Properties"]["ImageTagMutabilityExclusionFilters"] == [
        {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "latest"},
        {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "dev-*"}]


def test_the_tag_mutability_names_are_the_schemas():
    names = {value for name, value in vars(ecr.TagMutability).items() if name.isupper()}
    assert names == set(property_enum(REPOSITORY, "ImageTagMutability"))


def test_references_are_the_repositorys_attributes(stack, resolve):
    repository = ecr.Repository(stack, "Api")

    assert resolve(repository.repository_name) == {"Ref": "ApiF70053CD"}
    assert resolve(repository.repository_arn) == {"Fn::GetAtt": ["ApiF70053CD", "Arn"]}
    assert resolve(repository.repository_uri_for_tag("v7")) == {"Fn::Join": ["", [
        {"Fn::GetAtt": ["ApiF70053CD", "RepositoryUri"]}, ":v7"]]}
    digest = "sha256:" + "ab" * 32
    assert resolve(repository.repository_uri_for_digest(digest)) == {"Fn::Join": ["", [
        {"Fn::GetAtt": ["ApiF70053CD", "RepositoryUri"]}, f"@{digest}"]]}


@pytest.mark.parametrize("options, message", [
    ({"repository_name": "Shop/Web"}, r"repository_name: .*does not match"),
    ({"image_tag_mutability": "FROZEN"}, r"image_tag_mutability: 'FROZEN' is not one of"),
    ({"encryption": "AES128"}, r"encryption: 'AES128' is not one of"),
    ({"removal_policy": "snapshot"}, r"does not support the Snapshot policy"),
    ({"empty_on_delete": True}, r"empty_on_delete only matters when the repository is deleted"),
    ({"encryption": "AES256", "encryption_key": "key"}, r"encryption_key is used with KMS encryption"),
    ({"image_tag_mutability": "MUTABLE_WITH_EXCLUSION"}, r"needs image_tag_mutability_exclusion_filters"),
    ({"image_tag_mutability_exclusion_filters": ["latest"]}, r"only used with a \*_WITH_EXCLUSION"),
    ({"image_tag_mutability": "MUTABLE_WITH_EXCLUSION", "image_tag_mutability_exclusion_filters": ["a"] * 6},
     r"exclusion_filters: .*ImageTagMutabilityExclusionFilters, per its schema"),
    ({"image_tag_mutabilty": "MUTABLE"}, r"has no argument 'image_tag_mutabilty'"),
])
def test_bad_props_are_errors_at_the_users_line(stack, options, message):
    if options.get("encryption_key") == "key":
        options = {**options, "encryption_key": kms.Key(stack, "Key")}
    with pytest.raises(ConstructError, match=message) as caught:
        ecr.Repository(stack, "Api", **options)
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Api"


# -- lifecycle rules -----------------------------------------------------------------------------

def test_lifecycle_rules_render_the_policy_ecr_reads_with_the_any_rule_last(app, stack):
    repository = ecr.Repository(stack, "Api", lifecycle_rules=[
        ecr.LifecycleRule(max_image_count=100, description="keep the last 100"),
        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=Duration.days(7)),
        ecr.LifecycleRule(tag_prefix_list=["release-", "v"], max_image_count=20),
    ])
    repository.add_lifecycle_rule(ecr.LifecycleRule(tag_pattern_list=["dev-*-build*"], max_image_age=3))

    assert lifecycle(app, repository) == {"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                          "countUnit": "days", "countNumber": 7}, "action": {"type": "expire"}},
        {"rulePriority": 2, "selection": {"tagStatus": "tagged", "tagPrefixList": ["release-", "v"],
                                          "countType": "imageCountMoreThan", "countNumber": 20},
         "action": {"type": "expire"}},
        {"rulePriority": 3, "selection": {"tagStatus": "tagged", "tagPatternList": ["dev-*-build*"],
                                          "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 3},
         "action": {"type": "expire"}},
        {"rulePriority": 4, "description": "keep the last 100",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
         "action": {"type": "expire"}},
    ]}
    assert repository.lifecycle_policy == lifecycle(app, repository)


def test_explicit_priorities_are_kept_and_sort_the_rules(app, stack):
    repository = ecr.Repository(stack, "Api", lifecycle_rules=[
        ecr.LifecycleRule(max_image_count=50, rule_priority=90),
        ecr.LifecycleRule(tag_prefix_list=["v"], max_image_count=5, rule_priority=20),
        ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_count=1, rule_priority=10),
    ])

    assert [(rule["rulePriority"], rule["selection"]["tagStatus"]) for rule in lifecycle(app, repository)["rules"]] == [
        (10, "untagged"), (20, "tagged"), (90, "any")]


def test_a_minimal_policy_is_long_enough_for_the_schema(app, stack):
    repository = ecr.Repository(stack, "Api", lifecycle_rules=[ecr.LifecycleRule(max_image_count=1)])

    text = resources(app)[repository.resource.logical_id]["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert len(text) >= property_length(REPOSITORY, "LifecyclePolicy", "LifecyclePolicyText")[0]


@pytest.mark.parametrize("rules, message", [
    ([ecr.LifecycleRule(max_image_count=1), ecr.LifecycleRule(max_image_age=30)],
     r"at most one rule for tag status 'any' \(another is at .*test_ecr_repository.py:\d+\)"),
    ([ecr.LifecycleRule(tag_prefix_list=["v"], max_image_count=1, rule_priority=5),
      ecr.LifecycleRule(tag_status="untagged", max_image_count=1, rule_priority=5)],
     r"rule_priority 5 is taken by the rule at .*test_ecr_repository.py:\d+: priorities are unique"),
    ([ecr.LifecycleRule(tag_prefix_list=["v"], max_image_count=1, rule_priority=5),
      ecr.LifecycleRule(max_image_count=1, rule_priority=3)],
     r"the rule for tag status 'any' must have the highest rule_priority; 3 is not above 5"),
    ([ecr.LifecycleRule(max_image_count=1, rule_priority=2),
      ecr.LifecycleRule(tag_prefix_list=["v"], max_image_count=1, rule_priority=4)],
     r"rule_priority 4 is not below 2, the priority of the rule for tag status 'any'"),
    ([ecr.LifecycleRule(max_image_count=1, rule_priority=1),
      ecr.LifecycleRule(tag_status="untagged", max_image_count=1)],
     r"rule_priority 1 is not below 1.*\(give this rule an explicit rule_priority\)"),
])
def test_policies_ecr_would_refuse_are_errors_at_the_rules_line(stack, rules, message):
    with pytest.raises(ConstructError, match=message) as caught:
        ecr.Repository(stack, "Api", lifecycle_rules=rules)
    assert caught.value.location.file == __file__
    assert caught.value.path == "Main/Api"


def test_add_lifecycle_rule_errors_point_at_the_call(stack):
    repository = ecr.Repository(stack, "Api", lifecycle_rules=[ecr.LifecycleRule(max_image_count=10)])
    rule = ecr.LifecycleRule(max_image_count=20)
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(ConstructError, match="at most one rule for tag status 'any'") as caught:
        repository.add_lifecycle_rule(rule)
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)
    # the refused rule was not kept
    assert [rule["selection"]["countNumber"] for rule in repository.lifecycle_policy["rules"]] == [10]


@pytest.mark.parametrize("options, message", [
    ({}, r"give max_image_count or max_image_age"),
    ({"max_image_count": 1, "max_image_age": 1}, r"give max_image_count or max_image_age"),
    ({"max_image_count": 0}, r"max_image_count must be at least 1"),
    ({"max_image_age": Duration.hours(36)}, r"max_image_age"),
    ({"max_image_count": 1, "tag_status": "tagged"}, r"needs tag_prefix_list or tag_pattern_list"),
    ({"max_image_count": 1, "tag_prefix_list": ["v"], "tag_pattern_list": ["v*"]}, r"not both"),
    ({"max_image_count": 1, "tag_status": "untagged", "tag_prefix_list": ["v"]}, r"tag_status is 'untagged'"),
    ({"max_image_count": 1, "tag_pattern_list": ["a*b*c*d*e*"]}, r"at most 4 wildcards"),
    ({"max_image_count": 1, "tag_prefix_list": [""]}, r"a tag prefix must not be empty"),
    ({"max_image_count": 1, "tag_status": "all"}, r"tag_status must be"),
    ({"max_image_count": 1, "rule_priority": 0}, r"rule_priority must be at least 1"),
    ({"max_images": 1}, r"has no argument 'max_images'"),
])
def test_a_bad_lifecycle_rule_is_an_error_at_the_users_line(options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        ecr.LifecycleRule(**options)
    assert caught.value.location.file == __file__


# -- grants --------------------------------------------------------------------------------------

def test_grant_pull_names_the_repository_and_logs_in_on_star_only(app, stack):
    repository = ecr.Repository(stack, "Api")
    role = make_role(stack)

    repository.grant_pull(role)

    assert statements(app, role) == [
        {"Effect": "Allow", "Action": PULL, "Resource": {"Fn::GetAtt": ["ApiF70053CD", "Arn"]}}, AUTH]


def test_grant_pull_push_adds_the_upload_actions_in_one_statement(app, stack):
    repository = ecr.Repository(stack, "Api")
    role = make_role(stack)

    repository.grant_pull_push(role)

    assert statements(app, role) == [
        {"Effect": "Allow", "Action": sorted(PULL + ["ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload",
                                                      "ecr:PutImage", "ecr:UploadLayerPart"]),
         "Resource": {"Fn::GetAtt": ["ApiF70053CD", "Arn"]}}, AUTH]


def test_grant_actions_exist_and_act_on_a_repository_except_the_login():
    for action in sorted(set(ecr.PULL_ACTIONS + ecr.PUSH_ACTIONS + (ecr.AUTH_ACTION,))):
        assert action.split(":")[1].lower() in iam_actions("ecr"), action
        if action == ecr.AUTH_ACTION:
            assert iam_action_resource_types(action) == (), "GetAuthorizationToken takes no resource: '*' only"
        else:
            assert "repository" in iam_action_resource_types(action), action


def test_grants_to_a_project_go_to_its_role(app, stack):
    repository = ecr.Repository(stack, "Api")
    project = codebuild.Project(stack, "Build", build_spec={"phases": {"build": {"commands": ["make"]}}})

    repository.grant_push(project)

    pushed = [s for s in statements(app, project.role) if "ecr:PutImage" in s["Action"]]
    assert pushed == [{"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload",
                                                     "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"],
                       "Resource": {"Fn::GetAtt": ["ApiF70053CD", "Arn"]}}]


# -- existing repositories -------------------------------------------------------------------------

def test_a_repository_by_name_makes_nothing_and_grants_name_its_arn(app, stack, resolve):
    repository = ecr.Repository.from_repository_name(stack, "Shared", "team/base")
    role = make_role(stack)

    repository.grant_pull(role)

    assert {entry["Type"] for entry in resources(app).values()} == {"AWS::IAM::Role", "AWS::IAM::Policy"}
    arn = {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/team/base"}
    assert statements(app, role)[0]["Resource"] == arn
    assert repository.repository_name == "team/base"
    assert resolve(repository.repository_uri) == {"Fn::Join": ["", [
        {"Ref": "AWS::AccountId"}, ".dkr.ecr.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"},
        "/team/base"]]}


def test_a_repository_by_arn_takes_name_account_and_region_from_it(stack, resolve):
    repository = ecr.Repository.from_repository_arn(
        stack, "Shared", "arn:aws:ecr:eu-west-1:123456789012:repository/team/base")

    assert repository.repository_name == "team/base"
    assert resolve(repository.repository_uri) == {"Fn::Join": ["", [
        "123456789012.dkr.ecr.eu-west-1.", {"Ref": "AWS::URLSuffix"}, "/team/base"]]}


def test_a_deploy_time_arn_is_split_at_the_repository_marker(stack, resolve):
    arn = Parameter(stack, "RepositoryArn", type="String")
    repository = ecr.Repository.from_repository_arn(stack, "Shared", arn.value)

    assert resolve(repository.repository_name) == {"Fn::Select": [1, {"Fn::Split": [":repository/",
                                                                                    {"Ref": "RepositoryArn"}]}]}
    uri = resolve(repository.repository_uri)
    assert {"Fn::Select": [4, {"Fn::Split": [":", {"Ref": "RepositoryArn"}]}]} in uri["Fn::Join"][1]


@pytest.mark.parametrize("make, message", [
    (lambda stack: ecr.Repository.from_repository_arn(stack, "X", "arn:aws:s3:::bucket"),
     "is not an ECR repository ARN"),
    (lambda stack: ecr.Repository.from_repository_name(stack, "X", "Team/Base"), "does not match"),
    (lambda stack: ecr.ImportedRepository(stack, "X"), "needs repository_name or repository_arn"),
])
def test_bad_imports_are_errors_at_the_users_line(stack, make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack)
    assert caught.value.location.file == __file__


def test_an_imported_repositorys_lifecycle_policy_is_not_ours(stack):
    repository = ecr.Repository.from_repository_name(stack, "Shared", "team/base")
    with pytest.raises(ConstructError, match="lifecycle policy belongs to the stack that made it") as caught:
        repository.add_lifecycle_rule(ecr.LifecycleRule(max_image_count=1))
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("call, message", [
    (lambda r: r.repository_uri_for_tag("-bad"), "is not an image tag"),
    (lambda r: r.repository_uri_for_digest("sha256:abc"), "is not an image digest"),
    (lambda r: r.add_lifecycle_rule({"max_image_count": 1}), "takes an ecr.LifecycleRule"),
])
def test_bad_method_arguments_are_errors_at_the_users_line(stack, call, message):
    repository = ecr.Repository(stack, "Api")
    with pytest.raises(ConstructError, match=message) as caught:
        call(repository)
    assert caught.value.location.file == __file__


def test_repositories_pass_cfn_lint_and_iacs_checks_cleanly():
    app = App()
    stack = Stack(app, "Main")
    key = kms.Key(stack, "Key")
    ecr.Repository(stack, "Plain")
    full = ecr.Repository(stack, "Full", repository_name="shop/web", encryption_key=key,
                          image_tag_mutability=ecr.TagMutability.MUTABLE_WITH_EXCLUSION,
                          image_tag_mutability_exclusion_filters=["latest"], removal_policy="destroy",
                          empty_on_delete=True,
                          lifecycle_rules=[ecr.LifecycleRule(tag_status="untagged", max_image_age=14),
                                           ecr.LifecycleRule(max_image_count=30)])
    full.grant_pull_push(make_role(stack))
    full.add_to_resource_policy(iam.PolicyStatement(principals=[iam.AccountPrincipal("210987654321")],
                                                    actions=list(ecr.PULL_ACTIONS)))

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False, strict=True)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


# -- repository policy -----------------------------------------------------------------------------

def test_a_repository_policy_lets_another_account_pull(app, stack):
    repository = ecr.Repository(stack, "Api")

    repository.add_to_resource_policy(iam.PolicyStatement(principals=[iam.AccountPrincipal("210987654321")],
                                                          actions=list(ecr.PULL_ACTIONS)))

    assert resources(app)[repository.resource.logical_id]["Properties"]["RepositoryPolicyText"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":iam::210987654321:root"]]}}, "Action": PULL}]}


def test_a_repository_without_statements_has_no_policy(app, stack):
    repository = ecr.Repository(stack, "Api")

    assert "RepositoryPolicyText" not in resources(app)[repository.resource.logical_id]["Properties"]


@pytest.mark.parametrize("statement, message", [
    (iam.PolicyStatement(principals=[iam.AccountPrincipal("210987654321")], actions=["ecr:BatchGetImage"],
                         resources=["*"]), "names no resources"),
    (iam.PolicyStatement(actions=["ecr:BatchGetImage"]), "a repository policy statement must name who it applies to"),
    ({"Effect": "Allow"}, "add_to_resource_policy takes an iam.PolicyStatement"),
])
def test_a_bad_repository_policy_statement_is_an_error_at_the_users_line(stack, statement, message):
    repository = ecr.Repository(stack, "Api")
    with pytest.raises(ConstructError, match=message) as caught:
        repository.add_to_resource_policy(statement)
    assert caught.value.location.file == __file__


def test_an_imported_repositorys_policy_is_not_ours(stack):
    repository = ecr.Repository.from_repository_name(stack, "Shared", "team/base")
    with pytest.raises(ConstructError, match="a repository has one policy") as caught:
        repository.add_to_resource_policy(iam.PolicyStatement(principals=[iam.AccountPrincipal("210987654321")],
                                                              actions=["ecr:BatchGetImage"]))
    assert caught.value.location.file == __file__


def _resource_policy_adders(stack: Stack) -> dict[str, Any]:
    from iac.constructs import ec2, s3, sns, sqs

    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=0)
    endpoint = vpc.add_gateway_endpoint(ec2.GatewayVpcEndpointAwsService.S3)
    return {"bucket policy": s3.Bucket(stack, "Bucket").add_to_resource_policy,
            "queue policy": sqs.Queue(stack, "Queue").add_to_resource_policy,
            "topic policy": sns.Topic(stack, "Topic").add_to_resource_policy,
            "key policy": kms.Key(stack, "Key").add_to_resource_policy,
            "repository policy": ecr.Repository(stack, "Repo").add_to_resource_policy,
            "endpoint policy": endpoint.add_to_policy}


@pytest.mark.parametrize("policy", ["bucket policy", "queue policy", "topic policy", "key policy",
                                    "repository policy", "endpoint policy"])
def test_every_resource_policy_refuses_what_iam_resource_statement_problem_names(stack, policy):
    add = _resource_policy_adders(stack)[policy]
    with pytest.raises(ConstructError, match=f"a {policy} statement must name who it applies to") as caught:
        add(iam.PolicyStatement(actions=["s3:GetObject"]))
    assert caught.value.location.file == __file__ and caught.value.hint
    with pytest.raises(ConstructError, match=r"takes an iam.PolicyStatement, got 'Allow'") as caught:
        add("Allow")
    assert caught.value.location.file == __file__
