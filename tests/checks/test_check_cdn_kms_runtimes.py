"""The CloudFront, KMS and HTTP API quick-create rules in detail (where they point, what they take from the
schemas), iac's own constructs' defaults against them, and deprecated Lambda runtimes in `iac validate`
of a template file: cfn-lint's runtime rules in the same pass are the check there, one finding a function."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from iac import App, Stack, specs
from iac.checks import run_checks
from iac.checks.rules import cloudfront_002_viewer_http, cloudfront_003_viewer_tls, kms_001_rotation
from iac.constructs import awslambda, cloudfront, kms
from iac.synth import synthesize
from iac.synth.template_files import validate_files

DISTRIBUTION = "AWS::CloudFront::Distribution"
TEMPLATES = Path(__file__).parent / "templates"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0b7e7e0c-1111-2222-3333-444455556666"


def findings(rule_id: str, template: dict[str, Any]) -> list[tuple[str, ...]]:
    return [tuple(str(part) for part in result.finding.path) for result in run_checks(template)
            if result.rule.id == rule_id]


def distribution(**config: Any) -> dict[str, Any]:
    base = {"Enabled": True, "Origins": [{"Id": "web", "DomainName": "origin.example.com",
                                           "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}],
            "DefaultCacheBehavior": {"TargetOriginId": "web", "ViewerProtocolPolicy": "redirect-to-https"}}
    return {"Resources": {"Cdn": {"Type": DISTRIBUTION, "Properties": {"DistributionConfig": {**base, **config}}}}}


# -- CloudFront -----------------------------------------------------------------------------------

def test_allow_all_is_the_schemas_and_each_behavior_is_found_where_it_is() -> None:
    assert cloudfront_002_viewer_http.ALLOW_ALL in specs.property_enum(
        DISTRIBUTION, "DistributionConfig", "DefaultCacheBehavior", "ViewerProtocolPolicy")
    template = distribution(
        DefaultCacheBehavior={"TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all"},
        CacheBehaviors=[{"PathPattern": "/a/*", "TargetOriginId": "web", "ViewerProtocolPolicy": "https-only"},
                        {"PathPattern": "/b/*", "TargetOriginId": "web", "ViewerProtocolPolicy": "allow-all"}])
    base = ("Resources", "Cdn", "Properties", "DistributionConfig")
    assert findings("IAC-CLOUDFRONT-002", template) == [
        (*base, "DefaultCacheBehavior", "ViewerProtocolPolicy"),
        (*base, "CacheBehaviors", "1", "ViewerProtocolPolicy")]


def test_every_security_policy_of_the_schema_is_placed_and_only_the_old_ones_are_found() -> None:
    policies = specs.property_enum(DISTRIBUTION, "DistributionConfig", "ViewerCertificate", "MinimumProtocolVersion")
    assert cloudfront_003_viewer_tls.MINIMUM in policies
    ranks = {policy: cloudfront_003_viewer_tls.rank(policy) for policy in policies}
    assert None not in ranks.values(), ranks  # a policy the rule cannot place would never be judged
    order = sorted(policies, key=lambda policy: ranks[policy] or ())
    assert order[:4] == ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016"]
    assert order.index("TLSv1.2_2019") < order.index("TLSv1.2_2021") < order.index("TLSv1.3_2025")
    for policy in policies:
        template = distribution(Aliases=["www.example.com"], ViewerCertificate={
            "AcmCertificateArn": CERTIFICATE, "SslSupportMethod": "sni-only", "MinimumProtocolVersion": policy})
        older = order.index(policy) < order.index(cloudfront_003_viewer_tls.MINIMUM)
        assert bool(findings("IAC-CLOUDFRONT-003", template)) == older, policy


def test_the_default_certificate_and_a_computed_policy_are_not_judged() -> None:
    assert findings("IAC-CLOUDFRONT-003", distribution(ViewerCertificate={
        "CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"})) == []
    assert findings("IAC-CLOUDFRONT-003", distribution(ViewerCertificate={
        "AcmCertificateArn": CERTIFICATE, "SslSupportMethod": "sni-only",
        "MinimumProtocolVersion": {"Ref": "Policy"}})) == []


def test_match_viewer_is_plain_http_only_behind_a_behavior_that_lets_http_viewers_in() -> None:
    origins = [{"Id": name, "DomainName": f"{name}.example.com",
                "CustomOriginConfig": {"OriginProtocolPolicy": "match-viewer"}} for name in ("a", "b")]
    groups = {"Quantity": 1, "Items": [{
        "Id": "group", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}},
        "Members": {"Quantity": 1, "Items": [{"OriginId": "b"}]}}]}
    secure = distribution(Origins=origins, DefaultCacheBehavior={"TargetOriginId": "a",
                                                                 "ViewerProtocolPolicy": "redirect-to-https"})
    assert findings("IAC-CLOUDFRONT-004", secure) == []
    through_group = distribution(Origins=origins, OriginGroups=groups, CacheBehaviors=[
        {"PathPattern": "/old/*", "TargetOriginId": "group", "ViewerProtocolPolicy": "allow-all"}],
        DefaultCacheBehavior={"TargetOriginId": "a", "ViewerProtocolPolicy": "https-only"})
    assert findings("IAC-CLOUDFRONT-004", through_group) == [
        ("Resources", "Cdn", "Properties", "DistributionConfig", "Origins", "1", "CustomOriginConfig",
         "OriginProtocolPolicy")]


def test_the_distribution_constructs_defaults_pass_the_viewer_rules() -> None:
    app = App()
    stack = Stack(app, "Cdn", region="us-east-1")
    cloudfront.Distribution(stack, "Site", default_behavior=cloudfront.Behavior(
        origin=cloudfront.HttpOrigin("origin.example.com")), domain_names=["www.example.com"],
        certificate=CERTIFICATE)
    template = synthesize(app).template("Cdn")
    for rule_id in ("IAC-CLOUDFRONT-002", "IAC-CLOUDFRONT-003", "IAC-CLOUDFRONT-004"):
        assert findings(rule_id, template) == [], rule_id


# -- KMS ------------------------------------------------------------------------------------------

def test_only_the_schemas_default_key_spec_with_kms_made_material_is_taken_as_rotatable() -> None:
    specs_enum = specs.property_enum("AWS::KMS::Key", "KeySpec")
    assert "SYMMETRIC_DEFAULT" in specs_enum and len(specs_enum) > 1
    rotatable = [spec for spec in specs_enum if kms_001_rotation.rotatable({"KeySpec": spec})]
    assert rotatable == [kms.SYMMETRIC_DEFAULT]  # the construct's own constant agrees with the schema
    assert kms_001_rotation.rotatable({}) is True
    assert kms_001_rotation.rotatable({"Origin": "EXTERNAL"}) is False
    assert kms_001_rotation.rotatable({"KeySpec": {"Ref": "Spec"}}) is None


def test_the_key_constructs_default_rotates_and_its_policy_is_not_open() -> None:
    app = App()
    stack = Stack(app, "Keys")
    kms.Key(stack, "Data")
    kms.Key(stack, "Signing", key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY")
    template = synthesize(app).template("Keys")
    assert findings("IAC-KMS-001", template) == [] and findings("IAC-KMS-002", template) == []
    app = App()
    kms.Key(Stack(app, "Keys"), "Data", enable_key_rotation=False)
    assert len(findings("IAC-KMS-001", synthesize(app).template("Keys"))) == 1


def test_an_open_statement_is_found_in_a_policy_object_and_in_a_json_string() -> None:
    template = {"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}, "Action": "kms:Decrypt",
         "Resource": "*"}]}}}, "Text": {"Type": "AWS::KMS::Key", "Properties": {
        "KeyPolicy": '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}}'}}}}
    assert findings("IAC-KMS-002", template) == [
        ("Resources", "Key", "Properties", "KeyPolicy", "Statement", "1", "Principal"),
        ("Resources", "Text", "Properties", "KeyPolicy")]


# -- HTTP API quick create --------------------------------------------------------------------------

def test_quick_create_is_found_at_target_and_managed_overrides_of_another_api_do_not_count() -> None:
    api = {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
        "Name": "quick", "ProtocolType": "HTTP", "Target": "arn:aws:lambda:us-east-1:123456789012:function:f"}}
    overrides = {"Type": "AWS::ApiGatewayV2::ApiGatewayManagedOverrides", "Properties": {
        "ApiId": {"Ref": "Other"}, "Stage": {"AccessLogSettings": {"DestinationArn": "arn:aws:logs:x", "Format": "x"}}}}
    template = {"Resources": {"Quick": api, "Other": {**api}, "Overrides": overrides}}
    assert findings("IAC-APIGW-002", template) == [("Resources", "Quick", "Properties", "Target")]


# -- deprecated Lambda runtimes in `iac validate FILE` ----------------------------------------------



def function_template(tmp_path: Path, runtime: str) -> str:
    path = tmp_path / "function.yaml"
    path.write_text(f"""Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {{Effect: Allow, Principal: {{Service: lambda.amazonaws.com}}, Action: sts:AssumeRole}}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: {runtime}
      Handler: index.handler
      Role: !GetAtt Role.Arn
      ReservedConcurrentExecutions: 1
      Code: {{ZipFile: "exports.handler = async () => 1"}}
""")
    return str(path)


@pytest.mark.parametrize(("when", "expected"), [
    ("before-deprecation", None), ("deprecated", ("W2531", "warning")), ("create-block", ("E2531", "error")),
    ("update-block", ("E2533", "error"))])
def test_validate_of_a_template_file_reports_a_deprecated_runtime_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str,
        expected: tuple[str, str] | None) -> None:
    lifecycle = awslambda.runtime_lifecycle("nodejs20.x")
    assert lifecycle is not None and lifecycle.deprecated and lifecycle.create_block and lifecycle.update_block
    day = {"before-deprecation": lifecycle.deprecated - datetime.timedelta(days=1),
           "deprecated": lifecycle.deprecated, "create-block": lifecycle.create_block,
           "update-block": lifecycle.update_block}[when]
    monkeypatch.setenv("IAC_TODAY", day.isoformat())  # cfn-lint's calendar follows it (iac.synth.lint)
    report = validate_files([function_template(tmp_path, "nodejs20.x")], region=None, lint=True, strict=False)
    about_runtime = [(problem.code, problem.severity) for problem in report.errors + report.warnings
                     if (problem.property_path or "").endswith("Runtime")]
    assert about_runtime == ([expected] if expected else [])
    assert bool(report.errors) == (expected is not None and expected[1] == "error")
    # no iac check repeats it, not even as a note: the runtime rules are cfn-lint's in a file, iac's synth
    # rule in an app (where cfn-lint's give way: tests/constructs/test_awslambda.py)
    assert not any((problem.property_path or "").endswith("Runtime") for problem, _ in report.side_findings)


def test_a_runtime_past_its_update_block_fails_validate_whatever_the_calendar(tmp_path: Path) -> None:
    lifecycle = awslambda.runtime_lifecycle("nodejs12.x")
    assert lifecycle is not None and lifecycle.update_block is not None
    assert lifecycle.update_block < datetime.date(2026, 1, 1)  # in the past on any day this test runs
    report = validate_files([function_template(tmp_path, "nodejs12.x")], region=None, lint=True, strict=False)
    assert [(problem.code, problem.location.line if problem.location else None) for problem in report.errors
            if (problem.property_path or "").endswith("Runtime")] == [("E2533", 11)]
