"""Civis schedules as EventBridge Scheduler crons, and the times they run (no AWS involved)."""
from __future__ import annotations

import datetime

import pytest

from chalicelib.schedules.civis import civis_to_cron, next_execution_at, runs_between
from chalicelib.service.workflow_fields import SCHEDULE_DEFAULTS

UTC = datetime.UTC


def civis(**keys) -> dict:
    return {**SCHEDULE_DEFAULTS, "scheduled": True, **keys}


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("schedule", "cron"), [
    (civis(scheduled_days=[1, 3, 5], scheduled_hours=[9], scheduled_minutes=[30]),
     "cron(30 9 ? * 2,4,6 *)"),
    (civis(scheduled_days=[0, 6], scheduled_hours=[0, 23], scheduled_minutes=[0, 59]),
     "cron(0,59 0,23 ? * 1,7 *)"),
    (civis(scheduled_days_of_month=[1, 15, 31], scheduled_hours=[6, 18]),
     "cron(0 6,18 1,15,31 * ? *)"),
    (civis(scheduled_days=[2], scheduled_hours=[8], scheduled_runs_per_hour=4),
     "cron(0,15,30,45 8 ? * 3 *)"),
    (civis(scheduled_days=[2], scheduled_hours=[8], scheduled_runs_per_hour=1),
     "cron(0 8 ? * 3 *)"),
    (civis(scheduled_days=[4, 4, 1], scheduled_hours=[12, 3], scheduled_minutes=[10, 5]),
     "cron(5,10 3,12 ? * 2,5 *)"),
])
def test_civis_to_cron(schedule, cron):
    assert civis_to_cron(schedule) == [cron]


@pytest.mark.parametrize("schedule", [
    dict(SCHEDULE_DEFAULTS),
    {**civis(scheduled_days=[1], scheduled_hours=[9]), "scheduled": False},
    {**civis(scheduled_days=[1], scheduled_hours=[9]), "scheduled": None},
])
def test_an_unscheduled_workflow_has_no_cron_and_no_next_time(schedule):
    assert civis_to_cron(schedule) == []
    assert next_execution_at(schedule, "UTC", at("2027-01-01T00:00:00")) is None


@pytest.mark.parametrize("schedule", [
    civis(scheduled_hours=[9]),
    civis(scheduled_days=[1]),
    civis(scheduled_days=[1], scheduled_days_of_month=[1], scheduled_hours=[9]),
])
def test_a_schedule_field_validation_would_refuse_is_not_mapped(schedule):
    with pytest.raises(ValueError, match="not a runnable Civis schedule"):
        civis_to_cron(schedule)


MONDAY_9 = civis(scheduled_days=[1], scheduled_hours=[9], scheduled_minutes=[0])


@pytest.mark.parametrize(("zone", "now", "expected"), [
    # Monday 2027-01-04 09:00 in Chicago (UTC-6) is 15:00 UTC
    ("America/Chicago", "2027-01-01T00:00:00", "2027-01-04T15:00:00"),
    ("Europe/Berlin", "2027-01-01T00:00:00", "2027-01-04T08:00:00"),
    # in summer the offsets change: Chicago UTC-5, Berlin UTC+2
    ("America/Chicago", "2027-07-01T00:00:00", "2027-07-05T14:00:00"),
    ("Europe/Berlin", "2027-07-01T00:00:00", "2027-07-05T07:00:00"),
    # just past a run: the next week's
    ("Europe/Berlin", "2027-01-04T08:00:00", "2027-01-11T08:00:00"),
    # across the change to summer time in New York (2027-03-14): Monday 03-15 at UTC-4
    ("America/New_York", "2027-03-09T00:00:00", "2027-03-15T13:00:00"),
])
def test_next_execution_at_in_the_workflow_time_zone(zone, now, expected):
    assert next_execution_at(MONDAY_9, zone, at(now)) == at(expected)


def test_a_time_skipped_by_spring_forward_does_not_run_that_day():
    daily_0230 = civis(scheduled_days=list(range(7)), scheduled_hours=[2], scheduled_minutes=[30])
    # New York skips 02:00-03:00 on 2027-03-14: no run that day, the next is on the 15th
    assert next_execution_at(daily_0230, "America/New_York", at("2027-03-13T08:00:00")) == \
        at("2027-03-15T06:30:00")
    runs = list(runs_between(daily_0230, "Europe/Berlin", at("2027-03-27T00:00:00"),
                             at("2027-03-30T00:00:00")))
    # Berlin skips 02:00-03:00 on 2027-03-28
    assert runs == [at("2027-03-27T01:30:00"), at("2027-03-29T00:30:00")]


def test_a_time_repeated_by_fall_back_runs_once():
    daily_0130 = civis(scheduled_days=list(range(7)), scheduled_hours=[1], scheduled_minutes=[30])
    runs = list(runs_between(daily_0130, "America/New_York", at("2027-11-06T00:00:00"),
                             at("2027-11-09T00:00:00")))
    # 01:30 happens twice on 2027-11-07 (05:30 and 06:30 UTC): it runs at the first only
    assert runs == [at("2027-11-06T05:30:00"), at("2027-11-07T05:30:00"),
                    at("2027-11-08T06:30:00")]
    berlin = list(runs_between(civis(scheduled_days=[0], scheduled_hours=[2],
                                     scheduled_minutes=[30]), "Europe/Berlin",
                               at("2027-10-30T00:00:00"), at("2027-11-01T00:00:00")))
    assert berlin == [at("2027-10-31T00:30:00")]  # Sunday 31st, 02:30 CEST


def test_runs_between_is_half_open_and_lazy():
    hourly = civis(scheduled_days=list(range(7)), scheduled_hours=list(range(24)),
                   scheduled_minutes=[0])
    runs = list(runs_between(hourly, "UTC", at("2027-01-01T00:00:00"),
                             at("2027-01-01T03:00:00")))
    assert runs == [at("2027-01-01T00:00:00"), at("2027-01-01T01:00:00"),
                    at("2027-01-01T02:00:00")]
    endless = runs_between(hourly, "UTC", at("2027-01-01T00:00:00"), at("2199-01-01T00:00:00"))
    assert next(endless) == at("2027-01-01T00:00:00")


def test_days_of_month_skip_months_without_that_day():
    the_31st = civis(scheduled_days_of_month=[31], scheduled_hours=[12])
    assert next_execution_at(the_31st, "UTC", at("2027-02-01T00:00:00")) == \
        at("2027-03-31T12:00:00")
