"""API Gateway REST APIs whose routes invoke Lambda functions.

    api = apigateway.RestApi(stack, "Api")
    api.add_route("GET", "/resource/{resourceId}", get_fn)

A route becomes what CloudFormation needs and nothing more: one AWS::ApiGateway::Resource per path
segment (shared by every route below it), a Method with a Lambda proxy integration, and a Lambda
Permission that lets only this API, method and path invoke the function.

API Gateway serves a *deployment*: a snapshot of the routes taken when it was created. CloudFormation
creates a new AWS::ApiGateway::Deployment only when its logical id changes, so the Deployment's id
ends in a hash of every route; a changed route is a new snapshot, the Stage moves to it, and the old
one is deleted. Unchanged routes keep the id, so an unrelated change never redeploys the API.

Stability contract (changing these ids replaces the resources): a path segment's Resource lives at
`<api>/Default/<segment>/...`, its methods at `<api>/Default/<segments...>/<METHOD>`; the Lambda
Permission is a child of the function (or alias) named after the API, method and path, or, when the
function is in another stack, the method's child `Permission`.
"""

from __future__ import annotations

import hashlib
import json
import re
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

import attrs

from iac.constructs import ec2, iam, logs
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Output, Token
from iac.constructs.core.logical_id import HASH_LENGTH, MAX_LOGICAL_ID_LENGTH, is_valid_logical_id
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.removal import RETAIN, apply_removal_policy
from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.tokens import stable_key
from iac.constructs.core.units import Duration
from iac.errors import ConstructError

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
EndpointType = Literal["REGIONAL", "EDGE", "PRIVATE"]
ENDPOINT_TYPES: tuple[str, ...] = typing.get_args(EndpointType)
APIGATEWAY_SERVICE = "apigateway.amazonaws.com"
LAMBDA_INVOKE_API_VERSION = "2015-03-31"  # the fixed version in Lambda's invocation URI
#: What browsers may send by default: the headers AWS SDKs and signed requests use.
DEFAULT_CORS_HEADERS = (
    "Content-Type", "X-Amz-Date", "Authorization", "X-Api-Key", "X-Amz-Security-Token", "X-Amz-User-Agent")
CORS_METHODS = tuple(method for method in HTTP_METHODS if method != "ANY")

# API Gateway's own rule: "a-zA-Z0-9._- and curly braces at the beginning and the end and an
# optional plus sign before the closing brace".
_LITERAL_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")
_PARAMETER_SEGMENT = re.compile(r"^\{([A-Za-z0-9._-]+)(\+?)\}$")
_STAGE_NAME = re.compile(r"^[A-Za-z0-9_]{1,128}$")
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+*-]+/[A-Za-z0-9!#$&^_.+*-]+$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.:\[\]-]+$")
_HEADER = re.compile(r"^[A-Za-z0-9!#$%&*+.^_`|~-]+$")
_PATH_PARAMETER_PREFIX = "method.request.path."


@runtime_checkable
class LambdaHandler(Protocol):
    """What a route can invoke: a Function or an Alias (anything with these two members)."""

    @property
    def function_arn(self) -> Any: ...

    def add_permission(self, id: str, *, principal: str, source_arn: Any = None) -> CfnResource: ...


# -- paths -----------------------------------------------------------------------------------

def _parse_path(path: Any) -> tuple[str, ...]:
    """The segments of a route path ("/" is the API's root); ValueError says what is wrong."""
    if not isinstance(path, str):
        raise ValueError(f"a route path must be a string such as '/items/{{id}}', got {type(path).__name__}")
    if not path.startswith("/"):
        raise ValueError(f"route path {path!r} must start with '/' (e.g. '/{path}')")
    if path == "/":
        return ()
    segments = tuple(path[1:].split("/"))
    for position, segment in enumerate(segments):
        if not segment:
            raise ValueError(f"route path {path!r} has an empty segment ('//' or a trailing '/')")
        parameter = _PARAMETER_SEGMENT.match(segment)
        if parameter is None and not _LITERAL_SEGMENT.match(segment):
            raise ValueError(
                f"segment {segment!r} of route path {path!r} is not valid: use letters, digits, '.', '_' "
                "and '-', or a path parameter '{name}' ('{name+}' for the rest of the path)")
        if parameter is not None and parameter.group(2) and position != len(segments) - 1:
            raise ValueError(f"greedy parameter {segment!r} must be the last segment of route path {path!r}")
    return segments


def _is_parameter(segment: str) -> bool:
    return segment.startswith("{")


@attrs.frozen
class _Route:
    """A method and a parsed path; knows how the route is written in ARNs and request parameters."""

    method: str
    segments: tuple[str, ...]

    @property
    def path(self) -> str:
        return "/" + "/".join(self.segments)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(segment.strip("{}+") for segment in self.segments if _is_parameter(segment))

    @property
    def arn_suffix(self) -> str:
        """`GET/resource/*`: the method and path as execute-api ARNs write them ("*" for a parameter)."""
        method = "*" if self.method == "ANY" else self.method
        return f"{method}/" + "/".join("*" if _is_parameter(s) else s for s in self.segments)


# -- CORS ------------------------------------------------------------------------------------

def _string_tuple(value: Any) -> tuple[Any, ...]:
    """A list (or one string, taken as a list of one) as a tuple; anything else is left for the validator."""
    if isinstance(value, str):
        return (value,)
    return tuple(value) if isinstance(value, list | tuple) else value


def _each_matches(pattern: re.Pattern[str], what: str) -> Callable[[Any, attrs.Attribute, Any], None]:
    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if not isinstance(value, tuple) or not value:
            raise ValueError(f"{attribute.name} must be a non-empty list of {what}, got {value!r}")
        for item in value:
            if not isinstance(item, str) or not pattern.match(item):
                raise ValueError(f"{attribute.name}: {item!r} is not {what}")

    return check


def _check_origins(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value == ("*",):
        return
    if isinstance(value, tuple) and "*" in value:
        raise ValueError("allow_origins: '*' allows every origin and cannot be listed with others")
    _each_matches(_ORIGIN, "an origin such as 'https://example.com' (or '*')")(instance, attribute, value)


def _check_cors_methods(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if not isinstance(value, tuple) or not value or any(m not in CORS_METHODS for m in value):
        raise ValueError(f"allow_methods must list methods among {', '.join(CORS_METHODS)}, got {value!r}")


@attrs.frozen(kw_only=True)
class Cors:
    """Let browser pages from `allow_origins` call the API: `RestApi(..., cors=Cors(allow_origins=[...]))`.

    The API answers the browser's preflight (an OPTIONS request) itself, on every path that has
    routes. A Lambda proxy integration passes the function's response through untouched, so the
    function must still add `Access-Control-Allow-Origin` to its own responses.
    """

    allow_origins: tuple[str, ...] = attrs.field(converter=_string_tuple, validator=_check_origins)
    allow_methods: tuple[str, ...] = attrs.field(
        default=CORS_METHODS, converter=lambda v: tuple(m.upper() if isinstance(m, str) else m
                                                        for m in _string_tuple(v)),
        validator=_check_cors_methods)
    allow_headers: tuple[str, ...] = attrs.field(
        default=DEFAULT_CORS_HEADERS, converter=_string_tuple, validator=_each_matches(_HEADER, "a header name"))

    def preflight_method(self) -> dict[str, Any]:
        """The Method properties (besides ids) of a mock OPTIONS method that answers the preflight."""
        headers = self._headers()
        integration_response: dict[str, Any] = {
            "StatusCode": "204",
            "ResponseParameters": {f"method.response.header.{name}": f"'{value}'" for name, value in headers.items()},
        }
        if len(self.allow_origins) > 1:
            integration_response["ResponseTemplates"] = {"application/json": self._echo_allowed_origin()}
        return {
            "HttpMethod": "OPTIONS",
            "AuthorizationType": "NONE",
            "Integration": {
                "Type": "MOCK",
                "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                "IntegrationResponses": [integration_response],
            },
            "MethodResponses": [{
                "StatusCode": "204",
                "ResponseParameters": {f"method.response.header.{name}": True for name in headers},
            }],
        }

    def _headers(self) -> dict[str, str]:
        headers = {
            "Access-Control-Allow-Headers": ",".join(self.allow_headers),
            "Access-Control-Allow-Methods": ",".join(self.allow_methods),
            "Access-Control-Allow-Origin": self.allow_origins[0],
        }
        if len(self.allow_origins) > 1:
            headers["Vary"] = "Origin"  # the answer depends on the request's origin: caches must know
        return headers

    def _echo_allowed_origin(self) -> str:
        """A response template that answers with the request's origin when it is one of several allowed.

        The header can name a single origin only, so with several the static value is the first and
        the template overrides it with the caller's origin when that one is allowed too.
        """
        allowed = " || ".join(f'$origin == "{origin}"' for origin in self.allow_origins)
        return (
            '#set($origin = $input.params().header.get("Origin"))\n'
            '#if($origin == "")\n#set($origin = $input.params().header.get("origin"))\n#end\n'
            f"#if({allowed})\n"
            "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)\n"
            "#end\n"
        )


# -- authorizers -------------------------------------------------------------------------------

@runtime_checkable
class UserPoolLike(Protocol):
    """What a Cognito authorizer checks tokens against: a cognito.UserPool (anything with its ARN)."""

    @property
    def user_pool_arn(self) -> Any: ...


def _invocation_uri(handler: LambdaHandler) -> Any:
    return Fn.sub(f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/{LAMBDA_INVOKE_API_VERSION}"
                  f"/functions/{handler.function_arn}/invocations")


def _let_api_invoke(owner: Construct, handler: LambdaHandler, name: str, source_arn: Any) -> None:
    """Let API Gateway invoke `handler` from `source_arn` only: the handler's permission when it is in the
    owner's stack, otherwise the owner's child `Permission` (a permission in the handler's stack would refer
    back to this one, and each stack would need the other first)."""
    if getattr(handler, "stack", None) is owner.stack:
        handler.add_permission(name.replace("/", "|"), principal=APIGATEWAY_SERVICE, source_arn=source_arn)
        return
    CfnResource(owner, "Permission", type="AWS::Lambda::Permission", properties={
        "Action": "lambda:InvokeFunction", "FunctionName": handler.function_arn,
        "Principal": APIGATEWAY_SERVICE, "SourceArn": source_arn})


def _may_bind(authorizer: Construct, bound: Construct | None, api: Construct, kind: str,
              location: SourceLocation | None) -> bool:
    """Whether `authorizer` (already bound to `bound`, or None) is to be bound to `api` now: False when it guards
    `api` already; an error when it guards another API (an API Gateway authorizer belongs to one) or is in
    another stack (each would refer to the other). Shared by the REST and the HTTP API authorizers."""
    if bound is api:
        return False
    if bound is not None:
        raise ConstructError(f"authorizer {authorizer.path} already guards {kind} {bound.path}; an API "
                             f"Gateway authorizer belongs to one API", path=api.path, location=location,
                             hint=f"make another authorizer for {api.path}")
    if authorizer.stack is not api.stack:
        raise ConstructError(f"authorizer {authorizer.path} is in stack {authorizer.stack.path}, the API {api.path} in "
                             f"{api.stack.path}: each would refer to the other", path=api.path, location=location,
                             hint="make the authorizer in the API's stack (its function may live elsewhere)")
    return True


class Authorizer(Construct):
    """What the authorizers have in common: made where the user says, bound to the first RestApi a
    route uses it on (its `Resource`, an AWS::ApiGateway::Authorizer, is made then), and to that API only.

    Args:
        authorization_type: what the methods it guards say they use ("CUSTOM" or "COGNITO_USER_POOLS").
    """

    cfn_type = "AWS::ApiGateway::Authorizer"

    def __init__(self, scope: Construct, id: str, *, authorization_type: str) -> None:
        super().__init__(scope, id)
        self.authorization_type = authorization_type
        self.rest_api: RestApi | None = None
        self.resource: CfnResource | None = None

    @property
    def authorizer_id(self) -> Token:
        if self.resource is None:
            raise ConstructError(f"authorizer {self.path} has no id until a route uses it", path=self.path,
                                 location=caller_location())
        return self.resource.ref

    def _bind(self, api: RestApi, location: SourceLocation | None) -> None:
        if not _may_bind(self, self.rest_api, api, "RestApi", location):
            return
        self.rest_api = api
        self.resource = CfnResource(self, "Resource", type=self.cfn_type, properties={
            "RestApiId": api.rest_api_id, **self._properties()})
        api.deployment.add_depends_on(self.resource)
        self._after_bind(api)

    def _properties(self) -> dict[str, Any]:
        raise NotImplementedError

    def _after_bind(self, api: RestApi) -> None:
        """What the authorizer needs once it has an id (Lambda authorizers: their invoke permission)."""

    @property
    def _arn(self) -> Any:
        assert self.rest_api is not None and self.resource is not None
        return Fn.sub(f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:{self.rest_api.rest_api_id}"
                      f"/authorizers/{self.resource.ref}")


def _ttl_problem(value: int | None) -> str | None:
    """API Gateway caches an authorizer's answer for at most an hour (the schema says only "integer")."""
    if value is not None and not 0 <= value <= 3600:
        return f"must be between 0 and 3600 seconds (an hour), got {value}"
    return None


class CognitoUserPoolsAuthorizer(Authorizer):
    """Methods accept an ID or access token of one of `cognito_user_pools` (the `Authorization` header).

    Args:
        cognito_user_pools: the user pools (cognito.UserPool) whose tokens are accepted.
        name: the authorizer's name in API Gateway (default: the construct path).
        identity_source: where the token is read from.
        results_cache_ttl: how long API Gateway caches the answer for a token (0 turns caching off;
            at most an hour).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cognito_user_pools: Sequence[UserPoolLike],
        name: Annotated[str | None, Cfn("Name")] = None,
        identity_source: Annotated[str, Cfn("IdentitySource")] = "method.request.header.Authorization",
        results_cache_ttl: Annotated[int | Duration, Cfn("AuthorizerResultTtlInSeconds", unit="seconds"),
                                     Check(_ttl_problem)] = 300,
    ) -> None:
        super().__init__(scope, id, authorization_type="COGNITO_USER_POOLS")
        pools = list(cognito_user_pools)
        if not pools or not all(isinstance(pool, UserPoolLike) for pool in pools):
            raise ConstructError(f"CognitoUserPoolsAuthorizer {id!r}: cognito_user_pools must list one or more "
                                 "cognito.UserPool", path=self.path, location=self.location)
        self.user_pools = pools
        self.name = name
        self.identity_source = identity_source
        self.results_cache_ttl = results_cache_ttl

    def _properties(self) -> dict[str, Any]:
        return {"Name": self.name or self.path, "Type": "COGNITO_USER_POOLS",
                "ProviderARNs": [pool.user_pool_arn for pool in self.user_pools],
                "IdentitySource": self.identity_source,
                "AuthorizerResultTtlInSeconds": self.results_cache_ttl}


def _header_source_problem(value: str) -> str | None:
    if not isinstance(value, str) or not re.match(r"^method\.request\.header\.[A-Za-z0-9!#$%&*+.^_`|~-]+$", value):
        return f"must be a request header, 'method.request.header.NAME', got {value!r}"
    return None


def _regex_problem(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        re.compile(value)
    except re.error as problem:
        return f"{value!r} is not a regular expression: {problem}"
    return None


class TokenAuthorizer(Authorizer):
    """A Lambda function decides from one header (a bearer token) whether the caller may call the method.

    The function may be invoked by API Gateway from this authorizer only (the permission's SourceArn is
    the authorizer's ARN).

    Args:
        handler: the Lambda Function or Alias that returns the IAM policy for a token.
        name: the authorizer's name in API Gateway (default: the construct path).
        identity_source: the request header the token is read from.
        validation_regex: a regular expression a token must match before the function is called.
        results_cache_ttl: how long API Gateway caches the function's answer for a token (0 turns caching
            off; at most an hour).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        handler: LambdaHandler,
        name: Annotated[str | None, Cfn("Name")] = None,
        identity_source: Annotated[str, Cfn("IdentitySource"), Check(_header_source_problem)
                                   ] = "method.request.header.Authorization",
        validation_regex: Annotated[str | None, Cfn("IdentityValidationExpression"), Check(_regex_problem)] = None,
        results_cache_ttl: Annotated[int | Duration, Cfn("AuthorizerResultTtlInSeconds", unit="seconds"),
                                     Check(_ttl_problem)] = 300,
    ) -> None:
        super().__init__(scope, id, authorization_type="CUSTOM")
        if not isinstance(handler, LambdaHandler):
            raise ConstructError(f"{type(self).__name__} {id!r}: the handler must be a Lambda Function or Alias, "
                                 f"got {type(handler).__name__}", path=self.path, location=self.location)
        self.handler = handler
        self.name = name
        self.identity_source = identity_source
        self.validation_regex = validation_regex
        self.results_cache_ttl = results_cache_ttl

    def _properties(self) -> dict[str, Any]:
        return {"Name": self.name or self.path, "Type": "TOKEN", "AuthorizerUri": _invocation_uri(self.handler),
                "IdentitySource": self.identity_source,
                "IdentityValidationExpression": self.validation_regex,
                "AuthorizerResultTtlInSeconds": self.results_cache_ttl}

    def _after_bind(self, api: RestApi) -> None:
        _let_api_invoke(self, self.handler, f"{self.path[len(self.stack.path) + 1:]}Permission", self._arn)


def _identity_sources_problem(value: Sequence[str]) -> str | None:
    if isinstance(value, str) or not value:
        return "must list one or more sources such as 'method.request.header.Authorization'"
    for source in value:
        if not isinstance(source, str) or not re.match(r"^(method\.request\.(header|querystring)\.|"
                                                       r"stageVariables\.|context\.)[A-Za-z0-9._-]+$", source):
            return (f"{source!r} is not an identity source: method.request.header.NAME, "
                    "method.request.querystring.NAME, stageVariables.NAME or context.NAME")
    return None


class RequestAuthorizer(Authorizer):
    """A Lambda function decides from the request (headers, query string, stage variables, context).

    Args:
        handler: the Lambda Function or Alias that returns the IAM policy for a request.
        identity_sources: what the function needs (e.g. "method.request.header.Authorization"); a request
            without one of them is refused before the function is called, and they are the cache key.
        name: the authorizer's name in API Gateway (default: the construct path).
        results_cache_ttl: how long API Gateway caches the function's answer for the same identity sources
            (0 turns caching off; at most an hour).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        handler: LambdaHandler,
        identity_sources: Annotated[Sequence[str], Check(_identity_sources_problem)],
        name: Annotated[str | None, Cfn("Name")] = None,
        results_cache_ttl: Annotated[int | Duration, Cfn("AuthorizerResultTtlInSeconds", unit="seconds"),
                                     Check(_ttl_problem)] = 300,
    ) -> None:
        super().__init__(scope, id, authorization_type="CUSTOM")
        if not isinstance(handler, LambdaHandler):
            raise ConstructError(f"RequestAuthorizer {id!r}: the handler must be a Lambda Function or Alias, "
                                 f"got {type(handler).__name__}", path=self.path, location=self.location)
        self.handler = handler
        self.identity_sources = tuple(identity_sources)
        self.name = name
        self.results_cache_ttl = results_cache_ttl

    def _properties(self) -> dict[str, Any]:
        return {"Name": self.name or self.path, "Type": "REQUEST", "AuthorizerUri": _invocation_uri(self.handler),
                "IdentitySource": ",".join(self.identity_sources),
                "AuthorizerResultTtlInSeconds": self.results_cache_ttl}

    def _after_bind(self, api: RestApi) -> None:
        _let_api_invoke(self, self.handler, f"{self.path[len(self.stack.path) + 1:]}Permission", self._arn)


# -- integrations --------------------------------------------------------------------------------

_STATUS_CODE = re.compile(r"^[1-5][0-9][0-9]$")
_RESPONSE_HEADER = re.compile(r"^method\.response\.header\.[A-Za-z0-9!#$%&*+.^_`|~-]+$")


def _templates_problem(templates: dict[str, str] | None, what: str) -> str | None:
    for media_type, template in (templates or {}).items():
        if not isinstance(media_type, str) or not _MEDIA_TYPE.match(media_type):
            return f"{what}: {media_type!r} is not a media type such as 'application/json'"
        if not isinstance(template, str):
            return f"{what}[{media_type!r}] must be a mapping template (a string), got {type(template).__name__}"
    return None


@attrs.frozen(kw_only=True)
class IntegrationResponse:
    """How a backend's answer becomes the method's response (non-proxy and mock integrations).

    `selection_pattern` is a regular expression matched against a Lambda error message (or an HTTP
    status); the response without one is the default. `response_templates` map the backend's body per
    media type (Velocity templates); `response_parameters` set headers:
    `{"method.response.header.Cache-Control": "'max-age=60'"}`.
    """

    status_code: str = "200"
    selection_pattern: str | None = None
    response_templates: dict[str, str] | None = None
    response_parameters: dict[str, str] | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.status_code, str) or not _STATUS_CODE.match(self.status_code):
            raise ValueError(f"status_code must be an HTTP status code such as '200', got {self.status_code!r}")
        problem = _templates_problem(self.response_templates, "response_templates")
        if problem:
            raise ValueError(problem)
        for name in self.response_parameters or {}:
            if not _RESPONSE_HEADER.match(name):
                raise ValueError(f"response_parameters: {name!r} is not 'method.response.header.NAME'")

    def to_cfn(self) -> dict[str, Any]:
        return {"StatusCode": self.status_code, "SelectionPattern": self.selection_pattern,
                "ResponseTemplates": self.response_templates, "ResponseParameters": self.response_parameters}

    def method_response(self) -> dict[str, Any]:
        """The method response it needs: the same status, declaring the headers it sets."""
        return {"StatusCode": self.status_code,
                "ResponseParameters": {name: True for name in self.response_parameters or {}} or None}


def _passthrough_values() -> tuple[str, ...]:
    from iac.specs import property_enum

    return property_enum("AWS::ApiGateway::Method", "Integration", "PassthroughBehavior")


class _MappedIntegration:
    """What non-proxy and mock integrations share: request templates and integration responses."""

    type: str

    def __init__(self, request_templates: dict[str, str] | None, integration_responses: Sequence[IntegrationResponse],
                 passthrough_behavior: str) -> None:
        problem = _templates_problem(request_templates, "request_templates")
        if problem:
            raise ValueError(problem)
        responses = list(integration_responses)
        if not responses or not all(isinstance(r, IntegrationResponse) for r in responses):
            raise ValueError("integration_responses must list one or more apigateway.IntegrationResponse")
        codes = [r.status_code for r in responses]
        if len(set(codes)) != len(codes):
            raise ValueError(f"integration_responses: each status code once, got {codes}")
        if sum(r.selection_pattern is None for r in responses) > 1:
            raise ValueError("integration_responses: one response at most without a selection_pattern (the default)")
        if passthrough_behavior not in _passthrough_values():
            raise ValueError(f"passthrough_behavior must be one of {', '.join(_passthrough_values())}, "
                             f"got {passthrough_behavior!r}")
        self.request_templates = request_templates
        self.integration_responses = responses
        self.passthrough_behavior = passthrough_behavior

    def method_properties(self) -> dict[str, Any]:
        return {
            "Integration": {"Type": self.type, **self._target(), "RequestTemplates": self.request_templates,
                            "PassthroughBehavior": self.passthrough_behavior,
                            "IntegrationResponses": [r.to_cfn() for r in self.integration_responses]},
            "MethodResponses": [r.method_response() for r in self.integration_responses],
        }

    def _target(self) -> dict[str, Any]:
        return {}


class LambdaIntegration(_MappedIntegration):
    """A route invokes a Lambda function without the proxy: `request_templates` build the event from the
    request, `integration_responses` build the response from the function's result (or its error,
    matched by `selection_pattern`). Passing the function itself to add_route is the Lambda proxy.
    """

    type = "AWS"

    def __init__(self, handler: LambdaHandler, *, request_templates: dict[str, str] | None = None,
                 integration_responses: Sequence[IntegrationResponse] = (IntegrationResponse(),),
                 passthrough_behavior: str = "WHEN_NO_TEMPLATES") -> None:
        if not isinstance(handler, LambdaHandler):
            raise TypeError(f"LambdaIntegration needs a Lambda Function or Alias, got {type(handler).__name__}")
        super().__init__(request_templates, integration_responses, passthrough_behavior)
        self.handler = handler

    def _target(self) -> dict[str, Any]:
        return {"IntegrationHttpMethod": "POST", "Uri": _invocation_uri(self.handler)}


class MockIntegration(_MappedIntegration):
    """A route API Gateway answers itself, from templates: the request template picks the status
    (`{"statusCode": 200}`), the integration responses write the body and headers."""

    type = "MOCK"

    def __init__(self, *, request_templates: dict[str, str] | None = None,
                 integration_responses: Sequence[IntegrationResponse] = (IntegrationResponse(),),
                 passthrough_behavior: str = "WHEN_NO_TEMPLATES") -> None:
        super().__init__(request_templates or {"application/json": '{"statusCode": 200}'}, integration_responses,
                         passthrough_behavior)


_SERVICE = re.compile(r"^[a-z0-9-]+$")
_INTEGRATION_REQUEST_PARAMETER = re.compile(r"^integration\.request\.(header|querystring|path)\.[A-Za-z0-9._~-]+$")


class AwsIntegration(_MappedIntegration):
    """A route calls an AWS service's API directly, as `credentials_role` (a role API Gateway may assume,
    `iam.ServicePrincipal("apigateway.amazonaws.com")`, that you grant what the call needs, e.g.
    `queue.grant_send_messages(role)`): `action=` for a query API ("SendMessage" of "sqs"), `path=` for
    a REST one. `request_parameters` set the call's headers, query string or path
    (`{"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}`).
    """

    type = "AWS"

    def __init__(self, *, service: str, credentials_role: iam.Role, action: str | None = None,
                 path: str | None = None, http_method: str = "POST",
                 request_parameters: dict[str, str] | None = None, request_templates: dict[str, str] | None = None,
                 integration_responses: Sequence[IntegrationResponse] = (IntegrationResponse(),),
                 passthrough_behavior: str = "NEVER") -> None:
        if not isinstance(service, str) or not _SERVICE.match(service):
            raise ValueError(f"service must be an AWS service's endpoint prefix such as 'sqs', got {service!r}")
        if (action is None) == (path is None):
            raise ValueError("AwsIntegration takes action= (a query API's action) or path= (a REST API's path), "
                             "one of them")
        if not isinstance(credentials_role, iam.Role):
            raise TypeError(f"credentials_role must be an iam.Role, got {type(credentials_role).__name__}")
        if APIGATEWAY_SERVICE not in credentials_role.trusted_services:
            raise ValueError(f"credentials_role {credentials_role.path} is not assumed by {APIGATEWAY_SERVICE}; "
                             f"make it with assumed_by=iam.ServicePrincipal({APIGATEWAY_SERVICE!r})")
        if not isinstance(http_method, str) or http_method.upper() not in CORS_METHODS:
            raise ValueError(f"http_method must be one of {', '.join(CORS_METHODS)}, got {http_method!r}")
        for name in request_parameters or {}:
            if not _INTEGRATION_REQUEST_PARAMETER.match(name):
                raise ValueError(f"request_parameters: {name!r} is not "
                                 "'integration.request.header|querystring|path.NAME'")
        super().__init__(request_templates, integration_responses, passthrough_behavior)
        self.service = service
        self.action = action
        self.path = path
        self.http_method = http_method.upper()
        self.credentials_role = credentials_role
        self.request_parameters = request_parameters

    def _target(self) -> dict[str, Any]:
        where = f"action/{self.action}" if self.action is not None else f"path/{str(self.path).lstrip('/')}"
        return {"IntegrationHttpMethod": self.http_method, "Credentials": self.credentials_role.role_arn,
                "Uri": Fn.sub(f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:{self.service}:{where}"),
                "RequestParameters": self.request_parameters}


# -- usage plans and API keys --------------------------------------------------------------------

QuotaPeriod = Literal["DAY", "WEEK", "MONTH"]  # UsagePlan Quota.Period (the schema says only "string")


class ApiKey(Construct):
    """An API key (`AWS::ApiGateway::ApiKey`, the child `Resource`); API Gateway generates its value.

    Args:
        api_key_name: the key's name (default: generated by CloudFormation).
        description: what the key is for.
        enabled: whether callers can use the key.
    """

    cfn_type = "AWS::ApiGateway::ApiKey"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api_key_name: Annotated[str | None, Cfn("Name")] = None,
        description: Annotated[str | None, Cfn("Description")] = None,
        enabled: Annotated[bool, Cfn("Enabled")] = True,
    ) -> None:
        super().__init__(scope, id)
        self.resource = CfnResource(self, "Resource", type=self.cfn_type, properties={
            "Name": api_key_name, "Description": description, "Enabled": enabled})

    @property
    def key_id(self) -> Token:
        return self.resource.ref


class UsagePlan(Construct):
    """A usage plan (`AWS::ApiGateway::UsagePlan`, the child `Resource`): the stages its keys may call,
    with throttling and a quota. Made by `RestApi.add_usage_plan`; `plan.add_api_key(key)` adds a key.

    Args:
        api_stages: the (RestApi id, stage name) pairs the plan's keys may call.
        name: the plan's name.
        description: what the plan is for.
        throttle_rate_limit: steady requests per second allowed for each key.
        throttle_burst_limit: requests allowed at once above the rate for each key.
        quota_limit: requests each key may make per `quota_period`.
        quota_period: "DAY", "WEEK" or "MONTH".
    """

    cfn_type = "AWS::ApiGateway::UsagePlan"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api_stages: Sequence[tuple[Any, Any]],
        name: Annotated[str | None, Cfn("UsagePlanName")] = None,
        description: Annotated[str | None, Cfn("Description")] = None,
        throttle_rate_limit: float | None = None,
        throttle_burst_limit: int | None = None,
        quota_limit: int | None = None,
        quota_period: QuotaPeriod = "MONTH",
    ) -> None:
        super().__init__(scope, id)
        limits = {"throttle_rate_limit": throttle_rate_limit, "throttle_burst_limit": throttle_burst_limit,
                  "quota_limit": quota_limit}
        for what, value in limits.items():
            if value is not None and value < 0:
                raise ConstructError(f"UsagePlan {id!r}: {what} must not be negative, got {value}",
                                     path=self.path, location=self.location)
        throttle = {"RateLimit": throttle_rate_limit, "BurstLimit": throttle_burst_limit}
        self.resource = CfnResource(self, "Resource", type=self.cfn_type, properties={
            "UsagePlanName": name,
            "Description": description,
            "ApiStages": [{"ApiId": api_id, "Stage": stage} for api_id, stage in api_stages],
            "Throttle": throttle if any(v is not None for v in throttle.values()) else None,
            "Quota": None if quota_limit is None else {"Limit": quota_limit, "Period": quota_period},
        })
        self._keys: dict[str, CfnResource] = {}

    @property
    def usage_plan_id(self) -> Token:
        return self.resource.ref

    def add_api_key(self, api_key: ApiKey) -> CfnResource:
        """Let `api_key` call the plan's stages (an AWS::ApiGateway::UsagePlanKey named after the key)."""
        if not isinstance(api_key, ApiKey):
            raise ConstructError(f"add_api_key needs an apigateway.ApiKey, got {type(api_key).__name__}",
                                 path=self.path, location=caller_location())
        name = api_key.path[len(api_key.stack.path) + 1:].replace("/", "|") + "Key"
        if name in self._keys:
            raise ConstructError(f"API key {api_key.path} is in usage plan {self.path} already", path=self.path,
                                 location=caller_location())
        self._keys[name] = CfnResource(self, name, type="AWS::ApiGateway::UsagePlanKey", properties={
            "KeyId": api_key.key_id, "KeyType": "API_KEY", "UsagePlanId": self.usage_plan_id})
        return self._keys[name]


# -- access logs -----------------------------------------------------------------------------------

#: The access log line: one JSON object per request with what an operator looks for first.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "caller": "$context.identity.caller",
    "user": "$context.identity.user", "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath", "status": "$context.status", "protocol": "$context.protocol",
    "responseLength": "$context.responseLength"}, separators=(",", ":"))
#: The AWS managed policy API Gateway's account role needs to create log groups and write to them.
PUSH_TO_CLOUDWATCH_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs"
CLOUDWATCH_ROLE_ID = "ApiGatewayCloudWatchRole"


def log_group_destination_arn(group: Any) -> Any:
    """The log group's ARN as API Gateway's access log settings take it (without the ":*" of GetAtt Arn)."""
    return Fn.sub(f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:{group.log_group_name}")


class CloudWatchRole(Construct):
    """The role API Gateway writes REST APIs' logs with (`Role`, retained) and the account and region's
    setting that names it (`Account`, an AWS::ApiGateway::Account). A RestApi with access logs makes one per
    stack, at `ApiGatewayCloudWatchRole`; a platform stack can make it itself, and its APIs' stacks then
    pass `cloud_watch_role=False`.
    """

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        self.role = iam.Role(self, "Role", assumed_by=iam.ServicePrincipal(APIGATEWAY_SERVICE),
                             managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(PUSH_TO_CLOUDWATCH_POLICY)])
        apply_removal_policy(self.role.resource, RETAIN)
        self.account = CfnResource(self, "Account", type="AWS::ApiGateway::Account",
                                   properties={"CloudWatchRoleArn": self.role.role_arn})


def account_cloudwatch_role(stack: Construct) -> CfnResource:
    """The stack's one AWS::ApiGateway::Account (`ApiGatewayCloudWatchRole/Account`): the account and
    region's setting of the role API Gateway writes logs with, and that role (retained, so that deleting
    the stack does not break the logging of every other API of the account)."""
    existing = stack.find_child(CLOUDWATCH_ROLE_ID)
    if isinstance(existing, CloudWatchRole):
        return existing.account
    return CloudWatchRole(stack, CLOUDWATCH_ROLE_ID).account


# -- the API -----------------------------------------------------------------------------------

def _stage_name_problem(value: str) -> str | None:
    """API Gateway's rule for stage names (the Stage schema says only "a string")."""
    return None if _STAGE_NAME.match(value) else f"must be 1-128 letters, digits and underscores, got {value!r}"


def _media_types_problem(value: Sequence[str] | None) -> str | None:
    for media_type in value or ():
        if not _MEDIA_TYPE.match(media_type):
            return f"{media_type!r} is not a media type such as 'image/png' or '*/*'"
    return None


class RestApi(Construct):
    """A REST API with a stage: `RestApi(stack, "Api")`, then `api.add_route("GET", "/items", fn)`.

    `.resource` is the AWS::ApiGateway::RestApi; `.deployment` and `.stage` are its Deployment and Stage.

    Args:
        name: the API's name (default: the construct path).
        description: what the API is for, shown in the console.
        stage_name: the stage that serves the routes, the first segment of every URL path
            ("prod"; letters, digits and underscores).
        endpoint_type: "REGIONAL" (default: served from the stack's region), "EDGE" (through
            CloudFront) or "PRIVATE" (from VPC endpoints only; needs a resource policy).
        cors: a `Cors` to let browser pages of other origins call the API (the API then answers
            the preflight OPTIONS requests itself).
        binary_media_types: the media types (e.g. "image/png", "*/*") API Gateway passes through as
            binary instead of text.
        policy: the API's resource policy (who may invoke it, from where), an iam.PolicyDocument.
        vpc_endpoints: for a PRIVATE API, the execute-api interface endpoints (ec2.InterfaceVpcEndpoint) it
            is reached through; without a `policy` the API then gets one that lets callers invoke it
            through these endpoints only (aws:SourceVpce).
        default_authorizer: the authorizer (`TokenAuthorizer`, `RequestAuthorizer`,
            `CognitoUserPoolsAuthorizer`) of every route that names none; `authorizer=None` on a route
            then still means this one (pass `authorization="NONE"` to make a route public).
        access_log: a logs.LogGroup the stage writes one JSON line per request to; True (default) makes one
            (`AccessLogs`, kept a month and retained); False writes none.
        cloud_watch_role: API Gateway writes logs with one role per account and region (the
            AWS::ApiGateway::Account setting). True (default, when `access_log` is on) makes that role and
            setting in this stack, once, as `ApiGatewayCloudWatchRole` (the role is retained, so deleting
            the stack leaves other APIs' logging working); False when the account is set up already
            (by a platform stack, or another stack of the app).
    """

    cfn_type = "AWS::ApiGateway::RestApi"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: Annotated[str | Token | None, Cfn("Name")] = None,
        description: Annotated[str | Token | None, Cfn("Description")] = None,
        stage_name: Annotated[str, Cfn("StageName", type="AWS::ApiGateway::Stage"), Check(_stage_name_problem)
                              ] = "prod",
        endpoint_type: EndpointType = "REGIONAL",
        cors: Cors | None = None,
        binary_media_types: Annotated[Sequence[str] | None, Cfn("BinaryMediaTypes"), Check(_media_types_problem)
                                      ] = None,
        policy: iam.PolicyDocument | None = None,
        vpc_endpoints: Sequence[ec2.InterfaceVpcEndpoint] | None = None,
        default_authorizer: Authorizer | None = None,
        access_log: logs.LogGroup | bool = True,
        cloud_watch_role: bool = True,
    ) -> None:
        super().__init__(scope, id)
        self.default_authorizer = default_authorizer
        self.stage_name = stage_name
        self.endpoint_type = endpoint_type
        self.cors = cors
        endpoint_ids = [endpoint.vpc_endpoint_id for endpoint in vpc_endpoints or ()]
        if endpoint_ids and endpoint_type != "PRIVATE":
            raise ConstructError(f"RestApi {id!r}: vpc_endpoints are for a PRIVATE API, not a {endpoint_type} one",
                                 path=self.path, location=self.location)
        if policy is None and endpoint_ids:
            policy = iam.PolicyDocument([iam.PolicyStatement(
                principals=[iam.Principal("*")], actions=["execute-api:Invoke"], resources=["execute-api:/*"],
                conditions={"StringEquals": {"aws:SourceVpce": endpoint_ids[0] if len(endpoint_ids) == 1
                                             else endpoint_ids}})])
        self.policy = policy
        self.resource = CfnResource(self, "Resource", type="AWS::ApiGateway::RestApi", properties={
            "Name": name or self.path,
            "Description": description,
            "EndpointConfiguration": {"Types": [endpoint_type], "VpcEndpointIds": endpoint_ids or None},
            "BinaryMediaTypes": list(binary_media_types) if binary_media_types else None,
            "Policy": Lazy(policy.to_json) if policy is not None else None,
        })
        self._root = Construct(self, "Default")  # the root "/" exists already: RootResourceId
        self._resources: dict[tuple[str, ...], CfnResource] = {}  # one per path segment below the root
        self._methods: dict[_Route, CfnResource] = {}  # every method, CORS preflights included
        self._routes: list[_Route] = []  # what add_route was given
        self._authorizers: list[Authorizer] = []
        self.deployment = Deployment(self, "Deployment", rest_api_id=self.rest_api_id,
                                     fingerprint=self._routes_fingerprint)
        self.access_log_group = self._access_log_group(access_log)
        self.stage = self._stage()
        if self.access_log_group is not None and cloud_watch_role:
            self.stage.add_depends_on(account_cloudwatch_role(self.stack))  # the stage checks the role is set
        self._endpoint_output()

    def _access_log_group(self, access_log: logs.LogGroup | bool) -> logs.LogGroup | None:
        if access_log is True:
            return logs.LogGroup(self, "AccessLogs", retention_days=logs.RetentionDays.ONE_MONTH)
        if access_log is False:
            return None
        return access_log

    def _stage(self) -> CfnResource:
        """The stage serves the latest deployment: its DeploymentId moves when the routes change."""
        group = self.access_log_group
        return CfnResource(self, "Stage", type="AWS::ApiGateway::Stage", properties={
            "RestApiId": self.rest_api_id,
            "DeploymentId": self.deployment.ref,
            "StageName": self.stage_name,
            "AccessLogSetting": None if group is None else {
                "DestinationArn": log_group_destination_arn(group), "Format": ACCESS_LOG_FORMAT},
        })

    def _endpoint_output(self) -> Output:
        """`<id>Endpoint`, the name a person would give it (hashed when the API is nested, to stay unique)."""
        output = Output(self, "Endpoint", value=self.url, description=f"URL of the {self.stage_name} stage "
                        f"of API {self.path}")
        plain_id = re.sub(r"[^A-Za-z0-9]", "", self.id) + "Endpoint"
        if self.scope is self.stack and is_valid_logical_id(plain_id):
            output.override_logical_id(plain_id)
        return output

    # -- references -----------------------------------------------------------------------------

    @property
    def rest_api_id(self) -> Token:
        return self.resource.ref

    @property
    def root_resource_id(self) -> Token:
        return self.resource.get_att("RootResourceId")

    @property
    def url(self) -> Token:
        """The invoke URL of the stage, ending in "/" (it refers to the Stage, so users wait for it)."""
        return self.url_for_path("/")

    def url_for_path(self, path: str) -> Token:
        """The URL that invokes `path` (e.g. "/resource/42") on the API's stage."""
        if not isinstance(path, str) or not path.startswith("/"):
            raise ConstructError(f"url_for_path needs a path starting with '/', got {path!r}", path=self.path,
                                 location=caller_location())
        escaped = path.replace("${", "${!")  # a literal "${" in Fn::Sub is written "${!"
        return Fn.sub(f"https://{self.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{self.stage.ref}"
                      f"{escaped}")

    # -- routes ---------------------------------------------------------------------------------

    def add_route(self, method: str, path: str,
                  handler: LambdaHandler | LambdaIntegration | MockIntegration | AwsIntegration, *,
                  authorizer: Authorizer | None = None,
                  authorization: Literal["NONE", "AWS_IAM"] | None = None,
                  authorization_scopes: Sequence[str] | None = None,
                  api_key_required: bool = False) -> CfnResource:
        """Invoke `handler` (a Function or Alias: Lambda proxy) for `method` requests to `path`, or a
        `LambdaIntegration` (non-proxy, with mapping templates), a `MockIntegration` or an `AwsIntegration`
        (an AWS service's API); returns the Method.

        `path` starts with "/"; `{name}` is a path parameter, `{name+}` (last segment only) takes the
        rest of the path. `method` is one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY.
        `authorizer` (default: the API's `default_authorizer`) checks each request first;
        `authorization="AWS_IAM"` asks for SigV4-signed requests instead, "NONE" makes the route public
        even with a default authorizer. `authorization_scopes` are the OAuth scopes a Cognito access token
        must have; `api_key_required` asks for an API key of a usage plan (`add_usage_plan`).
        """
        location = caller_location()
        route = self._checked_route(method, path, handler, location)
        auth = self._authorization(authorizer, authorization, authorization_scopes, location)
        resource_id = self._resource_for(route.segments)
        if self.cors is not None:
            self._add_preflight(self.cors, route.segments, resource_id)
        integration = (handler.method_properties() if isinstance(handler, _MappedIntegration)
                       else self._proxy_method(route, handler))
        created = self._add_method(route, resource_id, {
            "HttpMethod": route.method, **auth, "ApiKeyRequired": True if api_key_required else None,
            "RequestParameters": {_PATH_PARAMETER_PREFIX + name: True for name in route.parameters} or None,
            **integration})
        self._routes.append(route)
        target = handler.handler if isinstance(handler, LambdaIntegration) else handler
        if isinstance(target, LambdaHandler):  # mock and AWS service integrations invoke no function
            self._permit(route, target, created)
        return created

    def _authorization(self, authorizer: Any, authorization: Any, scopes: Sequence[str] | None,
                       location: SourceLocation | None) -> dict[str, Any]:
        """The Method properties that say who may call it."""
        def error(message: str) -> ConstructError:
            return ConstructError(message, path=self.path, location=location)

        if authorization not in (None, "NONE", "AWS_IAM"):
            raise error(f"add_route: authorization must be 'NONE' or 'AWS_IAM', got {authorization!r} "
                        "(pass authorizer= for a Lambda or Cognito authorizer)")
        if authorizer is not None and authorization is not None:
            raise error("add_route: pass authorizer= or authorization=, not both")
        if authorizer is None and authorization is None:
            authorizer = self.default_authorizer
        if authorizer is None:
            if scopes:
                raise error("add_route: authorization_scopes need a CognitoUserPoolsAuthorizer")
            return {"AuthorizationType": authorization or "NONE"}
        if not isinstance(authorizer, Authorizer):
            raise error(f"add_route: authorizer must be an apigateway authorizer (TokenAuthorizer, RequestAuthorizer "
                        f"or CognitoUserPoolsAuthorizer), got {type(authorizer).__name__}")
        if scopes and not isinstance(authorizer, CognitoUserPoolsAuthorizer):
            raise error("add_route: authorization_scopes need a CognitoUserPoolsAuthorizer (Lambda authorizers "
                        "decide on scopes themselves)")
        authorizer._bind(self, location)
        if authorizer not in self._authorizers:
            self._authorizers.append(authorizer)
        return {"AuthorizationType": authorizer.authorization_type, "AuthorizerId": authorizer.authorizer_id,
                "AuthorizationScopes": list(scopes) if scopes else None}

    # -- usage plans ------------------------------------------------------------------------------

    def add_usage_plan(self, id: str, *, name: str | None = None, description: str | None = None,
                       throttle_rate_limit: float | None = None, throttle_burst_limit: int | None = None,
                       quota_limit: int | None = None, quota_period: QuotaPeriod = "MONTH") -> UsagePlan:
        """A usage plan for this API's stage (the child `id`); `plan.add_api_key(key)` lets a key call it."""
        return UsagePlan(self, id, api_stages=[(self.rest_api_id, self.stage.ref)], name=name,
                         description=description, throttle_rate_limit=throttle_rate_limit,
                         throttle_burst_limit=throttle_burst_limit, quota_limit=quota_limit, quota_period=quota_period)

    def add_api_key(self, id: str, *, api_key_name: str | None = None, description: str | None = None) -> ApiKey:
        """An API key (the child `id`); add it to a usage plan for it to call anything."""
        return ApiKey(self, id, api_key_name=api_key_name, description=description)

    @property
    def routes(self) -> list[tuple[str, str]]:
        """(method, path) of every route added with add_route, in the order they were added."""
        return [(route.method, route.path) for route in self._routes]

    def _checked_route(self, method: Any, path: Any, handler: Any, location: SourceLocation | None) -> _Route:
        """The route, or a ConstructError at the user's add_route line saying what is wrong with it."""
        def error(message: str, hint: str | None = None) -> ConstructError:
            return ConstructError(message, path=self.path, location=location, hint=hint)

        if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
            raise error(f"add_route: {method!r} is not an HTTP method; use one of {', '.join(HTTP_METHODS)}")
        try:
            route = _Route(method.upper(), _parse_path(path))
        except ValueError as problem:
            raise error(f"add_route: {problem}") from None
        if not isinstance(handler, LambdaHandler | _MappedIntegration):
            raise error(f"add_route {route.method} {route.path}: the handler must be a Lambda Function or Alias "
                        "(something with function_arn and add_permission), a LambdaIntegration or a "
                        f"MockIntegration, got {type(handler).__name__}")
        if route.method == "OPTIONS" and self.cors is not None:
            raise error(f"add_route OPTIONS {route.path}: this API answers OPTIONS itself (cors= is set)",
                        hint="remove cors= to route OPTIONS requests to a function")
        existing = self._methods.get(route)
        if existing is not None:
            raise error(f"route {route.method} {route.path} is already defined"
                        + (f" (at {existing.location})" if existing.location else ""),
                        hint="each method and path has one handler; ANY routes every method of a path")
        self._check_parameter_names(route, error)
        return route

    def _check_parameter_names(self, route: _Route, error: Callable[..., ConstructError]) -> None:
        """API Gateway allows one path parameter per level: /items/{id} and /items/{itemId} conflict."""
        for depth, segment in enumerate(route.segments):
            if not _is_parameter(segment):
                continue
            parent = route.segments[:depth]
            for known in self._resources:
                if known[:-1] == parent and len(known) == depth + 1 and _is_parameter(known[-1]) \
                        and known[-1] != segment:
                    raise error(f"route {route.method} {route.path}: {segment} conflicts with "
                                f"{'/' + '/'.join(known)}; API Gateway allows one path parameter per level",
                                hint=f"use the same parameter name, {known[-1]}, for both routes")

    def _resource_for(self, segments: tuple[str, ...]) -> Any:
        """The resource id of the path's last segment, creating the Resources it does not have yet."""
        for depth in range(1, len(segments) + 1):
            if segments[:depth] not in self._resources:
                parent = segments[: depth - 1]
                self._resources[segments[:depth]] = CfnResource(
                    self._node(parent), _segment_id(segments[depth - 1]), type="AWS::ApiGateway::Resource",
                    properties={
                        "RestApiId": self.rest_api_id,
                        "ParentId": self._resource_id(parent),
                        "PathPart": segments[depth - 1],
                    })
        return self._resource_id(segments)

    def _node(self, segments: tuple[str, ...]) -> Construct:
        """The construct a path's children (segments, methods) are made in: the root or its Resource."""
        return self._resources[segments] if segments else self._root

    def _resource_id(self, segments: tuple[str, ...]) -> Any:
        return self._resources[segments].ref if segments else self.root_resource_id

    def _proxy_method(self, route: _Route, handler: LambdaHandler) -> dict[str, Any]:
        """Lambda proxy: the whole request goes to the function, its answer is the whole response."""
        return {
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": _invocation_uri(handler)},
        }

    def _add_preflight(self, cors: Cors, segments: tuple[str, ...], resource_id: Any) -> None:
        """One OPTIONS method per path with routes: browsers ask there before they call the route."""
        route = _Route("OPTIONS", segments)
        if route not in self._methods:
            self._add_method(route, resource_id, cors.preflight_method())

    def _add_method(self, route: _Route, resource_id: Any, properties: dict[str, Any]) -> CfnResource:
        method = CfnResource(self._node(route.segments), route.method, type="AWS::ApiGateway::Method",
                             properties={"RestApiId": self.rest_api_id, "ResourceId": resource_id, **properties})
        self._methods[route] = method
        self.deployment.add_depends_on(method)  # a Deployment made before its methods would be empty
        return method

    def _permit(self, route: _Route, handler: LambdaHandler, method: CfnResource) -> None:
        """Let API Gateway invoke the handler, from this API's method and path only (any stage).

        The permission is the handler's (it grants access to it) unless the handler lives in another
        stack: there it would refer back to this API, and each stack would need the other first.
        """
        source_arn = Fn.sub(f"arn:{Aws.PARTITION}:execute-api:{Aws.REGION}:{Aws.ACCOUNT_ID}:{self.rest_api_id}"
                            f"/*/{route.arn_suffix}")
        same_stack = getattr(handler, "stack", None) is self.stack
        if same_stack:
            api = self.path[len(self.stack.path) + 1:]  # unique among the handler's children, and stable
            handler.add_permission(f"{api}Permission{route.method}{route.path}".replace("/", "|"),
                                   principal=APIGATEWAY_SERVICE, source_arn=source_arn)
            return
        CfnResource(method, "Permission", type="AWS::Lambda::Permission", properties={
            "Action": "lambda:InvokeFunction", "FunctionName": handler.function_arn,
            "Principal": APIGATEWAY_SERVICE, "SourceArn": source_arn})

    # -- deployment -----------------------------------------------------------------------------

    def _routes_fingerprint(self) -> str:
        """A hash of everything a deployment snapshots: the API's settings, its resources and methods."""
        elements = [self.resource, *self._resources.values(), *self._methods.values(),
                    *(authorizer.resource for authorizer in self._authorizers if authorizer.resource is not None)]
        # Metadata is no part of what API Gateway snapshots (an iac.suppress on a method must not redeploy it)
        described = {element.path: {key: value for key, value in element.render().items() if key != "Metadata"}
                     for element in elements}
        return hashlib.sha256(stable_key(described).encode()).hexdigest()[:HASH_LENGTH].upper()

    # -- validation -----------------------------------------------------------------------------

    def validate(self) -> list[str]:
        problems = []
        if not self.routes:
            problems.append(f"RestApi {self.path} has no routes: add_route(\"GET\", \"/\", function) adds one "
                            "(CloudFormation cannot deploy an API without methods)")
        if self.endpoint_type == "PRIVATE" and self.resource.render().get("Properties", {}).get("Policy") is None:
            problems.append(f"RestApi {self.path} is PRIVATE but has no resource policy, so nothing may call it "
                            "and API Gateway refuses to deploy it: add one with "
                            "RestApi(policy=...) or RestApi(vpc_endpoints=[...])")
        return problems


def _segment_id(segment: str) -> str:
    """The construct id of a path segment; "+" (never in a literal segment) keeps /GET apart from GET."""
    return f"{segment}+" if segment in HTTP_METHODS else segment


class Deployment(CfnResource):
    """AWS::ApiGateway::Deployment whose logical id ends in a hash of the routes it snapshots.

    CloudFormation never updates a deployment's snapshot in place; a new logical id makes it create a
    new deployment (and the Stage, which refers to it, moves there).

    Args:
        rest_api_id: the API the deployment snapshots (its Ref).
        fingerprint: returns the hash of the API's routes and integrations when the template is written,
            so the id follows every route added after the deployment was created.
    """

    def __init__(self, scope: Construct, id: str, *, rest_api_id: Any, fingerprint: Callable[[], str]) -> None:
        super().__init__(scope, id, type="AWS::ApiGateway::Deployment", properties={"RestApiId": rest_api_id})
        self._fingerprint = fingerprint

    @property
    def logical_id(self) -> str:
        if self._logical_id_override is not None:
            return self._logical_id_override
        base = super().logical_id[: MAX_LOGICAL_ID_LENGTH - HASH_LENGTH]
        return base + self._fingerprint()


__all__ = ["ApiKey", "Authorizer", "AwsIntegration", "CloudWatchRole", "CognitoUserPoolsAuthorizer", "Cors",
           "Deployment", "IntegrationResponse", "LambdaHandler", "LambdaIntegration", "MockIntegration",
           "RequestAuthorizer", "RestApi", "TokenAuthorizer", "UsagePlan", "UserPoolLike"]
