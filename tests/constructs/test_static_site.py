"""StaticWebsite: a private bucket, a distribution reading it through an origin access control, a certificate and
aliases for the domain, and the site's files put in place at deploy by a custom resource whose function may read
that one asset, write that bucket and invalidate that distribution. The function itself runs here against the
local moto server (tests/local_aws.py)."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from local_aws import aws_env, moto, moto_client, moto_server  # noqa: F401 - fixtures

from iac import App, ConstructError, Stack
from iac.constructs import certificatemanager, route53, s3
from iac.constructs.core.asset import Asset
from iac.constructs.patterns import StaticWebsite
from iac.constructs.patterns.static_site import HANDLER_FOLDER
from iac.synth import synthesize
from iac.synth.lint import lint_template
from iac.synth.synthesizer import validate_assembly

ZONE = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="example.com")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "css").mkdir(parents=True)
    (site / "index.html").write_text("<h1>hi</h1>")
    (site / "css" / "site.css").write_text("body {}")
    return site


@pytest.fixture
def edge(app: App) -> Stack:
    return Stack(app, "Edge", region="us-east-1")


def resources(app: App, stack: str = "Edge") -> dict[str, Any]:
    return synthesize(app).template(stack)["Resources"]


def test_a_site_without_a_domain_is_a_bucket_a_distribution_and_its_files(app, edge, folder):
    site = StaticWebsite(edge, "Site", source=str(folder))

    types = sorted(r["Type"] for r in resources(app).values())
    assert types == ["AWS::CloudFront::Distribution", "AWS::CloudFront::OriginAccessControl", "AWS::IAM::Policy",
                     "AWS::IAM::Role", "AWS::Lambda::Function", "AWS::S3::Bucket", "AWS::S3::BucketPolicy",
                     "Custom::SiteFiles"]
    config = resources(app)[site.distribution.resource.logical_id]["Properties"]["DistributionConfig"]
    assert (config["DefaultRootObject"], config["PriceClass"]) == ("index.html", "PriceClass_100")
    assert config["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}


def test_a_domain_brings_a_dns_validated_certificate_and_two_aliases(app, edge, folder):
    site = StaticWebsite(edge, "Site", source=str(folder), domain_name="www.example.com", hosted_zone=ZONE)

    template = resources(app)
    certificate = template[site.certificate.resource.logical_id]["Properties"]
    assert certificate["DomainValidationOptions"] == [{"DomainName": "www.example.com",
                                                       "HostedZoneId": "Z0123456789EXAMPLE"}]
    records = [template[r.resource.logical_id]["Properties"] for r in site.records]
    assert [(r["Name"], r["Type"]) for r in records] == [("www.example.com", "A"), ("www.example.com", "AAAA")]
    config = template[site.distribution.resource.logical_id]["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["www.example.com"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == {"Ref": site.certificate.resource.logical_id}
    assert site.url == "https://www.example.com"


def test_a_site_in_a_stack_outside_us_east_1_is_refused_at_the_users_line(app, folder):
    stack = Stack(app, "Eu", region="eu-west-1")

    with pytest.raises(ConstructError, match="only certificates of us-east-1") as caught:
        StaticWebsite(stack, "Site", source=str(folder), domain_name="www.example.com", hosted_zone=ZONE)
    assert caught.value.location.file == __file__


def test_a_certificate_from_a_us_east_1_stack_serves_a_site_there(app, edge, folder):
    certificate = certificatemanager.Certificate(edge, "Cert", domain_name="www.example.com")
    site = StaticWebsite(edge, "Site", source=str(folder), domain_name="www.example.com", certificate=certificate)

    assert site.certificate is certificate and site.records == []


def test_the_error_page_answers_missing_keys_with_404(app, edge, folder):
    site = StaticWebsite(edge, "Site", source=str(folder), error_document="404.html")

    config = resources(app)[site.distribution.resource.logical_id]["Properties"]["DistributionConfig"]
    assert config["CustomErrorResponses"] == [
        {"ErrorCode": 403, "ResponseCode": 404, "ResponsePagePath": "/404.html"},
        {"ErrorCode": 404, "ResponseCode": 404, "ResponsePagePath": "/404.html"}]


def test_the_files_resource_names_the_asset_the_bucket_and_the_distribution(app, edge, folder):
    site = StaticWebsite(edge, "Site", source=str(folder))
    content = site.find_child("Content")
    assert isinstance(content, Asset)

    template = resources(app)
    files = template[site.files.logical_id]
    handler = site.find_child("FilesHandler")
    assert files["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": [handler.resource.logical_id, "Arn"]},
        "SourceBucket": {"Fn::Sub": "iac-assets-${AWS::AccountId}-${AWS::Region}"},
        "SourceKey": f"{content.sha256}.zip",
        "DestinationBucket": {"Ref": site.bucket.resource.logical_id},
        "DistributionId": {"Ref": site.distribution.resource.logical_id}}
    assert files["DependsOn"] == [handler.role.default_policy.logical_id]
    assert content.sha256 in synthesize(app).assets


def test_the_function_may_read_that_asset_write_that_bucket_and_invalidate_that_distribution(app, edge, folder):
    site = StaticWebsite(edge, "Site", source=str(folder))
    content = site.find_child("Content")
    policy = resources(app)[site.find_child("FilesHandler").role.default_policy.logical_id]

    by_action = {(statement["Action"] if isinstance(statement["Action"], str) else statement["Action"][0]):
                 statement["Resource"]
                 for statement in policy["Properties"]["PolicyDocument"]["Statement"]}
    bucket_arn = {"Fn::GetAtt": [site.bucket.resource.logical_id, "Arn"]}
    assert by_action["s3:GetObject"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":s3:::", {"Fn::Sub": "iac-assets-${AWS::AccountId}-${AWS::Region}"},
        f"/{content.sha256}.zip"]]}
    assert by_action["s3:Abort*"] == [bucket_arn, {"Fn::Join": ["", [bucket_arn, "/*"]]}]
    assert by_action["cloudfront:CreateInvalidation"] == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":cloudfront::", {"Ref": "AWS::AccountId"}, ":distribution/",
        {"Ref": site.distribution.resource.logical_id}]]}
    assert len(by_action) == 3


def test_a_missing_folder_is_refused_at_the_users_line(edge, tmp_path):
    with pytest.raises(ConstructError, match="does not exist") as caught:
        StaticWebsite(edge, "Site", source=str(tmp_path / "nothing"))
    assert caught.value.location.file == __file__


def test_a_domain_outside_the_zone_is_refused_even_with_a_certificate(edge, folder):
    certificate = certificatemanager.Certificate(edge, "Cert", domain_name="www.example.org")

    with pytest.raises(ConstructError, match="not in the hosted zone example.com"):
        StaticWebsite(edge, "Site", source=str(folder), domain_name="www.example.org", hosted_zone=ZONE,
                      certificate=certificate)


def test_a_domain_is_in_its_zone_whatever_the_case(app, edge, folder):
    zone = route53.HostedZone.from_attributes(hosted_zone_id="Z0123456789EXAMPLE", zone_name="Example.com")

    site = StaticWebsite(edge, "Site", source=str(folder), domain_name="www.example.com", hosted_zone=zone)

    template = resources(app)
    assert [template[r.resource.logical_id]["Properties"]["Name"] for r in site.records] == [
        "www.example.com", "www.example.com"]  # not www.example.com.Example.com


def test_a_domain_without_a_zone_or_certificate_is_refused(edge, folder):
    with pytest.raises(ConstructError, match="needs hosted_zone"):
        StaticWebsite(edge, "Site", source=str(folder), domain_name="www.example.com")


def test_the_site_passes_the_schemas_and_cfn_lint(app, edge, folder):
    StaticWebsite(edge, "Site", source=str(folder), domain_name="www.example.com", hosted_zone=ZONE,
                  error_document="404.html")

    assembly = synthesize(app)
    validate_assembly(assembly, lint=False)
    assert lint_template(assembly.stacks[0].body, "us-east-1") == []


# -- the function that puts the files in place, against the local moto server --------------------------

def handler_module() -> Any:
    spec = importlib.util.spec_from_file_location("iac_site_files_index", Path(HANDLER_FOLDER) / "index.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def site_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def event(kind: str, distribution_id: str = "") -> dict[str, Any]:
    return {"RequestType": kind, "RequestId": f"request-{kind}", "ResponseURL": "unused", "StackId": "stack",
            "LogicalResourceId": "SiteFiles", "ResourceProperties": {
                "SourceBucket": "assets", "SourceKey": "site.zip", "DestinationBucket": "site",
                "DistributionId": distribution_id}}


@pytest.fixture
def buckets(moto_client: Any) -> Any:  # noqa: F811 - the fixture of local_aws
    s3 = moto_client("s3")
    s3.create_bucket(Bucket="assets")
    s3.create_bucket(Bucket="site")
    return s3


def keys(s3: Any) -> dict[str, str]:
    listed = s3.list_objects_v2(Bucket="site").get("Contents", [])
    return {item["Key"]: s3.head_object(Bucket="site", Key=item["Key"])["ContentType"] for item in listed}


def test_create_writes_every_file_with_its_content_type(buckets):
    buckets.put_object(Bucket="assets", Key="site.zip", Body=site_zip({
        "index.html": "<h1>hi</h1>", "css/site.css": "body {}", "app.js": "1", "logo.svg": "<svg/>"}))

    data = handler_module().on_event(event("Create"), s3=buckets)

    assert keys(buckets) == {"app.js": "text/javascript", "css/site.css": "text/css", "index.html": "text/html",
                             "logo.svg": "image/svg+xml"}
    assert buckets.get_object(Bucket="site", Key="index.html")["Body"].read() == b"<h1>hi</h1>"
    assert data == {"Files": "4", "Removed": "0", "InvalidationId": ""}


def test_update_removes_what_the_site_no_longer_has_and_invalidates(buckets, moto_client):  # noqa: F811
    cloudfront = moto_client("cloudfront")
    distribution = cloudfront.create_distribution(DistributionConfig={
        "CallerReference": "test", "Comment": "", "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{"Id": "o", "DomainName": "site.s3.amazonaws.com",
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "o", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}})["Distribution"]
    buckets.put_object(Bucket="site", Key="old.html", Body=b"gone")
    buckets.put_object(Bucket="assets", Key="site.zip", Body=site_zip({"index.html": "<h1>v2</h1>"}))

    data = handler_module().on_event(event("Update", distribution["Id"]), s3=buckets, cloudfront=cloudfront)

    assert keys(buckets) == {"index.html": "text/html"}
    invalidation = cloudfront.get_invalidation(DistributionId=distribution["Id"], Id=data["InvalidationId"])
    assert invalidation["Invalidation"]["InvalidationBatch"]["Paths"]["Items"] == ["/*"]
    assert (data["Files"], data["Removed"]) == ("1", "1")


def test_delete_leaves_the_files_in_the_retained_bucket(buckets):
    buckets.put_object(Bucket="site", Key="index.html", Body=b"kept")

    assert handler_module().on_event(event("Delete"), s3=buckets) == {}
    assert list(keys(buckets)) == ["index.html"]


def test_a_failure_is_reported_to_cloudformation_not_raised(monkeypatch):
    module = handler_module()
    answers: list[tuple[str, str]] = []
    monkeypatch.setattr(module, "on_event", lambda event: (_ for _ in ()).throw(RuntimeError("no such key")))
    monkeypatch.setattr(module, "respond", lambda event, status, data=None, reason="": answers.append((status, reason)))

    module.handler(event("Create"), None)

    assert answers == [("FAILED", "RuntimeError: no such key")]


def test_the_answer_is_put_to_cloudformations_url_as_the_protocol_says():
    import http.server
    import json
    import threading

    received: list[dict[str, Any]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_PUT(self) -> None:  # noqa: N802 - the name http.server calls
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    request = event("Create") | {"ResponseURL": f"http://127.0.0.1:{server.server_port}/answer"}

    handler_module().respond(request, "SUCCESS", data={"Files": "2"})
    thread.join(timeout=10)
    server.server_close()

    assert received == [{"Status": "SUCCESS", "Reason": "SUCCESS", "PhysicalResourceId": "site", "StackId": "stack",
                         "RequestId": "request-Create", "LogicalResourceId": "SiteFiles", "Data": {"Files": "2"}}]


def test_a_log_bucket_keeps_the_distributions_and_the_buckets_access_logs_apart(app, edge, folder):
    from iac.checks import run_checks  # noqa: PLC0415 - the checks are what this option answers

    logs = s3.Bucket(edge, "Logs")
    site = StaticWebsite(edge, "Site", source=str(folder), log_bucket=logs)

    template = synthesize(app).template("Edge")
    found = template["Resources"]
    config = found[site.distribution.resource.logical_id]["Properties"]["DistributionConfig"]
    assert config["Logging"]["Prefix"] == "cdn/"
    assert config["Logging"]["Bucket"] == {"Fn::GetAtt": [logs.resource.logical_id, "DomainName"]}
    logging = found[site.bucket.resource.logical_id]["Properties"]["LoggingConfiguration"]
    assert logging == {"DestinationBucketName": {"Ref": logs.resource.logical_id}, "LogFilePrefix": "site/"}
    ids = {result.rule.id for result in run_checks(template)}
    assert not ids & {"IAC-S3-005", "IAC-CLOUDFRONT-001"}


def test_without_a_log_bucket_the_site_keeps_no_access_logs(app, edge, folder):
    site = StaticWebsite(edge, "Site", source=str(folder))

    found = resources(app)
    assert "Logging" not in found[site.distribution.resource.logical_id]["Properties"]["DistributionConfig"]
    assert "LoggingConfiguration" not in found[site.bucket.resource.logical_id]["Properties"]
