"""A Civis workflow schedule as EventBridge Scheduler cron expressions, and the times it runs.

Takes: the stored schedule (snake_case keys, as `service.workflow_fields.schedule` gives it:
`scheduled`, `scheduled_days` 0-6 with 0 = Sunday, `scheduled_days_of_month` 1-31,
`scheduled_hours` 0-23, `scheduled_minutes` 0-59, deprecated `scheduled_runs_per_hour`), the
workflow's IANA time zone name and a moment.
Gives:
- `civis_to_cron(schedule)`: the cron expressions (one, since every cron field takes a list;
  none when the schedule is off): `cron(MINUTES HOURS DAYS-OF-MONTH * DAYS-OF-WEEK *)` with
  days of the week as AWS numbers 1-7 = SUN-SAT and `?` in the day field not used. Minutes are
  `scheduled_minutes`; without them, `scheduled_runs_per_hour` N gives minutes 0, 60/N, ...;
  with neither, minute 0.
- `next_execution_at(schedule, time_zone, now)`: the first time after `now` it runs (aware
  UTC), or None.
- `runs_between(schedule, time_zone, start, end)`: the times it runs in [start, end).
Times are wall-clock times in the time zone, with EventBridge Scheduler's daylight saving
rules (`chalicelib.schedules.expressions`): a time skipped when clocks go forward does not run
that day; a time repeated when clocks go back runs once, at its first occurrence.
"""
from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.schedules.expressions import CronExpression, parse_schedule_expression


def _numbers(values: Any) -> str:
    return ",".join(str(int(v)) for v in sorted(set(values or ())))


def minutes_of(schedule: Mapping[str, Any]) -> list[int]:
    """The minutes past each scheduled hour the schedule runs at."""
    minutes = list(schedule.get("scheduled_minutes") or ())
    if minutes:
        return sorted(set(int(m) for m in minutes))
    per_hour = schedule.get("scheduled_runs_per_hour")
    if per_hour:
        return list(range(0, 60, 60 // int(per_hour)))
    return [0]


def civis_to_cron(schedule: Mapping[str, Any]) -> list[str]:
    """The EventBridge Scheduler cron expressions of a stored Civis schedule ([] when off)."""
    if not schedule.get("scheduled"):
        return []
    days = schedule.get("scheduled_days") or ()
    days_of_month = schedule.get("scheduled_days_of_month") or ()
    hours = schedule.get("scheduled_hours") or ()
    if not hours or bool(days) == bool(days_of_month):
        raise ValueError(f"not a runnable Civis schedule: {dict(schedule)!r}")
    if days:
        day_of_month, day_of_week = "?", _numbers(int(d) + 1 for d in days)
    else:
        day_of_month, day_of_week = _numbers(days_of_month), "?"
    minutes = _numbers(minutes_of(schedule))
    return [f"cron({minutes} {_numbers(hours)} {day_of_month} * {day_of_week} *)"]


def _expressions(schedule: Mapping[str, Any]) -> list[CronExpression]:
    parsed = [parse_schedule_expression(text) for text in civis_to_cron(schedule)]
    return [expression for expression in parsed if isinstance(expression, CronExpression)]


def next_execution_at(schedule: Mapping[str, Any], time_zone: str,
                      now: datetime.datetime) -> datetime.datetime | None:
    """The first UTC time after `now` (aware) the schedule runs at in `time_zone`."""
    zone = ZoneInfo(time_zone)
    found = [moment for expression in _expressions(schedule)
             if (moment := expression.next_after(now, zone)) is not None]
    return min(found, default=None)


def runs_between(schedule: Mapping[str, Any], time_zone: str, start: datetime.datetime,
                 end: datetime.datetime) -> Iterator[datetime.datetime]:
    """The UTC times in [start, end) (aware) the schedule runs at in `time_zone`, in order."""
    zone = ZoneInfo(time_zone)
    after = start - datetime.timedelta(microseconds=1)
    merged = heapq.merge(*(expression.occurrences(after, end, zone)
                           for expression in _expressions(schedule)))
    previous = None
    for moment in merged:  # lazily: a window may hold many more runs than a caller takes
        if moment < end and moment != previous:
            yield moment
        previous = moment
