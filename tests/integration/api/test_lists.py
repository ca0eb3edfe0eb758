"""GET /workflows: summaries, order, pages and their headers, filters, bad queries."""
from __future__ import annotations

import pytest

from tests.integration.api._helpers import (
    JSON_TYPE,
    SUMMARY_KEYS,
    WORKFLOW_KEYS,
    assert_error,
    tick_clock,
)
from tests.integration.api.conftest import create_workflow

PAGINATION = ("x-pagination-per-page", "x-pagination-current-page",
              "x-pagination-total-pages", "x-pagination-total-entries")
WEEKLY = {"scheduled": True, "scheduledDays": [1], "scheduledHours": [9]}


@pytest.fixture(autouse=True)
def _distinct_times(monkeypatch):
    tick_clock(monkeypatch)


def _ids(answer) -> list[int]:
    assert answer.status == 200, answer.body
    return [item["id"] for item in answer.body]


def _pages(answer) -> tuple[int, ...]:
    return tuple(int(answer.headers[name]) for name in PAGINATION)


def test_items_are_workflow_summaries(api, people):
    created = create_workflow(api, people.alice.token, "one", description="d", schedule=WEEKLY)
    listed = api.get("/workflows", people.alice.token)
    assert listed.status == 200
    assert listed.headers["content-type"] == JSON_TYPE
    assert len(listed.body) == 1
    item = listed.body[0]
    assert set(item) == SUMMARY_KEYS
    assert item == {k: v for k, v in created.items() if k in SUMMARY_KEYS}
    assert WORKFLOW_KEYS - set(item) == {"definition", "validationErrors", "lastExecutionId",
                                         "notifications", "hidden", "myPermissionLevel"}


def test_pagination_headers_and_their_exposure(api, people):
    for n in range(3):
        create_workflow(api, people.alice.token, f"w{n}")
    listed = api.get("/workflows", people.alice.token)
    assert _pages(listed) == (20, 1, 1, 3)
    assert listed.headers["access-control-expose-headers"] == (
        "X-Pagination-Per-Page, X-Pagination-Current-Page, X-Pagination-Total-Pages, "
        "X-Pagination-Total-Entries")


def test_an_empty_list(api, people):
    listed = api.get("/workflows", people.alice.token)
    assert (listed.status, listed.body) == (200, [])
    assert _pages(listed)[::3] == (20, 0)


def test_the_civis_client_request_shape_is_accepted(api, people):
    created = create_workflow(api, people.alice.token)
    # civis sends "{}" as the body of a plain list; the CLI adds a trailing slash
    assert _ids(api.call("GET", "/workflows", people.alice.token, body={})) == [created["id"]]
    assert _ids(api.get("/workflows/?limit=5", people.alice.token)) == [created["id"]]


def test_default_order_is_last_updated_first(api, people):
    a, b, c = (create_workflow(api, people.alice.token, n)["id"] for n in "abc")
    assert _ids(api.get("/workflows", people.alice.token)) == [c, b, a]
    api.patch(f"/workflows/{a}", people.alice.token, {"description": "touched"})
    assert _ids(api.get("/workflows", people.alice.token)) == [a, c, b]
    assert _ids(api.get("/workflows?order_dir=asc", people.alice.token)) == [b, c, a]
    assert _ids(api.get("/workflows?order=updated_at&order_dir=desc",
                        people.alice.token)) == [a, c, b]


@pytest.mark.parametrize(("query", "expected"), [
    ("order=name", ["gamma", "beta", "Alpha"]),
    ("order=name&order_dir=asc", ["Alpha", "beta", "gamma"]),
    ("order=name&order_dir=desc", ["gamma", "beta", "Alpha"]),
    ("order=created_at", ["gamma", "Alpha", "beta"]),
    ("order=created_at&order_dir=asc", ["beta", "Alpha", "gamma"]),
    ("order=created_at&order_dir=DESC", ["gamma", "Alpha", "beta"]),
])
def test_order_by_name_and_creation(api, people, query, expected):
    made = [create_workflow(api, people.alice.token, n) for n in ("beta", "Alpha", "gamma")]
    api.patch(f"/workflows/{made[0]['id']}", people.alice.token, {"description": "updated last"})
    listed = api.get(f"/workflows?{query}", people.alice.token)
    assert [item["name"] for item in listed.body] == expected


def test_pages_until_an_empty_one(api, people):
    made = [create_workflow(api, people.alice.token, f"w{n}")["id"] for n in range(5)]
    newest_first = made[::-1]
    expected = {1: newest_first[0:2], 2: newest_first[2:4], 3: newest_first[4:]}
    for page, ids in expected.items():
        listed = api.get(f"/workflows?limit=2&page_num={page}", people.alice.token)
        assert _ids(listed) == ids
        assert _pages(listed) == (2, page, 3, 5)
    past = api.get("/workflows?limit=2&page_num=4", people.alice.token)
    assert (past.status, past.body) == (200, [])
    assert _pages(past) == (2, 4, 3, 5)
    # what civis's iterator does: page_num 1, 2, ... until a page is empty
    seen, page = [], 1
    while batch := _ids(api.get(f"/workflows?limit=2&page_num={page}", people.alice.token)):
        seen += batch
        page += 1
    assert (seen, page) == (newest_first, 4)
    assert _ids(api.get("/workflows?limit=50", people.alice.token)) == newest_first
    assert _ids(api.get("/workflows?page_num=2", people.alice.token)) == []


@pytest.mark.parametrize("flag", ["true", "True", "1"])
def test_hidden_filter(api, people, flag):
    shown = create_workflow(api, people.alice.token, "shown")["id"]
    hidden = create_workflow(api, people.alice.token, "hidden", hidden=True)["id"]
    assert _ids(api.get("/workflows", people.alice.token)) == [shown]
    assert _ids(api.get(f"/workflows?hidden={flag}", people.alice.token)) == [hidden]
    for off in ("false", "False", "0", ""):
        assert _ids(api.get(f"/workflows?hidden={off}", people.alice.token)) == [shown]


def test_archived_filter(api, people):
    kept = create_workflow(api, people.alice.token, "kept")["id"]
    gone = create_workflow(api, people.alice.token, "gone")["id"]
    archived = api.put(f"/workflows/{gone}/archive", people.alice.token, {"status": True})
    assert archived.status == 200
    token = people.alice.token
    assert _ids(api.get("/workflows", token)) == [kept]
    assert _ids(api.get("/workflows?archived=", token)) == [kept]
    assert _ids(api.get("/workflows?archived=false", token)) == [kept]
    assert _ids(api.get("/workflows?archived=False", token)) == [kept]
    assert _ids(api.get("/workflows?archived=true", token)) == [gone]
    assert _ids(api.get("/workflows?archived=True", token)) == [gone]
    assert _ids(api.get("/workflows?archived=all", token)) == [gone, kept]
    listed = api.get("/workflows?archived=all", token)
    assert [item["archived"] for item in listed.body] == [True, False]
    api.put(f"/workflows/{gone}/archive", token, {"status": False})
    assert _ids(api.get("/workflows?archived=true", token)) == []
    assert _ids(api.get("/workflows", token)) == [gone, kept]


def test_author_filter_takes_a_comma_list(api, people):
    mine = create_workflow(api, people.bob.token, "bob's")["id"]
    theirs = create_workflow(api, people.alice.token, "alice's")["id"]
    shared = api.put(f"/workflows/{theirs}/shares/users", people.alice.token,
                     {"user_ids": [people.bob.id], "permission_level": "read"})
    assert shared.status == 200
    token, alice, bob = people.bob.token, people.alice.id, people.bob.id
    assert _ids(api.get("/workflows", token)) == [theirs, mine]
    assert _ids(api.get(f"/workflows?author={alice}", token)) == [theirs]
    assert _ids(api.get(f"/workflows?author={bob}", token)) == [mine]
    assert _ids(api.get(f"/workflows?author={alice},{bob}", token)) == [theirs, mine]
    assert _ids(api.get(f"/workflows?author={alice}%2C{bob}", token)) == [theirs, mine]
    assert _ids(api.get("/workflows?author=9999", token)) == []
    listed = api.get(f"/workflows?author={alice}", token).body[0]
    assert listed["user"]["id"] == alice


def test_state_filter_in_every_spelling(api, people):
    idle = create_workflow(api, people.alice.token, "idle")["id"]
    scheduled = create_workflow(api, people.alice.token, "scheduled", schedule=WEEKLY)["id"]
    token = people.alice.token
    both = [scheduled, idle]
    assert _ids(api.get("/workflows?state=idle", token)) == [idle]
    assert _ids(api.get("/workflows?state[]=scheduled", token)) == [scheduled]
    assert _ids(api.get("/workflows?state%5B%5D=scheduled", token)) == [scheduled]
    assert _ids(api.get("/workflows?state[]=idle&state[]=scheduled", token)) == both
    assert _ids(api.get("/workflows?state=idle&state=scheduled", token)) == both
    assert _ids(api.get("/workflows?state=idle,scheduled", token)) == both
    assert _ids(api.get("/workflows?state[]=running&state[]=failed", token)) == []
    assert _ids(api.get("/workflows?state=running", token)) == []
    assert [i["state"] for i in api.get("/workflows", token).body] == ["scheduled", "idle"]


def test_scheduled_filter(api, people):
    idle = create_workflow(api, people.alice.token, "idle")["id"]
    scheduled = create_workflow(api, people.alice.token, "scheduled", schedule=WEEKLY)["id"]
    token = people.alice.token
    assert _ids(api.get("/workflows?scheduled=true", token)) == [scheduled]
    assert _ids(api.get("/workflows?scheduled=True", token)) == [scheduled]
    assert _ids(api.get("/workflows?scheduled=false", token)) == [idle]
    assert _ids(api.get("/workflows?scheduled=False", token)) == [idle]
    api.patch(f"/workflows/{scheduled}", token, {"schedule": {"scheduled": False}})
    assert _ids(api.get("/workflows?scheduled=true", token)) == []


def test_filters_combine(api, people):
    token = people.alice.token
    create_workflow(api, token, "idle")
    wanted = create_workflow(api, token, "wanted", schedule=WEEKLY)["id"]
    archived = create_workflow(api, token, "archived", schedule=WEEKLY)["id"]
    api.put(f"/workflows/{archived}/archive", token, {"status": True})
    create_workflow(api, token, "hidden", schedule=WEEKLY, hidden=True)
    query = f"state[]=scheduled&scheduled=True&hidden=False&author={people.alice.id}"
    listed = api.get(f"/workflows?{query}", token)
    assert _ids(listed) == [wanted]
    assert _pages(listed) == (20, 1, 1, 1)
    assert _ids(api.get(f"/workflows?{query}&archived=all", token)) == [archived, wanted]


def test_the_list_follows_changes(api, people):
    created = create_workflow(api, people.alice.token, "before")
    api.put(f"/workflows/{created['id']}", people.alice.token,
            {"name": "after", "schedule": WEEKLY, "time_zone": "UTC"})
    item = api.get("/workflows", people.alice.token).body[0]
    got = api.get(f"/workflows/{created['id']}", people.alice.token).body
    assert (item["name"], item["state"], item["timeZone"]) == ("after", "scheduled", "UTC")
    assert item == {k: v for k, v in got.items() if k in SUMMARY_KEYS}


def test_workflows_shared_with_a_group_are_listed_for_its_members(api, people):
    created = create_workflow(api, people.alice.token, "for the team")
    shared = api.put(f"/workflows/{created['id']}/shares/groups", people.alice.token,
                     {"group_ids": [people.team_id], "permission_level": "write"})
    assert shared.status == 200
    assert _ids(api.get("/workflows", people.carol.token)) == [created["id"]]
    assert _ids(api.get("/workflows", people.bob.token)) == []


@pytest.mark.parametrize(("query", "fragment"), [
    ("limit=0", "'limit' must be between 1 and 50"),
    ("limit=51", "'limit' must be between 1 and 50"),
    ("limit=ten", "'limit' must be an integer"),
    ("page_num=0", "'page_num' must be between 1"),
    ("page_num=-1", "'page_num' must be between 1"),
    ("order=id", "'order' must be one of updated_at, name, created_at"),
    ("order_dir=up", "'order_dir' must be asc or desc"),
    ("state=paused", "Unknown state 'paused'"),
    ("state[]=idle&state[]=bogus", "Unknown state 'bogus'"),
    ("archived=maybe", "'archived' must be true, false or all"),
    ("hidden=yes", "'hidden' must be true or false"),
    ("scheduled=sometimes", "'scheduled' must be true or false"),
    ("author=alice", "'author' must be comma-separated user ids"),
])
def test_bad_queries_answer_400(api, people, query, fragment):
    create_workflow(api, people.alice.token)
    assert_error(api.get(f"/workflows?{query}", people.alice.token), 400, fragment)
