"""The one place iac reads the calendar.

Some rules depend on the date: a Lambda runtime is deprecated, then blocked for new functions, then
blocked for updates, each on its own day. They ask `today()`, never `datetime.date.today()`, so that
one environment variable moves iac to another day:

    IAC_TODAY=2027-07-02 iac synth     # synthesize as if it were 2 July 2027

A test suite freezes the date the same way (iac's own does, in tests/conftest.py), so that its
results do not change with the calendar. This sits below every layer, next to iac.errors.
"""

from __future__ import annotations

import datetime
import os

from iac.errors import UsageError
from iac.text import one_line

#: The environment variable that sets the date iac works with (YYYY-MM-DD).
TODAY_VARIABLE = "IAC_TODAY"


def today() -> datetime.date:
    """Today's date, or the date `IAC_TODAY` names.

    Raises UsageError (exit status 2) when `IAC_TODAY` is set but is not a date written YYYY-MM-DD.
    """
    given = os.environ.get(TODAY_VARIABLE)
    if given is None or given == "":
        return datetime.date.today()
    return parse_date(given, TODAY_VARIABLE)


def parse_date(text: str, what: str) -> datetime.date:
    """`text` (YYYY-MM-DD) as a date; UsageError naming `what` otherwise."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}={one_line(text)!r} is not a date",
                         hint=f"write it as YYYY-MM-DD, e.g. {what}=2027-07-02, or unset it for today's date") from None


__all__ = ["TODAY_VARIABLE", "parse_date", "today"]
