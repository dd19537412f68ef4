"""The schema layer's fast walk gives exactly what its plain walks give (issue 21, part 3).

`_TemplateChecker._resource_fine` answers, for one resource, whether the schema walk (`_Walker.check`)
and the reference walk (`_references`) would both find nothing, in one walk without paths; only a
resource it does not vouch for is walked by `_resource`, which says what is wrong. These tests hold
it to that on every template under tests/, every sample's stacks, crafted invalid templates, and
thousands of mutations of the corpus's resources (wrong types deep in arrays, bad Ref targets, GetAtt
of unknown attributes, Sub variables, conditions, unknown properties and functions).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import Any

import pytest
from template_corpus import sample_stacks, templates_under_tests

from iac.synth.language_extensions import expand, uses_language_extensions
from iac.synth.schema_validation import _FastWalker, _local_paths, _TemplateChecker, validate_template


def _test_templates() -> list[tuple[str, dict[str, Any]]]:
    return [(name, template) for name, template in templates_under_tests()
            if isinstance(template, dict) and isinstance(template.get("Resources"), dict)]


def _crafted() -> list[tuple[str, dict[str, Any]]]:
    queue_arn = {"Fn::GetAtt": ["Queue", "Arn"]}
    return [("crafted", {
        "Parameters": {"Size": {"Type": "Number"}},
        "Conditions": {"Prod": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue", "Condition": "Missing", "Properties": {
                "QueueName": {"Fn::Sub": "${Nope.Arn}-${Queue.Arn}-${AWS::Region}-${Size}-${Undefined}"},
                "DelaySeconds": {"Fn::If": ["NoCondition", 1, "many"]},
                "MessageRetentionPeriod": {"Fn::If": ["Prod", 60, {"Ref": "AWS::NoValue"}]},
                "Tags": [{"Key": "k", "Value": {"Ref": "Undefined"}},
                         {"Key": "a", "Value": {"Fn::GetAtt": ["Queue", "Nope"]}},
                         {"Key": "deep", "Value": [1, 2]}, {"Key": {"Fn::Join": ["", [{"Ref": "Gone"}]]}, "Value": "v"},
                         {"Value": "no key"}, {"Key": "x", "Value": "y", "Extra": True}],
            }},
            "Topic": {"Type": "AWS::SNS::Topic", "DependsOn": ["Queue", "Ghost"], "Properties": {
                "DisplayName": {"Fn::GetAtt": "Queue.Arn"},
                "Subscription": [{"Protocol": "sqs", "Endpoint": queue_arn},
                                 {"Protocol": "carrier pigeon", "Endpoint": {"Fn::GetAtt": ["Ghost", "Arn"]}},
                                 {"Protocol": {"Condition": "Prod"}, "Endpoint": {"Fn::Joinn": ["", ["a"]]}}],
                "TopicName": {"Fn::Sub": ["${Local}-${Other}", {"Local": {"Ref": "Nowhere"}}]},
                "Tags": {"Key": "not a list"},
            }},
            "Group": {"Type": "AWS::Logs::LogGroup", "Metadata": {"Note": {"Ref": "Absent"}},
                      "Properties": {"RetentionInDays": 13, "LogGroupName": {"Fn::Equals": [1, 1]},
                                     "Arn": "read only", "Unknwn": 1}},
            "Custom": {"Type": "Custom::Thing", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Missing", "Arn"]},
                                                               "A": {"Fn::GetAtt": ["Q.Arn"]}}},
            "Typo": {"Type": "AWS::SQS::Queu"},
            "NoType": {"Properties": {}},
            "Dynamic": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": "{{resolve:ssm:/delay}}",
                                                                 "RedrivePolicy": {"deadLetterTargetArn": queue_arn}}},
        },
        "Outputs": {"Out": {"Value": {"Ref": "Nothing"}, "Condition": "Nope"}},
    })]


CORPUS = _test_templates() + sample_stacks()
CRAFTED = _crafted()


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every resource walked by the plain walks, as before the fast one."""
    monkeypatch.setattr(_TemplateChecker, "_resource_fine", lambda self, logical_id, resource: False)


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_the_findings_are_those_of_the_plain_walks(monkeypatch: pytest.MonkeyPatch, region: str) -> None:
    templates = [template for _, template in CORPUS + CRAFTED]
    fast = [validate_template(template, region) for template in templates]
    _plain(monkeypatch)
    slow = [validate_template(template, region) for template in templates]
    assert fast == slow
    assert sum(map(len, fast)) >= 40  # the corpus holds problems too, not only clean templates


def test_every_crafted_problem_is_found() -> None:
    found = validate_template(CRAFTED[0][1])
    said = {(".".join(map(str, f.path[1:])), f.rule) for f in found}
    for expected in [
        ("Queue.Condition", "E8002"), ("Queue.Properties.QueueName.Fn::Sub", "E1019"),
        ("Queue.Properties.DelaySeconds.Fn::If.0", "E1028"), ("Queue.Properties.DelaySeconds.Fn::If.2", "E3012"),
        ("Queue.Properties.Tags.0.Value.Ref", "E1020"), ("Queue.Properties.Tags.1.Value.Fn::GetAtt", "E1010"),
        ("Queue.Properties.Tags.2.Value", "E3012"), ("Queue.Properties.Tags.3.Key.Fn::Join.1.0.Ref", "E1020"),
        ("Queue.Properties.Tags.4", "E3003"), ("Queue.Properties.Tags.5.Extra", "E3002"),
        ("Topic.DependsOn.1", "E3005"), ("Topic.Properties.Subscription.1.Endpoint.Fn::GetAtt", "E1010"),
        ("Topic.Properties.Subscription.2.Protocol.Condition", "E3012"),
        ("Topic.Properties.Subscription.2.Endpoint.Fn::Joinn", "E3012"),
        ("Topic.Properties.TopicName.Fn::Sub", "E1019"), ("Topic.Properties.Tags", "E3012"),
        ("Group.Metadata.Note.Ref", "E1020"), ("Group.Properties.RetentionInDays", "E3030"),
        ("Group.Properties.LogGroupName.Fn::Equals", "E3012"), ("Group.Properties.Arn", "E3002"),
        ("Group.Properties.Unknwn", "E3002"), ("Custom.Properties.ServiceToken.Fn::GetAtt", "E1010"),
        ("Custom.Properties.A.Fn::GetAtt", "E1010"), ("Typo.Type", "E3006"), ("NoType.Type", "E3001"),
    ]:
        assert expected in said, (expected, sorted(said))
    assert not any(f.path[:2] == ("Resources", "Dynamic") for f in found)


def _nodes(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The path of every value below `value` (itself included)."""
    yield path
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nodes(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _nodes(child, path + (index,))


def _replaced(resource: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(resource)
    parent: Any = changed
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = copy.deepcopy(value)
    return changed


def _mutations(template: dict[str, Any], rng: random.Random) -> Iterator[tuple[str, dict[str, Any]]]:
    """Resources of `template` with one value changed: a wrong type, a bad reference, a misspelt function ..."""
    resources = template["Resources"]
    some_id = next(iter(resources))
    bad_values: list[Any] = [
        12345, -1, 1.5, True, None, "", "x" * 3000, "ünïcode", [], [[1]], {}, {"Unknwn": 1}, "{{resolve:ssm:/x}}",
        {"Ref": "Nope"}, {"Ref": "AWS::NoValue"}, {"Ref": some_id}, {"Ref": ["list"]},
        {"Fn::GetAtt": ["Nope", "Arn"]}, {"Fn::GetAtt": [some_id, "NoSuchAttribute"]}, {"Fn::GetAtt": f"{some_id}.Arn"},
        {"Fn::GetAtt": [some_id]}, {"Fn::Sub": "${Nope}-${AWS::Region}"}, {"Fn::Sub": f"${{{some_id}.Nope}}"},
        {"Fn::Sub": ["${X}", {"X": {"Ref": "Nope"}}]}, {"Fn::If": ["NoSuchCondition", "a", "b"]}, {"Fn::If": ["a"]},
        {"Fn::If": ["C", {"Ref": "AWS::NoValue"}, [1, {"Ref": "Nope"}]]}, {"Condition": "C"}, {"Fn::Equals": [1, 1]},
        {"Fn::Joinn": ["", []]}, {"Fn::NewFunction": 1}, {"Fn::Join": ["", [{"Ref": "Nope"}]]},
        {"Fn::Select": [0, {"Fn::GetAZs": ""}]}, {"Fn::ImportValue": "Other"}, {"Fn::Split": [",", "a,b"]},
        [{"Key": "k", "Value": {"Fn::GetAtt": ["Nope", "Arn"]}}], {"Key": "k", "Value": "v"},
    ]
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict):
            continue
        paths = list(_nodes(resource))[1:]
        for path in rng.sample(paths, min(len(paths), 5)):
            if path[-1] == "Type":
                continue
            for value in rng.sample(bad_values, 4):
                yield logical_id, _replaced(resource, path, value)
            removed = copy.deepcopy(resource)  # the key or item dropped (a required property ...)
            holder: Any = removed
            for part in path[:-1]:
                holder = holder[part]
            del holder[path[-1]]
            yield logical_id, removed
            if isinstance(holder, dict):  # and a name the schema does not know beside the others
                holder["Unknwn"] = 1
                yield logical_id, removed


def _resources(template: dict[str, Any]) -> tuple[_TemplateChecker, dict[str, Any]]:
    checked = expand(template).template if uses_language_extensions(template) else template
    checker = _TemplateChecker(checked, "us-east-1")
    return checker, checker.resources


def _agree(checker: _TemplateChecker, logical_id: str, resource: Any) -> bool:
    """Whether the plain walks find something in `resource` (or raise), having checked the fast one agrees."""
    try:
        slow: Any = list(checker._resource(logical_id, resource))
    except Exception as error:  # noqa: BLE001 - what the plain walk raises, the fast one must not hide
        slow = error
    try:
        fast: Any = checker._resource_fine(logical_id, resource)
    except Exception as error:  # noqa: BLE001 - validate_template then asks the plain walks
        fast = error
    if slow:
        assert fast is not True, (logical_id, resource, slow)
    elif isinstance(resource, dict) and not _local_paths(str(resource.get("Type")), resource.get("Properties"), ()):
        # nothing to say, and no packaged local path (which the fast walk leaves to the plain one): the fast
        # walk vouches for it itself, or it would be no faster
        assert fast is True, (logical_id, resource)
    return bool(slow)


def test_a_resource_is_fine_exactly_when_the_plain_walks_find_nothing() -> None:
    fine = 0
    for _, template in CORPUS + CRAFTED:
        checker, resources = _resources(template)
        for logical_id, resource in resources.items():
            _agree(checker, logical_id, resource)
            fine += checker._resource_fine(logical_id, resource) is True
    assert fine > 500


def test_no_mutation_of_the_corpus_hides_a_problem() -> None:
    rng = random.Random(21)
    mutated = with_findings = 0
    for _, template in CORPUS + CRAFTED:
        checker, resources = _resources(template)
        if not resources:
            continue
        for logical_id, resource in _mutations({"Resources": resources}, rng):
            with_findings += _agree(checker, logical_id, resource)
            mutated += 1
    assert mutated > 5000, mutated
    assert with_findings > mutated // 3


def test_nesting_deeper_than_the_recursion_limit_outside_the_schema_is_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    deep: Any = {"Ref": "Nope"}
    for _ in range(3000):
        deep = {"Nested": [deep]}
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Metadata": {"Deep": deep}},
                              "Policy": {"Type": "AWS::SQS::QueuePolicy", "Properties": {
                                  "Queues": [{"Ref": "Queue"}], "PolicyDocument": {"Statement": [deep]}}}}}
    found = validate_template(template)
    assert [(f.path[1], f.rule) for f in found] == [("Queue", "E1020"), ("Policy", "E1020")]
    _plain(monkeypatch)
    assert validate_template(template) == found


def test_a_fast_walk_that_raises_leaves_the_resource_to_the_plain_walks(monkeypatch: pytest.MonkeyPatch) -> None:
    templates = [template for _, template in CRAFTED + CORPUS[-30:]]
    expected = [validate_template(template) for template in templates]
    raised = []

    def too_deep(self: Any, value: Any, raw: Any) -> bool:
        raised.append(value)
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(_FastWalker, "fine", too_deep)
    assert [validate_template(template) for template in templates] == expected
    assert len(raised) > 30
