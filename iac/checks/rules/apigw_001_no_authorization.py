from collections.abc import Iterator

from iac.checks._model import Finding, Rule, TemplateResource
from iac.checks._values import is_true, refers_to

TYPES = ("AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Route")


def _http_api(route: TemplateResource) -> bool:
    """Whether a V2 route belongs to an HTTP API of this template (WebSocket routes other than $connect
    cannot have an authorizer at all)."""
    api_id = route.properties.get("ApiId")
    return any(refers_to(api_id, api.logical_id) and api.properties.get("ProtocolType") == "HTTP"
               for api in route.others("AWS::ApiGatewayV2::Api"))


def check(resource: TemplateResource) -> Iterator[Finding]:
    properties = resource.properties
    if str(properties.get("AuthorizationType", "NONE")).upper() != "NONE" or is_true(properties.get("ApiKeyRequired")):
        return
    if resource.type == "AWS::ApiGateway::Method":
        method = properties.get("HttpMethod")
        if method == "OPTIONS":
            return  # CORS preflight: browsers send it without credentials
        yield resource.finding(f"{method} requests need no authorization and no API key", "AuthorizationType")
    elif _http_api(resource):
        route = properties.get("RouteKey")
        if isinstance(route, str) and not route.startswith("OPTIONS "):
            yield resource.finding(f"route {route!r} needs no authorization", "AuthorizationType")


RULE = Rule(
    id="IAC-APIGW-001",
    severity="warning",
    pack="api",
    description="An API Gateway method or route needs neither authorization nor an API key",
    why="Anyone who finds the URL can call it, as often as they like: the function behind it runs, and is "
        "billed, for every request.",
    fix="Set an authorizer (AWS_IAM, COGNITO_USER_POOLS, CUSTOM or JWT) or require an API key with a usage "
        "plan; suppress the finding for an API that is public on purpose.",
    url="https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
    resource_types=TYPES,
    check=check,
    reads={"AWS::ApiGateway::Method": ("AuthorizationType", "ApiKeyRequired", "HttpMethod"),
           "AWS::ApiGatewayV2::Route": ("AuthorizationType", "ApiKeyRequired", "RouteKey", "ApiId"),
           "AWS::ApiGatewayV2::Api": ("ProtocolType",)},
)
