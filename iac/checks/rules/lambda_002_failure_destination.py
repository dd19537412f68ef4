from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import refers_to


def _on_failure(config: TemplateResource, function: str) -> bool:
    destinations: Any = config.properties.get("DestinationConfig")
    return (refers_to(config.properties.get("FunctionName"), function) and isinstance(destinations, dict)
            and "OnFailure" in destinations)


def check(resource: TemplateResource) -> Iterator[Finding]:
    if "DeadLetterConfig" in resource.properties:
        return
    configs = resource.run.naming("AWS::Lambda::EventInvokeConfig", "FunctionName", resource.logical_id)
    if any(_on_failure(config, resource.logical_id) for config in configs if config.logical_id != resource.logical_id):
        return
    yield resource.finding("the function has neither a DeadLetterConfig nor an on-failure destination: an "
                           "asynchronous event that fails every retry is dropped")


RULE = Rule(
    id="IAC-LAMBDA-002",
    severity="info",
    pack="compute",
    description="A Lambda function has no dead-letter queue or on-failure destination for failed events",
    why="Lambda retries an asynchronous invocation (S3, SNS, EventBridge events) twice and then drops it: "
        "without a place for failures nobody knows what was lost. Functions only called synchronously (an API) "
        "need none.",
    fix="Set DeadLetterConfig (an SQS queue or SNS topic), or an AWS::Lambda::EventInvokeConfig with an OnFailure "
        "destination.",
    url="https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
    resource_types=("AWS::Lambda::Function",),
    check=check,
    reads={"AWS::Lambda::Function": ("DeadLetterConfig",),
           "AWS::Lambda::EventInvokeConfig": ("FunctionName", "DestinationConfig")},
)
