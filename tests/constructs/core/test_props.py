"""Props declared once in a constructor's signature: names, types, units and bound schemas checked
at construction, with the user's line (iac/constructs/core/props.py)."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import pytest

from iac import App, Construct, ConstructError, Duration, Parameter, Size, Stack, Token
from iac.constructs.core.props import Cfn, Check, Unit, checked_options, describe_type, matches
from iac.constructs.core.props_doc import arg_descriptions, prop_docs, schema_limits
from iac.specs import known_regions, property_range, resource_schema


def _no_zero(value: Any) -> str | None:
    return "zero is not allowed here" if value == 0 else None


class Widget(Construct):
    """A made-up construct bound to Lambda's schema (its limits are known and stable enough to test).

    Args:
        handler: the entry point.
        memory_size: memory for the widget.
        tracing: how requests are traced.
    """

    cfn_type = "AWS::Lambda::Function"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        handler: str,
        memory_size: Annotated[int | Size, Cfn("MemorySize", unit="MiB")] = 128,
        timeout: Annotated[int | Duration | Token, Cfn("Timeout", unit="seconds")] = 3,
        tracing: Literal["Active", "PassThrough"] | None = None,
        names: Sequence[str] = (),
        batch: Annotated[int, Check(_no_zero)] = 1,
        window: Annotated[int | Duration, Unit("minutes")] = 5,
        architecture: Annotated[str, Cfn("PackageType")] = "Zip",
    ) -> None:
        super().__init__(scope, id)
        self.received = dict(memory_size=memory_size, timeout=timeout, tracing=tracing, window=window)


@pytest.fixture
def scope() -> Stack:
    return Stack(App(), "Main")


def test_durations_and_sizes_arrive_in_the_propertys_unit(scope):
    widget = Widget(scope, "W", handler="h", memory_size=Size.gibibytes(1), timeout=Duration.minutes(2),
                    window=Duration.hours(1))

    assert widget.received["memory_size"] == 1024
    assert widget.received["timeout"] == 120
    assert widget.received["window"] == 60


@pytest.mark.parametrize(("options", "message"), [
    ({"handlr": "h"}, "Widget 'W' has no argument 'handlr'"),
    ({}, "Widget 'W' needs the argument handler="),
    ({"handler": "h", "timeout": Duration.seconds(90.5)}, "timeout: 90500 milliseconds is not a whole number of "
                                                          r"seconds \(the property takes seconds\)"),
    ({"handler": "h", "window": Duration.seconds(90)}, "window: 90 seconds is not a whole number of minutes"),
    ({"handler": "h", "timeout": 99999}, r"timeout: 99999 is greater than the maximum of \d+ "
                                         r"\(AWS::Lambda::Function Timeout, per its schema\)"),
    ({"handler": "h", "memory_size": "512"}, r"memory_size must be int \| Size, got str '512'"),
    ({"handler": "h", "memory_size": True}, r"memory_size must be int \| Size, got bool True"),
    ({"handler": "h", "tracing": "On"}, r"tracing must be 'Active' \| 'PassThrough' \| None, got str 'On'"),
    ({"handler": "h", "names": "abc"}, r"names must be Sequence\[str\]"),
    ({"handler": "h", "names": ["a", 1]}, r"names must be Sequence\[str\]"),
    ({"handler": "h", "batch": 0}, "batch: zero is not allowed here"),
    ({"handler": "h", "architecture": "Zap"}, r"'Zap' is not one of \['Image', 'Zip'\] \(did you mean 'Zip'\?\)"),
])
def test_bad_arguments_are_construct_errors_at_the_users_line(scope, options, message):
    with pytest.raises(ConstructError, match=message) as caught:
        Widget(scope, "W", **options)

    assert caught.value.path == "Main/W"
    assert caught.value.location is not None
    assert caught.value.location.file == __file__


def test_a_misspelt_argument_is_offered_the_closest_real_one(scope):
    with pytest.raises(ConstructError) as caught:
        Widget(scope, "W", handler="h", memory_sise=256)

    assert caught.value.hint == "did you mean memory_size?"


def test_tokens_skip_the_schema_check_but_not_the_type_check(scope):
    parameter = Parameter(scope, "Timeout", type="Number")

    widget = Widget(scope, "W", handler="h", timeout=parameter.value)

    assert widget.received["timeout"] is parameter.value
    with pytest.raises(ConstructError, match=r"memory_size must be int \| Size, got Reference"):
        Widget(scope, "V", handler="h", memory_size=parameter.value)


def test_a_type_error_inside_the_constructor_is_not_mistaken_for_a_bad_argument(scope):
    class Broken(Construct):
        def __init__(self, scope: Construct, id: str, *, size: int = 1) -> None:
            super().__init__(scope, id)
            len(size)  # type: ignore[arg-type]  # a bug of the construct, not of the caller

    with pytest.raises(TypeError, match="has no len"):
        Broken(scope, "B", size=2)


def test_user_construct_classes_get_the_same_checks(scope):
    class Mine(Construct):
        def __init__(self, scope: Construct, id: str, *, retries: int = 1) -> None:
            super().__init__(scope, id)

    with pytest.raises(ConstructError, match="Mine 'M' has no argument 'retires'") as caught:
        Mine(scope, "M", retires=2)
    assert caught.value.hint == "did you mean retries?"
    with pytest.raises(ConstructError, match="retries must be int, got str"):
        Mine(scope, "M", retries="2")


def test_the_signature_stays_visible_to_help_and_inspect():
    parameters = inspect.signature(Widget).parameters

    assert list(parameters)[:3] == ["scope", "id", "handler"]
    assert parameters["memory_size"].default == 128
    assert parameters["handler"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize(("value", "annotation", "expected"), [
    (1, int, True), (True, int, False), (1, float, True), ("a", str | None, True), (None, str | None, True),
    ([1, 2], list[int], True), ((1, "x"), tuple[int, str], True), ((1, 2), tuple[int, ...], True),
    ({"a": 1}, dict[str, int], True), ({"a": "b"}, dict[str, int], False), ("arm64", Literal["arm64"], True),
    (print, Any, True), ({1, 2}, Sequence[int], False), ("x", Sequence[str], False),
])
def test_matches_understands_the_annotations_signatures_use(value, annotation, expected):
    assert matches(value, annotation) is expected


def test_describe_type_reads_like_the_annotation():
    assert describe_type(int | None) == "int | None"
    assert describe_type(Literal["a", "b"]) == "'a' | 'b'"
    assert describe_type(dict[str, list[int]]) == "dict[str, list[int]]"


def test_docs_come_from_the_args_section_and_the_bound_schema():
    docs = {doc.name: doc for doc in prop_docs(Widget)}

    assert docs["handler"].default == "required"
    assert docs["handler"].description == "the entry point."
    assert docs["memory_size"].description == "memory for the widget."
    assert docs["memory_size"].cfn.startswith("`AWS::Lambda::Function` `MemorySize` (MiB): 128-")
    assert docs["timeout"].description  # from the schema's own description
    assert docs["tracing"].type == "'Active' | 'PassThrough' | None"


def test_arg_descriptions_join_continuation_lines_and_stop_at_the_section_end():
    text = """Summary.

    Args:
        first: one
            and more.
        second: two.

    Afterwards: not an argument.
    """

    assert arg_descriptions(text) == {"first": "one and more.", "second": "two."}


def test_schema_limits_summarize_a_property():
    assert schema_limits({"minimum": 1, "maximum": 5}) == "1-5"
    assert schema_limits({"enum": ["a", "b"]}) == "one of a, b"


class Build(Construct):
    """A made-up construct bound to a type some regions lack (CodeBuild's Project)."""

    cfn_type = "AWS::CodeBuild::Project"

    def __init__(self, scope: Construct, id: str, *,
                 timeout: Annotated[int, Cfn("TimeoutInMinutes")] = 60) -> None:
        super().__init__(scope, id)


def _region_without(resource_type: str) -> str:
    return next(region for region in known_regions()
                if "-" in region and resource_schema(resource_type, region) is None)


def test_a_bound_prop_is_checked_against_its_stacks_region() -> None:
    too_long = int(property_range("AWS::CodeBuild::Project", "TimeoutInMinutes")[1] or 0) + 1
    elsewhere = _region_without("AWS::CodeBuild::Project")

    with pytest.raises(ConstructError, match=r"TimeoutInMinutes, per its schema"):
        Build(Stack(App(), "Home", region="us-east-1"), "B", timeout=too_long)
    # That region has no schema for the type: nothing to check the prop against here (template validation
    # reports the type itself), rather than us-east-1's schema.
    Build(Stack(App(), "Away", region=elsewhere), "B", timeout=too_long)


def test_a_stack_region_cfn_lint_does_not_know_is_checked_against_the_default_region() -> None:
    too_long = int(property_range("AWS::CodeBuild::Project", "TimeoutInMinutes")[1] or 0) + 1

    with pytest.raises(ConstructError, match=r"TimeoutInMinutes, per its schema"):
        Build(Stack(App(), "Future", region="xx-future-9"), "B", timeout=too_long)


class _Options:
    """An options value (not a construct) checked by core's checked_options."""

    @checked_options
    def __init__(self, *, memory_size: Annotated[int, Cfn("MemorySize", type="AWS::Lambda::Function")] = 128,
                 label: str = "x") -> None:
        self.memory_size = memory_size
        self.label = label


def test_checked_options_checks_an_options_values_names_and_values_at_the_users_line() -> None:
    assert _Options(memory_size=256).memory_size == 256
    with pytest.raises(ConstructError) as misspelt:
        _Options(memry_size=256)  # type: ignore[call-arg]
    assert "_Options has no argument 'memry_size'" in str(misspelt.value)
    assert misspelt.value.hint == "did you mean memory_size?"
    assert misspelt.value.location is not None and misspelt.value.location.file == __file__
    with pytest.raises(ConstructError, match="invalid argument for _Options: memory_size") as too_small:
        _Options(memory_size=1)
    assert too_small.value.location is not None and too_small.value.location.file == __file__
    with pytest.raises(ConstructError, match="_Options: .*positional"):
        _Options(1)  # type: ignore[misc]
