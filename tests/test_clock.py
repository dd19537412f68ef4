"""iac.clock: the one place iac reads the calendar, and IAC_TODAY, which moves it."""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest

from iac import clock
from iac.errors import UsageError


def test_iac_today_sets_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAC_TODAY", "2027-07-02")
    assert clock.today() == datetime.date(2027, 7, 2)


def test_without_iac_today_it_is_the_calendar_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IAC_TODAY", raising=False)
    before = datetime.date.today()
    assert before <= clock.today() <= datetime.date.today()


def test_an_empty_iac_today_is_the_calendar_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IAC_TODAY", "")
    assert clock.today() >= datetime.date(2026, 1, 1)


@pytest.mark.parametrize("value", ["tomorrow", "2027-13-01", "20270702", "2027-7-2", "2027-07-02T00:00"])
def test_a_bad_iac_today_is_a_usage_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("IAC_TODAY", value)
    with pytest.raises(UsageError, match=r"IAC_TODAY=.* is not a date") as caught:
        clock.today()
    assert caught.value.exit_status == 2
    assert "YYYY-MM-DD" in (caught.value.hint or "")


def test_a_bad_iac_today_stops_a_synth_with_exit_status_2(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "from iac import App, Stack\nfrom iac.constructs import awslambda\n"
        "app = App()\nstack = Stack(app, 'S')\n"
        "awslambda.Function(stack, 'F', handler='index.handler', runtime=awslambda.DEFAULT_NODEJS_RUNTIME,\n"
        "                   code=awslambda.Code.from_inline('exports.handler = async () => 1;'))\n"
        "app.synth()\n"
    )
    monkeypatch.setenv("IAC_TODAY", "2027-02-30")
    result = subprocess.run([sys.executable, "-m", "iac", "synth", "--no-lint", "--app", str(app),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "IAC_TODAY='2027-02-30' is not a date" in result.stderr
    assert "Traceback" not in result.stderr
