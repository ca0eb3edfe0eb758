"""EventBridge Scheduler schedules fired by the local ticker (moto stores them, never fires).

Schedules are made with boto3's scheduler client against the local AWS; each test drives its
own ticker with chosen times (`tick(now)`), except the one that runs the ticker's thread.
"""

from __future__ import annotations

import datetime
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.exceptions import ClientError

from infra.local import scheduler_ticker
from infra.local.host import LocalAWS
from infra.local.scheduler_ticker import Firing, SchedulerTicker
from infra.local.sfn import ACCOUNT_ID, deploy_lambda, deploy_state_machine, wait_for
from tests.integration.local import handlers

pytestmark = pytest.mark.moto

RECORD = "tests.integration.local.handlers.record_event"
ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/stepwise-local-scheduler"


def utc(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


def unique(prefix: str) -> str:
    return f"sched-{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def scheduler(local_aws: LocalAWS) -> Iterator[Any]:
    """The scheduler client; every schedule and group is deleted after the test, so no other
    test's ticker sees them."""
    client = local_aws.client("scheduler")
    yield client
    for page in client.get_paginator("list_schedules").paginate():
        for schedule in page["Schedules"]:
            client.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])
    for page in client.get_paginator("list_schedule_groups").paginate():
        for group in page["ScheduleGroups"]:
            if group["Name"] != "default":
                client.delete_schedule_group(Name=group["Name"])


@pytest.fixture
def recorder(local_aws: LocalAWS) -> tuple[str, str]:
    """(name, ARN) of a fresh Lambda function that keeps the events it receives."""
    name = unique("recorder")
    return name, deploy_lambda(local_aws, name, RECORD)


def create(scheduler: Any, expression: str, target: str, *, name: str | None = None,
           zone: str | None = None, payload: str | None = None,
           **extra: Any) -> str:
    """Create a schedule (FlexibleTimeWindow OFF unless given); gives its name."""
    schedule_name = name or unique("s")
    spec: dict[str, Any] = {"Arn": target, "RoleArn": ROLE}
    if payload is not None:
        spec["Input"] = payload
    arguments: dict[str, Any] = {"FlexibleTimeWindow": {"Mode": "OFF"}, **extra}
    if zone:
        arguments["ScheduleExpressionTimezone"] = zone
    scheduler.create_schedule(Name=schedule_name, ScheduleExpression=expression, Target=spec,
                              **arguments)
    return schedule_name


def times_of(firings: list[Firing], schedule: str) -> list[datetime.datetime]:
    return [firing.scheduled_time for firing in firings if firing.schedule == schedule]


def run(ticker: SchedulerTicker, *moments: datetime.datetime) -> list[Firing]:
    """Tick at each moment, wait for the deliveries; gives the settled firings."""
    for moment in moments:
        ticker.tick(moment)
    assert ticker.wait_for_firings(10)
    return ticker.firings()


# -- when schedules fire -------------------------------------------------------------------------


def test_weekday_cron_in_new_york_fires_at_the_utc_time_daylight_saving_gives(
        scheduler: Any, recorder: tuple[str, str]) -> None:
    name = create(scheduler, "cron(30 9 ? * MON-FRI *)", recorder[1], zone="America/New_York")
    # Friday 2027-01-15 (EST, UTC-5), then the weekend.
    winter = SchedulerTicker(since=utc(2027, 1, 15))
    assert times_of(run(winter, utc(2027, 1, 16), utc(2027, 1, 18)), name) == [
        utc(2027, 1, 15, 14, 30)]
    # Thursday 2027-07-15 (EDT, UTC-4).
    summer = SchedulerTicker(since=utc(2027, 7, 15))
    firings = run(summer, utc(2027, 7, 16))
    assert times_of(firings, name) == [utc(2027, 7, 15, 13, 30)]
    assert all(firing.ok for firing in firings), firings
    assert len(handlers.received(recorder[0])) == 2


def test_rate_schedules_fire_every_period_from_their_start_date(
        scheduler: Any, recorder: tuple[str, str]) -> None:
    scheduler.create_schedule_group(Name="sched-group")
    quarter = create(scheduler, "rate(15 minutes)", recorder[1], GroupName="sched-group",
                     StartDate=utc(2027, 1, 1, 12))
    # A day is 24 hours: in New York the firing moves from 07:00 EST to 08:00 EDT.
    daily = create(scheduler, "rate(1 day)", recorder[1], zone="America/New_York",
                   StartDate=utc(2027, 3, 13, 12))
    ticker = SchedulerTicker(since=utc(2027, 1, 1, 11))
    firings = run(ticker, utc(2027, 1, 1, 12, 40), utc(2027, 1, 1, 13))
    assert times_of(firings, quarter) == [
        utc(2027, 1, 1, 12), utc(2027, 1, 1, 12, 15), utc(2027, 1, 1, 12, 30),
        utc(2027, 1, 1, 12, 45), utc(2027, 1, 1, 13)]
    assert {firing.group for firing in firings if firing.schedule == quarter} == {"sched-group"}
    spring = SchedulerTicker(since=utc(2027, 3, 13))
    assert times_of(run(spring, utc(2027, 3, 16)), daily) == [
        utc(2027, 3, 13, 12), utc(2027, 3, 14, 12), utc(2027, 3, 15, 12)]


def test_at_schedule_fires_once_then_delete_removes_it(
        scheduler: Any, recorder: tuple[str, str]) -> None:
    deleted = create(scheduler, "at(2027-05-01T09:00:00)", recorder[1], zone="Europe/Berlin",
                     ActionAfterCompletion="DELETE")
    kept = create(scheduler, "at(2027-05-01T09:30:00)", recorder[1], zone="Europe/Berlin",
                  ActionAfterCompletion="NONE")
    ticker = SchedulerTicker(since=utc(2027, 5, 1, 6))
    firings = run(ticker, utc(2027, 5, 1, 8), utc(2027, 5, 2), utc(2027, 6, 1))
    assert times_of(firings, deleted) == [utc(2027, 5, 1, 7)]  # 09:00 CEST
    assert times_of(firings, kept) == [utc(2027, 5, 1, 7, 30)]
    with pytest.raises(ClientError) as missing:
        scheduler.get_schedule(Name=deleted)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert scheduler.get_schedule(Name=kept)["State"] == "ENABLED"


def test_disabled_schedules_never_fire(scheduler: Any, recorder: tuple[str, str]) -> None:
    name = create(scheduler, "cron(0 * * * ? *)", recorder[1], State="DISABLED")
    ticker = SchedulerTicker(since=utc(2027, 1, 1))
    assert run(ticker, utc(2027, 1, 1, 6)) == []
    scheduler.update_schedule(Name=name, ScheduleExpression="cron(0 * * * ? *)",
                              FlexibleTimeWindow={"Mode": "OFF"}, State="ENABLED",
                              Target={"Arn": recorder[1], "RoleArn": ROLE})
    assert times_of(run(ticker, utc(2027, 1, 1, 8)), name) == [
        utc(2027, 1, 1, 7), utc(2027, 1, 1, 8)]


def test_start_and_end_dates_bound_recurring_schedules_not_at_schedules(
        scheduler: Any, recorder: tuple[str, str]) -> None:
    # Far-future dates: moto refuses a cron StartDate more than 5 minutes in the past.
    bounded = create(scheduler, "cron(0 12 * * ? *)", recorder[1],
                     StartDate=utc(2090, 1, 3), EndDate=utc(2090, 1, 6, 12),
                     ActionAfterCompletion="DELETE")
    rate = create(scheduler, "rate(1 day)", recorder[1],
                  StartDate=utc(2090, 1, 2), EndDate=utc(2090, 1, 4, 0, 1))
    once = create(scheduler, "at(2090-01-02T00:00:00)", recorder[1],
                  StartDate=utc(2090, 1, 5), EndDate=utc(2090, 1, 6))
    ticker = SchedulerTicker(since=utc(2090, 1, 1))
    firings = run(ticker, utc(2090, 1, 5), utc(2090, 1, 10))
    # EndDate is exclusive: 2090-01-06 12:00 does not fire.
    assert times_of(firings, bounded) == [
        utc(2090, 1, 3, 12), utc(2090, 1, 4, 12), utc(2090, 1, 5, 12)]
    assert times_of(firings, rate) == [utc(2090, 1, 2), utc(2090, 1, 3), utc(2090, 1, 4)]
    assert times_of(firings, once) == [utc(2090, 1, 2)]
    # Past its EndDate, a schedule with ActionAfterCompletion DELETE is gone.
    remaining = {s["Name"] for s in scheduler.list_schedules()["Schedules"]}
    assert bounded not in remaining and {rate, once} <= remaining


def dst_change(zone: str, day: datetime.date) -> bool:
    """True if `zone`'s UTC offset differs between the start and the end of `day`."""
    tz = ZoneInfo(zone)
    start = datetime.datetime.combine(day, datetime.time(0, 0), tz)
    end = datetime.datetime.combine(day, datetime.time(23, 59), tz)
    return start.utcoffset() != end.utcoffset()


@pytest.mark.parametrize(("zone", "expression", "change", "since", "until", "expected"), [
    # Spring forward: 02:30 does not exist that day, so it does not run that day.
    ("America/New_York", "cron(30 2 * * ? *)", datetime.date(2027, 3, 14),
     utc(2027, 3, 13), utc(2027, 3, 16), [utc(2027, 3, 13, 7, 30), utc(2027, 3, 15, 6, 30)]),
    ("Europe/Berlin", "cron(30 2 * * ? *)", datetime.date(2027, 3, 28),
     utc(2027, 3, 27), utc(2027, 3, 30), [utc(2027, 3, 27, 1, 30), utc(2027, 3, 29, 0, 30)]),
    ("Europe/Berlin", "cron(0/30 1-3 * * ? *)", datetime.date(2027, 3, 28),
     utc(2027, 3, 27, 23), utc(2027, 3, 28, 3),
     [utc(2027, 3, 28, 0), utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1), utc(2027, 3, 28, 1, 30)]),
    # Fall back: the repeated wall-clock times run once, at their first occurrence.
    ("America/New_York", "cron(30 1 * * ? *)", datetime.date(2027, 11, 7),
     utc(2027, 11, 6), utc(2027, 11, 9),
     [utc(2027, 11, 6, 5, 30), utc(2027, 11, 7, 5, 30), utc(2027, 11, 8, 6, 30)]),
    ("America/New_York", "cron(0/30 0-3 * * ? *)", datetime.date(2027, 11, 7),
     utc(2027, 11, 7, 3), utc(2027, 11, 7, 9),
     [utc(2027, 11, 7, 4), utc(2027, 11, 7, 4, 30), utc(2027, 11, 7, 5), utc(2027, 11, 7, 5, 30),
      utc(2027, 11, 7, 7), utc(2027, 11, 7, 7, 30), utc(2027, 11, 7, 8), utc(2027, 11, 7, 8, 30)]),
    ("Europe/Berlin", "cron(30 2 * * ? *)", datetime.date(2027, 10, 31),
     utc(2027, 10, 30), utc(2027, 11, 2),
     [utc(2027, 10, 30, 0, 30), utc(2027, 10, 31, 0, 30), utc(2027, 11, 1, 1, 30)]),
])
def test_daylight_saving_changes(scheduler: Any, recorder: tuple[str, str], zone: str,
                                 expression: str, change: datetime.date,
                                 since: datetime.datetime, until: datetime.datetime,
                                 expected: list[datetime.datetime]) -> None:
    assert dst_change(zone, change), f"{zone} does not change its offset on {change}"
    name = create(scheduler, expression, recorder[1], zone=zone)
    firings = run(SchedulerTicker(since=since), until)
    assert times_of(firings, name) == expected
    assert all(firing.ok for firing in firings), firings


# -- targets -------------------------------------------------------------------------------------


def test_lambda_target_receives_the_input_with_context_attributes(
        scheduler: Any, recorder: tuple[str, str]) -> None:
    payload = json.dumps({"job": "nightly", "schedule": "<aws.scheduler.schedule-arn>",
                          "at": "<aws.scheduler.scheduled-time>",
                          "id": "<aws.scheduler.execution-id>",
                          "attempt": "<aws.scheduler.attempt-number>"})
    name = create(scheduler, "cron(0 3 * * ? *)", recorder[1], payload=payload)
    firings = run(SchedulerTicker(since=utc(2027, 2, 1)), utc(2027, 2, 1, 4))
    arn = scheduler.get_schedule(Name=name)["Arn"]
    [firing] = firings
    assert (firing.schedule, firing.group, firing.target, firing.ok) == (
        name, "default", recorder[1], True)
    assert handlers.received(recorder[0]) == [{
        "job": "nightly", "schedule": arn, "at": "2027-02-01T03:00:00Z",
        "id": firing.execution_id, "attempt": "1"}]


def test_state_machine_targets_start_executions(local_aws: LocalAWS, scheduler: Any) -> None:
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = deploy_state_machine(local_aws, definition, name=unique("machine"))
    direct = create(scheduler, "cron(0 6 * * ? *)", machine, payload='{"report": "daily"}')
    execution_name = unique("exec")
    universal = create(scheduler, "cron(0 7 * * ? *)", scheduler_ticker.SFN_START_EXECUTION,
                       payload=json.dumps({"StateMachineArn": machine, "Name": execution_name,
                                           "Input": json.dumps({"report": "universal"})}))
    firings = run(SchedulerTicker(since=utc(2027, 2, 1)), utc(2027, 2, 1, 8))
    assert [(f.schedule, f.ok) for f in firings] == [(direct, True), (universal, True)]
    sfn = local_aws.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    outputs = {e["name"]: wait_for(local_aws, e["executionArn"]).output for e in executions}
    assert len(outputs) == 2 and outputs.pop(execution_name) == {"report": "universal"}
    assert list(outputs.values()) == [{"report": "daily"}]


def test_failed_deliveries_are_recorded(local_aws: LocalAWS, scheduler: Any) -> None:
    failing = deploy_lambda(local_aws, unique("failing"),
                            "tests.integration.local.handlers.always_fail")
    missing = f"arn:aws:lambda:{local_aws.region}:{ACCOUNT_ID}:function:{unique('missing')}"
    queue = f"arn:aws:sqs:{local_aws.region}:{ACCOUNT_ID}:some-queue"
    names = {
        create(scheduler, "cron(0 1 * * ? *)", failing, payload='{"key": "scheduled"}'): "MyError",
        create(scheduler, "cron(0 1 * * ? *)", missing): "Function not found",
        create(scheduler, "cron(0 1 * * ? *)", queue): "is not delivered in local mode",
    }
    firings = run(SchedulerTicker(since=utc(2027, 2, 1)), utc(2027, 2, 1, 2))
    assert len(firings) == 3
    for firing in firings:
        assert firing.ok is False and names[firing.schedule] in (firing.error or ""), firing


def test_bad_expressions_and_time_zones_are_reported_and_never_fire(
        scheduler: Any, recorder: tuple[str, str]) -> None:
    fields = create(scheduler, "cron(0 10 * * ?)", recorder[1])
    zone = create(scheduler, "cron(0 10 * * ? *)", recorder[1], zone="Mars/Olympus_Mons")
    ticker = SchedulerTicker(since=utc(2027, 1, 1))
    assert run(ticker, utc(2027, 1, 3)) == []
    invalid = ticker.invalid_schedules()
    arns = {scheduler.get_schedule(Name=n)["Arn"]: n for n in (fields, zone)}
    assert set(invalid) == set(arns)
    by_name = {arns[arn]: message for arn, message in invalid.items()}
    assert "needs 6 fields" in by_name[fields]
    assert "Mars/Olympus_Mons" in by_name[zone]


# -- the thread ----------------------------------------------------------------------------------


def test_the_thread_ticks_with_the_clock(scheduler: Any, recorder: tuple[str, str]) -> None:
    with SchedulerTicker(interval=0.05) as ticker:
        # A rate schedule without StartDate starts when created: the next tick fires it.
        name = create(scheduler, "rate(1 hour)", recorder[1])
        deadline = time.monotonic() + 5
        while not ticker.firings() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert ticker.wait_for_firings(10)
    assert [(f.schedule, f.ok) for f in ticker.firings()] == [(name, True)]
    assert len(handlers.received(recorder[0])) == 1


def test_start_needs_a_started_host_and_stop_ends_the_thread(local_aws: LocalAWS) -> None:
    with pytest.raises(RuntimeError, match="not started"):
        scheduler_ticker.start(LocalAWS())
    ticker = scheduler_ticker.start(local_aws)
    assert ticker.running
    ticker.stop()
    assert not ticker.running
