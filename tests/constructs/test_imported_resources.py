"""Existing resources: from_bucket_name, from_table_arn, from_role_arn, from_function_arn.

They make no resource, work in grants and references, and refuse what would change a resource the stack
does not own, at the user's line.
"""

from __future__ import annotations

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import awslambda, dynamodb, ec2, iam, kms, s3, sqs
from iac.synth import synthesize, synthesize_app

ACCOUNT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service/app-role"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:resize"
KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Worker", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def resources(app: App) -> dict:
    return synthesize(app).template("Main")["Resources"]


def statements(app: App, policy_type: str = "AWS::IAM::Policy") -> list[dict]:
    return [s for r in resources(app).values() if r["Type"] == policy_type
            for s in r["Properties"]["PolicyDocument"]["Statement"]]


# -- s3.Bucket.from_bucket_name ------------------------------------------------------------------------


def test_an_imported_bucket_makes_no_resource(app, stack, role):
    s3.Bucket.from_bucket_name(stack, "Uploads", "acme-uploads")

    assert {r["Type"] for r in resources(app).values()} == {"AWS::IAM::Role"}


def test_a_grant_on_an_imported_bucket_names_its_arns(app, stack, role, resolve):
    bucket = s3.Bucket.from_bucket_name(stack, "Uploads", "acme-uploads")
    bucket.grant_read(role)

    [statement] = statements(app)
    assert statement["Resource"] == [resolve(bucket.bucket_arn), resolve(bucket.arn_for_objects("*"))]
    assert resolve(bucket.bucket_arn) == {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::",
                                                            "acme-uploads"]]}
    assert bucket.bucket_name == "acme-uploads"


def test_a_grant_on_an_imported_bucket_with_a_key_includes_the_key(app, stack, role):
    key = kms.Key.from_key_arn(stack, "Key", KEY_ARN)
    s3.Bucket.from_bucket_name(stack, "Uploads", "acme-uploads", encryption_key=key).grant_read(role)

    assert any(s["Resource"] == KEY_ARN and "kms:Decrypt" in s["Action"] for s in statements(app))


def test_an_imported_bucket_is_a_bucket_where_constructs_want_one(stack):
    assert isinstance(s3.Bucket.from_bucket_name(stack, "Uploads", "acme-uploads"), s3.Bucket)


def test_a_notification_on_an_imported_bucket_is_refused_at_the_users_line(stack):
    bucket = s3.Bucket.from_bucket_name(stack, "Uploads", "acme-uploads")
    queue = sqs.Queue(stack, "Q")

    with pytest.raises(ConstructError, match="cannot add an event notification to the imported bucket Main/Uploads"
                       ) as caught:
        bucket.add_event_notification(s3.EventType.OBJECT_CREATED, queue)
    assert caught.value.location.file == __file__
    assert "EventBridge" in caught.value.hint


def test_a_bucket_policy_statement_on_an_imported_bucket_is_refused(stack):
    bucket = s3.Bucket.from_bucket_name(stack, "Uploads", "acme-uploads")
    statement = iam.PolicyStatement(actions=["s3:GetObject"], principals=[iam.AccountRootPrincipal()],
                                    resources=[bucket.arn_for_objects()])

    with pytest.raises(ConstructError, match="one made here would replace its owner's") as caught:
        bucket.add_to_resource_policy(statement)
    assert caught.value.location.file == __file__


def test_an_imported_bucket_name_that_cannot_be_a_bucket_name_is_refused(stack):
    with pytest.raises(ConstructError, match="BucketName"):
        s3.Bucket.from_bucket_name(stack, "Uploads", "Not_A_Bucket")


# -- dynamodb.Table.from_table_arn ---------------------------------------------------------------------


def test_an_imported_table_takes_its_name_from_the_arn_and_makes_no_resource(app, stack, role):
    table = dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN)
    table.grant_read_write(role)

    assert table.table_name == "orders"
    assert "AWS::DynamoDB::Table" not in {r["Type"] for r in resources(app).values()}
    [statement] = statements(app)
    assert statement["Resource"] == TABLE_ARN
    assert "dynamodb:PutItem" in statement["Action"]


def test_grants_on_an_imported_table_reach_its_indexes_when_told(app, stack, role):
    dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN, global_indexes=True).grant_read(role)

    [statement] = statements(app)
    assert statement["Resource"] == [TABLE_ARN, f"{TABLE_ARN}/index/*"]


def test_stream_grants_on_an_imported_table_need_its_stream_arn(app, stack, role):
    plain = dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN)
    with pytest.raises(ConstructError, match="was given no stream ARN") as caught:
        plain.grant_stream_read(role)
    assert caught.value.hint == "pass table_stream_arn= to Table.from_table_arn"

    stream = f"{TABLE_ARN}/stream/2026-01-01T00:00:00.000"
    dynamodb.Table.from_table_arn(stack, "Streamed", TABLE_ARN, table_stream_arn=stream).grant_stream_read(role)
    assert any(s["Resource"] == stream for s in statements(app))


def test_an_index_on_an_imported_table_is_refused_at_the_users_line(stack):
    table = dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN)

    with pytest.raises(ConstructError, match="cannot add an index to the imported table Main/Orders") as caught:
        table.add_global_secondary_index(index_name="byDate", partition_key=dynamodb.Attribute("day", "S"))
    assert caught.value.location.file == __file__


def test_an_arn_that_is_not_a_table_arn_is_refused(stack):
    with pytest.raises(ConstructError, match="is not a DynamoDB table ARN"):
        dynamodb.Table.from_table_arn(stack, "Orders", ROLE_ARN)


# -- iam.Role.from_role_arn ----------------------------------------------------------------------------


def test_a_grant_to_an_imported_role_attaches_a_policy_to_it_by_name(app, stack):
    imported = iam.Role.from_role_arn(stack, "AppRole", ROLE_ARN)
    dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN).grant_read(imported)

    found = resources(app)
    assert {r["Type"] for r in found.values()} == {"AWS::IAM::Policy"}
    [policy] = found.values()
    assert policy["Properties"]["Roles"] == ["app-role"]
    assert imported.role_arn == ROLE_ARN


def test_the_policy_of_an_imported_role_has_a_pinned_logical_id(app, stack):
    imported = iam.Role.from_role_arn(stack, "AppRole", ROLE_ARN)
    imported.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=["*"]))

    assert list(resources(app)) == ["AppRolePolicy36BB8B88"]


def test_an_immutable_imported_role_refuses_grants(stack):
    imported = iam.Role.from_role_arn(stack, "AppRole", ROLE_ARN, mutable=False)

    with pytest.raises(ConstructError, match="imported with mutable=False") as caught:
        dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN).grant_read(imported)
    assert caught.value.location.file == __file__


def test_a_trust_statement_on_an_imported_role_is_refused(stack):
    imported = iam.Role.from_role_arn(stack, "AppRole", ROLE_ARN)
    statement = iam.PolicyStatement(actions=["sts:AssumeRole"], principals=[iam.ServicePrincipal("ec2.amazonaws.com")])

    with pytest.raises(ConstructError, match="cannot change the trust policy of the imported role") as caught:
        imported.add_to_assume_role_policy(statement)
    assert caught.value.location.file == __file__


def test_a_trust_statement_on_a_role_of_the_stack_is_added(app, stack, role):
    role.add_to_assume_role_policy(iam.PolicyStatement(actions=["sts:AssumeRole"],
                                                       principals=[iam.ServicePrincipal("ec2.amazonaws.com")]))

    [entry] = resources(app).values()
    trusted = [s["Principal"]["Service"] for s in entry["Properties"]["AssumeRolePolicyDocument"]["Statement"]]
    assert "ec2.amazonaws.com" in str(trusted)


def test_a_managed_policy_on_an_imported_role_is_refused(stack):
    imported = iam.Role.from_role_arn(stack, "AppRole", ROLE_ARN)

    with pytest.raises(ConstructError, match="cannot attach a managed policy to the imported role"):
        imported.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name("ReadOnlyAccess"))


def test_an_arn_that_is_not_a_role_arn_is_refused(stack):
    with pytest.raises(ConstructError, match="is not an IAM role ARN"):
        iam.Role.from_role_arn(stack, "AppRole", TABLE_ARN)


# -- awslambda.Function.from_function_arn --------------------------------------------------------------


def test_grant_invoke_on_an_imported_function_names_it_and_its_versions(app, stack, role):
    function = awslambda.Function.from_function_arn(stack, "Resize", FUNCTION_ARN)
    function.grant_invoke(role)

    [statement] = statements(app)
    assert statement["Resource"] == [FUNCTION_ARN, f"{FUNCTION_ARN}:*"]
    assert function.function_name == "resize"


def test_a_bucket_of_the_stack_notifies_an_imported_function_through_a_permission_made_here(app, stack):
    function = awslambda.Function.from_function_arn(stack, "Resize", FUNCTION_ARN)
    s3.Bucket(stack, "Images").add_event_notification(s3.EventType.OBJECT_CREATED, function)

    [permission] = [r for r in resources(app).values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permission["Properties"]["FunctionName"] == FUNCTION_ARN
    assert permission["Properties"]["Principal"] == "s3.amazonaws.com"


def test_a_grant_to_an_imported_function_goes_to_the_role_it_was_given(app, stack):
    runs_as = iam.Role.from_role_arn(stack, "AppRole", ROLE_ARN)
    function = awslambda.Function.from_function_arn(stack, "Resize", FUNCTION_ARN, role=runs_as)
    dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN).grant_read(function)

    [policy] = [r for r in resources(app).values() if r["Type"] == "AWS::IAM::Policy"]
    assert policy["Properties"]["Roles"] == ["app-role"]


def test_a_grant_to_an_imported_function_without_a_role_is_refused(stack):
    function = awslambda.Function.from_function_arn(stack, "Resize", FUNCTION_ARN)

    with pytest.raises(ConstructError, match="it has no IAM role"):
        dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN).grant_read(function)


def test_changing_an_imported_functions_environment_is_refused_at_the_users_line(stack):
    function = awslambda.Function.from_function_arn(stack, "Resize", FUNCTION_ARN)

    with pytest.raises(ConstructError, match="cannot change the environment of the imported function Main/Resize"
                       ) as caught:
        function.add_environment("MODE", "fast")
    assert caught.value.location.file == __file__


def test_an_arn_that_is_not_a_function_arn_is_refused(stack):
    with pytest.raises(ConstructError, match="is not a Lambda function ARN"):
        awslambda.Function.from_function_arn(stack, "Resize", TABLE_ARN)


# -- together ------------------------------------------------------------------------------------------


def test_an_app_of_imported_resources_synthesizes_lint_clean():
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    runs_as = iam.Role.from_role_arn(stack, "AppRole", ROLE_ARN)
    function = awslambda.Function.from_function_arn(stack, "Resize", FUNCTION_ARN, role=runs_as)
    s3.Bucket.from_bucket_name(stack, "Uploads", "acme-uploads").grant_read(function)
    dynamodb.Table.from_table_arn(stack, "Orders", TABLE_ARN).grant_read_write(function)
    function.add_schedule("Nightly", "rate(1 day)")

    assembly = synthesize_app(app, strict=True)
    assert {r["Type"] for r in assembly.template("Main")["Resources"].values()} == {
        "AWS::IAM::Policy", "AWS::Events::Rule", "AWS::Lambda::Permission"}


# -- ec2.Vpc.from_attributes ---------------------------------------------------------------------------

ZONES = ["us-east-1a", "us-east-1b"]
ISOLATED = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
TABLES = ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"]


def imported_vpc(stack: Stack, **extra: object) -> ec2.Vpc:
    return ec2.Vpc.from_attributes(stack, "Net", vpc_id="vpc-0123456789abcdef0", availability_zones=ZONES,
                                   isolated_subnet_ids=ISOLATED, **extra)  # type: ignore[arg-type]


def test_an_imported_vpc_makes_no_resource_and_selects_its_subnets(app, stack):
    vpc = imported_vpc(stack)
    ec2.SecurityGroup(stack, "Db", vpc=vpc)

    assert vpc.select_subnets().subnet_ids == ISOLATED
    assert vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED).availability_zones == ZONES
    assert {r["Type"] for r in resources(app).values()} == {"AWS::EC2::SecurityGroup"}
    [group] = resources(app).values()
    assert group["Properties"]["VpcId"] == "vpc-0123456789abcdef0"


def test_a_subnet_type_the_imported_vpc_lacks_is_refused(stack):
    with pytest.raises(ConstructError, match="has no Public subnets"):
        imported_vpc(stack).select_subnets(subnet_type=ec2.SubnetType.PUBLIC)


def test_a_gateway_endpoint_in_an_imported_vpc_routes_from_the_given_route_tables(app, stack):
    imported_vpc(stack, isolated_subnet_route_table_ids=TABLES).add_gateway_endpoint(
        ec2.GatewayVpcEndpointAwsService.S3)

    [endpoint] = resources(app).values()
    assert endpoint["Properties"]["RouteTableIds"] == TABLES
    assert endpoint["Properties"]["VpcId"] == "vpc-0123456789abcdef0"


def test_a_gateway_endpoint_without_route_table_ids_is_refused_at_the_users_line(stack):
    vpc = imported_vpc(stack)

    with pytest.raises(ConstructError, match="was given no route table id") as caught:
        vpc.add_gateway_endpoint(ec2.GatewayVpcEndpointAwsService.S3)
    assert caught.value.location.file == __file__


def test_an_interface_endpoint_open_to_the_vpc_needs_its_cidr(app, stack):
    with pytest.raises(ConstructError, match="was given no vpc_cidr_block"):
        imported_vpc(stack).add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.SQS)


def test_an_interface_endpoint_in_an_imported_vpc_opens_to_its_range(app, stack):
    imported_vpc(stack, vpc_cidr_block="10.1.0.0/16").add_interface_endpoint(ec2.InterfaceVpcEndpointAwsService.SQS)

    [group] = [r for r in resources(app).values() if r["Type"] == "AWS::EC2::SecurityGroup"]
    assert [rule["CidrIp"] for rule in group["Properties"]["SecurityGroupIngress"]] == ["10.1.0.0/16"]


def test_subnet_ids_that_do_not_match_the_zones_are_refused(stack):
    with pytest.raises(ConstructError, match="isolated_subnet_ids has 3 ids for 2 zones"):
        ec2.Vpc.from_attributes(stack, "Net", vpc_id="vpc-0123456789abcdef0", availability_zones=ZONES,
                                isolated_subnet_ids=[*ISOLATED, "subnet-0123456789abcdef2"])


def test_a_function_in_an_imported_isolated_vpc_synthesizes_lint_clean():
    app = App(path_metadata=False)
    stack = Stack(app, "Main")
    vpc = imported_vpc(stack, isolated_subnet_route_table_ids=TABLES, vpc_cidr_block="10.1.0.0/16")
    vpc.add_gateway_endpoint(ec2.GatewayVpcEndpointAwsService.DYNAMODB)
    function = awslambda.Function(stack, "Api", handler="index.handler", runtime=awslambda.DEFAULT_PYTHON_RUNTIME,
                                  code=awslambda.Code.from_inline("def handler(e, c): return 1"), vpc=vpc)

    template = synthesize_app(app, strict=True).template("Main")
    [entry] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert entry["Properties"]["VpcConfig"]["SubnetIds"] == ISOLATED
    assert function.connections is not None
