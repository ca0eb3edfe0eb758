"""The /workflows operations through the real civis client, read as a civis user reads them.

Each test starts from empty tables (the `admin` fixture); ids are never assumed to be
particular numbers, since each xdist worker has its own server and counters.
"""
from __future__ import annotations

import pytest
import requests
from civis.base import CivisAPIError

from tests.compat.conftest import add_user, workflow_yaml

SCHEDULE_CAMEL = {"scheduled": True, "scheduledDays": [1, 3], "scheduledHours": [9],
                  "scheduledMinutes": [30]}
SCHEDULE_SNAKE = {"scheduled": True, "scheduled_days_of_month": [1, 15],
                  "scheduled_hours": [6], "scheduled_minutes": [0, 45]}
NOTIFY_CAMEL = {"successEmailAddresses": ["ops@example.com"], "failureOn": False,
                "stallWarningMinutes": 30, "urls": ["https://hooks.example.com/done"]}
NOTIFY_SNAKE = {"failure_email_addresses": ["pager@example.com"], "success_on": False,
                "success_email_subject": "Done"}


@pytest.fixture
def client(civis_for, admin):
    return civis_for(admin.token)


@pytest.fixture
def alice(client):
    return add_user(client, "alice")


@pytest.fixture
def as_alice(civis_for, alice):
    return civis_for(alice.token)


def _ids(listed) -> list[int]:
    return [w.id for w in listed]


def _make(client, names, **kwargs) -> list[int]:
    return [client.workflows.post(n, definition=workflow_yaml(), **kwargs).id for n in names]


# -- create, read, replace, patch ------------------------------------------------------------


def test_post_with_camel_case_nested_keys(client, admin):
    created = client.workflows.post(
        "nightly", description="Loads the warehouse", definition=workflow_yaml("nightly"),
        schedule=SCHEDULE_CAMEL, notifications=NOTIFY_CAMEL,
        allow_concurrent_executions=False, time_zone="Europe/Berlin")
    assert created.name == "nightly" and created.description == "Loads the warehouse"
    assert created.valid is True and created.validation_errors is None
    assert created.definition == workflow_yaml("nightly")
    assert created.state == "scheduled" and created.archived is False
    assert created.hidden is False and created.my_permission_level == "manage"
    assert created.allow_concurrent_executions is False
    assert created.time_zone == "Europe/Berlin"
    assert created.user.id == admin.id and created.user.name == "Ada Admin"
    schedule = created.schedule
    assert schedule.scheduled is True and schedule.scheduled_days == [1, 3]
    assert schedule.scheduled_hours == [9] and schedule.scheduled_minutes == [30]
    assert schedule.scheduled_days_of_month == []
    notes = created.notifications
    assert notes.success_email_addresses == ["ops@example.com"]
    assert notes.failure_on is False and notes.success_on is True
    assert notes.stall_warning_minutes == 30
    assert notes.urls == ["https://hooks.example.com/done"]
    raw = created.json_data
    assert raw["allowConcurrentExecutions"] is False and raw["timeZone"] == "Europe/Berlin"
    assert raw["schedule"]["scheduledDays"] == [1, 3]
    assert raw["notifications"]["successEmailAddresses"] == ["ops@example.com"]
    assert raw["myPermissionLevel"] == "manage" and "lastExecutionId" in raw


def test_post_with_snake_case_nested_keys_and_hidden(client):
    created = client.workflows.post("monthly", definition=workflow_yaml(),
                                    schedule=SCHEDULE_SNAKE, notifications=NOTIFY_SNAKE,
                                    hidden=True)
    assert created.hidden is True
    assert created.schedule.scheduled_days_of_month == [1, 15]
    assert created.schedule.scheduled_minutes == [0, 45]
    assert created.notifications.failure_email_addresses == ["pager@example.com"]
    assert created.notifications.success_on is False
    assert created.notifications.success_email_subject == "Done"
    assert created.time_zone == "America/Chicago"  # Civis's default
    assert created.allow_concurrent_executions is True
    assert client.workflows.get(created.id).hidden is True


def test_post_with_invalid_definition_is_stored_as_invalid(client):
    created = client.workflows.post("broken", definition="version: '2.0'\nwf: {tasks: 3}\n")
    assert created.valid is False and created.validation_errors


def test_get_shows_what_was_created(client):
    wid = client.workflows.post("get me", definition=workflow_yaml(),
                                notifications=NOTIFY_CAMEL).id
    shown = client.workflows.get(wid)
    assert shown.id == wid and shown.name == "get me"
    assert shown.notifications.stall_warning_minutes == 30
    assert shown.last_execution_id is None and shown.next_execution_at is None
    assert shown.created_at.endswith("Z") and shown.updated_at.endswith("Z")
    assert shown["allowConcurrentExecutions"] is True  # item access with either casing
    assert shown["allow_concurrent_executions"] is True


def test_put_replaces_every_field(client):
    wid = client.workflows.post("old", description="old text", definition=workflow_yaml(),
                                schedule=SCHEDULE_CAMEL, notifications=NOTIFY_CAMEL,
                                time_zone="Europe/Berlin",
                                allow_concurrent_executions=False).id
    replaced = client.workflows.put(wid, "new", definition=workflow_yaml("other"),
                                    schedule={"scheduled": False})
    assert replaced.id == wid and replaced.name == "new"
    assert replaced.description is None  # not sent: back to the default
    assert replaced.definition == workflow_yaml("other")
    assert replaced.schedule.scheduled is False and replaced.schedule.scheduled_days == []
    assert replaced.state == "idle"
    assert replaced.time_zone == "America/Chicago"
    assert replaced.allow_concurrent_executions is True
    assert replaced.notifications.success_email_addresses == []
    assert replaced.notifications.stall_warning_minutes is None
    assert client.workflows.get(wid).name == "new"


def test_put_with_nested_snake_case_and_time_zone(client):
    wid = _make(client, ["w"])[0]
    replaced = client.workflows.put(wid, "w2", definition=workflow_yaml(),
                                    schedule=SCHEDULE_SNAKE, notifications=NOTIFY_SNAKE,
                                    time_zone="Asia/Tokyo", description="d")
    assert replaced.schedule.scheduled_hours == [6]
    assert replaced.notifications.failure_email_addresses == ["pager@example.com"]
    assert replaced.time_zone == "Asia/Tokyo" and replaced.description == "d"
    assert replaced.state == "scheduled"


def test_patch_changes_only_what_is_sent(client):
    wid = client.workflows.post("keep", description="to clear", definition=workflow_yaml(),
                                schedule=SCHEDULE_CAMEL, notifications=NOTIFY_CAMEL).id
    patched = client.workflows.patch(wid, description=None)  # sent as null
    assert patched.description is None
    assert patched.name == "keep" and patched.schedule.scheduled_days == [1, 3]
    assert patched.notifications.stall_warning_minutes == 30
    patched = client.workflows.patch(wid, notifications={"failureEmailAddresses": ["a@b.io"]},
                                     schedule={"scheduled_hours": [10, 11]},
                                     allow_concurrent_executions=False)
    assert patched.notifications.failure_email_addresses == ["a@b.io"]
    assert patched.notifications.success_email_addresses == ["ops@example.com"]  # merged
    assert patched.schedule.scheduled_hours == [10, 11]
    assert patched.schedule.scheduled_days == [1, 3]
    assert patched.allow_concurrent_executions is False
    patched = client.workflows.patch(wid, name="renamed", time_zone="UTC",
                                     definition="version: '2.0'\nwf: {tasks: 3}\n")
    assert patched.name == "renamed" and patched.time_zone == "UTC"
    assert patched.valid is False
    assert client.workflows.get(wid).description is None


# -- clone and archive -----------------------------------------------------------------------


def test_post_clone_without_and_with_schedule_and_notifications(client, admin):
    source = client.workflows.post("src", description="copied", definition=workflow_yaml(),
                                   schedule=SCHEDULE_CAMEL, notifications=NOTIFY_CAMEL,
                                   time_zone="Europe/Paris")
    plain = client.workflows.post_clone(source.id)
    assert plain.id != source.id
    assert plain.name == f"Clone of Workflow {source.id} src"
    assert plain.definition == source.definition and plain.description == "copied"
    assert plain.time_zone == "Europe/Paris"
    assert plain.schedule.scheduled is None and plain.schedule.scheduled_days == []
    assert plain.state == "idle"
    assert plain.notifications.success_email_addresses == [admin.email]
    assert plain.notifications.failure_email_addresses == [admin.email]
    assert plain.my_permission_level == "manage"
    full = client.workflows.post_clone(source.id, clone_schedule=True, clone_notifications=True)
    assert full.schedule.json() == source.schedule.json()
    assert full.state == "scheduled"
    assert full.notifications.json() == source.notifications.json()
    assert set(_ids(client.workflows.list())) == {source.id, plain.id, full.id}


def test_put_archive_and_unarchive(client):
    wid = _make(client, ["to archive"])[0]
    archived = client.workflows.put_archive(wid, True)
    assert archived.archived is True and archived.id == wid
    assert client.workflows.get(wid).archived is True
    assert client.workflows.put_archive(wid, False).archived is False


# -- lists -----------------------------------------------------------------------------------


def test_list_shows_summaries_newest_first(client, admin):
    ids = _make(client, ["a", "b", "c"])
    listed = client.workflows.list()
    assert _ids(listed) == ids[::-1]
    first = listed[0]
    assert first.name == "c" and first.state == "idle" and first.valid is True
    assert first.user.id == admin.id and first.archived is False
    assert first.schedule.scheduled is None
    assert "definition" not in first.json_data and "timeZone" in first.json_data


def test_list_hidden(client):
    shown, = _make(client, ["shown"])
    hidden, = _make(client, ["hidden"], hidden=True)
    assert _ids(client.workflows.list()) == [shown]
    assert _ids(client.workflows.list(hidden=False)) == [shown]
    assert _ids(client.workflows.list(hidden=True)) == [hidden]


def test_list_archived(client):
    kept, gone = _make(client, ["kept", "gone"])
    client.workflows.put_archive(gone, True)
    assert _ids(client.workflows.list()) == [kept]
    assert _ids(client.workflows.list(archived="false")) == [kept]
    assert _ids(client.workflows.list(archived="")) == [kept]  # blank reads as false
    assert _ids(client.workflows.list(archived="true")) == [gone]
    assert set(_ids(client.workflows.list(archived="all"))) == {kept, gone}


def test_list_author(client, alice, as_alice, civis_for):
    bob = add_user(client, "bob")
    as_bob = civis_for(bob.token)
    mine, = _make(as_alice, ["alice's"])
    theirs, = _make(as_bob, ["bob's"])
    as_bob.workflows.put_shares_users(theirs, [alice.id], "read")
    assert set(_ids(as_alice.workflows.list())) == {mine, theirs}
    assert _ids(as_alice.workflows.list(author=str(bob.id))) == [theirs]
    assert _ids(as_alice.workflows.list(author=f"{alice.id}")) == [mine]
    assert set(_ids(as_alice.workflows.list(author=f"{alice.id},{bob.id}"))) == {mine, theirs}
    assert as_alice.workflows.list(author=str(bob.id))[0].user.id == bob.id


def test_list_state_as_list_and_as_string(client):
    idle, = _make(client, ["idle"])
    scheduled, = _make(client, ["scheduled"], schedule=SCHEDULE_CAMEL)
    assert _ids(client.workflows.list(state=["idle"])) == [idle]  # state[]=idle
    assert _ids(client.workflows.list(state=["scheduled"])) == [scheduled]
    both = client.workflows.list(state=["idle", "scheduled"])
    assert set(_ids(both)) == {idle, scheduled}
    assert _ids(client.workflows.list(state="scheduled")) == [scheduled]  # state=scheduled
    assert _ids(client.workflows.list(state=["running", "failed"])) == []


def test_list_scheduled(client):
    plain, = _make(client, ["plain"])
    scheduled, = _make(client, ["scheduled"], schedule=SCHEDULE_SNAKE)
    assert _ids(client.workflows.list(scheduled=True)) == [scheduled]  # sent as "True"
    assert _ids(client.workflows.list(scheduled=False)) == [plain]


def test_list_order_and_direction(client):
    ids = dict(zip(["beta", "Alpha", "gamma"], _make(client, ["beta", "Alpha", "gamma"])))
    by_name = client.workflows.list(order="name", order_dir="asc")
    assert [w.name for w in by_name] == ["Alpha", "beta", "gamma"]
    by_name = client.workflows.list(order="name", order_dir="desc")
    assert [w.name for w in by_name] == ["gamma", "beta", "Alpha"]
    created = client.workflows.list(order="created_at", order_dir="asc")
    assert _ids(created) == [ids["beta"], ids["Alpha"], ids["gamma"]]
    client.workflows.patch(ids["beta"], description="touched")
    assert _ids(client.workflows.list())[0] == ids["beta"]  # updated_at desc by default


def test_list_pages_and_pagination_headers(client):
    ids = _make(client, [f"w{i}" for i in range(5)])
    first = client.workflows.list(limit=2, order="created_at", order_dir="asc")
    assert _ids(first) == ids[:2]
    headers = first.headers
    assert headers["X-Pagination-Per-Page"] == "2"
    assert headers["X-Pagination-Current-Page"] == "1"
    assert headers["X-Pagination-Total-Pages"] == "3"
    assert headers["X-Pagination-Total-Entries"] == "5"
    assert "X-Pagination-Total-Entries" in headers["Access-Control-Expose-Headers"]
    last = client.workflows.list(limit=2, page_num=3, order="created_at", order_dir="asc")
    assert _ids(last) == ids[4:]
    assert last.headers["X-Pagination-Current-Page"] == "3"
    past = client.workflows.list(limit=2, page_num=4)
    assert list(past) == []
    assert client.workflows.list().headers["X-Pagination-Per-Page"] == "20"


def test_list_iterator_yields_every_workflow_once(client):
    ids = _make(client, [f"w{i}" for i in range(5)])
    seen = [w.id for w in client.workflows.list(iterator=True, limit=2)]
    assert sorted(seen) == sorted(ids)
    names = [w.name for w in client.workflows.list(iterator=True, limit=2, order="name",
                                                     order_dir="asc")]
    assert names == [f"w{i}" for i in range(5)]


# -- projects --------------------------------------------------------------------------------


def test_projects_of_a_workflow(client, admin):
    wid = _make(client, ["in projects"])[0]
    project = client.projects.post("Reports", description="Monthly reports")
    other = client.projects.post("Other")
    assert list(client.workflows.list_projects(wid)) == []
    added = client.workflows.put_projects(wid, project.id)
    assert added.json() == {}  # 204
    client.workflows.put_projects(wid, other.id)
    listed = client.workflows.list_projects(wid)
    assert [p.id for p in listed] == sorted([project.id, other.id])
    shown = next(p for p in listed if p.id == project.id)
    assert shown.name == "Reports" and shown.description == "Monthly reports"
    assert shown.author.id == admin.id and shown.archived is False
    assert list(client.workflows.list_projects(wid, hidden=True)) == []
    removed = client.workflows.delete_projects(wid, project.id)
    assert removed.json() == {}
    assert [p.id for p in client.workflows.list_projects(wid)] == [other.id]


def test_put_projects_needs_a_readable_project(client, as_alice):
    wid = _make(as_alice, ["w"])[0]
    project = client.projects.post("Admin's")
    with pytest.raises(CivisAPIError) as raised:
        as_alice.workflows.put_projects(wid, project.id)
    assert raised.value.status_code == 404


# -- errors ----------------------------------------------------------------------------------


def test_missing_workflow_is_404_with_our_message(client):
    wid = _make(client, ["exists"])[0]
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.get(wid + 1000)
    assert raised.value.status_code == 404
    assert raised.value.error_message == "The requested resource could not be found."
    assert str(raised.value).startswith("(404) The requested resource could not be found.")


def test_bad_time_zone_is_400_with_our_message(client):
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.post("tz", definition=workflow_yaml(), time_zone="Europe/Berlinn")
    assert raised.value.status_code == 400
    assert raised.value.error_message == (
        "Unknown time zone 'Europe/Berlinn'. Did you mean 'Europe/Berlin'?")
    wid = _make(client, ["w"])[0]
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.patch(wid, time_zone="Mars/Olympus")
    assert raised.value.status_code == 400
    assert "Unknown time zone 'Mars/Olympus'" in raised.value.error_message


def test_bad_schedule_and_filters_are_400(client):
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.post("s", definition=workflow_yaml(), schedule={"scheduled": True})
    assert raised.value.status_code == 400
    assert "scheduled_days" in raised.value.error_message
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.list(state=["sleeping"])
    assert raised.value.status_code == 400 and "sleeping" in raised.value.error_message
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.list(limit=51)
    assert raised.value.status_code == 400


def test_read_only_user_cannot_patch(client, alice, as_alice):
    wid = _make(client, ["shared"])[0]
    client.workflows.put_shares_users(wid, [alice.id], "read")
    assert as_alice.workflows.get(wid).my_permission_level == "read"
    with pytest.raises(CivisAPIError) as raised:
        as_alice.workflows.patch(wid, name="mine now")
    assert raised.value.status_code == 403
    assert raised.value.error_message == (
        "This needs write permission on the workflow; you have read.")
    with pytest.raises(CivisAPIError) as raised:
        as_alice.workflows.put_archive(wid, True)
    assert raised.value.status_code == 403
    assert client.workflows.get(wid).name == "shared"


def test_unshared_workflow_is_404_to_others(client, as_alice):
    wid = _make(client, ["private"])[0]
    with pytest.raises(CivisAPIError) as raised:
        as_alice.workflows.get(wid)
    assert raised.value.status_code == 404
    assert _ids(as_alice.workflows.list()) == []


# -- the civis CLI's wire style (camelCase bodies, repeated state=) --------------------------


def test_cli_style_camel_case_bodies_and_repeated_state(served, admin):
    session = requests.Session()
    session.auth = (admin.token, "")
    base = served.url.rstrip("/")
    # the CLI joins CIVIS_API_ENDPOINT and "/workflows/" as they are: a "//" when the
    # endpoint ends in "/"
    created = session.post(served.url + "/workflows/", json={
        "name": "cli", "definition": workflow_yaml(), "allowConcurrentExecutions": False,
        "timeZone": "Europe/Rome", "schedule": SCHEDULE_CAMEL, "notifications": NOTIFY_SNAKE})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["allowConcurrentExecutions"] is False and body["timeZone"] == "Europe/Rome"
    assert body["schedule"]["scheduledDays"] == [1, 3]
    assert body["notifications"]["failureEmailAddresses"] == ["pager@example.com"]
    idle = session.post(f"{base}/workflows/", json={"name": "idle",
                                                    "definition": workflow_yaml()}).json()
    patched = session.patch(f"{base}/workflows/{idle['id']}",
                            json={"allowConcurrentExecutions": False, "timeZone": "UTC"})
    assert patched.status_code == 200
    assert patched.json()["allowConcurrentExecutions"] is False
    listed = session.get(f"{base}/workflows/", params=[("state", "idle"),
                                                        ("state", "scheduled")])
    assert listed.status_code == 200
    assert {w["id"] for w in listed.json()} == {body["id"], idle["id"]}
    assert listed.headers["X-Pagination-Total-Entries"] == "2"
    only = session.get(f"{base}/workflows", params=[("state", "scheduled")]).json()
    assert [w["id"] for w in only] == [body["id"]]
    shares = session.put(f"{base}/workflows/{idle['id']}/shares/users",
                         json={"userIds": [admin.id], "permissionLevel": "read"})
    assert shares.status_code == 200 and shares.json()["totalUserShares"] == 1
    moved = session.put(f"{base}/workflows/{idle['id']}/transfer",
                        json={"userId": admin.id, "includeDependencies": False})
    assert moved.status_code == 200 and moved.json() == {"dependencies": []}
    bearer = requests.get(f"{base}/workflows/{idle['id']}",
                          headers={"Authorization": f"Bearer {admin.token}"})
    assert bearer.status_code == 200 and bearer.json()["timeZone"] == "UTC"
