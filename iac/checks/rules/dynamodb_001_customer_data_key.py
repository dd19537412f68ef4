from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import as_list, is_intrinsic, is_true

#: The data mark: a tag with this key (any case) ...
DATA_TAG = "data-classification"
#: ... and one of these values (any case) marks a table that holds customer data.
CUSTOMER_DATA = ("confidential", "restricted", "customer", "pii")
#: The key DynamoDB uses when SSEEnabled is true and no key is named: AWS's, not the customer's.
AWS_MANAGED_KEY = "alias/aws/dynamodb"


def _marks(tags: Any) -> str | None:
    """The customer-data mark among `tags` ([{Key, Value}]), e.g. "pii"; None when there is none."""
    for tag in as_list(tags):
        if isinstance(tag, dict) and str(tag.get("Key", "")).lower() == DATA_TAG:
            value = tag.get("Value")
            if isinstance(value, str) and value.lower() in CUSTOMER_DATA:
                return value
    return None


def _customer_key(key: Any) -> bool:
    """Whether a KMSMasterKeyId names a key of the customer's (computed ones are taken to)."""
    if key is None:
        return False
    return is_intrinsic(key) or not (isinstance(key, str) and key.lower().endswith(AWS_MANAGED_KEY))


def _key_of(holder: dict[str, Any]) -> Any:
    """The KMSMasterKeyId of `holder`'s SSESpecification (a table's, or a global table replica's)."""
    specification = holder.get("SSESpecification")
    return specification.get("KMSMasterKeyId") if isinstance(specification, dict) else None


def check(resource: TemplateResource) -> Iterator[Finding]:
    properties = resource.properties
    if resource.type == "AWS::DynamoDB::Table":
        mark, keys = _marks(properties.get("Tags")), [_key_of(properties)]
    else:  # a global table: tags and keys per replica
        replicas = [replica for replica in as_list(properties.get("Replicas")) if isinstance(replica, dict)]
        mark = next((found for replica in replicas if (found := _marks(replica.get("Tags")))), None)
        keys = [_key_of(replica) for replica in replicas] or [None]
    if mark is None:
        return
    sse = properties.get("SSESpecification")
    if is_intrinsic(sse) or (isinstance(sse, dict) and is_intrinsic(sse.get("SSEEnabled"))):
        return
    enabled = isinstance(sse, dict) and is_true(sse.get("SSEEnabled"))
    if enabled and all(_customer_key(key) for key in keys):
        return
    how = ("its own KMS key" if not enabled else "the AWS managed key aws/dynamodb, not a key of yours")
    yield resource.finding(f"the table is marked {DATA_TAG}: {mark} but is encrypted with {how}",
                           *(("SSESpecification",) if sse is not None else ()))


RULE = Rule(
    id="IAC-DYNAMODB-001",
    severity="warning",
    pack="storage",
    description="A DynamoDB table marked as holding customer data is not encrypted with a customer managed key",
    why="DynamoDB encrypts every table, by default with a key AWS owns: nobody can then restrict, audit or "
        "revoke the use of the key. For customer data, a key of your own (its key policy, its CloudTrail "
        f"record, disabling it to make backups unreadable) is what auditors ask for. A table is marked by a tag "
        f"{DATA_TAG} with value {', '.join(CUSTOMER_DATA)} (any case); unmarked tables are not judged.",
    fix="Set SSESpecification {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: your key} (for a global table "
        "the key per replica); with iac: dynamodb.Table(..., encryption_key=kms.Key(...)).",
    url="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/EncryptionAtRest.html",
    resource_types=("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"),
    check=check,
    reads={"AWS::DynamoDB::Table": ("Tags", "SSESpecification"),
           "AWS::DynamoDB::GlobalTable": ("Replicas", "SSESpecification")},
)
