"""The schedule expression parser and the times expressions fire at (no AWS involved)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.schedules.expressions import (
    AtExpression,
    CronExpression,
    RateExpression,
    ScheduleExpressionError,
    parse_schedule_expression,
)

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def cron(text: str) -> CronExpression:
    parsed = parse_schedule_expression(text)
    assert isinstance(parsed, CronExpression)
    return parsed


def next_times(text: str, after: datetime.datetime, count: int,
               zone: ZoneInfo = UTC_ZONE) -> list[datetime.datetime | None]:
    expression = cron(text)
    found: list[datetime.datetime | None] = []
    moment: datetime.datetime | None = after
    for _ in range(count):
        assert moment is not None
        moment = expression.next_after(moment, zone)
        found.append(moment)
    return found


@pytest.mark.parametrize(("text", "after", "expected"), [
    # plain values, strictly after the given moment
    ("cron(0 10 * * ? *)", utc(2027, 1, 1), [utc(2027, 1, 1, 10), utc(2027, 1, 2, 10)]),
    ("cron(15 12 * * ? *)", utc(2027, 1, 1, 12, 15), [utc(2027, 1, 2, 12, 15)]),
    ("cron(0 8 1 * ? *)", utc(2027, 1, 1, 9), [utc(2027, 2, 1, 8), utc(2027, 3, 1, 8)]),
    # lists, ranges and increments
    ("cron(5,35 * * * ? *)", utc(2027, 1, 1, 0, 5), [utc(2027, 1, 1, 0, 35), utc(2027, 1, 1, 1, 5)]),
    ("cron(0/15 * * * ? *)", utc(2027, 1, 1, 0, 7), [utc(2027, 1, 1, 0, 15), utc(2027, 1, 1, 0, 30)]),
    ("cron(1/10 * * * ? *)", utc(2027, 1, 1, 0, 51), [utc(2027, 1, 1, 1, 1), utc(2027, 1, 1, 1, 11)]),
    ("cron(0 9-17/4 * * ? *)", utc(2027, 1, 1),
     [utc(2027, 1, 1, 9), utc(2027, 1, 1, 13), utc(2027, 1, 1, 17), utc(2027, 1, 2, 9)]),
    ("cron(*/20 23 * * ? *)", utc(2027, 1, 1, 23, 40), [utc(2027, 1, 2, 23, 0)]),
    # months and years, by number or name (any case)
    ("cron(0 0 1 JAN-MAR ? *)", utc(2027, 3, 1, 1), [utc(2028, 1, 1)]),
    ("cron(0 0 1 jun,dec ? *)", utc(2027, 1, 1), [utc(2027, 6, 1), utc(2027, 12, 1)]),
    ("cron(0 0 1 1 ? 2030-2031)", utc(2027, 1, 1), [utc(2030, 1, 1), utc(2031, 1, 1), None]),
    ("cron(0 0 1 1 ? 2028/2)", utc(2027, 1, 1), [utc(2028, 1, 1), utc(2030, 1, 1)]),
    # days of the week: 1 = SUN ... 7 = SAT, or names (2027-01-01 is a Friday)
    ("cron(0 18 ? * MON-FRI *)", utc(2027, 1, 1, 18), [utc(2027, 1, 4, 18)]),
    ("cron(0 0 ? * 1 *)", utc(2027, 1, 1), [utc(2027, 1, 3), utc(2027, 1, 10)]),
    ("cron(0 0 ? * SUN *)", utc(2027, 1, 1), [utc(2027, 1, 3)]),
    ("cron(0 0 ? * sat,sun *)", utc(2027, 1, 1), [utc(2027, 1, 2), utc(2027, 1, 3)]),
    ("cron(0 0 ? * 2-6/2 *)", utc(2027, 1, 1), [utc(2027, 1, 4), utc(2027, 1, 6), utc(2027, 1, 8)]),
    # L in day-of-month: the last day (2028 is a leap year)
    ("cron(0 0 L * ? *)", utc(2027, 2, 1), [utc(2027, 2, 28), utc(2027, 3, 31)]),
    ("cron(0 0 L * ? *)", utc(2028, 2, 1), [utc(2028, 2, 29)]),
    # LW: the last weekday (2027-07-31 is a Saturday, 2027-10-31 a Sunday)
    ("cron(0 0 LW * ? *)", utc(2027, 7, 1), [utc(2027, 7, 30)]),
    ("cron(0 0 LW * ? *)", utc(2027, 10, 1), [utc(2027, 10, 29)]),
    ("cron(0 0 LW * ? *)", utc(2027, 12, 1), [utc(2027, 12, 31)]),
    # nW: the weekday nearest day n, inside the month
    ("cron(0 0 15W * ? *)", utc(2027, 5, 1), [utc(2027, 5, 14)]),  # 15th a Saturday
    ("cron(0 0 15W * ? *)", utc(2027, 8, 1), [utc(2027, 8, 16)]),  # 15th a Sunday
    ("cron(0 0 15W * ? *)", utc(2027, 7, 1), [utc(2027, 7, 15)]),  # 15th a Thursday
    ("cron(0 0 1W * ? *)", utc(2027, 4, 30, 1), [utc(2027, 5, 3)]),  # 1st a Saturday
    ("cron(0 0 31W * ? *)", utc(2027, 10, 1), [utc(2027, 10, 29), utc(2027, 12, 31)]),
    # L in day-of-week: SAT alone, or the last day n of the month
    ("cron(0 0 ? * L *)", utc(2027, 1, 1), [utc(2027, 1, 2), utc(2027, 1, 9)]),
    ("cron(0 0 ? * 6L *)", utc(2027, 1, 1), [utc(2027, 1, 29), utc(2027, 2, 26)]),
    ("cron(0 0 ? * FRIL *)", utc(2027, 1, 1), [utc(2027, 1, 29)]),
    # n#k: the k-th day n of the month (months without a fifth Friday are skipped)
    ("cron(0 9 ? * 3#2 *)", utc(2027, 1, 1), [utc(2027, 1, 12, 9), utc(2027, 2, 9, 9)]),
    ("cron(0 9 ? * 6#5 *)", utc(2027, 1, 1), [utc(2027, 1, 29, 9), utc(2027, 4, 30, 9)]),
    ("cron(0 9 ? * MON#1 *)", utc(2027, 1, 1), [utc(2027, 1, 4, 9), utc(2027, 2, 1, 9)]),
    # never again
    ("cron(0 0 30 2 ? *)", utc(2027, 1, 1), [None]),
    ("cron(0 0 1 1 ? 1999)", utc(2027, 1, 1), [None]),
])
def test_next_fire_times(text: str, after: datetime.datetime,
                         expected: list[datetime.datetime | None]) -> None:
    assert next_times(text, after, len(expected)) == expected


def test_cron_times_are_wall_clock_times_of_the_zone() -> None:
    weekdays = "cron(30 9 ? * MON-FRI *)"
    assert next_times(weekdays, utc(2027, 1, 15), 1, NEW_YORK) == [utc(2027, 1, 15, 14, 30)]
    assert next_times(weekdays, utc(2027, 7, 15), 1, NEW_YORK) == [utc(2027, 7, 15, 13, 30)]
    assert next_times(weekdays, utc(2027, 7, 15), 1, BERLIN) == [utc(2027, 7, 15, 7, 30)]
    # Friday 09:30 in New York is Friday 14:30 UTC; Saturday 00:30 UTC is still Friday there.
    assert next_times("cron(30 20 ? * FRI *)", utc(2027, 1, 15), 1, NEW_YORK) == [
        utc(2027, 1, 16, 1, 30)]


def test_a_time_skipped_by_spring_forward_does_not_run_that_day() -> None:
    # 2027-03-14: New York goes from 02:00 EST to 03:00 EDT; 02:30 does not exist.
    assert next_times("cron(30 2 * * ? *)", utc(2027, 3, 13), 3, NEW_YORK) == [
        utc(2027, 3, 13, 7, 30), utc(2027, 3, 15, 6, 30), utc(2027, 3, 16, 6, 30)]
    # 2027-03-28: Berlin goes from 02:00 CET to 03:00 CEST.
    expression = cron("cron(0/30 1-3 * * ? *)")
    assert list(expression.occurrences(utc(2027, 3, 27, 23, 59), utc(2027, 3, 28, 2), BERLIN)) == [
        utc(2027, 3, 28, 0, 0), utc(2027, 3, 28, 0, 30),  # 01:00, 01:30 CET
        utc(2027, 3, 28, 1, 0), utc(2027, 3, 28, 1, 30),  # 03:00, 03:30 CEST
    ]


def test_a_time_repeated_by_fall_back_runs_once_at_its_first_occurrence() -> None:
    # 2027-11-07: New York goes from 02:00 EDT back to 01:00 EST; 01:30 happens twice.
    assert next_times("cron(30 1 * * ? *)", utc(2027, 11, 6), 3, NEW_YORK) == [
        utc(2027, 11, 6, 5, 30), utc(2027, 11, 7, 5, 30), utc(2027, 11, 8, 6, 30)]
    # 2027-10-31: Berlin goes from 03:00 CEST back to 02:00 CET.
    expression = cron("cron(0/30 2-3 * * ? *)")
    assert list(expression.occurrences(utc(2027, 10, 30, 23), utc(2027, 10, 31, 3), BERLIN)) == [
        utc(2027, 10, 31, 0, 0), utc(2027, 10, 31, 0, 30),  # 02:00, 02:30 CEST
        utc(2027, 10, 31, 2, 0), utc(2027, 10, 31, 2, 30),  # 03:00, 03:30 CET
    ]


def test_occurrences_are_the_times_in_the_half_open_window() -> None:
    expression = cron("cron(0 * * * ? *)")
    assert list(expression.occurrences(utc(2027, 1, 1, 10), utc(2027, 1, 1, 12), UTC_ZONE)) == [
        utc(2027, 1, 1, 11), utc(2027, 1, 1, 12)]
    assert list(expression.occurrences(utc(2027, 1, 1, 10), utc(2027, 1, 1, 10, 59),
                                       UTC_ZONE)) == []


def test_rate_counts_elapsed_time_from_its_anchor() -> None:
    expression = parse_schedule_expression("rate(15 minutes)")
    assert isinstance(expression, RateExpression)
    anchor = utc(2027, 1, 1, 12)
    assert list(expression.occurrences(anchor, utc(2027, 1, 1, 11), utc(2027, 1, 1, 12, 30))) == [
        utc(2027, 1, 1, 12), utc(2027, 1, 1, 12, 15), utc(2027, 1, 1, 12, 30)]
    assert list(expression.occurrences(anchor, utc(2027, 1, 1, 12), utc(2027, 1, 1, 12, 20))) == [
        utc(2027, 1, 1, 12, 15)]
    # A day is 24 hours, even across New York's spring-forward night.
    daily = parse_schedule_expression("rate(1 day)")
    assert isinstance(daily, RateExpression)
    assert list(daily.occurrences(utc(2027, 3, 13, 12), utc(2027, 3, 13), utc(2027, 3, 15, 13))) == [
        utc(2027, 3, 13, 12), utc(2027, 3, 14, 12), utc(2027, 3, 15, 12)]


@pytest.mark.parametrize(("text", "seconds"), [
    ("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(1 hour)", 3600),
    ("rate(2 hours)", 7200), ("rate(1 day)", 86400), ("rate(3 days)", 259200),
    ("rate( 10  Minutes )", 600),
])
def test_rate_units(text: str, seconds: int) -> None:
    parsed = parse_schedule_expression(text)
    assert isinstance(parsed, RateExpression)
    assert parsed.period == datetime.timedelta(seconds=seconds)


def test_at_is_a_wall_clock_time_of_the_zone() -> None:
    expression = parse_schedule_expression("at(2027-06-01T12:00:00)")
    assert isinstance(expression, AtExpression)
    assert expression.instant(BERLIN) == utc(2027, 6, 1, 10)
    assert expression.instant(UTC_ZONE) == utc(2027, 6, 1, 12)
    # In a spring-forward gap the offset before the change applies (AWS documents no rule).
    gap = parse_schedule_expression("at(2027-03-14T02:30:00)")
    assert isinstance(gap, AtExpression)
    assert gap.instant(NEW_YORK) == utc(2027, 3, 14, 7, 30)


@pytest.mark.parametrize(("text", "message"), [
    ("every 5 minutes", "cron(...), rate(...) or at(...)"),
    ("", "cron(...), rate(...) or at(...)"),
    ("cron(0 10 * * ?)", "needs 6 fields"),
    ("cron(0 10 * * ? * *)", "needs 6 fields"),
    ("cron(0 10 * * * *)", "exactly one of day-of-month and day-of-week must be ?"),
    ("cron(0 10 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?"),
    ("cron(0 10 1 * MON *)", "exactly one of day-of-month and day-of-week must be ?"),
    ("cron(? 10 * * ? *)", "not in minutes"),
    ("cron(60 10 * * ? *)", "minutes value 60 is outside 0-59"),
    ("cron(0 24 * * ? *)", "hours value 24 is outside 0-23"),
    ("cron(0 0 0 * ? *)", "day-of-month value 0 is outside 1-31"),
    ("cron(0 0 32 * ? *)", "day-of-month value 32 is outside 1-31"),
    ("cron(0 0 1 13 ? *)", "month value 13 is outside 1-12"),
    ("cron(0 0 ? * 8 *)", "day-of-week value 8 is outside 1-7"),
    ("cron(0 0 ? * 0 *)", "day-of-week value 0 is outside 1-7"),
    ("cron(0 0 1 1 ? 1969)", "year value 1969 is outside 1970-2199"),
    ("cron(0 0 1 1 ? 2200)", "year value 2200 is outside 1970-2199"),
    ("cron(0 0 1 FOO ? *)", "month value 'FOO' is not a number or one of JAN"),
    ("cron(0 0 ? * MOON *)", "day-of-week value 'MOON' is not a number or one of SUN"),
    ("cron(x 0 * * ? *)", "minutes value 'x' is not a number"),
    ("cron(0/0 0 * * ? *)", "increment '0' is not a whole number of at least 1"),
    ("cron(0/x 0 * * ? *)", "increment 'x'"),
    ("cron(30-10 0 * * ? *)", "minutes range '30-10' runs backwards"),
    ("cron(0 0 ? * FRI-MON *)", "day-of-week range 'FRI-MON' runs backwards"),
    ("cron(0, 0 * * ? *)", "empty item in minutes"),
    ("cron(0,,5 0 * * ? *)", "empty item in minutes"),
    ("cron(0 0 ? * 3#1,6#3 *)", "'#' in day-of-week cannot be combined"),
    ("cron(0 0 ? * 3#6 *)", "the number after # must be 1-5"),
    ("cron(0 0 ? * 3#0 *)", "the number after # must be 1-5"),
    ("cron(0 0 ? * 9#1 *)", "day-of-week value 9 is outside 1-7"),
    ("cron(0 0 ? * MON,L *)", "'L' in day-of-week cannot be combined"),
    ("cron(0 0 ? * 3W *)", "day-of-week value '3W' is not a number"),
    ("cron(0 0 1,L * ? *)", "'L' in day-of-month cannot be combined"),
    ("cron(0 0 32W * ? *)", "day-of-month value 32 is outside 1-31"),
    ("cron(0 0 WL * ? *)", "use L, LW or nW"),
    ("cron(0 0 3#1 * ? *)", "day-of-month value '3#1' is not a number"),
    ("cron(0 0 1 L ? *)", "month value 'L' is not a number"),
    ("rate(0 minutes)", "rate must be at least 1"),
    ("rate(5 weeks)", "a whole number and a unit"),
    ("rate(five minutes)", "a whole number and a unit"),
    ("rate(-5 minutes)", "a whole number and a unit"),
    ("rate(5)", "a whole number and a unit"),
    ("at(2027-13-01T00:00:00)", "month must be in 1..12"),
    ("at(2027-02-30T00:00:00)", "day is out of range"),
    ("at(2027-01-01T00:00)", "at needs yyyy-mm-ddThh:mm:ss"),
    ("at(2027-01-01 00:00:00)", "at needs yyyy-mm-ddThh:mm:ss"),
])
def test_invalid_expressions_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ScheduleExpressionError) as raised:
        parse_schedule_expression(text)
    assert message in str(raised.value)


def test_times_need_a_time_zone() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        cron("cron(0 0 * * ? *)").next_after(datetime.datetime(2027, 1, 1), UTC_ZONE)
