"""ecs: Fargate sizes, task definitions with their roles, containers, logs and secrets, clusters and
services, and the errors for what ECS or Fargate would refuse."""

from __future__ import annotations

import re
from typing import Any

import pytest

from iac import App, CfnResource, ConstructError, Duration, Size, Stack, ValidationError
from iac.constructs import ec2, ecs, elbv2, iam, logs
from iac.errors import UsageError
from iac.specs import property_enum, property_length, property_pattern
from iac.synth import synthesize
from iac.synth.lint import lint_template

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
ACCOUNT_PREFIX = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
IMAGE = ecs.ContainerImage.from_registry("amazon/amazon-ecs-sample")


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def props(app: App, resource: Any) -> dict[str, Any]:
    return resources(app)[resource.logical_id].get("Properties", {})


def container_entry(app: App, task: ecs.FargateTaskDefinition, index: int = 0) -> dict[str, Any]:
    return props(app, task.resource)["ContainerDefinitions"][index]


def statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    return props(app, role.default_policy)["PolicyDocument"]["Statement"]


@pytest.fixture
def task(stack: Stack) -> ecs.FargateTaskDefinition:
    return ecs.FargateTaskDefinition(stack, "Task")


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2)


# -- Fargate sizes ---------------------------------------------------------------------------------


def test_the_fargate_sizes_come_from_cfn_lints_data():
    table = ecs.fargate_cpu_memory()

    assert table[256] == (512, 1024, 2048)
    assert table[512] == (1024, 2048, 3072, 4096)
    assert table[4096][0] == 8192 and table[4096][-1] == 30720
    assert table[16384][:2] == (32768, 40960)


@pytest.mark.parametrize("cpu, memory", [(256, 512), (256, 2048), (512, 4096), (1024, 8192), (2048, 4096),
                                         (4096, 30720), (8192, 61440), (16384, 122880)])
def test_pairs_fargate_accepts_are_written_as_strings(app, stack, cpu, memory):
    task = ecs.FargateTaskDefinition(stack, "Task", cpu=cpu, memory_limit_mib=memory)
    task.add_container("web", image=IMAGE)

    properties = props(app, task.resource)
    assert (properties["Cpu"], properties["Memory"]) == (str(cpu), str(memory))


@pytest.mark.parametrize("cpu, memory, valid", [
    (256, 4096, "512, 1024, 2048"),
    (256, 256, "512, 1024, 2048"),
    (512, 512, "1024, 2048, 3072, 4096"),
    (1024, 1024, "2048 to 8192 in steps of 1024"),
    (4096, 31744, "8192 to 30720 in steps of 1024"),
    (8192, 18432, "16384 to 61440 in steps of 4096"),
])
def test_a_wrong_pair_names_the_valid_memory_values_for_that_cpu(stack, cpu, memory, valid):
    with pytest.raises(ConstructError) as caught:
        ecs.FargateTaskDefinition(stack, "Task", cpu=cpu, memory_limit_mib=memory)
    assert f"Fargate does not accept memory_limit_mib {memory} with cpu {cpu}" in caught.value.message
    assert caught.value.message.endswith(f"the valid memory values (MiB) are {valid}")
    assert caught.value.location.file == __file__


def test_an_unknown_cpu_lists_the_fargate_cpu_values(stack):
    with pytest.raises(ConstructError, match=r"cpu 300 is not a Fargate size; use one of 256, 512, 1024, 2048, "
                                             r"4096, 8192, 16384") as caught:
        ecs.FargateTaskDefinition(stack, "Task", cpu=300, memory_limit_mib=512)
    assert caught.value.location.file == __file__


def test_fargate_size_check_agrees_with_cfn_lint_e3047():
    """Every pair iac accepts, cfn-lint accepts too; a pair iac refuses, cfn-lint refuses."""
    def lint(cpu: int, memory: int) -> list[str]:
        app = App()
        stack = Stack(app, "Main")
        CfnResource(stack, "Task", type="AWS::ECS::TaskDefinition", properties={
            "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": str(cpu),
            "Memory": str(memory), "ContainerDefinitions": [{"Name": "a", "Image": "nginx"}]})
        return [f.rule_id for f in lint_template(synthesize(app).stack("Main").body, "us-east-1")]

    assert lint(2048, 16384) == []
    assert "E3047" in lint(2048, 17408)


# -- task definitions and containers ---------------------------------------------------------------


def test_a_task_definition_is_fargate_awsvpc_with_a_task_role(app, task):
    task.add_container("web", image=IMAGE, logging=False)

    properties = props(app, task.resource)
    assert properties["RequiresCompatibilities"] == ["FARGATE"]
    assert properties["NetworkMode"] == "awsvpc"
    assert properties["TaskRoleArn"] == {"Fn::GetAtt": [task.task_role.resource.logical_id, "Arn"]}
    role = props(app, task.task_role.resource)
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    assert "ExecutionRoleArn" not in properties  # nothing for ECS to pull, log or read: no execution role
    assert task.execution_role is None


def test_a_container_writes_image_ports_environment_and_command(app, task):
    task.add_container("web", image=IMAGE, port_mappings=[80, ecs.PortMapping(8125, "udp")],
                       environment={"MODE": "prod", "WORKERS": 4}, command=["serve", "--port", "80"], logging=False)

    assert container_entry(app, task) == {
        "Name": "web",
        "Image": "amazon/amazon-ecs-sample",
        "Essential": True,
        "PortMappings": [{"ContainerPort": 80, "Protocol": "tcp"}, {"ContainerPort": 8125, "Protocol": "udp"}],
        "Environment": [{"Name": "MODE", "Value": "prod"}, {"Name": "WORKERS", "Value": "4"}],
        "Command": ["serve", "--port", "80"],
    }


def test_a_container_logs_to_its_own_log_group_and_the_execution_role_may_write_there(app, task):
    container = task.add_container("web", image=IMAGE)

    assert container_entry(app, task)["LogConfiguration"] == {"LogDriver": "awslogs", "Options": {
        "awslogs-group": {"Ref": container.log_group.resource.logical_id},
        "awslogs-stream-prefix": "web",
        "awslogs-region": {"Ref": "AWS::Region"}}}
    assert container.log_group.path == "Main/Task/web/LogGroup"
    assert props(app, container.log_group.resource)["RetentionInDays"] == logs.RetentionDays.TWO_YEARS
    assert statements(app, task.execution_role) == [{
        "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": {"Fn::GetAtt": [container.log_group.resource.logical_id, "Arn"]}}]


def test_log_retention_and_stream_prefix_can_be_chosen(app, task):
    container = task.add_container("web", image=IMAGE, logging=ecs.LogDriver.aws_logs(
        stream_prefix="api", retention_days=logs.RetentionDays.ONE_WEEK))

    assert props(app, container.log_group.resource)["RetentionInDays"] == 7
    assert container_entry(app, task)["LogConfiguration"]["Options"]["awslogs-stream-prefix"] == "api"


def test_log_retention_takes_a_duration_and_is_checked_by_the_log_group(app, task):
    container = task.add_container("web", image=IMAGE, logging=ecs.LogDriver.aws_logs(retention_days=Duration.days(30)))

    assert props(app, container.log_group.resource)["RetentionInDays"] == 30
    with pytest.raises(ConstructError, match=r"retention_days: 10 is not one of .*\(nearest: 7\)") as caught:
        task.add_container("api", image=IMAGE, logging=ecs.LogDriver.aws_logs(retention_days=10))
    assert caught.value.location.file == __file__


def test_an_ecr_image_lets_the_execution_role_pull_from_that_repository_only(app, task):
    task.add_container("web", image=ecs.ContainerImage.from_ecr_repository("shop/web", tag="v7"), logging=False)

    repository_arn = {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/shop/web"}
    assert sorted(statements(app, task.execution_role), key=str) == sorted([
        {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage",
                                       "ecr:GetDownloadUrlForLayer"], "Resource": repository_arn},
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
    ], key=str)
    assert container_entry(app, task)["Image"] == {"Fn::Join": ["", [
        {"Ref": "AWS::AccountId"}, ".dkr.ecr.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"},
        "/shop/web:v7"]]}


def test_an_ecr_repository_resource_and_a_digest(app, stack, task):
    repository = CfnResource(stack, "Repo", type="AWS::ECR::Repository")
    task.add_container("web", image=ecs.ContainerImage.from_ecr_repository(repository, tag="sha256:abc"),
                       logging=False)

    assert container_entry(app, task)["Image"] == {"Fn::Join": ["", [
        {"Fn::GetAtt": ["Repo", "RepositoryUri"]}, "@sha256:abc"]]}


def test_grants_to_the_task_definition_go_to_the_task_role(app, stack, task):
    task.add_container("web", image=IMAGE, logging=False)
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")
    iam.grant(task, actions=["sqs:SendMessage"], resources=[queue.get_att("Arn")], scope=queue)

    assert statements(app, task.task_role)[0]["Action"] == "sqs:SendMessage"


@pytest.mark.parametrize("container_props, message", [
    ({"image": "nginx"}, "image"),
    ({"image": IMAGE, "port_mappings": [70000]}, "container_port"),
    ({"image": IMAGE, "port_mappings": [80, 80]}, "lists a port twice"),
    ({"image": IMAGE, "environment": {"A": True}}, r"environment must be Mapping\[str, str \| int \| float \| Token\] "
                                                   r"\| None, .*the value of 'A' is bool True"),
    ({"image": IMAGE, "logging": "awslogs"}, r"logging must be bool \| AwsLogDriver, got str 'awslogs'"),
    ({"image": IMAGE, "environment": {"A": "1"}, "secrets": {"A": "{{resolve:ssm:/a}}"}}, "both environment"),
])
def test_bad_container_arguments_are_errors_at_the_users_line(task, container_props, message):
    with pytest.raises(ConstructError, match=message) as caught:
        task.add_container("web", **container_props)
    assert caught.value.location.file == __file__


def test_two_containers_with_one_name_are_refused(task):
    task.add_container("web", image=IMAGE)
    with pytest.raises(ConstructError, match="already"):
        task.add_container("web", image=IMAGE)


def test_a_task_definition_without_containers_is_a_validation_problem(app, task):
    with pytest.raises(ValidationError, match="Main/Task has no containers"):
        synthesize(app)


# -- secrets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["hunter2", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x",
                                   "{{resolve:s3:bucket/key}}"])
def test_secrets_refuse_literal_values(task, value):
    with pytest.raises(ConstructError, match="secret 'DB_PASSWORD' of container 'web': a secret must be a dynamic "
                                             "reference .* never a literal value") as caught:
        task.add_container("web", image=IMAGE, secrets={"DB_PASSWORD": value})
    assert caught.value.location.file == __file__
    assert "Secrets Manager or SSM Parameter Store" in caught.value.hint


def test_a_secret_that_is_neither_a_string_nor_a_secret_is_refused_by_its_type(task):
    with pytest.raises(ConstructError, match=r"secrets must be Mapping\[str, str \| Secret\] \| None, .*the value "
                                             "of 'DB_PASSWORD' is int 42") as caught:
        task.add_container("web", image=IMAGE, secrets={"DB_PASSWORD": 42})
    assert caught.value.location.file == __file__


def test_secrets_refuse_deploy_time_values_that_are_not_secret_objects(stack, task):
    parameter = CfnResource(stack, "Param", type="AWS::SSM::Parameter", properties={"Type": "String", "Value": "x"})
    with pytest.raises(ConstructError, match="never a literal value"):
        task.add_container("web", image=IMAGE, secrets={"TOKEN": f"{parameter.get_att('Value')}"})
    with pytest.raises(ConstructError, match="the value of 'TOKEN' is AttributeReference"):
        task.add_container("web", image=IMAGE, secrets={"TOKEN": parameter.get_att("Value")})


def test_a_secrets_manager_reference_becomes_an_ecs_secret_and_a_scoped_grant(app, task):
    task.add_container("web", image=IMAGE, logging=False,
                       secrets={"DB_PASSWORD": "{{resolve:secretsmanager:prod/db:SecretString:password}}"})

    assert container_entry(app, task)["Secrets"] == [
        {"Name": "DB_PASSWORD", "ValueFrom": {"Fn::Sub": ACCOUNT_PREFIX + "prod/db:password::"}}]
    assert statements(app, task.execution_role) == [{
        "Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
        "Resource": {"Fn::Sub": ACCOUNT_PREFIX + "prod/db-??????"}}]


def test_a_secrets_manager_reference_by_arn_keeps_the_arn(app, task):
    task.add_container("web", image=IMAGE, logging=False,
                       secrets={"ALL": f"{{{{resolve:secretsmanager:{SECRET_ARN}}}}}",
                                "USER": f"{{{{resolve:secretsmanager:{SECRET_ARN}:SecretString:user:AWSCURRENT}}}}"})

    assert container_entry(app, task)["Secrets"] == [
        {"Name": "ALL", "ValueFrom": SECRET_ARN}, {"Name": "USER", "ValueFrom": SECRET_ARN + ":user:AWSCURRENT:"}]
    assert statements(app, task.execution_role)[0]["Resource"] == SECRET_ARN


@pytest.mark.parametrize("reference", ["{{resolve:ssm-secure:/app/api-key}}", "{{resolve:ssm:/app/api-key}}"])
def test_an_ssm_reference_becomes_the_parameters_arn(app, task, reference):
    task.add_container("web", image=IMAGE, logging=False, secrets={"API_KEY": reference})

    arn = {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/api-key"}
    assert container_entry(app, task)["Secrets"] == [{"Name": "API_KEY", "ValueFrom": arn}]
    assert statements(app, task.execution_role) == [{"Effect": "Allow", "Action": "ssm:GetParameters",
                                                     "Resource": arn}]


def test_secret_objects_are_accepted(app, stack, task):
    secret = CfnResource(stack, "Db", type="AWS::SecretsManager::Secret")
    task.add_container("web", image=IMAGE, logging=False, secrets={
        "DB": ecs.Secret.from_secrets_manager(secret.ref, field="password"),
        "KEY": ecs.Secret.from_ssm_parameter("app-key")})

    assert container_entry(app, task)["Secrets"] == [
        {"Name": "DB", "ValueFrom": {"Fn::Join": ["", [{"Ref": "Db"}, ":password::"]]}},
        {"Name": "KEY", "ValueFrom": {
            "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app-key"}}]


def test_a_parameter_version_is_refused(task):
    with pytest.raises(ConstructError, match="ECS reads the latest version"):
        task.add_container("web", image=IMAGE, secrets={"K": "{{resolve:ssm:/app/key:3}}"})


def test_a_secret_reference_in_the_environment_is_refused(task):
    with pytest.raises(ConstructError, match="holds a secret reference.*pass it as secrets=") as caught:
        task.add_container("web", image=IMAGE,
                           environment={"DB_PASSWORD": "{{resolve:secretsmanager:prod/db:SecretString:password}}"})
    assert caught.value.location.file == __file__


# -- clusters --------------------------------------------------------------------------------------


@pytest.mark.parametrize("insights, value", [(True, "enabled"), (False, "disabled"), ("enhanced", "enhanced")])
def test_container_insights_is_a_cluster_setting(app, stack, vpc, insights, value):
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc, container_insights=insights)

    assert props(app, cluster.resource) == {"ClusterSettings": [{"Name": "containerInsights", "Value": value}]}


def test_a_cluster_without_options_leaves_the_account_setting_in_charge(app, stack, vpc):
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)

    assert "Properties" not in resources(app)[cluster.resource.logical_id]


# -- services --------------------------------------------------------------------------------------


@pytest.fixture
def service_parts(stack: Stack, vpc: ec2.Vpc) -> tuple[ecs.Cluster, ecs.FargateTaskDefinition]:
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    task = ecs.FargateTaskDefinition(stack, "Task")
    task.add_container("web", image=IMAGE, port_mappings=[8080])
    return cluster, task


def test_a_service_runs_in_private_subnets_with_rollback_on_failure(app, stack, vpc, service_parts):
    cluster, task = service_parts
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task, desired_count=2)

    properties = props(app, service.resource)
    assert properties == {
        "Cluster": {"Ref": cluster.resource.logical_id},
        "TaskDefinition": {"Ref": task.resource.logical_id},
        "LaunchType": "FARGATE",
        "DesiredCount": 2,
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "AssignPublicIp": "DISABLED",
            "SecurityGroups": [{"Fn::GetAtt": [service.security_group.resource.logical_id, "GroupId"]}],
            "Subnets": [{"Ref": s.resource.logical_id} for s in vpc.private_subnets]}},
        "DeploymentConfiguration": {"MaximumPercent": 200, "MinimumHealthyPercent": 100,
                                    "DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}},
        "DeploymentController": {"Type": "ECS"},
    }


def test_a_service_waits_for_its_grants_and_its_way_out(app, stack, vpc, service_parts):
    cluster, task = service_parts
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task)

    expected = [task.execution_role.default_policy.logical_id]
    for subnet in vpc.private_subnets:
        expected += [subnet.default_route.logical_id, subnet.route_table_association.logical_id]
    assert resources(app)[service.resource.logical_id]["DependsOn"] == expected


def test_a_services_group_lets_nothing_in_and_only_https_out(app, stack, service_parts):
    cluster, task = service_parts
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task)

    assert props(app, service.security_group.resource) == {
        "GroupDescription": "Main/Service/SecurityGroup",
        "VpcId": {"Ref": cluster.vpc.resource.logical_id},
        "SecurityGroupEgress": [{"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                 "Description": "HTTPS out: image pulls, logs and AWS APIs"}]}


def test_code_deploy_services_cannot_use_the_circuit_breaker(stack, service_parts):
    cluster, task = service_parts
    with pytest.raises(ConstructError, match="circuit breaker works only with the ECS deployment controller"):
        ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task,
                           deployment_controller="CODE_DEPLOY")
    service = ecs.FargateService(stack, "Blue", cluster=cluster, task_definition=task,
                                 deployment_controller="CODE_DEPLOY", circuit_breaker=False)
    assert service.props.deployment_controller == "CODE_DEPLOY"


def test_attaching_to_a_target_group_adds_the_load_balancer_and_a_grace_period(app, stack, vpc, service_parts):
    cluster, task = service_parts
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task)
    group = elbv2.ApplicationTargetGroup(stack, "Group", vpc=vpc, port=8080)
    lb = elbv2.ApplicationLoadBalancer(stack, "LB", vpc=vpc)
    listener = lb.add_listener("Http", default_action=elbv2.ListenerAction.forward([group]))
    service.attach_to_target_group(group)

    entry = resources(app)[service.resource.logical_id]
    assert entry["Properties"]["LoadBalancers"] == [
        {"ContainerName": "web", "ContainerPort": 8080, "TargetGroupArn": {"Ref": group.resource.logical_id}}]
    assert entry["Properties"]["HealthCheckGracePeriodSeconds"] == 60
    assert listener.resource.logical_id in entry["DependsOn"]


def test_attaching_a_port_the_container_does_not_map_is_an_error_at_the_users_line(stack, vpc, service_parts):
    cluster, task = service_parts
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task)
    group = elbv2.ApplicationTargetGroup(stack, "Group", vpc=vpc, port=80)
    with pytest.raises(ConstructError, match=r"does not map tcp port 80 \(it maps \[8080\]\)") as caught:
        service.attach_to_target_group(group, container_port=80)
    assert caught.value.location.file == __file__
    instances = elbv2.ApplicationTargetGroup(stack, "Instances", vpc=vpc, port=8080, target_type="instance")
    with pytest.raises(ConstructError, match="target_type='ip'"):
        service.attach_to_target_group(instances)


def test_a_service_and_task_definition_pass_cfn_lint_with_no_findings():
    app = App()
    stack = Stack(app, "Main")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc, container_insights=True)
    task = ecs.FargateTaskDefinition(stack, "Task", cpu=1024, memory_limit_mib=4096, cpu_architecture="ARM64")
    task.add_container("web", image=ecs.ContainerImage.from_ecr_repository("shop/web"), port_mappings=[8080],
                       secrets={"DB": "{{resolve:secretsmanager:prod/db:SecretString:password}}"},
                       environment={"MODE": "prod"})
    task.add_container("sidecar", image=IMAGE, essential=False, memory_reservation_mib=64)
    ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task, desired_count=2)

    assert lint_template(synthesize(app).stack("Main").body, "us-east-1") == []


# -- props: declared in the signatures, bound to the schemas ---------------------------------------


@pytest.mark.parametrize("make, message, hint", [
    (lambda s, parts: parts[1].add_container("web", imag=IMAGE),
     "add_container of FargateTaskDefinition 'Main/Task' has no argument 'imag'", "did you mean image?"),
    (lambda s, parts: ecs.FargateTaskDefinition(s, "Other", memory_limit=1024),
     "FargateTaskDefinition 'Other' has no argument 'memory_limit'", "did you mean memory_limit_mib?"),
    (lambda s, parts: ecs.Cluster(s, "Other", vpc=parts[0].vpc, container_insight=True),
     "Cluster 'Other' has no argument 'container_insight'", "did you mean container_insights?"),
    (lambda s, parts: ecs.FargateService(s, "Service", cluster=parts[0], task_definition=parts[1], desired_cont=2),
     "FargateService 'Service' has no argument 'desired_cont'", "did you mean desired_count?"),
])
def test_a_misspelt_prop_names_the_closest_one_at_the_users_line(stack, service_parts, make, message, hint):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack, service_parts)
    assert caught.value.hint == hint
    assert caught.value.location.file == __file__


def test_add_container_without_an_image_names_it(task):
    with pytest.raises(ConstructError, match="add_container of FargateTaskDefinition 'Main/Task' needs the argument "
                                             "image=") as caught:
        task.add_container("web")
    assert caught.value.location.file == __file__
    assert task.containers == []


def test_sizes_and_durations_arrive_in_the_propertys_unit(app, stack, service_parts):
    cluster, _ = service_parts
    task = ecs.FargateTaskDefinition(stack, "Big", cpu=1024, memory_limit_mib=Size.gibibytes(4))
    task.add_container("web", image=IMAGE, memory_limit_mib=Size.gibibytes(1),
                       memory_reservation_mib=Size.mebibytes(256))
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task,
                                 health_check_grace_period_seconds=Duration.minutes(2))

    assert props(app, task.resource)["Memory"] == "4096"
    assert (container_entry(app, task)["Memory"], container_entry(app, task)["MemoryReservation"]) == (1024, 256)
    assert props(app, service.resource)["HealthCheckGracePeriodSeconds"] == 120
    assert service.props.health_check_grace_period_seconds == 120


def test_enums_the_schema_holds_below_the_top_level_are_read_from_it(stack, task):
    architectures = property_enum("AWS::ECS::TaskDefinition", "RuntimePlatform", "CpuArchitecture")
    assert "ARM64" in architectures
    with pytest.raises(ConstructError, match=r"cpu_architecture: 'arm64' is not one of .*\(did you mean 'ARM64'\?\) "
                                             r"\(AWS::ECS::TaskDefinition RuntimePlatform.CpuArchitecture, per its "
                                             r"schema\)") as caught:
        ecs.FargateTaskDefinition(stack, "Arm", cpu_architecture="arm64")
    assert caught.value.location.file == __file__
    for architecture in architectures:
        ecs.FargateTaskDefinition(stack, f"Task{architecture}", cpu_architecture=architecture)
    protocols = property_enum("AWS::ECS::TaskDefinition", "ContainerDefinitions", "PortMappings", "Protocol")
    assert [ecs.PortMapping(80, protocol).protocol for protocol in protocols] == list(protocols)
    with pytest.raises(ValueError, match=r"port mapping protocol: 'sctp' is not one of"):
        ecs.PortMapping(80, "sctp")


@pytest.mark.parametrize("make, message", [
    (lambda s, parts: ecs.FargateService(s, "S", cluster=parts[0], task_definition=parts[1],
                                         deployment_controller="EXTERNAL", circuit_breaker=False),
     r"deployment_controller must be 'ECS' \| 'CODE_DEPLOY', got str 'EXTERNAL'"),
    (lambda s, parts: ecs.FargateService(s, "S", cluster=parts[0], task_definition=parts[1], min_healthy_percent=101),
     "min_healthy_percent: 101 is not from 0 to 100%"),
    (lambda s, parts: ecs.FargateService(s, "S", cluster=parts[0], task_definition=parts[1], desired_count=-1),
     "desired_count: -1 is not from 0 to"),
    (lambda s, parts: ecs.FargateService(s, "S", cluster=parts[0], task_definition=parts[1],
                                         health_check_grace_period_seconds=Duration.millis(1500)),
     "health_check_grace_period_seconds: 1500 milliseconds is not a whole number of seconds"),
    (lambda s, parts: ecs.FargateService(s, "S", cluster=parts[0], task_definition="task"),
     "task_definition must be FargateTaskDefinition, got str 'task'"),
    (lambda s, parts: ecs.Cluster(s, "C", vpc=parts[0].vpc, container_insights="on"),
     r"container_insights must be bool \| 'enhanced' \| None, got str 'on'"),
    (lambda s, parts: ecs.Cluster(s, "C", vpc=parts[0].vpc, cluster_name="my cluster"),
     "cluster_name: 'my cluster' is not a cluster name"),
    (lambda s, parts: ecs.FargateTaskDefinition(s, "T", family="web/app"),
     "family: 'web/app' is not a task definition family"),
    (lambda s, parts: ecs.FargateTaskDefinition(s, "T", task_role="arn:aws:iam::123456789012:role/x"),
     r"task_role must be Role \| None, got str"),
    (lambda s, parts: parts[1].add_container("big", image=IMAGE, memory_limit_mib=Size.kibibytes(5)),
     "memory_limit_mib: 5 KiB is not a whole number of mebibytes"),
    (lambda s, parts: parts[1].add_container("big", image=IMAGE, cpu=40000),
     "cpu: 40000 is not from 0 to 32768"),
    (lambda s, parts: parts[1].add_container("bad name", image=IMAGE),
     "container name 'bad name' must be 1-255 letters"),
])
def test_bad_props_are_errors_at_the_users_line(stack, service_parts, make, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make(stack, service_parts)
    assert caught.value.location.file == __file__


@pytest.mark.parametrize("name", ["Shop/Web", "shop//web", "-shop", "a"])
def test_ecr_repository_names_follow_the_repository_schemas_pattern(name):
    pattern = property_pattern("AWS::ECR::Repository", "RepositoryName")
    assert pattern is not None and not re.search(pattern, name)
    with pytest.raises(ConstructError, match="from_ecr_repository needs a repository name") as caught:
        ecs.ContainerImage.from_ecr_repository(name)
    assert caught.value.location.file == __file__


def test_unreadable_fargate_sizes_are_a_usage_error_not_a_guess(monkeypatch):
    import iac.specs

    def missing(folder: str, name: str) -> Any:
        raise OSError(f"no {folder}/{name}.json")

    monkeypatch.setattr(iac.specs, "schema_extension", missing)
    ecs.fargate_cpu_memory.cache_clear()
    try:
        with pytest.raises(UsageError, match=r"Fargate cpu/memory table .*fargate_cpu_memory.json\) could not be read "
                                             r"\(OSError: no aws_ecs_taskdefinition/fargate_cpu_memory.json\)"):
            ecs.fargate_cpu_memory()
    finally:
        monkeypatch.undo()
        ecs.fargate_cpu_memory.cache_clear()
    assert ecs.fargate_cpu_memory()[256] == (512, 1024, 2048)


@pytest.mark.parametrize("make, resource_type", [
    (ecs.Secret.from_secrets_manager, "AWS::SecretsManager::Secret"),
    (ecs.Secret.from_ssm_parameter, "AWS::SSM::Parameter"),
])
def test_secret_and_parameter_names_are_as_long_as_their_schemas_allow(make, resource_type):
    longest = property_length(resource_type, "Name")[1]
    assert longest is not None
    make("a" * longest)
    with pytest.raises(ConstructError, match="needs a") as caught:
        make("a" * (longest + 1))
    assert caught.value.location.file == __file__


def test_attaching_to_something_that_is_not_a_target_group_is_an_error_at_the_users_line(stack, service_parts):
    cluster, task = service_parts
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task)
    with pytest.raises(ConstructError, match="attach_to_target_group needs a target group such as an "
                                             "elbv2.ApplicationTargetGroup, got str") as caught:
        service.attach_to_target_group("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/1")
    assert caught.value.location.file == __file__
