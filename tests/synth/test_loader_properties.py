"""Property-based: whatever text a template file holds, reading it gives a template or a TemplateError
(an input error with the file), never another exception; and a template read back is what was written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iac import TemplateError
from iac.synth import loads_template
from iac.synth.serialize import serialize

YAML_PIECES = st.sampled_from([
    "Resources:", "\n", "  ", "Q:", "Type: AWS::SQS::Queue", "!Ref", "!GetAtt A.B", "!Sub", "&a", "*a", "[", "]",
    "{", "}", ",", "-", ":", "'", '"', "#", "|", ">", "9" * 20, "null", "true", "\t", "%YAML 1.1", "---", "...",
    "!!binary", "!!python/object:os.system", "<<: *a", "?", "\x00", "\x1b]52;c;x\x07", "é",
])

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.text(max_size=20))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(YAML_PIECES, max_size=40).map("".join))
def test_any_yaml_like_text_loads_or_is_a_template_error(text: str) -> None:
    try:
        loads_template(text, file="t.yaml")
    except TemplateError as error:
        assert error.location is None or error.location.file == "t.yaml"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_loads_or_is_a_template_error(text: str) -> None:
    try:
        loads_template(text, file="t.json")
    except TemplateError:
        pass


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), VALUES, min_size=1, max_size=4), st.sampled_from(["json",
                                                                                                             "yaml"]))
def test_what_is_written_reads_back_the_same(template: dict, format: str) -> None:
    assert loads_template(serialize(template, format)) == template
