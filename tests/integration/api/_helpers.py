"""What the API tests share: the response field lists of the Civis spec and small checks."""
from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest

from chalicelib import clock
from tests.integration.api.conftest import Answer

# civis-api.md 1c: the fields of WorkflowSummary (list items) and of Workflow
SUMMARY_KEYS = {"id", "name", "description", "valid", "fileId", "user", "state", "schedule",
                "allowConcurrentExecutions", "timeZone", "nextExecutionAt", "archived",
                "createdAt", "updatedAt"}
WORKFLOW_KEYS = SUMMARY_KEYS | {"definition", "validationErrors", "lastExecutionId",
                                "notifications", "hidden", "myPermissionLevel"}
SCHEDULE_DEFAULTS = {"scheduled": None, "scheduledDays": [], "scheduledHours": [],
                     "scheduledMinutes": [], "scheduledRunsPerHour": None,
                     "scheduledDaysOfMonth": []}
NOTIFICATION_DEFAULTS = {"urls": [], "successEmailSubject": None, "successEmailBody": None,
                         "successEmailAddresses": [], "failureEmailAddresses": [],
                         "stallWarningMinutes": None, "successOn": True, "failureOn": True,
                         "successEmailFromName": None, "successEmailReplyTo": None}
JSON_TYPE = "application/json; charset=utf-8"
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")

INVALID_DEFINITION = """version: '2.0'
wf:
  tasks:
    a:
      action: std.noop
      on-success: missing
"""
OTHER_DEFINITION = """version: '2.0'
other:
  tasks:
    only:
      action: std.noop
"""


def assert_error(answer: Answer, status: int, *fragments: str) -> None:
    """`answer` is a Civis error body with `status` whose description holds `fragments`."""
    assert answer.status == status, answer.body
    assert answer.headers["content-type"] == JSON_TYPE
    assert set(answer.body) == {"error", "errorDescription", "code"}
    assert answer.body["code"] == status
    assert isinstance(answer.body["error"], str) and answer.body["error"]
    for fragment in fragments:
        assert fragment in answer.body["errorDescription"], answer.body


def tick_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes every `clock.now()` 1 ms later than the one before (distinct, ordered times)."""
    start = clock.parse(clock.now())
    ticks = itertools.count()
    monkeypatch.setattr(clock, "now",
                        lambda: clock.iso(start + timedelta(milliseconds=next(ticks))))
