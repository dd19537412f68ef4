"""ecs.ContainerImage.from_ecr: an image of an ecr.Repository (made here, imported, or in another stack) by tag or
digest, which lets the task's execution role pull from that repository only; from_ecr_repository folds into it."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import ecr, ecs
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

PULL = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
AUTH = {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
DIGEST = "sha256:" + "0123456789abcdef" * 4


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def image_of(app: App, task: ecs.FargateTaskDefinition, index: int = 0, stack: str = "Main") -> Any:
    return resources(app, stack)[task.resource.logical_id]["Properties"]["ContainerDefinitions"][index]["Image"]


def execution_statements(app: App, task: ecs.FargateTaskDefinition, stack: str = "Main") -> list[dict[str, Any]]:
    policy = resources(app, stack)[task.execution_role.default_policy.logical_id]
    return policy["Properties"]["PolicyDocument"]["Statement"]


@pytest.fixture
def repository(stack: Stack) -> ecr.Repository:
    return ecr.Repository(stack, "Api")


@pytest.fixture
def task(stack: Stack) -> ecs.FargateTaskDefinition:
    return ecs.FargateTaskDefinition(stack, "Task")


def test_an_image_of_a_repository_is_its_uri_and_tag_latest_by_default(app, repository, task):
    task.add_container("api", image=ecs.ContainerImage.from_ecr(repository), logging=False)

    assert image_of(app, task) == {"Fn::Join": ["", [{"Fn::GetAtt": ["ApiF70053CD", "RepositoryUri"]}, ":latest"]]}


def test_the_execution_role_may_pull_from_that_repository_only(app, repository, task):
    task.add_container("api", image=ecs.ContainerImage.from_ecr(repository, tag="v42"), logging=False)

    assert task.execution_role.resource.logical_id == "TaskExecutionRoleEF964934"
    assert execution_statements(app, task) == [
        {"Effect": "Allow", "Action": PULL, "Resource": {"Fn::GetAtt": ["ApiF70053CD", "Arn"]}}, AUTH]
    assert task.task_role.default_policy is None  # the code in the task gets nothing from it


def test_a_digest_pins_the_exact_image(app, repository, task):
    task.add_container("api", image=ecs.ContainerImage.from_ecr(repository, digest=DIGEST), logging=False)

    assert image_of(app, task) == {"Fn::Join": ["", [{"Fn::GetAtt": ["ApiF70053CD", "RepositoryUri"]}, f"@{DIGEST}"]]}


def test_two_containers_of_two_repositories_share_one_login_statement(app, stack, repository, task):
    other = ecr.Repository.from_repository_name(stack, "Sidecar", "team/sidecar")
    task.add_container("api", image=ecs.ContainerImage.from_ecr(repository, tag="v1"), logging=False)
    task.add_container("sidecar", image=ecs.ContainerImage.from_ecr(other, tag="v2"), logging=False)

    assert execution_statements(app, task) == [
        {"Effect": "Allow", "Action": PULL, "Resource": [
            {"Fn::GetAtt": ["ApiF70053CD", "Arn"]},
            {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/team/sidecar"}]},
        AUTH]
    assert image_of(app, task, 1) == {"Fn::Join": ["", [
        {"Ref": "AWS::AccountId"}, ".dkr.ecr.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"},
        "/team/sidecar:v2"]]}


def test_a_repository_of_another_stack_is_exported_and_imported():
    app = App(path_metadata=False)
    images = Stack(app, "Images")
    service = Stack(app, "Service")
    repository = ecr.Repository(images, "Api")
    task = ecs.FargateTaskDefinition(service, "Task")
    task.add_container("api", image=ecs.ContainerImage.from_ecr(repository, tag="v1"), logging=False)

    image = image_of(app, task, stack="Service")
    assert "Fn::ImportValue" in str(image) and image["Fn::Join"][1][1] == ":v1"
    assert "Fn::ImportValue" in str(execution_statements(app, task, stack="Service")[0]["Resource"])


def test_from_ecr_repository_with_an_ecr_repository_is_from_ecr(app, stack, repository):
    by_alias = ecs.FargateTaskDefinition(stack, "ByAlias")
    by_alias.add_container("api", image=ecs.ContainerImage.from_ecr_repository(repository, tag=DIGEST),
                           logging=False)
    direct = ecs.FargateTaskDefinition(stack, "Direct")
    direct.add_container("api", image=ecs.ContainerImage.from_ecr(repository, digest=DIGEST), logging=False)

    assert image_of(app, by_alias) == image_of(app, direct)
    assert execution_statements(app, by_alias) == execution_statements(app, direct)


@pytest.mark.parametrize("make, message", [
    (lambda r: ecs.ContainerImage.from_ecr(r, tag="v1", digest=DIGEST), "give tag or digest, not both"),
    (lambda r: ecs.ContainerImage.from_ecr(r, tag="-v1"), "is not an image tag"),
    (lambda r: ecs.ContainerImage.from_ecr(r, tag="v" * 129), "is not an image tag"),
    (lambda r: ecs.ContainerImage.from_ecr(r, digest="sha256:abc"), "is not an image digest"),
    (lambda r: ecs.ContainerImage.from_ecr("shop/api"),  # type: ignore[arg-type]
     "from_ecr takes an ecr.Repository"),
    (lambda r: ecs.ContainerImage.from_ecr_repository(r, tag="sha256:abc"), "is not an image digest"),
])
def test_bad_images_are_errors_at_the_users_line(repository, make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make(repository)
    assert caught.value.location.file == __file__


def test_a_service_image_from_ecr_passes_cfn_lint_and_iacs_checks_cleanly():
    app = App()
    stack = Stack(app, "Main")
    repository = ecr.Repository(stack, "Api", lifecycle_rules=[ecr.LifecycleRule(max_image_count=20)])
    task = ecs.FargateTaskDefinition(stack, "Task")
    task.add_container("api", image=ecs.ContainerImage.from_ecr(repository, tag="v42"), port_mappings=[8080])

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False, strict=True)

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
