"""The ANBIMA calendar on datetime.date, against known dates and the CLI."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import qitech_sim

D = dt.date


def test_known_days():
    assert qitech_sim.is_business_day(D(2023, 4, 6)) is True
    assert qitech_sim.is_business_day(D(2023, 4, 7)) is False  # Good Friday
    assert qitech_sim.is_business_day(D(2023, 4, 8)) is False  # Saturday
    assert qitech_sim.is_business_day(D(2023, 2, 21)) is False  # Carnival Tuesday
    assert qitech_sim.is_business_day(D(2024, 11, 20)) is False  # Black Consciousness from 2024
    assert qitech_sim.is_business_day(D(2023, 11, 20)) is True


def test_following_workdays_add():
    assert qitech_sim.following(D(2023, 4, 7)) == D(2023, 4, 10)
    assert qitech_sim.following(D(2023, 4, 6)) == D(2023, 4, 6)
    assert qitech_sim.workdays(D(2023, 3, 14), D(2023, 4, 7)) == 17
    assert qitech_sim.workdays(D(2023, 4, 7), D(2023, 3, 14)) == -17
    assert qitech_sim.add_business_days(D(2023, 4, 6), 1) == D(2023, 4, 10)
    assert qitech_sim.add_business_days(D(2023, 4, 10), -1) == D(2023, 4, 6)
    assert qitech_sim.add_business_days(D(2023, 4, 6), 0) == D(2023, 4, 6)
    assert isinstance(qitech_sim.following(D(2023, 4, 7)), dt.date)


def test_datetime_counts_as_its_date():
    assert qitech_sim.following(dt.datetime(2023, 4, 7, 15, 30)) == D(2023, 4, 10)


def test_out_of_range_and_types():
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.is_business_day(D(2000, 12, 31))
    assert info.value.kind == "date_out_of_range"
    assert info.value.value == "2000-12-31"
    with pytest.raises(qitech_sim.InvalidRequest) as info:
        qitech_sim.add_business_days(D(2099, 12, 31), 10)
    assert info.value.kind == "date_out_of_range"
    with pytest.raises(qitech_sim.InvalidRequest):
        qitech_sim.add_business_days(D(2023, 1, 2), 10**15)
    with pytest.raises(TypeError):
        qitech_sim.is_business_day("2023-04-07")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        qitech_sim.add_business_days(D(2023, 4, 6), 1.0)  # type: ignore[arg-type]


def test_agrees_with_the_cli(run_cli):
    days = [D(2023, 1, 1) + dt.timedelta(days=k * 37) for k in range(12)]
    for d in days:
        out = json.loads(run_cli("calendar", "is-business-day", d.isoformat()))
        assert out["business_day"] == qitech_sim.is_business_day(d)
        out = json.loads(run_cli("calendar", "following", d.isoformat()))
        assert out["following"] == qitech_sim.following(d).isoformat()
        out = json.loads(run_cli("calendar", "add-business-days", d.isoformat(), "-13"))
        assert out["result"] == qitech_sim.add_business_days(d, -13).isoformat()
    out = json.loads(run_cli("calendar", "workdays", "2023-01-01", "2024-06-30"))
    assert out["workdays"] == qitech_sim.workdays(D(2023, 1, 1), D(2024, 6, 30))
