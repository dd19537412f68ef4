from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import UNKNOWN, known, refers_to

#: Per type: the property holding the stage's access-log setting.
SETTING = {"AWS::ApiGateway::Stage": "AccessLogSetting", "AWS::ApiGatewayV2::Stage": "AccessLogSettings"}


def _overrides_set_logs(api: TemplateResource) -> bool:
    """Whether an AWS::ApiGatewayV2::ApiGatewayManagedOverrides of the API gives its quick-create stage
    access logs (Stage.AccessLogSettings): the one way to configure the stage quick create makes."""
    for overrides in api.others("AWS::ApiGatewayV2::ApiGatewayManagedOverrides"):
        stage = overrides.properties.get("Stage")
        if refers_to(overrides.properties.get("ApiId"), api.logical_id) and (
                known(stage) is UNKNOWN or (isinstance(stage, dict) and stage.get("AccessLogSettings"))):
            return True
    return False


def check(resource: TemplateResource) -> Iterator[Finding]:
    properties = resource.properties
    if resource.type == "AWS::ApiGatewayV2::Api":
        # quick create: with Target, API Gateway makes the $default stage itself, with no access logs
        if properties.get("Target") is not None and not _overrides_set_logs(resource):
            yield resource.finding("the API's quick create (Target) makes a $default stage with no access logs "
                                   "(an ApiGatewayManagedOverrides with Stage.AccessLogSettings gives it some)",
                                   "Target")
        return
    if resource.type == "AWS::ApiGateway::Deployment":
        # a deployment with a StageName makes that stage itself, set up by its StageDescription
        stage = properties.get("StageName")
        description = properties.get("StageDescription")
        if stage is None or known(description) is UNKNOWN:
            return
        if not isinstance(description, dict) or not description.get("AccessLogSetting"):
            yield resource.finding(f"the deployment makes stage {stage!r} with no access logs "
                                   "(StageDescription.AccessLogSetting)", "StageName")
        return
    setting = SETTING[resource.type]
    if not properties.get(setting):
        yield resource.finding(f"the stage writes no access logs ({setting})")


RULE = Rule(
    id="IAC-APIGW-002",
    severity="warning",
    pack="logging",
    description="An API Gateway stage (REST, HTTP or WebSocket, or an HTTP API's quick create) writes no access logs",
    why="Without access logs a stage keeps no record of who called which route, when, from where and with "
        "what result: abuse, a leaked key or a failing client cannot be traced afterwards.",
    fix="Give the stage an AccessLogSetting (REST) or AccessLogSettings (HTTP, WebSocket) with a log group's "
        "ARN and a format (iac's apigateway and apigatewayv2 stages write one by default: access_log=True). "
        "For an HTTP API made by quick create (Target), add an AWS::ApiGatewayV2::ApiGatewayManagedOverrides "
        "with Stage.AccessLogSettings, or drop Target and declare the stage and its route.",
    url="https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
    resource_types=("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage", "AWS::ApiGateway::Deployment",
                    "AWS::ApiGatewayV2::Api"),
    check=check,
    reads={"AWS::ApiGateway::Stage": ("AccessLogSetting",), "AWS::ApiGatewayV2::Stage": ("AccessLogSettings",),
           "AWS::ApiGateway::Deployment": ("StageName", "StageDescription"), "AWS::ApiGatewayV2::Api": ("Target",),
           "AWS::ApiGatewayV2::ApiGatewayManagedOverrides": ("ApiId", "Stage")},
)
