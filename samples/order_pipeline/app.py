"""An order pipeline: a JSON order uploaded under orders/ in a bucket notifies a topic, the topic delivers
to a queue, and a function records each order in a DynamoDB table. Orders the function keeps failing on
move to a dead-letter queue after five tries, and an alarm goes off as soon as one is there.

No name is fixed by hand and there is no dependency cycle: the bucket is named at synth (see "Bucket
notifications" in docs/messaging.md), so the topic's policy can let S3 publish for this bucket only
before the bucket exists. The topic is encrypted with a customer key, whose policy lets S3 use it for
this bucket (the AWS managed key would not let S3 in). The function may read orders/ in the bucket,
consume the queue and write the table; nothing more.
"""

from iac import App, Duration, Stack, suppress
from iac.constructs import awslambda, cloudwatch, dynamodb, iam, kms, s3, sns, sqs

app = App()
# Every role carries the boundary `iac bootstrap` made, so the bootstrapped roles may deploy it.
iam.PermissionsBoundary.of(app).apply(iam.ManagedPolicy.bootstrap_boundary())
stack = Stack(app, "OrderPipeline")

uploads = s3.Bucket(stack, "Uploads", versioned=True)
# Server access logs go to one log bucket per account (LoggingConfiguration), which a sample does not have.
suppress(uploads, "IAC-S3-005", reason="a sample without the account's log bucket: no server access logs")
uploaded = sns.Topic(stack, "OrderUploaded", encryption_key=kms.Key(stack, "TopicKey"))
uploads.add_event_notification(s3.EventType.OBJECT_CREATED, uploaded, prefix="orders/", suffix=".json")

failed = sqs.Queue(stack, "FailedOrders", retention_period=Duration.days(14))
orders = sqs.Queue(stack, "Orders", visibility_timeout=Duration.minutes(3),
                   dead_letter_queue=sqs.DeadLetterQueue(queue=failed, max_receive_count=5))
uploaded.add_subscription(sns.SqsSubscription(orders, raw_message_delivery=True))

table = dynamodb.Table(stack, "OrderTable", partition_key=dynamodb.Attribute("id", dynamodb.AttributeType.STRING))
record = awslambda.Function(stack, "RecordOrder", handler="record.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                            code=awslambda.Code.from_asset("src"), timeout=Duration.seconds(30),
                            environment={"TABLE_NAME": table.table_name})
record.add_event_source(awslambda.SqsEventSource(orders, batch_size=10, report_batch_item_failures=True))
uploads.grant_read(record, "orders/*")
table.grant_write(record)

cloudwatch.Alarm(stack, "OrdersFailing", metric=failed.metric_approximate_number_of_messages_visible(period=300),
                 threshold=1, evaluation_periods=1, treat_missing_data="notBreaching",
                 alarm_description="an order failed five times and is in the dead-letter queue")
cloudwatch.Alarm(stack, "OrdersWaiting", metric=orders.metric_approximate_age_of_oldest_message(period=300),
                 threshold=900, evaluation_periods=2, treat_missing_data="notBreaching",
                 alarm_description="orders have waited over 15 minutes: the function is failing or throttled")

app.synth()
