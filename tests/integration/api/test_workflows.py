"""POST / GET / PUT / PATCH /workflows, clone and archive, as a Civis client relies on them."""
from __future__ import annotations

import re
import threading

import pytest

from chalicelib.errors import Conflict
from chalicelib.service import workflows as workflow_service
from chalicelib.service.auth import authenticate
from chalicelib.store import workflows as store
from tests.integration.api._helpers import (
    INVALID_DEFINITION,
    JSON_TYPE,
    NOTIFICATION_DEFAULTS,
    OTHER_DEFINITION,
    SCHEDULE_DEFAULTS,
    TIMESTAMP,
    WORKFLOW_KEYS,
    assert_error,
    tick_clock,
)
from tests.integration.api.conftest import DEFINITION, create_workflow

WEEKLY = {"scheduled": True, "scheduledDays": [1, 3], "scheduledHours": [9],
          "scheduledMinutes": [30]}


# -- create and read --------------------------------------------------------------------------


def test_create_answers_201_with_every_field_and_civis_defaults(api, people):
    created = api.post("/workflows", people.alice.token, {"name": "first",
                                                           "definition": DEFINITION})
    assert created.status == 201
    assert created.headers["content-type"] == JSON_TYPE
    body = created.body
    assert set(body) == WORKFLOW_KEYS
    assert TIMESTAMP.match(body["createdAt"]) and body["updatedAt"] == body["createdAt"]
    assert isinstance(body["id"], int)
    assert {k: v for k, v in body.items() if k not in ("id", "createdAt", "updatedAt")} == {
        "name": "first", "description": None, "valid": True, "fileId": None,
        "user": {"id": people.alice.id, "name": "Alice Example", "username": "alice",
                 "initials": "AE", "online": False},
        "state": "idle", "schedule": SCHEDULE_DEFAULTS, "allowConcurrentExecutions": True,
        "timeZone": "America/Chicago", "nextExecutionAt": None, "archived": False,
        "definition": DEFINITION, "validationErrors": None, "lastExecutionId": None,
        "notifications": NOTIFICATION_DEFAULTS, "hidden": False, "myPermissionLevel": "manage",
    }


def test_get_gives_the_created_workflow(api, people):
    created = create_workflow(api, people.alice.token, "first", description="d")
    got = api.get(f"/workflows/{created['id']}", people.alice.token)
    assert got.status == 200
    assert got.headers["content-type"] == JSON_TYPE
    assert got.body == created


def test_get_accepts_an_empty_json_body_and_a_trailing_slash(api, people):
    created = create_workflow(api, people.alice.token)
    # the civis client sends "{}" with Content-Type: application/json on every GET
    with_body = api.call("GET", f"/workflows/{created['id']}", people.alice.token, body={})
    assert (with_body.status, with_body.body) == (200, created)
    slashed = api.get(f"/workflows/{created['id']}/", people.alice.token)
    assert (slashed.status, slashed.body) == (200, created)


def test_post_with_a_trailing_slash_creates(api, people):
    created = api.post("/workflows/", people.alice.token, {"name": "cli",
                                                            "definition": DEFINITION})
    assert created.status == 201
    assert created.body["name"] == "cli"


def test_scheduled_workflow_starts_in_state_scheduled(api, people):
    created = create_workflow(api, people.alice.token, schedule=WEEKLY)
    assert created["state"] == "scheduled"
    assert created["schedule"] == {**SCHEDULE_DEFAULTS, **WEEKLY}


SNAKE_BODY = {
    "name": "cased", "description": "d", "definition": DEFINITION,
    "allow_concurrent_executions": False, "time_zone": "America/New_York", "hidden": False,
    "schedule": {"scheduled": True, "scheduled_days_of_month": [1, 15],
                 "scheduled_hours": [6, 18], "scheduled_minutes": [0]},
    "notifications": {"success_email_addresses": ["a@example.com"],
                      "failure_email_addresses": ["b@example.com"],
                      "stall_warning_minutes": 30, "success_on": False,
                      "urls": ["https://hooks.example.com/x"],
                      "success_email_subject": "Done", "success_email_body": "*ok*"},
}


def _camel_body() -> dict:
    camel = {"allow_concurrent_executions": "allowConcurrentExecutions",
             "time_zone": "timeZone"}
    body = {camel.get(k, k): v for k, v in SNAKE_BODY.items()}
    body["schedule"] = {"scheduled": True, "scheduledDaysOfMonth": [1, 15],
                        "scheduledHours": [6, 18], "scheduledMinutes": [0]}
    body["notifications"] = {"successEmailAddresses": ["a@example.com"],
                             "failureEmailAddresses": ["b@example.com"],
                             "stallWarningMinutes": 30, "successOn": False,
                             "urls": ["https://hooks.example.com/x"],
                             "successEmailSubject": "Done", "successEmailBody": "*ok*"}
    return body


def _client_body() -> dict:
    """What the civis python client sends: snake_case at the top, nested dicts as given."""
    return {**SNAKE_BODY, "schedule": _camel_body()["schedule"],
            "notifications": _camel_body()["notifications"]}


@pytest.mark.parametrize("body", [SNAKE_BODY, _camel_body(), _client_body()],
                         ids=["snake", "camel", "civis-client"])
def test_create_accepts_snake_and_camel_case_at_every_depth(api, people, body):
    created = api.post("/workflows", people.alice.token, body)
    assert created.status == 201, created.body
    got = created.body
    assert (got["description"], got["allowConcurrentExecutions"], got["timeZone"]) == (
        "d", False, "America/New_York")
    assert got["state"] == "scheduled"
    assert got["schedule"] == {"scheduled": True, "scheduledDays": [], "scheduledHours": [6, 18],
                               "scheduledMinutes": [0], "scheduledRunsPerHour": None,
                               "scheduledDaysOfMonth": [1, 15]}
    assert got["notifications"] == {
        "urls": ["https://hooks.example.com/x"], "successEmailSubject": "Done",
        "successEmailBody": "*ok*", "successEmailAddresses": ["a@example.com"],
        "failureEmailAddresses": ["b@example.com"], "stallWarningMinutes": 30,
        "successOn": False, "failureOn": True, "successEmailFromName": None,
        "successEmailReplyTo": None}


def test_create_hidden_workflow(api, people):
    created = create_workflow(api, people.alice.token, hidden=True)
    assert created["hidden"] is True
    assert api.get(f"/workflows/{created['id']}", people.alice.token).body["hidden"] is True


def test_invalid_definition_is_stored_with_its_errors(api, people):
    created = create_workflow(api, people.alice.token, definition=INVALID_DEFINITION)
    assert created["valid"] is False
    assert isinstance(created["validationErrors"], str)
    assert re.search(r"\b6:\d+: transition to unknown task 'missing'",
                     created["validationErrors"]), created["validationErrors"]
    got = api.get(f"/workflows/{created['id']}", people.alice.token).body
    assert (got["valid"], got["validationErrors"], got["definition"]) == (
        False, created["validationErrors"], INVALID_DEFINITION)


def test_yaml_syntax_error_names_line_and_column(api, people):
    created = create_workflow(api, people.alice.token, definition="version: '2.0'\nwf: [\n")
    assert created["valid"] is False
    assert re.search(r"\d+:\d+: YAML syntax error", created["validationErrors"])


def test_empty_definition_is_stored_invalid(api, people):
    created = create_workflow(api, people.alice.token, definition="")
    assert (created["valid"], created["definition"]) == (False, "")
    assert created["validationErrors"]


# -- PUT and PATCH ----------------------------------------------------------------------------


def _full(api, people) -> dict:
    return create_workflow(
        api, people.alice.token, "full", description="about", time_zone="Europe/Paris",
        allow_concurrent_executions=False, schedule=WEEKLY,
        notifications={"successEmailAddresses": ["a@example.com"], "failureOn": False,
                       "stallWarningMinutes": 15})


def _same_except(before: dict, after: dict, *changed: str) -> None:
    ignored = {"updatedAt", *changed}
    assert {k: v for k, v in after.items() if k not in ignored} == {
        k: v for k, v in before.items() if k not in ignored}


def test_put_without_definition_keeps_it_and_resets_optional_fields(api, people, monkeypatch):
    tick_clock(monkeypatch)
    full = _full(api, people)
    put = api.put(f"/workflows/{full['id']}", people.alice.token, {"name": "renamed"})
    assert put.status == 200
    assert put.headers["content-type"] == JSON_TYPE
    assert put.body["definition"] == DEFINITION and put.body["valid"] is True
    assert (put.body["name"], put.body["description"], put.body["timeZone"],
            put.body["allowConcurrentExecutions"], put.body["state"]) == (
        "renamed", None, "America/Chicago", True, "idle")
    assert put.body["schedule"] == SCHEDULE_DEFAULTS
    assert put.body["notifications"] == NOTIFICATION_DEFAULTS
    assert put.body["updatedAt"] > full["updatedAt"]
    assert put.body["createdAt"] == full["createdAt"]
    assert api.get(f"/workflows/{full['id']}", people.alice.token).body == put.body


def test_put_replaces_the_definition_and_revalidates(api, people):
    created = create_workflow(api, people.alice.token)
    put = api.put(f"/workflows/{created['id']}", people.alice.token,
                  {"name": "n", "definition": INVALID_DEFINITION, "timeZone": "UTC"})
    assert put.status == 200
    assert (put.body["definition"], put.body["valid"], put.body["timeZone"]) == (
        INVALID_DEFINITION, False, "UTC")
    assert "unknown task 'missing'" in put.body["validationErrors"]


def test_patch_changes_only_the_given_fields(api, people, monkeypatch):
    tick_clock(monkeypatch)
    full = _full(api, people)
    patched = api.patch(f"/workflows/{full['id']}", people.alice.token,
                        {"description": "new words"})
    assert patched.status == 200
    assert patched.body["description"] == "new words"
    assert patched.body["updatedAt"] > full["updatedAt"]
    _same_except(full, patched.body, "description")
    assert api.get(f"/workflows/{full['id']}", people.alice.token).body == patched.body


def test_patch_with_null_clears_the_description(api, people):
    full = _full(api, people)
    patched = api.patch(f"/workflows/{full['id']}", people.alice.token, {"description": None})
    assert patched.status == 200
    assert patched.body["description"] is None
    _same_except(full, patched.body, "description")


def test_patch_merges_nested_schedule_and_notifications(api, people):
    full = _full(api, people)
    patched = api.patch(f"/workflows/{full['id']}", people.alice.token, {
        "schedule": {"scheduled_minutes": [0, 45]},
        "notifications": {"failureEmailAddresses": ["f@example.com"]}})
    assert patched.status == 200, patched.body
    assert patched.body["schedule"] == {**full["schedule"], "scheduledMinutes": [0, 45]}
    assert patched.body["notifications"] == {**full["notifications"],
                                             "failureEmailAddresses": ["f@example.com"]}
    _same_except(full, patched.body, "schedule", "notifications", "nextExecutionAt")


def test_patch_unscheduling_makes_the_workflow_idle(api, people):
    full = _full(api, people)
    patched = api.patch(f"/workflows/{full['id']}", people.alice.token,
                        {"schedule": {"scheduled": False}})
    assert patched.status == 200
    assert (patched.body["state"], patched.body["schedule"]["scheduled"]) == ("idle", False)
    assert patched.body["schedule"]["scheduledDays"] == [1, 3]


@pytest.mark.parametrize("body", [{"time_zone": "Asia/Tokyo", "allow_concurrent_executions": True},
                                  {"timeZone": "Asia/Tokyo", "allowConcurrentExecutions": True}],
                         ids=["snake", "camel"])
def test_patch_accepts_both_casings(api, people, body):
    full = _full(api, people)
    patched = api.patch(f"/workflows/{full['id']}", people.alice.token, body)
    assert patched.status == 200
    assert (patched.body["timeZone"], patched.body["allowConcurrentExecutions"]) == (
        "Asia/Tokyo", True)
    _same_except(full, patched.body, "timeZone", "allowConcurrentExecutions",
                 "nextExecutionAt")


def test_patch_definition_revalidates_both_ways(api, people):
    created = create_workflow(api, people.alice.token)
    path = f"/workflows/{created['id']}"
    broken = api.patch(path, people.alice.token, {"definition": INVALID_DEFINITION})
    assert (broken.body["valid"], broken.body["definition"]) == (False, INVALID_DEFINITION)
    assert "6:" in broken.body["validationErrors"]
    fixed = api.patch(path, people.alice.token, {"definition": OTHER_DEFINITION})
    assert (fixed.body["valid"], fixed.body["validationErrors"], fixed.body["definition"]) == (
        True, None, OTHER_DEFINITION)


def test_empty_patch_changes_nothing_but_the_update_time(api, people):
    full = _full(api, people)
    patched = api.patch(f"/workflows/{full['id']}", people.alice.token, {})
    assert patched.status == 200
    _same_except(full, patched.body)


# -- bad input: 400, and nothing stored ---------------------------------------------------------

BAD_FIELDS = [
    ({"time_zon": "UTC"}, ["Unknown field 'time_zon'", "Did you mean 'time_zone'?"]),
    ({"descriptoin": "x"}, ["Did you mean 'description'?"]),
    ({"name": 5}, ["'name' must be a string"]),
    ({"name": ""}, ["'name' must not be empty"]),
    ({"name": "   "}, ["'name' must not be empty"]),
    ({"name": "x" * 256}, ["'name' is longer than 255"]),
    ({"description": ["x"]}, ["'description' must be a string"]),
    ({"definition": 5}, ["'definition' must be a string"]),
    ({"allow_concurrent_executions": "yes"}, ["'allow_concurrent_executions' must be true"]),
    ({"allowConcurrentExecutions": 1}, ["'allow_concurrent_executions' must be true"]),
    ({"time_zone": "Mars/Olympus_Mons"}, ["Unknown time zone 'Mars/Olympus_Mons'"]),
    ({"time_zone": "America/Chicag"}, ["Did you mean 'America/Chicago'?"]),
    ({"time_zone": 5}, ["'time_zone' must be an IANA time zone"]),
    ({"schedule": "daily"}, ["'schedule' must be an object"]),
    ({"schedule": {"scheduledDays": [1], "scheduledDaysOfMonth": [1],
                   "scheduledHours": [1]}}, ["exclude each other"]),
    ({"schedule": {"scheduled_hours": [24]}}, ["'schedule.scheduled_hours' holds 24",
                                               "from 0 to 23"]),
    ({"schedule": {"scheduled_hours": [-1]}}, ["'schedule.scheduled_hours' holds -1"]),
    ({"schedule": {"scheduledMinutes": [60]}}, ["'schedule.scheduled_minutes' holds 60"]),
    ({"schedule": {"scheduledDays": [7]}}, ["'schedule.scheduled_days' holds 7"]),
    ({"schedule": {"scheduledDaysOfMonth": [0]}}, ["scheduled_days_of_month' holds 0"]),
    ({"schedule": {"scheduledHours": ["9"]}}, ["must be a list of integers"]),
    ({"schedule": {"scheduledHours": [True]}}, ["must be a list of integers"]),
    ({"schedule": {"scheduledRunsPerHour": 7}}, ["must divide 60"]),
    ({"schedule": {"scheduled": "yes"}}, ["'schedule.scheduled' must be true or false"]),
    ({"schedule": {"scheduledDay": [1]}}, ["in schedule", "Did you mean 'scheduled_days'?"]),
    ({"schedule": []}, ["'schedule' must be an object"]),
    ({"schedule": False}, ["'schedule' must be an object"]),
    ({"notifications": []}, ["'notifications' must be an object"]),
    ({"notifications": ""}, ["'notifications' must be an object"]),
    ({"notifications": {"successEmailAddresses": ["x@example.com\nBcc: y@example.com"]}},
     ["'notifications.success_email_addresses' holds", "not an e-mail address"]),
    ({"notifications": {"failureEmailAddresses": ["x@example.com\n"]}},
     ["not an e-mail address"]),
    ({"notifications": {"failureEmailAddresses": ["not-an-address"]}},
     ["not an e-mail address"]),
    ({"notifications": {"successEmailAddresses": "a@example.com"}}, ["must be a list"]),
    ({"notifications": {"urls": ["ftp://example.com/x"]}}, ["http(s) URLs"]),
    ({"notifications": {"urls": ["https://example.com/x\n"]}}, ["http(s) URLs"]),
    ({"notifications": {"stallWarningMinutes": 0}}, ["from 1 to 525600"]),
    ({"notifications": {"successEmailSubject": "two\nlines"}}, ["must be one line"]),
    ({"notifications": {"successOn": "true"}}, ["'notifications.success_on' must be true"]),
    ({"notifications": {"successOnn": True}}, ["in notifications",
                                               "Did you mean 'success_on'?"]),
]
# wrong only for a workflow without a schedule (PATCH merges into the stored one)
BAD_WHEN_NEW = [
    ({"schedule": {"scheduled": True, "scheduledHours": [9]}}, ["needs 'scheduled_days'"]),
    ({"schedule": {"scheduled": True, "scheduledDays": [1]}}, ["needs 'scheduled_hours'"]),
]


def _count(api, token) -> int:
    listed = api.get("/workflows?archived=all", token)
    hidden = api.get("/workflows?archived=all&hidden=true", token)
    return int(listed.headers["x-pagination-total-entries"]) + len(hidden.body)


def test_bad_fields_on_create_answer_400_and_store_nothing(api, people):
    create_workflow(api, people.alice.token, "existing")
    for fields, fragments in BAD_FIELDS + BAD_WHEN_NEW:  # one test: each case costs no new users
        body = {"name": "new", "definition": DEFINITION, **fields}
        answer = api.post("/workflows", people.alice.token, body)
        assert_error(answer, 400, *fragments)
        assert answer.body["error"] == "bad_request"
    assert _count(api, people.alice.token) == 1


def test_bad_fields_on_patch_answer_400_and_change_nothing(api, people):
    full = _full(api, people)
    path = f"/workflows/{full['id']}"
    for fields, fragments in BAD_FIELDS:
        # a good field before the bad one must not be stored either
        answer = api.patch(path, people.alice.token, {"description": "changed", **fields})
        assert_error(answer, 400, *fragments)
    assert api.get(path, people.alice.token).body == full


def test_bad_fields_on_put_answer_400_and_change_nothing(api, people):
    full = _full(api, people)
    path = f"/workflows/{full['id']}"
    for fields, fragments in BAD_FIELDS + BAD_WHEN_NEW:
        answer = api.put(path, people.alice.token, {"name": "renamed", **fields})
        assert_error(answer, 400, *fragments)
    assert api.get(path, people.alice.token).body == full


@pytest.mark.parametrize(("body", "fragments"), [
    ({"definition": DEFINITION}, ["'name' is required"]),
    ({"name": None, "definition": DEFINITION}, ["'name' is required"]),
    ({"name": "x"}, ["'definition' is required"]),
    ({"name": "x", "definition": DEFINITION, "from_job_chain": 12}, ["from_job_chain"]),
])
def test_create_needs_name_and_definition(api, people, body, fragments):
    assert_error(api.post("/workflows", people.alice.token, body), 400, *fragments)
    assert _count(api, people.alice.token) == 0


def test_put_needs_a_name(api, people):
    full = _full(api, people)
    path = f"/workflows/{full['id']}"
    assert_error(api.put(path, people.alice.token, {"description": "x"}), 400,
                 "'name' is required")
    assert_error(api.patch(path, people.alice.token, {"name": None}), 400, "'name' is required")
    assert api.get(path, people.alice.token).body == full


def test_patch_cannot_set_hidden(api, people):
    full = _full(api, people)
    answer = api.patch(f"/workflows/{full['id']}", people.alice.token, {"hidden": True})
    assert_error(answer, 400, "Unknown field 'hidden'")


@pytest.mark.parametrize(("raw", "fragments"), [
    ('{"name": ', ["not valid JSON", "line 1, column 10"]),
    ('{\n  "name": "x",\n  "definition": oops\n}', ["not valid JSON", "line 3, column 17"]),
    ("[1, 2]", ["must be a JSON object"]),
    ('"text"', ["must be a JSON object"]),
    ("null", ["must be a JSON object"]),
])
def test_malformed_bodies_answer_400(api, people, raw, fragments):
    full = _full(api, people)
    path = f"/workflows/{full['id']}"
    assert_error(api.call("POST", "/workflows", people.alice.token, raw=raw), 400, *fragments)
    assert_error(api.call("PATCH", path, people.alice.token, raw=raw), 400, *fragments)
    assert api.get(path, people.alice.token).body == full
    assert _count(api, people.alice.token) == 1


def test_ids_that_name_no_workflow_answer_404(api, people):
    create_workflow(api, people.alice.token)
    routes = [("GET", ""), ("PUT", ""), ("PATCH", ""), ("POST", "/clone"),
              ("PUT", "/archive"), ("GET", "/shares"), ("GET", "/projects"),
              ("GET", "/dependencies"), ("PUT", "/transfer"), ("PUT", "/shares/users")]
    for bad_id in ["abc", "1.5", "-1", "1e3", "0x1", "%201", "9999", "\u00b2", "\u0661",
                   "1" * 19]:
        for method, suffix in routes:
            body = {"": {"name": "x"}, "/archive": {"status": True},
                    "/transfer": {"user_id": people.bob.id, "include_dependencies": False},
                    "/shares/users": {"user_ids": [people.bob.id], "permission_level": "read"},
                    }.get(suffix, {}) if method == "PUT" else {}
            answer = api.call(method, f"/workflows/{bad_id}{suffix}", people.alice.token,
                              body=body)
            assert_error(answer, 404)
            assert answer.body["error"] == "not_found"


# -- clone ----------------------------------------------------------------------------------


def test_clone_copies_the_workflow_for_the_cloner(api, people):
    source = _full(api, people)
    cloned = api.post(f"/workflows/{source['id']}/clone", people.alice.token, {})
    assert cloned.status == 201
    assert cloned.headers["content-type"] == JSON_TYPE
    body = cloned.body
    assert set(body) == WORKFLOW_KEYS
    assert body["id"] != source["id"]
    assert body["name"] == f"Clone of Workflow {source['id']} full"
    assert (body["definition"], body["description"], body["timeZone"],
            body["allowConcurrentExecutions"], body["valid"]) == (
        DEFINITION, "about", "Europe/Paris", False, True)
    # not asked for: the schedule and notifications are the new-workflow ones, and the
    # notifications go to the cloner
    assert (body["schedule"], body["state"]) == (SCHEDULE_DEFAULTS, "idle")
    assert body["notifications"] == {**NOTIFICATION_DEFAULTS,
                                     "successEmailAddresses": [people.alice.email],
                                     "failureEmailAddresses": [people.alice.email]}
    assert (body["archived"], body["hidden"], body["myPermissionLevel"]) == (
        False, False, "manage")
    assert api.get(f"/workflows/{body['id']}", people.alice.token).body == body
    assert api.get(f"/workflows/{source['id']}", people.alice.token).body == source


@pytest.mark.parametrize("body", [
    {"clone_schedule": True, "clone_notifications": True},
    {"cloneSchedule": True, "cloneNotifications": True}], ids=["snake", "camel"])
def test_clone_with_schedule_and_notifications(api, people, body):
    source = _full(api, people)
    cloned = api.post(f"/workflows/{source['id']}/clone", people.alice.token, body)
    assert cloned.status == 201, cloned.body
    assert (cloned.body["schedule"], cloned.body["state"]) == (source["schedule"], "scheduled")
    assert cloned.body["notifications"] == source["notifications"]


def test_clone_of_a_shared_workflow_belongs_to_the_cloner(api, people):
    source = _full(api, people)
    shared = api.put(f"/workflows/{source['id']}/shares/users", people.alice.token,
                     {"user_ids": [people.bob.id], "permission_level": "read"})
    assert shared.status == 200
    cloned = api.post(f"/workflows/{source['id']}/clone", people.bob.token,
                      {"clone_schedule": False, "clone_notifications": False})
    assert cloned.status == 201
    assert cloned.body["user"]["id"] == people.bob.id
    assert cloned.body["myPermissionLevel"] == "manage"
    assert cloned.body["notifications"]["successEmailAddresses"] == [people.bob.email]
    shares = api.get(f"/workflows/{cloned.body['id']}/shares", people.bob.token).body[0]
    assert shares["owners"]["users"] == [{"id": people.bob.id, "name": "Bob Example"}]
    assert shares["totalUserShares"] == 1
    # alice is not given the clone
    assert api.get(f"/workflows/{cloned.body['id']}", people.alice.token).status == 404


def test_clone_keeps_an_invalid_definition_invalid(api, people):
    source = create_workflow(api, people.alice.token, definition=INVALID_DEFINITION)
    cloned = api.post(f"/workflows/{source['id']}/clone", people.alice.token, {}).body
    assert (cloned["valid"], cloned["validationErrors"]) == (False, source["validationErrors"])


def test_clone_rejects_unknown_and_mistyped_options(api, people):
    source = create_workflow(api, people.alice.token)
    path = f"/workflows/{source['id']}/clone"
    assert_error(api.post(path, people.alice.token, {"clone_schedules": True}), 400,
                 "Did you mean 'clone_schedule'?")
    assert_error(api.post(path, people.alice.token, {"clone_schedule": "yes"}), 400,
                 "'clone_schedule' must be true or false")
    assert _count(api, people.alice.token) == 1


# -- archive --------------------------------------------------------------------------------


def test_archive_and_unarchive(api, people):
    created = create_workflow(api, people.alice.token)
    path = f"/workflows/{created['id']}/archive"
    archived = api.put(path, people.alice.token, {"status": True})
    assert archived.status == 200
    assert set(archived.body) == WORKFLOW_KEYS
    assert archived.body["archived"] is True
    _same_except(created, archived.body, "archived")
    assert api.get(f"/workflows/{created['id']}", people.alice.token).body["archived"] is True
    restored = api.put(path, people.alice.token, {"status": False})
    assert restored.status == 200
    assert restored.body["archived"] is False
    _same_except(created, restored.body)


@pytest.mark.parametrize(("body", "fragment"), [
    ({}, "'status' must be true or false"), ({"status": "true"}, "'status' must be true"),
    ({"status": 1}, "'status' must be true"), ({"stats": True}, "Did you mean 'status'?")])
def test_archive_needs_a_boolean_status(api, people, body, fragment):
    created = create_workflow(api, people.alice.token)
    assert_error(api.put(f"/workflows/{created['id']}/archive", people.alice.token, body), 400,
                 fragment)
    assert api.get(f"/workflows/{created['id']}", people.alice.token).body == created


# -- concurrent writes and stored versions ------------------------------------------------------


def test_concurrent_patches_both_land(api, people):
    """Two PATCHes read the same version; the one that writes second retries, losing nothing."""
    created = _full(api, people)
    caller = authenticate(f"Bearer {people.alice.token}")
    both_read = threading.Barrier(2, timeout=10)
    first_read: set[int] = set()
    real_get = store.get

    def get_in_step(workflow_id: int):
        workflow = real_get(workflow_id)
        thread = threading.get_ident()
        if thread not in first_read:  # only each thread's first read waits for the other's
            first_read.add(thread)
            both_read.wait()
        return workflow

    errors: list[BaseException] = []

    def patch(body: dict) -> None:
        try:
            workflow_service.patch(caller, created["id"], body)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    saves: list[int] = []
    first_saved = threading.Event()
    turns = threading.Lock()
    real_save = store.save

    def save_in_turn(workflow, **kwargs):
        """The second write waits for the first: it must then fail and be retried."""
        with turns:
            turn = len(saves)
            saves.append(int(workflow.id))
        if turn == 1:
            first_saved.wait(10)
        try:
            return real_save(workflow, **kwargs)
        finally:
            if turn == 0:
                first_saved.set()

    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(store, "get", get_in_step)
        patcher.setattr(store, "save", save_in_turn)
        threads = [threading.Thread(target=patch, args=({"description": "from one"},)),
                   threading.Thread(target=patch, args=({"time_zone": "Asia/Tokyo"},))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert errors == []
    assert len(saves) == 3  # both wrote once; the second again, after its conflict
    got = api.get(f"/workflows/{created['id']}", people.alice.token).body
    assert (got["description"], got["timeZone"]) == ("from one", "Asia/Tokyo")
    _same_except(created, got, "description", "timeZone", "nextExecutionAt")


def test_a_stale_write_raises_conflict(api, people):
    created = create_workflow(api, people.alice.token)
    first, stale = store.get(created["id"]), store.get(created["id"])
    before = store.principals_of(first)
    first.description = "first"
    store.save(first, before=before, new_definition=False, author_id=people.alice.id)
    stale.description = "stale"
    with pytest.raises(Conflict):
        store.save(stale, before=before, new_definition=False, author_id=people.alice.id)
    assert api.get(f"/workflows/{created['id']}", people.alice.token).body["description"] == \
        "first"


def test_each_definition_change_stores_a_new_version(api, people):
    created = create_workflow(api, people.alice.token)
    wid, token = created["id"], people.alice.token
    first = store.version(wid, 1)
    assert (first.definition, int(first.author_id)) == (DEFINITION, people.alice.id)
    assert store.version(wid, 2) is None

    api.patch(f"/workflows/{wid}", token, {"name": "renamed", "description": "d"})
    api.put(f"/workflows/{wid}", token, {"name": "again", "definition": DEFINITION})  # same
    assert store.version(wid, 2) is None
    assert int(store.get(wid).definition_version) == 1

    api.patch(f"/workflows/{wid}", token, {"definition": OTHER_DEFINITION})
    api.put(f"/workflows/{wid}", token, {"name": "n", "definition": INVALID_DEFINITION})
    assert store.version(wid, 2).definition == OTHER_DEFINITION
    assert store.version(wid, 3).definition == INVALID_DEFINITION
    assert store.version(wid, 1).definition == DEFINITION
    assert int(store.get(wid).definition_version) == 3
    api.patch(f"/workflows/{wid}", token, {"name": "only the name"})
    assert store.version(wid, 4) is None


def test_a_clone_starts_its_own_versions(api, people):
    source = create_workflow(api, people.alice.token)
    api.patch(f"/workflows/{source['id']}", people.alice.token, {"definition": OTHER_DEFINITION})
    cloned = api.post(f"/workflows/{source['id']}/clone", people.alice.token, {}).body
    assert store.version(cloned["id"], 1).definition == OTHER_DEFINITION
    assert store.version(cloned["id"], 2) is None


def test_a_null_definition_is_refused_and_changes_nothing(api, people):
    full = _full(api, people)
    path = f"/workflows/{full['id']}"
    for send in (api.put, api.patch):
        assert_error(send(path, people.alice.token, {"name": "x", "definition": None}), 400,
                     "'definition' cannot be null")
    assert api.get(path, people.alice.token).body == full


def test_a_field_given_in_both_casings_is_refused(api, people):
    body = {"name": "x", "definition": DEFINITION, "timeZone": "UTC", "time_zone": "UTC"}
    assert_error(api.post("/workflows", people.alice.token, body), 400,
                 "'time_zone' is given twice")
    nested = {"name": "x", "definition": DEFINITION,
              "schedule": {"scheduledDays": [1], "scheduled_days": [2]}}
    assert_error(api.post("/workflows", people.alice.token, nested), 400,
                 "'scheduled_days' is given twice")
    assert _count(api, people.alice.token) == 0
