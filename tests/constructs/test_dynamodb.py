"""dynamodb: Table and SimpleTable output, their protective defaults, least-privilege grants and the
errors for inputs DynamoDB would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, CfnResource, ConstructError, Parameter, Stack
from iac.constructs import dynamodb, iam, kms
from iac.constructs.dynamodb import Attribute, AttributeType
from iac.specs import property_enum, property_length
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

TABLE = "AWS::DynamoDB::Table"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
READ = ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
        "dynamodb:Query", "dynamodb:Scan"]
WRITE = ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:PutItem",
         "dynamodb:UpdateItem"]


@pytest.fixture
def role(stack: Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))


def make_table(stack: Stack, id: str = "Table", **props: Any) -> dynamodb.Table:
    props.setdefault("partition_key", Attribute("pk", AttributeType.STRING))
    return dynamodb.Table(stack, id, **props)


def entry(app: App, table: dynamodb.Table) -> dict[str, Any]:
    return synthesize(app).template("Main")["Resources"][table.resource.logical_id]


def statements(app: App, role: iam.Role) -> list[dict[str, Any]]:
    template = synthesize(app).template("Main")
    return template["Resources"][role.default_policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]


def arn(table: dynamodb.Table) -> dict[str, Any]:
    return {"Fn::GetAtt": [table.resource.logical_id, "Arn"]}


def index_arn(table: dynamodb.Table) -> dict[str, Any]:
    return {"Fn::Join": ["", [arn(table), "/index/*"]]}


# -- output and defaults ------------------------------------------------------------------------


def test_a_table_is_on_demand_aws_owned_encrypted_and_retained(app, stack):
    table = make_table(stack)

    assert entry(app, table) == {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
    }


def test_a_sort_key_is_the_range_key_and_is_defined(app, stack):
    table = make_table(stack, sort_key=Attribute("created", AttributeType.NUMBER))

    properties = entry(app, table)["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                       {"AttributeName": "created", "KeyType": "RANGE"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "created", "AttributeType": "N"},
                                                  {"AttributeName": "pk", "AttributeType": "S"}]


def test_a_provisioned_table_writes_its_capacities(app, stack):
    table = make_table(stack, billing_mode="PROVISIONED", read_capacity=5, write_capacity=2)

    properties = entry(app, table)["Properties"]
    assert properties["BillingMode"] == "PROVISIONED"
    assert properties["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2}


def test_point_in_time_recovery_is_off_unless_asked_for(app, stack):
    off = make_table(stack, "Off")
    on = make_table(stack, "On", point_in_time_recovery=True)

    assert "PointInTimeRecoverySpecification" not in entry(app, off)["Properties"]
    assert entry(app, on)["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize(("options", "expected"), [
    ({}, None),
    ({"encryption": "AWS_MANAGED"}, {"SSEEnabled": True}),
    ({"encryption": "CUSTOMER_MANAGED", "kms_key_arn": KEY_ARN},
     {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": KEY_ARN}),
])
def test_encryption_chooses_who_holds_the_key(app, stack, options, expected):
    table = make_table(stack, **options)

    assert entry(app, table)["Properties"].get("SSESpecification") == expected


def test_time_to_live_stream_and_name_are_written(app, stack):
    table = make_table(stack, time_to_live_attribute="expires", stream="NEW_AND_OLD_IMAGES", table_name="orders")

    properties = entry(app, table)["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires", "Enabled": True}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["TableName"] == "orders"


def test_removal_policy_destroy_lets_cloudformation_delete_the_table(app, stack):
    table = make_table(stack, removal_policy="destroy")

    assert (entry(app, table)["DeletionPolicy"], entry(app, table)["UpdateReplacePolicy"]) == ("Delete", "Delete")


def test_table_name_arn_and_stream_arn_are_ref_and_getatt(stack, resolve):
    table = make_table(stack, stream="KEYS_ONLY")

    assert resolve(table.table_name) == {"Ref": table.resource.logical_id}
    assert resolve(table.table_arn) == arn(table)
    assert resolve(table.table_stream_arn) == {"Fn::GetAtt": [table.resource.logical_id, "StreamArn"]}


def test_a_table_without_a_stream_has_no_stream_arn(stack):
    table = make_table(stack)

    with pytest.raises(ConstructError, match="Main/Table has no stream") as caught:
        _ = table.table_stream_arn

    assert "stream=" in caught.value.hint


def test_the_resource_is_the_escape_hatch(app, stack):
    table = make_table(stack)
    table.resource.add_property_override("ContributorInsightsSpecification.Enabled", True)

    assert entry(app, table)["Properties"]["ContributorInsightsSpecification"] == {"Enabled": True}


# -- global secondary indexes ------------------------------------------------------------------


def test_an_index_adds_its_keys_to_the_attribute_definitions(app, stack):
    table = make_table(stack)
    table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"),
                                     sort_key=Attribute("pk", "S"))

    properties = entry(app, table)["Properties"]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "email", "AttributeType": "S"},
                                                  {"AttributeName": "pk", "AttributeType": "S"}]
    assert properties["GlobalSecondaryIndexes"] == [{
        "IndexName": "byEmail",
        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}, {"AttributeName": "pk", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"},
    }]


@pytest.mark.parametrize(("projection", "expected"), [
    ("KEYS_ONLY", {"ProjectionType": "KEYS_ONLY"}),
    (["name", "age"], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name", "age"]}),
])
def test_an_index_projects_keys_only_or_chosen_attributes(app, stack, projection, expected):
    table = make_table(stack)
    table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"),
                                     projection=projection)

    assert entry(app, table)["Properties"]["GlobalSecondaryIndexes"][0]["Projection"] == expected


def test_an_index_of_a_provisioned_table_gets_the_table_capacities(app, stack):
    table = make_table(stack, billing_mode="PROVISIONED", read_capacity=4, write_capacity=3)
    table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"))

    index = entry(app, table)["Properties"]["GlobalSecondaryIndexes"][0]
    assert index["ProvisionedThroughput"] == {"ReadCapacityUnits": 4, "WriteCapacityUnits": 3}


def test_index_names_are_unique_within_a_table(stack):
    table = make_table(stack)
    table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"))

    with pytest.raises(ConstructError, match="already has an index named 'byEmail'"):
        table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("other", "S"))


def test_one_attribute_cannot_be_a_key_with_two_types(stack):
    table = make_table(stack)

    with pytest.raises(ConstructError, match="attribute 'pk' is used as a key with type 'S' and with type 'N'"):
        table.add_global_secondary_index(index_name="byPk", partition_key=Attribute("pk", "N"))


def test_a_bad_index_points_at_the_line_that_adds_it(stack):
    table = make_table(stack)

    with pytest.raises(ConstructError, match="invalid global secondary index.*projection") as caught:
        table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"),
                                         projection="SOME")

    assert caught.value.location.line != table.location.line


def test_deploy_time_names_are_left_for_cloudformation_to_check(app, stack):
    name = Parameter(stack, "TableName", type="String")
    table = make_table(stack, table_name=name.value)

    assert entry(app, table)["Properties"]["TableName"] == {"Ref": "TableName"}


# -- SimpleTable -----------------------------------------------------------------------------


def test_a_simple_table_has_sams_defaults(app, stack):
    table = dynamodb.SimpleTable(stack, "MyTable")

    assert entry(app, table)["Properties"] == {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    assert entry(app, table)["DeletionPolicy"] == "Retain"


def test_a_simple_table_takes_its_own_primary_key_and_table_options(app, stack):
    table = dynamodb.SimpleTable(stack, "MyTable", primary_key=Attribute("userId", "N"), table_name="users",
                                 point_in_time_recovery=True)

    properties = entry(app, table)["Properties"]
    assert properties["KeySchema"] == [{"AttributeName": "userId", "KeyType": "HASH"}]
    assert properties["TableName"] == "users"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_a_simple_table_has_no_sort_key(stack):
    with pytest.raises(ConstructError, match="only a primary key; use dynamodb.Table"):
        dynamodb.SimpleTable(stack, "MyTable", sort_key=Attribute("sk", "S"))


# -- grants ----------------------------------------------------------------------------------


def test_grant_read_allows_exactly_the_read_actions_on_the_table(app, stack, role):
    table = make_table(stack)

    grant = table.grant_read(role)

    assert grant.role is role and grant.grantee is role
    assert statements(app, role) == [{"Effect": "Allow", "Action": READ, "Resource": arn(table)}]


def test_grant_write_allows_exactly_the_write_actions_on_the_table(app, stack, role):
    table = make_table(stack)

    table.grant_write(role)

    assert statements(app, role) == [{"Effect": "Allow", "Action": WRITE, "Resource": arn(table)}]


def test_grant_read_write_allows_both_sets_and_nothing_else(app, stack, role):
    table = make_table(stack)

    table.grant_read_write(role)

    assert statements(app, role) == [{"Effect": "Allow", "Action": sorted(set(READ + WRITE)),
                                      "Resource": arn(table)}]


def test_an_encryption_key_encrypts_the_table_with_that_key(app, stack):
    key = kms.Key(stack, "Key")
    table = make_table(stack, encryption_key=key)

    assert entry(app, table)["Properties"]["SSESpecification"] == {
        "SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}}
    assert table.encryption_key is key and table.props.encryption == dynamodb.TableEncryption.CUSTOMER_MANAGED


def test_a_read_grant_on_a_table_with_an_encryption_key_decrypts_with_it(app, stack, role):
    key = kms.Key(stack, "Key")
    table = make_table(stack, encryption_key=key)

    table.grant_read(role)

    assert statements(app, role) == [
        {"Effect": "Allow", "Action": READ, "Resource": arn(table)},
        {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"],
         "Resource": {"Fn::GetAtt": [key.resource.logical_id, "Arn"]}},
    ]


def test_a_simple_table_takes_an_encryption_key(app, stack):
    key = kms.Key(stack, "Key")
    table = dynamodb.SimpleTable(stack, "Simple", encryption_key=key)

    assert entry(app, table)["Properties"]["SSESpecification"]["KMSMasterKeyId"] == {
        "Fn::GetAtt": [key.resource.logical_id, "Arn"]}


def test_an_encryption_key_and_a_key_arn_are_not_both_given(stack):
    with pytest.raises(ConstructError, match="give encryption_key or kms_key_arn, not both") as caught:
        make_table(stack, encryption_key=kms.Key(stack, "Key"), kms_key_arn=KEY_ARN)

    assert caught.value.path == "Main/Table"


def test_grants_cover_the_indexes_when_the_table_has_some(app, stack, role):
    table = make_table(stack)
    table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"))

    table.grant_read(role)

    assert statements(app, role)[0]["Resource"] == [arn(table), index_arn(table)]


def test_an_index_added_after_a_grant_is_covered_by_it(app, stack, role):
    table = make_table(stack)
    table.grant_read(role)

    table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"))
    table.add_global_secondary_index(index_name="byName", partition_key=Attribute("name", "S"))

    assert statements(app, role)[0]["Resource"] == [arn(table), index_arn(table)]


def test_grant_stream_read_reads_the_stream_and_lists_streams_anywhere(app, stack, role):
    table = make_table(stack, stream="NEW_IMAGE")

    grant = table.grant_stream_read(role)

    stream_arn = {"Fn::GetAtt": [table.resource.logical_id, "StreamArn"]}
    assert grant.statement.actions == ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
    assert sorted(statements(app, role), key=str) == sorted([
        {"Effect": "Allow", "Action": grant.statement.actions, "Resource": stream_arn},
        {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"},
    ], key=str)


def test_grant_stream_read_on_a_table_without_a_stream_is_refused(stack, role):
    with pytest.raises(ConstructError, match="has no stream"):
        make_table(stack).grant_stream_read(role)

    assert role.default_policy is None


def test_a_customer_managed_key_is_granted_with_the_table(app, stack, role):
    table = make_table(stack, encryption="CUSTOMER_MANAGED", kms_key_arn=KEY_ARN)

    table.grant_read(role)

    assert {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": KEY_ARN} \
        in statements(app, role)


def test_granting_to_something_without_a_role_names_it(stack):
    queue = CfnResource(stack, "Queue", type="AWS::SQS::Queue")

    with pytest.raises(ConstructError, match="cannot grant access from Main/Table to Main/Queue: it has no IAM role"):
        make_table(stack).grant_read(queue)


# -- bad inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "message"), [
    ({"partition_key": "id"}, r"partition_key must be Attribute, got str 'id'"),
    ({"partition_key": Attribute("id", "String")}, r"'String'; key attributes are one of .*AttributeType.STRING"),
    ({"sort_key": Attribute("sk", "BOOL")}, "sort_key: 'sk' has type 'BOOL'"),
    ({"sort_key": Attribute("", "S")},
     r"sort_key: name '' (is too short|should be non-empty) \(AWS::DynamoDB::Table KeySchema.AttributeName"),
    ({"partition_key": Attribute("pk", 5)}, "partition_key: 'pk' has type 5"),
    ({"sort_key": Attribute("pk", "S")}, "sort_key and partition_key are both 'pk'"),
    ({"billing_mode": "ON_DEMAND"}, r"billing_mode: 'ON_DEMAND' is not one of .* \(AWS::DynamoDB::Table BillingMode"),
    ({"billing_mode": "PROVISIONED", "read_capacity": 5}, "PROVISIONED needs both read_capacity and write_capacity"),
    ({"read_capacity": 5, "write_capacity": 5}, "PAY_PER_REQUEST .* read_capacity and write_capacity do not apply"),
    ({"billing_mode": "PROVISIONED", "read_capacity": 0, "write_capacity": 1}, "read_capacity: must be .* at least 1"),
    ({"stream": "NEW"}, r"stream: 'NEW' is not one of .*\(did you mean 'NEW_IMAGE'\?\) "
                       r"\(AWS::DynamoDB::Table StreamSpecification.StreamViewType, per its schema\)"),
    ({"encryption": "KMS"}, r"encryption must be 'AWS_OWNED' \| 'AWS_MANAGED' \| 'CUSTOMER_MANAGED', got str 'KMS'"),
    ({"encryption": "CUSTOMER_MANAGED"}, "CUSTOMER_MANAGED needs kms_key_arn"),
    ({"kms_key_arn": KEY_ARN}, "kms_key_arn is only used with encryption CUSTOMER_MANAGED"),
    ({"encryption": "CUSTOMER_MANAGED", "kms_key_arn": "alias/mine"}, r"kms_key_arn: must be a KMS key ARN \(arn:"),
    ({"table_name": "my table"}, r"table_name: not a valid DynamoDB table name: 'my table' does not match .* "
                                 r"\(tables are named as indexes: AWS::DynamoDB::Table GlobalSecondaryIndexes"),
    ({"table_name": "ab"}, "table_name: not a valid DynamoDB table name: 'ab' is too short"),
    ({"table_name": ""}, "table_name: ''"),
    ({"time_to_live_attribute": ""}, "time_to_live_attribute: must not be empty"),
    ({"time_to_live_attribute": 3}, r"time_to_live_attribute must be str \| None, got int 3"),
    ({"point_in_time_recovery": "yes"}, "point_in_time_recovery must be bool, got str 'yes'"),
    ({"removal_policy": "snapshot"}, r"AWS::DynamoDB::Table does not support the Snapshot policy"),
    ({"removal_policy": "keep"}, r"removal_policy must be 'retain' \| 'destroy' \| 'snapshot', got str 'keep'"),
])
def test_bad_inputs_are_refused_at_construction(stack, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        make_table(stack, **options)

    assert caught.value.path == "Main/Table"
    assert caught.value.location is not None and caught.value.location.file == __file__


@pytest.mark.parametrize("make", [make_table, dynamodb.SimpleTable])
def test_a_misspelt_option_gets_a_did_you_mean(stack, make):
    with pytest.raises(ConstructError, match="has no argument 'billing'") as caught:
        make(stack, "Table", billing="PROVISIONED")

    assert caught.value.hint == "did you mean billing_mode?"
    assert caught.value.location.file == __file__


def test_name_lengths_are_the_schemas(app, stack):
    shortest, longest = property_length(TABLE, "GlobalSecondaryIndexes", "IndexName")
    key_longest = property_length(TABLE, "KeySchema", "AttributeName")[1]
    assert isinstance(shortest, int) and isinstance(longest, int) and isinstance(key_longest, int)

    table = make_table(stack, table_name="t" * longest, partition_key=Attribute("k" * key_longest, "S"))
    table.add_global_secondary_index(index_name="i" * shortest, partition_key=Attribute("email", "S"))
    with pytest.raises(ConstructError, match="table_name: not a valid DynamoDB table name: .* is too long"):
        make_table(stack, "Long", table_name="t" * (longest + 1))
    with pytest.raises(ConstructError, match="partition_key: name .* is too long"):
        make_table(stack, "LongKey", partition_key=Attribute("k" * (key_longest + 1), "S"))
    with pytest.raises(ConstructError, match="index_name: .* is too short"):
        table.add_global_secondary_index(index_name="i" * (shortest - 1), partition_key=Attribute("email", "S"))

    assert entry(app, table)["Properties"]["TableName"] == "t" * longest


def test_key_types_are_the_schemas():
    assert set(dynamodb.key_types()) == set(property_enum(TABLE, "AttributeDefinitions", "AttributeType"))
    assert {AttributeType.STRING, AttributeType.NUMBER, AttributeType.BINARY} <= set(dynamodb.key_types())


@pytest.mark.parametrize(("options", "message"), [
    ({"index_name": 5}, "index_name must be str, got int 5"),
    ({"index_name": "by email"}, r"index_name: 'by email' does not match"),
    ({"partition_key": "email"}, "partition_key must be Attribute, got str 'email'"),
    ({"sort_key": Attribute("email", "S")}, "sort_key and partition_key are both 'email'"),
    ({"projection": []}, "projection: a list of attribute names must not be empty"),
    ({"projection": "INCLUDE"}, "projection: must be 'ALL' or 'KEYS_ONLY' or a non-empty list"),
    ({"projection": [""]}, r"projection: .* \(AWS::DynamoDB::Table GlobalSecondaryIndexes.Projection.NonKeyAttributes"),
    ({"read_capacity": 0}, "read_capacity: must be a whole number of capacity units, at least 1"),
])
def test_bad_index_arguments_are_refused_at_the_line_that_adds_the_index(stack, options, message):
    table = make_table(stack)
    arguments = {"index_name": "byEmail", "partition_key": Attribute("email", "S"), **options}

    with pytest.raises(ConstructError, match=f"invalid global secondary index for table Main/Table: {message}") as e:
        table.add_global_secondary_index(**arguments)

    assert e.value.location.file == __file__ and e.value.location.line != table.location.line


# -- cfn-lint --------------------------------------------------------------------------------


def test_tables_with_every_option_and_grants_pass_cfn_lint_cleanly():
    app = App()
    stack = Stack(app, "Main")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    table = make_table(stack, sort_key=Attribute("sk", "N"), stream="NEW_IMAGE", point_in_time_recovery=True,
                       time_to_live_attribute="ttl", encryption="AWS_MANAGED", table_name="orders")
    table.add_global_secondary_index(index_name="byEmail", partition_key=Attribute("email", "S"), projection=["a"])
    provisioned = make_table(stack, "Provisioned", billing_mode="PROVISIONED", read_capacity=5, write_capacity=5,
                             encryption="CUSTOMER_MANAGED", kms_key_arn=KEY_ARN, removal_policy="destroy")
    provisioned.add_global_secondary_index(index_name="byKind", partition_key=Attribute("kind", "N"),
                                           projection="KEYS_ONLY")
    dynamodb.SimpleTable(stack, "Simple")
    keyed = make_table(stack, "Keyed", encryption_key=kms.Key(stack, "Key"))
    table.grant_read(role)
    table.grant_stream_read(role)
    provisioned.grant_read_write(role)
    keyed.grant_write(role)

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)  # the registry-schema layer

    assert lint_template(assembly.stacks[0].body, "us-east-1") == []
