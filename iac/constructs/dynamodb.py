"""DynamoDB: tables with defaults that protect the data, and least-privilege grants.

    table = dynamodb.Table(stack, "Orders", partition_key=dynamodb.Attribute("pk", dynamodb.AttributeType.STRING))
    table.grant_read(function)

Defaults: on-demand billing (no capacity to guess, nothing to pay while idle); encryption at rest with
an AWS owned key (DynamoDB always encrypts; AWS_MANAGED or CUSTOMER_MANAGED put the key in the user's
account); DeletionPolicy and UpdateReplacePolicy Retain, so neither deleting the construct nor a
change that replaces the table deletes its items. Grants name exact actions on the table's ARN (and
its indexes' ARNs when it has any), never `dynamodb:*`.

Values are checked where they are given, against the registry schema of AWS::DynamoDB::Table (names,
lengths, enums: key types, billing modes, stream views, projections); what the schema cannot say
(which options go together, a capacity of at least one unit) is checked by the named rules below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Final, Literal

import attrs

from iac.constructs import iam, kms
from iac.constructs.core import CfnResource, Construct, Fn, Lazy, Token, is_token
from iac.constructs.core.props import Cfn, Check, schema_problem, schema_rule
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::DynamoDB::Table"
MAX_GLOBAL_SECONDARY_INDEXES = 20  # DynamoDB's default quota per table (a quota: no schema states it)


class AttributeType:
    """Key attribute types as DynamoDB writes them."""

    STRING: Final = "S"
    NUMBER: Final = "N"
    BINARY: Final = "B"


class BillingMode:
    PAY_PER_REQUEST: Final = "PAY_PER_REQUEST"
    PROVISIONED: Final = "PROVISIONED"


class TableEncryption:
    """Who holds the key that encrypts the table at rest."""

    AWS_OWNED: Final = "AWS_OWNED"  # DynamoDB's own key: free, invisible in the account
    AWS_MANAGED: Final = "AWS_MANAGED"  # the account's aws/dynamodb KMS key: key use shows up in CloudTrail
    CUSTOMER_MANAGED: Final = "CUSTOMER_MANAGED"  # a KMS key you own (kms_key_arn=): you control its policy


class StreamViewType:
    """What each stream record holds."""

    NEW_IMAGE: Final = "NEW_IMAGE"
    OLD_IMAGE: Final = "OLD_IMAGE"
    NEW_AND_OLD_IMAGES: Final = "NEW_AND_OLD_IMAGES"
    KEYS_ONLY: Final = "KEYS_ONLY"


class Projection:
    """Which attributes a global secondary index copies; a list of names means those plus the keys."""

    ALL: Final = "ALL"
    KEYS_ONLY: Final = "KEYS_ONLY"


ENCRYPTIONS = (TableEncryption.AWS_OWNED, TableEncryption.AWS_MANAGED, TableEncryption.CUSTOMER_MANAGED)

READ_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
                "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan")
WRITE_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
                 "dynamodb:PutItem", "dynamodb:UpdateItem")
STREAM_READ_ACTIONS = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator")
# With a customer managed key, reading or writing items needs the key too (DynamoDB calls KMS as the caller).
KMS_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")


@attrs.frozen
class Attribute:
    """A key attribute: `Attribute("pk", AttributeType.STRING)`. Checked by the table that uses it."""

    name: str
    type: str


# -- the schema of nested properties ------------------------------------------------------------

def key_types() -> tuple[str, ...]:
    """The types a key attribute may have, from the schema (AttributeDefinitions.AttributeType)."""
    from iac.specs import property_enum  # the schemas load on first use only

    return tuple(property_enum(RESOURCE_TYPE, "AttributeDefinitions", "AttributeType"))


def _schema_problem(path: tuple[str, ...], value: Any) -> str | None:
    return schema_problem(RESOURCE_TYPE, path, value)


def _schema_rule(*path: str) -> Callable[[Any], str | None]:
    return schema_rule(RESOURCE_TYPE, *path)


# -- rules the schema cannot say ----------------------------------------------------------------

def key_rule(value: Any) -> str | None:
    """A `Check` rule: a key attribute has a literal name (KeySchema.AttributeName's lengths) and a key
    type (AttributeDefinitions.AttributeType's enum). A deploy-time name cannot be: the attribute
    definitions are computed from the names."""
    if not isinstance(value, Attribute):
        return None
    if not isinstance(value.name, str) or is_token(value.name):
        return f"the name of a key attribute must be a literal string, got {value.name!r}"
    problem = _schema_problem(("KeySchema", "AttributeName"), value.name)
    if problem:
        return f"name {problem}"
    types = key_types()
    if value.type not in types:
        names = {getattr(AttributeType, name): name for name in ("STRING", "NUMBER", "BINARY")}
        spelled = ", ".join(f"AttributeType.{names[t]} ({t!r})" if t in names else repr(t) for t in types)
        return (f"{value.name!r} has type {value.type!r}; key attributes are one of {spelled} "
                f"({RESOURCE_TYPE} AttributeDefinitions.AttributeType, per its schema)")
    return None


def dynamodb_name_rule(value: Any) -> str | None:
    """A `Check` rule for table names: DynamoDB names tables and indexes by the same rule, which the
    schema states for IndexName only (TableName's 1-1024 also admits a table ARN where the API takes
    one). https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"""
    if not isinstance(value, str):
        return None
    problem = _schema_problem(("GlobalSecondaryIndexes", "IndexName"), value)
    if problem is None:
        return None
    return "not a valid DynamoDB table name: " + problem.replace(f"({RESOURCE_TYPE} ",
                                                                 f"(tables are named as indexes: {RESOURCE_TYPE} ", 1)


def capacity_rule(value: Any) -> str | None:
    """A `Check` rule: a provisioned capacity is at least one unit. The schema's minimum of 0 is what
    DynamoDB reports for an on-demand table; CreateTable refuses 0 (ProvisionedThroughput, range 1-)."""
    if isinstance(value, int) and value < 1:
        return f"must be a whole number of capacity units, at least 1; got {value!r}"
    return None


def non_empty_rule(value: Any) -> str | None:
    """A `Check` rule: a name that is given is not empty."""
    return "must not be empty" if value == "" else None


def projection_rule(value: Any) -> str | None:
    """A `Check` rule: 'ALL', 'KEYS_ONLY' (Projection.ProjectionType's enum, INCLUDE being spelt as a
    list) or a non-empty list of attribute names (NonKeyAttributes' items)."""
    if isinstance(value, str):
        from iac.specs import property_enum

        choices = [c for c in property_enum(RESOURCE_TYPE, "GlobalSecondaryIndexes", "Projection", "ProjectionType")
                   if c != "INCLUDE"]
        if value in choices:
            return None
        return (f"must be {' or '.join(repr(c) for c in choices)} or a non-empty list of attribute names "
                f"(those are copied besides the keys), got {value!r}")
    if not value:
        return "a list of attribute names must not be empty (use Projection.KEYS_ONLY for none)"
    return _schema_problem(("GlobalSecondaryIndexes", "Projection", "NonKeyAttributes"), list(value))


def _capacities_problem(billing_mode: str, read: int | None, write: int | None, what: str) -> str | None:
    """PROVISIONED needs both capacities; on-demand must have neither (CloudFormation rejects them)."""
    given = read is not None or write is not None
    if billing_mode == BillingMode.PROVISIONED and (read is None or write is None):
        return f"{what} with billing_mode PROVISIONED needs both read_capacity and write_capacity"
    if billing_mode == BillingMode.PAY_PER_REQUEST and given:
        return (f"{what} is billed PAY_PER_REQUEST (on demand), so read_capacity and write_capacity "
                "do not apply; pass billing_mode='PROVISIONED' to set capacities")
    return None


def _no_sort_key(value: Any) -> str | None:
    if value is not None:
        return "a SimpleTable has only a primary key; use dynamodb.Table for a sort key"
    return None


KeyAttribute = Annotated[Attribute, Check(key_rule)]
OptionalKeyAttribute = Annotated[Attribute | None, Check(key_rule)]
ReadCapacity = Annotated[int | None, Check(_schema_rule("ProvisionedThroughput", "ReadCapacityUnits")),
                         Check(capacity_rule)]
WriteCapacity = Annotated[int | None, Check(_schema_rule("ProvisionedThroughput", "WriteCapacityUnits")),
                          Check(capacity_rule)]
TableName = Annotated[str | Token | None, Cfn("TableName"), Check(dynamodb_name_rule)]
KmsKeyArn = Annotated[str | Token | None, Check(kms.key_arn_rule)]
TimeToLiveAttribute = Annotated[str | None, Check(_schema_rule("TimeToLiveSpecification", "AttributeName")),
                                Check(non_empty_rule)]
Stream = Annotated[str | None, Check(_schema_rule("StreamSpecification", "StreamViewType"))]
Encryption = Literal["AWS_OWNED", "AWS_MANAGED", "CUSTOMER_MANAGED"]
TableRemovalPolicy = Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))]


# -- props records (what the table was created with; no checks of their own) -------------------------

@attrs.frozen(kw_only=True)
class TableProps:
    partition_key: Attribute
    sort_key: Attribute | None
    billing_mode: str
    read_capacity: int | None
    write_capacity: int | None
    encryption: str
    kms_key_arn: str | Token | None
    point_in_time_recovery: bool
    time_to_live_attribute: str | None
    stream: str | None
    table_name: str | Token | None
    removal_policy: str


@attrs.frozen(kw_only=True)
class GlobalSecondaryIndexProps:
    index_name: str
    partition_key: Attribute
    sort_key: Attribute | None
    projection: str | tuple[str, ...]
    read_capacity: int | None
    write_capacity: int | None


# -- the table ---------------------------------------------------------------------------------

_TABLE_ARGS = """
        billing_mode: BillingMode.PAY_PER_REQUEST (default: on demand) or BillingMode.PROVISIONED
            (then read_capacity and write_capacity are required).
        read_capacity: read capacity units of a PROVISIONED table (and its indexes unless they set their own).
        write_capacity: write capacity units of a PROVISIONED table (and its indexes unless they set their own).
        encryption: who holds the key that encrypts the table: TableEncryption.AWS_OWNED (default),
            AWS_MANAGED (the account's aws/dynamodb key) or CUSTOMER_MANAGED (the key of kms_key_arn).
        kms_key_arn: the ARN of your KMS key; only with encryption CUSTOMER_MANAGED, which needs it.
            Grants then include the key.
        encryption_key: a kms.Key (or `kms.Key.from_key_arn`) the table is encrypted with (encryption
            CUSTOMER_MANAGED is then implied and kms_key_arn not given). Grants then include the key.
        point_in_time_recovery: keep continuous backups (35 days) to restore the table to any second.
        time_to_live_attribute: the attribute holding each item's expiry time (epoch seconds); items
            past it are deleted by DynamoDB.
        stream: write a change stream with this view (a StreamViewType value); needed by
            `table_stream_arn` and `grant_stream_read`.
        table_name: the table's name; CloudFormation generates one when omitted (a fixed name makes the
            table impossible to replace without a name change).
        removal_policy: what happens to the items when the table leaves the stack or is replaced:
            "retain" (default) or "destroy".
"""


class Table(Construct):
    """A DynamoDB table (`AWS::DynamoDB::Table`, the child `Resource`).

    Indexes can be added after creation (`add_global_secondary_index`); the attribute definitions,
    the index list and every grant already made follow, because they are computed when the template
    is written.

    Args:
        partition_key: the partition (hash) key: `Attribute(name, AttributeType.STRING)`.
        sort_key: the sort (range) key, a different attribute; none by default.
    """

    __doc__ = (__doc__ or "") + _TABLE_ARGS
    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        partition_key: KeyAttribute,
        sort_key: OptionalKeyAttribute = None,
        billing_mode: Annotated[str, Cfn("BillingMode")] = BillingMode.PAY_PER_REQUEST,
        read_capacity: ReadCapacity = None,
        write_capacity: WriteCapacity = None,
        encryption: Encryption = TableEncryption.AWS_OWNED,
        kms_key_arn: KmsKeyArn = None,
        encryption_key: kms.KeyBase | None = None,
        point_in_time_recovery: bool = False,
        time_to_live_attribute: TimeToLiveAttribute = None,
        stream: Stream = None,
        table_name: TableName = None,
        removal_policy: TableRemovalPolicy = RETAIN,
    ) -> None:
        super().__init__(scope, id)
        self.encryption_key = encryption_key
        if encryption_key is not None:
            if kms_key_arn is not None:
                raise ConstructError(f"invalid argument for {type(self).__name__} {id!r}: give encryption_key or "
                                     "kms_key_arn, not both", path=self.path, location=self.location)
            encryption, kms_key_arn = TableEncryption.CUSTOMER_MANAGED, encryption_key.key_arn
        self.props = TableProps(
            partition_key=partition_key, sort_key=sort_key, billing_mode=billing_mode, read_capacity=read_capacity,
            write_capacity=write_capacity, encryption=encryption, kms_key_arn=kms_key_arn,
            point_in_time_recovery=point_in_time_recovery, time_to_live_attribute=time_to_live_attribute,
            stream=stream, table_name=table_name, removal_policy=removal_policy,
        )
        problem = self._options_problem()
        if problem is not None:
            raise ConstructError(f"invalid argument for {type(self).__name__} {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self._indexes: list[GlobalSecondaryIndexProps] = []
        self._index_grants: list[iam.Grant] = []  # grants whose resources must cover the indexes
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=self._properties())
        apply_removal_policy(self.resource, removal_policy)

    @classmethod
    def from_table_arn(cls, scope: Construct, id: str, table_arn: str | Token, *,
                       table_stream_arn: str | Token | None = None, encryption_key: kms.KeyBase | None = None,
                       global_indexes: bool = False) -> ImportedTable:
        """A table that exists, by its ARN: grants and references work on it; it makes no resource, and what
        would change the table (an index) is refused."""
        return ImportedTable(scope, id, table_arn=table_arn, table_stream_arn=table_stream_arn,
                             encryption_key=encryption_key, global_indexes=global_indexes)

    def _options_problem(self) -> str | None:
        """Options that do not go together (each one alone was checked from the signature)."""
        props = self.props
        problem = _capacities_problem(props.billing_mode, props.read_capacity, props.write_capacity, "the table")
        if problem:
            return problem
        if props.encryption == TableEncryption.CUSTOMER_MANAGED and props.kms_key_arn is None:
            return "encryption CUSTOMER_MANAGED needs kms_key_arn (the ARN of your KMS key)"
        if props.encryption != TableEncryption.CUSTOMER_MANAGED and props.kms_key_arn is not None:
            return f"kms_key_arn is only used with encryption CUSTOMER_MANAGED, not {props.encryption}"
        if props.sort_key is not None and props.sort_key.name == props.partition_key.name:
            return (f"sort_key and partition_key are both {props.partition_key.name!r}; "
                    "they must be different attributes")
        return None

    def _properties(self) -> dict[str, Any]:
        props = self.props
        return {
            "TableName": props.table_name,
            "KeySchema": _key_schema(props.partition_key, props.sort_key),
            "AttributeDefinitions": Lazy(self._attribute_definitions),
            "BillingMode": props.billing_mode,
            "ProvisionedThroughput": _throughput(props.read_capacity, props.write_capacity),
            "GlobalSecondaryIndexes": Lazy(self._global_secondary_indexes),
            "SSESpecification": _sse_specification(props.encryption, props.kms_key_arn),
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}
            if props.point_in_time_recovery else None,
            "TimeToLiveSpecification": {"AttributeName": props.time_to_live_attribute, "Enabled": True}
            if props.time_to_live_attribute else None,
            "StreamSpecification": {"StreamViewType": props.stream} if props.stream else None,
        }

    # -- references --------------------------------------------------------------------------

    @property
    def table_name(self) -> Token:
        return self.resource.ref

    @property
    def table_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def table_stream_arn(self) -> Token:
        """The stream's ARN; only a table created with `stream=` has one."""
        if self.props.stream is None:
            raise self._error(
                f"table {self.path} has no stream, so it has no stream ARN",
                hint="create it with stream=dynamodb.StreamViewType.NEW_IMAGE (or another view type)",
            )
        return self.resource.get_att("StreamArn")

    # -- indexes -----------------------------------------------------------------------------

    def add_global_secondary_index(
        self,
        *,
        index_name: str,
        partition_key: Attribute,
        sort_key: Attribute | None = None,
        projection: str | Sequence[str] = Projection.ALL,
        read_capacity: int | None = None,
        write_capacity: int | None = None,
    ) -> None:
        """Add a global secondary index. On a PROVISIONED table it gets the table's capacities
        unless given its own; grants made before or after cover it (`<table ARN>/index/*`).

        The values are checked by the rules of the table's own props and the schema of
        GlobalSecondaryIndexes (IndexName, Projection); a problem names the line that adds the index.
        """
        problem = _index_problem(index_name=index_name, partition_key=partition_key, sort_key=sort_key,
                                 projection=projection, read_capacity=read_capacity, write_capacity=write_capacity)
        if problem is not None:
            raise self._error(f"invalid global secondary index for table {self.path}: {problem}")
        index = GlobalSecondaryIndexProps(
            index_name=index_name, partition_key=partition_key, sort_key=sort_key,
            projection=projection if isinstance(projection, str) else tuple(projection),
            read_capacity=read_capacity, write_capacity=write_capacity,
        )
        self._check_new_index(index)
        if not self._indexes:
            self._extend_grants_to_indexes()
        self._indexes.append(index)

    def _extend_grants_to_indexes(self) -> None:
        """The first index widens the item grants already made to `<table ARN>/index/*`.

        A grant's statement is the very object in the role's policy document, which is only turned
        into JSON when the template is written, so adding the ARN here reaches the template.
        """
        for grant in self._index_grants:
            grant.statement.resources.append(self._index_arns())

    def _check_new_index(self, index: GlobalSecondaryIndexProps) -> None:
        if any(existing.index_name == index.index_name for existing in self._indexes):
            raise self._error(f"table {self.path} already has an index named {index.index_name!r}",
                              hint="index names must be unique within a table")
        if len(self._indexes) >= MAX_GLOBAL_SECONDARY_INDEXES:
            raise self._error(f"table {self.path} already has {MAX_GLOBAL_SECONDARY_INDEXES} global secondary "
                              "indexes, DynamoDB's limit per table")
        if self.props.billing_mode == BillingMode.PAY_PER_REQUEST:
            problem = _capacities_problem(self.props.billing_mode, index.read_capacity, index.write_capacity,
                                          f"index {index.index_name!r}")
            if problem:
                raise self._error(problem)
        try:
            self._attribute_types([index.partition_key, index.sort_key])
        except ValueError as error:
            raise self._error(str(error)) from None

    def _attribute_types(self, extra: Sequence[Attribute | None] = ()) -> dict[str, str]:
        """Every key attribute's type; one name used with two types is an error."""
        keys = [self.props.partition_key, self.props.sort_key]
        keys += [key for index in self._indexes for key in (index.partition_key, index.sort_key)]
        types: dict[str, str] = {}
        for key in [*keys, *extra]:
            if key is None:
                continue
            known = types.setdefault(key.name, key.type)
            if known != key.type:
                raise ValueError(f"attribute {key.name!r} is used as a key with type {known!r} and with type "
                                 f"{key.type!r}; one attribute has one type")
        return types

    def _attribute_definitions(self) -> list[dict[str, str]]:
        return [{"AttributeName": name, "AttributeType": type_}
                for name, type_ in sorted(self._attribute_types().items())]

    def _global_secondary_indexes(self) -> list[dict[str, Any]] | None:
        return [self._index_json(index) for index in self._indexes] or None

    def _index_json(self, index: GlobalSecondaryIndexProps) -> dict[str, Any]:
        provisioned = self.props.billing_mode == BillingMode.PROVISIONED
        return {
            "IndexName": index.index_name,
            "KeySchema": _key_schema(index.partition_key, index.sort_key),
            "Projection": _projection(index.projection),
            "ProvisionedThroughput": _throughput(
                index.read_capacity or self.props.read_capacity, index.write_capacity or self.props.write_capacity
            ) if provisioned else None,
        }

    def _index_arns(self) -> str:
        return f"{self.table_arn}/index/*"

    # -- grants ------------------------------------------------------------------------------

    def grant_read(self, grantee: Any) -> iam.Grant:
        """Read items (get, query, scan, batch get, condition checks) and describe the table."""
        return self._grant_items(grantee, READ_ACTIONS, KMS_READ_ACTIONS)

    def grant_write(self, grantee: Any) -> iam.Grant:
        """Put, update and delete items (one by one or in batches) and describe the table."""
        return self._grant_items(grantee, WRITE_ACTIONS, KMS_WRITE_ACTIONS)

    def grant_read_write(self, grantee: Any) -> iam.Grant:
        return self._grant_items(grantee, READ_ACTIONS + WRITE_ACTIONS, KMS_WRITE_ACTIONS)

    def grant_stream_read(self, grantee: Any) -> iam.Grant:
        """Read the table's stream (what a stream consumer such as a Lambda event source needs)."""
        stream_arn = self.table_stream_arn  # raises first when there is no stream
        result = iam.grant(grantee, actions=STREAM_READ_ACTIONS, resources=[stream_arn], scope=self)
        # dynamodb:ListStreams supports no resource-level permissions: IAM only accepts "*" for it.
        iam.grant(grantee, actions=["dynamodb:ListStreams"], resources=["*"], scope=self)
        self._grant_key(grantee, ("kms:Decrypt",))
        return result

    def _grant_items(self, grantee: Any, actions: Sequence[str], key_actions: Sequence[str]) -> iam.Grant:
        resources: list[Any] = [self.table_arn]
        if self._indexes:
            resources.append(self._index_arns())
        result = iam.grant(grantee, actions=actions, resources=resources, scope=self)
        self._index_grants.append(result)
        self._grant_key(grantee, key_actions)
        return result

    def _grant_key(self, grantee: Any, actions: Sequence[str]) -> None:
        if self.props.encryption == TableEncryption.CUSTOMER_MANAGED:
            iam.grant(grantee, actions=actions, resources=[self.props.kms_key_arn], scope=self)

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        """An error about a call on this table, pointing at the user's line that made the call."""
        return ConstructError(message, path=self.path, location=caller_location(2) or self.location, hint=hint)


class SimpleTable(Table):
    """SAM's `AWS::Serverless::SimpleTable`: one primary key (a string `id` by default), billed on demand.

    Everything else (encryption, point-in-time recovery, removal policy, ...) is as for Table.

    Args:
        primary_key: the table's only key: `Attribute("id", AttributeType.STRING)` unless given.
        sort_key: not taken: a SimpleTable has only its primary key (use Table for a sort key).
    """

    __doc__ = (__doc__ or "") + _TABLE_ARGS

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        primary_key: KeyAttribute = Attribute("id", AttributeType.STRING),
        sort_key: Annotated[Attribute | None, Check(_no_sort_key)] = None,
        billing_mode: Annotated[str, Cfn("BillingMode")] = BillingMode.PAY_PER_REQUEST,
        read_capacity: ReadCapacity = None,
        write_capacity: WriteCapacity = None,
        encryption: Encryption = TableEncryption.AWS_OWNED,
        kms_key_arn: KmsKeyArn = None,
        encryption_key: kms.KeyBase | None = None,
        point_in_time_recovery: bool = False,
        time_to_live_attribute: TimeToLiveAttribute = None,
        stream: Stream = None,
        table_name: TableName = None,
        removal_policy: TableRemovalPolicy = RETAIN,
    ) -> None:
        super().__init__(
            scope, id, partition_key=primary_key, billing_mode=billing_mode, read_capacity=read_capacity,
            write_capacity=write_capacity, encryption=encryption, kms_key_arn=kms_key_arn,
            encryption_key=encryption_key,
            point_in_time_recovery=point_in_time_recovery, time_to_live_attribute=time_to_live_attribute,
            stream=stream, table_name=table_name, removal_policy=removal_policy,
        )


def _index_problem(*, index_name: Any, partition_key: Any, sort_key: Any, projection: Any, read_capacity: Any,
                   write_capacity: Any) -> str | None:
    """What is wrong with a global secondary index's arguments, by the rules the table's props use."""
    from iac.constructs.core.props import describe_type, matches

    arguments = {"index_name": index_name, "partition_key": partition_key, "sort_key": sort_key,
                 "projection": projection, "read_capacity": read_capacity, "write_capacity": write_capacity}
    rules: dict[str, tuple[Any, tuple[Callable[[Any], str | None], ...]]] = {
        "index_name": (str, (_schema_rule("GlobalSecondaryIndexes", "IndexName"),)),
        "partition_key": (Attribute, (key_rule,)),
        "sort_key": (Attribute | None, (key_rule,)),
        "projection": (str | Sequence[str], (projection_rule,)),
        "read_capacity": (int | None, (capacity_rule,)),
        "write_capacity": (int | None, (capacity_rule,)),
    }
    for name, (annotation, checks) in rules.items():
        value = arguments[name]
        if not matches(value, annotation):
            return f"{name} must be {describe_type(annotation)}, got {type(value).__name__} {value!r}"
        for check in checks:
            problem = None if value is None else check(value)
            if problem:
                return f"{name}: {problem}"
    if sort_key is not None and sort_key.name == partition_key.name:
        return f"sort_key and partition_key are both {partition_key.name!r}; they must be different attributes"
    return None


# -- template fragments --------------------------------------------------------------------

def _key_schema(partition_key: Attribute, sort_key: Attribute | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition_key.name, "KeyType": "HASH"}]
    if sort_key is not None:
        schema.append({"AttributeName": sort_key.name, "KeyType": "RANGE"})
    return schema


def _throughput(read: int | None, write: int | None) -> dict[str, int] | None:
    if read is None or write is None:
        return None
    return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}


def _projection(projection: str | tuple[str, ...]) -> dict[str, Any]:
    if isinstance(projection, tuple):
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(projection)}
    return {"ProjectionType": projection}


def _sse_specification(encryption: str, kms_key_arn: Any) -> dict[str, Any] | None:
    """AWS owned: nothing to write (DynamoDB's default). Otherwise KMS, with the account's or your key."""
    if encryption == TableEncryption.AWS_MANAGED:
        return {"SSEEnabled": True}
    if encryption == TableEncryption.CUSTOMER_MANAGED:
        return {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key_arn}
    return None


_TABLE_ARN = re.compile(r"^arn:[a-z-]+:dynamodb:[a-z0-9-]+:\d{12}:table/([A-Za-z0-9_.-]+)$")


class ImportedTable(Table):
    """A table made elsewhere, known by its ARN (usually through `Table.from_table_arn`). It is a Table where
    constructs look for one: grants go to the grantee's policy, naming the ARN (and `<ARN>/index/*` with
    `global_indexes=True`, the key with `encryption_key`, the stream with `table_stream_arn`); `table_name` is
    taken from the ARN. It makes no resource, and adding an index (a change to the table) is refused. Its
    keys and settings are not known here (`props` holds the name and the encryption, the rest unset).

    Args:
        table_arn: the table's ARN, arn:aws:dynamodb:region:account:table/name.
        table_stream_arn: the ARN of the table's stream, for grant_stream_read and stream event sources.
        encryption_key: the customer-managed KMS key (a kms.Key or kms.Key.from_key_arn) the table is
            encrypted with, if any; grants then include it.
        global_indexes: whether the table has global secondary indexes that grants should reach.
    """

    def __init__(self, scope: Construct, id: str, *, table_arn: str | Token,
                 table_stream_arn: str | Token | None = None, encryption_key: kms.KeyBase | None = None,
                 global_indexes: bool = False) -> None:
        Construct.__init__(self, scope, id)
        literal = isinstance(table_arn, str) and not is_token(table_arn)
        match = _TABLE_ARN.match(str(table_arn)) if literal else None
        if literal and match is None:
            raise ConstructError(f"{table_arn!r} is not a DynamoDB table ARN (arn:aws:dynamodb:region:account:"
                                 "table/name)", path=self.path, location=self.location)
        self._arn = table_arn
        self._name: Any = match.group(1) if match else Fn.select(1, Fn.split("/", table_arn))
        self._stream_arn = table_stream_arn
        self.global_indexes = global_indexes
        self.encryption_key = encryption_key
        self.props = TableProps(
            partition_key=None, sort_key=None, billing_mode=BillingMode.PAY_PER_REQUEST,  # type: ignore[arg-type]
            read_capacity=None, write_capacity=None,
            encryption=TableEncryption.CUSTOMER_MANAGED if encryption_key is not None else TableEncryption.AWS_OWNED,
            kms_key_arn=encryption_key.key_arn if encryption_key is not None else None, point_in_time_recovery=False,
            time_to_live_attribute=None, stream=None, table_name=self._name, removal_policy=RETAIN)
        self._indexes = []
        self._index_grants = []

    @property
    def table_name(self) -> Any:
        return self._name

    @property
    def table_arn(self) -> Any:
        return self._arn

    @property
    def table_stream_arn(self) -> Any:
        if self._stream_arn is None:
            raise self._error(f"the imported table {self.path} was given no stream ARN",
                              hint="pass table_stream_arn= to Table.from_table_arn")
        return self._stream_arn

    def add_global_secondary_index(self, **options: Any) -> None:  # noqa: D102 - refuses whatever it is given
        raise self._error(f"cannot add an index to the imported table {self.path}: that changes the table, which "
                          "this stack does not own", hint="add the index where the table is defined, and import "
                          "it with global_indexes=True so grants reach it")

    def _grant_items(self, grantee: Any, actions: Sequence[str], key_actions: Sequence[str]) -> iam.Grant:
        resources: list[Any] = [self.table_arn] + ([self._index_arns()] if self.global_indexes else [])
        result = iam.grant(grantee, actions=actions, resources=resources, scope=self)
        self._grant_key(grantee, key_actions)
        return result
