"""Duration and Size: exact conversions, loud refusals (iac/constructs/core/units.py)."""

from __future__ import annotations

import pytest

from iac import Duration, Size
from iac.constructs.core.units import UnitError, convert_quantity


@pytest.mark.parametrize(("duration", "unit", "expected"), [
    (Duration.minutes(5), "seconds", 300), (Duration.hours(2), "minutes", 120), (Duration.days(1), "h", 24),
    (Duration.seconds(1.5), "ms", 1500), (Duration.millis(0), "days", 0), (Duration.days(14), "days", 14),
])
def test_durations_convert_exactly(duration, unit, expected):
    assert duration.to(unit) == expected


@pytest.mark.parametrize(("size", "unit", "expected"), [
    (Size.mebibytes(512), "MiB", 512), (Size.gibibytes(1.5), "mebibytes", 1536), (Size.kibibytes(1), "bytes", 1024),
    (Size.tebibytes(1), "GiB", 1024),
])
def test_sizes_convert_exactly(size, unit, expected):
    assert size.to(unit) == expected


def test_a_value_that_does_not_fit_the_unit_is_refused_with_both_named():
    with pytest.raises(UnitError, match="90 seconds is not a whole number of minutes"):
        Duration.seconds(90).to_minutes()
    with pytest.raises(UnitError, match="1536 KiB is not a whole number of gibibytes"):
        Size.kibibytes(1536).to_gibibytes()
    with pytest.raises(UnitError, match="0.0001 seconds is not a whole number of milliseconds"):
        Duration.seconds(0.0001)


@pytest.mark.parametrize("bad", [-1, True, "5", None])
def test_amounts_must_be_non_negative_numbers(bad):
    with pytest.raises((TypeError, UnitError)):
        Duration.minutes(bad)
    with pytest.raises((TypeError, UnitError)):
        Size.mebibytes(bad)


def test_unknown_units_are_named():
    with pytest.raises(ValueError, match="unknown unit 'fortnights'"):
        Duration.days(14).to("fortnights")


def test_durations_compare_and_print_in_their_largest_whole_unit():
    assert Duration.minutes(60) == Duration.hours(1)
    assert Duration.seconds(59) < Duration.minutes(1)
    assert str(Duration.seconds(120)) == "2 minutes"
    assert str(Duration.days(1)) == "1 day"
    assert str(Size.mebibytes(2048)) == "2 GiB"


def test_convert_quantity_leaves_plain_numbers_alone():
    assert convert_quantity(30, "days") == 30
    assert convert_quantity(Duration.days(30), "days") == 30
