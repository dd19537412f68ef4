"""Conditions followed (issue 16, parts 1 and 2): a changed Parameter Default reaches the Conditions built on it,
the Fn::Ifs and resource Conditions that use them; conditions of conditions; a resource whose Condition may flip is
a possible Remove (Add); only -p values, the region and the account are known; Fn::If branches count only where
the condition allows. Every case is a minimal template pair."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from diff_helpers import (
    assert_no_changes,
    change_of,
    changed_ids,
    detail_at,
    diff,
    edited,
    findings_of,
    props,
    queue,
    ref,
    subnet,
    table,
    template,
    vpc,
)

from iac.synth.diff import diff_pairs
from iac.synth.loader import load

ENV = {"Env": {"Type": "String", "Default": "prod"}}
IS_PROD = {"IsProd": {"Fn::Equals": [ref("Env"), "prod"]}}


def _conditional_table(default: str = "prod", **extra: object) -> dict:
    conditions = {**IS_PROD, **extra.pop("conditions", {})}  # type: ignore[dict-item]
    return template({"T": {**table("orders"), "Condition": extra.pop("condition", "IsProd")}, "Q": queue()},
                    Parameters={"Env": {"Type": "String", "Default": default}}, Conditions=conditions, **extra)


# -- part 1: a changed default reaches conditions and the resources that use them ------------------

def test_a_changed_default_makes_a_conditional_table_a_possible_removal_with_data_at_risk() -> None:
    result = diff(_conditional_table("prod"), _conditional_table("dev"))
    change = change_of(result, "T")
    assert (change.action, change.certain) == ("Remove", False)
    assert change.reasons == ["may be deleted (or created): Condition IsProd may change value; it is known only "
                              "at deploy time"]
    assert change.data_at_risk
    [finding] = findings_of(result, "data-at-risk")
    assert "may be DELETED" in finding.message and "will" not in finding.message
    assert changed_ids(result) == {"T"}  # the queue has no condition


def test_a_given_value_is_known_and_the_condition_is_evaluated_with_it() -> None:
    result = diff(_conditional_table("prod"), _conditional_table("prod"), parameters={"Env": "dev"})
    change = change_of(result, "T")
    assert (change.action, change.certain) == ("Remove", False)  # the deployed value is still not known
    assert change.reasons == ["may be deleted: Condition IsProd is false, and may have been true"]


def test_a_given_value_equal_to_the_default_changes_nothing() -> None:
    tpl = _conditional_table("prod")
    assert_no_changes(diff(tpl, copy.deepcopy(tpl), parameters={"Env": "prod"}))


def test_an_unchanged_default_changes_nothing() -> None:
    tpl = _conditional_table("prod")
    assert_no_changes(diff(tpl, copy.deepcopy(tpl)))


def test_a_condition_that_becomes_true_may_create_the_resource() -> None:
    old, new = _conditional_table("dev"), _conditional_table("dev")
    change = change_of(diff(old, new, parameters={"Env": "prod"}), "T")
    assert (change.action, change.certain) == ("Add", False)
    assert change.reasons[0].startswith("may be created: Condition IsProd is true")


def _regional(region_value: str) -> dict:
    return template({"T": {**table("orders"), "Condition": "InHome"}},
                    Conditions={"InHome": {"Fn::Equals": [ref("AWS::Region"), region_value]}})


def test_with_the_region_known_a_condition_that_flips_deletes_for_certain() -> None:
    result = diff(_regional("us-east-1"), _regional("eu-west-1"), region="us-east-1")
    change = change_of(result, "T")
    assert (change.action, change.certain) == ("Remove", True)
    assert change.reasons == ["deleted: Condition InHome becomes false"]
    assert "will be DELETED" in findings_of(result, "data-at-risk")[0].message


def test_without_the_region_the_same_edit_only_may_delete() -> None:
    change = change_of(diff(_regional("us-east-1"), _regional("eu-west-1")), "T")
    assert (change.action, change.certain) == ("Remove", False)


def test_with_the_region_known_a_condition_that_becomes_true_creates_for_certain() -> None:
    change = change_of(diff(_regional("eu-west-1"), _regional("us-east-1"), region="us-east-1"), "T")
    assert (change.action, change.certain) == ("Add", True)


def test_the_account_given_is_known() -> None:
    def tpl(account: str) -> dict:
        return template({"T": {**table("orders"), "Condition": "Mine"}},
                        Conditions={"Mine": {"Fn::Equals": [ref("AWS::AccountId"), account]}})

    assert diff(tpl("111111111111"), tpl("222222222222"), account="333333333333").resources == []  # false both
    change = change_of(diff(tpl("111111111111"), tpl("222222222222"), account="111111111111"), "T")
    assert (change.action, change.certain) == ("Remove", True)


def test_a_region_condition_edit_that_keeps_its_value_changes_nothing() -> None:
    def tpl(regions: list[str]) -> dict:
        return template({"T": {**table("orders"), "Condition": "InHome"}}, Conditions={"InHome": {
            "Fn::Or": [{"Fn::Equals": [ref("AWS::Region"), r]} for r in regions]}})

    result = diff(tpl(["us-east-1"]), tpl(["us-east-1", "eu-west-1"]), region="us-east-1")
    assert result.resources == [] and [v.section for v in result.values] == ["Conditions"]


@pytest.mark.parametrize("combined", [
    {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": [ref("Size"), "big"]}]},
    {"Fn::Or": [{"Condition": "IsProd"}, {"Fn::Not": [{"Fn::Equals": [ref("Size"), "big"]}]}]},
    {"Fn::Not": [{"Condition": "IsProd"}]},
], ids=["and", "or-not", "not"])
def test_a_condition_built_on_a_condition_follows_its_parameter(combined: dict) -> None:
    def tpl(default: str) -> dict:
        return template({"T": {**table("orders"), "Condition": "Combined"}},
                        Parameters={"Env": {"Type": "String", "Default": default},
                                    "Size": {"Type": "String", "Default": "big"}},
                        Conditions={**IS_PROD, "Combined": combined})

    change = change_of(diff(tpl("prod"), tpl("dev")), "T")
    assert (change.action, change.certain) == ("Remove", False)


def test_a_condition_of_a_condition_known_through_the_region() -> None:
    def tpl(home: str) -> dict:
        return template({"T": {**table("orders"), "Condition": "Replicated"}}, Conditions={
            "InHome": {"Fn::Equals": [ref("AWS::Region"), home]},
            "Replicated": {"Fn::Not": [{"Condition": "InHome"}]}})

    change = change_of(diff(tpl("eu-west-1"), tpl("us-east-1"), region="us-east-1"), "T")
    assert (change.action, change.certain) == ("Remove", True)


def test_a_condition_on_a_mapping_entry_follows_the_mapping_with_the_region_known() -> None:
    def tpl(enabled: str) -> dict:
        return template({"T": {**table("orders"), "Condition": "On"}},
                        Mappings={"Regions": {"us-east-1": {"Enabled": enabled}}},
                        Conditions={"On": {"Fn::Equals": [
                            {"Fn::FindInMap": ["Regions", ref("AWS::Region"), "Enabled"]}, "yes"]}})

    certain = change_of(diff(tpl("yes"), tpl("no"), region="us-east-1"), "T")
    assert (certain.action, certain.certain) == ("Remove", True)
    possible = change_of(diff(tpl("yes"), tpl("no")), "T")
    assert (possible.action, possible.certain) == ("Remove", False)


# -- the Condition attribute ---------------------------------------------------------------------

def test_an_edited_condition_attribute_is_not_an_in_place_update() -> None:
    old = _conditional_table(conditions={"IsDev": {"Fn::Equals": [ref("Env"), "dev"]}})
    new = edited(old, lambda t: t["Resources"]["T"].update(Condition="IsDev"))
    change = change_of(diff(old, new), "T")
    assert change.action == "Remove" and not change.certain
    assert "its Condition, changed from IsProd to IsDev," in change.reasons[0]
    assert all(d.target.attribute != "Condition" for d in change.details)


def test_a_renamed_condition_with_the_same_expression_changes_nothing() -> None:
    old = _conditional_table()
    new = edited(old, lambda t: (t["Conditions"].update(Production=t["Conditions"].pop("IsProd")),
                                 t["Resources"]["T"].update(Condition="Production")))
    result = diff(old, new)
    assert result.resources == []
    assert {(v.section, v.action) for v in result.values} == {("Conditions", "Add"), ("Conditions", "Remove")}


def test_a_condition_added_to_a_resource_may_delete_it() -> None:
    old = edited(_conditional_table(), lambda t: t["Resources"]["T"].pop("Condition"))
    change = change_of(diff(old, _conditional_table()), "T")
    assert (change.action, change.certain) == ("Remove", False)


def test_a_condition_taken_off_a_resource_may_create_it() -> None:
    new = edited(_conditional_table(), lambda t: t["Resources"]["T"].pop("Condition"))
    change = change_of(diff(_conditional_table(), new), "T")
    assert (change.action, change.certain) == ("Add", False)


def test_a_condition_taken_off_a_resource_known_to_exist_is_no_change() -> None:
    new = edited(_conditional_table(), lambda t: t["Resources"]["T"].pop("Condition"))
    assert diff(_conditional_table(), new, parameters={"Env": "prod"}).resources == []


def test_a_new_resource_under_a_condition_known_false_is_not_added() -> None:
    old = _conditional_table()
    new = edited(old, lambda t: t["Resources"].update(Extra={**queue(), "Condition": "IsProd"}))
    assert diff(old, new, parameters={"Env": "dev"}).resources == [change_of(
        diff(old, new, parameters={"Env": "dev"}), "T")]  # only the table, which may go
    added = change_of(diff(old, new), "Extra")
    assert (added.action, added.certain) == ("Add", False)  # IsProd is not known: it may be created


def test_a_removed_resource_under_a_condition_known_false_did_not_exist() -> None:
    old = edited(_regional("eu-west-1"), lambda t: t["Resources"].update(Extra={**queue(), "Condition": "InHome"}))
    new = _regional("eu-west-1")
    removed = change_of(diff(old, new), "Extra")
    assert (removed.action, removed.certain) == ("Remove", False)
    assert diff(old, new, region="us-east-1").resources == []


def test_a_given_value_says_nothing_of_the_deployed_one() -> None:
    """-p Env=dev against a default of prod: the stack may run with prod, so what IsProd guards may go."""
    old = edited(_conditional_table(), lambda t: t["Resources"].update(Extra={**queue(), "Condition": "IsProd"}))
    removed = change_of(diff(old, _conditional_table(), parameters={"Env": "dev"}), "Extra")
    assert (removed.action, removed.certain) == ("Remove", False)


def test_the_json_says_certain_false_for_a_possible_removal() -> None:
    result = diff_pairs([("S", _conditional_table("prod"), _conditional_table("dev"), None)])
    [change] = result.to_json()["stacks"][0]["Changes"]
    assert change["ResourceChange"]["Action"] == "Remove"
    assert change["ResourceChange"]["Certain"] is False
    assert json.dumps(result.to_json())


# -- part 2: Fn::If branches ---------------------------------------------------------------------

def _env(default: str) -> dict:
    return {"Env": {"Type": "String", "Default": default}}


def _branch_named(prod_name: str, dev_name: str) -> dict:
    return template({"T": table({"Fn::If": ["IsProd", prod_name, dev_name]})},
                    Parameters=ENV, Conditions=IS_PROD)


def test_a_change_in_one_branch_may_replace_only() -> None:
    result = diff(_branch_named("orders", "orders-dev"), _branch_named("orders", "orders-test"))
    change = change_of(result, "T")
    assert change.replacement == "Conditional"
    assert not detail_at(change, "/Properties/TableName").certain
    assert change.reasons == ["may replace: create-only property TableName changes in some branches of its Fn::If "
                              "only (which one is taken is known at deploy time)"]
    [finding] = findings_of(result, "data-at-risk")
    assert "may be REPLACED" in finding.message


def test_a_change_in_both_branches_replaces() -> None:
    change = change_of(diff(_branch_named("orders", "orders-dev"), _branch_named("a", "b")), "T")
    assert change.replacement == "True"


def test_with_the_condition_known_only_the_selected_branch_counts() -> None:
    old, dev_edit = _branch_named("orders", "orders-dev"), _branch_named("orders", "orders-test")
    assert diff(old, dev_edit, parameters={"Env": "prod"}).resources == []
    prod_edit = _branch_named("orders-v2", "orders-dev")
    change = change_of(diff(old, prod_edit, parameters={"Env": "prod"}), "T")
    assert change.replacement == "True"
    detail = detail_at(change, "/Properties/TableName")
    assert (detail.before, detail.after) == ("orders", "orders-v2")


def test_a_branch_with_no_value_drops_the_property() -> None:
    def tpl(name: object) -> dict:
        return template({"T": table({"Fn::If": ["IsProd", name, {"Ref": "AWS::NoValue"}]})},
                        Parameters=_env("dev"), Conditions=IS_PROD)

    assert diff(tpl("orders"), tpl("orders-2"), parameters={"Env": "dev"}).resources == []  # absent both sides
    # prod: named orders-2 now; before, named orders or unnamed: a new name either way
    assert change_of(diff(tpl("orders"), tpl("orders-2"), parameters={"Env": "prod"}), "T").replacement == "True"


def test_a_condition_that_may_flip_makes_the_same_text_a_possible_change() -> None:
    def tpl(default: str) -> dict:
        return template({"T": table({"Fn::If": ["IsProd", "orders", "orders-dev"]})},
                        Parameters={"Env": {"Type": "String", "Default": default}}, Conditions=IS_PROD)

    change = change_of(diff(tpl("prod"), tpl("dev")), "T")
    detail = detail_at(change, "/Properties/TableName")
    assert (detail.evaluation, detail.causing_entity, detail.certain) == ("Dynamic", "Conditions/IsProd", False)
    assert change.replacement == "Conditional"


def test_a_reference_in_the_branch_not_taken_does_not_propagate() -> None:
    def tpl(cidr: str, default: str = "prod") -> dict:
        return template({"Vpc": vpc(cidr), "Sn": subnet({"Fn::If": ["IsProd", ref("Vpc"), "vpc-123"]})},
                        Parameters=_env(default), Conditions=IS_PROD)

    dev = diff(tpl("10.0.0.0/16", "dev"), tpl("10.1.0.0/16", "dev"), parameters={"Env": "dev"})
    assert changed_ids(dev) == {"Vpc"}
    taken = change_of(diff(tpl("10.0.0.0/16"), tpl("10.1.0.0/16"), parameters={"Env": "prod"}), "Sn")
    assert detail_at(taken, "/Properties/VpcId").certain
    unknown = change_of(diff(tpl("10.0.0.0/16"), tpl("10.1.0.0/16")), "Sn")
    assert not detail_at(unknown, "/Properties/VpcId").certain


def test_an_fn_if_in_the_deletion_policy_follows_the_condition() -> None:
    def tpl(policy_when_prod: str, default: str = "prod") -> dict:
        policy = {"Fn::If": ["IsProd", policy_when_prod, "Delete"]}
        return template({"T": {**table("orders"), "DeletionPolicy": policy}},
                        Parameters=_env(default), Conditions=IS_PROD)

    assert diff(tpl("Retain", "dev"), tpl("Snapshot", "dev"), parameters={"Env": "dev"}).resources == []
    change = change_of(diff(tpl("Retain"), tpl("Snapshot"), parameters={"Env": "prod"}), "T")
    assert change.scope == ["DeletionPolicy"]


# -- every template under tests/ has no change against itself --------------------------------------

TESTS = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(p for p in TESTS.rglob("*") if p.suffix in (".json", ".yaml", ".yml")
                   and "__pycache__" not in p.parts and "Resources" in p.read_text(encoding="utf-8", errors="replace"))


def _template(path: Path) -> dict | None:
    try:
        loaded = load(path)
    except Exception:  # noqa: BLE001 - a broken template is the validator's to report; nothing to self-diff
        return None
    return loaded if isinstance(loaded, dict) and isinstance(loaded.get("Resources"), dict) else None


def test_the_tests_hold_many_templates() -> None:
    assert sum(1 for p in TEMPLATES if _template(p) is not None) >= 60


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(p.relative_to(TESTS)) for p in TEMPLATES])
def test_every_template_under_tests_has_no_change_against_itself(path: Path, monkeypatch) -> None:
    tpl = _template(path)
    if tpl is None:
        pytest.skip("not a template iac can read")
    monkeypatch.setattr("iac.synth.diff.stack.identical_resources", lambda old, new: frozenset())
    assert_no_changes(diff(tpl, copy.deepcopy(tpl)))
    assert_no_changes(diff(tpl, copy.deepcopy(tpl), region="us-east-1", account="123456789012"))


def test_an_edit_of_the_prod_branch_of_a_queue_name_may_replace_only() -> None:
    """The prod branch's queue name changes and the condition is unknown: at most "may"."""
    def tpl(name: str) -> dict:
        return template({"Q": queue(QueueName={"Fn::If": ["IsProd", name, "jobs-dev"]})},
                        Parameters=ENV, Conditions=IS_PROD)

    change = change_of(diff(tpl("jobs"), tpl("jobs-2")), "Q")
    assert change.replacement == "Conditional"
    assert props(tpl("jobs"), "Q")["QueueName"]["Fn::If"][0] == "IsProd"


def test_a_new_stack_is_created_with_the_defaults_so_its_conditions_are_known() -> None:
    new = _conditional_table("dev")  # IsProd is false with the default
    result = diff(None, new)
    assert {c.logical_id: (c.action, c.certain) for c in result.resources} == {"Q": ("Add", True)}
    given = diff(None, new, parameters={"Env": "prod"})
    assert {c.logical_id: (c.action, c.certain) for c in given.resources} == {"T": ("Add", True), "Q": ("Add", True)}
