"""The static_site sample: www.example.com served by CloudFront from a private bucket, with a DNS-validated
certificate of us-east-1, A and AAAA aliases, and the files of samples/static_site/site/ as the asset its
custom resource copies into the bucket. (That it synthesizes --strict through the real CLI is
tests/samples/test_samples.py's, as for every sample.)"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from iac.cli.app_loader import load_app
from iac.testing import Template

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "static_site"


@pytest.fixture(scope="module")
def stack() -> Any:
    return load_app(str(SAMPLE / "app.py")).find_child("StaticSite")


@pytest.fixture(scope="module")
def template(stack: Any) -> Template:
    return Template.from_stack(stack)


def test_the_stack_is_in_us_east_1_where_cloudfront_takes_certificates(stack: Any) -> None:
    assert stack.region == "us-east-1"


def test_the_bucket_is_private_and_read_by_this_distribution_only(stack: Any, template: Template) -> None:
    site = stack.find_child("Site")
    buckets = template.find_resources("AWS::S3::Bucket")
    bucket = buckets[site.bucket.resource.logical_id]
    assert all(bucket["Properties"]["PublicAccessBlockConfiguration"].values())
    policy = template.find_resources("AWS::S3::BucketPolicy")[site.bucket.policy.logical_id]
    allow = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert [(s["Principal"], s["Action"]) for s in allow] == [({"Service": "cloudfront.amazonaws.com"}, "s3:GetObject")]
    arn = allow[0]["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert {"Ref": site.distribution.resource.logical_id} in arn["Fn::Join"][1]


def test_the_distribution_serves_www_over_tls_1_2_with_the_validated_certificate(stack: Any,
                                                                                  template: Template) -> None:
    (distribution,) = template.find_resources("AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    (certificate_id,) = template.find_resources("AWS::CertificateManager::Certificate")
    assert config["Aliases"] == ["www.example.com"]
    assert config["ViewerCertificate"] == {"AcmCertificateArn": {"Ref": certificate_id}, "SslSupportMethod": "sni-only",
                                           "MinimumProtocolVersion": "TLSv1.2_2021"}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert {r["ResponsePagePath"] for r in config["CustomErrorResponses"]} == {"/404.html"}
    certificate = template.find_resources("AWS::CertificateManager::Certificate")[certificate_id]["Properties"]
    assert certificate["DomainValidationOptions"] == [{"DomainName": "www.example.com",
                                                       "HostedZoneId": "Z0123456789EXAMPLE"}]


def test_www_is_an_alias_of_the_distribution_for_ipv4_and_ipv6(template: Template) -> None:
    records = template.find_resources("AWS::Route53::RecordSet").values()
    assert sorted((r["Properties"]["Name"], r["Properties"]["Type"], r["Properties"]["AliasTarget"]["HostedZoneId"])
                  for r in records) == [("www.example.com", "A", "Z2FDTNDATAQYW2"),
                                        ("www.example.com", "AAAA", "Z2FDTNDATAQYW2")]


def test_the_site_folder_is_the_asset_the_files_resource_copies(stack: Any, template: Template) -> None:
    content = stack.find_child("Site").find_child("Content")
    with zipfile.ZipFile(io.BytesIO(content.data)) as archive:
        assert sorted(archive.namelist()) == sorted(p.name for p in (SAMPLE / "site").iterdir())
    (files,) = template.find_resources("Custom::SiteFiles").values()
    assert files["Properties"]["SourceKey"] == f"{content.sha256}.zip"


def test_the_sites_access_logs_go_to_the_stacks_log_bucket_kept_90_days(stack: Any, template: Template) -> None:
    site, logs = stack.find_child("Site"), stack.find_child("AccessLogs")
    buckets = template.find_resources("AWS::S3::Bucket")
    assert buckets[site.bucket.resource.logical_id]["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": logs.resource.logical_id}, "LogFilePrefix": "site/"}
    (distribution,) = template.find_resources("AWS::CloudFront::Distribution").values()
    assert distribution["Properties"]["DistributionConfig"]["Logging"]["Prefix"] == "cdn/"
    rules = buckets[logs.resource.logical_id]["Properties"]["LifecycleConfiguration"]["Rules"]
    assert [rule["ExpirationInDays"] for rule in rules] == [90]
