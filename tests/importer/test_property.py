"""Random templates round-trip: any nesting of lists, mappings, awkward strings (quotes, braces, backslashes,
newlines, unicode), numbers and intrinsic functions referring to the template's parameters, conditions,
mappings and resources comes back the same, and the generated source is ruff-format stable."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iac.importer import differences, generate, synthesized_template

_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
_SUB_TEXT = _TEXT.map(lambda text: text.replace("$", "S"))  # no `${` of its own inside a Sub
_KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=12)
_SCALAR = st.one_of(_TEXT, st.integers(-10**12, 10**12), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False, width=32))

_REFERENCE = st.sampled_from([
    {"Ref": "Env"}, {"Ref": "Queue"}, {"Fn::GetAtt": ["Queue", "Arn"]}, {"Fn::GetAtt": "Queue.QueueName"},
    {"Ref": "AWS::Region"}, {"Ref": "AWS::NoValue"}, {"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Count"]},
])
_PIECE = st.sampled_from(["${Env}", "${Queue}", "${Queue.Arn}", "${AWS::AccountId}", "${!Literal}", "${Var}"])


@st.composite
def _sub(draw: st.DrawFn) -> dict[str, Any]:
    parts = draw(st.lists(st.one_of(_SUB_TEXT, _PIECE), min_size=1, max_size=6))
    text = "".join(parts)
    if "${Var}" in text:
        return {"Fn::Sub": [text, {"Var": draw(st.one_of(_REFERENCE, _SUB_TEXT))}]}
    return {"Fn::Sub": text}


def _values(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(_KEY, children, max_size=4),
        st.tuples(_TEXT, st.lists(children, min_size=1, max_size=3)).map(lambda t: {"Fn::Join": list(t)}),
        st.tuples(st.integers(0, 2), st.lists(children, min_size=3, max_size=3)).map(
            lambda t: {"Fn::Select": list(t)}),
        st.tuples(children, children).map(lambda t: {"Fn::If": ["IsProd", *t]}),
        st.tuples(children, children).map(lambda t: {"Fn::Equals": list(t)}),
        st.just({"Fn::GetAZs": ""}), children.map(lambda value: {"Fn::Base64": value}),
    )


_VALUE = st.recursive(st.one_of(_SCALAR, _REFERENCE, _sub()), _values, max_leaves=12)


def _template(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
        "Mappings": {"Sizes": {"dev": {"Count": 1}, "prod": {"Count": 3}}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
        "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Thing": {"Type": "Custom::Thing", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Queue", "Arn"]},
                                                              **properties}},
        },
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_KEY.filter(lambda key: key != "ServiceToken"), _VALUE, min_size=1, max_size=4))
def test_random_templates_round_trip(properties: dict[str, Any]) -> None:
    template = _template(properties)
    source = generate(template, stack_name="Random")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "app.py"
        path.write_text(source, encoding="utf-8")
        assert differences(template, synthesized_template(str(path))) == []
        completed = subprocess.run([sys.executable, "-m", "ruff", "format", "--check", "--isolated", "--line-length",
                                    "100", "--target-version", "py311", str(path)], capture_output=True, text=True)
        assert completed.returncode == 0, completed.stdout + completed.stderr + source


_TAGS = st.lists(st.fixed_dictionaries({"Key": _TEXT, "Value": st.one_of(_SCALAR, _REFERENCE, _sub())}), max_size=3)
_NUMBERISH = st.one_of(st.integers(0, 900), st.integers(0, 900).map(str), st.sampled_from(["007", "1.5", "1e3", "x"]),
                       _REFERENCE)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TAGS, _NUMBERISH, st.one_of(_VALUE, st.booleans().map(str)))
def test_typed_properties_round_trip_whatever_their_scalars(tags: list[Any], delay: Any, fifo: Any) -> None:
    """Scalars are converted to the schema's types only where the normalized template stays the same."""
    template = _template({})
    template["Resources"]["Typed"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "Tags": tags, "DelaySeconds": delay, "ContentBasedDeduplication": fifo}}
    source = generate(template, stack_name="Random")
    assert "sqs.Queue(\n    stack,\n    \"Typed\"," in source or 'sqs.Queue(stack, "Typed"' in source
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "app.py"
        path.write_text(source, encoding="utf-8")
        assert differences(template, synthesized_template(str(path))) == []
