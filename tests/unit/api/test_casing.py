"""Key casing: snake_case in, camelCase out, user data left as written."""
from __future__ import annotations

import pytest

from chalicelib.api.casing import DuplicateKey, camel, camel_keys, snake, snake_keys

# every field name of the Workflow, schedule and notifications objects, and the request fields
SPEC_NAMES = [
    ("fileId", "file_id"), ("allowConcurrentExecutions", "allow_concurrent_executions"),
    ("timeZone", "time_zone"), ("nextExecutionAt", "next_execution_at"),
    ("createdAt", "created_at"), ("updatedAt", "updated_at"),
    ("validationErrors", "validation_errors"), ("lastExecutionId", "last_execution_id"),
    ("myPermissionLevel", "my_permission_level"), ("scheduledDays", "scheduled_days"),
    ("scheduledHours", "scheduled_hours"), ("scheduledMinutes", "scheduled_minutes"),
    ("scheduledRunsPerHour", "scheduled_runs_per_hour"),
    ("scheduledDaysOfMonth", "scheduled_days_of_month"),
    ("successEmailSubject", "success_email_subject"),
    ("successEmailAddresses", "success_email_addresses"),
    ("stallWarningMinutes", "stall_warning_minutes"), ("successOn", "success_on"),
    ("fromJobChain", "from_job_chain"), ("includeDependencies", "include_dependencies"),
    ("permissionLevel", "permission_level"), ("userIds", "user_ids"),
    ("totalUserShares", "total_user_shares"), ("taskName", "task_name"),
    ("id", "id"), ("name", "name"), ("urls", "urls"),
]


@pytest.mark.parametrize(("camel_name", "snake_name"), SPEC_NAMES)
def test_spec_names_round_trip(camel_name, snake_name):
    assert snake(camel_name) == snake_name
    assert camel(snake_name) == camel_name
    assert snake(snake(camel_name)) == snake_name  # snake stays snake
    assert camel(snake(camel_name)) == camel_name


@pytest.mark.parametrize(("name", "expected"), [
    ("ALL_CAPS", "all_caps"), ("ID", "id"), ("userID", "user_id"),
    ("HTTPServer", "http_server"), ("getHTTPResponseCode", "get_http_response_code"),
    ("myParam2", "my_param2"), ("param2X", "param2_x"), ("X", "x"),
    ("already_snake", "already_snake"), ("_private", "_private"), ("", ""),
])
def test_snake_handles_acronyms_and_digits(name, expected):
    assert snake(name) == expected


def test_snake_keys_converts_every_depth_and_lists():
    body = {"allowConcurrentExecutions": True,
            "schedule": {"scheduledDays": [1], "scheduled_hours": [2]},
            "items": [{"taskName": "a"}, "plain", ["x"]],
            "time_zone": "UTC"}
    assert snake_keys(body) == {
        "allow_concurrent_executions": True,
        "schedule": {"scheduled_days": [1], "scheduled_hours": [2]},
        "items": [{"task_name": "a"}, "plain", ["x"]],
        "time_zone": "UTC"}


def test_snake_keys_leaves_kept_keys_values_alone():
    body = {"input": {"myParam": 1, "ALL_CAPS": "x", "nested": {"camelKey": 2}},
            "includedTasks": ["taskOne"], "targetTask": "camelTask"}
    converted = snake_keys(body, keep=frozenset({"input"}))
    assert converted == {"input": {"myParam": 1, "ALL_CAPS": "x", "nested": {"camelKey": 2}},
                         "included_tasks": ["taskOne"], "target_task": "camelTask"}
    # a kept key is matched after its own conversion, at any depth
    assert snake_keys({"Input": {"aB": 1}, "deep": {"input": {"cD": 2}}},
                      keep=frozenset({"input"})) == {"input": {"aB": 1},
                                                     "deep": {"input": {"cD": 2}}}


def test_values_are_never_converted():
    assert snake_keys({"name": "camelCaseName", "list": ["someValue"]}) == {
        "name": "camelCaseName", "list": ["someValue"]}
    assert camel_keys({"name": "snake_value"}) == {"name": "snake_value"}


def test_camel_keys_converts_every_depth():
    stored = {"success_on": True, "urls": [], "nested_list": [{"inner_key": None}]}
    assert camel_keys(stored) == {"successOn": True, "urls": [],
                                  "nestedList": [{"innerKey": None}]}
    assert snake_keys(camel_keys(stored)) == stored


def test_non_containers_pass_through():
    for value in (None, 1, "text", True, 1.5):
        assert snake_keys(value) == value
        assert camel_keys(value) == value


def test_the_same_field_in_two_casings_is_a_duplicate():
    with pytest.raises(DuplicateKey) as raised:
        snake_keys({"a": {"fooBar": 1, "foo_bar": 2}})
    assert raised.value.name == "foo_bar"
    assert snake_keys({"input": {"x_y": 1, "xY": 2}}, keep=frozenset({"input"})) == {
        "input": {"x_y": 1, "xY": 2}}
