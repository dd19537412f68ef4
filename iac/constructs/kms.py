"""KMS: customer managed keys that rotate, are kept by default, and grant exactly encrypt or decrypt.

    key = kms.Key(stack, "Data", alias="alias/app/data", description="orders table and bucket")
    key.grant_decrypt(function)
    s3.Bucket(stack, "Uploads", encryption_key=key)

Defaults: a symmetric key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT) with yearly automatic rotation of its key
material; a key policy that gives the account (its root principal) kms:* on the key and nothing else, so
IAM policies decide who uses it (the grants below) and the key can never become unmanageable; DeletionPolicy
and UpdateReplacePolicy Retain, because whatever a deleted key encrypted can never be read again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Protocol, runtime_checkable

from iac.constructs import iam
from iac.constructs.core import CfnResource, Construct, Lazy, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::KMS::Key"
ALIAS_TYPE = "AWS::KMS::Alias"

#: The only key spec whose key material KMS rotates (see EnableKeyRotation in the AWS::KMS::Key schema).
SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
#: Alias names under this prefix belong to AWS managed keys; KMS refuses to create them.
RESERVED_ALIAS_PREFIX = "alias/aws/"

# Envelope encryption (what S3, DynamoDB, SQS and the SDKs do) asks for a data key; direct encryption
# calls Encrypt. Decrypting either needs Decrypt alone.
ENCRYPT_ACTIONS = ("kms:Encrypt", "kms:GenerateDataKey*")
DECRYPT_ACTIONS = ("kms:Decrypt",)
ENCRYPT_DECRYPT_ACTIONS = ENCRYPT_ACTIONS + DECRYPT_ACTIONS
#: What a caller needs on a customer key for a service that encrypts on its behalf (SQS and SNS messages, S3
#: SSE-KMS objects): the service generates a data key with the caller's permissions, and decrypts it to check.
DATA_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


def key_arn_rule(value: Any) -> str | None:
    """A `Check` rule for props that take a key by ARN (a bucket's, a table's): an ARN, because grants
    name the key in policies and a key id or alias is not enough; or a deploy-time value."""
    if not isinstance(value, str) or is_token(value):
        return None
    if value.startswith("arn:") and ":kms:" in value:
        return None
    return f"must be a KMS key ARN (arn:aws:kms:region:account:key/id), got {value!r}"


@runtime_checkable
class EncryptionKey(Protocol):
    """A KMS key construct (kms.Key): what `encryption_key=` takes besides a key ARN."""

    @property
    def key_arn(self) -> Any: ...


def key_arn_of(key: Any) -> Any:
    """The ARN of `key`: a kms.Key-like construct's `key_arn`, or the ARN (or token) itself."""
    return key.key_arn if isinstance(key, EncryptionKey) else key


def allow_service_to_use_key(key: Any, service: str, actions: Sequence[str], conditions: dict[str, Any]) -> None:
    """Let `service` use `key` (a kms.Key made here; an imported key or a key ARN has a policy that is not
    ours to extend, so nothing is added) with `actions`, under `conditions`: what a service principal needs
    to deliver into a queue or topic encrypted with that key."""
    if isinstance(key, EncryptionKey) and hasattr(key, "add_to_resource_policy"):
        key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(service)], actions=list(actions), resources=["*"],
            conditions=dict(conditions)))


def kms_key_rule(value: Any) -> str | None:
    """A `Check` rule for `encryption_key`: a KMS key ARN (grants name the key in policies, so a key id or
    alias would not do), a deploy-time value, or a key construct."""
    if isinstance(value, EncryptionKey) or not isinstance(value, str) or is_token(value):
        return None
    if value.startswith("arn:") and ":kms:" in value and ":key/" in value:
        return None
    return f"must be a KMS key ARN (arn:aws:kms:region:account:key/id) or a kms.Key, got {value!r}"


def alias_name_rule(value: Any) -> str | None:
    """A `Check` rule: not a name reserved for AWS managed keys (the schema's pattern allows them)."""
    if isinstance(value, str) and not is_token(value) and value.startswith(RESERVED_ALIAS_PREFIX):
        return f"{value!r} starts with {RESERVED_ALIAS_PREFIX!r}, which is reserved for AWS managed keys"
    return None


class KeyBase(Construct):
    """What a key made here and one imported by ARN share: the ARN, and grants in IAM policies."""

    @property
    def key_arn(self) -> Any:
        raise NotImplementedError

    def grant_encrypt(self, grantee: Any) -> iam.Grant:
        """Encrypt with the key: Encrypt and GenerateDataKey* (envelope encryption)."""
        return self.grant(grantee, ENCRYPT_ACTIONS)

    def grant_decrypt(self, grantee: Any) -> iam.Grant:
        """Decrypt what the key encrypted: Decrypt."""
        return self.grant(grantee, DECRYPT_ACTIONS)

    def grant_encrypt_decrypt(self, grantee: Any) -> iam.Grant:
        """Both of the above."""
        return self.grant(grantee, ENCRYPT_DECRYPT_ACTIONS)

    def grant(self, grantee: Any, actions: Sequence[str], conditions: dict[str, Any] | None = None) -> iam.Grant:
        """`actions` (kms:...) on this key, in the grantee's IAM policy (the key policy lets IAM decide)."""
        bad = [action for action in actions if not (isinstance(action, str) and action.startswith("kms:"))]
        if bad or not actions:
            raise self._error(f"a key grant takes kms: actions, got {list(actions)!r}")
        return iam.grant(grantee, actions=actions, resources=[self.key_arn], scope=self, conditions=conditions)

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        """An error about a call on this key, pointing at the user's line that made the call."""
        return ConstructError(message, path=self.path, location=caller_location(2) or self.location, hint=hint)


class Key(KeyBase):
    """A customer managed KMS key (`AWS::KMS::Key`, the child `Resource`) and, with `alias=`, its alias
    (`AWS::KMS::Alias`, the child `Alias`).

    Args:
        alias: a friendly name for the key, "alias/" and then letters, digits and / _ - : (e.g.
            "alias/app/data"); applications can name the key by it. Names under "alias/aws/" are AWS's.
        description: what the key is for (shown in the console and by DescribeKey).
        enable_key_rotation: rotate the key material automatically (default: on, for the symmetric keys
            KMS can rotate; asymmetric and HMAC keys cannot be rotated).
        rotation_period: how often rotated key material is replaced, as `Duration.days(n)` or a number of
            days within the schema's range (KMS's default, a year, when omitted); only with rotation.
        pending_window: how long KMS waits before deleting the key once it is scheduled for deletion
            (when the key is removed with removal_policy "destroy"), as `Duration.days(n)` or days within
            the schema's range; KMS's default (30 days) when omitted.
        key_spec: the kind of key, one of the schema's KeySpec values (default SYMMETRIC_DEFAULT, a 256-bit
            AES key for encryption and decryption).
        key_usage: what the key is for, one of the schema's KeyUsage values (default ENCRYPT_DECRYPT).
        enabled: whether the key can be used in cryptographic operations (default True).
        removal_policy: what happens to the key when it leaves the stack or is replaced: "retain"
            (default) or "destroy" (schedules its deletion; data it encrypted becomes unreadable).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias: Annotated[str | None, Cfn("AliasName", type=ALIAS_TYPE), Check(alias_name_rule)] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        enable_key_rotation: bool | None = None,
        rotation_period: Annotated[int | Duration | None, Cfn("RotationPeriodInDays", unit="days")] = None,
        pending_window: Annotated[int | Duration | None, Cfn("PendingWindowInDays", unit="days")] = None,
        key_spec: Annotated[str, Cfn("KeySpec")] = SYMMETRIC_DEFAULT,
        key_usage: Annotated[str, Cfn("KeyUsage")] = ENCRYPT_DECRYPT,
        enabled: bool = True,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
    ) -> None:
        super().__init__(scope, id)
        rotation = self._rotation(enable_key_rotation, key_spec, rotation_period)
        self._policy = iam.PolicyDocument([self._account_root_statement()])
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "Description": description,
            "Enabled": None if enabled else False,
            "EnableKeyRotation": rotation,
            "RotationPeriodInDays": rotation_period,
            "PendingWindowInDays": pending_window,
            "KeySpec": None if key_spec == SYMMETRIC_DEFAULT else key_spec,
            "KeyUsage": None if key_usage == ENCRYPT_DECRYPT else key_usage,
            "KeyPolicy": Lazy(self._policy.to_json),
        })
        apply_removal_policy(self.resource, removal_policy)
        self.alias = Alias(self, "Alias", alias_name=alias, target_key=self) if alias is not None else None

    def _rotation(self, enable: bool | None, key_spec: str, period: Any) -> bool:
        rotatable = key_spec == SYMMETRIC_DEFAULT
        if enable is None:
            enable = rotatable
        problem = None
        if enable and not rotatable:
            problem = f"enable_key_rotation: KMS rotates only {SYMMETRIC_DEFAULT} keys, not {key_spec}"
        elif period is not None and not enable:
            problem = "rotation_period is only used with key rotation on (enable_key_rotation=True)"
        if problem is not None:
            raise ConstructError(f"invalid argument for Key {self.id!r}: {problem}", path=self.path,
                                 location=self.location)
        return enable

    @staticmethod
    def _account_root_statement() -> iam.PolicyStatement:
        """kms:* for the account: KMS requires that the key policy let the account manage the key (else it
        can become unmanageable), and this is what lets IAM policies grant its use."""
        return iam.PolicyStatement(principals=[iam.AccountRootPrincipal()], actions=["kms:*"], resources=["*"])

    # -- references --------------------------------------------------------------------------

    @property
    def key_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def key_id(self) -> Token:
        return self.resource.ref

    @classmethod
    def from_key_arn(cls, scope: Construct, id: str, key_arn: str | Token) -> ImportedKey:
        """A key that exists, by its ARN: grants name it in IAM policies; its key policy is its owner's (it must
        let the account's IAM policies decide, as KMS's default policy does, for the grants to work)."""
        return ImportedKey(scope, id, key_arn=key_arn)

    # -- key policy --------------------------------------------------------------------------

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the key policy (a service principal that uses the key on its own, such as
        CloudWatch Logs). In a key policy, "Resource": "*" means this key."""
        problem = iam.resource_statement_problem(statement, "key policy")
        if problem is not None:
            raise self._error(*problem)
        self._policy.add_statements(statement)


class ImportedKey(KeyBase):
    """A KMS key made elsewhere, known by its ARN (`Key.from_key_arn`); nothing is added to the template.

    Args:
        key_arn: the key's ARN (arn:aws:kms:region:account:key/id), or a deploy-time value.
    """

    def __init__(self, scope: Construct, id: str, *, key_arn: str | Token) -> None:
        super().__init__(scope, id)
        if isinstance(key_arn, str) and not is_token(key_arn) and not (
                key_arn.startswith("arn:") and ":kms:" in key_arn and ":key/" in key_arn):
            raise ConstructError(f"{key_arn!r} is not a KMS key ARN (arn:aws:kms:region:account:key/id; an alias "
                                 "cannot be granted on)", path=self.path, location=self.location)
        self._arn = key_arn

    @property
    def key_arn(self) -> Any:
        return self._arn


class Alias(Construct):
    """A KMS alias (`AWS::KMS::Alias`, the child `Resource`): a name that points at a key. `Key(alias=...)`
    makes one; make your own for a second name or one that can later point at another key.

    Args:
        alias_name: "alias/" and then letters, digits and / _ - : (e.g. "alias/app/data"); changing it
            replaces the alias. Names under "alias/aws/" are AWS's.
        target_key: the key the alias points at.
    """

    cfn_type = ALIAS_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        alias_name: Annotated[str, Cfn("AliasName"), Check(alias_name_rule)],
        target_key: Key,
    ) -> None:
        super().__init__(scope, id)
        self.target_key = target_key
        self.resource = CfnResource(self, "Resource", type=ALIAS_TYPE, properties={
            "AliasName": alias_name,
            "TargetKeyId": target_key.key_id,
        })

    @property
    def alias_name(self) -> Token:
        return self.resource.ref


__all__ = ["Alias", "DATA_KEY_ACTIONS", "DECRYPT_ACTIONS", "ENCRYPT_ACTIONS", "ENCRYPT_DECRYPT_ACTIONS", "ImportedKey",
           "Key", "KeyBase"]
