"""Hello: a queue, a topic that names it, and a subscription in a second stack.

Built from CfnResource alone, so it shows the core: tokens in f-strings, a cross-stack reference
(an Export in Network, Fn::ImportValue in Service) and an output.
"""

from iac import App, Aws, CfnResource, Output, Stack

app = App()

network = Stack(app, "Network", description="shared network")
queue = CfnResource(network, "Queue", type="AWS::SQS::Queue", properties={"VisibilityTimeout": 60})
topic = CfnResource(
    network,
    "Topic",
    type="AWS::SNS::Topic",
    properties={"DisplayName": f"alerts-{Aws.REGION}-{queue.get_att('QueueName')}"},
)
Output(network, "QueueUrl", value=queue.ref)

service = Stack(app, "Service")
CfnResource(
    service,
    "Sub",
    type="AWS::SNS::Subscription",
    properties={"TopicArn": topic.ref, "Protocol": "sqs", "Endpoint": queue.get_att("Arn")},
)

app.synth()
