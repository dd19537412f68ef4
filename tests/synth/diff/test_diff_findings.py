"""Stable finding ids (issue 16, part 7): every finding kind has an id, its own module, a description and a doc
link; `--ignore ID` and a resource's `iac:acknowledge` metadata silence one with a reason the output shows; the
JSON carries the ids. Minimal template pairs."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest
from diff_helpers import (
    bucket,
    change_of,
    diff,
    edited,
    findings_of,
    props,
    queue,
    ref,
    resource,
    role,
    security_group,
    table,
    template,
)

import iac.synth.diff.findings as findings_package
from iac.deploy.approval import approval_reason
from iac.synth.diff import diff_pairs
from iac.synth.diff.findings import all_rules, rule_by_id

RULES = all_rules()


def test_every_rule_has_a_stable_id_a_description_and_a_doc_link() -> None:
    assert len({rule.id for rule in RULES}) == len(RULES) == 10
    for rule in RULES:
        assert re.fullmatch(r"IAC-DIFF-\d{3}", rule.id)
        assert rule.kind in ("data-at-risk", "rename", "deployability", "widening")
        assert rule.severity in ("error", "warning")
        assert len(rule.description) > 40 and rule.title
        assert rule.url.startswith("https://docs.aws.amazon.com/")


def test_every_rule_lives_in_a_module_of_its_own() -> None:
    modules = [name for _, name, _ in pkgutil.iter_modules(findings_package.__path__) if not name.startswith("_")]
    ids = [importlib.import_module(f"iac.synth.diff.findings.{name}").RULE.id for name in modules]
    assert sorted(ids) == sorted(rule.id for rule in RULES)


def test_ids_are_found_whatever_the_case() -> None:
    assert rule_by_id("iac-diff-002") is rule_by_id("IAC-DIFF-002")
    assert rule_by_id("IAC-DIFF-999") is None


# -- each kind gives its id ----------------------------------------------------------------------

def _ids(result) -> list[str]:
    return sorted(f.id for f in result.findings)


def test_data_deleted_and_replaced() -> None:
    assert _ids(diff(template({"T": table("a")}), template({}))) == ["IAC-DIFF-001"]
    assert _ids(diff(template({"T": table("a")}), template({"T": table("b")}))) == ["IAC-DIFF-002"]


def test_a_likely_rename() -> None:
    topic = resource("AWS::SNS::Topic", {"DisplayName": "alerts"})
    assert _ids(diff(template({"A": topic}), template({"B": topic}))) == ["IAC-DIFF-003"]


def test_a_type_change() -> None:
    result = diff(template({"X": queue()}), template({"X": resource("AWS::SNS::Topic")}))
    assert "IAC-DIFF-004" in _ids(result)


def test_a_custom_named_replacement_and_a_name_still_held() -> None:
    old = template({"Sg": security_group("vpc-1", GroupName="web")})
    replaced = edited(old, lambda t: props(t, "Sg").update(GroupDescription="other"))
    assert _ids(diff(old, replaced)) == ["IAC-DIFF-005"]
    moved = template({"Sg2": security_group("vpc-1", GroupName="web", GroupDescription="x")})
    assert "IAC-DIFF-006" in _ids(diff(old, moved))


def test_an_update_refused() -> None:
    def key(spec: str) -> dict:
        return template({"K": resource("AWS::KMS::Key", {"KeySpec": spec})})

    assert _ids(diff(key("RSA_2048"), key("RSA_4096"))) == ["IAC-DIFF-007"]


def test_an_export_in_use() -> None:
    exporter = template({"Q": queue()}, Outputs={"Arn": {"Value": ref("Q"), "Export": {"Name": "q-arn"}}})
    importer = template({"P": resource("AWS::SSM::Parameter", {"Type": "String",
                                                               "Value": {"Fn::ImportValue": "q-arn"}})})
    result = diff_pairs([("A", exporter, template({"Q": queue()}), None), ("B", importer, importer, None)])
    assert [f.id for f in result.stacks[0].findings] == ["IAC-DIFF-008"]


def test_iam_and_network_widening() -> None:
    old = template({"R": role([]), "Sg": security_group("vpc-1", [])})
    new = edited(old, lambda t: (
        props(t, "R")["Policies"][0]["PolicyDocument"]["Statement"].append(
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
        props(t, "Sg")["SecurityGroupIngress"].append(
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0"})))
    result = diff(old, new)
    assert _ids(result) == ["IAC-DIFF-009", "IAC-DIFF-010"]
    assert [f.logical_id for f in result.findings] == ["R", "Sg"]
    assert result.widens_access


# -- silencing ----------------------------------------------------------------------------------

def _replaced_table(metadata: dict | None = None) -> tuple[dict, dict]:
    old = template({"T": table("a")})
    new = template({"T": table("b")})
    if metadata is not None:
        new["Resources"]["T"]["Metadata"] = metadata
    return old, new


def test_ignore_silences_a_finding_which_stays_shown_with_its_reason() -> None:
    result = diff(*_replaced_table(), ignore=["iac-diff-002"])
    [finding] = result.findings
    assert finding.acknowledged == "ignored with --ignore IAC-DIFF-002"
    assert not result.data_at_risk
    assert change_of(result, "T").data_at_risk  # the resource still says what happens to it
    assert approval_reason(result, "widening") is None


def test_a_resource_acknowledgement_silences_its_own_finding_only() -> None:
    ack = {"iac:acknowledge": [{"id": "IAC-DIFF-002", "reason": "rebuilt from the stream nightly"}]}
    old, new = _replaced_table(ack)
    new["Resources"]["U"] = table("c")
    old["Resources"]["U"] = table("d")
    result = diff(old, new)
    by_id = {f.logical_id: f.acknowledged for f in result.findings}
    assert by_id == {"T": "rebuilt from the stream nightly", "U": None}
    assert result.data_at_risk  # U still is


def test_adding_an_acknowledgement_is_no_change_of_its_own() -> None:
    old = template({"T": table("a")})
    new = edited(old, lambda t: t["Resources"]["T"].update(
        Metadata={"iac:acknowledge": [{"id": "IAC-DIFF-002", "reason": "r"}]}))
    assert diff(old, new).resources == []


def test_a_removed_resource_is_acknowledged_in_the_old_template() -> None:
    old = template({"B": {**bucket(), "Metadata": {"iac:acknowledge": [{"id": "IAC-DIFF-001",
                                                                       "reason": "an empty scratch bucket"}]}}})
    [finding] = diff(old, template({})).findings
    assert finding.acknowledged == "an empty scratch bucket"


def test_a_template_wide_acknowledgement_with_a_target() -> None:
    old, new = _replaced_table()
    new["Metadata"] = {"iac:acknowledge": [{"id": "IAC-DIFF-002", "target": "T", "reason": "test data"},
                                           {"id": "IAC-DIFF-002", "target": "Other", "reason": "not this one"}]}
    [finding] = diff(old, new).findings
    assert finding.acknowledged == "test data"


@pytest.mark.parametrize("entry", [
    {"id": "IAC-DIFF-002"},
    {"id": "IAC-DIFF-002", "reason": "   "},
    {"id": "IAC-DIFF-999", "reason": "no such id"},
    "IAC-DIFF-002",
], ids=["no reason", "blank reason", "unknown id", "not a mapping"])
def test_an_acknowledgement_without_a_reason_or_a_known_id_silences_nothing(entry: object) -> None:
    result = diff(*_replaced_table({"iac:acknowledge": [entry]}))
    assert [f.acknowledged for f in result.findings] == [None]
    assert result.data_at_risk


def test_an_acknowledged_widening_no_longer_widens_access() -> None:
    old = template({"Sg": security_group("vpc-1", [])})
    new = edited(old, lambda t: props(t, "Sg")["SecurityGroupIngress"].append(
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}))
    assert diff(old, new).widens_access
    assert not diff(old, new, ignore=["IAC-DIFF-010"]).widens_access
    assert diff(old, new, ignore=["IAC-DIFF-009"]).widens_access  # the other kind: still widens


def test_the_json_carries_the_ids_and_the_acknowledgements() -> None:
    old, new = _replaced_table()
    data = diff_pairs([("S", old, new, None)], ignore=["IAC-DIFF-002"]).to_json()
    [finding] = data["stacks"][0]["Findings"]
    assert (finding["id"], finding["kind"], finding["acknowledged"]) == (
        "IAC-DIFF-002", "data-at-risk", "ignored with --ignore IAC-DIFF-002")
    assert finding["url"].startswith("https://docs.aws.amazon.com/")
    assert data["summary"]["data_at_risk"] is False
    assert findings_of(diff(old, new), "data-at-risk")[0].id == "IAC-DIFF-002"


def test_docs_diff_md_lists_every_finding_id() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "docs" / "diff.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `(IAC-DIFF-\d{3})` \| ([a-z-]+) \|", text, flags=re.MULTILINE))
    assert listed == {(rule.id, rule.kind) for rule in RULES}
