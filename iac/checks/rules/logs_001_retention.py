from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource


def check(resource: TemplateResource) -> Iterator[Finding]:
    if "RetentionInDays" not in resource.properties:
        yield resource.finding("the log group keeps its events forever (no RetentionInDays)")


RULE = Rule(
    id="IAC-LOGS-001",
    severity="warning",
    pack="logging",
    description="A CloudWatch Logs log group has no retention period",
    why="Without RetentionInDays events are kept, and billed, forever; and logs often hold personal data that "
        "must not be kept longer than needed.",
    fix="Set RetentionInDays (e.g. 30, 90 or 365) to what you need for debugging and audit.",
    url="https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html",
    resource_types=("AWS::Logs::LogGroup",),
    check=check,
    reads={"AWS::Logs::LogGroup": ("RetentionInDays",)},
)
