"""The fast paths of synth and diff (issue 21 part 3) give exactly what the plain ones give.

Each fast path is checked against the slow one it replaces, on every template under tests/ and on
values made to reach the corners: the indented JSON writer against json.dumps, the path-free
reference walks against the occurrence walks, the diff's lazy reference index against a full one,
the schema layer's reference pre-check against the walk it lets skip.
"""

from __future__ import annotations

import datetime
import gc
import json
from collections import defaultdict
from typing import Any

import pytest
from template_corpus import templates_under_tests

from iac.synth import references
from iac.synth.collector import paused_collector
from iac.synth.diff import diff_templates
from iac.synth.diff.conditions import Conditions
from iac.synth.diff.engine import _property_path, _ReferenceIndex
from iac.synth.diff.model import ResourceChange
from iac.synth.schema_validation import _TemplateChecker, validate_template
from iac.synth.serialize import dumps_indented, to_json

TEMPLATES = templates_under_tests()


class _Text:
    def __str__(self) -> str:
        return "text"


class _Str(str):
    pass


class _Int(int):
    pass


CORNERS: list[Any] = [
    {}, [], "top", 5, None, True, 1.5, -0.0, 10**30, 1e300,
    {"a": [], "b": {}, "c": [[[]]], "d": [{}]},
    {"é": "ü\u2028\x00\"\\\n\t", "k": ["ascii", "ñ"]},
    {"numbers": [0, -1, 2.5, 1e-7, 3.0]},
    {"tuple": (1, "two", (3,))},
    {1: "int key"}, {True: "bool key"}, {None: "none key"}, {2.5: "float key"},
    {"nan": float("nan")}, {"inf": [float("inf"), -float("inf")]},
    {"object": _Text()}, [_Text(), {"date": datetime.date(2020, 1, 2)}],
    {"sub": _Str("s"), _Str("key"): _Int(3)},
]


@pytest.mark.parametrize("options", [{}, {"ensure_ascii": False}, {"default": str},
                                     {"default": str, "ensure_ascii": False, "allow_nan": False}])
def test_dumps_indented_writes_what_json_dumps_writes(options: dict[str, Any]) -> None:
    for value in CORNERS + [template for _, template in TEMPLATES]:
        assert _outcome(dumps_indented, value, options) == _outcome(json.dumps, value, {"indent": 1, **options}), value


def _outcome(dumps: Any, value: Any, options: dict[str, Any]) -> str:
    """The text written, or the error raised, as one string to compare."""
    try:
        return dumps(value, **options)
    except (TypeError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


def test_to_json_of_every_template_is_byte_identical_to_json_dumps() -> None:
    for name, template in TEMPLATES:
        assert to_json(template) == json.dumps(template, indent=1, ensure_ascii=False, allow_nan=False) + "\n", name


def test_circular_and_deep_values_fail_as_json_dumps_fails() -> None:
    loop: dict[str, Any] = {"a": []}
    loop["a"].append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(loop)
    deep: list[Any] = []
    inner = deep
    for _ in range(5000):
        inner.append([])
        inner = inner[0]
    with pytest.raises(RecursionError):
        json.dumps(deep, indent=1)
    with pytest.raises(RecursionError):
        dumps_indented(deep)


REFERENCE_CORNERS: list[Any] = [
    {"Ref": "A"}, {"Ref": {"Fn::Sub": "${B}"}}, {"Ref": ["C"]},
    {"Fn::GetAtt": "D.Arn"}, {"Fn::GetAtt": ["E", "Arn"]}, {"Fn::GetAtt": ["F", {"Ref": "G"}]},
    {"Fn::GetAtt": [{"Ref": "H"}, "Arn"]}, {"Fn::GetAtt": "NoDot"},
    {"Fn::Sub": "${I} ${J.Arn} ${!Literal} ${AWS::Region} ${ K }"},
    {"Fn::Sub": ["${L}-${Local}", {"Local": {"Ref": "M"}}]}, {"Fn::Sub": [{"Ref": "N"}]}, {"Fn::Sub": 5},
    {"Ref": "O", "Extra": {"Ref": "P"}},
    {"Fn::If": ["Cond", {"Fn::FindInMap": ["Map", "k", {"Ref": "Q"}]}, {"Ref": "AWS::NoValue"}]},
    [{"Fn::FindInMap": [{"Ref": "R"}, "a", "b"]}, {"Fn::If": "notalist"}, {"Fn::FindInMap": ["M2", 1], "x": 1}],
    {"Fn::GetAtt": [{"Fn::If": ["C2", "S", "T"]}, "Arn"]},
]


def test_path_free_reference_walks_find_what_the_occurrence_walks_find() -> None:
    values = list(REFERENCE_CORNERS)
    for _, template in TEMPLATES:
        values.append(template)
        resources = template.get("Resources")
        values.extend(resources.values() if isinstance(resources, dict) else ())
    for value in values:
        assert references.referenced_names(value) == {t for t, _, _ in references.reference_occurrences(value, ())}
        assert references.looked_up_names(value) == {e for e, _ in references.lookup_occurrences(value, ())}


def _full_index(resources: dict[str, Any], conds: Conditions) -> dict[str, list[Any]]:
    """The reference index as it was built before: every occurrence of every resource, with its path."""
    index: dict[str, list[Any]] = defaultdict(list)
    for logical_id, resource in resources.items():
        properties = resource.get("Properties")
        if not isinstance(properties, dict):
            continue
        for name, value in properties.items():
            for target, path, attribute in references.reference_occurrences(value, (name,)):
                where, in_branch = _property_path(path)
                index[target].append((logical_id, name, where, attribute, in_branch))
            for entry, path in references.lookup_occurrences(value, (name,)):
                where, _ = _property_path(path)
                index[entry].append((logical_id, name, where, None, True))
    return dict(index)


def test_the_lazy_reference_index_gives_every_target_what_a_full_index_gives() -> None:
    checked = 0
    for _, template in TEMPLATES:
        resources = {k: v for k, v in (template.get("Resources") or {}).items() if isinstance(v, dict)} \
            if isinstance(template.get("Resources"), dict) else {}
        if not resources:
            continue
        changes = {lid: ResourceChange(action="Modify", logical_id=lid, resource_type=str(r.get("Type")))
                   for lid, r in resources.items()}
        conds = Conditions({}, {})
        full = _full_index(resources, conds)
        lazy = _ReferenceIndex(resources, changes, {}, conds, set())
        asked = set(full) | set(resources) | {"Nothing", "AWS::Region"}
        for target in sorted(asked):  # asked in any order, twice: the cached occurrences are the same
            assert lazy.get(target) == full.get(target, []), target
            assert lazy.get(target) == full.get(target, []), target
        checked += 1
    assert checked > 50


def test_the_schema_layers_reference_precheck_never_hides_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = {"Resources": {
        "Q": {"Type": "AWS::SQS::Queue", "Condition": "Missing", "Properties": {
            "QueueName": {"Fn::Sub": "${Nope.Arn}-${Q.Arn}-${AWS::Region}"},
            "DelaySeconds": {"Fn::If": ["NoCondition", 1, 2]},
            "Tags": [{"Key": "k", "Value": {"Ref": "Undefined"}}, {"Key": "a", "Value": {"Fn::GetAtt": ["Q", "Nope"]}}],
        }},
        "T": {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::GetAtt": "Q.Arn"}}},
        # the text form is walked first: its answer must not be taken for the malformed one-item list
        "C": {"Type": "Custom::Thing", "Properties": {"A": {"Fn::GetAtt": ["Q.Arn"]}, "B": {"Fn::GetAtt": "Q.Arn"}}},
    }}
    samples = [template for _, template in TEMPLATES] + [broken]
    fast = [validate_template(template) for template in samples]
    monkeypatch.setattr(_TemplateChecker, "_references_fine", lambda self, value: False)
    slow = [validate_template(template) for template in samples]
    assert fast == slow
    assert len(fast[-1]) >= 6  # the broken template's findings are all there
    assert any(f.path[:2] == ("Resources", "C") for f in fast[-1])


def test_the_collector_is_paused_for_a_diff_and_given_back() -> None:
    seen = []
    with paused_collector():
        seen.append(gc.isenabled())
        with paused_collector():
            seen.append(gc.isenabled())
        seen.append(gc.isenabled())
    assert seen == [False, False, False]
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_collector():
            pass
        assert not gc.isenabled()  # a caller that disabled it keeps it disabled
    finally:
        gc.enable()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_what_a_paused_block_made_is_filed_as_old_without_a_young_pass_and_still_collected() -> None:
    import weakref

    with paused_collector():
        made = [{"n": [i]} for i in range(5_000)]
        cycle = _Cycle()
        watch = weakref.ref(cycle)
        del cycle
        assert gc.get_count()[0] > 5_000
    assert gc.get_count()[0] < 100  # no young pass owed for the block's objects
    assert gc.get_freeze_count() == 0 and made
    assert watch() is not None  # nothing was collected on the way out
    gc.collect()
    assert watch() is None  # the garbage cycle is freed by the next full pass, not kept forever


def test_a_process_that_froze_objects_keeps_them_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_collector():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_diff_templates_runs_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch) -> None:
    import iac.synth.diff.stack as stack

    states = []
    real = stack.diff_resources

    def spy(*args: Any, **kwargs: Any) -> Any:
        states.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(stack, "diff_resources", spy)
    queue = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "a"}}}}
    changed = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "b"}}}}
    assert diff_templates(queue, changed).resources[0].replacement == "True"
    assert states == [False]
    assert gc.isenabled()


def test_keys_used_finds_what_functions_used_finds_among_the_names() -> None:
    names = frozenset({"Fn::Length", "Fn::ToJsonString", "Fn::Sub"})
    corners = [{"Fn::Length": [1]}, [{"a": {"Fn::ToJsonString": {"b": 1}}}], {"Fn::Sub": "x", "Other": 1}, "Fn::Length"]
    for value in corners + [template for _, template in TEMPLATES]:
        assert references.keys_used(value, names) == references.functions_used(value) & names


def test_dumps_indented_leaves_no_garbage_cycle_behind() -> None:
    """A synth pauses the collector: a cycle left by each template written would keep its text's pieces alive."""
    template = max((template for _, template in TEMPLATES), key=lambda t: len(json.dumps(t)))
    dumps_indented(template)
    gc.collect()
    gc.disable()
    try:
        dumps_indented(template)
        dumps_indented({"tuple": (1, [2]), "object": _Text()}, default=str)
        assert gc.collect() == 0
    finally:
        gc.enable()


LANGUAGE_EXTENSION_CORNERS: list[Any] = [
    {"Fn::GetAtt": [{"Fn::Length": ["a"]}]}, {"Fn::GetAtt": [1, {"Fn::ToJsonString": {}}]},
    {"Fn::GetAtt": {"Fn::Length": [1]}}, {"Fn::Sub": {"Fn::Length": [1]}},
    {"Fn::Sub": ["${X}", {"V": {"Fn::Length": [1]}}]}, {"Fn::Sub": ["${X}", {"Fn::Length": 1}]},
    {"Fn::Sub": ["${X}", {"V": 1}, {"Fn::ToJsonString": {}}]}, {"Fn::Sub": [{"Fn::Length": [1]}, {"V": 2}]},
    {"Fn::Sub": ["${X}", [{"Fn::Length": [1]}]]}, {"Ref": {"Fn::Length": [1]}},
    {"Fn::GetAtt": ["A", {"Fn::ToJsonString": {"Ref": "B"}}]},
]


def test_the_joint_walk_finds_what_the_reference_and_key_walks_find() -> None:
    keys = frozenset({"Fn::Length", "Fn::ToJsonString"})
    values: list[Any] = [*REFERENCE_CORNERS, *LANGUAGE_EXTENSION_CORNERS]
    values += [{"Type": "T", "Properties": {"P": corner}, "Metadata": corner} for corner in LANGUAGE_EXTENSION_CORNERS]
    values += [{"Type": "T", "DependsOn": [{"Fn::Length": [1]}], "Condition": {"Fn::ToJsonString": {}}}]
    for _, template in TEMPLATES:
        values.append(template)
        resources = template.get("Resources")
        values.extend(resources.values() if isinstance(resources, dict) else ())
    for value in values:
        assert references.references_and_keys(value, keys) == (  # referenced_names is this walk with no keys
            {target for target, _, _ in references.reference_occurrences(value, ())}, references.keys_used(value, keys))
        if isinstance(value, dict):
            names, found = references.resource_references_and_keys(value, keys)
            assert found == references.keys_used(value, keys)
            ids = names | {"A", "B", "Missing"}
            assert references.dependencies_among(names, value, ids) == references.resource_dependencies(value, ids)
