"""Every rule against its two minimal templates (tests/checks/templates/<id>.fail.yaml and .pass.yaml):
the failing one makes the rule find something, the passing one makes it find nothing. Rules read
template dicts only, so these files are what `iac validate FILE` would read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from iac import specs
from iac.checks import all_rules, packs, rule_by_id, run_checks
from iac.checks._model import RULE_ID_PATTERN
from iac.synth.loader import loads

TEMPLATES = Path(__file__).parent / "templates"
RULE_IDS = [rule.id for rule in all_rules()]


def template(rule_id: str, kind: str) -> dict[str, Any]:
    path = TEMPLATES / f"{rule_id}.{kind}.yaml"
    loaded: dict[str, Any] = loads(path.read_text(), file=str(path))
    return loaded


def standing(rule_id: str, loaded: dict[str, Any]) -> list[str]:
    return [result.finding.message for result in run_checks(loaded)
            if result.rule.id == rule_id and result.suppressed_by is None]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_the_failing_template_makes_the_rule_find_something(rule_id: str) -> None:
    assert standing(rule_id, template(rule_id, "fail"))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_the_passing_template_makes_the_rule_find_nothing(rule_id: str) -> None:
    assert standing(rule_id, template(rule_id, "pass")) == []


def test_every_template_file_belongs_to_a_rule() -> None:
    names = {path.name.split(".")[0] for path in TEMPLATES.iterdir()}
    assert names == set(RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_a_rule_says_what_why_how_and_where(rule_id: str) -> None:
    rule = rule_by_id(rule_id)
    assert rule is not None
    assert re.fullmatch(RULE_ID_PATTERN, rule.id)
    assert rule.severity in ("error", "warning", "info")
    assert rule.description and "\n" not in rule.description and len(rule.description) <= 110
    assert not rule.description.endswith(".")
    assert rule.why.endswith((".", ")")) and rule.fix
    assert rule.url.startswith(("https://docs.aws.amazon.com/", "docs/"))
    assert rule.pack in packs()
    assert (rule.check is None) == (not rule.resource_types)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_a_rule_reads_only_properties_the_registry_schemas_have(rule_id: str) -> None:
    rule = rule_by_id(rule_id)
    assert rule is not None
    for resource_type in rule.resource_types:
        assert specs.resource_schema(resource_type) is not None, resource_type
    for resource_type, names in rule.reads.items():
        missing = set(names) - specs.property_names(resource_type)
        assert not missing, f"{rule_id} reads {sorted(missing)} of {resource_type}"


def test_rule_ids_are_unique_and_sorted() -> None:
    assert RULE_IDS == sorted(set(RULE_IDS))


def test_imdsv2_value_is_the_schemas() -> None:
    from iac.checks.rules.ec2_003_imdsv1 import REQUIRED

    assert REQUIRED in specs.property_enum("AWS::EC2::LaunchTemplate", "LaunchTemplateData", "MetadataOptions",
                                           "HttpTokens")
    assert REQUIRED in specs.property_enum("AWS::EC2::Instance", "MetadataOptions", "HttpTokens")


def test_a_value_computed_at_deploy_time_is_never_a_finding() -> None:
    loaded = {"Parameters": {"Public": {"Type": "String"}},
              "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
                  "PubliclyAccessible": {"Ref": "Public"}, "StorageEncrypted": {"Fn::If": ["C", True, False]},
                  "DeletionProtection": {"Ref": "Public"}}}}}
    assert [r.rule.id for r in run_checks(loaded)] == []


def test_a_wildcard_resource_is_judged_by_iams_data_not_by_the_verb_alone() -> None:
    # xray:PutTraceSegments takes no resource but "*" in IAM's data; s3:PutObject can name objects
    statement = {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "s3:PutObject"], "Resource": "*"}
    loaded = {"Resources": {"Policy": {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "P", "Roles": ["R"], "PolicyDocument": {"Statement": [statement]}}}}}
    (message,) = standing("IAC-IAM-002", loaded)
    assert "s3:PutObject" in message and "xray" not in message


def test_findings_point_into_the_template() -> None:
    results = run_checks(template("IAC-EC2-001", "fail"))
    (result,) = [r for r in results if r.rule.id == "IAC-EC2-001"]
    assert result.finding.path == ("Resources", "Group", "Properties", "SecurityGroupIngress", 1)
    assert "::/0" in result.finding.message and "22" in result.finding.message


def test_a_secret_finding_never_holds_the_secret() -> None:
    for rule_id in ("IAC-SECRET-001", "IAC-SECRET-002"):
        for message in standing(rule_id, template(rule_id, "fail")):
            assert "hunter2" not in message
    for message in standing("IAC-SECRET-003", template("IAC-SECRET-003", "fail")):
        assert "AKIA" not in message
