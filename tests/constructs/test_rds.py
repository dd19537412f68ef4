"""rds: DatabaseInstance and DatabaseCluster output and their protective defaults, security groups wired
both ways through `connections`, the managed secret's grant, parameter groups, and the errors (with a few
closest matches) for engines, versions and instance classes cfn-lint's data does not know."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, CfnResource, ConstructError, Duration, Stack
from iac.constructs import awslambda, ec2, ecs, iam, kms, rds
from iac.constructs.connections import Connections
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

POSTGRES = "17.9"  # a current version in cfn-lint's data
AURORA_POSTGRES = "16.9"
AURORA_MYSQL = "8.0.mysql_aurora.3.08.2"
NO_TRAFFIC = [{"CidrIp": "255.255.255.255/32", "Description": "Disallow all traffic", "IpProtocol": "icmp",
               "FromPort": 252, "ToPort": 86}]


@pytest.fixture
def vpc(stack: Stack) -> ec2.Vpc:
    return ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)


def postgres(stack: Stack, vpc: ec2.Vpc, id: str = "Db", **props: Any) -> rds.DatabaseInstance:
    props.setdefault("engine_version", POSTGRES)
    props.setdefault("instance_class", "db.t4g.micro")
    return rds.DatabaseInstance(stack, id, engine="postgres", vpc=vpc, **props)


def aurora(stack: Stack, vpc: ec2.Vpc, id: str = "Cluster", **props: Any) -> rds.DatabaseCluster:
    props.setdefault("engine", "aurora-postgresql")
    props.setdefault("engine_version", AURORA_POSTGRES)
    props.setdefault("writer", rds.ClusterInstance.serverless_v2())
    return rds.DatabaseCluster(stack, id, vpc=vpc, **props)


def resources(app: App) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"]


def ref(resource: Any) -> dict[str, Any]:
    return {"Ref": resource.logical_id}


def group_id(group: ec2.SecurityGroup) -> dict[str, Any]:
    return {"Fn::GetAtt": [group.resource.logical_id, "GroupId"]}


def function(stack: Stack, id: str = "Reader") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_PYTHON_RUNTIME,
                              code=awslambda.Code.from_inline("def handler(event, context):\n    return None\n"))


# -- a database instance ------------------------------------------------------------------------


def test_an_instance_is_private_encrypted_protected_backed_up_and_snapshotted(app, stack, vpc):
    db = postgres(stack, vpc)

    template = resources(app)
    group = db.connections.security_groups[0]
    subnet_group = db.find_child("SubnetGroup")
    assert template[db.resource.logical_id] == {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {
            "Engine": "postgres",
            "EngineVersion": POSTGRES,
            "DBInstanceClass": "db.t4g.micro",
            "AllocatedStorage": "20",
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "MultiAZ": False,
            "Port": "5432",
            "DBSubnetGroupName": ref(subnet_group),
            "VPCSecurityGroups": [group_id(group)],
            "PubliclyAccessible": False,
            "MasterUsername": "dbadmin",
            "ManageMasterUserPassword": True,
            "BackupRetentionPeriod": 7,
            "CopyTagsToSnapshot": True,
            "DeletionProtection": True,
        },
        "DeletionPolicy": "Snapshot",
        "UpdateReplacePolicy": "Snapshot",
    }
    assert template[subnet_group.logical_id] == {
        "Type": "AWS::RDS::DBSubnetGroup",
        "Properties": {"DBSubnetGroupDescription": "Subnets of Main/Db",
                       "SubnetIds": [ref(vpc.private_subnets[0].resource), ref(vpc.private_subnets[1].resource)]},
    }
    assert template[group.resource.logical_id] == {
        "Type": "AWS::EC2::SecurityGroup",
        "Properties": {"GroupDescription": "Database Main/Db", "VpcId": ref(vpc.resource),
                       "SecurityGroupEgress": NO_TRAFFIC},
    }


def test_logical_ids_are_pinned(app, stack, vpc):
    postgres(stack, vpc)
    aurora(stack, vpc, readers=[rds.ClusterInstance.serverless_v2()])

    assert {"Db5D02A0A9", "DbSubnetGroup6F6C177A", "DbSecurityGroupC34ABFAB", "ClusterEB0386A7",
            "ClusterSubnetGroupAA68648A", "ClusterSecurityGroup0921994B", "ClusterWriterB127F451",
            "ClusterReader13AB9D4D2"} <= set(resources(app))


def test_endpoint_and_secret_attributes_are_the_resource_attributes(app, stack, vpc, echo):
    db = postgres(stack, vpc)
    cluster = aurora(stack, vpc)
    out = echo(stack, "Out", Address=db.endpoint_address, Port=db.endpoint_port, Secret=db.secret.secret_arn,
               Reader=cluster.reader_endpoint_address, Writer=cluster.endpoint_address)

    db_id, cluster_id = db.resource.logical_id, cluster.resource.logical_id
    properties = resources(app)[out.logical_id]["Properties"]
    assert {k: v for k, v in properties.items() if k != "ServiceToken"} == {
        "Address": {"Fn::GetAtt": [db_id, "Endpoint.Address"]}, "Port": {"Fn::GetAtt": [db_id, "Endpoint.Port"]},
        "Secret": {"Fn::GetAtt": [db_id, "MasterUserSecret.SecretArn"]},
        "Reader": {"Fn::GetAtt": [cluster_id, "ReadEndpoint.Address"]},
        "Writer": {"Fn::GetAtt": [cluster_id, "Endpoint.Address"]}}


def test_an_encryption_key_encrypts_the_storage_and_the_secret(app, stack, vpc):
    key = kms.Key(stack, "Key")
    db = postgres(stack, vpc, encryption_key=key)

    properties = resources(app)[db.resource.logical_id]["Properties"]
    key_arn = {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}
    assert properties["KmsKeyId"] == key_arn
    assert properties["MasterUserSecret"] == {"KmsKeyId": key_arn}
    assert properties["StorageEncrypted"] is True


def test_the_options_reach_the_instance(app, stack, vpc):
    db = postgres(stack, vpc, port=6543, allocated_storage=100, max_allocated_storage=500, storage_type="io2",
                  iops=3000, multi_az=True, database_name="orders", master_username="owner",
                  backup_retention=Duration.days(14), preferred_backup_window="03:00-04:00",
                  deletion_protection=False, removal_policy="destroy", instance_identifier="orders-db")

    entry = resources(app)[db.resource.logical_id]
    assert {k: entry["Properties"][k] for k in ("Port", "AllocatedStorage", "MaxAllocatedStorage", "StorageType",
                                                "Iops", "MultiAZ", "DBName", "MasterUsername", "BackupRetentionPeriod",
                                                "PreferredBackupWindow", "DeletionProtection",
                                                "DBInstanceIdentifier")} == {
        "Port": "6543", "AllocatedStorage": "100", "MaxAllocatedStorage": 500, "StorageType": "io2", "Iops": 3000,
        "MultiAZ": True, "DBName": "orders", "MasterUsername": "owner", "BackupRetentionPeriod": 14,
        "PreferredBackupWindow": "03:00-04:00", "DeletionProtection": False, "DBInstanceIdentifier": "orders-db"}
    assert (entry["DeletionPolicy"], entry["UpdateReplacePolicy"]) == ("Delete", "Delete")
    assert db.connections.default_port == ec2.Port.tcp(6543)


def test_mysql_listens_on_3306(app, stack, vpc):
    db = rds.DatabaseInstance(stack, "Db", engine="mysql", engine_version="8.4.7", instance_class="db.t4g.micro",
                              vpc=vpc)

    assert resources(app)[db.resource.logical_id]["Properties"]["Port"] == "3306"
    assert db.connections.default_port == ec2.Port.tcp(3306)


# -- a cluster ----------------------------------------------------------------------------------


def test_a_serverless_v2_cluster_has_its_capacity_range_and_a_writer_then_readers(app, stack, vpc):
    cluster = aurora(stack, vpc, readers=[rds.ClusterInstance.serverless_v2(promotion_tier=1)],
                     serverless_v2_min_capacity=0.5, serverless_v2_max_capacity=8)

    template = resources(app)
    group = cluster.connections.security_groups[0]
    assert template[cluster.resource.logical_id] == {
        "Type": "AWS::RDS::DBCluster",
        "Properties": {
            "Engine": "aurora-postgresql",
            "EngineVersion": AURORA_POSTGRES,
            "Port": 5432,
            "DBSubnetGroupName": ref(cluster.find_child("SubnetGroup")),
            "VpcSecurityGroupIds": [group_id(group)],
            "StorageEncrypted": True,
            "MasterUsername": "dbadmin",
            "ManageMasterUserPassword": True,
            "ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 8},
            "BackupRetentionPeriod": 7,
            "CopyTagsToSnapshot": True,
            "DeletionProtection": True,
        },
        "DeletionPolicy": "Snapshot",
        "UpdateReplacePolicy": "Snapshot",
    }
    assert template[cluster.writer.logical_id] == {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {"DBClusterIdentifier": ref(cluster.resource), "Engine": "aurora-postgresql",
                       "DBInstanceClass": "db.serverless", "PubliclyAccessible": False},
    }
    assert template[cluster.readers[0].logical_id] == {
        "Type": "AWS::RDS::DBInstance",
        "Properties": {"DBClusterIdentifier": ref(cluster.resource), "Engine": "aurora-postgresql",
                       "DBInstanceClass": "db.serverless", "PubliclyAccessible": False, "PromotionTier": 1},
        "DependsOn": [cluster.writer.logical_id],
    }
    assert cluster.writer.path == "Main/Cluster/Writer" and cluster.readers[0].path == "Main/Cluster/Reader1"


def test_a_provisioned_cluster_has_no_capacity_range_and_instances_keep_their_ids(app, stack, vpc):
    cluster = aurora(stack, vpc, engine="aurora-mysql", engine_version=AURORA_MYSQL,
                     writer=rds.ClusterInstance.provisioned("db.r6g.large", "Primary"),
                     readers=[rds.ClusterInstance.provisioned("db.r6g.large", "Replica")])

    template = resources(app)
    properties = template[cluster.resource.logical_id]["Properties"]
    assert "ServerlessV2ScalingConfiguration" not in properties
    assert properties["Port"] == 3306
    assert [cluster.writer.path, cluster.readers[0].path] == ["Main/Cluster/Primary", "Main/Cluster/Replica"]
    assert template[cluster.writer.logical_id]["Properties"]["DBInstanceClass"] == "db.r6g.large"


# -- connections --------------------------------------------------------------------------------


def test_allow_from_a_group_writes_the_databases_ingress_and_the_clients_egress(app, stack, vpc):
    db = postgres(stack, vpc)
    clients = ec2.SecurityGroup(stack, "Clients", vpc=vpc)

    db.connections.allow_default_port_from(clients)

    template = resources(app)
    db_group = db.connections.security_groups[0]
    ingress = [e for e in template.values() if e["Type"] == "AWS::EC2::SecurityGroupIngress"]
    egress = [e for e in template.values() if e["Type"] == "AWS::EC2::SecurityGroupEgress"]
    assert ingress == [{"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
        "GroupId": group_id(db_group), "SourceSecurityGroupId": group_id(clients), "IpProtocol": "tcp",
        "FromPort": 5432, "ToPort": 5432, "Description": "from Clients:5432"}}]
    assert egress == [{"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
        "GroupId": group_id(clients), "DestinationSecurityGroupId": group_id(db_group), "IpProtocol": "tcp",
        "FromPort": 5432, "ToPort": 5432, "Description": "to Db/SecurityGroup:5432"}}]


def test_allow_from_takes_a_service_with_a_security_group_another_database_or_connections(stack, vpc):
    db = postgres(stack, vpc)
    other = aurora(stack, vpc)

    class Service:  # what ecs.FargateService exposes
        security_group = ec2.SecurityGroup(stack, "Service", vpc=vpc)

    db.connections.allow_from(Service(), ec2.Port.tcp(5432))
    db.connections.allow_from(other, ec2.Port.tcp(5432))
    db.connections.allow_from(Connections(security_groups=[ec2.SecurityGroup(stack, "Jobs", vpc=vpc)]),
                              ec2.Port.tcp(5432))
    db.connections.allow_from(ec2.Peer.ipv4("10.0.0.0/24"), ec2.Port.tcp(5432))

    rules = db.connections.security_groups[0].ingress_rules
    assert [rule.peer_key for rule in rules] == [
        "group:Main/Service", "group:Main/Cluster/SecurityGroup", "group:Main/Jobs", "cidr:10.0.0.0/24"]
    assert [rule.peer_key for rule in Service.security_group.egress_rules] == ["group:Main/Db/SecurityGroup"]


def test_allow_from_something_with_no_security_group_says_so_at_the_callers_line(stack, vpc):
    db = postgres(stack, vpc)
    fn = function(stack)

    with pytest.raises(ConstructError, match="Main/Reader has no security groups") as caught:
        db.connections.allow_from(fn, ec2.Port.tcp(5432))

    assert caught.value.location is not None and caught.value.location.file.endswith("test_rds.py")


def test_given_security_groups_are_used_instead_of_a_new_one(app, stack, vpc):
    group = ec2.SecurityGroup(stack, "Shared", vpc=vpc)
    db = postgres(stack, vpc, security_groups=[group])

    assert db.connections.security_groups == [group]
    assert resources(app)[db.resource.logical_id]["Properties"]["VPCSecurityGroups"] == [group_id(group)]
    assert db.find_child("SecurityGroup") is None


# -- the secret ---------------------------------------------------------------------------------


def test_secret_grant_read_names_the_managed_secret_and_its_key_through_secrets_manager_only(app, stack, vpc):
    key = kms.Key(stack, "Key")
    db = postgres(stack, vpc, encryption_key=key)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))

    db.secret.grant_read(role)

    statements = resources(app)[role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statements == [
        {"Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
         "Resource": {"Fn::GetAtt": [db.resource.logical_id, "MasterUserSecret.SecretArn"]}},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]},
         "Condition": {"StringEquals": {"kms:ViaService": {
             "Fn::Join": ["", ["secretsmanager.", {"Ref": "AWS::Region"}, ".amazonaws.com"]]}}}},
    ]


# -- parameter groups ---------------------------------------------------------------------------


def test_a_parameter_group_becomes_the_kind_each_database_needs(app, stack, vpc):
    instance_params = rds.ParameterGroup(stack, "Params", engine="postgres", engine_version=POSTGRES,
                                         parameters={"log_min_duration_statement": 500, "rds.force_ssl": True})
    cluster_params = rds.ParameterGroup(stack, "ClusterParams", engine="aurora-postgresql",
                                        engine_version=AURORA_POSTGRES, parameters={"timezone": "UTC"})
    db = postgres(stack, vpc, parameter_group=instance_params)
    cluster = aurora(stack, vpc, parameter_group=cluster_params)

    template = resources(app)
    instance_group = instance_params.find_child("Instance")
    cluster_group = cluster_params.find_child("Cluster")
    assert template[instance_group.logical_id] == {"Type": "AWS::RDS::DBParameterGroup", "Properties": {
        "Family": "postgres17", "Description": "Main/Params",
        "Parameters": {"log_min_duration_statement": "500", "rds.force_ssl": "1"}}}
    assert template[cluster_group.logical_id] == {"Type": "AWS::RDS::DBClusterParameterGroup", "Properties": {
        "Family": "aurora-postgresql16", "Description": "Main/ClusterParams", "Parameters": {"timezone": "UTC"}}}
    assert template[db.resource.logical_id]["Properties"]["DBParameterGroupName"] == ref(instance_group)
    assert template[cluster.resource.logical_id]["Properties"]["DBClusterParameterGroupName"] == ref(cluster_group)


def test_an_unused_parameter_group_adds_nothing(stack):
    params = rds.ParameterGroup(stack, "Params", engine="mysql", engine_version="8.4.7",
                                parameters={"max_connections": 200})

    assert [child for child in params.walk() if isinstance(child, CfnResource)] == []


@pytest.mark.parametrize(("engine", "version", "family"), [
    ("postgres", "17.9", "postgres17"), ("postgres", "9.6.24", "postgres9.6"), ("mysql", "8.4.7", "mysql8.4"),
    ("aurora-mysql", AURORA_MYSQL, "aurora-mysql8.0"), ("aurora-postgresql", "16.9", "aurora-postgresql16"),
])
def test_the_family_follows_the_engine_version(engine, version, family):
    assert rds.parameter_group_family(engine, version) == family


def test_a_parameter_group_for_another_engine_is_refused(stack, vpc):
    params = rds.ParameterGroup(stack, "Params", engine="mysql", engine_version="8.4.7", parameters={"a": 1})

    with pytest.raises(ConstructError, match="is for mysql, but Main/Db runs postgres"):
        postgres(stack, vpc, parameter_group=params)


# -- what is refused ----------------------------------------------------------------------------


def error_for(build: Any) -> ConstructError:
    with pytest.raises(ConstructError) as caught:
        build()
    assert caught.value.location is not None and caught.value.location.file.endswith("test_rds.py")
    return caught.value


def suggestions(error: ConstructError) -> list[str]:
    return str(error).split("did you mean ")[1].split("?")[0].split(", ")


def test_an_unknown_engine_version_names_a_few_close_ones(stack, vpc):
    error = error_for(lambda: postgres(stack, vpc, engine_version="17.99"))

    assert "engine_version '17.99' of postgres is not a version RDS has" in str(error)
    assert "'17.9'" in suggestions(error) and len(suggestions(error)) <= rds.SUGGESTIONS


def test_a_deprecated_engine_version_is_refused_with_current_ones(stack, vpc):
    error = error_for(lambda: aurora(stack, vpc, engine_version="16.4"))

    assert "engine_version '16.4' of aurora-postgresql is deprecated" in str(error)
    assert "'16.4'" not in suggestions(error) and len(suggestions(error)) <= rds.SUGGESTIONS


def test_an_unknown_instance_class_names_a_few_close_ones(stack, vpc):
    error = error_for(lambda: postgres(stack, vpc, instance_class="db.t4g.mirco"))

    assert "instance_class 'db.t4g.mirco' is not an instance class postgres offers in us-east-1" in str(error)
    assert "'db.t4g.micro'" in suggestions(error) and len(suggestions(error)) <= rds.SUGGESTIONS


def test_a_cluster_instance_class_is_checked_for_the_aurora_engine(stack, vpc):
    error = error_for(lambda: aurora(stack, vpc, readers=[rds.ClusterInstance.provisioned("db.t4g.micro")]))

    assert "reader 1 instance_class 'db.t4g.micro' is not an instance class aurora-postgresql offers" in str(error)


def test_a_misspelt_engine_is_refused_with_the_engine_meant(stack, vpc):
    error = error_for(lambda: rds.DatabaseInstance(stack, "Db", engine="postgre", instance_class="db.t4g.micro",
                                                   vpc=vpc))

    assert "engine 'postgre' is not an RDS engine; did you mean 'postgres'" in str(error)


def test_an_instance_class_is_checked_for_the_engine_version_too(stack, vpc):
    error = error_for(lambda: aurora(stack, vpc, engine="aurora-mysql", engine_version="5.7.mysql_aurora.2.12.5"))

    assert "writer instance_class 'db.serverless' is not an instance class aurora-mysql 5.7.mysql_aurora.2.12.5 " \
           "runs on" in str(error)


def test_provisioned_iops_storage_needs_iops(stack, vpc):
    assert "storage_type 'io1' needs iops" in str(error_for(lambda: postgres(stack, vpc, storage_type="io1")))


def test_aurora_engines_need_a_cluster_and_clusters_need_aurora(stack, vpc):
    assert "use rds.DatabaseCluster" in str(error_for(lambda: rds.DatabaseInstance(
        stack, "Db", engine="aurora-mysql", instance_class="db.r6g.large", vpc=vpc)))
    assert "use rds.DatabaseInstance" in str(error_for(lambda: aurora(stack, vpc, engine="postgres",
                                                                      engine_version=POSTGRES)))


def test_public_subnets_and_a_single_zone_are_refused(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2)
    one_zone = ec2.Vpc(stack, "Small", max_azs=1)

    assert "a database belongs in private or isolated subnets" in str(error_for(lambda: postgres(
        stack, vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC))))
    assert "two availability zones at least" in str(error_for(lambda: postgres(stack, one_zone, "Db2")))


def test_backup_retention_is_bound_to_the_schema_and_the_engines_maximum(stack, vpc):
    assert "BackupRetentionPeriod" in str(error_for(lambda: aurora(stack, vpc, backup_retention=Duration.days(36))))
    assert "more than postgres keeps backups for" in str(error_for(lambda: postgres(
        stack, vpc, backup_retention=Duration.days(36))))
    assert "whole number of days" in str(error_for(lambda: postgres(stack, vpc, "Db3",
                                                                   backup_retention=Duration.hours(36))))


def test_serverless_capacity_comes_in_half_steps_and_in_order(stack, vpc):
    assert "half steps" in str(error_for(lambda: aurora(stack, vpc, serverless_v2_min_capacity=0.3)))
    assert "is above serverless_v2_max_capacity" in str(error_for(lambda: aurora(
        stack, vpc, serverless_v2_min_capacity=8, serverless_v2_max_capacity=2)))


def test_the_snapshot_policy_is_offered_and_other_words_are_not(stack, vpc):
    assert "removal_policy must be 'retain' | 'destroy' | 'snapshot'" in str(error_for(lambda: postgres(
        stack, vpc, removal_policy="keep")))


# -- the whole thing through cfn-lint and the CLI --------------------------------------------------


def test_databases_clusters_grants_and_connections_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main", region="eu-west-1")
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    key = kms.Key(stack, "Key")
    params = rds.ParameterGroup(stack, "Params", engine="postgres", engine_version=POSTGRES,
                                parameters={"log_min_duration_statement": 500})
    db = postgres(stack, vpc, encryption_key=key, parameter_group=params, multi_az=True)
    cluster = aurora(stack, vpc, readers=[rds.ClusterInstance.serverless_v2()], encryption_key=key)
    mysql = aurora(stack, vpc, "Mysql", engine="aurora-mysql", engine_version=AURORA_MYSQL,
                   writer=rds.ClusterInstance.provisioned("db.r6g.large"))
    clients = ec2.SecurityGroup(stack, "Clients", vpc=vpc)
    task = ecs.FargateTaskDefinition(stack, "Task")
    task.add_container("web", image=ecs.ContainerImage.from_registry("public.ecr.aws/nginx/nginx:1.27"),
                       port_mappings=[8080])
    service = ecs.FargateService(stack, "Service", cluster=ecs.Cluster(stack, "Ecs", vpc=vpc), task_definition=task)
    reader = function(stack)
    for database in (db, cluster, mysql):
        database.connections.allow_default_port_from(clients)
        database.connections.allow_default_port_from(service)
        database.secret.grant_read(reader)
        database.secret.grant_read(task.task_role)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "eu-west-1") == []


def test_an_app_with_databases_synthesizes_strict_clean(write_app, run_iac):
    write_app(f'''
        from iac import App, Stack
        from iac.constructs import awslambda, ec2, ecs, rds

        app = App()
        stack = Stack(app, "Data")
        vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
        db = rds.DatabaseInstance(stack, "Db", engine="postgres", engine_version="{POSTGRES}",
                                  instance_class="db.t4g.micro", vpc=vpc)
        cluster = rds.DatabaseCluster(stack, "Orders", engine="aurora-postgresql", engine_version="{AURORA_POSTGRES}",
                                      vpc=vpc, writer=rds.ClusterInstance.serverless_v2())
        app_group = ec2.SecurityGroup(stack, "App", vpc=vpc)
        db.connections.allow_default_port_from(app_group)
        cluster.connections.allow_default_port_from(app_group)
        code = awslambda.Code.from_inline("def handler(event, context):\\n    return None\\n")
        fn = awslambda.Function(stack, "Fn", handler="index.handler", runtime=awslambda.DEFAULT_PYTHON_RUNTIME,
                                code=code, environment={{"DB_HOST": db.endpoint_address,
                                                         "DB_SECRET": db.secret.secret_arn}})
        db.secret.grant_read(fn)
        cluster.secret.grant_read(fn)
        app.synth()
    ''')

    result = run_iac("synth", "--strict")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()


def test_instance_classes_are_those_of_the_stacks_region():
    app = App()
    virginia, cape_town = Stack(app, "Virginia", region="us-east-1"), Stack(app, "CapeTown", region="af-south-1")

    postgres(virginia, ec2.Vpc(virginia, "Vpc", max_azs=2), instance_class="db.m6gd.large")
    error = error_for(lambda: postgres(cape_town, ec2.Vpc(cape_town, "Vpc", max_azs=2),
                                       instance_class="db.m6gd.large"))

    assert "'db.m6gd.large' is not an instance class postgres offers in af-south-1" in str(error)


# -- the Connections helper ---------------------------------------------------------------------


def test_allow_to_writes_this_sides_egress_and_the_peers_ingress(stack, vpc):
    mine, theirs = ec2.SecurityGroup(stack, "Mine", vpc=vpc), ec2.SecurityGroup(stack, "Theirs", vpc=vpc)

    Connections(security_groups=[mine]).allow_to(theirs, ec2.Port.tcp(443))

    assert [rule.peer_key for rule in mine.egress_rules] == ["group:Main/Theirs"]
    assert [rule.peer_key for rule in theirs.ingress_rules] == ["group:Main/Mine"]


def test_connections_need_groups_and_a_default_port_for_allow_default_port_from(stack, vpc):
    with pytest.raises(ConstructError, match="one or more ec2.SecurityGroup"):
        Connections(security_groups=[])
    connections = Connections(security_groups=[ec2.SecurityGroup(stack, "Mine", vpc=vpc)])

    with pytest.raises(ConstructError, match="no default port") as caught:
        connections.allow_default_port_from(ec2.Peer.ipv4("10.0.0.0/16"))

    assert caught.value.location is not None and caught.value.location.file.endswith("test_rds.py")
