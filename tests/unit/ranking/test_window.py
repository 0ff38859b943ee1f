"""The rolling window: 30 calendar days in the platform's timezone, today included."""
from datetime import datetime, timedelta, timezone

import pytest

from services.ranking.domain import InfluenceWindow

UTC = timezone.utc
# 12:00 in Shanghai on 1 November 2026.
NOW = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)


def test_the_window_is_today_and_the_29_days_before():
    days = InfluenceWindow().days(NOW)
    assert len(days) == 30 == len(set(days))
    assert days[0] == "20261101"
    assert days[-1] == "20261003"


def test_day_31_drops_out():
    window = InfluenceWindow()
    assert window.contains("20261003", NOW)
    assert not window.contains("20261002", NOW)
    assert not window.contains("20261102", NOW)  # a day not begun yet does not count either


def test_an_events_day_is_its_local_date_in_shanghai():
    window = InfluenceWindow("Asia/Shanghai")
    assert window.day_of(datetime(2026, 10, 31, 15, 59, 59, tzinfo=UTC)) == "20261031"
    assert window.day_of(datetime(2026, 10, 31, 16, 0, 0, tzinfo=UTC)) == "20261101"


def test_the_timezone_is_configurable():
    moment = datetime(2026, 10, 31, 20, 0, tzinfo=UTC)
    assert InfluenceWindow("Asia/Shanghai").day_of(moment) == "20261101"
    assert InfluenceWindow("UTC").day_of(moment) == "20261031"
    assert InfluenceWindow("America/Los_Angeles").day_of(moment) == "20261031"


def test_the_window_rolls_at_local_midnight_not_utc_midnight():
    window = InfluenceWindow("Asia/Shanghai")
    before = datetime(2026, 11, 1, 15, 59, 59, tzinfo=UTC)   # 23:59:59 local, 1 November
    after = before + timedelta(seconds=1)                    # 00:00:00 local, 2 November
    assert window.contains("20261003", before)
    assert not window.contains("20261003", after)
    assert window.days(after)[0] == "20261102"


def test_a_bucket_closes_when_it_leaves_the_window():
    window = InfluenceWindow("Asia/Shanghai")
    closes = window.closes_at("20261003")
    assert closes == datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
    assert window.contains("20261003", closes - timedelta(microseconds=1))
    assert not window.contains("20261003", closes)


def test_calendar_days_survive_a_daylight_saving_change():
    window = InfluenceWindow("America/New_York")
    now = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # DST ended on 1 November 2026
    days = window.days(now)
    assert days[0] == "20261120" and days[-1] == "20261022"
    assert window.closes_at("20261022") == datetime(2026, 11, 21, 5, 0, tzinfo=UTC)  # EST midnight


def test_the_length_is_configurable():
    assert InfluenceWindow(days=7).days(NOW) == ["20261101", "20261031", "20261030", "20261029",
                                                 "20261028", "20261027", "20261026"]
    with pytest.raises(ValueError):
        InfluenceWindow(days=0)


def test_naive_times_are_refused():
    window = InfluenceWindow()
    with pytest.raises(ValueError):
        window.days(datetime(2026, 11, 1, 12, 0))
    with pytest.raises(ValueError):
        window.day_of(datetime(2026, 11, 1, 12, 0))
