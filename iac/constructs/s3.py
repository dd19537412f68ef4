"""S3: buckets that are private, encrypted and kept by default, and least-privilege grants.

    bucket = s3.Bucket(stack, "Artifacts", versioned=True)
    bucket.grant_read(function)

Defaults: all four public access block flags on; encryption with S3 managed keys; a bucket policy that
denies any request not made over TLS; DeletionPolicy and UpdateReplacePolicy Retain (CloudFormation
cannot delete a bucket that still holds objects anyway, so "destroy" only helps for empty buckets).
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

RESOURCE_TYPE = "AWS::S3::Bucket"
BUCKET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
IP_ADDRESS_RE = re.compile(r"^\d+\.\d+\.\d+\.\d+$")


class BucketEncryption:
    S3_MANAGED = "S3_MANAGED"  # SSE-S3 (AES256): S3 holds the keys
    KMS = "KMS"  # SSE-KMS with your key (kms_key_arn=): key use is logged and governed by its policy


ENCRYPTIONS = (BucketEncryption.S3_MANAGED, BucketEncryption.KMS)

# Bucket-level actions (GetBucket*, List*) match only the bucket ARN and object-level ones only the
# objects ARN, so granting each set on both ARNs allows nothing beyond the pairs that apply.
READ_ACTIONS = ("s3:GetBucket*", "s3:GetObject*", "s3:List*")
WRITE_ACTIONS = ("s3:Abort*", "s3:DeleteObject*", "s3:PutObject", "s3:PutObjectLegalHold",
                 "s3:PutObjectRetention", "s3:PutObjectTagging", "s3:PutObjectVersionTagging")
# SSE-KMS objects are encrypted and decrypted with the caller's permissions on the key.
KMS_READ_ACTIONS = ("kms:Decrypt",)
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*")


# -- validators -------------------------------------------------------------------------------

def _check_bucket_name(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """S3's naming rules for literal names; deploy-time names pass (CloudFormation checks them)."""
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not BUCKET_NAME_RE.match(value) or ".." in value \
            or IP_ADDRESS_RE.match(value) or value.startswith("xn--") or value.endswith("-s3alias"):
        raise ValueError(f"bucket_name {value!r} is not a valid S3 bucket name: use 3 to 63 lowercase letters, "
                         "digits, '.' or '-', starting and ending with a letter or digit")


def _check_kms_key_arn(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    """An ARN (grants name it in policies, so a key id or alias is not enough) or a deploy-time value."""
    if value is None or is_token(value):
        return
    if not isinstance(value, str) or not value.startswith("arn:") or ":kms:" not in value:
        raise ValueError(f"kms_key_arn must be a KMS key ARN (arn:aws:kms:region:account:key/id), got {value!r}")


def _check_lifecycle_rules(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list | tuple) or not all(isinstance(rule, dict) for rule in value):
        raise TypeError("lifecycle_rules must be a list of rule dicts as CloudFormation writes them, e.g. "
                        "[{'Status': 'Enabled', 'ExpirationInDays': 30}]")


def _bool_field(default: bool) -> Any:
    return attrs.field(default=default, validator=attrs.validators.instance_of(bool))


@attrs.define(kw_only=True)
class BucketProps:
    bucket_name: Any = attrs.field(default=None, validator=_check_bucket_name)
    versioned: bool = _bool_field(False)
    encryption: str = attrs.field(default=BucketEncryption.S3_MANAGED, validator=props_validator_in(ENCRYPTIONS))
    kms_key_arn: Any = attrs.field(default=None, validator=_check_kms_key_arn)
    block_public_access: bool = _bool_field(True)
    enforce_ssl: bool = _bool_field(True)
    removal_policy: str = attrs.field(default=RETAIN, validator=removal_policy_validator((RETAIN, DESTROY),
                                                                                          RESOURCE_TYPE))
    lifecycle_rules: list[dict[str, Any]] | None = attrs.field(default=None, validator=_check_lifecycle_rules)
    event_bridge_enabled: bool = _bool_field(False)

    def __attrs_post_init__(self) -> None:
        if self.encryption is None:
            raise ValueError(f"encryption must be one of {', '.join(ENCRYPTIONS)}; got None")
        if self.encryption == BucketEncryption.KMS and self.kms_key_arn is None:
            raise ValueError("encryption KMS needs kms_key_arn (the ARN of your KMS key)")
        if self.encryption != BucketEncryption.KMS and self.kms_key_arn is not None:
            raise ValueError(f"kms_key_arn is only used with encryption KMS, not {self.encryption}")


# -- the bucket ------------------------------------------------------------------------------

class Bucket(Construct):
    """An S3 bucket (`AWS::S3::Bucket`, the child `Resource`) and, when it has statements, its
    bucket policy (`AWS::S3::BucketPolicy`, the child `Policy`), written with its final statements."""

    def __init__(self, scope: Construct, id: str, **props: Any) -> None:
        super().__init__(scope, id)
        self.props: BucketProps = self._build_props(BucketProps, props)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=self._properties())
        apply_removal_policy(self.resource, self.props.removal_policy)
        self.policy: CfnResource | None = None
        self._policy_document = iam.PolicyDocument()
        if self.props.enforce_ssl:
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
