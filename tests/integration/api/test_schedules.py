"""Workflow schedules on the local AWS: EventBridge Scheduler schedules kept in step with the
workflow, fired by the local ticker into the app's `scheduled_run` function, schedule runs,
overlap skipping, duplicated firings, daylight saving time, and backfills.

The schedules are read back with boto3's scheduler client; firings come from a
`SchedulerTicker` driven with chosen times (`tick(now)`).
"""
from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from chalicelib import config
from chalicelib.service import scheduled_runs, schedules
from infra.local import persist
from infra.local.scheduler_ticker import SchedulerTicker
from tests.integration.api._helpers import INVALID_DEFINITION, assert_error
from tests.integration.api.conftest import create_workflow

pytestmark = pytest.mark.moto

LONG = """version: '2.0'
slow:
  tasks:
    wait:
      action: std.noop
      wait-before: 30
"""
SHORT = """version: '2.0'
short:
  tasks:
    wait:
      action: std.noop
      wait-before: 2
"""
MONDAY_WEDNESDAY_0930 = {"scheduled": True, "scheduledDays": [1, 3], "scheduledHours": [9],
                         "scheduledMinutes": [30]}
DAILY = list(range(7))


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


@pytest.fixture
def scheduler(runner) -> Iterator[Any]:
    """The scheduler client, with no schedule left by earlier tests (workflow ids start again
    from 1 on emptied tables, so a leftover `stepwise-wf1` would fire into this test)."""
    client = runner.client("scheduler")

    def clear() -> None:
        for page in client.get_paginator("list_schedules").paginate():
            for schedule in page["Schedules"]:
                client.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])

    clear()
    yield client
    clear()


def stored(scheduler, workflow_id: int) -> dict | None:
    try:
        return scheduler.get_schedule(Name=f"{config.resolve_table_prefix()}-wf{workflow_id}",
                                      GroupName=config.resolve_scheduler_group())
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ResourceNotFoundException"
        return None


def expression_of(scheduler, workflow_id: int) -> tuple[str, str] | None:
    found = stored(scheduler, workflow_id)
    return None if found is None else (found["ScheduleExpression"],
                                       found["ScheduleExpressionTimezone"])


def fire(since: str, until: str) -> list:
    """Fires every schedule due in (since, until]; gives the firings, delivered."""
    ticker = SchedulerTicker(since=utc(since), clock=lambda: utc(since))
    firings = ticker.tick(utc(until))
    assert ticker.wait_for_firings(30)
    return [firing for firing in ticker.firings() if firing.schedule.startswith(
        f"{config.resolve_table_prefix()}-wf")]


def runs_of(api, token: str, workflow_id: int) -> list[dict]:
    got = api.get(f"/workflows/{workflow_id}/schedule_runs?limit=50", token)
    assert got.status == 200, got.body
    return got.body


def executions_of(api, token: str, workflow_id: int) -> list[dict]:
    got = api.get(f"/workflows/{workflow_id}/executions?limit=50", token)
    assert got.status == 200, got.body
    return got.body


def wait_idle(api, token: str, workflow_id: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while api.get(f"/workflows/{workflow_id}", token).body["state"] == "running":
        assert time.monotonic() < deadline, "the workflow still runs"
        time.sleep(0.1)


# -- the schedule in EventBridge Scheduler --------------------------------------------------


def test_the_schedule_follows_every_change_of_the_workflow(api, people, scheduler):
    token = people.alice.token
    workflow = create_workflow(api, token, schedule=MONDAY_WEDNESDAY_0930,
                               time_zone="America/New_York")
    wid = workflow["id"]
    found = stored(scheduler, wid)
    assert (found["ScheduleExpression"], found["ScheduleExpressionTimezone"]) == (
        "cron(30 9 ? * 2,4 *)", "America/New_York")
    assert found["FlexibleTimeWindow"] == {"Mode": "OFF"} and found["State"] == "ENABLED"
    assert found["Target"]["Arn"] == (
        f"arn:aws:lambda:{config.resolve_region()}:{config.resolve_account_id()}:function:"
        f"{config.resolve_scheduled_run_function()}")
    assert found["Target"]["RoleArn"] == config.resolve_scheduler_role_arn()
    assert json.loads(found["Target"]["Input"]) == {
        "workflow_id": wid, "scheduled_time": "<aws.scheduler.scheduled-time>"}

    assert api.patch(f"/workflows/{wid}", token, {
        "schedule": {"scheduledHours": [7, 19]}}).status == 200
    assert expression_of(scheduler, wid) == ("cron(30 7,19 ? * 2,4 *)", "America/New_York")

    assert api.put(f"/workflows/{wid}", token, {
        "name": "wf", "time_zone": "Europe/Berlin",
        "schedule": {"scheduled": True, "scheduledDaysOfMonth": [1, 15],
                     "scheduledHours": [6], "scheduledRunsPerHour": 2}}).status == 200
    assert expression_of(scheduler, wid) == ("cron(0,30 6 1,15 * ? *)", "Europe/Berlin")

    with_schedule = api.post(f"/workflows/{wid}/clone", token, {"clone_schedule": True}).body
    without = api.post(f"/workflows/{wid}/clone", token, {}).body
    assert expression_of(scheduler, with_schedule["id"]) == (
        "cron(0,30 6 1,15 * ? *)", "Europe/Berlin")
    assert stored(scheduler, without["id"]) is None

    assert api.put(f"/workflows/{wid}/archive", token, {"status": True}).status == 200
    assert stored(scheduler, wid) is None
    assert api.put(f"/workflows/{wid}/archive", token, {"status": False}).status == 200
    assert expression_of(scheduler, wid) == ("cron(0,30 6 1,15 * ? *)", "Europe/Berlin")

    assert api.patch(f"/workflows/{wid}", token, {
        "schedule": {"scheduled": False}}).status == 200
    assert stored(scheduler, wid) is None
    assert api.patch(f"/workflows/{with_schedule['id']}", token, {
        "time_zone": "Asia/Tokyo"}).status == 200
    assert expression_of(scheduler, with_schedule["id"]) == (
        "cron(0,30 6 1,15 * ? *)", "Asia/Tokyo")
    # a PUT without a schedule unschedules
    assert api.put(f"/workflows/{with_schedule['id']}", token, {"name": "x"}).status == 200
    assert stored(scheduler, with_schedule["id"]) is None


@pytest.mark.parametrize(("body", "fragment"), [
    ({"schedule": {"scheduledDaysOfMonth": [1]}}, "exclude each other"),
    ({"schedule": {"scheduledRunsPerHour": 4}},
     "'schedule.scheduled_minutes' and 'schedule.scheduled_runs_per_hour' exclude each other"),
    ({"schedule": {"scheduledHours": []}}, "A scheduled workflow needs 'scheduled_hours'"),
    ({"schedule": {"scheduledDays": []}}, "needs 'scheduled_days' (0 = Sunday)"),
    ({"time_zone": "Europe/Berlinn"}, "Unknown time zone"),
])
def test_an_invalid_schedule_is_refused_and_changes_nothing(api, people, scheduler, body,
                                                            fragment):
    token = people.alice.token
    workflow = create_workflow(api, token, schedule=MONDAY_WEDNESDAY_0930,
                               time_zone="America/New_York")
    refused = api.patch(f"/workflows/{workflow['id']}", token, body)
    assert_error(refused, 400, fragment)
    assert api.get(f"/workflows/{workflow['id']}", token).body == workflow
    assert expression_of(scheduler, workflow["id"]) == ("cron(30 9 ? * 2,4 *)",
                                                        "America/New_York")


def test_a_scheduler_failure_fails_the_request_and_a_retry_syncs(api, people, scheduler,
                                                                 monkeypatch):
    token = people.alice.token
    workflow = create_workflow(api, token, schedule=MONDAY_WEDNESDAY_0930, time_zone="UTC")
    original = BaseClient._make_api_call

    def refusing(client, operation, params):
        if client.meta.service_model.service_name == "scheduler":
            raise ClientError({"Error": {"Code": "ThrottlingException",
                                         "Message": "Rate exceeded"}}, operation)
        return original(client, operation, params)

    body = {"schedule": {"scheduledHours": [10]}}
    with monkeypatch.context() as patched:
        patched.setattr(BaseClient, "_make_api_call", refusing)
        failed = api.patch(f"/workflows/{workflow['id']}", token, body)
    assert_error(failed, 503, f"Workflow {workflow['id']} was saved, but its schedule could not "
                 "be updated in EventBridge Scheduler", "send the request again",
                 "ThrottlingException")
    assert expression_of(scheduler, workflow["id"]) == ("cron(30 9 ? * 2,4 *)", "UTC")
    assert api.patch(f"/workflows/{workflow['id']}", token, body).status == 200
    assert expression_of(scheduler, workflow["id"]) == ("cron(30 10 ? * 2,4 *)", "UTC")


def test_local_recovery_recreates_the_schedules_moto_lost(api, people, scheduler):
    """What a restart of local mode does: moto starts without schedules, the tables come back
    from the file, and `persist.recover` makes the scheduled workflows' schedules again."""
    token = people.alice.token
    kept = create_workflow(api, token, schedule=MONDAY_WEDNESDAY_0930, time_zone="UTC")
    archived = create_workflow(api, token, schedule=MONDAY_WEDNESDAY_0930)
    api.put(f"/workflows/{archived['id']}/archive", token, {"status": True})
    create_workflow(api, token)
    scheduler.delete_schedule(Name=f"{config.resolve_table_prefix()}-wf{kept['id']}",
                              GroupName=config.resolve_scheduler_group())
    assert persist.recover()["schedules_recreated"] == 1
    assert expression_of(scheduler, kept["id"]) == ("cron(30 9 ? * 2,4 *)", "UTC")
    assert stored(scheduler, archived["id"]) is None


# -- nextExecutionAt ------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Sydney"])
def test_next_execution_at_is_the_wall_clock_time_in_the_workflow_zone(api, people, scheduler,
                                                                       zone):
    token = people.alice.token
    workflow = create_workflow(api, token, time_zone=zone, schedule={
        "scheduled": True, "scheduledDays": DAILY, "scheduledHours": [9],
        "scheduledMinutes": [15]})
    shown = api.get(f"/workflows/{workflow['id']}", token).body["nextExecutionAt"]
    moment = datetime.datetime.strptime(shown, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.UTC)
    local = moment.astimezone(ZoneInfo(zone))
    assert (local.hour, local.minute) == (9, 15)
    assert datetime.timedelta(0) < moment - datetime.datetime.now(datetime.UTC) <= \
        datetime.timedelta(days=1, hours=1)
    listed = api.get("/workflows", token).body
    assert [w["nextExecutionAt"] for w in listed] == [shown]
    api.put(f"/workflows/{workflow['id']}/archive", token, {"status": True})
    assert api.get(f"/workflows/{workflow['id']}", token).body["nextExecutionAt"] is None


def test_an_unscheduled_workflow_has_no_next_execution(api, people, scheduler):
    assert create_workflow(api, people.alice.token)["nextExecutionAt"] is None


# -- firings --------------------------------------------------------------------------------


def test_a_firing_starts_an_execution_as_the_owner_and_is_recorded(api, people, scheduler):
    token = people.alice.token
    workflow = create_workflow(api, token, time_zone="America/New_York",
                               schedule=MONDAY_WEDNESDAY_0930)
    # Bob may write; the run is still the owner's
    api.put(f"/workflows/{workflow['id']}/shares/users", token,
            {"user_ids": [people.bob.id], "permission_level": "write"})
    firings = fire("2027-01-04T14:29:00", "2027-01-04T14:31:00")  # Monday 09:30 EST
    assert [(f.scheduled_time, f.ok) for f in firings] == [(utc("2027-01-04T14:30:00"), True)]
    runs = runs_of(api, people.bob.token, workflow["id"])
    assert [(r["scheduledTime"], r["source"], r["state"], r["reason"]) for r in runs] == [
        ("2027-01-04T14:30:00.000Z", "schedule", "started", None)]
    executions = executions_of(api, token, workflow["id"])
    assert [e["id"] for e in executions] == [runs[0]["executionId"]]
    assert executions[0]["user"]["id"] == people.alice.id
    assert api.get(f"/workflows/{workflow['id']}/schedule_runs",
                   people.carol.token).status == 404


def test_a_duplicated_firing_starts_one_execution(api, people, scheduler):
    token = people.alice.token
    workflow = create_workflow(api, token, time_zone="UTC", schedule=MONDAY_WEDNESDAY_0930)
    fire("2027-01-04T09:29:00", "2027-01-04T09:31:00")
    fire("2027-01-04T09:29:00", "2027-01-04T09:31:00")  # the same time delivered again
    assert len(executions_of(api, token, workflow["id"])) == 1
    assert len(runs_of(api, token, workflow["id"])) == 1


def test_an_overlapping_run_is_skipped_and_recorded(api, people, scheduler):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=LONG, time_zone="UTC",
                               allow_concurrent_executions=False,
                               schedule=MONDAY_WEDNESDAY_0930)
    running = api.post(f"/workflows/{workflow['id']}/executions", token)
    assert running.status == 201
    fire("2027-01-04T09:29:00", "2027-01-04T09:31:00")
    runs = runs_of(api, token, workflow["id"])
    assert [(r["state"], r["executionId"]) for r in runs] == [("skipped", None)]
    assert "already running" in runs[0]["reason"]
    assert [e["id"] for e in executions_of(api, token, workflow["id"])] == [running.body["id"]]
    api.post(f"/workflows/{workflow['id']}/executions/{running.body['id']}/cancel", token)


def test_a_firing_that_cannot_start_is_recorded_failed_with_the_reason(api, people,
                                                                       scheduler):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=INVALID_DEFINITION, time_zone="UTC",
                               schedule=MONDAY_WEDNESDAY_0930)
    fire("2027-01-04T09:29:00", "2027-01-04T09:31:00")
    [run] = runs_of(api, token, workflow["id"])
    assert (run["state"], run["executionId"]) == ("failed", None)
    assert run["reason"].startswith("The workflow's definition is invalid")
    assert executions_of(api, token, workflow["id"]) == []


def test_a_firing_for_an_unscheduled_workflow_starts_nothing_and_deletes_the_schedule(
        api, people, scheduler):
    from app import scheduled_run

    token = people.alice.token
    workflow = create_workflow(api, token, time_zone="UTC", schedule=MONDAY_WEDNESDAY_0930)
    api.put(f"/workflows/{workflow['id']}/archive", token, {"status": True})
    # a schedule left behind (as after a failed delete)
    schedules.scheduler.put(workflow["id"], "cron(30 9 ? * 2,4 *)", "UTC")
    answer = scheduled_run({"workflow_id": workflow["id"],
                            "scheduled_time": "2027-01-04T09:30:00Z"}, None)
    assert answer == {"state": None, "execution_id": None}
    assert stored(scheduler, workflow["id"]) is None
    assert runs_of(api, token, workflow["id"]) == []


# -- daylight saving time -------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "hour", "windows", "expected"), [
    # New York springs forward on 2027-03-14 at 02:00: 02:30 does not exist that day
    ("America/New_York", 2, [("2027-03-13T07:00:00", "2027-03-15T05:00:00"),
                             ("2027-03-15T05:00:00", "2027-03-16T05:00:00")],
     ["2027-03-13T07:30:00.000Z", "2027-03-15T06:30:00.000Z"]),
    # ... and falls back on 2027-11-07: 01:30 happens at 05:30 and 06:30 UTC, runs once
    ("America/New_York", 1, [("2027-11-07T04:00:00", "2027-11-07T06:00:00"),
                             ("2027-11-07T06:00:00", "2027-11-07T08:00:00")],
     ["2027-11-07T05:30:00.000Z"]),
    # Berlin springs forward on 2027-03-28 at 02:00
    ("Europe/Berlin", 2, [("2027-03-27T00:00:00", "2027-03-29T00:00:00"),
                          ("2027-03-29T00:00:00", "2027-03-29T01:00:00")],
     ["2027-03-27T01:30:00.000Z", "2027-03-29T00:30:00.000Z"]),
    # ... and falls back on 2027-10-31: 02:30 happens at 00:30 and 01:30 UTC, runs once
    ("Europe/Berlin", 2, [("2027-10-31T00:00:00", "2027-10-31T01:00:00"),
                          ("2027-10-31T01:00:00", "2027-10-31T02:00:00")],
     ["2027-10-31T00:30:00.000Z"]),
])
def test_daylight_saving_time_as_eventbridge_scheduler(api, people, scheduler, zone, hour,
                                                        windows, expected):
    token = people.alice.token
    workflow = create_workflow(api, token, time_zone=zone, schedule={
        "scheduled": True, "scheduledDays": DAILY, "scheduledHours": [hour],
        "scheduledMinutes": [30]})
    for since, until in windows:
        fire(since, until)
    runs = runs_of(api, token, workflow["id"])
    assert sorted(r["scheduledTime"] for r in runs) == expected
    assert {r["state"] for r in runs} == {"started"}


# -- backfill -------------------------------------------------------------------------------


def test_backfill_dry_run_lists_the_runs_and_caps_them(api, people, scheduler):
    token = people.alice.token
    workflow = create_workflow(api, token, time_zone="America/New_York",
                               schedule=MONDAY_WEDNESDAY_0930)
    path = f"/workflows/{workflow['id']}/backfill"
    planned = api.post(path, token, {"start": "2027-01-01T00:00:00Z",
                                     "end": "2027-01-11T14:30:00Z", "dry_run": True})
    assert planned.status == 200, planned.body
    assert (planned.body["dryRun"], planned.body["truncated"]) == (True, False)
    # Mon 4th, Wed 6th; Mon 11th 09:30 EST is 14:30 UTC, the end, which is left out
    assert [(r["scheduledTime"], r["state"]) for r in planned.body["runs"]] == [
        ("2027-01-04T14:30:00.000Z", "planned"), ("2027-01-06T14:30:00.000Z", "planned")]
    capped = api.post(path, token, {"start": "2027-01-01T00:00:00Z",
                                    "end": "2028-01-01T00:00:00Z", "dry_run": True,
                                    "max_runs": 3})
    assert capped.body["truncated"] is True and len(capped.body["runs"]) == 3
    assert executions_of(api, token, workflow["id"]) == []
    assert runs_of(api, token, workflow["id"]) == []


@pytest.mark.parametrize(("body", "status", "fragment"), [
    ({"start": "2027-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z", "max_runs": 501},
     400, "'max_runs' must be a whole number from 1 to 500"),
    ({"start": "2027-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z", "max_runs": 0},
     400, "'max_runs'"),
    ({"start": "2027-01-01T00:00:00", "end": "2027-02-01T00:00:00Z"}, 400,
     "'start' needs a UTC offset"),
    ({"start": "yesterday", "end": "2027-02-01T00:00:00Z"}, 400, "not an ISO 8601 time"),
    ({"start": "2027-02-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"}, 400,
     "'end' must come after 'start'"),
    ({"end": "2027-02-01T00:00:00Z"}, 400, "'start' must be an ISO 8601 time"),
    ({"start": "2027-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z", "dryrun": True}, 400,
     "Did you mean 'dry_run'?"),
])
def test_backfill_refuses_bad_requests(api, people, scheduler, body, status, fragment):
    token = people.alice.token
    workflow = create_workflow(api, token, schedule=MONDAY_WEDNESDAY_0930)
    assert_error(api.post(f"/workflows/{workflow['id']}/backfill", token, body), status,
                 fragment)
    assert runs_of(api, token, workflow["id"]) == []


def test_backfill_needs_write_and_a_schedule(api, people, scheduler):
    token = people.alice.token
    unscheduled = create_workflow(api, token)
    window = {"start": "2027-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z"}
    assert_error(api.post(f"/workflows/{unscheduled['id']}/backfill", token, window), 400,
                 "has no schedule to backfill")
    scheduled = create_workflow(api, token, schedule=MONDAY_WEDNESDAY_0930)
    api.put(f"/workflows/{scheduled['id']}/shares/users", token,
            {"user_ids": [people.bob.id], "permission_level": "read"})
    assert api.post(f"/workflows/{scheduled['id']}/backfill", people.bob.token,
                    window).status == 403


def test_backfill_starts_one_execution_per_time_once(api, people, scheduler):
    token = people.alice.token
    workflow = create_workflow(api, token, time_zone="UTC", schedule=MONDAY_WEDNESDAY_0930)
    path = f"/workflows/{workflow['id']}/backfill"
    window = {"start": "2027-01-04T00:00:00Z", "end": "2027-01-12T00:00:00Z"}
    first = api.post(path, token, window)
    assert first.status == 200, first.body
    assert [(r["scheduledTime"], r["source"], r["state"]) for r in first.body["runs"]] == [
        ("2027-01-04T09:30:00.000Z", "backfill", "started"),
        ("2027-01-06T09:30:00.000Z", "backfill", "started"),
        ("2027-01-11T09:30:00.000Z", "backfill", "started")]
    again = api.post(path, token, window)
    assert [r["executionId"] for r in again.body["runs"]] == \
        [r["executionId"] for r in first.body["runs"]]
    assert sorted(e["id"] for e in executions_of(api, token, workflow["id"])) == \
        sorted(r["executionId"] for r in first.body["runs"])
    # a firing of a time already backfilled starts nothing more
    fire("2027-01-11T09:29:00", "2027-01-11T09:31:00")
    assert len(executions_of(api, token, workflow["id"])) == 3


SWEEP = {"version": "0", "id": "1", "detail-type": "Scheduled Event", "source": "aws.events",
         "account": config.resolve_account_id(), "time": "2027-01-12T00:00:00Z",
         "region": config.resolve_region(), "resources": [], "detail": {}}


def test_a_large_backfill_starts_some_runs_and_the_sweeper_the_rest(api, people, scheduler,
                                                                    monkeypatch):
    from app import sweeper

    monkeypatch.setattr(scheduled_runs, "START_NOW", 2)
    token = people.alice.token
    workflow = create_workflow(api, token, time_zone="UTC", schedule=MONDAY_WEDNESDAY_0930)
    queued = api.post(f"/workflows/{workflow['id']}/backfill", token,
                      {"start": "2027-01-04T00:00:00Z", "end": "2027-01-19T00:00:00Z"})
    assert [r["state"] for r in queued.body["runs"]] == ["started", "started", "pending",
                                                         "pending", "pending"]
    sweeper(SWEEP, None)
    runs = runs_of(api, token, workflow["id"])
    assert [r["state"] for r in runs] == ["started"] * 5
    assert sorted(e["id"] for e in executions_of(api, token, workflow["id"])) == \
        sorted(r["executionId"] for r in runs)


def test_backfill_without_concurrency_queues_runs_the_sweeper_starts(api, people, scheduler):
    from app import sweeper

    token = people.alice.token
    workflow = create_workflow(api, token, definition=SHORT, time_zone="UTC",
                               allow_concurrent_executions=False, schedule=MONDAY_WEDNESDAY_0930)
    wid = workflow["id"]
    queued = api.post(f"/workflows/{wid}/backfill", token,
                      {"start": "2027-01-04T00:00:00Z", "end": "2027-01-12T00:00:00Z"})
    assert queued.status == 200, queued.body
    assert [r["state"] for r in queued.body["runs"]] == ["started", "pending", "pending"]
    for started in range(2, 4):
        wait_idle(api, token, wid)
        sweeper(SWEEP, None)
        sweeper(SWEEP, None)  # a second sweep while the run goes on starts nothing more
        states = [r["state"] for r in sorted(runs_of(api, token, wid),
                                             key=lambda r: r["scheduledTime"])]
        assert states == ["started"] * started + ["pending"] * (3 - started)
        assert len(executions_of(api, token, wid)) == started
    wait_idle(api, token, wid)
    sweeper(SWEEP, None)
    assert len(executions_of(api, token, wid)) == 3
