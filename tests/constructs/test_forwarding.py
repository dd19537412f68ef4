"""core/forwarding.checked_keywords: a helper method that forwards its keywords to a construct refuses a
keyword it does not take the way a constructor does (did you mean, the caller's line), and nothing else."""

from __future__ import annotations

import inspect

import pytest

from iac import App, Construct, ConstructError, Stack
from iac.constructs.core.forwarding import checked_keywords


class Part(Construct):
    def __init__(self, scope: Construct, id: str, *, size: int, colour: str = "red") -> None:
        super().__init__(scope, id)
        self.size = size
        self.colour = colour


class Holder(Construct):
    @checked_keywords
    def add_part(self, id: str, *, size: int, colour: str = "red") -> Part:
        return Part(self, id, size=size, colour=colour)

    @checked_keywords
    def broken(self, *, size: int) -> None:
        len(size)  # type: ignore[arg-type]  # a TypeError inside the method is not a binding problem


@pytest.fixture
def holder() -> Holder:
    return Holder(Stack(App(), "Main"), "Holder")


def test_a_call_that_binds_goes_through(holder):
    part = holder.add_part("P", size=3, colour="blue")

    assert (part.path, part.size, part.colour) == ("Main/Holder/P", 3, "blue")


def test_a_misspelt_keyword_names_the_closest_one_at_the_callers_line(holder):
    with pytest.raises(ConstructError, match="add_part of Holder 'Main/Holder' has no argument 'colour_'") as caught:
        holder.add_part("P", size=3, colour_="blue")
    assert caught.value.hint == "did you mean colour?"
    assert caught.value.path == "Main/Holder"
    assert caught.value.location.file == __file__
    assert holder.children == []


def test_an_unknown_keyword_with_no_close_one_lists_the_keywords(holder):
    with pytest.raises(ConstructError, match="has no argument 'weight'") as caught:
        holder.add_part("P", size=3, weight=2)
    assert caught.value.hint == "its arguments: id, size, colour"


def test_a_missing_keyword_is_named(holder):
    with pytest.raises(ConstructError, match="add_part of Holder 'Main/Holder' needs the argument size=") as caught:
        holder.add_part("P")
    assert caught.value.location.file == __file__


def test_a_type_error_raised_inside_the_method_is_left_alone(holder):
    with pytest.raises(TypeError, match="has no len"):
        holder.broken(size=3)


def test_the_signature_stays_visible(holder):
    assert list(inspect.signature(Holder.add_part).parameters) == ["self", "id", "size", "colour"]
    assert list(inspect.signature(holder.add_part).parameters) == ["id", "size", "colour"]
