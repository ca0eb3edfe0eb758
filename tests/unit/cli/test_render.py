"""Tables, durations, log lines and the --watch views, from a canned execution."""
from __future__ import annotations

import copy
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from stepwise.render import (
    executions_table,
    execution_line,
    format_duration,
    log_lines,
    table,
    task_rows,
    task_table,
)
from stepwise.watch import Changes, Redrawn, follow

CANNED = json.loads((Path(__file__).parent / "data" / "execution.json").read_text())
NOW = datetime(2026, 3, 1, 10, 0, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "-"), (0, "0ms"), (0.0004, "0ms"), (0.85, "850ms"), (1, "1.0s"), (12.44, "12.4s"),
    (59.9, "59.9s"), (60, "1m00s"), (185, "3m05s"), (3599, "59m59s"), (3600, "1h00m"),
    (7620, "2h07m"),
])
def test_durations_read_at_a_glance(seconds, text):
    assert format_duration(seconds) == text


def test_table_aligns_columns_and_trims_trailing_space():
    assert table(("A", "LONGER"), [("wide cell", "x"), ("b", "")]) == [
        "A          LONGER",
        "wide cell  x",
        "b",
    ]


def test_task_rows_count_retries_sum_run_times_and_show_errors_of_failed_tasks():
    rows = {row.name: row for row in task_rows(CANNED, NOW)}
    assert rows["extract"].cells() == ("extract", "success", "1.2s", "0", "")
    # two runs of 0.5 s and 1 s; the error on one line
    assert rows["load rows"].cells() == ("load rows", "error", "1.5s", "1",
                                         "std.fail: Fail action expected exception.")
    # a run the history never closed counts up to the execution's end
    assert rows["notify"].duration == "2m04s"
    assert rows["report"].cells() == ("report", "cancelled", "2m01s", "0", "")
    assert list(rows) == ["extract", "load rows", "notify", "report"]


def test_a_running_execution_counts_open_runs_up_to_now():
    running = {**CANNED, "state": "running", "finishedAt": None}
    assert {row.name: row.duration for row in task_rows(running, NOW)}["notify"] == "8.5s"


def test_task_table_has_a_header_and_a_row_per_task():
    lines = task_table(CANNED, NOW)
    assert lines[0].split() == ["TASK", "STATE", "DURATION", "RETRIES", "ERROR"]
    assert lines[2].startswith("load rows  error      1.5s      1        std.fail: ")
    assert len(lines) == 5


def test_execution_line_says_why_it_ended():
    assert execution_line(4, CANNED) == "workflow 4 execution 12: cancelled (Cancelled by ada)"
    succeeded = {**CANNED, "state": "succeeded", "mistralStateInfo": "done"}
    assert execution_line(4, succeeded) == "workflow 4 execution 12: succeeded"
    long = {**CANNED, "state": "failed", "mistralStateInfo": "x" * 500}
    assert len(execution_line(4, long)) < 250 and execution_line(4, long).endswith("…)")


def test_executions_table():
    listed = [CANNED, {"id": 11, "state": "running", "startedAt": "2026-03-01T09:00:00.000Z",
                       "finishedAt": None}]
    assert executions_table(listed) == [
        "ID  STATE      STARTED (UTC)        FINISHED (UTC)       DURATION",
        "12  cancelled  2026-03-01 10:00:00  2026-03-01 10:02:05  2m05s",
        "11  running    2026-03-01 09:00:00  -                    -",
    ]


def test_log_lines_are_in_time_order_with_runs_errors_and_children():
    assert log_lines(CANNED) == [
        '2026-03-01T10:00:00.000Z  execution 12 started with input {"day": "monday"}',
        "2026-03-01T10:00:00.100Z  task 'extract' run 1: succeeded, finished "
        "2026-03-01T10:00:01.350Z after 1.2s",
        "2026-03-01T10:00:00.200Z  task 'extract' sub-workflow: execution 13 of workflow 4: "
        "succeeded, finished 2026-03-01T10:00:01.300Z after 1.1s",
        "2026-03-01T10:00:01.400Z  task 'load rows' run 1: failed, finished "
        "2026-03-01T10:00:02.400Z after 1.0s",
        "2026-03-01T10:00:01.500Z  task 'notify' run 1: running",
        "2026-03-01T10:00:03.400Z  task 'load rows' run 2: failed, finished "
        "2026-03-01T10:00:03.900Z after 500ms",
        "2026-03-01T10:00:03.900Z  task 'load rows' error: std.fail: Fail action expected "
        "exception.",
        "2026-03-01T10:00:04.000Z  task 'report' run 1: cancelled, finished "
        "2026-03-01T10:02:05.000Z after 2m01s",
        "2026-03-01T10:02:05.500Z  execution 12 cancelled after 2m05s: Cancelled by ada",
    ]


def test_log_of_an_execution_still_running_ends_saying_so():
    running = {**CANNED, "state": "running", "finishedAt": None, "tasks": [], "input": {},
               "includedTasks": ["extract"]}
    assert log_lines(running) == [
        "2026-03-01T10:00:00.000Z  execution 12 started, only tasks extract",
        "-                         execution 12 is running",
    ]


def readings() -> list[dict]:
    """The canned execution read three times: running without tasks, running, ended."""
    first = {**CANNED, "state": "running", "finishedAt": None, "tasks": []}
    second = {**copy.deepcopy(CANNED), "state": "running", "finishedAt": None}
    second["tasks"][1]["runs"] = second["tasks"][1]["runs"][1:]  # one run so far
    return [first, second, CANNED]


def test_changes_view_prints_only_rows_that_changed():
    out = io.StringIO()
    view = Changes(out, now=lambda: NOW)
    for execution in readings():
        view.show(4, execution)
    view.show(4, CANNED)  # nothing new
    assert out.getvalue().splitlines() == [
        "workflow 4 execution 12: running",
        "task extract: success, 1.2s, 0 retries",
        "task load rows: error, 1.0s, 0 retries, error: std.fail: Fail action expected "
        "exception.",
        "task notify: running, 8.5s, 0 retries",
        "task report: cancelled, 2m01s, 0 retries",
        "task load rows: error, 1.5s, 1 retries, error: std.fail: Fail action expected "
        "exception.",
        "workflow 4 execution 12: cancelled (Cancelled by ada)",
    ]


def test_redrawn_view_moves_back_over_what_it_drew_and_fits_the_width():
    out = io.StringIO()
    view = Redrawn(out, width=30, now=lambda: NOW)
    first, second, _ = readings()
    view.show(4, first)
    assert out.getvalue() == ("workflow 4 execution 12: runn\n"
                              "(no task has reported yet)\n")
    out.truncate(0)
    out.seek(0)
    view.show(4, second)
    drawn = out.getvalue()
    assert drawn.startswith("\x1b[2F\x1b[J" + "workflow 4 execution 12: runn\nTASK")
    assert all(len(line) < 30 for line in drawn.split("\x1b[J")[1].splitlines())
    out.truncate(0)
    out.seek(0)
    view.show(4, CANNED)
    assert out.getvalue().startswith("\x1b[6F\x1b[J")  # the line and a table of 4 tasks


class FakeClient:
    def __init__(self, answers: list[dict]):
        self.answers = answers
        self.asked: list[tuple[int, int]] = []

    def execution(self, workflow_id: int, execution_id: int) -> dict:
        self.asked.append((workflow_id, execution_id))
        return self.answers[len(self.asked) - 1]


def test_follow_reads_until_the_state_is_final_sleeping_in_between():
    client, slept, out = FakeClient(readings()), [], io.StringIO()
    final = follow(client, 4, 12, Changes(out, now=lambda: NOW), 0.25, sleep=slept.append)
    assert final is CANNED
    assert client.asked == [(4, 12)] * 3 and slept == [0.25, 0.25]
