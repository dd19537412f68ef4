from collections.abc import Iterator

from iac.checks._logs import LOG_DESTINATION_READS, log_target
from iac.checks._model import Finding, Rule, TemplateResource


def check(resource: TemplateResource) -> Iterator[Finding]:
    if "LoggingConfiguration" in resource.properties:
        return
    if log_target(resource) is not None:
        return  # a log bucket: logging its own writes would be logs of logs (into itself: without end)
    yield resource.finding("the bucket keeps no server access logs (LoggingConfiguration), and nothing in the "
                           "template makes it a log bucket")


RULE = Rule(
    id="IAC-S3-005",
    severity="warning",
    pack="logging",
    description="An S3 bucket keeps no server access logs, and is no log bucket itself",
    why="Without access logs nobody can say afterwards who read, wrote or deleted which object: CloudTrail "
        "records object-level calls only when data events are bought, and never anonymous ones. A bucket "
        "that other resources log to (S3, CloudFront, a load balancer, CloudTrail, AWS Config, flow logs, "
        "WAF, Resolver query logs or a CloudWatch Logs delivery name it in this template), that has the "
        "LogDeliveryWrite ACL, or whose policy lets a log-delivery service put objects, is not flagged.",
    fix="Set LoggingConfiguration (DestinationBucketName: one log bucket for the account or application, "
        "LogFilePrefix: this bucket's name; with iac: s3.Bucket(..., access_logs_bucket=logs, "
        "access_logs_prefix=\"uploads/\")), or suppress the finding with the reason when the bucket's reads "
        "are logged elsewhere (a CloudFront origin whose distribution logs).",
    url="https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
    resource_types=("AWS::S3::Bucket",),
    check=check,
    reads=LOG_DESTINATION_READS,
)
