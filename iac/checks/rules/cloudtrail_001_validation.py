from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import not_true


def check(resource: TemplateResource) -> Iterator[Finding]:
    if not_true(resource.properties.get("EnableLogFileValidation")):
        yield resource.finding("the trail does not validate its log files (EnableLogFileValidation is not true)")


RULE = Rule(
    id="IAC-CLOUDTRAIL-001",
    severity="warning",
    pack="logging",
    description="A CloudTrail trail does not validate its log files",
    why="Without digest files nobody can prove a log file was not changed or deleted after delivery, which "
        "is what an audit trail is for.",
    fix="Set EnableLogFileValidation: true.",
    url="https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
    resource_types=("AWS::CloudTrail::Trail",),
    check=check,
    reads={"AWS::CloudTrail::Trail": ("EnableLogFileValidation",)},
)
