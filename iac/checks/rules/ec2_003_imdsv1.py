from collections.abc import Iterator
from typing import Any

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, known

REQUIRED = "required"


def _tokens(options: Any) -> Any:
    options = known(options)
    if options is UNKNOWN:
        return UNKNOWN
    return known(options.get("HttpTokens")) if isinstance(options, dict) else None


def check(resource: TemplateResource) -> Iterator[Finding]:
    if resource.type == "AWS::EC2::Instance":
        if "LaunchTemplate" in resource.properties and "MetadataOptions" not in resource.properties:
            return  # the launch template decides (and is checked where it is declared)
        where: tuple[str, ...] = ("MetadataOptions",)
        tokens = _tokens(resource.properties.get("MetadataOptions"))
    else:
        data = known(resource.properties.get("LaunchTemplateData"))
        if not isinstance(data, dict):
            return
        tokens, where = _tokens(data.get("MetadataOptions")), ("LaunchTemplateData", "MetadataOptions")
    if tokens is not UNKNOWN and tokens != REQUIRED:
        yield resource.finding("instances answer IMDSv1 requests (MetadataOptions HttpTokens is not required)",
                               *where)


RULE = Rule(
    id="IAC-EC2-003",
    severity="warning",
    pack="compute",
    description="An instance or launch template allows IMDSv1",
    why="IMDSv1 answers any GET from the instance, so a server-side request forgery in the application hands "
        "out the instance role's credentials; IMDSv2 needs a session token such requests cannot get.",
    fix="Set MetadataOptions: {HttpTokens: required} (in LaunchTemplateData for a launch template).",
    url="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
    resource_types=("AWS::EC2::Instance", "AWS::EC2::LaunchTemplate"),
    check=check,
    reads={"AWS::EC2::Instance": ("MetadataOptions", "LaunchTemplate"),
           "AWS::EC2::LaunchTemplate": ("LaunchTemplateData",)},
)
