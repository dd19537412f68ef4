"""S3: buckets that are private, encrypted and kept by default, and least-privilege grants.

    bucket = s3.Bucket(stack, "Artifacts", versioned=True)
    bucket.grant_read(function)

Defaults: all four public access block flags on; encryption with S3 managed keys; a bucket policy that
denies any request not made over TLS; DeletionPolicy and UpdateReplacePolicy Retain (CloudFormation
cannot delete a bucket that still holds objects anyway, so "destroy" only helps for empty buckets).

Event notifications (`bucket.add_event_notification(s3.EventType.OBJECT_CREATED, fn, prefix="uploads/")`)
go to a Lambda function, an SQS queue or an SNS topic. S3 checks, when the bucket's notification
configuration is written, that it may deliver there, so the permission (or queue/topic policy) must exist
before the bucket, and it must name the bucket (aws:SourceArn) without referring to it, or the template has
a cycle. A bucket with notifications therefore gets a name iac decides at synth: its id, a hash of its path
and the stack's own id (the UUID in AWS::StackId, unique to this stack and never reused), so its ARN is
known to the permission before the bucket exists; the bucket then waits (DependsOn) for the permission.
See docs/messaging.md for why this is safe on updates.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final, Literal

import attrs

from iac.constructs import iam, kms
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import SourceLocation, caller_location
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


class EventType:
    """The S3 events a notification can be sent for ("*" ends a family: every event in it).
    S3's list, which the registry schema does not enumerate:
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html"""

    OBJECT_CREATED: Final = "s3:ObjectCreated:*"
    OBJECT_CREATED_PUT: Final = "s3:ObjectCreated:Put"
    OBJECT_CREATED_POST: Final = "s3:ObjectCreated:Post"
    OBJECT_CREATED_COPY: Final = "s3:ObjectCreated:Copy"
    OBJECT_CREATED_COMPLETE_MULTIPART_UPLOAD: Final = "s3:ObjectCreated:CompleteMultipartUpload"
    OBJECT_REMOVED: Final = "s3:ObjectRemoved:*"
    OBJECT_REMOVED_DELETE: Final = "s3:ObjectRemoved:Delete"
    OBJECT_REMOVED_DELETE_MARKER_CREATED: Final = "s3:ObjectRemoved:DeleteMarkerCreated"
    OBJECT_RESTORE: Final = "s3:ObjectRestore:*"
    OBJECT_RESTORE_POST: Final = "s3:ObjectRestore:Post"
    OBJECT_RESTORE_COMPLETED: Final = "s3:ObjectRestore:Completed"
    OBJECT_RESTORE_DELETE: Final = "s3:ObjectRestore:Delete"
    REDUCED_REDUNDANCY_LOST_OBJECT: Final = "s3:ReducedRedundancyLostObject"
    REPLICATION: Final = "s3:Replication:*"
    REPLICATION_OPERATION_FAILED_REPLICATION: Final = "s3:Replication:OperationFailedReplication"
    REPLICATION_OPERATION_MISSED_THRESHOLD: Final = "s3:Replication:OperationMissedThreshold"
    REPLICATION_OPERATION_REPLICATED_AFTER_THRESHOLD: Final = "s3:Replication:OperationReplicatedAfterThreshold"
    REPLICATION_OPERATION_NOT_TRACKED: Final = "s3:Replication:OperationNotTracked"
    LIFECYCLE_EXPIRATION: Final = "s3:LifecycleExpiration:*"
    LIFECYCLE_EXPIRATION_DELETE: Final = "s3:LifecycleExpiration:Delete"
    LIFECYCLE_EXPIRATION_DELETE_MARKER_CREATED: Final = "s3:LifecycleExpiration:DeleteMarkerCreated"
    LIFECYCLE_TRANSITION: Final = "s3:LifecycleTransition"
    INTELLIGENT_TIERING: Final = "s3:IntelligentTiering"
    OBJECT_TAGGING: Final = "s3:ObjectTagging:*"
    OBJECT_TAGGING_PUT: Final = "s3:ObjectTagging:Put"
    OBJECT_TAGGING_DELETE: Final = "s3:ObjectTagging:Delete"
    OBJECT_ACL_PUT: Final = "s3:ObjectAcl:Put"


EVENT_TYPES: Final = tuple(value for name, value in vars(EventType).items() if name.isupper())
S3_SERVICE = "s3.amazonaws.com"
#: The length of the UUID at the end of an AWS::StackId, which a generated bucket name ends with.
_STACK_UUID_LENGTH = 36
#: Prefixes S3 keeps for itself (bucket naming rules), which a generated name must not start with.
_RESERVED_NAME_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")


def _event_family(event: str) -> str:
    return event[:-1] if event.endswith(":*") else event


def _events_overlap(a: str, b: str) -> bool:
    """S3 refuses two configurations for the same event whose filters overlap; "s3:ObjectCreated:*"
    covers "s3:ObjectCreated:Put"."""
    if a == b:
        return True
    return ((a.endswith(":*") and b.startswith(_event_family(a)))
            or (b.endswith(":*") and a.startswith(_event_family(b))))


def _filters_overlap(a: tuple[str, str], b: tuple[str, str]) -> bool:
    (prefix_a, suffix_a), (prefix_b, suffix_b) = a, b
    prefixes = prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)
    suffixes = suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)
    return prefixes and suffixes


@attrs.frozen(kw_only=True)
class _Notification:
    kind: str  # "Lambda", "Queue" or "Topic": the configuration list it goes to
    event: str
    destination: Any
    prefix: str
    suffix: str
    location: SourceLocation | None

    def to_cfn(self) -> dict[str, Any]:
        key = {"Lambda": "Function"}.get(self.kind, self.kind)
        rules = [{"Name": name, "Value": value} for name, value in (("prefix", self.prefix), ("suffix", self.suffix))
                 if value]
        configuration = {"Event": self.event, key: self.destination}
        if rules:
            configuration["Filter"] = {"S3Key": {"Rules": rules}}
        return configuration


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


#: The service principal that writes S3 server access logs into a log bucket.
LOG_DELIVERY_SERVICE = "logging.s3.amazonaws.com"


def _log_prefix_rule(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and value and not value.startswith("/")):
        return None
    return f"must be a key prefix such as 'uploads/' (no leading '/'), got {value!r}"


def _access_logs_problem(logs: Any, prefix: str | None) -> str | None:
    if logs is None:
        return "access_logs_prefix needs access_logs_bucket (where the logs go)" if prefix is not None else None
    if not isinstance(logs, Bucket) or isinstance(logs, ImportedBucket):
        return (f"access_logs_bucket must be an s3.Bucket of the app (its policy is given the statement that lets S3 "
                f"write the logs), got {logs!r}")
    if logs.props.encryption == BucketEncryption.KMS:
        return (f"S3 cannot write access logs to {logs.path}: it is encrypted with a KMS key (log buckets take "
                "S3-managed encryption only)")
    return None


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


@functools.cache
def _longest_bucket_name() -> int:
    from iac.specs import property_length

    longest = property_length(RESOURCE_TYPE, "BucketName")[1]
    if longest is None:
        raise RuntimeError(f"the {RESOURCE_TYPE} schema no longer says how long BucketName may be")
    return longest


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
        access_logs_bucket: an s3.Bucket of the app that receives this bucket's server access logs (one log
            bucket for many buckets; its policy is given the statement that lets S3's log delivery write
            there for this bucket only). It must use S3-managed encryption. None (default): no access logs.
        access_logs_prefix: the key prefix of this bucket's log files in access_logs_bucket, e.g. "uploads/".
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
        kms_key_arn: Annotated[str | Token | None, Check(kms.key_arn_rule)] = None,
        encryption_key: kms.KeyBase | None = None,
        block_public_access: bool = True,
        enforce_ssl: bool = True,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
        lifecycle_rules: Annotated[Sequence[Mapping[str, Any]] | None, Check(lifecycle_rules_rule)] = None,
        event_bridge_enabled: bool = False,
        access_logs_bucket: Bucket | None = None,
        access_logs_prefix: Annotated[str | None, Check(_log_prefix_rule)] = None,
    ) -> None:
        super().__init__(scope, id)
        self.encryption_key = encryption_key
        self.access_logs_bucket = access_logs_bucket
        self.access_logs_prefix = access_logs_prefix
        problem = None
        if encryption_key is not None:
            if kms_key_arn is not None:
                problem = "give encryption_key or kms_key_arn, not both"
            encryption, kms_key_arn = BucketEncryption.KMS, encryption_key.key_arn
        if problem is None and encryption == BucketEncryption.KMS and kms_key_arn is None:
            problem = "encryption KMS needs kms_key_arn (the ARN of your KMS key)"
        elif encryption != BucketEncryption.KMS and kms_key_arn is not None:
            problem = f"kms_key_arn is only used with encryption KMS, not {encryption}"
        problem = problem or _access_logs_problem(access_logs_bucket, access_logs_prefix)
        if problem is not None:
            raise ConstructError(f"invalid argument for Bucket {id!r}: {problem}", path=self.path,
                                 location=self.location)
        self.props = BucketProps(
            bucket_name=bucket_name, versioned=versioned, encryption=encryption, kms_key_arn=kms_key_arn,
            block_public_access=block_public_access, enforce_ssl=enforce_ssl, removal_policy=removal_policy,
            lifecycle_rules=tuple(lifecycle_rules) if lifecycle_rules is not None else None,
            event_bridge_enabled=event_bridge_enabled,
        )
        self._notifications: list[_Notification] = []
        self._permissions: dict[str, CfnResource] = {}  # by the path of the function they let S3 invoke
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties=self._properties())
        apply_removal_policy(self.resource, removal_policy)
        self.policy: CfnResource | None = None
        self._policy_document = iam.PolicyDocument()
        if enforce_ssl:
            self.add_to_resource_policy(self._deny_insecure_transport())
        if access_logs_bucket is not None:
            access_logs_bucket.add_to_resource_policy(self._log_delivery(access_logs_bucket, access_logs_prefix))

    @classmethod
    def from_bucket_name(cls, scope: Construct, id: str, bucket_name: str | Token, *,
                         encryption_key: kms.KeyBase | None = None) -> ImportedBucket:
        """A bucket that exists, by its name: grants and references work on it; it makes no resource, and
        what would change the bucket itself (its policy, its notifications) is refused."""
        return ImportedBucket(scope, id, bucket_name=bucket_name, encryption_key=encryption_key)

    def _properties(self) -> dict[str, Any]:
        props = self.props
        return {
            "BucketName": Lazy(self._bucket_name_property),
            "VersioningConfiguration": {"Status": "Enabled"} if props.versioned else None,
            "BucketEncryption": _encryption(props.encryption, props.kms_key_arn),
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True, "BlockPublicPolicy": True,
                "IgnorePublicAcls": True, "RestrictPublicBuckets": True,
            } if props.block_public_access else None,
            "LifecycleConfiguration": {"Rules": list(props.lifecycle_rules)} if props.lifecycle_rules else None,
            "NotificationConfiguration": Lazy(self._notification_configuration),
            "LoggingConfiguration": None if self.access_logs_bucket is None else {
                "DestinationBucketName": self.access_logs_bucket.bucket_name, "LogFilePrefix": self.access_logs_prefix},
        }

    def _bucket_name_property(self) -> Any:
        if self.props.bucket_name is None and self._notifications:
            return self.generated_bucket_name
        return self.props.bucket_name

    def _notification_configuration(self) -> dict[str, Any] | None:
        configuration: dict[str, Any] = {}
        if self.props.event_bridge_enabled:
            configuration["EventBridgeConfiguration"] = {"EventBridgeEnabled": True}
        for kind in ("Lambda", "Queue", "Topic"):
            entries = [n.to_cfn() for n in self._notifications if n.kind == kind]
            if entries:
                configuration[f"{kind}Configurations"] = entries
        return configuration or None

    def _log_delivery(self, logs: Bucket, prefix: str | None) -> iam.PolicyStatement:
        """Let S3's log delivery put this bucket's access logs under `prefix` in `logs`, for this bucket only."""
        return iam.PolicyStatement(
            principals=[iam.ServicePrincipal(LOG_DELIVERY_SERVICE)],
            actions=["s3:PutObject"],
            resources=[logs.arn_for_objects(f"{prefix or ''}*")],
            conditions={"ArnLike": {"aws:SourceArn": self.bucket_arn},
                        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )

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

    @property
    def generated_bucket_name(self) -> Token:
        """The name a bucket with notifications gets when none was given: "<id>-<hash of its path>-<the
        UUID of AWS::StackId>", lowercase and at most 63 characters. Known at synth without referring to
        the bucket, and the same on every update of the stack; another stack (or the same template deployed
        again under another name) has another stack UUID, so no two stacks make the same name."""
        return Fn.join("", self._generated_name_parts())

    def _generated_name_parts(self) -> list[Any]:
        budget = _longest_bucket_name() - _STACK_UUID_LENGTH - 1  # "-" before the UUID
        digest = hashlib.sha256(self.path.encode()).hexdigest()[:8]
        human = re.sub(r"[^a-z0-9]+", "-", self.id.lower()).strip("-")[:budget - len(digest) - 1].strip("-")
        prefix = f"{human}-{digest}" if human else digest
        if prefix.startswith(_RESERVED_NAME_PREFIXES):
            prefix = f"b{prefix}"[:budget]
        return [f"{prefix}-", Fn.select(2, Fn.split("/", Aws.STACK_ID))]

    @property
    def notification_source_arn(self) -> Token:
        """The bucket's ARN built from its name (the one given, else `generated_bucket_name`) rather than
        from the bucket, so that permissions can name it before the bucket exists."""
        name = [self.props.bucket_name] if self.props.bucket_name is not None else self._generated_name_parts()
        return Fn.join("", ["arn:", Aws.PARTITION, ":s3:::", *name])

    # -- event notifications -------------------------------------------------------------------

    def add_event_notification(self, event: str, target: Any, *, prefix: str | None = None,
                               suffix: str | None = None) -> None:
        """Send `event` (an `EventType`, e.g. `EventType.OBJECT_CREATED`) for the objects whose keys start
        with `prefix` and end with `suffix` to `target`: an awslambda.Function (or alias), an sqs.Queue or
        an sns.Topic. The Lambda permission, or the queue or topic policy statement, that lets S3 deliver
        for this bucket only (aws:SourceArn and aws:SourceAccount) is made with it, and the bucket waits
        for it. Without bucket_name the bucket is named at synth (see `generated_bucket_name`)."""
        from iac.constructs import sns, sqs  # they import nothing of s3; imported here to keep s3 light

        location = caller_location()
        if event not in EVENT_TYPES:
            close = difflib.get_close_matches(event, EVENT_TYPES, n=1) if isinstance(event, str) else []
            raise self._error(f"{event!r} is not an S3 event type", hint=f"did you mean {close[0]!r}?" if close
                              else "use one of s3.EventType, e.g. s3.EventType.OBJECT_CREATED")
        for name, value in (("prefix", prefix), ("suffix", suffix)):
            if value is not None and (not isinstance(value, str) or is_token(value) or not value):
                raise self._error(f"{name} must be a non-empty literal string, got {value!r}")
        key_filter = (prefix or "", suffix or "")
        for other in self._notifications:
            if _events_overlap(event, other.event) and _filters_overlap(key_filter, (other.prefix, other.suffix)):
                raise self._error(
                    f"the notification for {event} (prefix {prefix!r}, suffix {suffix!r}) overlaps the one for "
                    f"{other.event} added at {other.location}: S3 refuses configurations whose events and key "
                    "filters overlap", hint="give them prefixes or suffixes that no key can match both")
        if isinstance(target, sqs.QueueBase | sns.TopicBase) and target.fifo:
            kind = "queue" if isinstance(target, sqs.QueueBase) else "topic"
            raise self._error(f"S3 cannot send event notifications to a FIFO {kind} "
                              f"({target.path})", hint="use a standard one, or route the bucket's events through "
                              "EventBridge (event_bridge_enabled=True and an events.Rule), whose rules send to FIFO "
                              "queues with a message group")
        source_arn = self.notification_source_arn
        function_arn = getattr(target, "function_arn", None)
        if isinstance(target, sqs.QueueBase):
            kind, destination, dependency = "Queue", target.queue_arn, self._allow_queue(target, source_arn)
        elif isinstance(target, sns.TopicBase):
            kind, destination, dependency = "Topic", target.topic_arn, self._allow_topic(target, source_arn)
        elif function_arn is not None and isinstance(target, Construct):
            kind, destination = "Lambda", function_arn
            dependency = self._lambda_permission(target, source_arn)
        else:
            raise self._error(f"add_event_notification sends to an awslambda.Function, an sqs.Queue or an "
                              f"sns.Topic, not {target!r}")
        if dependency is not None:
            self.resource.add_depends_on(dependency)
        self._notifications.append(_Notification(kind=kind, event=event, destination=destination, prefix=key_filter[0],
                                                 suffix=key_filter[1], location=location))

    def add_object_created_notification(self, target: Any, *, prefix: str | None = None,
                                        suffix: str | None = None) -> None:
        """`add_event_notification(EventType.OBJECT_CREATED, target, ...)`: every way an object is created."""
        self.add_event_notification(EventType.OBJECT_CREATED, target, prefix=prefix, suffix=suffix)

    def add_object_removed_notification(self, target: Any, *, prefix: str | None = None,
                                        suffix: str | None = None) -> None:
        """`add_event_notification(EventType.OBJECT_REMOVED, target, ...)`: deletions and delete markers."""
        self.add_event_notification(EventType.OBJECT_REMOVED, target, prefix=prefix, suffix=suffix)

    def _same_stack(self, target: Construct, what: str) -> None:
        if target.stack is not self.stack:
            raise self._error(
                f"the {what} {target.path} is in another stack than the bucket: its {what} policy would name the "
                "bucket while the bucket refers to it, a cycle between the stacks",
                hint=f"make the {what} in the bucket's stack ({self.stack.path})")

    def _allow_queue(self, queue: Any, source_arn: Any) -> CfnResource | None:
        self._same_stack(queue, "queue")
        queue.allow_service_to_send(S3_SERVICE, source_arn=source_arn, source_account=Aws.ACCOUNT_ID)
        policy: CfnResource | None = queue.policy
        return policy

    def _allow_topic(self, topic: Any, source_arn: Any) -> CfnResource | None:
        self._same_stack(topic, "topic")
        topic.allow_service_to_publish(S3_SERVICE, source_arn=source_arn, source_account=Aws.ACCOUNT_ID)
        policy: CfnResource | None = topic.policy
        return policy

    def _lambda_permission(self, function: Any, source_arn: Any) -> CfnResource:
        """A permission made here, next to the bucket, so a function in another stack works too (the bucket's
        stack then refers to the function's, one way)."""
        if function.path in self._permissions:
            return self._permissions[function.path]
        id = f"{function.id}InvokePermission"
        if self.find_child(id) is not None:  # another function with the same id (two aliases "live", say)
            id = re.sub(r"[^A-Za-z0-9]", "", function.path) + "InvokePermission"
        permission = self._permissions[function.path] = CfnResource(
            self, id, type="AWS::Lambda::Permission", properties={
                "Action": "lambda:InvokeFunction", "FunctionName": function.function_arn, "Principal": S3_SERVICE,
                "SourceArn": source_arn, "SourceAccount": Aws.ACCOUNT_ID})
        return permission

    # -- resource policy -----------------------------------------------------------------------

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the bucket policy (created on first use; statements are merged)."""
        problem = iam.resource_statement_problem(statement, "bucket policy")
        if problem is not None:
            raise self._error(*problem)
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


class ImportedBucket(Bucket):
    """A bucket made elsewhere, known by its name (usually through `Bucket.from_bucket_name`). It is a Bucket
    where constructs look for one: grants on it go to the grantee's policy, and references (`bucket_name`,
    `bucket_arn`, `arn_for_objects`) are built from the name. The stack does not own it, so a bucket policy
    statement or an event notification (both change the bucket's own configuration, and a BucketPolicy made
    here would replace its owner's) is refused with what to do instead. Its settings beyond the name are not
    known here (`props` holds the name and the encryption key, the rest at their defaults).

    Args:
        bucket_name: the bucket's name (a literal is checked against the schema's name pattern).
        encryption_key: the customer-managed KMS key (a kms.Key or kms.Key.from_key_arn) its objects are
            encrypted with, if any; grants then include it.
    """

    def __init__(self, scope: Construct, id: str, *,
                 bucket_name: Annotated[str | Token, Cfn("BucketName"), Check(bucket_name_rule)],
                 encryption_key: kms.KeyBase | None = None) -> None:
        Construct.__init__(self, scope, id)
        self.encryption_key = encryption_key
        self.props = BucketProps(
            bucket_name=bucket_name, versioned=False,
            encryption=BucketEncryption.KMS if encryption_key is not None else BucketEncryption.S3_MANAGED,
            kms_key_arn=encryption_key.key_arn if encryption_key is not None else None, block_public_access=True,
            enforce_ssl=False, removal_policy=RETAIN, lifecycle_rules=None, event_bridge_enabled=False)
        self._notifications = []
        self._permissions = {}
        self.policy = None
        self._policy_document = iam.PolicyDocument()

    @property
    def bucket_name(self) -> Any:
        return self.props.bucket_name

    @property
    def bucket_arn(self) -> Any:
        return Fn.join("", ["arn:", Aws.PARTITION, ":s3:::", self.props.bucket_name])

    @property
    def notification_source_arn(self) -> Any:
        return self.bucket_arn

    def add_event_notification(self, event: str, target: Any, *, prefix: str | None = None,
                               suffix: str | None = None) -> None:
        raise self._error(f"cannot add an event notification to the imported bucket {self.path}: its notification "
                          "configuration belongs to the stack that made it (this one would overwrite it)",
                          hint="add the notification where the bucket is defined, or turn on its EventBridge "
                          "events there and use an events.Rule here")

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        raise self._error(f"cannot add a statement to the bucket policy of the imported bucket {self.path}: a "
                          "bucket has one policy, and one made here would replace its owner's",
                          hint="grant to the principal instead (bucket.grant_read(role)), or add the statement "
                          "where the bucket is defined")
