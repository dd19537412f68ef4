"""Hello: a queue, a topic that names it, and a subscription in a second stack.

Built from the generated L1 classes (iac.cfn) alone, so it shows the core: tokens in f-strings, a
cross-stack reference (an Export in Network, Fn::ImportValue in Service) and an output.
"""

from iac import App, Aws, Output, Stack
from iac.cfn import sns, sqs

app = App()

network = Stack(app, "Network", description="shared network")
queue = sqs.Queue(network, "Queue", visibility_timeout=60)
topic = sns.Topic(network, "Topic", display_name=f"alerts-{Aws.REGION}-{queue.get_att('QueueName')}",
                  kms_master_key_id="alias/aws/sns")  # messages encrypted at rest (IAC-SNS-001)
Output(network, "QueueUrl", value=queue.ref)

service = Stack(app, "Service")
sns.Subscription(service, "Sub", topic_arn=topic.ref, protocol="sqs", endpoint=queue.attr_arn)

app.synth()
