"""Nested stacks with a local TemplateURL diffed into (iac/synth/diff/nested.py), from minimal template pairs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from diff_helpers import change_of, diff, findings_of, resource, template

from iac.synth.diff import diff_pairs


def parent(url: str) -> dict[str, Any]:
    return template({"Child": resource("AWS::CloudFormation::Stack", {"TemplateURL": url})})


def queue(name: str | None = None, timeout: int = 30) -> dict[str, Any]:
    properties: dict[str, Any] = {"VisibilityTimeout": timeout}
    if name:
        properties["QueueName"] = name
    return resource("AWS::SQS::Queue", properties)


def write(folder: Path, name: str, tpl: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(tpl))


def sides(tmp_path: Path, old_child: dict[str, Any], new_child: dict[str, Any]) -> tuple[Path, Path]:
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    write(old_dir, "child.json", old_child)
    write(new_dir, "child.json", new_child)
    return old_dir, new_dir


def test_a_change_inside_a_local_nested_template_is_listed_under_the_parent(tmp_path: Path) -> None:
    old_dir, new_dir = sides(tmp_path, template({"Queue": queue(timeout=30)}), template({"Queue": queue(timeout=60)}))
    result = diff(parent("./child.json"), parent("./child.json"), old_dir=str(old_dir), new_dir=str(new_dir))
    inner = change_of(result, "Queue")
    assert (inner.origin, inner.origin_type) == ("Child", "AWS::CloudFormation::Stack")
    assert [d.target.name for d in inner.details] == ["VisibilityTimeout"] and inner.replacement == "False"
    outer = change_of(result, "Child")
    assert outer.origin is None and outer.replacement == "False"
    assert result.counts() == {"add": 0, "change": 2, "replace": 0, "remove": 0}
    assert result.notes == []


def test_a_replacement_inside_is_data_at_risk_under_the_parents_id(tmp_path: Path) -> None:
    old_dir, new_dir = sides(tmp_path, template({"Queue": queue("a")}), template({"Queue": queue("b")}))
    result = diff(parent("child.json"), parent("child.json"), old_dir=str(old_dir), new_dir=str(new_dir))
    assert change_of(result, "Queue").replacement == "True"
    [finding] = findings_of(result, "data-at-risk")
    assert finding.logical_id == "Child/Queue" and finding.message.startswith("in nested stack Child: ")


def test_an_unchanged_nested_template_adds_nothing(tmp_path: Path) -> None:
    old_dir, new_dir = sides(tmp_path, template({"Queue": queue()}), template({"Queue": queue()}))
    result = diff(parent("child.json"), parent("child.json"), old_dir=str(old_dir), new_dir=str(new_dir))
    assert not result.has_changes and result.notes == [] and result.findings == []


def test_a_changed_url_to_another_local_file_diffs_the_two_files(tmp_path: Path) -> None:
    write(tmp_path, "v1.json", template({"Queue": queue(timeout=30)}))
    write(tmp_path, "v2.json", template({"Queue": queue(timeout=30), "Topic": resource("AWS::SNS::Topic")}))
    result = diff(parent("v1.json"), parent("v2.json"), old_dir=str(tmp_path), new_dir=str(tmp_path))
    assert change_of(result, "Topic").action == "Add" and change_of(result, "Topic").origin == "Child"
    assert [d.target.name for d in change_of(result, "Child").details] == ["TemplateURL"]
    assert all(c.logical_id != "Queue" for c in result.resources)


def test_a_nested_stack_deeper_is_listed_under_its_path(tmp_path: Path) -> None:
    for side, timeout in (("old", 30), ("new", 60)):
        write(tmp_path / side, "child.json", template({"Grand": resource("AWS::CloudFormation::Stack",
                                                                          {"TemplateURL": "sub/grand.json"})}))
        write(tmp_path / side / "sub", "grand.json", template({"Queue": queue(timeout=timeout)}))
    result = diff(parent("child.json"), parent("child.json"), old_dir=str(tmp_path / "old"),
                  new_dir=str(tmp_path / "new"))
    assert change_of(result, "Queue").origin == "Child/Grand"
    assert change_of(result, "Grand").origin == "Child"


def test_a_removed_nested_stack_removes_its_resources_with_their_data(tmp_path: Path) -> None:
    write(tmp_path, "child.json", template({"Queue": queue()}))
    result = diff(parent("child.json"), template({}), old_dir=str(tmp_path), new_dir=str(tmp_path))
    assert change_of(result, "Queue").action == "Remove" and change_of(result, "Queue").origin == "Child"
    assert "Child/Queue" in [f.logical_id for f in findings_of(result, "data-at-risk")]


def test_a_changed_remote_url_says_the_changes_inside_are_not_known() -> None:
    result = diff(parent("https://bucket.s3.amazonaws.com/v1.json"), parent("https://bucket.s3.amazonaws.com/v2.json"))
    assert [d.target.name for d in change_of(result, "Child").details] == ["TemplateURL"]
    [note] = result.notes
    assert "nested stack Child" in note and "not a local file" in note and "not known offline" in note


def test_an_unchanged_remote_url_is_no_note() -> None:
    url = "https://bucket.s3.amazonaws.com/v1.json"
    assert diff(parent(url), parent(url)).notes == []


def test_a_local_file_that_is_missing_says_so(tmp_path: Path) -> None:
    result = diff(parent("child.json"), parent("child.json"), old_dir=str(tmp_path), new_dir=str(tmp_path))
    [note] = result.notes
    assert "cannot be read" in note and not result.resources


def test_a_cycle_of_nested_templates_stops(tmp_path: Path) -> None:
    write(tmp_path, "child.json", parent("child.json"))
    result = diff(parent("child.json"), parent("child.json"), old_dir=str(tmp_path), new_dir=str(tmp_path))
    assert any("cycle" in note for note in result.notes)


def test_diff_pairs_takes_the_folders_per_stack(tmp_path: Path) -> None:
    old_dir, new_dir = sides(tmp_path, template({"Queue": queue(timeout=30)}), template({"Queue": queue(timeout=60)}))
    result = diff_pairs([("Main", parent("child.json"), parent("child.json"), None)],
                        folders={"Main": (str(old_dir), str(new_dir))})
    [stack] = result.to_json()["stacks"]
    origins = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"].get("Origin") for c in stack["Changes"]}
    assert origins == {"Child": None, "Queue": {"LogicalResourceId": "Child",
                                                "ResourceType": "AWS::CloudFormation::Stack"}}


def child_with_env() -> dict[str, Any]:
    return template({"Queue": resource("AWS::SQS::Queue", {"QueueName": {"Fn::Sub": "jobs-${Env}"}})},
                    Parameters={"Env": {"Type": "String", "Default": "dev"}})


def parent_passing(env: Any) -> dict[str, Any]:
    return template({"Child": resource("AWS::CloudFormation::Stack",
                                       {"TemplateURL": "child.json", "Parameters": {"Env": env}})})


def test_a_changed_parameter_the_parent_passes_reaches_the_child(tmp_path: Path) -> None:
    write(tmp_path, "child.json", child_with_env())
    result = diff(parent_passing("dev"), parent_passing("prod"), old_dir=str(tmp_path), new_dir=str(tmp_path))
    inner = change_of(result, "Queue")
    assert inner.origin == "Child" and inner.replacement == "Conditional"
    assert inner.details[0].causing_entity == "Env"


def test_an_unchanged_passed_parameter_changes_nothing_inside(tmp_path: Path) -> None:
    write(tmp_path, "child.json", child_with_env())
    result = diff(parent_passing("prod"), parent_passing("prod"), old_dir=str(tmp_path), new_dir=str(tmp_path))
    assert not result.has_changes


def test_a_passed_reference_to_a_replaced_resource_reaches_the_child(tmp_path: Path) -> None:
    write(tmp_path, "child.json", child_with_env())

    def tpl(name: str) -> dict[str, Any]:
        return template({"Topic": resource("AWS::SNS::Topic", {"TopicName": name}),
                         **parent_passing({"Fn::GetAtt": ["Topic", "TopicName"]})["Resources"]})

    result = diff(tpl("a"), tpl("b"), old_dir=str(tmp_path), new_dir=str(tmp_path))
    assert change_of(result, "Topic").replacement == "True"
    assert change_of(result, "Queue").replacement == "Conditional"


def test_a_template_of_the_assembly_in_memory_is_read_by_its_file_name(tmp_path: Path) -> None:
    write(tmp_path, "Child.template.json", template({"Queue": queue(timeout=30)}))
    in_memory = {"Child.template.json": template({"Queue": queue(timeout=60)})}
    result = diff(parent("Child.template.json"), parent("./Child.template.json"), old_dir=str(tmp_path),
                  new_dir=in_memory)
    assert change_of(result, "Queue").origin == "Child"
    assert [d.target.name for d in change_of(result, "Queue").details] == ["VisibilityTimeout"]


def test_a_template_missing_from_the_assembly_in_memory_says_so() -> None:
    result = diff(parent("Other.template.json"), parent("Other.template.json"), old_dir={}, new_dir={})
    [note] = result.notes
    assert "no such template in the assembly" in note
