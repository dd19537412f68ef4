"""A template written as YAML (short-form tags) or JSON and read back is the same data, for every
value type (null, numbers, booleans, strings, lists, maps) as the argument of every short-form
function, nested, in every section; the long form is written where the short form cannot carry it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iac.synth.loader import loads
from iac.synth.serialize import SHORT_FORM_FUNCTIONS, to_json, to_yaml


def typed(value: Any) -> Any:
    """The value with every scalar's type kept: 1, 1.0 and True compare equal in Python, not here."""
    if isinstance(value, dict):
        return {key: typed(child) for key, child in value.items()}
    if isinstance(value, list):
        return [typed(child) for child in value]
    return (type(value).__name__, value)


def round_trips(template: dict[str, Any]) -> None:
    yaml_text = to_yaml(template)
    assert typed(loads(yaml_text)) == typed(template), yaml_text
    assert typed(loads(to_json(template))) == typed(template)
    assert list(loads(yaml_text)) == list(template)


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
KEYS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False), TEXT,
    st.sampled_from(["", "null", "true", "No", "1e3", "0x1F", "2010-09-09", "A.B", "A.B.C", "NoDot", "${A}",
                     "a\nb", "a \nb", " lead", "trail\n", "<<", "=", "!Ref", "*x", "&x", "#", "- x", "a: b"]),
)
FUNCTIONS = sorted(SHORT_FORM_FUNCTIONS)


def with_functions(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
        st.builds(lambda name, arg: {name: arg}, st.sampled_from(FUNCTIONS), inner),
    )


VALUES = st.recursive(SCALARS, with_functions, max_leaves=16)


@st.composite
def templates(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": draw(TEXT),
        "Metadata": draw(st.dictionaries(KEYS, VALUES, max_size=2)),
        "Parameters": {"P": {"Type": "String", "Default": draw(SCALARS)}},
        "Mappings": {"M": {"K": draw(st.dictionaries(KEYS, VALUES, max_size=2))}},
        "Conditions": {"C": draw(VALUES)},
        "Resources": {
            draw(st.sampled_from(["R", "Ref", "Condition", "Fn::If"])): {
                "Type": "Custom::Thing", "Condition": "C",
                "Properties": draw(st.dictionaries(KEYS, VALUES, max_size=3)),
                "Metadata": draw(VALUES),
            },
        },
        "Outputs": {"O": {"Value": draw(VALUES)}},
    }


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(templates())
def test_every_template_reads_back_as_it_was_written(template: dict[str, Any]) -> None:
    round_trips(template)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FUNCTIONS), SCALARS)
def test_every_short_form_function_carries_every_scalar_type(name: str, arg: Any) -> None:
    round_trips({"Resources": {"R": {"Type": "Custom::Thing", "Properties": {"V": {name: arg}}}}})


@pytest.mark.parametrize(("value", "written"), [
    ({"Fn::GetAZs": None}, "Fn::GetAZs: null"),
    ({"Fn::GetAZs": ""}, "Value: !GetAZs\n"),
    ({"Ref": 5}, "Ref: 5"),
    ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, "!Select\n"),
    ({"Fn::Base64": True}, "Fn::Base64: true"),
    ({"Fn::GetAtt": "Queue.Arn"}, "Fn::GetAtt: Queue.Arn"),
    ({"Fn::GetAtt": ["Queue", "Arn"]}, "!GetAtt Queue.Arn"),
    ({"Fn::GetAtt": ["Queue", "A.B"]}, "!GetAtt Queue.A.B"),
    ({"Condition": {"StringEquals": {"a": "b"}}}, "Condition:\n"),
])
def test_the_short_form_is_written_only_where_it_carries_the_value(value: Any, written: str) -> None:
    text = to_yaml({"Outputs": {"O": {"Value": value}}})
    assert written in text
    round_trips({"Outputs": {"O": {"Value": value}}})


def test_a_hand_written_tagged_scalar_is_text_as_cfn_lint_and_cloudformation_read_it() -> None:
    assert loads("Outputs: {O: {Value: !Ref 5}}\n")["Outputs"]["O"]["Value"] == {"Ref": "5"}
    assert loads("Outputs:\n  O:\n    Value: !GetAZs\n")["Outputs"]["O"]["Value"] == {"Fn::GetAZs": ""}
