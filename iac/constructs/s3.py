"""S3: buckets that are private, encrypted and kept by default, and least-privilege grants.

    bucket = s3.Bucket(stack, "Artifacts", versioned=True)
    bucket.grant_read(function)

Defaults: all four public access block flags on; encryption with S3 managed keys; a bucket policy that
denies any request not made over TLS; DeletionPolicy and UpdateReplacePolicy Retain (CloudFormation
cannot delete a bucket that still holds objects anyway, so "destroy" only helps for empty buckets).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, Literal

import attrs

from iac.constructs import iam, kms
from iac.constructs.core import CfnResource, Construct, Lazy, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::S3::Bucket"
IP_ADDRESS_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


class BucketEncryption:
    S3_MANAGED: Final = "S3_MANAGED"  # SSE-S3 (AES256): S3 holds the keys
    KMS: Final = "KMS"  # SSE-KMS with your key (kms_key_arn=): key use is logged and governed by its policy


ENCRYPTIONS = (BucketEncryption.S3_MANAGED, BucketEncryption.KMS)

# Bucket-level actions (GetBucket*, List*) match only the bucket ARN and object-level ones only the
# objects ARN, so granting each set on both ARNs allows nothing beyond the pairs that apply.
READ_ACTIONS = ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
WRITE_ACTIONS = ("s3:Abort*", "s3:DeleteObject*", "s3:PutObject", "s3:PutObjectLegalHold",
                 "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionTagging")
# SSE-KMS objects are encrypted and decrypted with the caller's permissions on the key.
KMS_READ_ACTIONS = ("kms:Decrypt",)
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")

#: S3's shortest bucket name. The BucketName schema sets the longest and the characters, not this.
MIN_BUCKET_NAME_LENGTH = 3


# -- rules the schema cannot say ---------------------------------------------------------------

def bucket_name_rule(value: Any) -> str | None:
    """A `Check` rule: S3's naming rules beyond the schema's pattern and length (literal names only;
    CloudFormation checks a deploy-time name). https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"""
    if not isinstance(value, str) or is_token(value):
        return None
    if len(value) < MIN_BUCKET_NAME_LENGTH:
        why = f"S3 bucket names are at least {MIN_BUCKET_NAME_LENGTH} characters long"
    elif ".." in value:
        why = "it must not have two adjacent periods"
    elif IP_ADDRESS_RE.match(value):
        why = "it must not be formatted as an IP address"
    elif value.startswith("xn--") or value.endswith("-s3alias"):
        why = "the prefix 'xn--' and the suffix '-s3alias' are reserved"
    else:
        return None
    return f"{value!r} is not a valid S3 bucket name: {why}"


def kms_key_arn_rule(value: Any) -> str | None:
    """A `Check` rule: an ARN (grants name the key in policies, so a key id or alias is not enough) or a
    deploy-time value."""
    if not isinstance(value, str) or is_token(value):
        return None
    if value.startswith("arn:") and ":kms:" in value:
        return None
    return f"must be a KMS key ARN (arn:aws:kms:region:account:key/id), got {value!r}"


def lifecycle_rules_rule(value: Any) -> str | None:
    """A `Check` rule: each rule as the schema of LifecycleConfiguration.Rules describes it."""
    return _schema_problem(("LifecycleConfiguration", "Rules"), [dict(rule) for rule in value])


def _schema_problem(path: tuple[str, ...], value: Any) -> str | None:
    """What the registry schema of the nested property at `path` says is wrong with `value`, or None."""
    if _contains_token(value):
        return None
    validator = _nested_validator(path)
    error = None if validator is None else next(iter(sorted(validator.iter_errors(value), key=lambda e: list(e.path))),
                                                 None)
    if error is None:
        return None
    where = "".join(f"[{part!r}]" for part in error.path)
    return f"{error.message}{' at ' + where if where else ''} ({RESOURCE_TYPE} {'.'.join(path)}, per its schema)"


@functools.cache
def _nested_validator(path: tuple[str, ...]) -> Any:
    from iac.specs import property_document  # the schemas load on first use only

    document = property_document(RESOURCE_TYPE, *path)
    if document is None:
        return None
    import jsonschema

    return _converting_validator(jsonschema)(document)


_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _converting_validator(jsonschema: Any) -> Any:
    """Draft 7, with CloudFormation's scalar conversions ("30" is a fine integer, 30 a fine string), so
    raw rule dicts are judged as synthesis's schema layer judges them."""
    base = jsonschema.Draft7Validator.TYPE_CHECKER

    def integer(checker: Any, value: Any) -> bool:
        return base.is_type(value, "integer") or (isinstance(value, str) and bool(_INTEGER.match(value)))

    def number(checker: Any, value: Any) -> bool:
        return base.is_type(value, "number") or (isinstance(value, str) and bool(_NUMBER.match(value)))

    def string(checker: Any, value: Any) -> bool:
        return isinstance(value, str | int | float)  # bool is an int: CloudFormation writes it "true"

    def boolean(checker: Any, value: Any) -> bool:
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))

    checker = base.redefine_many({"integer": integer, "number": number, "string": string, "boolean": boolean})
    return jsonschema.validators.extend(jsonschema.Draft7Validator, type_checker=checker)


def _contains_token(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_contains_token(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_contains_token(item) for item in value)
    return is_token(value)


@attrs.frozen(kw_only=True)
class BucketProps:
    """The options a Bucket was created with (other constructs read them: `bucket.props.versioned`)."""

    bucket_name: str | Token | None
    versioned: bool
    encryption: str
    kms_key_arn: str | Token | None
    block_public_access: bool
    enforce_ssl: bool
    removal_policy: str
    lifecycle_rules: tuple[Mapping[str, Any], ...] | None
    event_bridge_enabled: bool


# -- the bucket ------------------------------------------------------------------------------

class Bucket(Construct):
    """An S3 bucket (`AWS::S3::Bucket`, the child `Resource`) and, when it has statements, its
    bucket policy (`AWS::S3::BucketPolicy`, the child `Policy`), written with its final statements.

    Args:
        bucket_name: the bucket's name; CloudFormation generates one when omitted (names are global
            across AWS accounts, and a fixed name makes the bucket impossible to replace).
        versioned: keep every version of every object (VersioningConfiguration Enabled).
        encryption: BucketEncryption.S3_MANAGED (default: SSE-S3, AES256) or BucketEncryption.KMS
            (SSE-KMS with the key of kms_key_arn).
        kms_key_arn: the ARN of the KMS key objects are encrypted with; only with encryption KMS, which
            needs it. Grants then include the key.
        encryption_key: a kms.Key (or `kms.Key.from_key_arn`) objects are encrypted with (SSE-KMS;
            encryption KMS is then implied and kms_key_arn not given). Grants then include the key.
        block_public_access: turn on all four public access block settings (default True).
        enforce_ssl: add a bucket policy statement that denies any request not made over TLS (default True).
        removal_policy: what happens to the bucket when it leaves the stack or is replaced: "retain"
            (default) or "destroy" (CloudFormation can only delete an empty bucket).
        lifecycle_rules: lifecycle rules as CloudFormation writes them, e.g.
            [{"Status": "Enabled", "ExpirationInDays": 30}]; checked against the schema.
        event_bridge_enabled: send the bucket's events to EventBridge.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        bucket_name: Annotated[str | Token | None, Cfn("BucketName"), Check(bucket_name_rule)] = None,
        versioned: bool = False,
        encryption: Literal["S3_MANAGED", "KMS"] = BucketEncryption.S3_MANAGED,
        kms_key_arn: Annotated[str | Token | None, Check(kms_key_arn_rule)] = None,
        encryption_key: kms.KeyBase | None = None,
        block_public_access: bool = True,
        enforce_ssl: bool = True,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
        lifecycle_rules: Annotated[Sequence[Mapping[str, Any]] | None, Check(lifecycle_rules_rule)] = None,
        event_bridge_enabled: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.encryption_key = encryption_key
        problem = None
        if encryption_key is not None:
            if kms_key_arn is not None:
                problem = "give encryption_key or kms_key_arn, not both"
            encryption, kms_key_arn = BucketEncryption.KMS, encryption_key.key_arn
        if problem is None and encryption == BucketEncryption.KMS and kms_key_arn is None:
            problem = "encryption KMS needs kms_key_arn (the ARN of your KMS key)"
        elif encryption != BucketEncryption.KMS and kms_key_arn is not None:
            problem = f"kms_key_arn is only used with encryption KMS, not {encryption}"
        if problem is not None:
            raise ConstructError(f"invalid argument for Bucket {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self.props = BucketProps(
            bucket_name=bucket_name, versioned=versioned, encryption=encryption, kms_key_arn=kms_key_arn,
            block_public_access=block_public_access, enforce_ssl=enforce_ssl, removal_policy=removal_policy,
            lifecycle_rules=tuple(lifecycle_rules) if lifecycle_rules is not None else None,
            event_bridge_enabled=event_bridge_enabled,
        )
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=self._properties())
        apply_removal_policy(self.resource, removal_policy)
        self.policy: CfnResource | None = None
        self._policy_document = iam.PolicyDocument()
        if enforce_ssl:
            self.add_to_resource_policy(self._deny_insecure_transport())

    def _properties(self) -> dict[str, Any]:
        props = self.props
        return {
            "BucketName": props.bucket_name,
            "VersioningConfiguration": {"Status": "Enabled"} if props.versioned else None,
            "BucketEncryption": _encryption(props.encryption, props.kms_key_arn),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "BlockPublicPolicy": True,
                "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
            } if props.block_public_access else None,
            "LifecycleConfiguration": {"Rules": list(props.lifecycle_rules)} if props.lifecycle_rules else None,
            "NotificationConfiguration": {"EventBridgeConfiguration": {"EventBridgeEnabled": True}}
            if props.event_bridge_enabled else None,
        }

    def _deny_insecure_transport(self) -> iam.PolicyStatement:
        """Deny every request made without TLS, by anyone (the deny wins over any allow)."""
        return iam.PolicyStatement(
            effect="Deny",
            principals=[iam.Principal("*")],
            actions=["s3:*"],
            resources=[self.bucket_arn, self.arn_for_objects()],
            conditions={"Bool": {"aws:SecureTransport": "false"}},
        )

    # -- references --------------------------------------------------------------------------

    @property
    def bucket_name(self) -> Token:
        return self.resource.ref

    @property
    def bucket_arn(self) -> Token:
        return self.resource.get_att("Arn")

    def arn_for_objects(self, pattern: str = "*") -> str:
        """The ARN of the objects whose keys match `pattern`, e.g. "uploads/*"."""
        if not isinstance(pattern, str) or not pattern:
            raise self._error(f"arn_for_objects needs a key pattern such as '*' or 'uploads/*', got {pattern!r}")
        return f"{self.bucket_arn}/{pattern}"

    # -- resource policy -----------------------------------------------------------------------

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the bucket policy (created on first use; statements are merged)."""
        if not isinstance(statement, iam.PolicyStatement):
            raise self._error(f"add_to_resource_policy takes an iam.PolicyStatement, got {statement!r}")
        if not statement.principals:
            raise self._error("a bucket policy statement must name who it applies to",
                              hint="pass principals=[...] to the PolicyStatement")
        if self.policy is None:
            self.policy = CfnResource(self, "Policy", type="AWS::S3::BucketPolicy", properties={
                "Bucket": self.bucket_name,
                "PolicyDocument": Lazy(self._policy_document.to_json),
            })
        self._policy_document.add_statements(statement)

    # -- grants --------------------------------------------------------------------------------

    def grant_read(self, grantee: Any, objects: str = "*") -> iam.Grant:
        """List the bucket and read the objects matching `objects` (and their versions, tags, ACLs)."""
        return self._grant(grantee, READ_ACTIONS, [self.bucket_arn, self.arn_for_objects(objects)],
                           KMS_READ_ACTIONS)

    def grant_write(self, grantee: Any, objects: str = "*") -> iam.Grant:
        """Put, tag and delete the objects matching `objects`, and abort their multipart uploads."""
        return self._grant(grantee, WRITE_ACTIONS, [self.arn_for_objects(objects)], KMS_WRITE_ACTIONS)

    def grant_read_write(self, grantee: Any, objects: str = "*") -> iam.Grant:
        return self._grant(grantee, READ_ACTIONS + WRITE_ACTIONS, [self.bucket_arn, self.arn_for_objects(objects)],
                           KMS_WRITE_ACTIONS)

    def _grant(self, grantee: Any, actions: Sequence[str], resources: list[Any],
               key_actions: Sequence[str]) -> iam.Grant:
        result = iam.grant(grantee, actions=actions, resources=resources, scope=self)
        if self.props.encryption == BucketEncryption.KMS:
            iam.grant(grantee, actions=key_actions, resources=[self.props.kms_key_arn], scope=self)
        return result

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        """An error about a call on this bucket, pointing at the user's line that made the call."""
        return ConstructError(message, path=self.path, location=caller_location(2) or self.location, hint=hint)


def _encryption(encryption: str, kms_key_arn: Any) -> dict[str, Any]:
    default: dict[str, Any] = {"SSEAlgorithm": "AES256"}
    if encryption == BucketEncryption.KMS:
        default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_key_arn}
    return {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": default}]}
