"""DynamoDB: tables with defaults that protect the data, and least-privilege grants.

    table = dynamodb.Table(stack, "Orders", partition_key=dynamodb.Attribute("pk", dynamodb.AttributeType.STRING))
    table.grant_read(function)

Defaults: on-demand billing (no capacity to guess, nothing to pay while idle); encryption at rest with
an AWS owned key (DynamoDB always encrypts; AWS_MANAGED or CUSTOMER_MANAGED put the key in the user's
account); DeletionPolicy and UpdateReplacePolicy Retain, so neither deleting the construct nor a
change that replaces the table deletes its items. Grants name exact actions on the table's ARN (and
its indexes' ARNs when it has any), never `dynamodb:*`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import attrs

from iac.constructs import iam
from iac.constructs.core import CfnResource, Construct, Lazy, Token, is_token
from iac.constructs.core.construct import props_validator_in
from iac.constructs.core.removal import DESTROY, RETAIN, apply_removal_policy, removal_policy_validator
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::DynamoDB::Table"
MAX_GLOBAL_SECONDARY_INDEXES = 20  # DynamoDB's default quota per table
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")  # table and index names


class AttributeType:
    """Key attribute types as DynamoDB writes them."""

    STRING = "S"
    NUMBER = "N"
    BINARY = "B"


class BillingMode:
    PAY_PER_REQUEST = "PAY_PER_REQUEST"
    PROVISIONED = "PROVISIONED"


class TableEncryption:
    """Who holds the key that encrypts the table at rest."""

    AWS_OWNED = "AWS_OWNED"  # DynamoDB's own key: free, invisible in the account
    AWS_MANAGED = "AWS_MANAGED"  # the account's aws/dynamodb KMS key: key use shows up in CloudTrail
    CUSTOMER_MANAGED = "CUSTOMER_MANAGED"  # a KMS key you own (kms_key_arn=): you control its policy


class StreamViewType:
    """What each stream record holds."""

    NEW_IMAGE = "NEW_IMAGE"
    OLD_IMAGE = "OLD_IMAGE"
    NEW_AND_OLD_IMAGES = "NEW_AND_OLD_IMAGES"
    KEYS_ONLY = "KEYS_ONLY"


class Projection:
    """Which attributes a global secondary index copies; a list of names means those plus the keys."""

    ALL = "ALL"
    KEYS_ONLY = "KEYS_ONLY"


KEY_TYPES = (AttributeType.STRING, AttributeType.NUMBER, AttributeType.BINARY)
BILLING_MODES = (BillingMode.PAY_PER_REQUEST, BillingMode.PROVISIONED)
ENCRYPTIONS = (TableEncryption.AWS_OWNED, TableEncryption.AWS_MANAGED, TableEncryption.CUSTOMER_MANAGED)
STREAM_VIEW_TYPES = (StreamViewType.NEW_IMAGE, StreamViewType.OLD_IMAGE, StreamViewType.NEW_AND_OLD_IMAGES,
                     StreamViewType.KEYS_ONLY)

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


# -- validators -------------------------------------------------------------------------------

def _check_key(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None and attribute.name == "sort_key":
        return
    if not isinstance(value, Attribute):
        raise TypeError(f"{attribute.name} must be dynamodb.Attribute(name, type), got {value!r}")
    if not isinstance(value.name, str) or not 1 <= len(value.name) <= 255 or is_token(value.name):
        raise ValueError(f"{attribute.name} name must be a literal string of 1 to 255 characters, "
                         f"got {value.name!r}")
    if value.type not in KEY_TYPES:
        raise ValueError(f"{attribute.name} {value.name!r} has type {value.type!r}; key attributes are "
                         "AttributeType.STRING ('S'), NUMBER ('N') or BINARY ('B')")


def _check_name(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """Literal names must be 3-255 letters, digits, '_', '-' or '.'; deploy-time names pass."""
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise ValueError(f"{attribute.name} {value!r} is not a valid DynamoDB name: use 3 to 255 letters, "
                         "digits, '_', '-' or '.'")


def _check_capacity(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"{attribute.name} must be a whole number of capacity units, at least 1; got {value!r}")


def _check_kms_key_arn(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """An ARN (grants name it in policies, so a key id or alias is not enough) or a deploy-time value."""
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not value.startswith("arn:") or ":kms:" not in value:
        raise ValueError(f"kms_key_arn must be a KMS key ARN (arn:aws:kms:region:account:key/id), got {value!r}")


def _check_capacities(billing_mode: str, read: int | None, write: int | None, what: str) -> None:
    """PROVISIONED needs both capacities; on-demand must have neither (CloudFormation rejects them)."""
    given = read is not None or write is not None
    if billing_mode == BillingMode.PROVISIONED and (read is None or write is None):
        raise ValueError(f"{what} with billing_mode PROVISIONED needs both read_capacity and write_capacity")
    if billing_mode == BillingMode.PAY_PER_REQUEST and given:
        raise ValueError(f"{what} is billed PAY_PER_REQUEST (on demand), so read_capacity and write_capacity "
                         "do not apply; pass billing_mode='PROVISIONED' to set capacities")


# -- props -------------------------------------------------------------------------------------

@attrs.define(kw_only=True)
class TableProps:
    partition_key: Attribute = attrs.field(validator=_check_key)
    sort_key: Attribute | None = attrs.field(default=None, validator=_check_key)
    billing_mode: str = attrs.field(default=BillingMode.PAY_PER_REQUEST, validator=props_validator_in(BILLING_MODES))
    read_capacity: int | None = attrs.field(default=None, validator=_check_capacity)
    write_capacity: int | None = attrs.field(default=None, validator=_check_capacity)
    encryption: str = attrs.field(default=TableEncryption.AWS_OWNED, validator=props_validator_in(ENCRYPTIONS))
    kms_key_arn: Any = attrs.field(default=None, validator=_check_kms_key_arn)
    point_in_time_recovery: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    time_to_live_attribute: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.and_(attrs.validators.instance_of(str), attrs.validators.min_len(1))))
    stream: str | None = attrs.field(default=None, validator=props_validator_in(STREAM_VIEW_TYPES))
    table_name: Any = attrs.field(default=None, validator=_check_name)
    removal_policy: str = attrs.field(default=RETAIN, validator=removal_policy_validator((RETAIN, DESTROY),
                                                                                          RESOURCE_TYPE))

    def __attrs_post_init__(self) -> None:
        if self.encryption is None:
            raise ValueError(f"encryption must be one of {', '.join(ENCRYPTIONS)}; got None")
        if self.billing_mode is None:
            raise ValueError(f"billing_mode must be one of {', '.join(BILLING_MODES)}; got None")
        _check_capacities(self.billing_mode, self.read_capacity, self.write_capacity, "the table")
        if self.encryption == TableEncryption.CUSTOMER_MANAGED and self.kms_key_arn is None:
            raise ValueError("encryption CUSTOMER_MANAGED needs kms_key_arn (the ARN of your KMS key)")
        if self.encryption != TableEncryption.CUSTOMER_MANAGED and self.kms_key_arn is not None:
            raise ValueError(f"kms_key_arn is only used with encryption CUSTOMER_MANAGED, not {self.encryption}")
        if self.sort_key is not None and self.sort_key.name == self.partition_key.name:
            raise ValueError(f"sort_key and partition_key are both {self.partition_key.name!r}; "
                             "they must be different attributes")


def _no_sort_key(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None:
        raise ValueError("a SimpleTable has only a primary key; use dynamodb.Table for a sort key")


@attrs.define(kw_only=True)
class SimpleTableProps(TableProps):
    sort_key: Attribute | None = attrs.field(default=None, validator=_no_sort_key)


def _check_projection(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value in (Projection.ALL, Projection.KEYS_ONLY):
        return
    if isinstance(value, list | tuple) and value and all(isinstance(n, str) and n for n in value):
        return
    raise ValueError(f"projection must be 'ALL', 'KEYS_ONLY' or a non-empty list of attribute names "
                     f"(those are copied besides the keys), got {value!r}")


@attrs.define(kw_only=True)
class GlobalSecondaryIndexProps:
    index_name: str = attrs.field(validator=[attrs.validators.instance_of(str), _check_name])
    partition_key: Attribute = attrs.field(validator=_check_key)
    sort_key: Attribute | None = attrs.field(default=None, validator=_check_key)
    projection: str | list[str] = attrs.field(default=Projection.ALL, validator=_check_projection)
    read_capacity: int | None = attrs.field(default=None, validator=_check_capacity)
    write_capacity: int | None = attrs.field(default=None, validator=_check_capacity)

    def __attrs_post_init__(self) -> None:
        if self.sort_key is not None and self.sort_key.name == self.partition_key.name:
            raise ValueError(f"sort_key and partition_key are both {self.partition_key.name!r}; "
                             "they must be different attributes")


# -- the table ---------------------------------------------------------------------------------

class Table(Construct):
    """A DynamoDB table (`AWS::DynamoDB::Table`, the child `Resource`).

    Indexes can be added after creation (`add_global_secondary_index`); the attribute definitions,
    the index list and every grant already made follow, because they are computed when the template
    is written.
    """

    _props_type: type[TableProps] = TableProps

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: TableProps = self._build_props(self._props_type, props)
        self._indexes: list[GlobalSecondaryIndexProps] = []
        self._index_grants: list[iam.Grant] = []  # grants whose resources must cover the indexes
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=self._properties())
        apply_removal_policy(self.resource, self.props.removal_policy)

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
        unless given its own; grants made before or after cover it (`<table ARN>/index/*`)."""
        try:
            index = GlobalSecondaryIndexProps(
                index_name=index_name, partition_key=partition_key, sort_key=sort_key,
                projection=list(projection) if isinstance(projection, list | tuple) else projection,
                read_capacity=read_capacity, write_capacity=write_capacity,
            )
        except (TypeError, ValueError) as error:
            raise self._error(f"invalid global secondary index for table {self.path}: {error}") from None
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
        try:
            if self.props.billing_mode == BillingMode.PAY_PER_REQUEST:
                _check_capacities(self.props.billing_mode, index.read_capacity, index.write_capacity,
                                  f"index {index.index_name!r}")
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
    """SAM's `AWS::Serverless::SimpleTable`: one string primary key `id`, billed on demand.

    Everything else (encryption, point-in-time recovery, removal policy, ...) is as for Table.
    """

    _props_type = SimpleTableProps

    def __init__(self, scope: Construct, id: str, *,
                 primary_key: Attribute = Attribute("id", AttributeType.STRING), **props: Any) -> None:
        super().__init__(scope, id, partition_key=primary_key, **props)


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


def _projection(projection: str | list[str]) -> dict[str, Any]:
    if isinstance(projection, list):
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(projection)}
    return {"ProjectionType": projection}


def _sse_specification(encryption: str, kms_key_arn: Any) -> dict[str, Any] | None:
    """AWS owned: nothing to write (DynamoDB's default). Otherwise KMS, with the account's or your key."""
    if encryption == TableEncryption.AWS_MANAGED:
        return {"SSEEnabled": True}
    if encryption == TableEncryption.CUSTOMER_MANAGED:
        return {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_key_arn}
    return None
