"""StaticWebsite: a folder of files served by CloudFront from a private bucket, optionally at your domain.

    zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789ABC", zone_name="example.com")
    StaticWebsite(stack, "Site", source="site", domain_name="www.example.com", hosted_zone=zone)

What it makes: a private, encrypted, retained bucket (`<id>/Bucket`); a distribution (`<id>/Distribution`)
reading it through an origin access control, redirecting to HTTPS, serving `index.html` for "/" and the
error page (when given) for missing keys; with `domain_name`, a DNS-validated certificate
(`<id>/Certificate`, unless `certificate=` is given) and A and AAAA alias records (`<id>/AliasA`,
`<id>/AliasAaaa`) in `hosted_zone`. CloudFront takes certificates of us-east-1 only, so a stack that
makes the certificate must have region="us-east-1".

How the files get there: `iac synth` packs `source` into a deterministic zip (an asset, named by its
sha256); `iac deploy` uploads it to the asset bucket before the change set, as for a function's code; then
CloudFormation calls the custom resource `<id>/Files` (Custom::SiteFiles, a small Lambda function of iac's,
`<id>/FilesHandler`), which writes the zip's files into the bucket with their content types, deletes the
keys the site no longer has, and on an update invalidates "/*" on the distribution. Changing a file changes
the zip's hash, hence the custom resource's SourceKey, hence an update: the files are only rewritten when
they changed. The function may read that one asset, write to this bucket and invalidate this distribution.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from iac.constructs import awslambda, certificatemanager, cloudfront, iam, route53, s3
from iac.constructs.core import Aws, CfnResource, Construct, Duration, Token, is_token
from iac.constructs.core.asset import Asset
from iac.constructs.core.props import Check
from iac.errors import ConstructError

#: The custom resource type that puts the files in place (see the module docstring).
FILES_TYPE = "Custom::SiteFiles"
HANDLER_FOLDER = os.path.join(os.path.dirname(__file__), "_site_files")
HANDLER_RUNTIME = "python3.13"
#: Where, in `log_bucket`, the distribution's logs and the site bucket's server access logs go (apart, so a
#: lifecycle rule or a query can take one kind).
CDN_LOG_PREFIX = "cdn/"
SITE_LOG_PREFIX = "site/"


def _source_rule(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return f"must be the folder holding the site's files, e.g. 'site', got {value!r}"
    return None


def _page_rule(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value or value.startswith("/"):
        return f"must be a key in the site's folder such as 'index.html' (no leading '/'), got {value!r}"
    return None


class StaticWebsite(Construct):
    """A static site: private bucket, CloudFront distribution, the files of a local folder, optionally a domain.

    Args:
        source: the folder holding the site's files (relative to your app file); put in the bucket at deploy.
        domain_name: the name viewers use, e.g. "www.example.com"; needs hosted_zone (for the records and the
            certificate's validation) or certificate.
        hosted_zone: the route53 zone of domain_name: A and AAAA aliases are made there, and the certificate
            validated through it.
        certificate: the certificate for domain_name (a certificatemanager.Certificate of a stack in us-east-1, or
            an ARN); default: one made here, validated by DNS in hosted_zone.
        index_document: the object served for "/" (default "index.html").
        error_document: the page served, with status 404, for a key the bucket does not have (e.g. "404.html").
        price_class: which edge locations serve: "PriceClass_100" (default: North America and Europe, the
            cheapest), "PriceClass_200" or "PriceClass_All".
        log_bucket: an s3.Bucket of the app receiving the site's access logs: the distribution's standard logs
            under "cdn/" and the site bucket's server access logs under "site/" (its ACLs are turned on,
            BucketOwnerPreferred, as CloudFront writes logs with an ACL); None: no logs.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        source: Annotated[str, Check(_source_rule)],
        domain_name: str | None = None,
        hosted_zone: route53.HostedZoneBase | None = None,
        certificate: certificatemanager.Certificate | str | Token | None = None,
        index_document: Annotated[str, Check(_page_rule)] = "index.html",
        error_document: Annotated[str | None, Check(_page_rule)] = None,
        price_class: str = "PriceClass_100",
        log_bucket: s3.Bucket | None = None,
    ) -> None:
        super().__init__(scope, id)
        folder = self._folder(source)
        self.bucket = s3.Bucket(self, "Bucket", access_logs_bucket=log_bucket,
                                access_logs_prefix=None if log_bucket is None else SITE_LOG_PREFIX)
        self.certificate = self._certificate(domain_name, hosted_zone, certificate)
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            default_behavior=cloudfront.Behavior(origin=cloudfront.S3Origin(self.bucket)),
            default_root_object=index_document,
            domain_names=[domain_name] if domain_name else None,
            certificate=self.certificate,
            price_class=price_class,
            log_bucket=log_bucket,
            log_prefix=None if log_bucket is None else CDN_LOG_PREFIX,
            error_responses=None if error_document is None else [
                {"ErrorCode": code, "ResponseCode": 404, "ResponsePagePath": f"/{error_document}"}
                for code in (403, 404)],  # a private bucket answers 403 for a key it does not have
        )
        self.records: list[route53.ARecord | route53.AaaaRecord] = []
        if domain_name and hosted_zone is not None:
            self.records = [
                route53.ARecord(self, "AliasA", zone=hosted_zone, record_name=domain_name, target=self.distribution),
                route53.AaaaRecord(self, "AliasAaaa", zone=hosted_zone, record_name=domain_name,
                                   target=self.distribution),
            ]
        self.files = self._files(folder)
        self.domain_name = domain_name

    def _folder(self, source: str) -> str:
        base = os.path.dirname(self.location.file) if self.location else os.getcwd()
        folder = source if os.path.isabs(source) else os.path.normpath(os.path.join(base, source))
        if not os.path.isdir(folder):
            raise ConstructError(f"the site's folder {source!r} does not exist ({folder})", path=self.path,
                                 location=self.location, hint="paths are relative to the file that names them")
        return folder

    def _certificate(self, domain_name: str | None, zone: route53.HostedZoneBase | None, certificate: Any) -> Any:
        if not domain_name:
            if certificate is not None or zone is not None:
                raise ConstructError("certificate and hosted_zone are for domain_name, and none is given",
                                     path=self.path, location=self.location,
                                     hint="pass domain_name='www.example.com'")
            return None
        name, apex = domain_name.rstrip(".").lower(), zone.zone_name.lower() if zone is not None else ""  # DNS: no case
        if zone is not None and name != apex and not name.endswith(f".{apex}"):
            raise ConstructError(f"domain_name {domain_name!r} is not in the hosted zone {zone.zone_name}",
                                 path=self.path, location=self.location,
                                 hint=f"give a name ending in {zone.zone_name}, or the zone that holds {domain_name!r}")
        if certificate is not None:
            return certificate
        if zone is None:
            raise ConstructError(
                f"domain_name {domain_name!r} needs hosted_zone (to validate a certificate and point the name at the "
                "distribution) or certificate", path=self.path, location=self.location,
                hint="pass hosted_zone=route53.HostedZone.from_attributes(hosted_zone_id=..., zone_name=...)")
        return certificatemanager.Certificate(self, "Certificate", domain_name=domain_name,
                                              validation=certificatemanager.CertificateValidation.from_dns(zone))

    def _files(self, folder: str) -> CfnResource:
        content = Asset(self, "Content", path=folder)
        function = awslambda.Function(
            self, "FilesHandler", runtime=HANDLER_RUNTIME, handler="index.handler",
            code=awslambda.Code.from_asset(HANDLER_FOLDER), timeout=Duration.minutes(10), memory_size=512,
            description="iac StaticWebsite: puts the site's files into its bucket and invalidates the distribution")
        iam.grant(function, actions=["s3:GetObject"], scope=self,
                  resources=[f"arn:{Aws.PARTITION}:s3:::{content.bucket_name}/{content.object_key}"])
        self.bucket.grant_read_write(function)
        self.distribution.grant_create_invalidation(function)
        files = CfnResource(self, "Files", type=FILES_TYPE, properties={
            "ServiceToken": function.function_arn,
            "SourceBucket": content.bucket_name,
            "SourceKey": content.object_key,
            "DestinationBucket": self.bucket.bucket_name,
            "DistributionId": self.distribution.distribution_id,
        })
        function.role.add_policy_dependent(files)  # the function may act only once its policy exists
        return files

    @property
    def url(self) -> Any:
        """https:// and the domain name, or the distribution's own name when there is none."""
        name = self.domain_name if self.domain_name and not is_token(self.domain_name) else None
        return f"https://{name or self.distribution.domain_name}"
