"""SQS: queues that are encrypted, reachable only over TLS and kept by default, with least-privilege grants.

    dead_letters = sqs.Queue(stack, "DeadLetters", retention_period=Duration.days(14))
    jobs = sqs.Queue(stack, "Jobs", visibility_timeout=Duration.minutes(5),
                     dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=3))
    jobs.grant_send_messages(producer)

Defaults: SQS-managed server-side encryption (SqsManagedSseEnabled) unless a KMS key is given; a queue
policy (`AWS::SQS::QueuePolicy`, the child `Policy`) that denies any request not made over TLS;
DeletionPolicy and UpdateReplacePolicy Retain, since a queue holds messages (iac.specs.is_stateful).
A FIFO queue's rules are checked where you write them: the ".fifo" name suffix, FIFO-only settings, and a
dead-letter queue of the same kind (FIFO for FIFO), as cfn-lint's queue data says.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Annotated, Any

from iac.constructs import cloudwatch, iam
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Token, is_token
from iac.constructs.core.props import Cfn, Check, checked_options
from iac.constructs.core.removal import DESTROY, RETAIN, RemovalPolicy, apply_removal_policy, removal_policy_rule
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration, Size
from iac.constructs.kms import (
    DATA_KEY_ACTIONS,
    EncryptionKey,
    allow_service_to_use_key,
    key_arn_of,
    kms_key_rule,
)
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::SQS::Queue"
POLICY_TYPE = "AWS::SQS::QueuePolicy"
METRIC_NAMESPACE = "AWS/SQS"

SEND_ACTIONS = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage")
CONSUME_ACTIONS = ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                   "sqs:GetQueueUrl", "sqs:ReceiveMessage")
PURGE_ACTIONS = ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:PurgeQueue")
# With a customer key, SQS encrypts each message with a data key the sender generates and the receiver
# decrypts, with the caller's own permissions on the key.
KMS_SEND_ACTIONS = DATA_KEY_ACTIONS
KMS_CONSUME_ACTIONS = ("kms:Decrypt",)

#: SQS's queue-name rules, which the QueueName schema does not state (it has no pattern or length):
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
QUEUE_NAME_RULE_URL = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
MAX_QUEUE_NAME_LENGTH = 80
_QUEUE_NAME_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]+$")
#: How often a message may be received before it moves to the dead-letter queue (RedrivePolicy
#: maxReceiveCount; its schema says only "integer"): https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
MAX_RECEIVE_COUNT_RANGE = (1, 1000)
FIFO_SUFFIX = ".fifo"
#: How long SQS keeps a message when MessageRetentionPeriod is not set (4 days; the schema gives no default):
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
DEFAULT_RETENTION_SECONDS = 345_600


def source_arn_condition(source_arn: Any, source_account: Any = None) -> dict[str, Any]:
    """The condition that scopes a service principal to one source: ArnEquals, or ArnLike for a literal
    ARN with wildcards (all the alarms of an account, say); with `source_account` also aws:SourceAccount
    (for sources whose ARN names no account, such as an S3 bucket)."""
    operator = "ArnLike" if isinstance(source_arn, str) and not is_token(source_arn) and "*" in source_arn \
        else "ArnEquals"
    condition: dict[str, Any] = {operator: {"aws:SourceArn": source_arn}}
    if source_account is not None:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    return condition


def queue_name_rule(value: Any) -> str | None:
    """A `Check` rule: SQS's naming rules (literal names only; CloudFormation checks a deploy-time name)."""
    if not isinstance(value, str) or is_token(value):
        return None
    stem = value.removesuffix(FIFO_SUFFIX)
    if len(value) > MAX_QUEUE_NAME_LENGTH:
        why = f"it is {len(value)} characters long; SQS allows {MAX_QUEUE_NAME_LENGTH}, '.fifo' included"
    elif not _QUEUE_NAME_CHARACTERS.match(stem):
        why = "it may have only letters, digits, hyphens and underscores (and a '.fifo' suffix for a FIFO queue)"
    else:
        return None
    return f"{value!r} is not a valid SQS queue name: {why} ({QUEUE_NAME_RULE_URL})"


def max_receive_count_rule(value: Any) -> str | None:
    low, high = MAX_RECEIVE_COUNT_RANGE
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return f"must be a whole number from {low} to {high} (SQS's maxReceiveCount), got {value!r}"


@functools.cache
def fifo_name_pattern() -> str:
    """The pattern a FIFO queue's name must match, from cfn-lint's SQS queue data (E3501)."""
    from iac.specs import schema_extension

    for rule in schema_extension("aws_sqs_queue", "properties")["allOf"]:
        if rule.get("if", {}).get("properties", {}).get("FifoQueue", {}).get("enum", [None])[0] is True:
            return str(rule["then"]["then"]["properties"]["QueueName"]["pattern"])
    raise LookupError("cfn-lint's aws_sqs_queue/properties data has no FIFO queue-name pattern")


@functools.cache
def fifo_only_properties() -> tuple[str, ...]:
    """The Queue properties only a FIFO queue may set, from cfn-lint's SQS queue data (E3501)."""
    from iac.specs import schema_extension

    for rule in schema_extension("aws_sqs_queue", "properties")["allOf"]:
        if rule.get("if", {}).get("properties", {}).get("FifoQueue", {}).get("enum", [None])[0] is False:
            return tuple(sorted(name for name, allowed in rule["then"]["properties"].items() if allowed is False))
    raise LookupError("cfn-lint's aws_sqs_queue/properties data has no list of FIFO-only properties")


def _longest_retention() -> int:
    from iac.specs import property_range

    return int(property_range(RESOURCE_TYPE, "MessageRetentionPeriod")[1] or 0)


class DeadLetterQueue:
    """Where messages go that were received `max_receive_count` times without being deleted (the queue's
    RedrivePolicy). The dead-letter queue must be of the same kind: FIFO for a FIFO queue.

    Args:
        queue: the queue that receives the failed messages.
        max_receive_count: receives before a message moves, 1 to 1000.
    """

    @checked_options
    def __init__(self, *, queue: QueueBase,
                 max_receive_count: Annotated[int, Check(max_receive_count_rule)] = 3) -> None:
        self.queue = queue
        self.max_receive_count = max_receive_count
        self.location = caller_location()


# -- the queue --------------------------------------------------------------------------------

class QueueBase(Construct):
    """What queues made here (`Queue`) and queues made elsewhere (`Queue.from_queue_arn`) share: references,
    grants, metrics and the queue policy."""

    fifo: bool = False
    visibility_timeout: Any = None
    retention_period: Any = None
    encryption_key: Any = None
    dead_letter_queue: DeadLetterQueue | None = None
    policy: CfnResource | None = None
    _policy_document: iam.PolicyDocument

    # -- references ----------------------------------------------------------------------------

    @property
    def queue_url(self) -> Any:
        raise NotImplementedError

    @property
    def queue_arn(self) -> Any:
        raise NotImplementedError

    @property
    def queue_name(self) -> Any:
        raise NotImplementedError

    @property
    def effective_retention_seconds(self) -> int | None:
        """The retention period in seconds (SQS's default when none was given); None when set at deploy time."""
        value = self.retention_period if self.retention_period is not None else DEFAULT_RETENTION_SECONDS
        return value if isinstance(value, int) else None

    @property
    def encryption_key_arn(self) -> Any:
        """The customer key's ARN, or None with SQS-managed encryption."""
        return None if self.encryption_key is None else key_arn_of(self.encryption_key)

    # -- resource policy -------------------------------------------------------------------------

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the queue policy (created on first use; statements are merged). The policy is
        the queue's only one: CloudFormation's QueuePolicy replaces whatever policy the queue had."""
        problem = iam.resource_statement_problem(statement, "queue policy")
        if problem is not None:
            raise self._error(*problem, at_call=True)
        if self.policy is None:
            self.policy = CfnResource(self, "Policy", type=POLICY_TYPE, properties={
                "Queues": [self.queue_url],
                "PolicyDocument": Lazy(self._policy_document.to_json),
            })
        self._policy_document.add_statements(statement)

    def allow_service_to_send(self, service: str, *, source_arn: Any, source_account: Any = None,
                              key_conditions: dict[str, Any] | None = None) -> None:
        """Let an AWS service (sns.amazonaws.com, events.amazonaws.com, s3.amazonaws.com) send messages on
        behalf of the resource `source_arn` only (aws:SourceArn), never on behalf of anyone else's; give
        `source_account` (e.g. `Aws.ACCOUNT_ID`) too when the source's ARN names no account (a bucket). With
        a kms.Key the key policy lets the service use the key for this source (under `key_conditions` when
        given: a source that refers to the queue cannot be named in the key's policy without a cycle)."""
        self.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(service)], actions=["sqs:SendMessage"], resources=[self.queue_arn],
            conditions=source_arn_condition(source_arn, source_account)))
        allow_service_to_use_key(self.encryption_key, service, KMS_SEND_ACTIONS,
                                 key_conditions if key_conditions is not None
                                 else source_arn_condition(source_arn, source_account))

    # -- grants ----------------------------------------------------------------------------------

    def grant_send_messages(self, grantee: Any) -> iam.Grant:
        """Send messages (and read the queue's URL and attributes)."""
        return self._grant(grantee, SEND_ACTIONS, KMS_SEND_ACTIONS)

    def grant_consume_messages(self, grantee: Any) -> iam.Grant:
        """Receive messages, delete them and change their visibility (what a consumer needs)."""
        return self._grant(grantee, CONSUME_ACTIONS, KMS_CONSUME_ACTIONS)

    def grant_purge(self, grantee: Any) -> iam.Grant:
        """Delete every message in the queue at once."""
        return self._grant(grantee, PURGE_ACTIONS, ())

    def _grant(self, grantee: Any, actions: Sequence[str], key_actions: Sequence[str]) -> iam.Grant:
        result = iam.grant(grantee, actions=actions, resources=[self.queue_arn], scope=self)
        if self.encryption_key is not None and key_actions:
            iam.grant(grantee, actions=key_actions, resources=[self.encryption_key_arn], scope=self)
        return result

    # -- metrics ---------------------------------------------------------------------------------

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of the queue's AWS/SQS metrics, by name (SQS publishes them every minute)."""
        return cloudwatch.Metric(namespace=METRIC_NAMESPACE, metric_name=metric_name,
                                 dimensions={"QueueName": self.queue_name}, statistic=statistic, period=period)

    def metric_approximate_age_of_oldest_message(self, *, statistic: str = "Maximum",
                                                 period: int | Duration = 60) -> cloudwatch.Metric:
        """Seconds the oldest waiting message has waited: consumers falling behind, or failing."""
        return self.metric("ApproximateAgeOfOldestMessage", statistic=statistic, period=period)

    def metric_approximate_number_of_messages_visible(self, *, statistic: str = "Maximum",
                                                      period: int | Duration = 60) -> cloudwatch.Metric:
        """Messages waiting to be received (on a dead-letter queue: messages that failed)."""
        return self.metric("ApproximateNumberOfMessagesVisible", statistic=statistic, period=period)

    def metric_approximate_number_of_messages_not_visible(self, *, statistic: str = "Maximum",
                                                          period: int | Duration = 60) -> cloudwatch.Metric:
        """Messages received and not yet deleted (in flight)."""
        return self.metric("ApproximateNumberOfMessagesNotVisible", statistic=statistic, period=period)

    def metric_number_of_messages_sent(self, *, statistic: str = "Sum",
                                       period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("NumberOfMessagesSent", statistic=statistic, period=period)

    def metric_number_of_messages_received(self, *, statistic: str = "Sum",
                                           period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("NumberOfMessagesReceived", statistic=statistic, period=period)

    def metric_number_of_messages_deleted(self, *, statistic: str = "Sum",
                                          period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("NumberOfMessagesDeleted", statistic=statistic, period=period)

    def metric_number_of_empty_receives(self, *, statistic: str = "Sum",
                                        period: int | Duration = 60) -> cloudwatch.Metric:
        """Receives that found no message (high with short polling: set receive_message_wait_time)."""
        return self.metric("NumberOfEmptyReceives", statistic=statistic, period=period)

    def _error(self, message: str, hint: str | None = None, *, at_call: bool = False) -> ConstructError:
        """An error about this queue, at the user's line that made it (or, `at_call`, that called a method)."""
        location = (caller_location() or self.location) if at_call else self.location
        return ConstructError(f"Queue {self.id!r}: {message}", path=self.path, location=location, hint=hint)


class Queue(QueueBase):
    """An SQS queue (`AWS::SQS::Queue`, the child `Resource`) and its queue policy (`AWS::SQS::QueuePolicy`,
    the child `Policy`), written with its final statements.

    Args:
        queue_name: the queue's name; CloudFormation generates one when omitted (with ".fifo" for a FIFO
            queue). A FIFO queue's name must end in ".fifo"; at most 80 letters, digits, "-" and "_".
        fifo: a FIFO queue: exactly-once processing, in order within each message group.
        content_based_deduplication: (FIFO only) deduplicate by a SHA-256 hash of the body, so senders
            need not give a deduplication id.
        high_throughput_fifo: (FIFO only) deduplicate and limit throughput per message group rather than per
            queue (DeduplicationScope messageGroup, FifoThroughputLimit perMessageGroupId), which lets a FIFO
            queue scale with its message groups.
        visibility_timeout: how long a received message stays hidden from other consumers, in seconds or
            as a `Duration` (SQS's default is 30 seconds); at least the consuming function's timeout.
        retention_period: how long SQS keeps an undeleted message, in seconds or as a `Duration` (SQS's
            default is 4 days).
        delivery_delay: how long each new message stays invisible before its first delivery (DelaySeconds).
        receive_message_wait_time: how long a receive waits for a message (long polling), in seconds or as a
            `Duration`; 0 returns at once.
        max_message_size: the largest message accepted, in bytes or as a `Size`.
        dead_letter_queue: where messages go after failing `max_receive_count` times
            (`sqs.DeadLetterQueue(queue=..., max_receive_count=...)`).
        encryption_key: a customer-managed KMS key (a kms.Key or its ARN) to encrypt messages with; when
            omitted, SQS-managed encryption (SSE-SQS) is used. Grants then include the key.
        data_key_reuse: (with encryption_key) how long SQS reuses a data key before asking KMS again, in
            seconds or as a `Duration`.
        enforce_ssl: add a queue policy statement that denies any request not made over TLS (default True).
        removal_policy: what happens to the queue and its messages when it leaves the stack or is
            replaced: "retain" (default) or "destroy".
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        queue_name: Annotated[str | Token | None, Cfn("QueueName"), Check(queue_name_rule)] = None,
        fifo: bool = False,
        content_based_deduplication: bool = False,
        high_throughput_fifo: bool = False,
        visibility_timeout: Annotated[int | Duration | None, Cfn("VisibilityTimeout", unit="seconds")] = None,
        retention_period: Annotated[int | Duration | None, Cfn("MessageRetentionPeriod", unit="seconds")] = None,
        delivery_delay: Annotated[int | Duration | None, Cfn("DelaySeconds", unit="seconds")] = None,
        receive_message_wait_time: Annotated[int | Duration | None,
                                             Cfn("ReceiveMessageWaitTimeSeconds", unit="seconds")] = None,
        max_message_size: Annotated[int | Size | None, Cfn("MaximumMessageSize", unit="bytes")] = None,
        dead_letter_queue: DeadLetterQueue | None = None,
        encryption_key: Annotated[str | Token | EncryptionKey | None, Check(kms_key_rule)] = None,
        data_key_reuse: Annotated[int | Duration | None, Cfn("KmsDataKeyReusePeriodSeconds", unit="seconds")] = None,
        enforce_ssl: bool = True,
        removal_policy: Annotated[RemovalPolicy, Check(removal_policy_rule((RETAIN, DESTROY), RESOURCE_TYPE))] = RETAIN,
    ) -> None:
        super().__init__(scope, id)
        self.fifo = fifo
        self.visibility_timeout = visibility_timeout
        self.retention_period = retention_period
        self.encryption_key = encryption_key
        self.dead_letter_queue = dead_letter_queue
        self._check_fifo_rules(queue_name, content_based_deduplication or high_throughput_fifo, dead_letter_queue)
        if data_key_reuse is not None and encryption_key is None:
            raise self._error("data_key_reuse applies only with encryption_key (SQS-managed encryption has no "
                              "data keys to reuse)")
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "QueueName": queue_name,
            "FifoQueue": True if fifo else None,
            "ContentBasedDeduplication": True if content_based_deduplication else None,
            # The values SQS's API documents (the schema types both as plain strings):
            # https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/high-throughput-fifo.html
            "DeduplicationScope": "messageGroup" if high_throughput_fifo else None,
            "FifoThroughputLimit": "perMessageGroupId" if high_throughput_fifo else None,
            "VisibilityTimeout": visibility_timeout,
            "MessageRetentionPeriod": retention_period,
            "DelaySeconds": delivery_delay,
            "ReceiveMessageWaitTimeSeconds": receive_message_wait_time,
            "MaximumMessageSize": max_message_size,
            "RedrivePolicy": {
                "deadLetterTargetArn": dead_letter_queue.queue.queue_arn,
                "maxReceiveCount": dead_letter_queue.max_receive_count,
            } if dead_letter_queue is not None else None,
            "KmsMasterKeyId": key_arn_of(encryption_key) if encryption_key is not None else None,
            "KmsDataKeyReusePeriodSeconds": data_key_reuse,
            "SqsManagedSseEnabled": True if encryption_key is None else None,
        })
        apply_removal_policy(self.resource, removal_policy)
        self.policy: CfnResource | None = None
        self._policy_document = iam.PolicyDocument()
        if enforce_ssl:
            self.add_to_resource_policy(self._deny_insecure_transport())

    @classmethod
    def from_queue_arn(cls, scope: Construct, id: str, queue_arn: str | Token, *, fifo: bool | None = None,
                       encryption_key: str | Token | EncryptionKey | None = None) -> ImportedQueue:
        """A queue that exists, by its ARN: grants, metrics and event sources work on it; nothing is added to
        the template, and its queue policy stays its owner's."""
        return ImportedQueue(scope, id, queue_arn=queue_arn, fifo=fifo, encryption_key=encryption_key)

    def _check_fifo_rules(self, queue_name: Any, fifo_settings: bool,
                          dead_letter_queue: DeadLetterQueue | None) -> None:
        literal_name = isinstance(queue_name, str) and not is_token(queue_name)
        if self.fifo and literal_name and not re.search(fifo_name_pattern(), queue_name):
            raise self._error(f"a FIFO queue's name must end in {FIFO_SUFFIX!r}, got {queue_name!r}",
                              hint=f"did you mean {queue_name + FIFO_SUFFIX!r}?")
        if not self.fifo and literal_name and queue_name.endswith(FIFO_SUFFIX):
            raise self._error(f"the name {queue_name!r} ends in {FIFO_SUFFIX!r}, which only a FIFO queue's may",
                              hint="pass fifo=True, or drop the suffix")
        if not self.fifo and fifo_settings:
            raise self._error("content_based_deduplication and high_throughput_fifo are only for FIFO queues (they "
                              f"set {', '.join(fifo_only_properties())}, which a standard queue may not set)",
                              hint="pass fifo=True")
        if dead_letter_queue is not None:
            if not isinstance(dead_letter_queue, DeadLetterQueue):
                raise self._error(f"dead_letter_queue must be an sqs.DeadLetterQueue, got {dead_letter_queue!r}")
            if dead_letter_queue.queue is self:
                raise self._error("a queue cannot be its own dead-letter queue")
            if dead_letter_queue.queue.fifo != self.fifo:
                kinds = ("FIFO", "standard") if self.fifo else ("standard", "FIFO")
                raise self._error(f"a {kinds[0]} queue's dead-letter queue must be {kinds[0]} too, but "
                                  f"{dead_letter_queue.queue.path} is {kinds[1]}",
                                  hint="make both queues FIFO, or neither")
            self._check_dead_letter_retention(dead_letter_queue.queue)

    def _check_dead_letter_retention(self, dead: QueueBase) -> None:
        """A standard queue's message keeps its first enqueue time in the dead-letter queue, so a dead-letter
        queue that keeps messages for less time than this one can delete them as soon as they arrive."""
        mine, theirs = self.effective_retention_seconds, dead.effective_retention_seconds
        if self.fifo or mine is None or theirs is None or theirs >= mine:
            return
        raise self._error(f"the dead-letter queue {dead.path} keeps messages {theirs} seconds, less than this "
                          f"queue's {mine}: a message that moves there late in its life would expire at once "
                          "(a standard queue's message keeps its original enqueue time)",
                          hint=f"give {dead.path} a retention_period of at least {mine} seconds (the schema "
                          f"allows up to {_longest_retention()})")

    def _deny_insecure_transport(self) -> iam.PolicyStatement:
        """Deny every request made without TLS, by anyone (the deny wins over any allow)."""
        return iam.PolicyStatement(effect="Deny", principals=[iam.Principal("*")], actions=["sqs:*"],
                                   resources=[self.queue_arn], conditions={"Bool": {"aws:SecureTransport": "false"}})

    # -- references ----------------------------------------------------------------------------

    @property
    def queue_url(self) -> Token:
        return self.resource.ref

    @property
    def queue_arn(self) -> Token:
        return self.resource.get_att("Arn")

    @property
    def queue_name(self) -> Token:
        return self.resource.get_att("QueueName")


_QUEUE_ARN = re.compile(r"^arn:[a-z-]+:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$")


class ImportedQueue(QueueBase):
    """A queue made elsewhere, known by its ARN (usually through `Queue.from_queue_arn`). Nothing is added to
    the template; its queue policy stays with whoever owns the queue (a QueuePolicy made here would replace
    theirs), so statements for it (a topic subscription's, a service's) are refused with what to do instead.

    Args:
        queue_arn: the queue's ARN, arn:aws:sqs:region:account:name.
        fifo: whether it is a FIFO queue (default: whether a literal ARN ends in ".fifo").
        encryption_key: the customer-managed KMS key (a kms.Key or its ARN) the queue is encrypted with, if
            any; grants then include it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        queue_arn: str | Token,
        fifo: bool | None = None,
        encryption_key: Annotated[str | Token | EncryptionKey | None, Check(kms_key_rule)] = None,
    ) -> None:
        super().__init__(scope, id)
        literal = isinstance(queue_arn, str) and not is_token(queue_arn)
        if literal and not _QUEUE_ARN.match(str(queue_arn)):
            raise self._error(f"{queue_arn!r} is not an SQS queue ARN (arn:aws:sqs:region:account:name)")
        self._arn = queue_arn
        self.fifo = fifo if fifo is not None else literal and str(queue_arn).endswith(FIFO_SUFFIX)
        self.encryption_key = encryption_key

    def _arn_part(self, index: int) -> Any:
        if isinstance(self._arn, str) and not is_token(self._arn):
            return self._arn.split(":")[index]
        return Fn.select(index, Fn.split(":", self._arn))

    @property
    def queue_arn(self) -> Any:
        return self._arn

    @property
    def queue_name(self) -> Any:
        return self._arn_part(5)

    @property
    def queue_url(self) -> Any:
        return f"https://sqs.{self._arn_part(3)}.{Aws.URL_SUFFIX}/{self._arn_part(4)}/{self._arn_part(5)}"

    @property
    def effective_retention_seconds(self) -> int | None:
        return None  # not known here

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        raise self._error("the queue was made elsewhere: its queue policy belongs to the stack or account that "
                          "made it (a QueuePolicy here would replace that policy)",
                          hint="add the statement to the queue's own policy where it is defined", at_call=True)


__all__ = [
    "DeadLetterQueue",
    "EncryptionKey",
    "ImportedQueue",
    "Queue",
    "QueueBase",
    "checked_options",
    "fifo_name_pattern",
    "fifo_only_properties",
]
