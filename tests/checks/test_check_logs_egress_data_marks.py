"""The access-log rules (IAC-ELB-003, IAC-APIGW-002, IAC-CLOUDFRONT-001, IAC-S3-005), all traffic out to
anywhere (IAC-EC2-004) and customer data marks on DynamoDB tables (IAC-DYNAMODB-001): what each finds,
which buckets count as log targets, what iac's own constructs write, and that a run of the rules shares
its work through the Run, not through state kept between runs."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

from iac import App, Stack, Tags, specs
from iac.checks import run_checks
from iac.checks._logs import LOG_DELIVERY_SERVICES
from iac.constructs import cloudfront, dynamodb, ec2, kms, s3
from iac.synth import secrets, synthesize_app
from iac.synth.loader import loads

TEMPLATES = Path(__file__).parent / "templates"
HERE = str(Path(__file__).resolve())


def found(rule_id: str, template: dict[str, Any]) -> list[tuple[str | int, ...]]:
    return [r.finding.path for r in run_checks(template) if r.rule.id == rule_id and r.suppressed_by is None]


def resources_found(rule_id: str, template: dict[str, Any]) -> list[str | int]:
    return [path[1] for path in found(rule_id, template)]


def failing(rule_id: str) -> dict[str, Any]:
    path = TEMPLATES / f"{rule_id}.fail.yaml"
    loaded: dict[str, Any] = loads(path.read_text(), file=str(path))
    return loaded


@pytest.mark.parametrize(("rule_id", "expected"), [
    ("IAC-ELB-003", ["Balancer", "Explicit", "Classic"]),
    ("IAC-APIGW-002", ["Stage", "Deployment", "HttpStage", "QuickApi"]),
    ("IAC-CLOUDFRONT-001", ["Distribution"]),
    ("IAC-S3-005", ["Data", "Site"]),
    ("IAC-DYNAMODB-001", ["Customers", "Orders", "Global"]),
])
def test_each_failing_template_finds_exactly_its_resources(rule_id: str, expected: list[str]) -> None:
    assert resources_found(rule_id, failing(rule_id)) == expected


def test_all_traffic_out_is_found_per_rule_and_for_a_group_with_no_egress_rule() -> None:
    assert found("IAC-EC2-004", failing("IAC-EC2-004")) == [
        ("Resources", "Default"),  # EC2's default rule: everything out
        ("Resources", "Open", "Properties", "SecurityGroupEgress", 1),  # ::/0, not the 10.0.0.0/8 rule before it
        ("Resources", "OpenRule", "Properties"),
    ]


# -- which buckets are log targets ---------------------------------------------------------------------

BUCKET = {"Type": "AWS::S3::Bucket"}


def with_bucket(**others: dict[str, Any]) -> dict[str, Any]:
    return {"Resources": {"Logs": dict(BUCKET), **others}}


def policy(principal: Any, action: Any = "s3:PutObject", bucket: Any = None) -> dict[str, Any]:
    return {"Type": "AWS::S3::BucketPolicy", "Properties": {
        "Bucket": bucket or {"Ref": "Logs"}, "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": action,
             "Resource": {"Fn::Sub": "${Logs.Arn}/*"}}]}}}


@pytest.mark.parametrize("template", [
    with_bucket(Data={"Type": "AWS::S3::Bucket", "Properties": {
        "LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}}}}),
    with_bucket(Trail={"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": True,
                                                                         "S3BucketName": {"Ref": "Logs"}}}),
    with_bucket(Channel={"Type": "AWS::Config::DeliveryChannel", "Properties": {"S3BucketName": {"Ref": "Logs"}}}),
    with_bucket(Flow={"Type": "AWS::EC2::FlowLog", "Properties": {
        "ResourceId": "vpc-1", "ResourceType": "VPC", "LogDestinationType": "s3",
        "LogDestination": {"Fn::GetAtt": ["Logs", "Arn"]}}}),
    with_bucket(Balancer={"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {
        "LoadBalancerAttributes": [{"Key": "connection_logs.s3.bucket", "Value": {"Ref": "Logs"}}]}}),
    with_bucket(Destination={"Type": "AWS::Logs::DeliveryDestination", "Properties": {
        "Name": "d", "DestinationResourceArn": {"Fn::GetAtt": ["Logs", "Arn"]}}}),
    with_bucket(Cdn={"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "Logging": {"Bucket": {"Fn::GetAtt": ["Logs", "DomainName"]}}}}}),
    {"Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": "LogDeliveryWrite"}}}},
    *[with_bucket(LogsPolicy=policy({"Service": service})) for service in LOG_DELIVERY_SERVICES],
    with_bucket(LogsPolicy=policy({"Service": ["lambda.amazonaws.com", "logging.s3.amazonaws.com"]}, "s3:Put*")),
])
def test_a_bucket_other_resources_log_to_needs_no_access_logs(template: dict[str, Any]) -> None:
    assert "Logs" not in resources_found("IAC-S3-005", template)


def test_a_log_bucket_named_by_its_literal_name_is_recognised() -> None:
    template = {"Resources": {
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "example-logs"}},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
            "IsLogging": True, "S3BucketName": "example-logs"}},
        "Other": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "example-logs-archive"}},
        "Waf": {"Type": "AWS::WAFv2::LoggingConfiguration", "Properties": {
            "ResourceArn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/a/1",
            "LogDestinationConfigs": [{"Fn::Sub": "arn:${AWS::Partition}:s3:::aws-waf-logs-site"}]}},
        "WafLogs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "aws-waf-logs-site"}}}}
    assert resources_found("IAC-S3-005", template) == ["Other"]  # a longer name is another bucket


@pytest.mark.parametrize("template", [
    with_bucket(LogsPolicy=policy({"AWS": "arn:aws:iam::123456789012:root"})),  # not a log-delivery service
    with_bucket(LogsPolicy=policy({"Service": "logging.s3.amazonaws.com"}, "s3:GetObject")),  # not a write
    with_bucket(LogsPolicy=policy({"Service": "logging.s3.amazonaws.com"}, bucket={"Ref": "Other"}),
                Other={**BUCKET, "Properties": {"LoggingConfiguration": {}}}),  # another bucket's policy
    with_bucket(Cdn={"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "Origins": [{"Id": "o", "DomainName": {"Fn::GetAtt": ["Logs", "RegionalDomainName"]}}]}}}),  # an origin
    {"Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Properties": {
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}}}}},  # ACLs on: not enough
])
def test_a_bucket_is_no_log_target_for_less(template: dict[str, Any]) -> None:
    assert "Logs" in resources_found("IAC-S3-005", template)


def test_the_log_delivery_acl_is_a_value_the_schema_has() -> None:
    assert "LogDeliveryWrite" in specs.property_enum("AWS::S3::Bucket", "AccessControl")


def test_a_cloudfront_delivery_counts_only_from_a_source_of_that_distributions_access_logs() -> None:
    template = failing("IAC-CLOUDFRONT-001")
    template["Resources"]["Delivery"] = {"Type": "AWS::Logs::Delivery", "Properties": {
        "DeliverySourceName": "cdn-access",
        "DeliveryDestinationArn": "arn:aws:logs:us-east-1:123456789012:delivery-destination:d"}}
    assert found("IAC-CLOUDFRONT-001", template) == []  # the source, by its literal Name
    template["Resources"]["Source"]["Properties"]["LogType"] = "CONNECTION_LOGS"
    assert resources_found("IAC-CLOUDFRONT-001", template) == ["Distribution"]


# -- what iac's constructs write ---------------------------------------------------------------------------


def synthesized(app: App, stack: str) -> dict[str, Any]:
    template: dict[str, Any] = synthesize_app(app, lint=False).stack(stack).template
    return template


def test_iacs_security_group_lets_nothing_out_unless_asked_and_the_finding_is_at_the_users_line() -> None:
    app = App()
    stack = Stack(app, "Net")
    vpc = ec2.Vpc.from_attributes(stack, "Vpc", vpc_id="vpc-1", availability_zones=["us-east-1a"],
                                  private_subnet_ids=["subnet-1"])
    ec2.SecurityGroup(stack, "Closed", vpc=vpc).allow_to(ec2.Peer.any_ipv4(), ec2.Port.tcp(443))
    line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
    ec2.SecurityGroup(stack, "Open", vpc=vpc, allow_all_outbound=True)
    assembly = synthesize_app(app, lint=False)
    (warning,) = [p for p in assembly.warnings if getattr(p, "code", None) == "IAC-EC2-004"]
    assert warning.path == "Net/Open/Resource"
    assert warning.location is not None and (warning.location.file, warning.location.line) == (HERE, line)


def test_a_customer_data_table_is_found_until_it_has_its_own_key() -> None:
    app = App()
    stack = Stack(app, "Data")
    key = dynamodb.Attribute("id", dynamodb.AttributeType.STRING)
    plain = dynamodb.Table(stack, "Plain", partition_key=key)
    Tags.of(plain).add("data-classification", "customer")
    keyed = dynamodb.Table(stack, "Keyed", partition_key=key, encryption_key=kms.Key(stack, "Key"))
    Tags.of(keyed).add("data-classification", "customer")
    dynamodb.Table(stack, "Unmarked", partition_key=key)
    template = synthesized(app, "Data")
    (logical_id,) = resources_found("IAC-DYNAMODB-001", template)
    assert template["Resources"][logical_id]["Metadata"]["iac:path"] == "Data/Plain/Resource"


def test_a_distribution_with_log_bucket_logs_and_its_log_bucket_needs_no_access_logs() -> None:
    app = App()
    stack = Stack(app, "Cdn", region="us-east-1")
    site, logs = s3.Bucket(stack, "Site"), s3.Bucket(stack, "Logs")
    behavior = cloudfront.Behavior(origin=cloudfront.S3Origin(site))
    cloudfront.Distribution(stack, "Distribution", default_behavior=behavior, log_bucket=logs)
    template = synthesized(app, "Cdn")
    assert found("IAC-CLOUDFRONT-001", template) == []
    paths = {template["Resources"][str(r)]["Metadata"]["iac:path"] for r in resources_found("IAC-S3-005", template)}
    assert paths == {"Cdn/Site/Resource"}


# -- one run, shared work ------------------------------------------------------------------------------


def test_a_template_changed_in_place_is_judged_afresh_on_the_next_run() -> None:
    template = {"Parameters": {"Password": {"Type": "String", "NoEcho": True, "Default": "hunter2hunter2"}}}
    assert [r.rule.id for r in run_checks(template)] == ["IAC-SECRET-001"]
    del template["Parameters"]["Password"]["Default"]
    assert run_checks(template) == []  # a cache keyed by the last template object would still say IAC-SECRET-001


def test_the_secrets_scan_runs_once_per_run_for_its_three_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = secrets.secret_findings

    def counted(template: dict[str, Any]) -> list[secrets.SecretFinding]:
        calls.append(template)
        return real(template)

    monkeypatch.setattr(secrets, "secret_findings", counted)
    first: dict[str, Any] = {"Resources": {}}
    second: dict[str, Any] = {"Resources": {}}
    run_checks(first)
    run_checks(second)
    run_checks(first)
    assert calls == [first, second, first]


def test_the_log_targets_are_worked_out_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from iac.checks import _logs

    calls: list[object] = []
    real = _logs._log_writers

    def counted(run: Any) -> dict[str, list[str]]:
        calls.append(run)
        return real(run)

    monkeypatch.setattr(_logs, "_log_writers", counted)
    template = {"Resources": {f"B{index}": dict(BUCKET) for index in range(5)}}
    assert len(found("IAC-S3-005", template)) == 5
    assert len(calls) == 1


# -- s3.Bucket(access_logs_bucket=): the fix iac offers for IAC-S3-005 --------------------------------------


def test_a_bucket_with_access_logs_bucket_logs_there_and_the_log_bucket_lets_s3_write_for_it_only() -> None:
    app = App()
    stack = Stack(app, "Store")
    logs = s3.Bucket(stack, "Logs")
    s3.Bucket(stack, "Uploads", access_logs_bucket=logs, access_logs_prefix="uploads/")
    template = synthesized(app, "Store")
    assert found("IAC-S3-005", template) == []  # neither the bucket (it logs) nor the log bucket (a target)
    ids = {entry["Metadata"]["iac:path"]: logical_id for logical_id, entry in template["Resources"].items()}
    uploads = template["Resources"][ids["Store/Uploads/Resource"]]
    assert uploads["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": ids["Store/Logs/Resource"]}, "LogFilePrefix": "uploads/"}
    statements = template["Resources"][ids["Store/Logs/Policy"]]["Properties"]["PolicyDocument"]["Statement"]
    (delivery,) = [s for s in statements if s.get("Principal") == {"Service": "logging.s3.amazonaws.com"}]
    assert delivery["Effect"] == "Allow" and delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [ids["Store/Logs/Resource"], "Arn"]},
                                                      "/uploads/*"]]}
    assert delivery["Condition"] == {"ArnLike": {"aws:SourceArn": {"Fn::GetAtt": [ids["Store/Uploads/Resource"],
                                                                                  "Arn"]}},
                                     "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


@pytest.mark.parametrize(("arguments", "message"), [
    ({"access_logs_prefix": "uploads/"}, "access_logs_prefix needs access_logs_bucket"),
    ({"access_logs_bucket": "my-logs"}, "access_logs_bucket must be Bucket"),
    ({"access_logs_bucket": "imported"}, "access_logs_bucket must be an s3.Bucket of the app"),
    ({"access_logs_bucket": "kms"}, "encrypted with a KMS key"),
    ({"access_logs_bucket": "logs", "access_logs_prefix": "/uploads/"}, "no leading '/'"),
])
def test_access_logs_arguments_that_cannot_work_are_refused_at_the_users_line(arguments: dict[str, Any],
                                                                              message: str) -> None:
    from iac.errors import ConstructError

    app = App()
    stack = Stack(app, "Store")
    buckets = {"logs": s3.Bucket(stack, "Logs"),
               "imported": s3.Bucket.from_bucket_name(stack, "Imported", "existing-logs"),
               "kms": s3.Bucket(stack, "Kms", encryption_key=kms.Key(stack, "Key"))}
    given = {key: buckets.get(value, value) if key == "access_logs_bucket" else value
             for key, value in arguments.items()}
    line = inspect.currentframe().f_lineno + 2  # type: ignore[union-attr]
    with pytest.raises(ConstructError, match=message) as raised:
        s3.Bucket(stack, "Uploads", **given)
    assert raised.value.location is not None and (raised.value.location.file, raised.value.location.line) == (
        HERE, line)
