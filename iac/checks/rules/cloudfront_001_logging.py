from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, as_list, known, refers_to


def _names_source(value: Any, source: TemplateResource) -> bool:
    name = source.properties.get("Name")
    return refers_to(value, source.logical_id) or (isinstance(name, str) and value == name)


def _delivers_logs(distribution: TemplateResource) -> bool:
    """Whether a CloudWatch Logs delivery (standard logging v2) of this template takes this distribution's
    access logs: a delivery source whose resource is the distribution, and a delivery from that source."""
    for source in distribution.others("AWS::Logs::DeliverySource"):
        arns = [source.properties.get("ResourceArn"), *as_list(source.properties.get("ResourceArns"))]
        if source.properties.get("LogType", "ACCESS_LOGS") != "ACCESS_LOGS" or not any(
                refers_to(arn, distribution.logical_id) for arn in arns):
            continue
        if any(_names_source(delivery.properties.get("DeliverySourceName"), source)
               for delivery in distribution.others("AWS::Logs::Delivery")):
            return True
    return False


def check(resource: TemplateResource) -> Iterator[Finding]:
    config = resource.properties.get("DistributionConfig")
    if not isinstance(config, dict) or known(config.get("Logging", {})) is UNKNOWN:
        return
    logging = config.get("Logging")
    if (isinstance(logging, dict) and logging.get("Bucket")) or _delivers_logs(resource):
        return
    yield resource.finding("the distribution writes no access logs (DistributionConfig.Logging, or a CloudWatch "
                           "Logs delivery of its ACCESS_LOGS)", "DistributionConfig")


RULE = Rule(
    id="IAC-CLOUDFRONT-001",
    severity="warning",
    pack="logging",
    description="A CloudFront distribution writes no access logs",
    why="Without access logs there is no record of the requests the edge served (viewer address, path, "
        "status, cache result): a content leak, a scraper or an attack on the origin cannot be traced.",
    fix="Set DistributionConfig.Logging to a log bucket (iac's cloudfront.Distribution: log_bucket=), or "
        "deliver the distribution's ACCESS_LOGS through AWS::Logs::DeliverySource, DeliveryDestination "
        "and Delivery (standard logging v2, in us-east-1).",
    url="https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html",
    resource_types=("AWS::CloudFront::Distribution",),
    check=check,
    reads={"AWS::CloudFront::Distribution": ("DistributionConfig",),
           "AWS::Logs::DeliverySource": ("Name", "ResourceArn", "ResourceArns", "LogType"),
           "AWS::Logs::Delivery": ("DeliverySourceName",)},
)
