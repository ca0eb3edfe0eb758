"""Shares, ownership transfer, dependencies and projects of workflows."""
from __future__ import annotations

import pytest

from tests.integration.api._helpers import JSON_TYPE, TIMESTAMP, assert_error
from tests.integration.api.conftest import create_workflow

NOBODY = {"users": [], "groups": []}


def _user(people, name: str) -> dict:
    return {"id": people[name].id, "name": f"{name.title()} Example"}


def _shares(api, workflow_id: int, token: str) -> dict:
    listed = api.get(f"/workflows/{workflow_id}/shares", token)
    assert listed.status == 200, listed.body
    assert listed.headers["content-type"] == JSON_TYPE
    assert len(listed.body) == 1
    return listed.body[0]


def _share_users(api, workflow_id: int, token: str, user_ids: list[int], level: str):
    return api.put(f"/workflows/{workflow_id}/shares/users", token,
                   {"user_ids": user_ids, "permission_level": level})


# -- shares ---------------------------------------------------------------------------------


def test_a_new_workflow_is_shared_with_its_owner_only(api, people):
    created = create_workflow(api, people.alice.token)
    assert _shares(api, created["id"], people.alice.token) == {
        "readers": NOBODY, "writers": NOBODY,
        "owners": {"users": [_user(people, "alice")], "groups": []},
        "totalUserShares": 1, "totalGroupShares": 0}


@pytest.mark.parametrize(("level", "bucket"), [("read", "readers"), ("write", "writers"),
                                               ("manage", "owners")])
def test_share_with_a_user_at_each_level(api, people, level, bucket):
    created = create_workflow(api, people.alice.token)
    shared = _share_users(api, created["id"], people.alice.token, [people.bob.id], level)
    assert shared.status == 200
    assert shared.headers["content-type"] == JSON_TYPE
    expected = {"readers": NOBODY, "writers": NOBODY,
                "owners": {"users": [_user(people, "alice")], "groups": []},
                "totalUserShares": 2, "totalGroupShares": 0}
    expected[bucket] = {"users": [*expected[bucket]["users"], _user(people, "bob")],
                        "groups": []}
    assert shared.body == expected
    assert _shares(api, created["id"], people.alice.token) == expected
    got = api.get(f"/workflows/{created['id']}", people.bob.token)
    assert (got.status, got.body["myPermissionLevel"]) == (200, level)


def test_share_with_a_group(api, people):
    created = create_workflow(api, people.alice.token)
    shared = api.put(f"/workflows/{created['id']}/shares/groups", people.alice.token,
                     {"group_ids": [people.team_id], "permission_level": "write"})
    assert shared.status == 200
    assert shared.body == {
        "readers": NOBODY, "writers": {"users": [], "groups": [{"id": people.team_id,
                                                                 "name": "Team"}]},
        "owners": {"users": [_user(people, "alice")], "groups": []},
        "totalUserShares": 1, "totalGroupShares": 1}
    assert api.get(f"/workflows/{created['id']}", people.carol.token).body[
        "myPermissionLevel"] == "write"


def test_the_highest_of_user_and_group_shares_applies(api, people):
    created = create_workflow(api, people.alice.token)
    path = f"/workflows/{created['id']}"
    api.put(f"{path}/shares/groups", people.alice.token,
            {"group_ids": [people.team_id], "permission_level": "read"})
    _share_users(api, created["id"], people.alice.token, [people.carol.id], "manage")
    assert api.get(path, people.carol.token).body["myPermissionLevel"] == "manage"
    api.delete(f"{path}/shares/users/{people.carol.id}", people.alice.token)
    assert api.get(path, people.carol.token).body["myPermissionLevel"] == "read"


def test_sharing_again_changes_the_level(api, people):
    created = create_workflow(api, people.alice.token)
    _share_users(api, created["id"], people.alice.token, [people.bob.id, people.carol.id],
                 "read")
    changed = _share_users(api, created["id"], people.alice.token, [people.bob.id], "write")
    assert changed.body["readers"]["users"] == [_user(people, "carol")]
    assert changed.body["writers"]["users"] == [_user(people, "bob")]
    assert changed.body["totalUserShares"] == 3


def test_share_accepts_camel_case_duplicates_and_the_email_options(api, people):
    created = create_workflow(api, people.alice.token)
    shared = api.put(f"/workflows/{created['id']}/shares/users", people.alice.token,
                     {"userIds": [people.bob.id, people.bob.id], "permissionLevel": "read",
                      "sendSharedEmail": True, "shareEmailBody": "Have a look."})
    assert shared.status == 200, shared.body
    assert shared.body["readers"]["users"] == [_user(people, "bob")]
    assert shared.body["totalUserShares"] == 2


def test_sharing_with_the_owner_leaves_the_owner_a_manager(api, people):
    created = create_workflow(api, people.alice.token)
    shared = _share_users(api, created["id"], people.alice.token, [people.alice.id], "read")
    assert shared.status == 200
    assert shared.body["readers"] == NOBODY
    assert shared.body["owners"]["users"] == [_user(people, "alice")]
    assert shared.body["totalUserShares"] == 1


def test_unsharing_answers_204(api, people):
    created = create_workflow(api, people.alice.token)
    wid = created["id"]
    _share_users(api, wid, people.alice.token, [people.bob.id], "write")
    api.put(f"/workflows/{wid}/shares/groups", people.alice.token,
            {"group_ids": [people.team_id], "permission_level": "read"})
    gone = api.delete(f"/workflows/{wid}/shares/users/{people.bob.id}", people.alice.token)
    assert (gone.status, gone.body) == (204, None)
    gone = api.delete(f"/workflows/{wid}/shares/groups/{people.team_id}", people.alice.token)
    assert (gone.status, gone.body) == (204, None)
    assert _shares(api, wid, people.alice.token) == {
        "readers": NOBODY, "writers": NOBODY,
        "owners": {"users": [_user(people, "alice")], "groups": []},
        "totalUserShares": 1, "totalGroupShares": 0}
    assert api.get(f"/workflows/{wid}", people.bob.token).status == 404
    assert api.get("/workflows", people.carol.token).body == []
    # unsharing someone who has no share is not an error
    again = api.delete(f"/workflows/{wid}/shares/users/{people.bob.id}", people.alice.token)
    assert again.status == 204


def test_the_owner_cannot_be_unshared(api, people):
    created = create_workflow(api, people.alice.token)
    before = _shares(api, created["id"], people.alice.token)
    answer = api.delete(f"/workflows/{created['id']}/shares/users/{people.alice.id}",
                        people.alice.token)
    assert_error(answer, 400, "owner's permission cannot be revoked")
    assert _shares(api, created["id"], people.alice.token) == before
    assert api.get(f"/workflows/{created['id']}", people.alice.token).body == created


def _fill(value, people):
    """`value` with the placeholder "BOB" replaced by bob's id."""
    if isinstance(value, dict):
        return {k: _fill(v, people) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, people) for v in value]
    return people.bob.id if value == "BOB" else value


@pytest.mark.parametrize(("kind", "body", "fragment"), [
    ("users", {"user_ids": ["BOB", 9999], "permission_level": "read"}, "No user with id 9999"),
    ("users", {"user_ids": ["2"], "permission_level": "read"}, "'user_ids' must be"),
    ("users", {"user_ids": [], "permission_level": "read"}, "'user_ids' must be a non-empty"),
    ("users", {"user_ids": "BOB", "permission_level": "read"}, "'user_ids' must be"),
    ("users", {"user_ids": ["BOB"], "permission_level": "owner"},
     "'permission_level' must be one of read, write, manage"),
    ("users", {"user_ids": ["BOB"]}, "'permission_level' must be one of"),
    ("users", {"user_id": ["BOB"], "permission_level": "read"}, "Did you mean 'user_ids'?"),
    ("users", {"user_ids": ["BOB"], "permission_level": "read", "send_shared_email": "no"},
     "'send_shared_email' must be true or false"),
    ("groups", {"group_ids": [9999], "permission_level": "read"}, "No group with id 9999"),
    ("groups", {"group_ids": [True], "permission_level": "read"}, "'group_ids' must be"),
    ("groups", {"user_ids": ["BOB"], "permission_level": "read"}, "Unknown field 'user_ids'"),
])
def test_bad_shares_answer_400_and_change_nothing(api, people, kind, body, fragment):
    created = create_workflow(api, people.alice.token)
    _share_users(api, created["id"], people.alice.token, [people.carol.id], "read")
    before = _shares(api, created["id"], people.alice.token)
    answer = api.put(f"/workflows/{created['id']}/shares/{kind}", people.alice.token,
                     _fill(body, people))
    assert_error(answer, 400, fragment)
    assert _shares(api, created["id"], people.alice.token) == before
    assert api.get(f"/workflows/{created['id']}", people.bob.token).status == 404


# -- transfer -------------------------------------------------------------------------------


def test_transfer_makes_the_new_owner_and_keeps_the_old_one_a_manager(api, people):
    created = create_workflow(api, people.alice.token, "handed over")
    wid = created["id"]
    moved = api.put(f"/workflows/{wid}/transfer", people.alice.token,
                    {"user_id": people.bob.id, "include_dependencies": False})
    assert moved.status == 200
    assert moved.headers["content-type"] == JSON_TYPE
    assert moved.body == {"dependencies": []}
    as_bob = api.get(f"/workflows/{wid}", people.bob.token).body
    assert as_bob["user"] == {"id": people.bob.id, "name": "Bob Example", "username": "bob",
                              "initials": "BE", "online": False}
    assert as_bob["myPermissionLevel"] == "manage"
    as_alice = api.get(f"/workflows/{wid}", people.alice.token).body
    assert (as_alice["myPermissionLevel"], as_alice["user"]["id"]) == ("manage", people.bob.id)
    assert _shares(api, wid, people.bob.token) == {
        "readers": NOBODY, "writers": NOBODY,
        "owners": {"users": [_user(people, "alice"), _user(people, "bob")], "groups": []},
        "totalUserShares": 2, "totalGroupShares": 0}
    # the new owner cannot be unshared; the previous one now can
    assert api.delete(f"/workflows/{wid}/shares/users/{people.bob.id}",
                      people.alice.token).status == 400
    assert api.delete(f"/workflows/{wid}/shares/users/{people.alice.id}",
                      people.bob.token).status == 204
    assert api.get(f"/workflows/{wid}", people.alice.token).status == 404
    listed = api.get(f"/workflows?author={people.bob.id}", people.bob.token).body
    assert [w["id"] for w in listed] == [wid]


def test_transfer_to_someone_already_sharing(api, people):
    created = create_workflow(api, people.alice.token)
    wid = created["id"]
    _share_users(api, wid, people.alice.token, [people.bob.id], "read")
    moved = api.put(f"/workflows/{wid}/transfer", people.alice.token,
                    {"userId": people.bob.id, "includeDependencies": False,
                     "sendEmail": True, "emailBody": "Yours now."})
    assert moved.status == 200, moved.body
    shares = _shares(api, wid, people.bob.token)
    assert shares["readers"] == NOBODY
    assert shares["owners"]["users"] == [_user(people, "alice"), _user(people, "bob")]
    again = api.put(f"/workflows/{wid}/transfer", people.bob.token,
                    {"user_id": people.carol.id, "include_dependencies": False})
    assert again.status == 200
    shares = _shares(api, wid, people.carol.token)
    assert shares["owners"]["users"] == [_user(people, n) for n in ("alice", "bob", "carol")]
    assert api.get(f"/workflows/{wid}", people.carol.token).body["user"]["id"] == \
        people.carol.id


@pytest.mark.parametrize(("body", "fragment"), [
    ({"user_id": 9999, "include_dependencies": False}, "No user with id 9999"),
    ({"include_dependencies": False}, "'user_id' is required"),
    ({"user_id": "3", "include_dependencies": False}, "'user_id' is required"),
    ({"user_id": True, "include_dependencies": False}, "'user_id' is required"),
    ({"user_id": "BOB", "include_dependencies": "no"}, "'include_dependencies' must be true"),
    ({"user_id": "BOB"}, "'include_dependencies' must be true or false"),
    ({"user_id": "BOB", "include_dependencies": False, "send_emails": True},
     "Did you mean 'send_email'?"),
])
def test_bad_transfers_answer_400_and_change_nothing(api, people, body, fragment):
    created = create_workflow(api, people.alice.token)
    answer = api.put(f"/workflows/{created['id']}/transfer", people.alice.token,
                     _fill(body, people))
    assert_error(answer, 400, fragment)
    assert api.get(f"/workflows/{created['id']}", people.alice.token).body == created
    assert api.get(f"/workflows/{created['id']}", people.bob.token).status == 404


# -- dependencies ---------------------------------------------------------------------------


def _parent(child_ids: list[int]) -> str:
    tasks = "".join(f"""    run_{n}:
      action: civis.workflows.execute
      input:
        workflow_id: {child}
""" for n, child in enumerate(child_ids))
    return f"""version: '2.0'
parent:
  input:
    - wid: 1
  tasks:
{tasks}    templated:
      action: civis.workflows.execute
      input:
        workflow_id: <% $.wid %>
"""


@pytest.fixture
def family(api, people) -> dict[str, dict]:
    """alice's parent runs alice's child, admin's `shown` (alice may read) and bob's `unseen`."""
    child = create_workflow(api, people.alice.token, "child", description="the child")
    shown = create_workflow(api, people.admin.token, "shown", description="admin's")
    _share_users(api, shown["id"], people.admin.token, [people.alice.id], "read")
    unseen = create_workflow(api, people.bob.token, "unseen", description="bob's")
    parent = create_workflow(api, people.alice.token, "parent",
                             definition=_parent([unseen["id"], child["id"], shown["id"]]))
    assert parent["valid"] is True, parent["validationErrors"]
    return {"parent": parent, "child": child, "shown": shown, "unseen": unseen}


def _dependency(workflow: dict | None, wid: int, level: str | None, key: str,
                value: bool) -> dict:
    return {"objectType": "Workflow", "fcoType": "workflows", "id": wid,
            "name": workflow["name"] if workflow else None, "permissionLevel": level,
            "description": workflow["description"] if workflow else None, key: value}


def test_dependencies_are_the_workflows_run_by_literal_id(api, people, family):
    listed = api.get(f"/workflows/{family['parent']['id']}/dependencies", people.alice.token)
    assert listed.status == 200
    assert listed.headers["content-type"] == JSON_TYPE
    child, shown = family["child"], family["shown"]
    assert listed.body == [
        _dependency(child, child["id"], None, "shareable", True),
        _dependency(shown, shown["id"], None, "shareable", False),
    ]  # bob's `unseen` is left out: alice may not learn it exists


def test_dependencies_for_a_user_give_that_users_levels(api, people, family):
    parent, child, shown = family["parent"], family["child"], family["shown"]
    path = f"/workflows/{parent['id']}/dependencies?user_id={people.carol.id}"
    listed = api.get(path, people.alice.token)
    assert [d["permissionLevel"] for d in listed.body] == [None, None]
    _share_users(api, child["id"], people.alice.token, [people.carol.id], "write")
    _share_users(api, shown["id"], people.admin.token, [people.carol.id], "read")
    listed = api.get(path, people.alice.token)
    assert [(d["id"], d["permissionLevel"]) for d in listed.body] == [
        (child["id"], "write"), (shown["id"], "read")]
    listed = api.get(f"/workflows/{parent['id']}/dependencies?user_id={people.bob.id}",
                     people.alice.token)
    assert [d["permissionLevel"] for d in listed.body] == [None, None]


def test_dependencies_of_a_workflow_without_any(api, people):
    created = create_workflow(api, people.alice.token)
    listed = api.get(f"/workflows/{created['id']}/dependencies", people.alice.token)
    assert (listed.status, listed.body) == (200, [])


@pytest.mark.parametrize(("query", "fragment"), [
    ("user_id=9999", "No user with id 9999"), ("user_id=bob", "'user_id' must be an integer"),
    ("user_id=0", "'user_id' must be between 1")])
def test_dependencies_for_an_unknown_user_answer_400(api, people, query, fragment):
    created = create_workflow(api, people.alice.token)
    answer = api.get(f"/workflows/{created['id']}/dependencies?{query}", people.alice.token)
    assert_error(answer, 400, fragment)


def test_transfer_with_dependencies_shares_the_ones_the_caller_manages(api, people, family):
    parent, child, shown, unseen = (family[k] for k in ("parent", "child", "shown", "unseen"))
    moved = api.put(f"/workflows/{parent['id']}/transfer", people.alice.token,
                    {"user_id": people.carol.id, "include_dependencies": True})
    assert moved.status == 200, moved.body
    assert moved.body == {"dependencies": [
        _dependency(child, child["id"], "manage", "shared", True),
        _dependency(shown, shown["id"], None, "shared", False),
    ]}
    got = api.get(f"/workflows/{child['id']}", people.carol.token).body
    assert (got["myPermissionLevel"], got["user"]["id"]) == ("manage", people.alice.id)
    assert api.get(f"/workflows/{shown['id']}", people.carol.token).status == 404
    assert api.get(f"/workflows/{unseen['id']}", people.carol.token).status == 404
    assert api.get(f"/workflows/{parent['id']}", people.carol.token).body["user"]["id"] == \
        people.carol.id


def test_transfer_without_dependencies_shares_none(api, people, family):
    parent, child = family["parent"], family["child"]
    moved = api.put(f"/workflows/{parent['id']}/transfer", people.alice.token,
                    {"user_id": people.carol.id, "include_dependencies": False})
    assert moved.body == {"dependencies": []}
    assert api.get(f"/workflows/{child['id']}", people.carol.token).status == 404


# -- projects -------------------------------------------------------------------------------

PROJECT_KEYS = {"id", "author", "name", "description", "users", "autoShare", "createdAt",
                "updatedAt", "archived"}


def _project(api, token: str, name: str = "Reports") -> dict:
    created = api.post("/projects", token, {"name": name, "description": "monthly"})
    assert created.status == 201, created.body
    return created.body


def test_put_a_workflow_in_a_project_and_take_it_out(api, people):
    created = create_workflow(api, people.alice.token)
    project = _project(api, people.alice.token)
    assert set(project) == PROJECT_KEYS
    path = f"/workflows/{created['id']}/projects"
    assert api.get(path, people.alice.token).body == []
    put = api.put(f"{path}/{project['id']}", people.alice.token)
    assert (put.status, put.body) == (204, None)
    again = api.put(f"{path}/{project['id']}", people.alice.token)
    assert again.status == 204
    listed = api.get(path, people.alice.token)
    assert (listed.status, listed.body) == (200, [project])
    assert listed.headers["content-type"] == JSON_TYPE
    assert api.get(f"{path}?hidden=false", people.alice.token).body == [project]
    assert api.get(f"{path}?hidden=True", people.alice.token).body == []
    gone = api.delete(f"{path}/{project['id']}", people.alice.token)
    assert (gone.status, gone.body) == (204, None)
    assert api.get(path, people.alice.token).body == []
    assert api.delete(f"{path}/{project['id']}", people.alice.token).status == 204


def test_a_workflow_in_several_projects(api, people):
    created = create_workflow(api, people.alice.token)
    first, second = _project(api, people.alice.token, "one"), _project(api, people.alice.token,
                                                                         "two")
    path = f"/workflows/{created['id']}/projects"
    for project in (second, first):
        assert api.put(f"{path}/{project['id']}", people.alice.token).status == 204
    assert api.get(path, people.alice.token).body == [first, second]
    api.delete(f"{path}/{first['id']}", people.alice.token)
    assert api.get(path, people.alice.token).body == [second]
    # putting it in a project changes nothing else about the workflow
    got = api.get(f"/workflows/{created['id']}", people.alice.token).body
    assert {k: v for k, v in got.items() if k != "updatedAt"} == {
        k: v for k, v in created.items() if k != "updatedAt"}


def test_unknown_projects_answer_404(api, people):
    created = create_workflow(api, people.alice.token)
    path = f"/workflows/{created['id']}/projects"
    for project_id in ("9999", "abc", "-1"):
        assert_error(api.put(f"{path}/{project_id}", people.alice.token), 404)
        assert_error(api.delete(f"{path}/{project_id}", people.alice.token), 404)
    assert api.get(path, people.alice.token).body == []


def test_project_fields(api, people):
    project = _project(api, people.alice.token)
    assert TIMESTAMP.match(project["createdAt"])
    assert {k: v for k, v in project.items() if k not in ("id", "createdAt", "updatedAt")} == {
        "author": {"id": people.alice.id, "name": "Alice Example", "username": "alice",
                   "initials": "AE", "online": False},
        "name": "Reports", "description": "monthly", "users": [], "autoShare": False,
        "archived": False}
    assert api.get(f"/projects/{project['id']}", people.alice.token).body == project
