"""HTTP APIs: the API and its auto-deployed stage, routes and integrations, scoped permissions, authorizers, CORS."""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import apigateway, apigatewayv2, awslambda, cognito, logs
from iac.constructs.core.units import Duration
from iac.synth import synthesize, synthesize_app
from iac.synth.lint import lint_template

INLINE = awslambda.Code.from_inline("exports.handler = async () => ({statusCode: 200});")
ARN_PREFIX = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}"


def _function(stack: Stack, id: str = "Fn") -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=INLINE)


def _api(**props: Any) -> tuple[App, apigatewayv2.HttpApi, awslambda.Function]:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    return app, apigatewayv2.HttpApi(stack, "Api", **props), _function(stack)


def _resources(app: App, type: str | None = None) -> dict[str, Any]:
    resources = synthesize(app).template("S")["Resources"]
    return {lid: r for lid, r in resources.items() if type is None or r["Type"] == type}


def _permissions(app: App) -> list[str]:
    return sorted(r["Properties"]["SourceArn"]["Fn::Sub"] for r in _resources(app, "AWS::Lambda::Permission").values())


def test_the_api_has_an_auto_deployed_default_stage_with_access_logs() -> None:
    app, api, fn = _api()
    resources = _resources(app)
    assert api.resource.path == "S/Api/Resource" and api.stage.path == "S/Api/DefaultStage"
    assert resources[api.resource.logical_id]["Properties"] == {"Name": "S/Api", "ProtocolType": "HTTP"}
    assert api.access_log_group is not None
    group_id = api.access_log_group.resource.logical_id
    assert resources[api.stage.logical_id]["Properties"] == {
        "ApiId": {"Ref": api.resource.logical_id}, "StageName": "$default", "AutoDeploy": True,
        "AccessLogSettings": {
            "DestinationArn": {"Fn::Sub": f"arn:${{AWS::Partition}}:logs:${{AWS::Region}}:${{AWS::AccountId}}"
                                          f":log-group:${{{group_id}}}"},
            "Format": apigatewayv2.ACCESS_LOG_FORMAT}}
    assert json.loads(apigatewayv2.ACCESS_LOG_FORMAT)["routeKey"] == "$context.routeKey"
    assert resources[group_id]["Properties"] == {"RetentionInDays": 30}
    assert _resources(app, "AWS::ApiGateway::Account") == {}  # HTTP APIs need no account-wide role
    template = synthesize(app).template("S")
    assert template["Outputs"]["ApiEndpoint"]["Value"] == {"Fn::GetAtt": [api.resource.logical_id, "ApiEndpoint"]}


def test_access_logs_can_be_turned_off_or_go_to_a_users_group() -> None:
    app, api, fn = _api(access_log=False)
    assert "AccessLogSettings" not in _resources(app)[api.stage.logical_id]["Properties"]
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    group = logs.LogGroup(stack, "Mine")
    api = apigatewayv2.HttpApi(stack, "Api", access_log=group)
    assert api.access_log_group is group


def test_a_lambda_route_uses_payload_2_and_its_permission_is_scoped_to_the_route() -> None:
    app, api, fn = _api()
    route = api.add_route("GET", "/items/{id}", fn)
    api.add_route("ANY", "/files/{proxy+}", apigatewayv2.LambdaIntegration(fn, timeout=Duration.seconds(10)))
    resources = _resources(app)
    assert route.path == "S/Api/GET |items|{id}/Resource"
    integration_id = route.scope.find_child("Integration").logical_id  # type: ignore[union-attr]
    assert resources[route.logical_id]["Properties"] == {
        "ApiId": {"Ref": api.resource.logical_id}, "RouteKey": "GET /items/{id}", "AuthorizationType": "NONE",
        "Target": {"Fn::Join": ["/", ["integrations", {"Ref": integration_id}]]}}
    assert resources[integration_id]["Properties"] == {
        "ApiId": {"Ref": api.resource.logical_id}, "IntegrationType": "AWS_PROXY",
        "IntegrationUri": {"Fn::GetAtt": [fn.resource.logical_id, "Arn"]}, "PayloadFormatVersion": "2.0"}
    api_id = api.resource.logical_id
    assert _permissions(app) == [f"{ARN_PREFIX}:${{{api_id}}}/*/*/files/*", f"{ARN_PREFIX}:${{{api_id}}}/*/GET/items/*"]
    assert api.routes == ["GET /items/{id}", "ANY /files/{proxy+}"]


def test_the_default_route_catches_everything_else() -> None:
    app, api, fn = _api()
    route = api.add_route("ANY", "$default", fn)
    assert _resources(app)[route.logical_id]["Properties"]["RouteKey"] == "$default"
    assert _permissions(app) == [f"{ARN_PREFIX}:${{{api.resource.logical_id}}}/*/$default"]


def test_an_http_route_forwards_to_the_endpoint() -> None:
    app, api, fn = _api()
    route = api.add_route("GET", "/old/{proxy+}", apigatewayv2.HttpIntegration("https://old.example.com/{proxy}",
                                                                                method="GET"))
    integration = route.scope.find_child("Integration")
    assert integration is not None
    assert _resources(app)[integration.logical_id]["Properties"] == {
        "ApiId": {"Ref": api.resource.logical_id}, "IntegrationType": "HTTP_PROXY",
        "IntegrationUri": "https://old.example.com/{proxy}", "IntegrationMethod": "GET",
        "PayloadFormatVersion": "1.0"}
    assert _resources(app, "AWS::Lambda::Permission") == {}


def test_cors_is_answered_by_api_gateway() -> None:
    app, api, fn = _api(cors=apigateway.Cors(allow_origins=["https://app.example.com"], allow_methods=["GET"]))
    assert _resources(app)[api.resource.logical_id]["Properties"]["CorsConfiguration"] == {
        "AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"],
        "AllowHeaders": list(apigateway.DEFAULT_CORS_HEADERS)}


def test_a_jwt_authorizer_from_a_user_pool_checks_the_clients_tokens() -> None:
    app, api, fn = _api()
    pool = cognito.UserPool(api.stack, "Users")
    client = pool.add_client("Web")
    auth = apigatewayv2.HttpJwtAuthorizer(api.stack, "Jwt", user_pool=pool, user_pool_clients=[client])
    route = api.add_route("GET", "/me", fn, authorizer=auth, authorization_scopes=["openid"])
    resources = _resources(app)
    assert auth.resource is not None and auth.resource.path == "S/Jwt/Resource"
    assert resources[auth.resource.logical_id]["Properties"] == {
        "ApiId": {"Ref": api.resource.logical_id}, "Name": "Jwt", "AuthorizerType": "JWT",
        "IdentitySource": ["$request.header.Authorization"],
        "JwtConfiguration": {
            "Issuer": {"Fn::Sub": f"https://cognito-idp.${{AWS::Region}}.${{AWS::URLSuffix}}/"
                                  f"${{{pool.resource.logical_id}}}"},
            "Audience": [{"Ref": client.resource.logical_id}]}}
    props = resources[route.logical_id]["Properties"]
    assert (props["AuthorizationType"], props["AuthorizerId"], props["AuthorizationScopes"]) == (
        "JWT", {"Ref": auth.resource.logical_id}, ["openid"])


def test_a_lambda_authorizer_may_alone_invoke_its_function() -> None:
    app, api, fn = _api()
    auth_fn = _function(api.stack, "AuthFn")
    auth = apigatewayv2.HttpLambdaAuthorizer(api.stack, "Auth", handler=auth_fn, results_cache_ttl=0)
    api = apigatewayv2.HttpApi(api.stack, "Guarded", default_authorizer=auth)
    route = api.add_route("GET", "/", fn)
    public = api.add_route("GET", "/health", fn, authorization="NONE")
    resources = _resources(app)
    assert auth.resource is not None
    props = resources[auth.resource.logical_id]["Properties"]
    assert (props["AuthorizerType"], props["AuthorizerPayloadFormatVersion"], props["EnableSimpleResponses"]) == (
        "REQUEST", "2.0", True)
    assert props["AuthorizerResultTtlInSeconds"] == 0
    assert resources[route.logical_id]["Properties"]["AuthorizationType"] == "CUSTOM"
    assert resources[public.logical_id]["Properties"]["AuthorizationType"] == "NONE"
    [permission] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                    and r["Properties"]["FunctionName"] == {"Fn::GetAtt": [auth_fn.resource.logical_id, "Arn"]}]
    assert permission["SourceArn"] == {"Fn::Sub": f"{ARN_PREFIX}:${{{api.resource.logical_id}}}/authorizers/"
                                                  f"${{{auth.resource.logical_id}}}"}


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (("FETCH", "/"), {}, "is not an HTTP method"),
    (("GET", "items"), {}, "must start with '/'"),
    (("GET", "$default"), {}, "pass method='ANY'"),
    (("GET", "/"), {"authorization": "JWT"}, "must be 'NONE' or 'AWS_IAM'"),
    (("GET", "/"), {"authorization_scopes": ["a"]}, "need an HttpJwtAuthorizer"),
])
def test_bad_routes_are_refused_at_the_callers_line(args: tuple[str, str], kwargs: dict[str, Any],
                                                    message: str) -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match=message) as caught:
        api.add_route(*args, fn, **kwargs)
    assert caught.value.location is not None and caught.value.location.file == __file__


def test_a_duplicate_route_is_refused() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/", fn)
    with pytest.raises(ConstructError, match="'GET /' is already defined"):
        api.add_route("GET", "/", fn)


@pytest.mark.parametrize(("make", "message"), [
    (lambda: apigatewayv2.HttpIntegration("old.example.com"), "http:// or https:// URL"),
    (lambda: apigatewayv2.LambdaIntegration("fn"), "needs a Lambda Function"),  # type: ignore[arg-type]
])
def test_bad_integrations_are_refused(make: Any, message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        make()


def test_a_too_long_integration_timeout_is_refused() -> None:
    app, api, fn = _api()
    with pytest.raises(ValueError, match="between 50 milliseconds and 30 seconds"):
        api.add_route("GET", "/", apigatewayv2.LambdaIntegration(fn, timeout=Duration.minutes(1)))


def test_bad_authorizers_are_refused() -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match="pass issuer= .* or user_pool="):
        apigatewayv2.HttpJwtAuthorizer(api.stack, "A")
    with pytest.raises(ConstructError, match="needs an audience"):
        apigatewayv2.HttpJwtAuthorizer(api.stack, "B", issuer="https://issuer.example.com")
    with pytest.raises(ConstructError, match="is not an identity source"):
        apigatewayv2.HttpLambdaAuthorizer(api.stack, "C", handler=fn, identity_sources=["Authorization"])
    with pytest.raises(ConstructError, match="no argument 'response_types'") as caught:
        apigatewayv2.HttpLambdaAuthorizer(api.stack, "D", handler=fn, response_types="IAM")  # type: ignore[call-arg]
    assert caught.value.hint == "did you mean response_type?"


def test_a_guarded_http_api_is_lint_clean_and_clears_iacs_authorization_check() -> None:
    app = App()
    stack = Stack(app, "S")
    pool = cognito.UserPool(stack, "Users")
    client = pool.add_client("Web")
    api = apigatewayv2.HttpApi(stack, "Api", cors=apigateway.Cors(allow_origins=["https://app.example.com"]),
                               default_authorizer=apigatewayv2.HttpJwtAuthorizer(
                                   stack, "Jwt", user_pool=pool, user_pool_clients=[client]))
    fn = _function(stack)
    api.add_route("GET", "/items/{id}", fn)
    api.add_route("POST", "/items", fn, authorization="AWS_IAM")
    api.add_route("ANY", "/old/{proxy+}", apigatewayv2.HttpIntegration("https://old.example.com/{proxy}"),
                  authorizer=apigatewayv2.HttpLambdaAuthorizer(stack, "Auth", handler=_function(stack, "AuthFn")))
    assembly = synthesize_app(app)
    assert [w.code for w in assembly.warnings] == []
    assert lint_template(assembly.stack("S").body, "us-east-1") == []


def test_a_public_route_is_flagged_by_iacs_check() -> None:
    app = App()
    stack = Stack(app, "S")
    apigatewayv2.HttpApi(stack, "Api").add_route("GET", "/", _function(stack))
    assert [w.code for w in synthesize_app(app).warnings] == ["IAC-APIGW-001"]


APP = textwrap.dedent('''
    from iac import App, Stack
    from iac.constructs import apigateway, apigatewayv2, awslambda, cognito

    app = App()
    stack = Stack(app, "Apis")
    pool = cognito.UserPool(stack, "Users", self_sign_up_enabled=True)
    client = pool.add_client("Web")
    fn = awslambda.Function(stack, "Fn", handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                            code=awslambda.Code.from_inline("exports.handler = async () => ({statusCode: 200});"))
    http = apigatewayv2.HttpApi(stack, "Http", default_authorizer=apigatewayv2.HttpJwtAuthorizer(
        stack, "Jwt", user_pool=pool, user_pool_clients=[client]))
    http.add_route("GET", "/items/{id}", fn)
    rest = apigateway.RestApi(stack, "Rest", default_authorizer=apigateway.CognitoUserPoolsAuthorizer(
        stack, "RestAuth", cognito_user_pools=[pool]))
    rest.add_route("GET", "/items/{id}", fn)
    plan = rest.add_usage_plan("Plan", throttle_rate_limit=10, throttle_burst_limit=20)
    plan.add_api_key(rest.add_api_key("Key"))
    app.synth()
''')


def test_rest_and_http_apis_with_a_user_pool_synthesize_strict_through_the_cli(write_app: Any, run_iac: Any) -> None:
    write_app(APP)
    result = run_iac("synth", "--strict", "--app", "app.py", "--out", "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()


def test_props_reach_the_api_and_an_iam_lambda_authorizer_answers_with_policies() -> None:
    app, api, fn = _api(api_name="notes", description="Notes API", disable_execute_api_endpoint=True)
    auth = apigatewayv2.HttpLambdaAuthorizer(api.stack, "Auth", handler=fn, response_type="IAM",
                                             identity_sources=["$request.header.X-Token", "$context.sourceIp"])
    api.add_route("GET", "/", fn, authorizer=auth)
    resources = _resources(app)
    assert resources[api.resource.logical_id]["Properties"] == {
        "Name": "notes", "Description": "Notes API", "ProtocolType": "HTTP", "DisableExecuteApiEndpoint": True}
    assert auth.resource is not None
    props = resources[auth.resource.logical_id]["Properties"]
    assert props["EnableSimpleResponses"] is False
    assert props["IdentitySource"] == ["$request.header.X-Token", "$context.sourceIp"]


def test_an_http_authorizer_belongs_to_one_api_and_its_stack() -> None:
    app, api, fn = _api()
    auth = apigatewayv2.HttpLambdaAuthorizer(api.stack, "Auth", handler=fn)
    api.add_route("GET", "/", fn, authorizer=auth)
    with pytest.raises(ConstructError, match="already guards HttpApi S/Api"):
        apigatewayv2.HttpApi(api.stack, "Other").add_route("GET", "/", fn, authorizer=auth)
    elsewhere = apigatewayv2.HttpLambdaAuthorizer(Stack(app, "Other"), "Auth", handler=fn)
    with pytest.raises(ConstructError, match="is in stack Other"):
        api.add_route("GET", "/x", fn, authorizer=elsewhere)
