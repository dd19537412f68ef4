"""API Gateway: the resource tree, proxy methods, scoped permissions, redeployment, stage, CORS, bad routes."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from iac import App, ConstructError, Stack, ValidationError
from iac.constructs import apigateway, awslambda, logs
from iac.constructs.core.units import Duration
from iac.specs import property_schema
from iac.synth import synthesize, synthesize_app
from iac.synth.lint import lint_template

INLINE = awslambda.Code.from_inline("exports.handler = async () => ({statusCode: 200});")
SOURCE_ARN_PREFIX = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}"


def _function(stack: Stack, id: str = "Fn", **props: Any) -> awslambda.Function:
    return awslambda.Function(stack, id, handler="index.handler", runtime=awslambda.DEFAULT_NODEJS_RUNTIME,
                              code=INLINE, **props)


def _api(**props: Any) -> tuple[App, apigateway.RestApi, awslambda.Function]:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    return app, apigateway.RestApi(stack, "Api", **props), _function(stack)


def _resources(app: App, type: str | None = None) -> dict[str, Any]:
    resources = synthesize(app).template("S")["Resources"]
    return {lid: r for lid, r in resources.items() if type is None or r["Type"] == type}


def _by_path_part(app: App) -> dict[str, tuple[str, dict[str, Any]]]:
    return {r["Properties"]["PathPart"]: (lid, r["Properties"])
            for lid, r in _resources(app, "AWS::ApiGateway::Resource").items()}


def _permission_arns(app: App) -> list[str]:
    return sorted(r["Properties"]["SourceArn"]["Fn::Sub"]
                  for r in _resources(app, "AWS::Lambda::Permission").values())


# -- the resource tree -------------------------------------------------------------------------

def test_routes_with_a_common_prefix_share_its_resources() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/resource", fn)
    api.add_route("GET", "/resource/{resourceId}", fn)
    api.add_route("PUT", "/resource/{resourceId}", fn)
    parts = _by_path_part(app)
    assert sorted(parts) == ["resource", "{resourceId}"]
    resource_id, resource = parts["resource"]
    assert resource["ParentId"] == {"Fn::GetAtt": [api.resource.logical_id, "RootResourceId"]}
    assert resource["RestApiId"] == {"Ref": api.resource.logical_id}
    assert parts["{resourceId}"][1]["ParentId"] == {"Ref": resource_id}


def test_resource_and_method_ids_follow_the_path() -> None:
    app, api, fn = _api()
    method = api.add_route("GET", "/resource/{resourceId}", fn)
    assert method.path == "S/Api/Default/resource/{resourceId}/GET"
    assert method.logical_id.startswith("ApiresourceresourceIdGET")
    assert sorted(lid[:-8] for lid, _ in _by_path_part(app).values()) == ["Apiresource", "ApiresourceresourceId"]


def test_a_segment_named_like_a_method_does_not_collide_with_the_method() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/", fn)
    api.add_route("GET", "/GET", fn)
    assert len(_resources(app, "AWS::ApiGateway::Method")) == 2


def test_a_root_route_is_a_method_on_the_root_resource() -> None:
    app, api, fn = _api()
    method = api.add_route("GET", "/", fn)
    props = _resources(app)[method.logical_id]["Properties"]
    assert props["ResourceId"] == {"Fn::GetAtt": [api.resource.logical_id, "RootResourceId"]}
    assert _resources(app, "AWS::ApiGateway::Resource") == {}
    assert _permission_arns(app) == [f"{SOURCE_ARN_PREFIX}:${{{api.resource.logical_id}}}/*/GET/"]


# -- methods and permissions ------------------------------------------------------------------

def test_a_route_is_a_lambda_proxy_method() -> None:
    app, api, fn = _api()
    method = api.add_route("post", "/items", fn)
    props = _resources(app)[method.logical_id]["Properties"]
    assert (props["HttpMethod"], props["AuthorizationType"]) == ("POST", "NONE")
    assert props["Integration"] == {
        "Type": "AWS_PROXY",
        "IntegrationHttpMethod": "POST",
        "Uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                           f"${{{fn.resource.logical_id}.Arn}}/invocations"},
    }
    assert "RequestParameters" not in props


def test_path_parameters_are_declared_on_the_method() -> None:
    app, api, fn = _api()
    method = api.add_route("GET", "/users/{userId}/files/{path+}", fn)
    assert _resources(app)[method.logical_id]["Properties"]["RequestParameters"] == {
        "method.request.path.userId": True, "method.request.path.path": True}


def test_the_permission_is_scoped_to_the_api_method_and_path_with_parameters_as_wildcards() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/resource/{resourceId}", fn)
    api.add_route("ANY", "/files/{proxy+}", fn)
    permissions = _resources(app, "AWS::Lambda::Permission").values()
    assert {p["Properties"]["Principal"] for p in permissions} == {"apigateway.amazonaws.com"}
    assert {p["Properties"]["FunctionName"]["Fn::GetAtt"][0] for p in permissions} == {fn.resource.logical_id}
    api_id = api.resource.logical_id
    assert _permission_arns(app) == [f"{SOURCE_ARN_PREFIX}:${{{api_id}}}/*/*/files/*",
                                     f"{SOURCE_ARN_PREFIX}:${{{api_id}}}/*/GET/resource/*"]


def test_an_alias_can_handle_a_route() -> None:
    app, api, fn = _api()
    alias = fn.add_alias("live")
    method = api.add_route("GET", "/", alias)
    resources = _resources(app)
    assert f"${{{alias.resource.logical_id}}}/invocations" in \
        resources[method.logical_id]["Properties"]["Integration"]["Uri"]["Fn::Sub"]
    permission = next(r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission")
    assert permission["Properties"]["FunctionName"] == {"Ref": alias.resource.logical_id}


def test_a_handler_in_another_stack_is_permitted_from_the_api_stack_without_a_cycle() -> None:
    app = App(path_metadata=False)
    fn = _function(Stack(app, "Functions"))
    api = apigateway.RestApi(Stack(app, "Apis"), "Api")
    api.add_route("GET", "/x", fn)
    assembly = synthesize(app)
    assert assembly.stack("Apis").dependencies == ("Functions",)
    permission = next(r for r in assembly.template("Apis")["Resources"].values()
                      if r["Type"] == "AWS::Lambda::Permission")
    assert permission["Properties"]["FunctionName"] == {
        "Fn::ImportValue": f"Functions:ExportsOutputFnGetAtt{fn.resource.logical_id}Arn"}
    assert "AWS::Lambda::Permission" not in str(assembly.template("Functions"))


# -- deployment, stage, output ----------------------------------------------------------------

def _deployment_id(routes: list[tuple[str, str]], *, memory_size: int = 128) -> str:
    app = App()
    stack = Stack(app, "S")
    fn = _function(stack, memory_size=memory_size)
    api = apigateway.RestApi(stack, "Api")
    for method, path in routes:
        api.add_route(method, path, fn)
    return api.deployment.logical_id


def test_deployment_id_is_the_same_for_the_same_routes() -> None:
    routes = [("GET", "/items"), ("GET", "/items/{id}")]
    assert _deployment_id(routes) == _deployment_id(routes)
    assert _deployment_id(routes) == _deployment_id(list(reversed(routes)))
    assert _deployment_id(routes).startswith("ApiDeployment")


def test_deployment_id_ignores_changes_the_api_does_not_snapshot() -> None:
    routes = [("GET", "/items")]
    assert _deployment_id(routes, memory_size=128) == _deployment_id(routes, memory_size=512)


@pytest.mark.parametrize("changed", [
    [("GET", "/items"), ("GET", "/items/{id}"), ("DELETE", "/items/{id}")],  # a route added
    [("GET", "/items"), ("PUT", "/items/{id}")],  # a method changed
    [("GET", "/items"), ("GET", "/items/{itemId}")],  # a path changed
])
def test_deployment_id_changes_when_the_routes_change(changed: list[tuple[str, str]]) -> None:
    assert _deployment_id([("GET", "/items"), ("GET", "/items/{id}")]) != _deployment_id(changed)


def test_deployment_id_changes_when_cors_changes() -> None:
    def deployment_id(origin: str) -> str:
        app = App()
        stack = Stack(app, "S")
        api = apigateway.RestApi(stack, "Api", cors=apigateway.Cors(allow_origins=[origin]))
        api.add_route("GET", "/", _function(stack))
        return api.deployment.logical_id

    assert deployment_id("https://a.example.com") != deployment_id("https://b.example.com")


def test_deployment_depends_on_every_method() -> None:
    app, api, fn = _api(cors=apigateway.Cors(allow_origins="*"))
    api.add_route("GET", "/a", fn)
    api.add_route("GET", "/a/b", fn)
    resources = _resources(app)
    methods = {lid for lid, r in resources.items() if r["Type"] == "AWS::ApiGateway::Method"}
    assert len(methods) == 4
    assert set(resources[api.deployment.logical_id]["DependsOn"]) == methods
    assert resources[api.deployment.logical_id]["Properties"] == {"RestApiId": {"Ref": api.resource.logical_id}}


def test_the_stage_serves_the_deployment_and_the_output_gives_its_url() -> None:
    app, api, fn = _api(stage_name="v1")
    api.add_route("GET", "/", fn)
    template = synthesize(app).template("S")
    assert template["Resources"][api.stage.logical_id]["Properties"] == {
        "RestApiId": {"Ref": api.resource.logical_id},
        "DeploymentId": {"Ref": api.deployment.logical_id},
        "StageName": "v1",
        "AccessLogSetting": {
            "DestinationArn": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:"
                                          f"${{{api.access_log_group.resource.logical_id}}}"},
            "Format": apigateway.ACCESS_LOG_FORMAT},
    }
    url = (f"https://${{{api.resource.logical_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"
           f"/${{{api.stage.logical_id}}}/")
    assert template["Outputs"]["ApiEndpoint"]["Value"] == {"Fn::Sub": url}


def test_url_for_path_appends_the_path_to_the_stage_url(stack: Stack, resolve: Any) -> None:
    api = apigateway.RestApi(stack, "Api")
    assert resolve(api.url_for_path("/items/42"))["Fn::Sub"].endswith(f"/${{{api.stage.logical_id}}}/items/42")
    with pytest.raises(ConstructError, match="starting with '/'"):
        api.url_for_path("items")


def test_props_reach_the_rest_api() -> None:
    app, api, fn = _api(description="orders", endpoint_type="EDGE", binary_media_types=["image/png"])
    api.add_route("GET", "/", fn)
    assert _resources(app)[api.resource.logical_id]["Properties"] == {
        "Name": "S/Api",
        "Description": "orders",
        "EndpointConfiguration": {"Types": ["EDGE"]},
        "BinaryMediaTypes": ["image/png"],
    }


@pytest.mark.parametrize("props, message", [
    ({"endpoint_type": "GLOBAL"}, r"endpoint_type must be 'REGIONAL' \| 'EDGE' \| 'PRIVATE', got str 'GLOBAL'"),
    ({"stage_name": "my stage"}, "stage_name: must be 1-128 letters, digits and underscores, got 'my stage'"),
    ({"binary_media_types": "image/png"}, r"binary_media_types must be Sequence\[str\] \| None, got str"),
    ({"binary_media_types": ["png"]}, "binary_media_types: 'png' is not a media type"),
    ({"binary_media_types": ["image/png", 3]}, "item 1 is int 3"),
    ({"cors": ["*"]}, r"cors must be Cors \| None, got list \['\*'\]"),
    ({"name": 42}, r"name must be str \| Token \| None, got int 42"),
])
def test_bad_props_are_construct_errors(props: dict[str, Any], message: str) -> None:
    with pytest.raises(ConstructError, match=message) as caught:
        _api(**props)
    assert caught.value.path == "S/Api"


def test_a_misspelt_prop_names_the_real_one() -> None:
    stack = Stack(App(), "S")
    with pytest.raises(ConstructError, match="RestApi 'Api' has no argument 'stage'") as caught:
        line = sys._getframe().f_lineno + 1
        apigateway.RestApi(stack, "Api", stage="v1")
    assert caught.value.hint == "did you mean stage_name?"
    assert (caught.value.location.file, caught.value.location.line) == (__file__, line)


def test_binary_media_types_may_be_a_tuple() -> None:
    app, api, fn = _api(binary_media_types=("image/png", "application/pdf"))
    api.add_route("GET", "/", fn)
    assert _resources(app)[api.resource.logical_id]["Properties"]["BinaryMediaTypes"] == ["image/png",
                                                                                        "application/pdf"]


def test_binary_media_types_are_unique_as_the_schema_says() -> None:
    assert (property_schema("AWS::ApiGateway::RestApi", "BinaryMediaTypes") or {}).get("uniqueItems") is True
    with pytest.raises(ConstructError, match=r"binary_media_types: .* has non-unique elements "
                                             r"\(AWS::ApiGateway::RestApi BinaryMediaTypes, per its schema\)"):
        _api(binary_media_types=["image/png", "image/png"])


# -- CORS ---------------------------------------------------------------------------------------

def _options_methods(app: App) -> dict[str, dict[str, Any]]:
    return {lid: r["Properties"] for lid, r in _resources(app, "AWS::ApiGateway::Method").items()
            if r["Properties"]["HttpMethod"] == "OPTIONS"}


def test_cors_answers_the_preflight_on_every_path_with_routes() -> None:
    app, api, fn = _api(cors=apigateway.Cors(allow_origins=["https://example.com"], allow_methods=["GET", "POST"]))
    api.add_route("GET", "/", fn)
    api.add_route("GET", "/a/b", fn)  # /a has no route of its own, so no preflight
    api.add_route("POST", "/a/b", fn)
    options = _options_methods(app)
    assert len(options) == 2
    preflight = next(iter(options.values()))
    assert preflight["Integration"]["Type"] == "MOCK"
    assert preflight["Integration"]["IntegrationResponses"][0]["ResponseParameters"] == {
        "method.response.header.Access-Control-Allow-Headers":
            "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,X-Amz-User-Agent'",
        "method.response.header.Access-Control-Allow-Methods": "'GET,POST'",
        "method.response.header.Access-Control-Allow-Origin": "'https://example.com'",
    }
    assert preflight["MethodResponses"] == [{"StatusCode": "204", "ResponseParameters": {
        "method.response.header.Access-Control-Allow-Headers": True,
        "method.response.header.Access-Control-Allow-Methods": True,
        "method.response.header.Access-Control-Allow-Origin": True,
    }}]


def test_cors_with_several_origins_echoes_the_allowed_caller() -> None:
    app, api, fn = _api(cors=apigateway.Cors(allow_origins=["https://a.example.com", "http://localhost:3000"]))
    api.add_route("GET", "/", fn)
    response = next(iter(_options_methods(app).values()))["Integration"]["IntegrationResponses"][0]
    assert response["ResponseParameters"]["method.response.header.Vary"] == "'Origin'"
    template = response["ResponseTemplates"]["application/json"]
    assert '$origin == "https://a.example.com" || $origin == "http://localhost:3000"' in template


def test_without_cors_there_are_no_options_methods() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/", fn)
    assert _options_methods(app) == {}


@pytest.mark.parametrize("props, message", [
    ({"allow_origins": []}, "non-empty list"),
    ({"allow_origins": ["*", "https://a.example.com"]}, "cannot be listed with others"),
    ({"allow_origins": ["example.com"]}, "is not an origin"),
    ({"allow_origins": "*", "allow_methods": ["ANY"]}, "allow_methods"),
    ({"allow_origins": "*", "allow_headers": ["X'Quote"]}, "is not a header name"),
])
def test_bad_cors_settings_are_refused(props: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        apigateway.Cors(**props)


# -- bad routes -----------------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, message", [
    ("GET", "resource", "must start with '/'"),
    ("GET", "/a//b", "empty segment"),
    ("GET", "/a/", "empty segment"),
    ("FETCH", "/a", "'FETCH' is not an HTTP method"),
    ("GET", "/files/{path+}/meta", "greedy parameter '{path\\+}' must be the last segment"),
    ("GET", "/a b", "segment 'a b'"),
])
def test_bad_routes_are_construct_errors_at_the_callers_line(method: str, path: str, message: str) -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match=message) as caught:
        api.add_route(method, path, fn)
    assert caught.value.location.file == __file__
    assert caught.value.location.source_line == "api.add_route(method, path, fn)"


def test_a_duplicate_route_names_the_route_and_both_lines() -> None:
    app, api, fn = _api()
    first = api.add_route("GET", "/items/{id}", fn)
    with pytest.raises(ConstructError, match=r"route GET /items/\{id\} is already defined") as caught:
        api.add_route("get", "/items/{id}", fn)
    assert str(first.location) in caught.value.message
    assert caught.value.location.source_line == 'api.add_route("get", "/items/{id}", fn)'


def test_a_handler_without_function_arn_is_refused() -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match="must be a Lambda Function or Alias") as caught:
        api.add_route("GET", "/", fn.role)
    assert caught.value.location.file == __file__


def test_two_parameter_names_at_one_level_are_refused() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/items/{id}", fn)
    with pytest.raises(ConstructError, match=r"\{itemId\} conflicts with /items/\{id\}") as caught:
        api.add_route("DELETE", "/items/{itemId}/tags", fn)
    assert caught.value.location.file == __file__


def test_an_options_route_on_a_cors_api_is_refused() -> None:
    app, api, fn = _api(cors=apigateway.Cors(allow_origins="*"))
    with pytest.raises(ConstructError, match="answers OPTIONS itself"):
        api.add_route("OPTIONS", "/", fn)


# -- validation and lint ----------------------------------------------------------------------------

def test_an_api_without_routes_is_a_validation_problem() -> None:
    app, api, fn = _api()
    with pytest.raises(ValidationError) as caught:
        synthesize(app)
    [problem] = caught.value.problems
    assert problem.message.startswith("RestApi S/Api has no routes: add_route(")
    assert problem.location == api.location


def test_a_private_api_without_a_resource_policy_is_a_validation_problem() -> None:
    app, api, fn = _api(endpoint_type="PRIVATE")
    api.add_route("GET", "/", fn)
    with pytest.raises(ValidationError, match="PRIVATE but has no resource policy"):
        synthesize(app)
    api.resource.add_property_override("Policy", {"Version": "2012-10-17", "Statement": []})
    synthesize(app)


def test_a_full_api_passes_schema_validation_and_cfn_lint_without_findings() -> None:
    app = App()
    stack = Stack(app, "S")
    fn = _function(stack)
    api = apigateway.RestApi(stack, "Api", cors=apigateway.Cors(allow_origins=["https://a.example.com",
                                                                               "https://b.example.com"]))
    api.add_route("GET", "/", fn)
    api.add_route("GET", "/resource", fn)
    api.add_route("GET", "/resource/{resourceId}", fn)
    api.add_route("ANY", "/files/{proxy+}", fn.add_alias("live"))
    assembly = synthesize_app(app)  # schema layer, then cfn-lint errors; warnings are kept
    # iac's checks: each route needs neither authorization nor an API key (RestApi has no authorizers yet)
    assert [w.code for w in assembly.warnings] == ["IAC-APIGW-001"] * 4
    assert lint_template(assembly.stack("S").body, "us-east-1") == []


# -- access logs -------------------------------------------------------------------------------------

def test_the_stage_logs_every_request_to_a_group_of_its_own_by_default() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/", fn)
    resources = _resources(app)
    group = resources[api.access_log_group.resource.logical_id]
    assert group["Properties"] == {"RetentionInDays": 30}
    assert (group["DeletionPolicy"], group["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert json.loads(apigateway.ACCESS_LOG_FORMAT)["requestId"] == "$context.requestId"


def test_the_account_role_is_made_once_per_stack_retained_and_the_stages_wait_for_it() -> None:
    app, api, fn = _api()
    api.add_route("GET", "/", fn)
    other = apigateway.RestApi(api.stack, "Other")
    other.add_route("GET", "/", fn)
    resources = _resources(app)
    [account_id] = [lid for lid, r in resources.items() if r["Type"] == "AWS::ApiGateway::Account"]
    [role_id] = [lid for lid, r in resources.items() if r["Type"] == "AWS::IAM::Role"
                 and lid.startswith("ApiGatewayCloudWatchRole")]
    assert account_id.startswith("ApiGatewayCloudWatchRoleAccount")
    assert resources[account_id]["Properties"] == {"CloudWatchRoleArn": {"Fn::GetAtt": [role_id, "Arn"]}}
    role = resources[role_id]
    assert (role["DeletionPolicy"], role["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert role["Properties"]["ManagedPolicyArns"] == [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"}]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "apigateway.amazonaws.com"}
    for stage in (api.stage, other.stage):
        assert resources[stage.logical_id]["DependsOn"] == [account_id]


def test_without_the_role_or_the_logs_nothing_account_wide_is_made() -> None:
    app, api, fn = _api(cloud_watch_role=False)
    api.add_route("GET", "/", fn)
    assert _resources(app, "AWS::ApiGateway::Account") == {}
    assert "DependsOn" not in _resources(app)[api.stage.logical_id]
    app, api, fn = _api(access_log=False)
    api.add_route("GET", "/", fn)
    assert _resources(app, "AWS::ApiGateway::Account") == {} == _resources(app, "AWS::Logs::LogGroup")
    assert "AccessLogSetting" not in _resources(app)[api.stage.logical_id]["Properties"]


def test_access_log_takes_a_group_of_the_users() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    group = logs.LogGroup(stack, "Mine")
    api = apigateway.RestApi(stack, "Api", access_log=group)
    api.add_route("GET", "/", _function(stack))
    setting = _resources(app)[api.stage.logical_id]["Properties"]["AccessLogSetting"]
    assert setting["DestinationArn"]["Fn::Sub"].endswith(f"log-group:${{{group.resource.logical_id}}}")
    with pytest.raises(ConstructError, match="access_log must be LogGroup | bool"):
        apigateway.RestApi(stack, "Bad", access_log="yes")  # type: ignore[arg-type]


# -- authorizers ---------------------------------------------------------------------------------------

def _authorizer_arn(api: apigateway.RestApi, authorizer: apigateway.Authorizer) -> dict[str, str]:
    assert authorizer.resource is not None
    return {"Fn::Sub": f"{SOURCE_ARN_PREFIX}:${{{api.resource.logical_id}}}/authorizers/"
                       f"${{{authorizer.resource.logical_id}}}"}


def test_a_token_authorizer_guards_a_route_and_may_alone_invoke_its_function() -> None:
    app, api, fn = _api()
    auth_fn = _function(api.stack, "AuthFn")
    auth = apigateway.TokenAuthorizer(api.stack, "Auth", handler=auth_fn, results_cache_ttl=Duration.minutes(1))
    method = api.add_route("GET", "/", fn, authorizer=auth)
    resources = _resources(app)
    assert auth.resource is not None and auth.resource.path == "S/Auth/Resource"
    assert resources[auth.resource.logical_id]["Properties"] == {
        "RestApiId": {"Ref": api.resource.logical_id}, "Name": "S/Auth", "Type": "TOKEN",
        "AuthorizerUri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/"
                                     f"functions/${{{auth_fn.resource.logical_id}.Arn}}/invocations"},
        "IdentitySource": "method.request.header.Authorization", "AuthorizerResultTtlInSeconds": 60}
    props = resources[method.logical_id]["Properties"]
    assert (props["AuthorizationType"], props["AuthorizerId"]) == ("CUSTOM", {"Ref": auth.resource.logical_id})
    [permission] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                    and r["Properties"]["FunctionName"] == {"Fn::GetAtt": [auth_fn.resource.logical_id, "Arn"]}]
    assert permission["SourceArn"] == _authorizer_arn(api, auth)
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert auth.resource.logical_id in resources[api.deployment.logical_id]["DependsOn"]


def test_a_request_authorizer_joins_its_identity_sources() -> None:
    app, api, fn = _api()
    auth = apigateway.RequestAuthorizer(api.stack, "Auth", handler=_function(api.stack, "AuthFn"),
                                        identity_sources=["method.request.header.Authorization",
                                                          "method.request.querystring.tenant"])
    api.add_route("GET", "/", fn, authorizer=auth)
    assert auth.resource is not None
    props = _resources(app)[auth.resource.logical_id]["Properties"]
    assert (props["Type"], props["IdentitySource"]) == (
        "REQUEST", "method.request.header.Authorization,method.request.querystring.tenant")


class _Pool:
    user_pool_arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"


def test_a_cognito_authorizer_names_the_pools_and_takes_scopes() -> None:
    app, api, fn = _api()
    auth = apigateway.CognitoUserPoolsAuthorizer(api.stack, "Auth", cognito_user_pools=[_Pool()])
    method = api.add_route("GET", "/", fn, authorizer=auth, authorization_scopes=["orders/read"])
    resources = _resources(app)
    assert auth.resource is not None
    assert resources[auth.resource.logical_id]["Properties"]["ProviderARNs"] == [_Pool.user_pool_arn]
    props = resources[method.logical_id]["Properties"]
    assert (props["AuthorizationType"], props["AuthorizationScopes"]) == ("COGNITO_USER_POOLS", ["orders/read"])


def test_the_default_authorizer_guards_every_route_unless_one_says_none() -> None:
    app = App(path_metadata=False)
    stack = Stack(app, "S")
    auth = apigateway.TokenAuthorizer(stack, "Auth", handler=_function(stack, "AuthFn"))
    api = apigateway.RestApi(stack, "Api", default_authorizer=auth)
    fn = _function(stack)
    guarded = api.add_route("GET", "/a", fn)
    public = api.add_route("GET", "/b", fn, authorization="NONE")
    signed = api.add_route("GET", "/c", fn, authorization="AWS_IAM")
    resources = _resources(app)
    assert [resources[m.logical_id]["Properties"]["AuthorizationType"] for m in (guarded, public, signed)] == [
        "CUSTOM", "NONE", "AWS_IAM"]
    assert len(_resources(app, "AWS::ApiGateway::Authorizer")) == 1


def test_an_authorizer_change_is_a_new_deployment() -> None:
    def deployment(ttl: int) -> str:
        app = App(path_metadata=False)
        stack = Stack(app, "S")
        auth = apigateway.TokenAuthorizer(stack, "Auth", handler=_function(stack, "AuthFn"), results_cache_ttl=ttl)
        api = apigateway.RestApi(stack, "Api", default_authorizer=auth)
        api.add_route("GET", "/", _function(stack))
        return api.deployment.logical_id

    assert deployment(60) == deployment(60) != deployment(0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"authorization": "JWT"}, "authorization must be 'NONE' or 'AWS_IAM'"),
    ({"authorization_scopes": ["a/b"]}, "need a CognitoUserPoolsAuthorizer"),
    ({"authorizer": "auth"}, "authorizer must be an apigateway authorizer"),
])
def test_bad_authorization_is_refused_at_the_callers_line(kwargs: dict[str, Any], message: str) -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match=message) as caught:
        api.add_route("GET", "/", fn, **kwargs)
    assert caught.value.location is not None and caught.value.location.file == __file__


def test_an_authorizer_belongs_to_one_api() -> None:
    app, api, fn = _api()
    auth = apigateway.TokenAuthorizer(api.stack, "Auth", handler=fn)
    api.add_route("GET", "/", fn, authorizer=auth)
    other = apigateway.RestApi(api.stack, "Other")
    with pytest.raises(ConstructError, match="already guards RestApi S/Api"):
        other.add_route("GET", "/", fn, authorizer=auth)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"results_cache_ttl": Duration.hours(2)}, "between 0 and 3600"),
    ({"identity_sources": ["Authorization"]}, "is not an identity source"),
    ({"identity_sources": []}, "one or more sources"),
])
def test_bad_authorizer_props_are_refused(kwargs: dict[str, Any], message: str) -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match=message):
        apigateway.RequestAuthorizer(api.stack, "Auth", handler=fn,
                                     **{"identity_sources": ["method.request.header.A"], **kwargs})


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"identity_source": "Authorization"}, "must be a request header"),
    ({"validation_regex": "^Bearer ("}, "is not a regular expression"),
])
def test_bad_token_authorizer_props_are_refused(kwargs: dict[str, Any], message: str) -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match=message):
        apigateway.TokenAuthorizer(api.stack, "Auth", handler=fn, **kwargs)


def test_a_misspelt_authorizer_prop_names_the_real_one() -> None:
    app, api, fn = _api()
    with pytest.raises(ConstructError, match="no argument 'result_cache_ttl'") as caught:
        apigateway.TokenAuthorizer(api.stack, "Auth", handler=fn, result_cache_ttl=60)  # type: ignore[call-arg]
    assert caught.value.hint == "did you mean results_cache_ttl?"


# -- usage plans and API keys -------------------------------------------------------------------------

def test_a_usage_plan_limits_its_keys_on_the_stage() -> None:
    app, api, fn = _api()
    method = api.add_route("GET", "/", fn, api_key_required=True)
    plan = api.add_usage_plan("Plan", throttle_rate_limit=10, throttle_burst_limit=20, quota_limit=1000,
                              quota_period="DAY")
    key = api.add_api_key("Key")
    usage_key = plan.add_api_key(key)
    resources = _resources(app)
    assert resources[method.logical_id]["Properties"]["ApiKeyRequired"] is True
    assert plan.resource.path == "S/Api/Plan/Resource" and usage_key.path == "S/Api/Plan/Api|KeyKey"
    assert resources[plan.resource.logical_id]["Properties"] == {
        "ApiStages": [{"ApiId": {"Ref": api.resource.logical_id}, "Stage": {"Ref": api.stage.logical_id}}],
        "Throttle": {"RateLimit": 10, "BurstLimit": 20}, "Quota": {"Limit": 1000, "Period": "DAY"}}
    assert resources[usage_key.logical_id]["Properties"] == {
        "KeyId": {"Ref": key.resource.logical_id}, "KeyType": "API_KEY",
        "UsagePlanId": {"Ref": plan.resource.logical_id}}
    assert resources[key.resource.logical_id]["Properties"] == {"Enabled": True}
    with pytest.raises(ConstructError, match="is in usage plan S/Api/Plan already"):
        plan.add_api_key(key)


def test_guarded_apis_pass_cfn_lint_and_clear_iacs_authorization_check() -> None:
    app = App()
    stack = Stack(app, "S")
    fn = _function(stack)
    auth = apigateway.TokenAuthorizer(stack, "Auth", handler=_function(stack, "AuthFn"))
    api = apigateway.RestApi(stack, "Api", default_authorizer=auth,
                             cors=apigateway.Cors(allow_origins=["https://a.example.com"]))
    api.add_route("GET", "/", fn)
    api.add_route("GET", "/items/{id}", fn, authorizer=apigateway.CognitoUserPoolsAuthorizer(
        stack, "Users", cognito_user_pools=[_Pool()]))
    api.add_route("POST", "/items", fn, authorization="AWS_IAM")
    api.add_route("GET", "/public", fn, authorization="NONE", api_key_required=True)
    api.add_usage_plan("Plan", quota_limit=100).add_api_key(api.add_api_key("Key"))
    assembly = synthesize_app(app)
    assert [w.code for w in assembly.warnings] == []
    assert lint_template(assembly.stack("S").body, "us-east-1") == []


# -- non-proxy and mock integrations -----------------------------------------------------------------

def test_a_non_proxy_lambda_integration_maps_the_request_and_the_response() -> None:
    app, api, fn = _api()
    integration = apigateway.LambdaIntegration(
        fn, request_templates={"application/json": '{"id": "$input.params(\'id\')"}'},
        integration_responses=[
            apigateway.IntegrationResponse(
                status_code="200", response_templates={"application/json": "$input.body"},
                response_parameters={"method.response.header.Cache-Control": "'max-age=60'"}),
            apigateway.IntegrationResponse(status_code="404", selection_pattern=".*not found.*")])
    method = api.add_route("GET", "/items/{id}", integration)
    props = _resources(app)[method.logical_id]["Properties"]
    assert props["Integration"] == {
        "Type": "AWS", "IntegrationHttpMethod": "POST",
        "Uri": {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                           f"${{{fn.resource.logical_id}.Arn}}/invocations"},
        "RequestTemplates": {"application/json": '{"id": "$input.params(\'id\')"}'},
        "PassthroughBehavior": "WHEN_NO_TEMPLATES",
        "IntegrationResponses": [
            {"StatusCode": "200", "ResponseTemplates": {"application/json": "$input.body"},
             "ResponseParameters": {"method.response.header.Cache-Control": "'max-age=60'"}},
            {"StatusCode": "404", "SelectionPattern": ".*not found.*"}]}
    assert props["MethodResponses"] == [
        {"StatusCode": "200", "ResponseParameters": {"method.response.header.Cache-Control": True}},
        {"StatusCode": "404"}]
    assert props["RequestParameters"] == {"method.request.path.id": True}
    assert _permission_arns(app) == [f"{SOURCE_ARN_PREFIX}:${{{api.resource.logical_id}}}/*/GET/items/*"]


def test_a_mock_integration_answers_without_a_backend_or_a_permission() -> None:
    app, api, fn = _api()
    method = api.add_route("GET", "/ping", apigateway.MockIntegration(integration_responses=[
        apigateway.IntegrationResponse(response_templates={"application/json": '{"pong": true}'})]))
    props = _resources(app)[method.logical_id]["Properties"]
    assert props["Integration"] == {
        "Type": "MOCK", "RequestTemplates": {"application/json": '{"statusCode": 200}'},
        "PassthroughBehavior": "WHEN_NO_TEMPLATES",
        "IntegrationResponses": [{"StatusCode": "200", "ResponseTemplates": {"application/json": '{"pong": true}'}}]}
    assert props["MethodResponses"] == [{"StatusCode": "200"}]
    assert _resources(app, "AWS::Lambda::Permission") == {}


@pytest.mark.parametrize(("make", "message"), [
    (lambda fn: apigateway.IntegrationResponse(status_code="20"), "HTTP status code"),
    (lambda fn: apigateway.IntegrationResponse(response_templates={"json": "x"}), "is not a media type"),
    (lambda fn: apigateway.IntegrationResponse(response_parameters={"Cache-Control": "'x'"}),
     "method.response.header.NAME"),
    (lambda fn: apigateway.MockIntegration(integration_responses=[]), "one or more"),
    (lambda fn: apigateway.MockIntegration(integration_responses=[apigateway.IntegrationResponse()] * 2),
     "each status code once"),
    (lambda fn: apigateway.MockIntegration(integration_responses=[
        apigateway.IntegrationResponse(), apigateway.IntegrationResponse(status_code="500")]), "one response at most"),
    (lambda fn: apigateway.LambdaIntegration(fn, passthrough_behavior="ALWAYS"), "WHEN_NO_MATCH"),
    (lambda fn: apigateway.LambdaIntegration("fn"), "needs a Lambda Function"),
])
def test_bad_integrations_are_refused(make: Any, message: str) -> None:
    app, api, fn = _api()
    with pytest.raises((TypeError, ValueError), match=message):
        make(fn)


def test_mapped_integrations_pass_cfn_lint() -> None:
    app = App()
    stack = Stack(app, "S")
    fn = _function(stack)
    api = apigateway.RestApi(stack, "Api")
    responses = [apigateway.IntegrationResponse(),
                 apigateway.IntegrationResponse(status_code="404", selection_pattern=".*404.*")]
    api.add_route("GET", "/items/{id}", apigateway.LambdaIntegration(fn, integration_responses=responses),
                  authorization="AWS_IAM")
    api.add_route("GET", "/ping", apigateway.MockIntegration(), authorization="AWS_IAM")
    assembly = synthesize_app(app)
    assert [w.code for w in assembly.warnings] == []
    assert lint_template(assembly.stack("S").body, "us-east-1") == []


def test_an_authorizer_in_another_stack_than_its_api_is_refused() -> None:
    app, api, fn = _api()
    auth = apigateway.TokenAuthorizer(Stack(app, "Other"), "Auth", handler=fn)
    with pytest.raises(ConstructError, match="is in stack Other, the API S/Api in S"):
        api.add_route("GET", "/", fn, authorizer=auth)


def test_an_authorizer_function_in_another_stack_is_permitted_from_the_api_stack() -> None:
    app = App(path_metadata=False)
    auth_fn = _function(Stack(app, "Functions"), "AuthFn")
    stack = Stack(app, "S")
    auth = apigateway.TokenAuthorizer(stack, "Auth", handler=auth_fn)
    apigateway.RestApi(stack, "Api", default_authorizer=auth).add_route("GET", "/", _function(stack))
    assembly = synthesize(app)
    assert "AWS::Lambda::Permission" not in str(assembly.template("Functions"))
    assert auth.resource is not None
    permission = assembly.template("S")["Resources"][auth.find_child("Permission").logical_id]  # type: ignore[union-attr]
    assert permission["Properties"]["FunctionName"]["Fn::ImportValue"].startswith("Functions:")


# -- AWS service integrations ------------------------------------------------------------------------

def _queue_role(stack: Stack) -> Any:
    from iac.constructs import iam, sqs

    queue = sqs.Queue(stack, "Jobs")
    role = iam.Role(stack, "ApiRole", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"))
    queue.grant_send_messages(role)
    return queue, role


def test_an_aws_integration_calls_the_service_as_its_role() -> None:
    app, api, fn = _api()
    queue, role = _queue_role(api.stack)
    method = api.add_route("POST", "/jobs", apigateway.AwsIntegration(
        service="sqs", path=f"{api.stack.account}/jobs", credentials_role=role,
        request_parameters={"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"},
        request_templates={"application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"}),
        authorization="AWS_IAM")
    resources = _resources(app)
    integration = resources[method.logical_id]["Properties"]["Integration"]
    assert integration["Type"] == "AWS" and integration["IntegrationHttpMethod"] == "POST"
    assert integration["Credentials"] == {"Fn::GetAtt": [role.resource.logical_id, "Arn"]}
    assert integration["Uri"]["Fn::Sub"].startswith("arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/")
    assert integration["PassthroughBehavior"] == "NEVER"
    assert integration["RequestParameters"] == {
        "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}
    assert _resources(app, "AWS::Lambda::Permission") == {}


def test_an_aws_integration_with_an_action_and_lint() -> None:
    app = App()
    stack = Stack(app, "S")
    queue, role = _queue_role(stack)
    api = apigateway.RestApi(stack, "Api")
    method = api.add_route("POST", "/jobs", apigateway.AwsIntegration(service="sqs", action="SendMessage",
                                                                      credentials_role=role),
                           authorization="AWS_IAM")
    assembly = synthesize_app(app)
    uri = assembly.template("S")["Resources"][method.logical_id]["Properties"]["Integration"]["Uri"]
    assert uri == {"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:action/SendMessage"}
    assert [w.code for w in assembly.warnings] == []
    assert lint_template(assembly.stack("S").body, "us-east-1") == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"service": "SQS", "action": "SendMessage"}, "endpoint prefix"),
    ({"service": "sqs"}, "one of them"),
    ({"service": "sqs", "action": "A", "path": "p"}, "one of them"),
    ({"service": "sqs", "action": "A", "http_method": "ANY"}, "http_method must be one of"),
    ({"service": "sqs", "action": "A", "request_parameters": {"header.X": "'x'"}}, "integration.request"),
])
def test_bad_aws_integrations_are_refused(kwargs: dict[str, Any], message: str) -> None:
    app, api, fn = _api()
    queue, role = _queue_role(api.stack)
    with pytest.raises(ValueError, match=message):
        apigateway.AwsIntegration(credentials_role=role, **kwargs)


def test_an_aws_integration_needs_a_role_api_gateway_may_assume() -> None:
    from iac.constructs import iam

    app, api, fn = _api()
    role = iam.Role(api.stack, "LambdaRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    with pytest.raises(ValueError, match="is not assumed by apigateway.amazonaws.com"):
        apigateway.AwsIntegration(service="sqs", action="SendMessage", credentials_role=role)
