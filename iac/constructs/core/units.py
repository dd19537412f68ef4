"""Durations and sizes: `Duration.minutes(5)`, `Size.mebibytes(512)`.

CloudFormation spells times and sizes in whatever unit each property chose (Lambda's Timeout in
seconds, SQS's MessageRetentionPeriod in seconds, a log group's retention in days, Lambda's MemorySize
in MiB, EphemeralStorage in MiB, ...). A prop that takes a Duration or a Size converts it to the unit
its CloudFormation property wants, and refuses a value that does not fit it (90 seconds into a
whole-minutes property) instead of rounding it silently.
"""

from __future__ import annotations

import attrs

# Each unit in the smallest one of its kind (milliseconds, bytes): whole numbers keep conversions exact.
_DURATION_UNITS: dict[str, int] = {
    "milliseconds": 1,
    "seconds": 1000,
    "minutes": 60_000,
    "hours": 3_600_000,
    "days": 86_400_000,
}
_SIZE_UNITS: dict[str, int] = {
    "bytes": 1,
    "kibibytes": 1024,
    "mebibytes": 1024**2,
    "gibibytes": 1024**3,
    "tebibytes": 1024**4,
}
# The spellings a Cfn binding may use for the unit of its property.
UNIT_ALIASES: dict[str, str] = {
    "ms": "milliseconds", "s": "seconds", "min": "minutes", "h": "hours", "d": "days",
    "B": "bytes", "KiB": "kibibytes", "MiB": "mebibytes", "GiB": "gibibytes", "TiB": "tebibytes",
}


class UnitError(ValueError):
    """A Duration or Size that cannot be written in the unit a property wants."""


def _smallest(value: object, unit: str, units: dict[str, int], kind: str, smallest_name: str) -> int:
    """`value` `unit`s as a whole number of the smallest unit (1.5 seconds -> 1500 milliseconds)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"a {kind} needs a number, got {type(value).__name__}")
    if value < 0:
        raise UnitError(f"a {kind} cannot be negative, got {value}")
    if isinstance(value, int):
        return value * units[unit]
    exact = value * units[unit]
    whole = round(exact)
    if abs(exact - whole) > 1e-9 * max(1.0, abs(exact)):
        raise UnitError(f"{value} {unit} is not a whole number of {smallest_name}")
    return whole


def _convert(smallest: int, unit: str, units: dict[str, int], described: str) -> int:
    unit = UNIT_ALIASES.get(unit, unit)
    if unit not in units:
        raise ValueError(f"unknown unit {unit!r}; known: {', '.join(units)}")
    whole, rest = divmod(smallest, units[unit])
    if rest:
        raise UnitError(f"{described} is not a whole number of {unit}")
    return whole


@attrs.frozen(order=True)
class Duration:
    """A length of time, exact to the millisecond. `Duration.seconds(90).to("minutes")` fails loudly."""

    milliseconds_: int

    @classmethod
    def millis(cls, amount: float) -> Duration:
        return cls(_smallest(amount, "milliseconds", _DURATION_UNITS, "duration", "milliseconds"))

    @classmethod
    def seconds(cls, amount: float) -> Duration:
        return cls(_smallest(amount, "seconds", _DURATION_UNITS, "duration", "milliseconds"))

    @classmethod
    def minutes(cls, amount: float) -> Duration:
        return cls(_smallest(amount, "minutes", _DURATION_UNITS, "duration", "milliseconds"))

    @classmethod
    def hours(cls, amount: float) -> Duration:
        return cls(_smallest(amount, "hours", _DURATION_UNITS, "duration", "milliseconds"))

    @classmethod
    def days(cls, amount: float) -> Duration:
        return cls(_smallest(amount, "days", _DURATION_UNITS, "duration", "milliseconds"))

    def to(self, unit: str) -> int:
        """This duration as a whole number of `unit` ("seconds", "minutes", ... or "s", "min")."""
        return _convert(self.milliseconds_, unit, _DURATION_UNITS, str(self))

    def to_seconds(self) -> int:
        return self.to("seconds")

    def to_minutes(self) -> int:
        return self.to("minutes")

    def to_days(self) -> int:
        return self.to("days")

    def __str__(self) -> str:
        for unit in ("days", "hours", "minutes", "seconds"):
            amount, rest = divmod(self.milliseconds_, _DURATION_UNITS[unit])
            if not rest and amount >= 1:
                return f"{amount} {unit if amount != 1 else unit[:-1]}"
        return f"{self.milliseconds_} milliseconds"


@attrs.frozen(order=True)
class Size:
    """An amount of storage or memory, exact to the byte (binary units: 1 MiB = 1024 KiB)."""

    bytes_: int

    @classmethod
    def bytes(cls, amount: float) -> Size:
        return cls(_smallest(amount, "bytes", _SIZE_UNITS, "size", "bytes"))

    @classmethod
    def kibibytes(cls, amount: float) -> Size:
        return cls(_smallest(amount, "kibibytes", _SIZE_UNITS, "size", "bytes"))

    @classmethod
    def mebibytes(cls, amount: float) -> Size:
        return cls(_smallest(amount, "mebibytes", _SIZE_UNITS, "size", "bytes"))

    @classmethod
    def gibibytes(cls, amount: float) -> Size:
        return cls(_smallest(amount, "gibibytes", _SIZE_UNITS, "size", "bytes"))

    @classmethod
    def tebibytes(cls, amount: float) -> Size:
        return cls(_smallest(amount, "tebibytes", _SIZE_UNITS, "size", "bytes"))

    def to(self, unit: str) -> int:
        """This size as a whole number of `unit` ("mebibytes", ... or "MiB")."""
        return _convert(self.bytes_, unit, _SIZE_UNITS, str(self))

    def to_mebibytes(self) -> int:
        return self.to("mebibytes")

    def to_gibibytes(self) -> int:
        return self.to("gibibytes")

    def __str__(self) -> str:
        for unit, short in (("tebibytes", "TiB"), ("gibibytes", "GiB"), ("mebibytes", "MiB"), ("kibibytes", "KiB")):
            amount, rest = divmod(self.bytes_, _SIZE_UNITS[unit])
            if not rest and amount >= 1:
                return f"{amount} {short}"
        return f"{self.bytes_} bytes"


def convert_quantity(value: object, unit: str) -> object:
    """`value` in `unit` when it is a Duration or Size; anything else unchanged (a number already in the
    property's unit, or a token)."""
    if isinstance(value, Duration | Size):
        return value.to(unit)
    return value


def is_duration_unit(unit: str) -> bool:
    return UNIT_ALIASES.get(unit, unit) in _DURATION_UNITS


def is_size_unit(unit: str) -> bool:
    return UNIT_ALIASES.get(unit, unit) in _SIZE_UNITS
