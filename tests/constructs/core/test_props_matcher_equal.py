"""props.matches is made once per annotation (props.matcher) and a tree's construction skips repeated work
(a class's spec kept in its constructor, the wrapper swapped out, source files judged once): each answer
must equal the plain one. The reference below is `matches` as it was before (one decomposition per value)."""

from __future__ import annotations

import collections
import collections.abc
import inspect
import os
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal, Protocol, runtime_checkable

import pytest

from iac import App, CfnResource, Stack
from iac.constructs.core import source
from iac.constructs.core.construct import Construct
from iac.constructs.core.props import _without_quantities, init_spec, matcher, matches
from iac.constructs.core.props_doc import construct_classes
from iac.constructs.core.units import Duration, Size
from iac.errors import ConstructError


def reference_matches(value: Any, annotation: Any) -> bool:
    if annotation is Any or annotation is object or annotation is inspect.Parameter.empty:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    origin, arguments = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(reference_matches(value, arm) for arm in arguments)
    if origin is typing.Literal:
        return any(value == option and type(value) is type(option) for option in arguments)
    if origin is typing.Annotated:
        return reference_matches(value, annotation.__origin__)
    if origin is not None:
        return _reference_generic(value, origin, arguments)
    if annotation is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        if getattr(annotation, "_is_protocol", False) and not getattr(annotation, "_is_runtime_protocol", False):
            return True
        return isinstance(value, annotation)
    return True


def _reference_generic(value: Any, origin: Any, arguments: tuple[Any, ...]) -> bool:
    if origin in (list, collections.abc.Sequence, collections.abc.MutableSequence):
        if not isinstance(value, list | tuple):
            return False
        return not arguments or all(reference_matches(item, arguments[0]) for item in value)
    if origin is tuple:
        if not isinstance(value, tuple | list):
            return False
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return all(reference_matches(item, arguments[0]) for item in value)
        return not arguments or (len(value) == len(arguments) and all(map(reference_matches, value, arguments)))
    if origin in (collections.abc.Iterable, collections.abc.Collection, set, frozenset, collections.abc.Set):
        if isinstance(value, str | bytes | dict) or not isinstance(value, collections.abc.Iterable):
            return False
        return not arguments or all(reference_matches(item, arguments[0]) for item in value)
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        if not isinstance(value, collections.abc.Mapping):
            return False
        if len(arguments) != 2:
            return True
        return all(reference_matches(k, arguments[0]) and reference_matches(v, arguments[1]) for k, v in value.items())
    if origin is collections.abc.Callable:
        return callable(value)
    if origin is type:
        return isinstance(value, type)
    return isinstance(origin, type) and isinstance(value, origin)


class _Quacks(Protocol):
    def quack(self) -> None: ...


@runtime_checkable
class _Sized(Protocol):
    def __len__(self) -> int: ...


class _Frozen(Mapping[str, int]):
    def __init__(self, data: dict[Any, Any]) -> None:
        self._data = data

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self) -> Any:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def _construct_annotations() -> list[Any]:
    found: list[Any] = []
    for _, klass in construct_classes():
        for prop in init_spec(klass).props.values():
            for annotation in (prop.annotation, _without_quantities(prop.annotation) if prop.unit else None):
                if annotation is not None and annotation not in found:
                    found.append(annotation)
    return found


# the typing module's older spellings of the same annotations
OLD_SPELLINGS = [
    typing.Optional[int],  # noqa: UP045
    typing.Union[int, str, None],  # noqa: UP007
    typing.List[str],  # noqa: UP006
    typing.Dict[str, int],  # noqa: UP006
    typing.Tuple[int, ...],  # noqa: UP006
    typing.Sequence[Any],
]
SYNTHETIC = [
    int,
    float,
    bool,
    str,
    bytes,
    object,
    Any,
    None,
    type(None),
    inspect.Parameter.empty,
    int | None,
    float | str,
    list,
    list[int],
    list[str],
    list[Any],
    list[int | str],
    list[list[int]],
    Sequence[str],
    Sequence[int],
    collections.abc.MutableSequence[int],
    tuple,
    tuple[int, ...],
    tuple[int, str],
    tuple[()],
    tuple[str, ...],
    Iterable[str],
    Iterable[Any],
    collections.abc.Collection[int],
    set[str],
    frozenset[int],
    collections.abc.Set[str],
    dict,
    dict[str, Any],
    dict[str, int],
    dict[Any, Any],
    dict[int, str],
    dict[str, list[int]],
    Mapping[str, int],
    collections.abc.MutableMapping[str, str],
    Mapping,
    Literal[1, "a", True],
    Literal["x"],
    Literal[0, False],
    Annotated[int, "meta"],
    Annotated[str | None, "meta"],
    Callable[[int], str],
    Callable[..., Any],
    type,
    type[int],
    _Quacks,
    _Sized,
    Duration,
    Size,
    int | Duration,
    list[Duration] | None,
    collections.OrderedDict[str, int],
    *OLD_SPELLINGS,
]


def _values() -> tuple[App, list[Any]]:
    app = App()
    stack = Stack(app, "S")
    queue = CfnResource(stack, "Q", type="AWS::SQS::Queue")
    return app, [
        None,
        0,
        1,
        True,
        False,
        1.5,
        float("nan"),
        "a",
        "x",
        "",
        b"b",
        [],
        [1],
        ["a"],
        [1, "a"],
        [[1]],
        [None],
        (),
        (1,),
        ("a",),
        (1, "a"),
        ("a", 1),
        (1, 2, 3),
        {},
        {"a": 1},
        {"a": "b"},
        {1: "a"},
        {"a": [1]},
        {"a": None},
        set(),
        {"a"},
        {1},
        frozenset({"a"}),
        range(3),
        Duration.seconds(5),
        Size.mebibytes(1),
        [Duration.seconds(1)],
        queue,
        queue.ref,
        queue.get_att("Arn"),
        f"{queue.ref}",
        print,
        lambda: None,
        int,
        str,
        _Frozen({"a": 1}),
        _Frozen({1: 1}),
        collections.OrderedDict(a=1),
        object(),
        10**30,
        -3,
    ]


ANNOTATIONS = _construct_annotations() + SYNTHETIC


def test_the_construct_annotations_are_many_and_varied():
    assert len(ANNOTATIONS) > 100


def _outcome(check: Callable[[], bool]) -> Any:
    """The answer, or the type of the error (a token refuses to be iterated, in both)."""
    try:
        return check()
    except Exception as error:  # noqa: BLE001
        return type(error)


@pytest.mark.parametrize("annotation", ANNOTATIONS, ids=[str(a) for a in ANNOTATIONS])
def test_matcher_answers_as_the_reference_for_every_value(annotation):
    fits = matcher(annotation)
    app, values = _values()
    for value in values:
        expected = _outcome(lambda: reference_matches(value, annotation))  # noqa: B023
        assert _outcome(lambda: fits(value)) is expected, (annotation, value)  # noqa: B023
        assert _outcome(lambda: matches(value, annotation)) is expected, (annotation, value)  # noqa: B023
    del app  # kept alive to here: the tokens point at its constructs weakly


def test_an_annotation_that_cannot_be_hashed_is_still_matched():
    annotation = Annotated[int, ["unhashable metadata"]]
    with pytest.raises(TypeError):
        hash(annotation)
    assert matches(3, annotation) and not matches("3", annotation) and not matches(True, annotation)
    assert matches([3], list[annotation]) and not matches(["3"], list[annotation])


def test_a_checked_constructor_takes_the_wrappers_place_and_keeps_its_face(tmp_path):
    class Pair(Construct):
        def __init__(self, scope: Construct, id: str, *, size: int = 1) -> None:
            """A pair.

            Args:
                size: how many.
            """
            super().__init__(scope, id)

    wrapper = Pair.__dict__["__init__"]
    stack = Stack(App(), "S")
    first = Pair(stack, "A")
    checked = Pair.__dict__["__init__"]
    assert checked is not wrapper and checked.__iac_checked__
    assert inspect.unwrap(checked) is inspect.unwrap(wrapper)
    assert checked.__doc__ == wrapper.__doc__ and checked.__qualname__ == wrapper.__qualname__
    assert list(inspect.signature(Pair).parameters) == ["scope", "id", "size"]
    line = inspect.currentframe().f_lineno + 1
    second = Pair(stack, "B")
    assert (first.location.file, second.location.file) == (__file__, __file__)
    assert second.location.line == line
    with pytest.raises(ConstructError, match="Pair 'C' has no argument 'sise'") as caught:
        Pair(stack, "C", sise=2)
    assert caught.value.location.line == inspect.currentframe().f_lineno - 1
    with pytest.raises(ConstructError, match="size must be int, got str"):
        Pair(stack, "D", size="2")


def test_source_files_are_judged_once_and_relative_ones_each_time(tmp_path, monkeypatch):
    assert source._user_file(source.__file__) is None
    assert source._user_file("<frozen importlib._bootstrap>") is None
    assert source._user_file(__file__) == os.path.abspath(__file__)
    assert __file__ in source._USER_FILES
    monkeypatch.chdir(tmp_path)
    assert source._user_file("app.py") == str(tmp_path / "app.py")
    assert "app.py" not in source._USER_FILES  # the working directory may change: not kept
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    assert source._user_file("app.py") == str(tmp_path / "other" / "app.py")


def test_the_source_file_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(source, "_USER_FILES", {})
    monkeypatch.setattr(source, "_USER_FILES_LIMIT", 3)
    for index in range(10):
        assert source._user_file(f"/somewhere/app{index}.py") == f"/somewhere/app{index}.py"
        assert len(source._USER_FILES) <= 3
