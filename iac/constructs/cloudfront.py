"""CloudFront: distributions in front of a private S3 bucket (origin access control) or an HTTP origin.

    site = s3.Bucket(stack, "Site")
    distribution = cloudfront.Distribution(
        stack, "Cdn",
        default_behavior=cloudfront.Behavior(origin=cloudfront.S3Origin(site)),
        default_root_object="index.html",
        domain_names=["www.example.com"], certificate=certificate)

Defaults: viewers are redirected to HTTPS; with a certificate, viewers need TLS 1.2 or later
(TLSv1.2_2021); HTTP/2 and HTTP/3; IPv6 on; the managed CachingOptimized cache policy.

An S3 origin stays private: the distribution reaches it through an origin access control (requests signed
with SigV4), and the bucket's policy lets the CloudFront service read objects only on behalf of this
distribution (aws:SourceArn is its ARN). The bucket keeps its public access block.

CloudFront accepts certificates of us-east-1 only; a certificate made in a stack of another region (or of a
stack with no region, which could be deployed anywhere) is refused at your line.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Final

import attrs

from iac.constructs import iam, s3
from iac.constructs.certificatemanager import Certificate
from iac.constructs.core import Aws, CfnResource, Construct, Fn, Token, is_token
from iac.constructs.core.props import Check, schema_problem
from iac.constructs.core.source import caller_location
from iac.constructs.route53 import AliasTarget
from iac.errors import ConstructError

RESOURCE_TYPE: Final = "AWS::CloudFront::Distribution"
ACCESS_CONTROL_TYPE: Final = "AWS::CloudFront::OriginAccessControl"
CLOUDFRONT_SERVICE: Final = "cloudfront.amazonaws.com"
#: The only region whose ACM certificates CloudFront accepts:
#: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html
CERTIFICATE_REGION: Final = "us-east-1"
#: The hosted zone id of every CloudFront distribution, for alias records (AliasTarget HostedZoneId):
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-route53-recordset-aliastarget.html
CLOUDFRONT_HOSTED_ZONE_ID: Final = "Z2FDTNDATAQYW2"
INVALIDATION_ACTIONS: Final = ("cloudfront:CreateInvalidation", "cloudfront:GetInvalidation")
#: The longest name an origin access control may have (CloudFront's quota on the Name field).
_ACCESS_CONTROL_NAME_MAX: Final = 64
_STACK_UUID_LENGTH: Final = 36


class CachePolicy:
    """The ids of CloudFront's managed cache policies (facts of AWS's, listed in "Use managed cache policies":
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html)."""

    CACHING_OPTIMIZED: Final = "658327ea-f89d-4fab-a63d-7e88639e58f6"
    CACHING_OPTIMIZED_FOR_UNCOMPRESSED_OBJECTS: Final = "b2884449-e4de-46a7-ac36-70bc7f1ddd6d"
    CACHING_DISABLED: Final = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    USE_ORIGIN_CACHE_CONTROL_HEADERS: Final = "83da9c7e-98b4-4e11-a168-04f0df8e2c65"
    USE_ORIGIN_CACHE_CONTROL_HEADERS_QUERY_STRINGS: Final = "4cc15a8a-d715-48a4-82b8-cc0b614638fe"


class OriginRequestPolicy:
    """The ids of CloudFront's managed origin request policies ("Use managed origin request policies":
    https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-origin-request-policies.html)."""

    ALL_VIEWER: Final = "216adef6-5c7f-47e4-b989-5492eafa07d3"
    ALL_VIEWER_AND_CLOUDFRONT_HEADERS_2022_06: Final = "33f36d7e-f396-46d9-90e0-52428a34d9dc"
    ALL_VIEWER_EXCEPT_HOST_HEADER: Final = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    CORS_S3_ORIGIN: Final = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"
    CORS_CUSTOM_ORIGIN: Final = "59781a5b-3903-41f3-afcb-af62929ccde1"
    USER_AGENT_REFERER_HEADERS: Final = "acba4595-bd28-49b8-b9fe-13317c0390fa"


class AllowedMethods:
    """The method sets CloudFront accepts for a behavior (and caches: GET and HEAD, plus OPTIONS when allowed)."""

    GET_HEAD: Final = ("GET", "HEAD")
    GET_HEAD_OPTIONS: Final = ("GET", "HEAD", "OPTIONS")
    ALL: Final = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


METHOD_SETS: Final = (AllowedMethods.GET_HEAD, AllowedMethods.GET_HEAD_OPTIONS, AllowedMethods.ALL)


def _enum_rule(*path: str) -> Any:
    """A `Check` rule: the value is one the schema enumerates at `path` of the distribution's properties."""

    def rule(value: Any) -> str | None:
        from iac.specs import property_enum

        allowed = property_enum(RESOURCE_TYPE, "DistributionConfig", *path)
        if value is None or is_token(value) or not allowed or value in allowed:
            return None
        return (f"must be one of {', '.join(repr(a) for a in allowed)}; got {value!r} "
                f"({RESOURCE_TYPE} DistributionConfig.{'.'.join(path)}, per its schema)")

    return rule


# -- origins ---------------------------------------------------------------------------------

class Origin:
    """Where a behavior's requests go; `bind` writes the Origins entry for one distribution."""

    origin_path: str | None

    def bind(self, distribution: Distribution, origin_id: str) -> dict[str, Any]:
        raise NotImplementedError


def _origin_path_problem(value: Any) -> str | None:
    if value is None or is_token(value):
        return None
    if not isinstance(value, str) or not value.startswith("/") or value.endswith("/"):
        return f"origin_path must start with '/' and not end with one, e.g. '/prod', got {value!r}"
    return None


class S3Origin(Origin):
    """A private bucket, read through an origin access control that this distribution alone may use."""

    def __init__(self, bucket: s3.Bucket, *, origin_path: str | None = None) -> None:
        location = caller_location()
        problem = _origin_path_problem(origin_path)
        if not isinstance(bucket, s3.Bucket):
            problem = f"S3Origin takes an s3.Bucket, got {bucket!r}"
        if problem is not None:
            raise ConstructError(problem, location=location)
        self.bucket = bucket
        self.origin_path = origin_path
        self.location = location

    def bind(self, distribution: Distribution, origin_id: str) -> dict[str, Any]:
        distribution._check_private_bucket(self.bucket, self.location)
        control = distribution._access_control(origin_id)
        self.bucket.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(CLOUDFRONT_SERVICE)],
            actions=["s3:GetObject"],
            resources=[self.bucket.arn_for_objects()],
            conditions={"StringEquals": {"AWS:SourceArn": distribution.distribution_arn}},
        ))
        return {
            "Id": origin_id,
            "DomainName": self.bucket.resource.get_att("RegionalDomainName"),
            "OriginPath": self.origin_path,
            "S3OriginConfig": {"OriginAccessIdentity": ""},  # empty: the access control signs instead
            "OriginAccessControlId": control.get_att("Id"),
        }


class HttpOrigin(Origin):
    """Any HTTP(S) server by its domain name; `from_load_balancer` and `from_rest_api` name AWS's own.

    protocol_policy is how CloudFront talks to it: "https-only" (default), "http-only" or "match-viewer"."""

    def __init__(self, domain_name: str | Token, *, origin_path: str | None = None,
                 protocol_policy: str = "https-only", http_port: int = 80, https_port: int = 443) -> None:
        location = caller_location()
        problem = _origin_path_problem(origin_path)
        if not is_token(domain_name) and (not isinstance(domain_name, str) or not domain_name or "/" in domain_name):
            problem = ("HttpOrigin takes a domain name such as 'api.example.com' (no scheme, no path), "
                       f"got {domain_name!r}")
        elif protocol_policy not in ("https-only", "http-only", "match-viewer"):
            problem = f"protocol_policy must be 'https-only', 'http-only' or 'match-viewer', got {protocol_policy!r}"
        if problem is not None:
            raise ConstructError(problem, location=location)
        self.domain_name = domain_name
        self.origin_path = origin_path
        self.protocol_policy = protocol_policy
        self.http_port = http_port
        self.https_port = https_port

    @staticmethod
    def from_load_balancer(load_balancer: Any, *, protocol_policy: str = "http-only") -> HttpOrigin:
        """An elbv2.ApplicationLoadBalancer by its DNS name. Over HTTP by default: the balancer's own name is
        not on any certificate, so "https-only" needs a listener whose certificate names the domain CloudFront
        is given (use HttpOrigin("lb.example.com") with a record pointing at the balancer for that)."""
        return HttpOrigin(load_balancer.dns_name, protocol_policy=protocol_policy)

    @staticmethod
    def from_rest_api(api: Any) -> HttpOrigin:
        """An apigateway.RestApi's stage (its execute-api domain, the stage as the origin path), over HTTPS."""
        stage = getattr(api, "stage_name", None) or "prod"
        return HttpOrigin(f"{api.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}", origin_path=f"/{stage}")

    def bind(self, distribution: Distribution, origin_id: str) -> dict[str, Any]:
        return {
            "Id": origin_id,
            "DomainName": self.domain_name,
            "OriginPath": self.origin_path,
            "CustomOriginConfig": {
                "OriginProtocolPolicy": self.protocol_policy, "HTTPPort": self.http_port,
                "HTTPSPort": self.https_port, "OriginSSLProtocols": ["TLSv1.2"]},
        }


# -- behaviors -------------------------------------------------------------------------------

def _behavior_problem(behavior: Behavior) -> str | None:
    if not isinstance(behavior.origin, Origin):
        return f"origin must be a cloudfront.S3Origin or HttpOrigin, got {behavior.origin!r}"
    if tuple(behavior.allowed_methods) not in METHOD_SETS:
        return f"allowed_methods must be one of cloudfront.AllowedMethods, got {behavior.allowed_methods!r}"
    return _enum_rule("DefaultCacheBehavior", "ViewerProtocolPolicy")(behavior.viewer_protocol_policy)


@attrs.frozen(kw_only=True)
class Behavior:
    """How requests matching a path pattern are served: from which origin, cached by which policy."""

    origin: Origin
    cache_policy_id: str | Token = CachePolicy.CACHING_OPTIMIZED
    origin_request_policy_id: str | Token | None = None
    viewer_protocol_policy: str = "redirect-to-https"
    allowed_methods: Sequence[str] = AllowedMethods.GET_HEAD
    compress: bool = True

    def to_cfn(self, origin_id: str, path_pattern: str | None = None) -> dict[str, Any]:
        methods = list(self.allowed_methods)
        cached = ["GET", "HEAD", "OPTIONS"] if "OPTIONS" in methods else ["GET", "HEAD"]
        return {
            "PathPattern": path_pattern,
            "TargetOriginId": origin_id,
            "ViewerProtocolPolicy": self.viewer_protocol_policy,
            "CachePolicyId": self.cache_policy_id,
            "OriginRequestPolicyId": self.origin_request_policy_id,
            "AllowedMethods": methods,
            "CachedMethods": cached,
            "Compress": self.compress,
        }


def _default_behavior_rule(value: Any) -> str | None:
    if not isinstance(value, Behavior):
        return f"must be a cloudfront.Behavior(origin=...), got {value!r}"
    return _behavior_problem(value)


def _additional_behaviors_rule(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        return "must map path patterns ('/api/*') to cloudfront.Behavior"
    for pattern, behavior in value.items():
        if not isinstance(pattern, str) or not pattern:
            return f"path patterns must be non-empty strings such as '/api/*', got {pattern!r}"
        problem = _default_behavior_rule(behavior)
        if problem:
            return f"[{pattern!r}] {problem}"
    return None


def _domain_names_rule(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        return "must be a list of domain names, e.g. ['www.example.com']"
    return None


def _error_responses_rule(value: Any) -> str | None:
    """A `Check` rule: each entry as the schema of DistributionConfig.CustomErrorResponses describes it."""
    if value is None:
        return None
    entries = [dict(entry) for entry in value]
    return schema_problem(RESOURCE_TYPE, ("DistributionConfig", "CustomErrorResponses"), entries)


# -- the distribution ------------------------------------------------------------------------

class Distribution(Construct):
    """A CloudFront distribution (`AWS::CloudFront::Distribution`, the child `Resource`), with an origin access
    control per S3 origin (`<OriginId>AccessControl`) and the bucket policy statements they need.

    Args:
        default_behavior: how requests no other behavior matches are served (`Behavior(origin=...)`).
        additional_behaviors: path patterns ("/api/*") and how their requests are served, in order of precedence.
        domain_names: the names viewers use (Aliases); they need `certificate`.
        certificate: the ACM certificate for `domain_names`: a certificatemanager.Certificate of a stack in
            us-east-1, or the ARN of one.
        minimum_protocol_version: the oldest TLS viewers may use with the certificate (default "TLSv1.2_2021").
        price_class: which edge locations serve: "PriceClass_All" (default), "PriceClass_200" or "PriceClass_100".
        default_root_object: the object served for the root URL, e.g. "index.html".
        comment: a note kept with the distribution.
        enabled: whether the distribution accepts requests.
        ipv6_enabled: answer IPv6 requests (and so AAAA alias records) (default True).
        http_version: the HTTP versions viewers may use (default "http2and3").
        log_bucket: an s3.Bucket receiving standard access logs (legacy logging: its ACLs are turned on,
            BucketOwnerPreferred, as CloudFront writes logs with an ACL; a bucket of `s3.Bucket.from_bucket_name`
            must have them on already); None: no logs.
        log_prefix: the key prefix of the log files, e.g. "cdn/".
        log_includes_cookies: include cookies in the access logs.
        web_acl_id: the ARN of an AWS WAF web ACL (global scope) guarding the distribution.
        error_responses: what viewers get for origin errors, as CloudFormation writes them, e.g.
            [{"ErrorCode": 403, "ResponseCode": 404, "ResponsePagePath": "/404.html"}] (a private bucket answers
            403 for a missing key); checked against the schema.
    """

    cfn_type = RESOURCE_TYPE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        default_behavior: Annotated[Behavior, Check(_default_behavior_rule)],
        additional_behaviors: Annotated[Mapping[str, Behavior] | None, Check(_additional_behaviors_rule)] = None,
        domain_names: Annotated[Sequence[str] | None, Check(_domain_names_rule)] = None,
        certificate: Certificate | str | Token | None = None,
        minimum_protocol_version: Annotated[str, Check(_enum_rule("ViewerCertificate", "MinimumProtocolVersion"))
                                            ] = "TLSv1.2_2021",
        price_class: Annotated[str, Check(_enum_rule("PriceClass"))] = "PriceClass_All",
        default_root_object: str | None = None,
        comment: str | None = None,
        enabled: bool = True,
        ipv6_enabled: bool = True,
        http_version: Annotated[str, Check(_enum_rule("HttpVersion"))] = "http2and3",
        log_bucket: s3.Bucket | None = None,
        log_prefix: str | None = None,
        log_includes_cookies: bool = False,
        web_acl_id: str | Token | None = None,
        error_responses: Annotated[Sequence[Mapping[str, Any]] | None, Check(_error_responses_rule)] = None,
    ) -> None:
        super().__init__(scope, id)
        self.ipv6_enabled = ipv6_enabled
        self._origin_ids: dict[int, str] = {}
        self._origins: list[dict[str, Any]] = []
        certificate_arn = self._certificate_arn(certificate, domain_names)
        self.resource = CfnResource(self, "Resource", type=RESOURCE_TYPE, properties={})
        default = self._behavior(None, default_behavior)  # the default's origin is Origin1
        behaviors = [self._behavior(pattern, b) for pattern, b in (additional_behaviors or {}).items()]
        self.resource.properties["DistributionConfig"] = {
            "Enabled": enabled,
            "Comment": comment,
            "Aliases": list(domain_names) if domain_names else None,
            "DefaultRootObject": default_root_object,
            "DefaultCacheBehavior": default,
            "CacheBehaviors": behaviors or None,
            "Origins": self._origins,
            "ViewerCertificate": self._viewer_certificate(certificate_arn, minimum_protocol_version),
            "PriceClass": price_class,
            "HttpVersion": http_version,
            "IPV6Enabled": ipv6_enabled,
            "Logging": self._logging(log_bucket, log_prefix, log_includes_cookies),
            "WebACLId": web_acl_id,
            "CustomErrorResponses": [dict(r) for r in error_responses] if error_responses else None,
        }

    # -- parts -----------------------------------------------------------------------------

    def _behavior(self, pattern: str | None, behavior: Behavior) -> dict[str, Any]:
        origin_id = self._origin_ids.get(id(behavior.origin))
        if origin_id is None:
            origin_id = self._origin_ids[id(behavior.origin)] = f"Origin{len(self._origin_ids) + 1}"
            self._origins.append(behavior.origin.bind(self, origin_id))
        return behavior.to_cfn(origin_id, pattern)

    def _access_control(self, origin_id: str) -> CfnResource:
        """An origin access control named "<id>-<hash of its path>-<stack UUID>": unique per stack, as names
        must be in an account, and the same on every update."""
        digest = hashlib.sha256(f"{self.path}/{origin_id}".encode()).hexdigest()[:8]
        budget = _ACCESS_CONTROL_NAME_MAX - _STACK_UUID_LENGTH - len(digest) - 2
        human = re.sub(r"[^A-Za-z0-9]+", "-", f"{self.id}-{origin_id}")[:budget].strip("-")
        return CfnResource(self, f"{origin_id}AccessControl", type=ACCESS_CONTROL_TYPE, properties={
            "OriginAccessControlConfig": {
                "Name": Fn.join("", [f"{human}-{digest}-", Fn.select(2, Fn.split("/", Aws.STACK_ID))]),
                "Description": f"{self.path}: signed requests to the bucket of {origin_id}",
                "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always",
                "SigningProtocol": "sigv4",
            }})

    def _check_private_bucket(self, bucket: s3.Bucket, location: Any) -> None:
        problem, hint = None, None
        if bucket.stack is not self.stack:
            problem = (f"the bucket {bucket.path} is in another stack than the distribution: its policy would name the "
                       "distribution while the distribution refers to the bucket, a cycle between the stacks")
            hint = f"make the bucket in the distribution's stack ({self.stack.path})"
        elif bucket.props.encryption == s3.BucketEncryption.KMS:
            problem = (f"the bucket {bucket.path} is encrypted with a KMS key: CloudFront could read its objects only "
                       "if the key's policy named this distribution, which refers to the bucket that refers to the key "
                       "(a cycle)")
            hint = "serve sites from a bucket with S3-managed encryption (the default)"
        if problem is not None:
            raise ConstructError(problem, path=self.path, location=location or self.location, hint=hint)

    def _certificate_arn(self, certificate: Any, domain_names: Sequence[str] | None) -> Any:
        if certificate is None:
            if domain_names:
                raise self._error("domain_names need a certificate: CloudFront serves other names only with an ACM "
                                  "certificate that covers them", hint="pass certificate= (a certificatemanager."
                                  "Certificate of a stack in us-east-1)")
            return None
        if not domain_names:
            raise self._error("a certificate is used only for domain_names, and none are given",
                              hint="pass domain_names=['www.example.com'] (the names the certificate covers)")
        if isinstance(certificate, Certificate):
            region = certificate.region
            if region != CERTIFICATE_REGION:
                where = f"region {region!r}" if region else "no region (it could be deployed to any)"
                raise self._error(
                    f"CloudFront accepts only certificates of {CERTIFICATE_REGION}; {certificate.path} is made in the "
                    f"stack {certificate.stack.path}, which has {where}",
                    hint=f"make the certificate in a stack with region={CERTIFICATE_REGION!r} (Stack(app, 'Cert', "
                    f"region={CERTIFICATE_REGION!r})), or pass the ARN of a certificate of {CERTIFICATE_REGION}")
            if certificate.stack is not self.stack and self.stack.region != CERTIFICATE_REGION:
                raise self._error(
                    f"the certificate {certificate.path} is in {CERTIFICATE_REGION} and the distribution's stack in "
                    f"{self.stack.region or 'no fixed region'}: CloudFormation exports do not cross regions",
                    hint="make the distribution's stack in us-east-1 too (CloudFront is global either way), or pass "
                    "the certificate's ARN as a string")
            uncovered = [name for name in domain_names if certificate.covers(name) is False]
            if uncovered:
                raise self._error(
                    f"the certificate {certificate.path} does not cover {', '.join(map(repr, uncovered))}: CloudFront "
                    "refuses a domain name its certificate is not valid for",
                    hint="add the names to the certificate's domain_name or subject_alternative_names")
            return certificate.certificate_arn
        if is_token(certificate):
            return certificate
        if isinstance(certificate, str):
            parts = certificate.split(":")
            if len(parts) < 6 or parts[2] != "acm":
                raise self._error(f"certificate must be a certificatemanager.Certificate or an ACM certificate ARN, "
                                  f"got {certificate!r}")
            if parts[3] != CERTIFICATE_REGION:
                raise self._error(f"CloudFront accepts only certificates of {CERTIFICATE_REGION}; {certificate!r} is "
                                  f"in {parts[3]!r}", hint=f"request the certificate in {CERTIFICATE_REGION}")
            return certificate
        raise self._error(f"certificate must be a certificatemanager.Certificate or an ACM certificate ARN, "
                          f"got {certificate!r}")

    @staticmethod
    def _viewer_certificate(certificate_arn: Any, minimum_protocol_version: str) -> dict[str, Any]:
        if certificate_arn is None:
            return {"CloudFrontDefaultCertificate": True}
        return {"AcmCertificateArn": certificate_arn, "SslSupportMethod": "sni-only",
                "MinimumProtocolVersion": minimum_protocol_version}

    def _logging(self, bucket: s3.Bucket | None, prefix: str | None, cookies: bool) -> dict[str, Any] | None:
        if bucket is None:
            if prefix is not None or cookies:
                raise self._error("log_prefix and log_includes_cookies need log_bucket (where the logs go)")
            return None
        if not isinstance(bucket, s3.Bucket):
            raise self._error(f"log_bucket must be an s3.Bucket, got {bucket!r}")
        if bucket.props.encryption == s3.BucketEncryption.KMS:
            raise self._error(f"CloudFront cannot write access logs to {bucket.path}: it is encrypted with a KMS key",
                              hint="log to a bucket with S3-managed encryption (the default)")
        if isinstance(bucket, s3.ImportedBucket):  # not ours to change: its owner turns its ACLs on
            domain: Any = f"{bucket.bucket_name}.s3.{Aws.URL_SUFFIX}"
        else:
            bucket.resource.add_property_override(
                "OwnershipControls", {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
            domain = bucket.resource.get_att("DomainName")
        return {"Bucket": domain, "Prefix": prefix, "IncludeCookies": cookies}

    def _error(self, message: str, hint: str | None = None) -> ConstructError:
        return ConstructError(message, path=self.path, location=self.location, hint=hint)

    # -- references --------------------------------------------------------------------------

    @property
    def distribution_id(self) -> Token:
        return self.resource.ref

    @property
    def domain_name(self) -> Token:
        """The distribution's own name, e.g. d111111abcdef8.cloudfront.net."""
        return self.resource.get_att("DomainName")

    @property
    def distribution_arn(self) -> str:
        """arn:<partition>:cloudfront::<account>:distribution/<id> (CloudFront is global: no region)."""
        return f"arn:{Aws.PARTITION}:cloudfront::{Aws.ACCOUNT_ID}:distribution/{self.distribution_id}"

    def alias_record_target(self) -> AliasTarget:
        """What a route53.ARecord / AaaaRecord alias to this distribution points at."""
        return AliasTarget(dns_name=self.domain_name, hosted_zone_id=CLOUDFRONT_HOSTED_ZONE_ID,
                           ipv6=self.ipv6_enabled)

    def grant_create_invalidation(self, grantee: Any) -> iam.Grant:
        """Create invalidations of this distribution (and read their status)."""
        return iam.grant(grantee, actions=INVALIDATION_ACTIONS, resources=[self.distribution_arn], scope=self)
