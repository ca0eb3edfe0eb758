"""EventBridge Scheduler schedule expressions: parsing and the times they fire at.

Takes expression text as EventBridge Scheduler accepts it:
- `cron(minutes hours day-of-month month day-of-week year)`, AWS's six-field cron
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html):
  minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 with
  1 = SUN or SUN-SAT, year 1970-2199; `,` lists, `-` ranges, `*` all, `/` increments (`a/n`
  runs from a to the field's end); exactly one of day-of-month and day-of-week is `?`.
  Day-of-month also takes `L` (last day of the month), `LW` (last weekday) and `nW` (the
  weekday nearest day n, never leaving the month); day-of-week also takes `L` (the last day of
  the week, SAT), `nL` (the last day n of the month) and `n#k` (the k-th day n of the month).
  `L`, `W` and `#` stand alone in their field (AWS documents that `#` cannot be listed), and
  `nW` does not run in a month without day n.
  Names are accepted in any case.
- `rate(N unit)`, unit minute(s), hour(s) or day(s) (singular or plural, whatever N);
- `at(yyyy-mm-ddThh:mm:ss)`.
Gives: `parse_schedule_expression(text)` -> `CronExpression | RateExpression | AtExpression`,
or raises `ScheduleExpressionError` saying what is wrong and where.

Cron and at() times are wall-clock times in the schedule's time zone (a `zoneinfo.ZoneInfo`);
the functions here give aware UTC datetimes. Daylight saving time, as AWS documents for
EventBridge Scheduler: a cron time that does not exist (skipped when clocks go forward) does
not run that day, and a cron time that happens twice (clocks go back) runs once, at its first
occurrence; rate schedules count elapsed time, so `rate(1 day)` is every 24 hours whatever the
clocks do (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst, and the
"Daylight savings time" section of
https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html). AWS documents no
rule for an at() time in a DST gap or overlap; here it means the first instant that wall-clock
time denotes, with the offset before the change (`fold=0`).
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = datetime.UTC
MIN_YEAR, MAX_YEAR = 1970, 2199

_MONTH_NAMES = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1)}
_DAY_NAMES = {name: number for number, name in enumerate(
    ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), 1)}


class ScheduleExpressionError(ValueError):
    """A schedule expression EventBridge Scheduler would refuse."""


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: dict[str, int]


_MINUTES = _Field("minutes", 0, 59, {})
_HOURS = _Field("hours", 0, 23, {})
_DAY_OF_MONTH = _Field("day-of-month", 1, 31, {})
_MONTH = _Field("month", 1, 12, _MONTH_NAMES)
_DAY_OF_WEEK = _Field("day-of-week", 1, 7, _DAY_NAMES)
_YEAR = _Field("year", MIN_YEAR, MAX_YEAR, {})


def aws_weekday(day: datetime.date) -> int:
    """AWS's day-of-week number of `day`: 1 = Sunday ... 7 = Saturday."""
    return (day.weekday() + 1) % 7 + 1


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


# -- day rules: which days of a month a cron expression runs on ---------------------------------


@dataclass(frozen=True)
class _DaysOfMonth:
    days: frozenset[int]

    def matches(self, day: datetime.date) -> bool:
        return day.day in self.days


@dataclass(frozen=True)
class _LastDayOfMonth:
    def matches(self, day: datetime.date) -> bool:
        return day.day == _last_day(day.year, day.month)


def _nearest_weekday(year: int, month: int, wanted: int) -> int | None:
    """The weekday (Mon-Fri) nearest day `wanted` of the month, staying inside the month;
    None in a month without that day (as a plain day number does not run there)."""
    last = _last_day(year, month)
    if wanted > last:
        return None
    target = wanted
    weekday = datetime.date(year, month, target).weekday()  # Monday = 0
    if weekday == 5:  # Saturday: the Friday before, or the Monday after on the 1st
        return target - 1 if target > 1 else target + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before on the last day
        return target + 1 if target < last else target - 2
    return target


@dataclass(frozen=True)
class _NearestWeekday:
    day: int

    def matches(self, day: datetime.date) -> bool:
        return day.day == _nearest_weekday(day.year, day.month, self.day)


@dataclass(frozen=True)
class _LastWeekdayOfMonth:
    def matches(self, day: datetime.date) -> bool:
        last = _last_day(day.year, day.month)
        weekday = datetime.date(day.year, day.month, last).weekday()
        return day.day == last - max(0, weekday - 4)


@dataclass(frozen=True)
class _DaysOfWeek:
    days: frozenset[int]  # AWS numbers, 1 = Sunday

    def matches(self, day: datetime.date) -> bool:
        return aws_weekday(day) in self.days


@dataclass(frozen=True)
class _LastOfMonth:
    weekday: int  # AWS number

    def matches(self, day: datetime.date) -> bool:
        return aws_weekday(day) == self.weekday and day.day + 7 > _last_day(day.year, day.month)


@dataclass(frozen=True)
class _NthOfMonth:
    weekday: int  # AWS number
    nth: int

    def matches(self, day: datetime.date) -> bool:
        return aws_weekday(day) == self.weekday and (day.day - 1) // 7 + 1 == self.nth


_DayRule = (_DaysOfMonth | _LastDayOfMonth | _NearestWeekday | _LastWeekdayOfMonth
            | _DaysOfWeek | _LastOfMonth | _NthOfMonth)


# -- field parsing -------------------------------------------------------------------------------


def _number(text: str, field: _Field, expression: str) -> int:
    upper = text.upper()
    if upper in field.names:
        return field.names[upper]
    if not text.isdigit():
        raise ScheduleExpressionError(
            f"{expression}: {field.name} value {text!r} is not a number"
            + (f" or one of {', '.join(field.names)}" if field.names else ""))
    value = int(text)
    if not field.low <= value <= field.high:
        raise ScheduleExpressionError(
            f"{expression}: {field.name} value {value} is outside {field.low}-{field.high}")
    return value


def _values(text: str, field: _Field, expression: str) -> frozenset[int]:
    """A list field (`,` `-` `*` `/`) as the set of values it includes."""
    values: set[int] = set()
    for item in text.split(","):
        base, slash, step_text = item.partition("/")
        if not base:
            raise ScheduleExpressionError(f"{expression}: empty item in {field.name} {text!r}")
        if base == "*":
            low, high = field.low, field.high
        elif "-" in base:
            first, _, last = base.partition("-")
            low = _number(first, field, expression)
            high = _number(last, field, expression)
            if low > high:
                raise ScheduleExpressionError(
                    f"{expression}: {field.name} range {base!r} runs backwards")
        else:
            low = _number(base, field, expression)
            high = field.high if slash else low
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ScheduleExpressionError(
                    f"{expression}: {field.name} increment {step_text!r} is not a whole "
                    "number of at least 1")
            step = int(step_text)
        values.update(range(low, high + 1, step))
    return frozenset(values)


def _special_alone(text: str, field: _Field, expression: str, token: str) -> None:
    if "," in text:
        raise ScheduleExpressionError(
            f"{expression}: {token!r} in {field.name} cannot be combined with other values")


def _day_of_month_rule(text: str, expression: str) -> _DayRule:
    upper = text.upper()
    if "L" in upper or "W" in upper:
        _special_alone(upper, _DAY_OF_MONTH, expression, "L" if "L" in upper else "W")
        if upper == "L":
            return _LastDayOfMonth()
        if upper == "LW":
            return _LastWeekdayOfMonth()
        match = re.fullmatch(r"(\d{1,2})W", upper)
        if match:
            return _NearestWeekday(_number(match.group(1), _DAY_OF_MONTH, expression))
        raise ScheduleExpressionError(
            f"{expression}: day-of-month {text!r}: use L, LW or nW (n a day 1-31)")
    return _DaysOfMonth(_values(text, _DAY_OF_MONTH, expression))


def _day_of_week_rule(text: str, expression: str) -> _DayRule:
    upper = text.upper()
    if "#" in upper:
        _special_alone(upper, _DAY_OF_WEEK, expression, "#")
        day, _, nth = upper.partition("#")
        if not nth.isdigit() or not 1 <= int(nth) <= 5:
            raise ScheduleExpressionError(
                f"{expression}: day-of-week {text!r}: the number after # must be 1-5")
        return _NthOfMonth(_number(day, _DAY_OF_WEEK, expression), int(nth))
    if upper.endswith("L"):
        _special_alone(upper, _DAY_OF_WEEK, expression, "L")
        if upper == "L":
            return _DaysOfWeek(frozenset({7}))
        return _LastOfMonth(_number(upper[:-1], _DAY_OF_WEEK, expression))
    return _DaysOfWeek(_values(text, _DAY_OF_WEEK, expression))


# -- expressions ---------------------------------------------------------------------------------


def _resolve(wall: datetime.datetime, zone: ZoneInfo) -> datetime.datetime | None:
    """The UTC instant of wall-clock time `wall` in `zone`: None if that time does not exist
    (clocks went forward past it), its first occurrence if it happens twice."""
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall:
        return None
    return instant


def _as_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{moment!r} has no time zone")
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class CronExpression:
    """A parsed `cron(...)` expression."""

    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    years: frozenset[int]
    days: _DayRule

    def runs_on(self, day: datetime.date) -> bool:
        """True if the expression runs on calendar day `day` (at some hour and minute)."""
        return day.year in self.years and day.month in self.months and self.days.matches(day)

    def _days_from(self, day: datetime.date) -> Iterator[datetime.date]:
        """Days from `day` on (to the last year the expression allows) that it runs on."""
        last_year = max(self.years)
        while day.year <= last_year:
            if day.year not in self.years:
                day = datetime.date(day.year + 1, 1, 1)
            elif day.month not in self.months:
                day = (datetime.date(day.year + 1, 1, 1) if day.month == 12
                       else datetime.date(day.year, day.month + 1, 1))
            else:
                if self.days.matches(day):
                    yield day
                day += datetime.timedelta(days=1)

    def _times_on(self, day: datetime.date, zone: ZoneInfo) -> Iterator[datetime.datetime]:
        for hour in self.hours:
            for minute in self.minutes:
                instant = _resolve(datetime.datetime.combine(day, datetime.time(hour, minute)),
                                   zone)
                if instant is not None:
                    yield instant

    def occurrences(self, after: datetime.datetime, until: datetime.datetime,
                    zone: ZoneInfo) -> Iterator[datetime.datetime]:
        """UTC instants in (after, until] the expression fires at in `zone`, in order."""
        after, until = _as_utc(after), _as_utc(until)
        # A day either side: the zone's date of an instant can differ from its UTC date.
        first = after.astimezone(zone).date() - datetime.timedelta(days=1)
        last = until.astimezone(zone).date() + datetime.timedelta(days=1)
        for day in self._days_from(first):
            if day > last:
                return
            for instant in self._times_on(day, zone):
                if after < instant <= until:
                    yield instant

    def next_after(self, moment: datetime.datetime,
                   zone: ZoneInfo) -> datetime.datetime | None:
        """The first UTC instant after `moment` the expression fires at in `zone`; None if it
        never fires again (before the end of its last year)."""
        moment = _as_utc(moment)
        first = moment.astimezone(zone).date() - datetime.timedelta(days=1)
        for day in self._days_from(first):
            for instant in self._times_on(day, zone):
                if instant > moment:
                    return instant
        return None


_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600,
               "day": 86400, "days": 86400}


@dataclass(frozen=True)
class RateExpression:
    """A parsed `rate(N unit)` expression: a fixed period of elapsed time."""

    text: str
    period: datetime.timedelta

    def occurrences(self, anchor: datetime.datetime, after: datetime.datetime,
                    until: datetime.datetime) -> Iterator[datetime.datetime]:
        """Instants anchor + k * period (k >= 0) in (after, until], in order."""
        anchor, after, until = _as_utc(anchor), _as_utc(after), _as_utc(until)
        count = 0 if after < anchor else (after - anchor) // self.period + 1
        instant = anchor + count * self.period
        while instant <= until:
            yield instant
            instant += self.period


@dataclass(frozen=True)
class AtExpression:
    """A parsed `at(yyyy-mm-ddThh:mm:ss)` expression: one wall-clock time."""

    text: str
    wall: datetime.datetime

    def instant(self, zone: ZoneInfo) -> datetime.datetime:
        """The UTC instant the wall-clock time denotes in `zone` (fold=0, see the module)."""
        return self.wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


ScheduleExpression = CronExpression | RateExpression | AtExpression


def _parse_cron(body: str, text: str) -> CronExpression:
    fields = body.split()
    if len(fields) != 6:
        raise ScheduleExpressionError(
            f"{text}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), "
            f"got {len(fields)}")
    minutes, hours, day_of_month, month, day_of_week, year = fields
    for value, field in ((minutes, _MINUTES), (hours, _HOURS), (month, _MONTH), (year, _YEAR)):
        if "?" in value:
            raise ScheduleExpressionError(f"{text}: ? is only allowed in day-of-month or "
                                          f"day-of-week, not in {field.name}")
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleExpressionError(
            f"{text}: exactly one of day-of-month and day-of-week must be ?")
    if day_of_month == "?":
        days = _day_of_week_rule(day_of_week, text)
    else:
        days = _day_of_month_rule(day_of_month, text)
    return CronExpression(
        text=text,
        minutes=tuple(sorted(_values(minutes, _MINUTES, text))),
        hours=tuple(sorted(_values(hours, _HOURS, text))),
        months=_values(month, _MONTH, text),
        years=_values(year, _YEAR, text),
        days=days,
    )


def _parse_rate(body: str, text: str) -> RateExpression:
    parts = body.split()
    if len(parts) != 2 or not parts[0].isdigit() or parts[1].lower() not in _RATE_UNITS:
        raise ScheduleExpressionError(
            f"{text}: rate needs a whole number and a unit (minutes, hours or days)")
    value = int(parts[0])
    if value < 1:
        raise ScheduleExpressionError(f"{text}: rate must be at least 1")
    return RateExpression(text, datetime.timedelta(seconds=value * _RATE_UNITS[parts[1].lower()]))


def _parse_at(body: str, text: str) -> AtExpression:
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", body.strip()):
        raise ScheduleExpressionError(f"{text}: at needs yyyy-mm-ddThh:mm:ss")
    try:
        wall = datetime.datetime.fromisoformat(body.strip())
    except ValueError as exc:
        raise ScheduleExpressionError(f"{text}: {exc}") from exc
    return AtExpression(text, wall)


_PARSERS = {"cron": _parse_cron, "rate": _parse_rate, "at": _parse_at}


def parse_schedule_expression(text: str) -> ScheduleExpression:
    """Parse a schedule expression; raises ScheduleExpressionError if it is not valid."""
    match = re.fullmatch(r"\s*(cron|rate|at)\((.*)\)\s*", text or "")
    if not match:
        raise ScheduleExpressionError(
            f"{text!r}: a schedule expression is cron(...), rate(...) or at(...)")
    return _PARSERS[match.group(1)](match.group(2), text)
