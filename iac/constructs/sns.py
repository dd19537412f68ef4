"""SNS: topics that are encrypted and reachable only over TLS, subscriptions that make their own permissions.

    topic = sns.Topic(stack, "Orders")
    topic.add_subscription(sns.SqsSubscription(queue, raw_message_delivery=True))
    topic.add_subscription(sns.LambdaSubscription(fn, filter_policy={"kind": ["refund"]}))
    topic.add_subscription(sns.EmailSubscription("ops@example.com"))
    topic.grant_publish(producer)

Defaults: encryption with the AWS managed key for SNS (alias/aws/sns) unless a key is given; a topic policy
(`AWS::SNS::TopicPolicy`, the child `Policy`) that denies publishing without TLS. A queue or a function
subscribed to a topic gets the queue policy statement or the Lambda permission it needs, for this topic only
(aws:SourceArn). The subscription is made next to the queue or function (in its stack), so a topic in one
stack and its subscribers in another depend on each other one way only.

The AWS managed key's policy cannot be changed, and it lets only IAM principals of the account use it:
AWS services that publish on their own (S3 notifications, CloudWatch alarms, EventBridge) cannot publish
to a topic encrypted with it. `allow_service_to_publish` says so at your line; give such a topic a
kms.Key (its key policy then lets the service in, for this topic only) or `encrypted=False`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from iac.constructs import cloudwatch, iam, sqs
from iac.constructs.core import CfnResource, Construct, Fn, Lazy, Token, is_token
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.protocols import Invocable
from iac.constructs.core.source import caller_location
from iac.constructs.core.units import Duration
from iac.constructs.kms import (
    DATA_KEY_ACTIONS,
    EncryptionKey,
    allow_service_to_use_key,
    key_arn_of,
    kms_key_rule,
)
from iac.constructs.sqs import checked_options, source_arn_condition
from iac.errors import ConstructError

RESOURCE_TYPE = "AWS::SNS::Topic"
POLICY_TYPE = "AWS::SNS::TopicPolicy"
SUBSCRIPTION_TYPE = "AWS::SNS::Subscription"
METRIC_NAMESPACE = "AWS/SNS"
SNS_SERVICE = "sns.amazonaws.com"
#: The AWS managed key SNS encrypts with when no customer key is given.
AWS_MANAGED_KEY = "alias/aws/sns"
FIFO_SUFFIX = ".fifo"

PUBLISH_ACTIONS = ("sns:Publish",)
# Publishing to a topic encrypted with a customer key: SNS generates a data key with the caller's permissions.
KMS_PUBLISH_ACTIONS = DATA_KEY_ACTIONS

#: SNS's topic-name rules beyond the TopicName schema's length:
#: https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html
TOPIC_NAME_RULE_URL = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
_TOPIC_NAME_CHARACTERS = re.compile(r"^[A-Za-z0-9_-]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?)://\S+$")


def topic_name_rule(value: Any) -> str | None:
    """A `Check` rule: SNS's characters for topic names (literal names only)."""
    if not isinstance(value, str) or is_token(value):
        return None
    if _TOPIC_NAME_CHARACTERS.match(value.removesuffix(FIFO_SUFFIX)):
        return None
    return (f"{value!r} is not a valid SNS topic name: it may have only letters, digits, hyphens and underscores "
            f"(and a '.fifo' suffix for a FIFO topic) ({TOPIC_NAME_RULE_URL})")


class TopicBase(Construct):
    """What topics made here (`Topic`) and topics made elsewhere (`Topic.from_topic_arn`) share: references,
    subscriptions, grants, metrics and the topic policy."""

    fifo: bool = False
    encryption_key: Any = None
    encrypted: bool = True
    policy: CfnResource | None = None
    _policy_document: iam.PolicyDocument

    # -- references ------------------------------------------------------------------------------

    @property
    def topic_arn(self) -> Any:
        raise NotImplementedError

    @property
    def topic_name(self) -> Any:
        raise NotImplementedError

    @property
    def uses_aws_managed_key(self) -> bool:
        return self.encrypted and self.encryption_key is None

    # -- resource policy -------------------------------------------------------------------------

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        """Add a statement to the topic policy (created on first use; statements are merged)."""
        problem = iam.resource_statement_problem(statement, "topic policy")
        if problem is not None:
            raise self._error(*problem, at_call=True)
        if self.policy is None:
            self.policy = CfnResource(self, "Policy", type=POLICY_TYPE, properties={
                "Topics": [self.topic_arn],
                "PolicyDocument": Lazy(self._policy_document.to_json),
            })
        self._policy_document.add_statements(statement)

    def allow_service_to_publish(self, service: str, *, source_arn: Any, source_account: Any = None,
                                 key_conditions: Mapping[str, Any] | None = None) -> None:
        """Let an AWS service (s3.amazonaws.com, cloudwatch.amazonaws.com, events.amazonaws.com) publish on
        behalf of the resource `source_arn` only (aws:SourceArn; with `source_account`, e.g. `Aws.ACCOUNT_ID`,
        also aws:SourceAccount, for sources whose ARN names no account such as a bucket). With a kms.Key the
        key policy lets the service use the key for this topic (under `key_conditions` when given: a source
        that refers to the topic cannot be named in the key's policy, which the topic refers to, without a
        cycle); the AWS managed key cannot, so that is refused here."""
        if self.uses_aws_managed_key:
            raise self._error(
                f"{service} cannot publish to a topic encrypted with the AWS managed key {AWS_MANAGED_KEY} (its key "
                "policy admits only IAM principals of the account, and it cannot be changed)",
                hint="give the topic encryption_key=kms.Key(...) (its policy is extended for you), or encrypted=False",
                at_call=True)
        self.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(service)], actions=["sns:Publish"], resources=[self.topic_arn],
            conditions=source_arn_condition(source_arn, source_account)))
        allow_service_to_use_key(self.encryption_key, service, KMS_PUBLISH_ACTIONS,
                                 dict(key_conditions) if key_conditions is not None
                                 else source_arn_condition(source_arn, source_account))

    # -- subscriptions ---------------------------------------------------------------------------

    def add_subscription(self, subscription: Subscription, *, id: str | None = None) -> CfnResource:
        """Subscribe an endpoint: `SqsSubscription(queue)`, `LambdaSubscription(fn)`, `EmailSubscription(addr)`,
        `UrlSubscription(url)`; the permissions it needs are made with it. `id` names the subscription's
        construct (default: from the queue's, function's or address's name)."""
        if not isinstance(subscription, Subscription):
            raise self._error(f"add_subscription takes an sns subscription (SqsSubscription, LambdaSubscription, "
                              f"EmailSubscription, UrlSubscription), got {subscription!r}", at_call=True)
        if self.fifo and subscription.protocol != "sqs":
            raise self._error(f"a FIFO topic delivers only to SQS queues, not to {subscription.protocol} endpoints",
                              at_call=True)
        return subscription.bind(self, id=id)

    # -- grants and metrics ----------------------------------------------------------------------

    def grant_publish(self, grantee: Any) -> iam.Grant:
        """Publish messages (and, with a customer key, generate the data key SNS encrypts them with)."""
        result = iam.grant(grantee, actions=PUBLISH_ACTIONS, resources=[self.topic_arn], scope=self)
        if self.encrypted and self.encryption_key is not None:
            iam.grant(grantee, actions=KMS_PUBLISH_ACTIONS, resources=[key_arn_of(self.encryption_key)], scope=self)
        return result

    def metric(self, metric_name: str, *, statistic: str = "Sum", period: int | Duration = 60) -> cloudwatch.Metric:
        """One of the topic's AWS/SNS metrics, by name."""
        return cloudwatch.Metric(namespace=METRIC_NAMESPACE, metric_name=metric_name,
                                 dimensions={"TopicName": self.topic_name}, statistic=statistic, period=period)

    def metric_number_of_messages_published(self, *, statistic: str = "Sum",
                                            period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("NumberOfMessagesPublished", statistic=statistic, period=period)

    def metric_number_of_notifications_delivered(self, *, statistic: str = "Sum",
                                                 period: int | Duration = 60) -> cloudwatch.Metric:
        return self.metric("NumberOfNotificationsDelivered", statistic=statistic, period=period)

    def metric_number_of_notifications_failed(self, *, statistic: str = "Sum",
                                              period: int | Duration = 60) -> cloudwatch.Metric:
        """Deliveries SNS gave up on (after its retries): an alarm here catches a broken subscriber."""
        return self.metric("NumberOfNotificationsFailed", statistic=statistic, period=period)

    def _error(self, message: str, hint: str | None = None, *, at_call: bool = False) -> ConstructError:
        location = (caller_location() or self.location) if at_call else self.location
        return ConstructError(f"Topic {self.id!r}: {message}", path=self.path, location=location, hint=hint)


class Topic(TopicBase):
    """An SNS topic (`AWS::SNS::Topic`, the child `Resource`) and its topic policy (`AWS::SNS::TopicPolicy`,
    the child `Policy`), written with its final statements.

    Args:
        topic_name: the topic's name; CloudFormation generates one when omitted (with ".fifo" for a FIFO
            topic). A FIFO topic's name must end in ".fifo"; letters, digits, "-" and "_".
        display_name: the name shown as the sender of email and SMS notifications.
        fifo: a FIFO topic: strict ordering and deduplication, delivered to SQS queues only.
        content_based_deduplication: (FIFO only) deduplicate by a SHA-256 hash of the message body.
        encryption_key: a customer-managed KMS key (a kms.Key or its ARN) to encrypt messages with; when
            omitted, the AWS managed key for SNS (alias/aws/sns).
        encrypted: False leaves the topic unencrypted (for AWS services that publish to it when you give no
            kms.Key); True by default.
        enforce_ssl: add a topic policy statement that denies publishing without TLS (default True).
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        topic_name: Annotated[str | Token | None, Cfn("TopicName"), Check(topic_name_rule)] = None,
        display_name: Annotated[str | Token | None, Cfn("DisplayName")] = None,
        fifo: bool = False,
        content_based_deduplication: bool = False,
        encryption_key: Annotated[str | Token | EncryptionKey | None, Check(kms_key_rule)] = None,
        encrypted: bool = True,
        enforce_ssl: bool = True,
    ) -> None:
        super().__init__(scope, id)
        self.fifo = fifo
        self.encryption_key = encryption_key
        self.encrypted = encrypted
        self._check(topic_name, content_based_deduplication)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={
            "TopicName": topic_name,
            "DisplayName": display_name,
            "FifoTopic": True if fifo else None,
            "ContentBasedDeduplication": True if content_based_deduplication else None,
            "KmsMasterKeyId": self._kms_master_key_id(),
        })
        self.policy: CfnResource | None = None
        self._policy_document = iam.PolicyDocument()
        self._subscriptions: dict[str, CfnResource] = {}
        if enforce_ssl:
            self.add_to_resource_policy(iam.PolicyStatement(
                effect="Deny", principals=[iam.Principal("*")], actions=["sns:Publish"], resources=[self.topic_arn],
                conditions={"Bool": {"aws:SecureTransport": "false"}}))

    @classmethod
    def from_topic_arn(cls, scope: Construct, id: str, topic_arn: str | Token, *, fifo: bool | None = None,
                       encryption_key: str | Token | EncryptionKey | None = None) -> ImportedTopic:
        """A topic that exists, by its ARN: subscriptions, grants and metrics work on it; nothing is added to
        the template for the topic itself, and its topic policy stays its owner's."""
        return ImportedTopic(scope, id, topic_arn=topic_arn, fifo=fifo, encryption_key=encryption_key)

    def _check(self, topic_name: Any, content_based_deduplication: bool) -> None:
        literal_name = isinstance(topic_name, str) and not is_token(topic_name)
        if self.fifo and literal_name and not topic_name.endswith(FIFO_SUFFIX):
            raise self._error(f"a FIFO topic's name must end in {FIFO_SUFFIX!r}, got {topic_name!r}",
                              hint=f"did you mean {topic_name + FIFO_SUFFIX!r}?")
        if not self.fifo and literal_name and topic_name.endswith(FIFO_SUFFIX):
            raise self._error(f"the name {topic_name!r} ends in {FIFO_SUFFIX!r}, which only a FIFO topic's may",
                              hint="pass fifo=True, or drop the suffix")
        if content_based_deduplication and not self.fifo:
            raise self._error("content_based_deduplication is only for FIFO topics", hint="pass fifo=True")
        if self.encryption_key is not None and not self.encrypted:
            raise self._error("encrypted=False and an encryption_key contradict each other")

    def _kms_master_key_id(self) -> Any:
        if not self.encrypted:
            return None
        return AWS_MANAGED_KEY if self.encryption_key is None else key_arn_of(self.encryption_key)

    # -- references ------------------------------------------------------------------------------

    @property
    def topic_arn(self) -> Token:
        return self.resource.ref  # a topic's Ref is its ARN

    @property
    def topic_name(self) -> Token:
        return self.resource.get_att("TopicName")


_TOPIC_ARN = re.compile(r"^arn:[a-z-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$")


class ImportedTopic(TopicBase):
    """A topic made elsewhere, known by its ARN (usually through `Topic.from_topic_arn`). Subscriptions to it
    and grants on it are made here; its topic policy stays with whoever owns the topic (a TopicPolicy made
    here would replace theirs), so statements for it are refused with what to do instead.

    Args:
        topic_arn: the topic's ARN, arn:aws:sns:region:account:name.
        fifo: whether it is a FIFO topic (default: whether a literal ARN ends in ".fifo").
        encryption_key: the customer-managed KMS key (a kms.Key or its ARN) the topic is encrypted with, if
            any; publish grants then include it.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        topic_arn: str | Token,
        fifo: bool | None = None,
        encryption_key: Annotated[str | Token | EncryptionKey | None, Check(kms_key_rule)] = None,
    ) -> None:
        super().__init__(scope, id)
        literal = isinstance(topic_arn, str) and not is_token(topic_arn)
        if literal and not _TOPIC_ARN.match(str(topic_arn)):
            raise self._error(f"{topic_arn!r} is not an SNS topic ARN (arn:aws:sns:region:account:name)")
        self._arn = topic_arn
        self.fifo = fifo if fifo is not None else literal and str(topic_arn).endswith(FIFO_SUFFIX)
        self.encryption_key = encryption_key
        self.encrypted = encryption_key is not None  # unknown otherwise: never taken for the AWS managed key

    @property
    def topic_arn(self) -> Any:
        return self._arn

    @property
    def topic_name(self) -> Any:
        if isinstance(self._arn, str) and not is_token(self._arn):
            return self._arn.split(":")[5]
        return Fn.select(5, Fn.split(":", self._arn))

    def add_to_resource_policy(self, statement: iam.PolicyStatement) -> None:
        raise self._error("the topic was made elsewhere: its topic policy belongs to the stack or account that "
                          "made it (a TopicPolicy here would replace that policy)",
                          hint="add the statement to the topic's own policy where it is defined", at_call=True)


# -- subscriptions --------------------------------------------------------------------------------

FilterPolicyScope = Literal["MessageAttributes", "MessageBody"]


class Subscription:
    """What `Topic.add_subscription` takes: an endpoint and how to deliver to it (AWS::SNS::Subscription)."""

    cfn_type = SUBSCRIPTION_TYPE
    protocol: str = ""
    filter_policy: Mapping[str, Any] | None = None
    filter_policy_scope: str | None = None
    raw_message_delivery: bool = False
    dead_letter_queue: sqs.QueueBase | None = None
    location: Any = None

    def endpoint(self) -> Any:
        raise NotImplementedError

    def scope_and_id(self, topic: TopicBase) -> tuple[Construct, str]:
        """Where the subscription's construct goes: next to the endpoint's construct when it has one."""
        raise NotImplementedError

    def grant(self, topic: TopicBase, subscription: CfnResource) -> None:
        """The permission the topic needs to deliver (none for email and URLs)."""

    def bind(self, topic: TopicBase, *, id: str | None = None) -> CfnResource:
        scope, default_id = self.scope_and_id(topic)
        dead = self.dead_letter_queue
        if dead is not None and dead.fifo != topic.fifo:
            kinds = ("FIFO", "FIFO queue") if topic.fifo else ("standard", "standard queue")
            raise self._error(f"a {kinds[0]} topic's subscription needs a {kinds[1]} as its dead-letter queue, "
                              f"and {dead.path} is not one", topic)
        resource = CfnResource(scope, id or default_id, type=SUBSCRIPTION_TYPE, properties={
            "TopicArn": topic.topic_arn,
            "Protocol": self.protocol,
            "Endpoint": self.endpoint(),
            "RawMessageDelivery": True if self.raw_message_delivery else None,
            "FilterPolicy": dict(self.filter_policy) if self.filter_policy is not None else None,
            "FilterPolicyScope": self.filter_policy_scope,
            "RedrivePolicy": {"deadLetterTargetArn": dead.queue_arn} if dead is not None else None,
        })
        self.grant(topic, resource)
        if dead is not None:
            # SNS moves undeliverable messages there as the topic (the source it names is the topic's ARN).
            dead.allow_service_to_send(SNS_SERVICE, source_arn=topic.topic_arn)
            if dead.policy is not None:
                resource.add_depends_on(dead.policy)
        return resource

    def _error(self, message: str, topic: TopicBase, hint: str | None = None) -> ConstructError:
        return ConstructError(f"{type(self).__name__}: {message}", path=topic.path,
                              location=self.location or caller_location(), hint=hint)


class SqsSubscription(Subscription):
    """Deliver the topic's messages to an SQS queue; the queue policy lets this topic (aws:SourceArn) send
    to it. A FIFO queue needs a FIFO topic. With a kms.Key on the queue, its key policy lets SNS use the
    key for this topic; with a key given by ARN, that key policy is yours to extend.

    Args:
        queue: the sqs.Queue to deliver to.
        raw_message_delivery: deliver the message as published, without SNS's JSON envelope.
        filter_policy: deliver only messages that match, e.g. {"kind": ["refund"]}.
        filter_policy_scope: what filter_policy matches: "MessageAttributes" (SNS's default) or "MessageBody".
        dead_letter_queue: an sqs.Queue for the messages SNS could not deliver after its retries (FIFO for a
            FIFO topic); its queue policy lets this topic send to it.
    """

    protocol = "sqs"

    @checked_options
    def __init__(self, queue: sqs.QueueBase, *, raw_message_delivery: bool = False,
                 filter_policy: Annotated[Mapping[str, Any] | None, Cfn("FilterPolicy")] = None,
                 filter_policy_scope: FilterPolicyScope | None = None,
                 dead_letter_queue: sqs.QueueBase | None = None) -> None:
        self.queue = queue
        self.raw_message_delivery = raw_message_delivery
        self.filter_policy = filter_policy
        self.filter_policy_scope = filter_policy_scope
        self.dead_letter_queue = dead_letter_queue
        self.location = caller_location()

    def endpoint(self) -> Any:
        return self.queue.queue_arn

    def scope_and_id(self, topic: TopicBase) -> tuple[Construct, str]:
        if self.queue.fifo and not topic.fifo:
            raise self._error(f"a FIFO queue ({self.queue.path}) can subscribe only to a FIFO topic", topic)
        return self.queue, f"{topic.id}Subscription"

    def grant(self, topic: TopicBase, subscription: CfnResource) -> None:
        self.queue.allow_service_to_send(SNS_SERVICE, source_arn=topic.topic_arn)
        if self.queue.policy is not None:
            subscription.add_depends_on(self.queue.policy)  # no message is sent before SNS may send it


class LambdaSubscription(Subscription):
    """Invoke a Lambda function with each of the topic's messages; the function's permission lets this topic
    (aws:SourceArn) invoke it, nothing else.

    Args:
        function: the awslambda.Function to invoke.
        filter_policy: invoke only for messages that match, e.g. {"kind": ["refund"]}.
        filter_policy_scope: what filter_policy matches: "MessageAttributes" (SNS's default) or "MessageBody".
        dead_letter_queue: an sqs.Queue for the messages SNS could not deliver after its retries (FIFO for a
            FIFO topic); its queue policy lets this topic send to it.
    """

    protocol = "lambda"

    @checked_options
    def __init__(self, function: Invocable, *,
                 filter_policy: Annotated[Mapping[str, Any] | None, Cfn("FilterPolicy")] = None,
                 filter_policy_scope: FilterPolicyScope | None = None,
                 dead_letter_queue: sqs.QueueBase | None = None) -> None:
        self.function = function
        self.filter_policy = filter_policy
        self.filter_policy_scope = filter_policy_scope
        self.dead_letter_queue = dead_letter_queue
        self.location = caller_location()

    def endpoint(self) -> Any:
        return self.function.function_arn

    def scope_and_id(self, topic: TopicBase) -> tuple[Construct, str]:
        if not isinstance(self.function, Construct):
            raise self._error(f"function must be an awslambda.Function, got {self.function!r}", topic)
        return self.function, f"{topic.id}Subscription"

    def grant(self, topic: TopicBase, subscription: CfnResource) -> None:
        self.function.add_permission(f"{topic.id}Permission", principal=SNS_SERVICE, source_arn=topic.topic_arn)


class EmailSubscription(Subscription):
    """Email each of the topic's messages to an address (the recipient confirms the subscription first).

    Args:
        address: the email address.
        json: send the whole SNS notification as JSON (protocol email-json) instead of the message text.
        filter_policy: email only messages that match, e.g. {"severity": ["high"]}.
    """

    @checked_options
    def __init__(self, address: str | Token, *, json: bool = False,
                 filter_policy: Annotated[Mapping[str, Any] | None, Cfn("FilterPolicy")] = None) -> None:
        if isinstance(address, str) and not is_token(address) and not _EMAIL.match(address):
            raise ConstructError(f"EmailSubscription: {address!r} is not an email address", location=caller_location())
        self.address = address
        self.protocol = "email-json" if json else "email"
        self.filter_policy = filter_policy
        self.location = caller_location()

    def endpoint(self) -> Any:
        return self.address

    def scope_and_id(self, topic: TopicBase) -> tuple[Construct, str]:
        return topic, _endpoint_id("Email", self.address, topic)


class UrlSubscription(Subscription):
    """POST each of the topic's messages to an HTTP(S) endpoint (which confirms the subscription first).
    The protocol follows the URL's scheme; use https: over http the messages travel in the clear.

    Args:
        url: the endpoint, "https://..." (or "http://...").
        raw_message_delivery: post the message as published, without SNS's JSON envelope.
        filter_policy: post only messages that match, e.g. {"kind": ["refund"]}.
        dead_letter_queue: an sqs.Queue for the messages SNS could not deliver after its retries (FIFO for a
            FIFO topic); its queue policy lets this topic send to it.
    """

    @checked_options
    def __init__(self, url: str | Token, *, raw_message_delivery: bool = False,
                 filter_policy: Annotated[Mapping[str, Any] | None, Cfn("FilterPolicy")] = None,
                 dead_letter_queue: sqs.QueueBase | None = None) -> None:
        match = _URL.match(url) if isinstance(url, str) and not is_token(url) else None
        if isinstance(url, str) and not is_token(url) and match is None:
            raise ConstructError(f"UrlSubscription: {url!r} is not an http:// or https:// URL",
                                 location=caller_location())
        self.url = url
        self.protocol = match.group(1) if match else "https"
        self.raw_message_delivery = raw_message_delivery
        self.filter_policy = filter_policy
        self.dead_letter_queue = dead_letter_queue
        self.location = caller_location()

    def endpoint(self) -> Any:
        return self.url

    def scope_and_id(self, topic: TopicBase) -> tuple[Construct, str]:
        return topic, _endpoint_id("Url", self.url, topic)


def _endpoint_id(kind: str, endpoint: Any, topic: TopicBase) -> str:
    """A construct id from a literal address ("Emailopsexamplecom"), else numbered ("Email1", "Email2")."""
    if isinstance(endpoint, str) and not is_token(endpoint):
        return f"{kind}{re.sub(r'[^A-Za-z0-9]', '', endpoint)}"[:200]
    number = 1
    while f"{kind}{number}" in {child.id for child in topic.children}:
        number += 1
    return f"{kind}{number}"


__all__ = [
    "EmailSubscription",
    "ImportedTopic",
    "LambdaSubscription",
    "SqsSubscription",
    "Subscription",
    "Topic",
    "TopicBase",
    "UrlSubscription",
]
