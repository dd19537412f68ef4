"""API Gateway HTTP APIs: routes to Lambda functions (payload 2.0) and HTTP endpoints, JWT and Lambda
authorizers, CORS answered by API Gateway, and the `$default` stage that deploys every change itself.

    api = apigatewayv2.HttpApi(stack, "Api", cors=apigateway.Cors(allow_origins=["https://app.example.com"]))
    api.add_route("GET", "/items/{id}", fn)                          # a Function or Alias: Lambda proxy
    api.add_route("ANY", "/legacy/{proxy+}", apigatewayv2.HttpIntegration("https://old.example.com/{proxy}"))

Compared with a REST API an HTTP API has no Deployment to manage (the `$default` stage auto-deploys),
needs no account-wide CloudWatch role for its access logs (they are on by default, to a group of the
API's own kept a month), and answers CORS preflights itself from `CorsConfiguration`.

Stability contract: the API is `<api>/Resource`, the stage `<api>/DefaultStage`, a route `<api>/<route
key>/Resource` with its integration `<api>/<route key>/Integration` (the route key with "/" written "|",
e.g. `GET |items|{id}`); an authorizer `<authorizer>/Resource`; a Lambda permission is the function's
child named after the API and the route (or the route's child `Permission` when the function is in
another stack).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from iac.constructs import cognito, logs
from iac.constructs.apigateway import (
    HTTP_METHODS,
    Cors,
    LambdaHandler,
    _let_api_invoke,
    _may_bind,
    _parse_path,
    _ttl_problem,
)
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Output, Token
from iac.constructs.core.logical_id import is_valid_logical_id
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.units import Duration
from iac.errors import ConstructError

API_TYPE = "AWS::ApiGatewayV2::Api"
DEFAULT_STAGE = "$default"
DEFAULT_ROUTE = "$default"
#: One JSON line per request, with what an operator looks for first.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey", "status": "$context.status", "protocol": "$context.protocol",
    "responseLength": "$context.responseLength", "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error"}, separators=(",", ":"))


# -- integrations --------------------------------------------------------------------------------

class LambdaIntegration:
    """A route invokes a Lambda Function or Alias with the HTTP API's 2.0 event (Lambda proxy).

    `timeout` is how long API Gateway waits for the function (at most 30 seconds, the default).
    """

    def __init__(self, handler: LambdaHandler, *, timeout: Duration | None = None) -> None:
        if not isinstance(handler, LambdaHandler):
            raise TypeError(f"LambdaIntegration needs a Lambda Function or Alias, got {type(handler).__name__}")
        self.handler = handler
        self.timeout = timeout

    def properties(self) -> dict[str, Any]:
        return {"IntegrationType": "AWS_PROXY", "IntegrationUri": self.handler.function_arn,
                "PayloadFormatVersion": "2.0", "TimeoutInMillis": _millis(self.timeout)}


class HttpIntegration:
    """A route forwards the request to an HTTP endpoint (`url`, which may use the route's `{parameters}`).

    `method` is the HTTP method sent to the endpoint ("ANY": the request's own); `timeout` at most 30 seconds.
    """

    def __init__(self, url: str, *, method: str = "ANY", timeout: Duration | None = None) -> None:
        if not isinstance(url, str | Token) or (isinstance(url, str) and not re.match(r"^https?://", url)):
            raise ValueError(f"HttpIntegration needs an http:// or https:// URL, got {url!r}")
        if method.upper() not in HTTP_METHODS:
            raise ValueError(f"HttpIntegration: {method!r} is not an HTTP method ({', '.join(HTTP_METHODS)})")
        self.url = url
        self.method = method.upper()
        self.timeout = timeout

    def properties(self) -> dict[str, Any]:
        return {"IntegrationType": "HTTP_PROXY", "IntegrationUri": self.url, "IntegrationMethod": self.method,
                "PayloadFormatVersion": "1.0", "TimeoutInMillis": _millis(self.timeout)}


Integration = LambdaIntegration | HttpIntegration


def _millis(timeout: Duration | None) -> int | None:
    if timeout is None:
        return None
    millis = timeout.to("milliseconds")
    if not 50 <= millis <= 30000:  # HTTP APIs' limit (the schema says it in prose only)
        raise ValueError(f"an integration timeout must be between 50 milliseconds and 30 seconds, got {timeout}")
    return millis


# -- authorizers -----------------------------------------------------------------------------------

def _identity_sources_problem(value: Sequence[str]) -> str | None:
    if isinstance(value, str) or not value:
        return "must list one or more sources such as '$request.header.Authorization'"
    for source in value:
        if not isinstance(source, str) or not re.match(r"^\$(request\.(header|querystring)|context|stageVariables)\.",
                                                       source):
            return (f"{source!r} is not an identity source: $request.header.NAME, $request.querystring.NAME, "
                    "$context.NAME or $stageVariables.NAME")
    return None


class HttpAuthorizer(Construct):
    """What the HTTP API authorizers share: made where the user says, bound to the first HttpApi a route
    uses it on (its `Resource`, an AWS::ApiGatewayV2::Authorizer, is made then), and to that API only.

    Args:
        authorization_type: what the routes it guards say they use ("JWT" or "CUSTOM").
    """

    cfn_type = "AWS::ApiGatewayV2::Authorizer"

    def __init__(self, scope: Construct, id: str, *, authorization_type: str) -> None:
        super().__init__(scope, id)
        self.authorization_type = authorization_type
        self.http_api: HttpApi | None = None
        self.resource: CfnResource | None = None

    @property
    def authorizer_id(self) -> Token:
        if self.resource is None:
            raise ConstructError(f"authorizer {self.path} has no id until a route uses it", path=self.path,
                                 location=caller_location())
        return self.resource.ref

    def _bind(self, api: HttpApi, location: SourceLocation | None) -> None:
        if not _may_bind(self, self.http_api, api, "HttpApi", location):
            return
        self.http_api = api
        self.resource = CfnResource(self, "Resource", type=self.cfn_type, properties={
            "ApiId": api.api_id, **self._properties()})
        self._after_bind(api)

    def _properties(self) -> dict[str, Any]:
        raise NotImplementedError

    def _after_bind(self, api: HttpApi) -> None:
        """What the authorizer needs once it has an id (a Lambda authorizer: its invoke permission)."""


class HttpJwtAuthorizer(HttpAuthorizer):
    """Routes accept a JWT from `issuer` for one of `audience` (a Cognito pool's tokens with `user_pool=`).

    Args:
        issuer: the tokens' issuer URL (default, with `user_pool`: the pool's provider URL).
        audience: the client ids (or `aud` values) the token must be for.
        user_pool: a cognito.UserPool whose tokens are accepted; `user_pool_clients` give the audience.
        user_pool_clients: the pool's app clients (cognito.UserPoolClient) whose tokens are accepted.
        name: the authorizer's name in API Gateway (default: the construct id).
        identity_source: where the token is read from.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        issuer: str | Token | None = None,
        audience: Sequence[str | Token] = (),
        user_pool: cognito.UserPool | None = None,
        user_pool_clients: Sequence[cognito.UserPoolClient] = (),
        name: Annotated[str | None, Cfn("Name")] = None,
        identity_source: Annotated[str, Check(lambda v: _identity_sources_problem([v]))
                                   ] = "$request.header.Authorization",
    ) -> None:
        super().__init__(scope, id, authorization_type="JWT")
        if (issuer is None) == (user_pool is None):
            raise ConstructError(f"HttpJwtAuthorizer {id!r}: pass issuer= (with audience=) or user_pool= (with "
                                 "user_pool_clients=)", path=self.path, location=self.location)
        audiences = [*audience, *(client.user_pool_client_id for client in user_pool_clients)]
        if not audiences:
            raise ConstructError(f"HttpJwtAuthorizer {id!r}: a JWT authorizer needs an audience (audience= or "
                                 "user_pool_clients=)", path=self.path, location=self.location)
        self.issuer = user_pool.provider_url if user_pool is not None else issuer
        self.audience = audiences
        self.name = name or id
        self.identity_source = identity_source

    def _properties(self) -> dict[str, Any]:
        return {"Name": self.name, "AuthorizerType": "JWT", "IdentitySource": [self.identity_source],
                "JwtConfiguration": {"Issuer": self.issuer, "Audience": self.audience}}


class HttpLambdaAuthorizer(HttpAuthorizer):
    """A Lambda function decides, from the request's identity sources, whether the caller may call the route.

    Args:
        handler: the Lambda Function or Alias (payload 2.0) that answers for a request.
        identity_sources: what the function needs (e.g. "$request.header.Authorization"); a request
            without them is refused before the function is called, and they are the cache key.
        response_type: "SIMPLE" (the function answers `{"isAuthorized": true}`) or "IAM" (an IAM policy).
        name: the authorizer's name in API Gateway (default: the construct id).
        results_cache_ttl: how long API Gateway caches the answer (0 turns caching off; at most an hour).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        handler: LambdaHandler,
        identity_sources: Annotated[Sequence[str], Check(_identity_sources_problem)] = (
            "$request.header.Authorization",),
        response_type: Literal["SIMPLE", "IAM"] = "SIMPLE",
        name: Annotated[str | None, Cfn("Name")] = None,
        results_cache_ttl: Annotated[int | Duration, Cfn("AuthorizerResultTtlInSeconds", unit="seconds"),
                                     Check(_ttl_problem)] = 300,
    ) -> None:
        super().__init__(scope, id, authorization_type="CUSTOM")
        if not isinstance(handler, LambdaHandler):
            raise ConstructError(f"HttpLambdaAuthorizer {id!r}: the handler must be a Lambda Function or Alias, "
                                 f"got {type(handler).__name__}", path=self.path, location=self.location)
        self.handler = handler
        self.identity_sources = list(identity_sources)
        self.response_type = response_type
        self.name = name or id
        self.results_cache_ttl = results_cache_ttl

    def _properties(self) -> dict[str, Any]:
        uri = Fn.sub(f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/"
                     f"{self.handler.function_arn}/invocations")
        return {"Name": self.name, "AuthorizerType": "REQUEST", "AuthorizerUri": uri,
                "AuthorizerPayloadFormatVersion": "2.0",
                "EnableSimpleResponses": self.response_type == "SIMPLE",
                "IdentitySource": self.identity_sources,
                "AuthorizerResultTtlInSeconds": self.results_cache_ttl}

    def _after_bind(self, api: HttpApi) -> None:
        assert self.resource is not None
        arn = Fn.sub(f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:{api.api_id}"
                     f"/authorizers/{self.resource.ref}")
        _let_api_invoke(self, self.handler, f"{self.path[len(self.stack.path) + 1:]}Permission", arn)


# -- the API -------------------------------------------------------------------------------------

class HttpApi(Construct):
    """An HTTP API (`AWS::ApiGatewayV2::Api`, the child `Resource`) with its auto-deployed `$default` stage.

    Args:
        api_name: the API's name (default: the construct path).
        description: what the API is for.
        cors: an apigateway.Cors; API Gateway then answers browsers' preflight requests itself.
        default_authorizer: the authorizer (`HttpJwtAuthorizer`, `HttpLambdaAuthorizer`) of every route
            that names none (pass `authorization="NONE"` to a route to make it public).
        access_log: a logs.LogGroup the stage writes one JSON line per request to; True (default) makes
            one (`AccessLogs`, kept a month and retained); False writes none.
        disable_execute_api_endpoint: refuse calls to the default execute-api URL (when the API is
            reached through a custom domain only).
    """

    cfn_type = API_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api_name: Annotated[str | Token | None, Cfn("Name")] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        cors: Cors | None = None,
        default_authorizer: HttpAuthorizer | None = None,
        access_log: logs.LogGroup | bool = True,
        disable_execute_api_endpoint: Annotated[bool, Cfn("DisableExecuteApiEndpoint")] = False,
    ) -> None:
        super().__init__(scope, id)
        self.default_authorizer = default_authorizer
        self.resource = CfnResource(self, "Resource", type=API_TYPE, properties={
            "Name": api_name or self.path,
            "Description": description,
            "ProtocolType": "HTTP",
            "CorsConfiguration": None if cors is None else {
                "AllowOrigins": list(cors.allow_origins), "AllowMethods": list(cors.allow_methods),
                "AllowHeaders": list(cors.allow_headers)},
            "DisableExecuteApiEndpoint": True if disable_execute_api_endpoint else None,
        })
        self.access_log_group = (logs.LogGroup(self, "AccessLogs", retention_days=logs.RetentionDays.ONE_MONTH)
                                 if access_log is True else access_log or None)
        self.stage = self._default_stage()
        self._routes: dict[str, CfnResource] = {}
        self._endpoint_output()

    def _default_stage(self) -> CfnResource:
        group = self.access_log_group
        return CfnResource(self, "DefaultStage", type="AWS::ApiGatewayV2::Stage", properties={
            "ApiId": self.api_id, "StageName": DEFAULT_STAGE, "AutoDeploy": True,
            "AccessLogSettings": None if group is None else {
                "DestinationArn": Fn.sub(f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:"
                                         f"{group.log_group_name}"),
                "Format": ACCESS_LOG_FORMAT},
        })

    def _endpoint_output(self) -> Output:
        output = Output(self, "Endpoint", value=self.api_endpoint, description=f"URL of HTTP API {self.path}")
        plain_id = re.sub(r"[^A-Za-z0-9]", "", self.id) + "Endpoint"
        if self.scope is self.stack and is_valid_logical_id(plain_id):
            output.override_logical_id(plain_id)
        return output

    @property
    def api_id(self) -> Token:
        return self.resource.ref

    @property
    def api_endpoint(self) -> Token:
        """`https://<id>.execute-api.<region>.amazonaws.com` (the `$default` stage serves the root)."""
        return self.resource.get_att("ApiEndpoint")

    @property
    def routes(self) -> list[str]:
        """The route keys ("GET /items/{id}", "$default"), in the order they were added."""
        return list(self._routes)

    def add_route(self, method: str, path: str, integration: Integration | LambdaHandler, *,
                  authorizer: HttpAuthorizer | None = None, authorization: Literal["NONE", "AWS_IAM"] | None = None,
                  authorization_scopes: Sequence[str] | None = None) -> CfnResource:
        """Send `method` requests to `path` to `integration` (a Function or Alias, a LambdaIntegration or an
        HttpIntegration); returns the Route. `method="ANY", path="$default"` catches what no route matches.

        `authorizer` (default: the API's `default_authorizer`) checks each request; `authorization="AWS_IAM"`
        asks for signed requests instead, "NONE" makes the route public. `authorization_scopes` are the
        scopes a JWT must have.
        """
        location = caller_location()

        def error(message: str) -> ConstructError:
            return ConstructError(message, path=self.path, location=location)

        key = self._route_key(method, path, error)
        if key in self._routes:
            raise error(f"route {key!r} is already defined")
        if isinstance(integration, LambdaHandler):
            integration = LambdaIntegration(integration)
        if not isinstance(integration, LambdaIntegration | HttpIntegration):
            raise error(f"add_route {key}: the integration must be a Lambda Function or Alias, a LambdaIntegration "
                        f"or an HttpIntegration, got {type(integration).__name__}")
        auth = self._authorization(authorizer, authorization, authorization_scopes, location, error)
        holder = Construct(self, key.replace("/", "|"))
        made = CfnResource(holder, "Integration", type="AWS::ApiGatewayV2::Integration",
                           properties={"ApiId": self.api_id, **integration.properties()})
        route = CfnResource(holder, "Resource", type="AWS::ApiGatewayV2::Route", properties={
            "ApiId": self.api_id, "RouteKey": key, "Target": Fn.join("/", ["integrations", made.ref]), **auth})
        self._routes[key] = route
        if isinstance(integration, LambdaIntegration):
            arn = Fn.sub(f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:{self.api_id}"
                         f"/*/{self._arn_suffix(key)}")
            _let_api_invoke(holder, integration.handler,
                            f"{self.path[len(self.stack.path) + 1:]}Permission{key}", arn)
        return route

    @staticmethod
    def _route_key(method: Any, path: Any, error: Any) -> str:
        if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
            raise error(f"add_route: {method!r} is not an HTTP method; use one of {', '.join(HTTP_METHODS)}")
        if path == DEFAULT_ROUTE:
            if method.upper() != "ANY":
                raise error("add_route: the $default route catches every method; pass method='ANY'")
            return DEFAULT_ROUTE
        try:
            _parse_path(path)
        except ValueError as problem:
            raise error(f"add_route: {problem}") from None
        return f"{method.upper()} {path}"

    @staticmethod
    def _arn_suffix(key: str) -> str:
        """`GET/items/*`: the route as execute-api ARNs write it."""
        if key == DEFAULT_ROUTE:
            return DEFAULT_ROUTE
        method, path = key.split(" ", 1)
        segments = ["*" if segment.startswith("{") else segment for segment in path[1:].split("/")]
        return ("*" if method == "ANY" else method) + "/" + "/".join(segments)

    def _authorization(self, authorizer: Any, authorization: Any, scopes: Sequence[str] | None,
                       location: SourceLocation | None, error: Any) -> dict[str, Any]:
        if authorization not in (None, "NONE", "AWS_IAM"):
            raise error(f"add_route: authorization must be 'NONE' or 'AWS_IAM', got {authorization!r} "
                        "(pass authorizer= for a JWT or Lambda authorizer)")
        if authorizer is not None and authorization is not None:
            raise error("add_route: pass authorizer= or authorization=, not both")
        if authorizer is None and authorization is None:
            authorizer = self.default_authorizer
        if authorizer is None:
            if scopes:
                raise error("add_route: authorization_scopes need an HttpJwtAuthorizer")
            return {"AuthorizationType": authorization or "NONE"}
        if not isinstance(authorizer, HttpAuthorizer):
            raise error(f"add_route: authorizer must be an HttpJwtAuthorizer or HttpLambdaAuthorizer, got "
                        f"{type(authorizer).__name__}")
        if scopes and not isinstance(authorizer, HttpJwtAuthorizer):
            raise error("add_route: authorization_scopes need an HttpJwtAuthorizer")
        authorizer._bind(self, location)
        return {"AuthorizationType": authorizer.authorization_type, "AuthorizerId": authorizer.authorizer_id,
                "AuthorizationScopes": list(scopes) if scopes else None}


__all__ = ["HttpApi", "HttpAuthorizer", "HttpIntegration", "HttpJwtAuthorizer", "HttpLambdaAuthorizer",
           "LambdaIntegration"]
