"""The rolling window: the last 30 calendar days in the platform's timezone, today included.

Time is always injected as an aware `now`; days are named by their local date, 'YYYYMMDD'.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone as dt_timezone, tzinfo
from zoneinfo import ZoneInfo

WINDOW_DAYS = 30
DEFAULT_TIMEZONE = "Asia/Shanghai"
DAY_FORMAT = "%Y%m%d"


def aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment


class InfluenceWindow:
    """The last 30 calendar days in the platform's timezone, today included.

    Days are named by their local date, 'YYYYMMDD', so a day bucket is a key suffix and a
    member in Shanghai sees their day end at local midnight, not at UTC midnight.
    """

    def __init__(self, timezone: str | tzinfo = DEFAULT_TIMEZONE, days: int = WINDOW_DAYS):
        if days < 1:
            raise ValueError("a window has at least one day")
        self.tz = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self.length = days

    def day_of(self, moment: datetime) -> str:
        """The bucket an event at `moment` falls in: its local calendar date."""
        return aware(moment, "moment").astimezone(self.tz).strftime(DAY_FORMAT)

    def today(self, now: datetime) -> date:
        return aware(now, "now").astimezone(self.tz).date()

    def days(self, now: datetime) -> list[str]:
        """The buckets that count at `now`, newest first; the 31st day back is not among them."""
        today = self.today(now)
        return [(today - timedelta(days=back)).strftime(DAY_FORMAT) for back in range(self.length)]

    def contains(self, day: str, now: datetime) -> bool:
        age = (self.today(now) - parse_day(day)).days
        return 0 <= age < self.length

    def closes_at(self, day: str) -> datetime:
        """The first instant at which `day` no longer counts: local midnight `length` days later.

        A store can let a bucket expire then (plus a margin for late events).
        """
        end = datetime.combine(parse_day(day) + timedelta(days=self.length), time(0), tzinfo=self.tz)
        return end.astimezone(dt_timezone.utc)


def parse_day(day: str) -> date:
    return datetime.strptime(day, DAY_FORMAT).date()

