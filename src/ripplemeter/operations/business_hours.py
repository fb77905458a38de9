"""Business-hours durations: how long something took in the team's working time.

A reply-time target such as "answer within 4 business hours" counts only the hours the team
works: its working days, between its opening and closing times, in its own time zone, minus
public holidays (the ``holidays`` package, by country and optionally subdivision) and any
extra closed days the team names. Daylight-saving changes are honoured: a working day is
cut in local time and converted to UTC with :mod:`zoneinfo`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ripplemeter.operations import OperationsError

__all__ = ["BusinessCalendar", "business_hours_between", "DAY_NAMES"]

#: Day names as standards.toml writes them, Monday first (``datetime.weekday()`` order).
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class BusinessCalendar:
    """When a team works: days, opening hours, time zone and holidays.

    Parameters
    ----------
    timezone : str
        IANA time zone of the team (``"Asia/Seoul"``).
    days : tuple of int
        Working weekdays, Monday = 0 ... Sunday = 6. Default Monday to Friday.
    start, end : datetime.time
        Opening and closing time, local. ``end`` must be after ``start`` (no overnight
        shifts).
    holidays_country : str, optional
        ISO 3166-1 alpha-2 country code for the ``holidays`` package (``"KR"``, ``"US"``).
    holidays_subdivision : str, optional
        Subdivision code for regional holidays (``"CA"`` for California).
    closed : tuple of datetime.date
        Extra closed days (company holidays).

    Raises
    ------
    OperationsError
        Unknown time zone or country, no working day, closing not after opening.
    """

    timezone: str
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(18, 0)
    holidays_country: str | None = None
    holidays_subdivision: str | None = None
    closed: tuple[dt.date, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise OperationsError(
                f"unknown time zone {self.timezone!r}; expected an IANA name such as Asia/Seoul"
            ) from None
        if not self.days or any(d not in range(7) for d in self.days):
            raise OperationsError("business hours need at least one working day (Monday = 0)")
        if self.end <= self.start:
            raise OperationsError(
                f"business hours end ({self.end:%H:%M}) must be after they start "
                f"({self.start:%H:%M})"
            )
        if self.holidays_country is not None:
            import holidays

            if self.holidays_country not in holidays.list_supported_countries():
                raise OperationsError(
                    f"holidays: unknown country code {self.holidays_country!r}; expected an "
                    "ISO 3166-1 code the holidays package knows, such as KR, CN, US, GB"
                )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _holidays(self):  # a holidays.HolidayBase, years filled in lazily
        if self.holidays_country is None:
            return None
        import holidays

        return holidays.country_holidays(self.holidays_country, subdiv=self.holidays_subdivision)

    def is_working_day(self, day: dt.date) -> bool:
        """True when ``day`` (a local date) is a working weekday, not a holiday, not closed."""
        if day.weekday() not in self.days or day in self.closed:
            return False
        return not (self._holidays is not None and day in self._holidays)

    def holiday_name(self, day: dt.date) -> str | None:
        """The public holiday's name on ``day``, or None."""
        if self._holidays is None:
            return None
        return self._holidays.get(day)

    def working_interval(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """Opening and closing of a local day as aware UTC datetimes; None when closed."""
        if not self.is_working_day(day):
            return None
        z = self.zone
        lo = dt.datetime.combine(day, self.start, tzinfo=z).astimezone(dt.UTC)
        hi = dt.datetime.combine(day, self.end, tzinfo=z).astimezone(dt.UTC)
        return lo, hi


def _aware(t: dt.datetime, name: str) -> dt.datetime:
    if not isinstance(t, dt.datetime):
        # pandas Timestamps are datetimes; a date alone is ambiguous
        raise OperationsError(f"{name}: expected a date and time, found {t!r}")
    if t.tzinfo is None:
        return t.replace(tzinfo=dt.UTC)  # the workspace stores naive UTC
    return t.astimezone(dt.UTC)


def business_hours_between(
    start: dt.datetime, end: dt.datetime, calendar: BusinessCalendar
) -> dt.timedelta:
    """Working time between two instants, counted in the team's business hours.

    Parameters
    ----------
    start, end : datetime.datetime
        The two instants (e.g. a comment and the brand's reply). Aware datetimes in any zone,
        or naive ones read as UTC (as the workspace stores them).
    calendar : BusinessCalendar
        The team's working days, hours, time zone and holidays.

    Returns
    -------
    datetime.timedelta
        The part of ``[start, end)`` that falls inside working hours of working days in the
        calendar's zone; ``timedelta(0)`` when ``end == start`` or nothing of the span is
        inside working hours (a comment on Saturday answered on Sunday).

    Raises
    ------
    OperationsError
        ``end`` before ``start`` (a reply cannot precede what it answers), or a value that
        is not a datetime.

    Notes
    -----
    Each local day from ``start``'s to ``end``'s is cut at the calendar's opening and
    closing times, converted to UTC, and intersected with the span; the intersections are
    summed. Holidays come from the ``holidays`` package (country and subdivision), plus the
    calendar's extra closed days. This is how service-level targets in business hours are
    usually counted (e.g. Zendesk's business-hours SLA metrics).

    Examples
    --------
    >>> import datetime as dt
    >>> cal = BusinessCalendar("Asia/Seoul", holidays_country="KR")
    >>> kst = dt.timezone(dt.timedelta(hours=9))
    >>> business_hours_between(dt.datetime(2026, 12, 4, 17, tzinfo=kst),   # Friday 17:00
    ...                        dt.datetime(2026, 12, 7, 10, tzinfo=kst),   # Monday 10:00
    ...                        cal)
    datetime.timedelta(seconds=7200)
    """
    a, b = _aware(start, "start"), _aware(end, "end")
    if b < a:
        raise OperationsError(
            f"the end ({b:%Y-%m-%d %H:%M} UTC) is before the start ({a:%Y-%m-%d %H:%M} UTC)"
        )
    z = calendar.zone
    day = a.astimezone(z).date()
    last = b.astimezone(z).date()
    total = dt.timedelta(0)
    while day <= last:
        iv = calendar.working_interval(day)
        if iv is not None:
            lo, hi = max(iv[0], a), min(iv[1], b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total
