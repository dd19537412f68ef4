"""cloudfront: a distribution reading a private bucket through an origin access control (the bucket policy lets
CloudFront read on behalf of this distribution only), HTTP origins, managed policies by id, TLS 1.2 with a
us-east-1 certificate (another region's refused at the user's line), price class, optional logging."""

from __future__ import annotations

from typing import Any

import pytest

from iac import App, ConstructError, Stack
from iac.constructs import apigateway, certificatemanager, cloudfront, iam, s3
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111-2222-333344445555"


def resources(app: App, stack: str = "Main") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def config(app: App, distribution: cloudfront.Distribution, stack: str = "Main") -> dict[str, Any]:
    return resources(app, stack)[distribution.resource.logical_id]["Properties"]["DistributionConfig"]


@pytest.fixture
def bucket(stack: Stack) -> s3.Bucket:
    return s3.Bucket(stack, "Site")


def site(stack: Stack, bucket: s3.Bucket, **options: Any) -> cloudfront.Distribution:
    behavior = cloudfront.Behavior(origin=cloudfront.S3Origin(bucket))
    return cloudfront.Distribution(stack, "Cdn", default_behavior=behavior, **options)


def test_an_s3_origin_is_read_through_an_origin_access_control(app, stack, bucket):
    distribution = site(stack, bucket, default_root_object="index.html")

    got = config(app, distribution)
    control = distribution.find_child("Origin1AccessControl")
    assert got["Origins"] == [{
        "Id": "Origin1", "DomainName": {"Fn::GetAtt": [bucket.resource.logical_id, "RegionalDomainName"]},
        "S3OriginConfig": {"OriginAccessIdentity": ""},
        "OriginAccessControlId": {"Fn::GetAtt": [control.logical_id, "Id"]}}]
    assert resources(app)[control.logical_id]["Properties"]["OriginAccessControlConfig"] | {"Name": None} == {
        "Name": None, "Description": "Main/Cdn: signed requests to the bucket of Origin1",
        "OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}
    assert got["DefaultRootObject"] == "index.html"


def test_the_bucket_stays_private_and_only_this_distribution_may_read_it(app, stack, bucket):
    distribution = site(stack, bucket)

    template = resources(app)
    statements = template[bucket.policy.logical_id]["Properties"]["PolicyDocument"]["Statement"]
    assert statements[1] == {
        "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject",
        "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket.resource.logical_id, "Arn"]}, "/*"]]},
        "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Join": ["", [
            "arn:", {"Ref": "AWS::Partition"}, ":cloudfront::", {"Ref": "AWS::AccountId"}, ":distribution/",
            {"Ref": distribution.resource.logical_id}]]}}}}
    block = template[bucket.resource.logical_id]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())


def test_defaults_redirect_to_https_cache_optimized_http2and3_ipv6(app, stack, bucket):
    got = config(app, site(stack, bucket))

    assert got["DefaultCacheBehavior"] == {
        "TargetOriginId": "Origin1", "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": cloudfront.CachePolicy.CACHING_OPTIMIZED, "AllowedMethods": ["GET", "HEAD"],
        "CachedMethods": ["GET", "HEAD"], "Compress": True}
    assert (got["HttpVersion"], got["IPV6Enabled"], got["PriceClass"], got["Enabled"]) == (
        "http2and3", True, "PriceClass_All", True)
    assert got["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}


def test_the_managed_policy_ids_are_awss():
    assert cloudfront.CachePolicy.CACHING_OPTIMIZED == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    assert cloudfront.OriginRequestPolicy.ALL_VIEWER == "216adef6-5c7f-47e4-b989-5492eafa07d3"


def test_an_http_origin_behind_a_path_with_managed_policies(app, stack, bucket):
    api = cloudfront.HttpOrigin("api.example.com")
    distribution = site(stack, bucket, additional_behaviors={"/api/*": cloudfront.Behavior(
        origin=api, cache_policy_id=cloudfront.CachePolicy.CACHING_DISABLED,
        origin_request_policy_id=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        allowed_methods=cloudfront.AllowedMethods.ALL)})

    got = config(app, distribution)
    assert got["Origins"][1] == {"Id": "Origin2", "DomainName": "api.example.com", "CustomOriginConfig": {
        "OriginProtocolPolicy": "https-only", "HTTPPort": 80, "HTTPSPort": 443, "OriginSSLProtocols": ["TLSv1.2"]}}
    assert got["CacheBehaviors"] == [{
        "PathPattern": "/api/*", "TargetOriginId": "Origin2", "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
        "AllowedMethods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
        "CachedMethods": ["GET", "HEAD", "OPTIONS"], "Compress": True}]


def test_a_rest_api_origin_is_its_execute_api_domain_and_stage(app, stack, resolve):
    api = apigateway.RestApi(stack, "Api")
    origin = cloudfront.HttpOrigin.from_rest_api(api)

    assert origin.origin_path == f"/{api.stage_name}"
    assert resolve(origin.domain_name) == {"Fn::Join": ["", [
        {"Ref": api.resource.logical_id}, ".execute-api.", {"Ref": "AWS::Region"}, ".", {"Ref": "AWS::URLSuffix"}]]}


def test_a_certificate_gives_aliases_sni_and_tls_1_2_2021(app, bucket):
    stack = bucket.stack
    distribution = site(stack, bucket, domain_names=["www.example.com"], certificate=CERTIFICATE_ARN,
                        price_class="PriceClass_100")

    got = config(app, distribution)
    assert got["Aliases"] == ["www.example.com"]
    assert got["ViewerCertificate"] == {"AcmCertificateArn": CERTIFICATE_ARN, "SslSupportMethod": "sni-only",
                                        "MinimumProtocolVersion": "TLSv1.2_2021"}
    assert got["PriceClass"] == "PriceClass_100"


def test_a_certificate_of_a_stack_in_another_region_is_refused_at_the_users_line(app):
    stack = Stack(app, "Eu", region="eu-west-1")
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com")

    with pytest.raises(ConstructError, match="only certificates of us-east-1") as caught:
        site(stack, s3.Bucket(stack, "Site"), domain_names=["www.example.com"], certificate=certificate)
    assert caught.value.location.file == __file__
    assert "region='us-east-1'" in caught.value.hint


def test_a_certificate_of_a_stack_without_region_is_refused_too(stack, bucket):
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com")

    with pytest.raises(ConstructError, match="no region"):
        site(stack, bucket, domain_names=["www.example.com"], certificate=certificate)


def test_a_certificate_arn_of_another_region_is_refused(stack, bucket):
    with pytest.raises(ConstructError, match="'eu-west-1'"):
        site(stack, bucket, domain_names=["www.example.com"],
             certificate=CERTIFICATE_ARN.replace("us-east-1", "eu-west-1"))


def test_a_us_east_1_certificate_in_the_distributions_stack_is_its_ref(app):
    stack = Stack(app, "Edge", region="us-east-1")
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com")
    distribution = site(stack, s3.Bucket(stack, "Site"), domain_names=["www.example.com"], certificate=certificate)

    assert config(app, distribution, "Edge")["ViewerCertificate"]["AcmCertificateArn"] == {
        "Ref": certificate.resource.logical_id}


def test_a_certificate_must_cover_every_domain_name(app):
    stack = Stack(app, "Edge", region="us-east-1")
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="*.Example.com",
                                                 subject_alternative_names=["example.com"])
    site(stack, s3.Bucket(stack, "Site"), domain_names=["www.example.com", "EXAMPLE.com"], certificate=certificate)

    with pytest.raises(ConstructError, match=r"does not cover 'a.b.example.com', 'example.org'") as caught:
        cloudfront.Distribution(stack, "Other", default_behavior=cloudfront.Behavior(
            origin=cloudfront.S3Origin(s3.Bucket(stack, "OtherSite"))), certificate=certificate,
            domain_names=["a.b.example.com", "example.org", "api.example.com"])
    assert caught.value.location.file == __file__


def test_domain_names_without_a_certificate_are_refused(stack, bucket):
    with pytest.raises(ConstructError, match="need a certificate"):
        site(stack, bucket, domain_names=["www.example.com"])


def test_an_unknown_price_class_is_refused_from_the_schemas_enum(stack, bucket):
    with pytest.raises(ConstructError, match="PriceClass_100"):
        site(stack, bucket, price_class="PriceClass_50")


def test_an_error_response_is_checked_against_the_schema_of_custom_error_responses(stack, bucket):
    with pytest.raises(ConstructError, match=r"'ErrorCode' is a required property at \[0\] \("
                                             r"AWS::CloudFront::Distribution DistributionConfig.CustomErrorResponses"):
        site(stack, bucket, error_responses=[{"ResponseCode": 200, "ResponsePagePath": "/index.html"}])


def test_a_bucket_of_another_stack_is_refused(app, stack):
    other = s3.Bucket(Stack(app, "Storage"), "Site")

    with pytest.raises(ConstructError, match="another stack"):
        site(stack, other)


def test_a_kms_encrypted_bucket_is_refused(stack):
    bucket = s3.Bucket(stack, "Site", encryption="KMS",
                       kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-0000-1111-2222-333344445555")

    with pytest.raises(ConstructError, match="KMS key"):
        site(stack, bucket)


def test_logging_turns_on_the_log_buckets_acls(app, stack, bucket):
    logs = s3.Bucket(stack, "Logs")
    distribution = site(stack, bucket, log_bucket=logs, log_prefix="cdn/")

    assert config(app, distribution)["Logging"] == {
        "Bucket": {"Fn::GetAtt": [logs.resource.logical_id, "DomainName"]}, "Prefix": "cdn/", "IncludeCookies": False}
    assert resources(app)[logs.resource.logical_id]["Properties"]["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}


def test_logs_can_go_to_an_existing_bucket_whose_acls_its_owner_keeps(app, stack, bucket):
    logs = s3.Bucket.from_bucket_name(stack, "Logs", "central-logs")
    distribution = site(stack, bucket, log_bucket=logs)

    assert config(app, distribution)["Logging"] == {
        "Bucket": {"Fn::Join": ["", ["central-logs.s3.", {"Ref": "AWS::URLSuffix"}]]}, "IncludeCookies": False}
    assert {entry["Type"] for entry in resources(app).values()} == {
        "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::CloudFront::Distribution",
        "AWS::CloudFront::OriginAccessControl"}  # the site's bucket only: nothing of the log bucket


def test_grant_create_invalidation_names_the_distribution(app, stack, bucket):
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    distribution = site(stack, bucket)

    grant = distribution.grant_create_invalidation(role)

    assert grant.statement.actions == ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"]
    assert grant.statement.resources == [distribution.distribution_arn]


def test_distributions_pass_the_schemas_and_cfn_lint(app):
    stack = Stack(app, "Edge", region="us-east-1")
    certificate = certificatemanager.Certificate(stack, "Cert", domain_name="www.example.com")
    bucket = s3.Bucket(stack, "Site")
    site(stack, bucket, domain_names=["www.example.com"], certificate=certificate, default_root_object="index.html",
         log_bucket=s3.Bucket(stack, "Logs"), additional_behaviors={
             "/api/*": cloudfront.Behavior(origin=cloudfront.HttpOrigin("api.example.com"),
                                           cache_policy_id=cloudfront.CachePolicy.CACHING_DISABLED)})

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)
    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


def test_a_us_east_1_certificate_for_a_distribution_in_another_region_is_refused(app):
    certificate = certificatemanager.Certificate(Stack(app, "Certs", region="us-east-1"), "Cert",
                                                 domain_name="www.example.com")
    stack = Stack(app, "Eu", region="eu-west-1")

    with pytest.raises(ConstructError, match="exports do not cross regions") as caught:
        site(stack, s3.Bucket(stack, "Site"), domain_names=["www.example.com"], certificate=certificate)
    assert "ARN as a string" in caught.value.hint


def test_a_load_balancer_origin_is_its_dns_name_over_http(app, stack, resolve):
    from iac.constructs import ec2, elbv2

    balancer = elbv2.ApplicationLoadBalancer(stack, "Lb", vpc=ec2.Vpc(stack, "Vpc", max_azs=2))
    origin = cloudfront.HttpOrigin.from_load_balancer(balancer)

    assert resolve(origin.domain_name) == {"Fn::GetAtt": [balancer.resource.logical_id, "DNSName"]}
    assert origin.protocol_policy == "http-only"


def test_an_origin_path_must_start_with_a_slash(bucket):
    with pytest.raises(ConstructError, match="origin_path must start with '/'"):
        cloudfront.S3Origin(bucket, origin_path="site/")
