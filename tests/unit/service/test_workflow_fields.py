"""The checks of workflow request fields: what each accepts, normalises and rejects."""
from __future__ import annotations

import pytest

from chalicelib.errors import BadRequest
from chalicelib.service import workflow_fields as fields
from chalicelib.service.workflow_fields import (
    NOTIFICATION_DEFAULTS,
    SCHEDULE_DEFAULTS,
    definition,
    email_list,
    flag,
    notifications,
    schedule,
    text,
    time_zone,
    unknown_keys,
)


def rejects(call, *args, fragment: str = "", **kwargs) -> str:
    with pytest.raises(BadRequest) as raised:
        call(*args, **kwargs)
    assert fragment in raised.value.message
    assert raised.value.status == 400
    return raised.value.message


# -- unknown_keys ---------------------------------------------------------------------------


def test_unknown_keys_accepts_known_ones():
    unknown_keys({"name": 1, "description": 2}, {"name", "description", "hidden"}, "the request")
    unknown_keys({}, {"name"}, "the request")


def test_unknown_keys_suggests_the_closest_and_lists_the_allowed():
    message = rejects(unknown_keys, {"name": 1, "descripton": 2}, {"name", "description"},
                      "the request")
    assert message == ("Unknown field 'descripton' in the request. Did you mean "
                       "'description'? Allowed: description, name.")


def test_unknown_keys_without_a_close_match():
    message = rejects(unknown_keys, {"zzz": 1}, {"name"}, "schedule")
    assert message == "Unknown field 'zzz' in schedule. Allowed: name."


# -- text, flag, definition -------------------------------------------------------------------


@pytest.mark.parametrize(("value", "kwargs", "expected"), [
    (None, {}, None), ("", {}, ""), ("  x  ", {}, "  x  "), ("a\nb", {}, "a\nb"),
    ("x" * 10, {"limit": 10}, "x" * 10), ("one line", {"single_line": True}, "one line"),
    ("é ünïcode", {"single_line": True}, "é ünïcode"),
])
def test_text_accepts(value, kwargs, expected):
    assert text(value, "f", **{"limit": 100, **kwargs}) == expected


@pytest.mark.parametrize(("value", "kwargs", "fragment"), [
    (None, {"required": True}, "'f' is required."),
    ("", {"required": True}, "'f' must not be empty."),
    (" \t\n", {"required": True}, "'f' must not be empty."),
    (5, {}, "'f' must be a string."), (["x"], {}, "'f' must be a string."),
    (True, {}, "'f' must be a string."),
    ("x" * 11, {"limit": 10}, "'f' is longer than 10 characters."),
    ("a\nb", {"single_line": True}, "'f' must be one line"),
    ("a\tb", {"single_line": True}, "'f' must be one line"),
    ("a\x00b", {"single_line": True}, "'f' must be one line"),
])
def test_text_rejects(value, kwargs, fragment):
    rejects(text, value, "f", fragment=fragment, **{"limit": 100, **kwargs})


def test_flag_takes_booleans_only():
    assert flag(True, "f") is True and flag(False, "f") is False
    for value in (None, 0, 1, "true", "True", "false", [], {}):
        rejects(flag, value, "f", fragment="'f' must be true or false.")


def test_definition():
    assert definition(None) == ""
    assert definition("version: '2.0'\n") == "version: '2.0'\n"
    assert definition("x" * fields.MAX_DEFINITION) == "x" * fields.MAX_DEFINITION
    rejects(definition, 5, fragment="'definition' must be a string.")
    rejects(definition, "x" * (fields.MAX_DEFINITION + 1), fragment="longer than")
    # short enough in characters, too large in bytes
    rejects(definition, "é" * (fields.MAX_DEFINITION // 2 + 1), fragment="larger than 256 KiB")


# -- time zones -----------------------------------------------------------------------------


@pytest.mark.parametrize("zone", ["America/Chicago", "UTC", "Europe/Paris", "Asia/Kolkata",
                                  "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_time_zone_accepts_iana_names(zone):
    assert time_zone(zone) == zone


@pytest.mark.parametrize(("value", "fragment"), [
    ("America/Chicag", "Unknown time zone 'America/Chicag'. Did you mean 'America/Chicago'?"),
    ("Mars/Olympus_Mons", "Unknown time zone 'Mars/Olympus_Mons'."),
    ("../../etc/passwd", "Unknown time zone"), ("/etc/localtime", "Unknown time zone"),
    ("", "must be an IANA time zone name"), (None, "must be an IANA time zone name"),
    (-5, "must be an IANA time zone name"),
])
def test_time_zone_rejects(value, fragment):
    rejects(time_zone, value, fragment=fragment)


# -- schedule -------------------------------------------------------------------------------


def test_schedule_fills_the_defaults():
    assert schedule({}) == SCHEDULE_DEFAULTS
    assert schedule({"scheduled_hours": [5, 1, 5]}) == {**SCHEDULE_DEFAULTS,
                                                        "scheduled_hours": [1, 5]}


def test_schedule_merges_into_a_base():
    base = schedule({"scheduled": True, "scheduled_days": [1], "scheduled_hours": [9]})
    assert schedule({"scheduled_minutes": [15]}, base) == {
        **SCHEDULE_DEFAULTS, "scheduled": True, "scheduled_days": [1], "scheduled_hours": [9],
        "scheduled_minutes": [15]}
    assert base["scheduled_minutes"] == []  # the base is not changed
    # a change that is valid only together with the base
    assert schedule({"scheduled": True}, {**SCHEDULE_DEFAULTS, "scheduled_days": [2],
                                          "scheduled_hours": [3]})["scheduled"] is True


@pytest.mark.parametrize("value", [
    {"scheduled": None}, {"scheduled": False}, {"scheduled_days": None},
    {"scheduled_days": [0, 6]}, {"scheduled_hours": [0, 23]}, {"scheduled_minutes": [0, 59]},
    {"scheduled_days_of_month": [1, 31]}, {"scheduled_runs_per_hour": None},
    {"scheduled": True, "scheduled_days_of_month": [15], "scheduled_hours": [0]},
    *({"scheduled_runs_per_hour": n} for n in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)),
])
def test_schedule_accepts(value):
    result = schedule(value)
    assert set(result) == set(SCHEDULE_DEFAULTS)


@pytest.mark.parametrize(("value", "fragment"), [
    ("daily", "'schedule' must be an object."), ([], "'schedule' must be an object."),
    (None, "'schedule' must be an object."),
    ({"scheduledDays": [1]}, "Unknown field 'scheduledDays' in schedule"),
    ({"scheduled_day": [1]}, "Did you mean 'scheduled_days'?"),
    ({"scheduled": "true"}, "'schedule.scheduled' must be true or false."),
    ({"scheduled_days": [7]}, "'schedule.scheduled_days' holds 7; values go from 0 to 6."),
    ({"scheduled_days": [-1]}, "'schedule.scheduled_days' holds -1"),
    ({"scheduled_hours": [24]}, "'schedule.scheduled_hours' holds 24; values go from 0 to 23."),
    ({"scheduled_minutes": [60]}, "'schedule.scheduled_minutes' holds 60"),
    ({"scheduled_days_of_month": [0]}, "'schedule.scheduled_days_of_month' holds 0"),
    ({"scheduled_days_of_month": [32]}, "'schedule.scheduled_days_of_month' holds 32"),
    ({"scheduled_hours": 9}, "'schedule.scheduled_hours' must be a list of integers."),
    ({"scheduled_hours": [9.5]}, "must be a list of integers"),
    ({"scheduled_hours": ["9"]}, "must be a list of integers"),
    ({"scheduled_hours": [False]}, "must be a list of integers"),
    *(({"scheduled_runs_per_hour": n}, "must divide 60") for n in (0, 7, 61, -1, True, "2")),
    ({"scheduled_days": [1], "scheduled_days_of_month": [1]}, "exclude each other"),
    ({"scheduled": True, "scheduled_hours": [9]}, "needs 'scheduled_days' (0 = Sunday)"),
    ({"scheduled": True, "scheduled_days": [1]}, "needs 'scheduled_hours'"),
    ({"scheduled_minutes": [5], "scheduled_runs_per_hour": 4},
     "'schedule.scheduled_minutes' and 'schedule.scheduled_runs_per_hour' exclude each other"),
])
def test_schedule_rejects(value, fragment):
    rejects(schedule, value, fragment=fragment)


def test_schedule_checks_the_merged_result():
    base = {**SCHEDULE_DEFAULTS, "scheduled_days": [1]}
    rejects(schedule, {"scheduled_days_of_month": [1]}, base, fragment="exclude each other")


# -- e-mail addresses and notifications -------------------------------------------------------


@pytest.mark.parametrize("address", [
    "a@example.com", "first.last+tag@sub.example.co.uk", "x_y-z@example-host.org",
    "o'brien@example.com", "a@b", "UPPER@EXAMPLE.COM"])
def test_email_list_accepts(address):
    assert email_list([address], "f") == [address]


@pytest.mark.parametrize("address", [
    "plain", "@example.com", "a@", "a@@example.com", "a b@example.com", "a@exa mple.com",
    "a@example.com\n", "a@example.com\nBcc: b@example.com", "\na@example.com",
    "a@example.com\r", "a..b@example.com", "a@example..com", "a@-example.com",
    "a@example.com-", "a@example.com>", "<a@example.com>", "x" * 65 + "@example.com", "", 5,
    None])
def test_email_list_rejects(address):
    message = rejects(email_list, [address], "notifications.x", fragment="'notifications.x'")
    assert message.endswith("which is not an e-mail address.")


def test_email_list_shape():
    assert email_list(None, "f") == []
    assert email_list([], "f") == []
    assert email_list(["a@example.com"] * fields.MAX_LIST, "f") == ["a@example.com"] * 50
    rejects(email_list, "a@example.com", "f", fragment="'f' must be a list of at most 50")
    rejects(email_list, ["a@example.com"] * 51, "f", fragment="must be a list of at most 50")


def test_notifications_fill_the_defaults_and_merge():
    assert notifications({}) == NOTIFICATION_DEFAULTS
    base = notifications({"success_email_addresses": ["a@example.com"], "failure_on": False})
    merged = notifications({"stall_warning_minutes": 5}, base)
    assert merged == {**NOTIFICATION_DEFAULTS, "success_email_addresses": ["a@example.com"],
                      "failure_on": False, "stall_warning_minutes": 5}
    assert notifications({"urls": None, "success_email_addresses": None}, merged)[
        "success_email_addresses"] == []


@pytest.mark.parametrize(("value", "key", "expected"), [
    ({"urls": ["https://a.example/x?y=1", "http://b.example"]}, "urls",
     ["https://a.example/x?y=1", "http://b.example"]),
    ({"urls": None}, "urls", []),
    ({"success_email_subject": "Done: {{name}}"}, "success_email_subject", "Done: {{name}}"),
    ({"success_email_subject": None}, "success_email_subject", None),
    ({"success_email_body": "# Title\n\nbody"}, "success_email_body", "# Title\n\nbody"),
    ({"stall_warning_minutes": 1}, "stall_warning_minutes", 1),
    ({"stall_warning_minutes": 525_600}, "stall_warning_minutes", 525_600),
    ({"stall_warning_minutes": None}, "stall_warning_minutes", None),
    ({"success_on": False}, "success_on", False), ({"failure_on": False}, "failure_on", False),
])
def test_notifications_accept(value, key, expected):
    assert notifications(value)[key] == expected


@pytest.mark.parametrize(("value", "fragment"), [
    ([], "'notifications' must be an object."), (None, "'notifications' must be an object."),
    ({"successOn": True}, "Unknown field 'successOn' in notifications"),
    ({"sucess_on": True}, "Did you mean 'success_on'?"),
    ({"urls": "https://a.example"}, "'notifications.urls' must be a list of http(s) URLs."),
    ({"urls": ["ftp://a.example"]}, "http(s) URLs"), ({"urls": ["https://"]}, "http(s) URLs"),
    ({"urls": ["https://a.example/x y"]}, "http(s) URLs"),
    ({"urls": ["https://a.example\n"]}, "http(s) URLs"),
    ({"urls": ["javascript:alert(1)"]}, "http(s) URLs"),
    ({"urls": ["https://a.example/" + "x" * fields.MAX_URL]}, "http(s) URLs"),
    ({"urls": ["https://a.example"] * 51}, "http(s) URLs"),
    ({"urls": [5]}, "http(s) URLs"),
    ({"success_email_addresses": ["nope"]}, "'notifications.success_email_addresses' holds"),
    ({"failure_email_addresses": "a@example.com"},
     "'notifications.failure_email_addresses' must be a list"),
    ({"success_email_subject": "a\nb"}, "'notifications.success_email_subject' must be one"),
    ({"success_email_subject": "x" * 256}, "is longer than 255"),
    ({"success_email_body": 5}, "'notifications.success_email_body' must be a string"),
    ({"stall_warning_minutes": 0}, "from 1 to 525600"),
    ({"stall_warning_minutes": 525_601}, "from 1 to 525600"),
    ({"stall_warning_minutes": 1.5}, "from 1 to 525600"),
    ({"stall_warning_minutes": True}, "from 1 to 525600"),
    ({"success_on": None}, "'notifications.success_on' must be true or false."),
    ({"failure_on": "false"}, "'notifications.failure_on' must be true or false."),
])
def test_notifications_reject(value, fragment):
    rejects(notifications, value, fragment=fragment)
