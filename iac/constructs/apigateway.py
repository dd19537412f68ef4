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
import re
import typing
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

import attrs

from iac.constructs import ec2, iam
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Lazy, Output, Token
from iac.constructs.core.logical_id import HASH_LENGTH, MAX_LOGICAL_ID_LENGTH, is_valid_logical_id
from iac.constructs.core.props import Cfn, Check
from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.tokens import stable_key
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
    ) -> None:
        super().__init__(scope, id)
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
        self.deployment = Deployment(self, "Deployment", rest_api_id=self.rest_api_id,
                                     fingerprint=self._routes_fingerprint)
        self.stage = self._stage()
        self._endpoint_output()

    def _stage(self) -> CfnResource:
        """The stage serves the latest deployment: its DeploymentId moves when the routes change."""
        return CfnResource(self, "Stage", type="AWS::ApiGateway::Stage", properties={
            "RestApiId": self.rest_api_id,
            "DeploymentId": self.deployment.ref,
            "StageName": self.stage_name,
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

    def add_route(self, method: str, path: str, handler: LambdaHandler) -> CfnResource:
        """Invoke `handler` (a Function or Alias) for `method` requests to `path`; returns the Method.

        `path` starts with "/"; `{name}` is a path parameter, `{name+}` (last segment only) takes the
        rest of the path. `method` is one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or ANY.
        """
        location = caller_location()
        route = self._checked_route(method, path, handler, location)
        resource_id = self._resource_for(route.segments)
        if self.cors is not None:
            self._add_preflight(self.cors, route.segments, resource_id)
        created = self._add_method(route, resource_id, self._proxy_method(route, handler))
        self._routes.append(route)
        self._permit(route, handler, created)
        return created

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
        if not isinstance(handler, LambdaHandler):
            raise error(f"add_route {route.method} {route.path}: the handler must be a Lambda Function or Alias "
                        f"(something with function_arn and add_permission), got {type(handler).__name__}")
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
        invocation = (f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/{LAMBDA_INVOKE_API_VERSION}"
                      f"/functions/{handler.function_arn}/invocations")
        return {
            "HttpMethod": route.method,
            "AuthorizationType": "NONE",
            # Declared path parameters show in the console and can be cache keys; proxy passes them anyway.
            "RequestParameters": {_PATH_PARAMETER_PREFIX + name: True for name in route.parameters} or None,
            "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": Fn.sub(invocation)},
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
        elements = [self.resource, *self._resources.values(),
                    *self._methods.values()]
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


__all__ = ["Cors", "Deployment", "LambdaHandler", "RestApi"]
