"""Users (/users/me, /users), API keys, groups and projects; authentication failures."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from chalicelib import clock
from tests.integration.api._helpers import JSON_TYPE, TIMESTAMP, assert_error, tick_clock
from tests.integration.api.conftest import create_workflow

USER_SUMMARY_KEYS = {"id", "name", "username", "initials", "online"}
USER_KEYS = USER_SUMMARY_KEYS | {"email", "admin", "groups", "createdAt"}
KEY_KEYS = {"id", "name", "expiresAt", "createdAt", "revokedAt", "lastUsedAt", "expired",
            "active"}
GROUP_KEYS = {"id", "name", "description", "members", "createdAt", "updatedAt"}
CHALLENGE = 'Basic realm="stepwise", Bearer realm="stepwise"'


def _basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


def _raw_get(api, path: str, authorization: str | None):
    headers = {} if authorization is None else {"Authorization": authorization}
    return api.client.http.get(path, headers=headers)


# -- users --------------------------------------------------------------------------------


def test_me_shows_the_caller_in_full(api, people):
    me = api.get("/users/me", people.carol.token)
    assert me.status == 200
    assert me.headers["content-type"] == JSON_TYPE
    assert set(me.body) == USER_KEYS
    assert TIMESTAMP.match(me.body["createdAt"])
    assert {k: v for k, v in me.body.items() if k != "createdAt"} == {
        "id": people.carol.id, "name": "Carol Example", "username": "carol", "initials": "CE",
        "online": False, "email": "carol@example.com", "admin": False,
        "groups": [{"id": people.team_id, "name": "Team"}]}
    assert api.get("/users/me/", people.carol.token).body == me.body
    assert api.call("GET", "/users/me", people.carol.token, body={}).body == me.body
    admin = api.get("/users/me", people.admin.token).body
    assert (admin["admin"], admin["groups"], admin["username"]) == (True, [], "ada")


def test_a_user_seen_by_another_shows_only_the_summary(api, people):
    other = api.get(f"/users/{people.bob.id}", people.alice.token)
    assert other.status == 200
    assert other.body == {"id": people.bob.id, "name": "Bob Example", "username": "bob",
                          "initials": "BE", "online": False}
    own = api.get(f"/users/{people.bob.id}", people.bob.token).body
    assert own == api.get("/users/me", people.bob.token).body
    assert api.get(f"/users/{people.bob.id}", people.admin.token).body == own


def test_unknown_users_answer_404(api, people):
    for user_id in ("9999", "abc", "-2", "0"):
        assert_error(api.get(f"/users/{user_id}", people.alice.token), 404)


def test_create_user(api, people):
    created = api.post("/users", people.admin.token,
                       {"name": "Dana van Dyke", "email": "dana.vd@example.org", "admin": True})
    assert created.status == 201
    assert set(created.body) == USER_KEYS
    assert {k: v for k, v in created.body.items() if k not in ("id", "createdAt")} == {
        "name": "Dana van Dyke", "username": "dana.vd", "initials": "DV", "online": False,
        "email": "dana.vd@example.org", "admin": True, "groups": []}
    assert api.get(f"/users/{created.body['id']}", people.admin.token).body == created.body
    chosen = api.post("/users", people.admin.token,
                      {"name": "Eve", "email": "eve@example.org", "username": "eve_2"})
    assert (chosen.status, chosen.body["username"], chosen.body["admin"]) == (201, "eve_2",
                                                                              False)


def test_a_username_is_taken_once(api, people):
    taken = api.post("/users", people.admin.token, {"name": "Other Alice",
                                                     "email": "alice@example.org"})
    assert_error(taken, 409, "The username 'alice' is already taken")
    shouting = api.post("/users", people.admin.token, {"name": "Other Alice",
                                                        "email": "x@example.org",
                                                        "username": "ALICE"})
    assert_error(shouting, 409, "already taken")
    assert api.get(f"/users/{people.carol.id + 1}", people.admin.token).status == 404


@pytest.mark.parametrize(("body", "fragment"), [
    ({"email": "f@example.com"}, "'name' is required"),
    ({"name": "", "email": "f@example.com"}, "'name' must not be empty"),
    ({"name": "Two\nLines", "email": "f@example.com"}, "'name' must be one line"),
    ({"name": "F"}, "'email' is required"),
    ({"name": "F", "email": "f@example.com\n"}, "'email' holds"),
    ({"name": "F", "email": "f@@example.com"}, "'email' holds"),
    ({"name": "F", "email": "f@example.com", "username": "f g"}, "'username' may hold"),
    ({"name": "F", "email": "f@example.com", "admin": "yes"}, "'admin' must be true"),
    ({"name": "F", "email": "f@example.com", "e_mail": "x"}, "Unknown field 'e_mail'"),
])
def test_bad_users_answer_400(api, people, body, fragment):
    assert_error(api.post("/users", people.admin.token, body), 400, fragment)
    assert api.get(f"/users/{people.carol.id + 1}", people.admin.token).status == 404


# -- API keys -------------------------------------------------------------------------------


def test_create_a_key_and_use_it_every_way(api, people):
    created = api.post(f"/users/{people.alice.id}/api_keys", people.alice.token,
                       {"expires_in": 7200, "name": "laptop"})
    assert created.status == 201
    key = created.body
    assert set(key) == KEY_KEYS | {"token"}
    assert (key["name"], key["revokedAt"], key["lastUsedAt"], key["expired"],
            key["active"]) == ("laptop", None, None, False, True)
    assert clock.parse(key["expiresAt"]) - clock.parse(key["createdAt"]) == timedelta(
        seconds=7200)
    token = key["token"]
    assert token.startswith("sw_")
    for authorization in (_basic(f"{token}:"), _basic(f":{token}"), f"Bearer {token}",
                          f"bearer {token}", f"  {_basic(f'{token}:')}  "):
        me = _raw_get(api, "/users/me", authorization)
        assert me.status_code == 200, authorization
    listed = api.get(f"/users/{people.alice.id}/api_keys", token)
    assert listed.status == 200
    ids = [k["id"] for k in listed.body]
    assert len(ids) == 2 and ids[0] == key["id"] and ids == sorted(ids, reverse=True)
    assert all(set(k) == KEY_KEYS for k in listed.body)  # the token is shown once only
    assert listed.body[0] == {k: v for k, v in key.items() if k != "token"}


def test_revoked_keys_stop_working(api, people, monkeypatch):
    tick_clock(monkeypatch)
    path = f"/users/{people.alice.id}/api_keys"
    key = api.post(path, people.alice.token, {"expires_in": 600}).body
    assert api.get("/users/me", key["token"]).status == 200
    revoked = api.delete(f"{path}/{key['id']}", people.alice.token)
    assert revoked.status == 200
    assert TIMESTAMP.match(revoked.body["revokedAt"])
    assert (revoked.body["active"], revoked.body["expired"], revoked.body["name"]) == (
        False, False, None)
    assert "token" not in revoked.body
    answer = api.get("/users/me", key["token"])
    assert_error(answer, 401, "Missing, unknown, revoked or expired API key")
    assert answer.headers["www-authenticate"] == CHALLENGE
    again = api.delete(f"{path}/{key['id']}", people.alice.token)
    assert (again.status, again.body["revokedAt"]) == (200, revoked.body["revokedAt"])
    assert api.get("/users/me", people.alice.token).status == 200  # the other key still works


def test_expired_keys_stop_working(api, people, monkeypatch):
    path = f"/users/{people.alice.id}/api_keys"
    key = api.post(path, people.alice.token, {"expires_in": 60}).body
    assert api.get("/users/me", key["token"]).status == 200
    later = clock.iso(clock.parse(key["expiresAt"]) + timedelta(seconds=1))
    monkeypatch.setattr(clock, "now", lambda: later)
    assert_error(api.get("/users/me", key["token"]), 401)
    listed = {k["id"]: k for k in api.get(path, people.alice.token).body}
    assert (listed[key["id"]]["expired"], listed[key["id"]]["active"]) == (True, False)


def test_an_admin_manages_anyones_keys(api, people):
    path = f"/users/{people.bob.id}/api_keys"
    key = api.post(path, people.admin.token, {"expires_in": 60, "name": "for bob"})
    assert key.status == 201
    assert api.get("/users/me", key.body["token"]).body["id"] == people.bob.id
    assert api.delete(f"{path}/{key.body['id']}", people.admin.token).status == 200
    assert api.get("/users/me", key.body["token"]).status == 401


@pytest.mark.parametrize(("body", "fragment"), [
    ({}, "'expires_in' is required"), ({"expires_in": 0}, "'expires_in' is required"),
    ({"expires_in": "3600"}, "'expires_in' is required"),
    ({"expires_in": True}, "'expires_in' is required"),
    ({"expires_in": 10 * 366 * 24 * 3600 + 1}, "'expires_in' is required"),
    ({"expires_in": 60, "name": "a\tb"}, "'name' must be one line"),
    ({"expires_in": 60, "expiry": 1}, "Unknown field 'expiry'"),
])
def test_bad_keys_answer_400(api, people, body, fragment):
    path = f"/users/{people.alice.id}/api_keys"
    assert_error(api.post(path, people.alice.token, body), 400, fragment)
    assert len(api.get(path, people.alice.token).body) == 1


def test_unknown_keys_answer_404(api, people):
    path = f"/users/{people.alice.id}/api_keys"
    for key_id in ("9999", "abc"):
        assert_error(api.delete(f"{path}/{key_id}", people.alice.token), 404)
    own_key = api.get(path, people.alice.token).body[0]["id"]
    # a key id under another user's path names nothing
    assert_error(api.delete(f"/users/{people.admin.id}/api_keys/{own_key}",
                            people.admin.token), 404)
    assert api.get("/users/me", people.alice.token).status == 200


@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer nope", "Basic", "Basic !!!not-base64!!!",
    _basic("nope:"), _basic(":"), "Token abc", "Digest abc", "Bearer " + "x" * 300])
def test_bad_credentials_answer_401_with_a_challenge(api, people, authorization):
    answer = _raw_get(api, "/users/me", authorization)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == CHALLENGE
    assert answer.headers["Content-Type"] == JSON_TYPE
    assert answer.body == (b'{"error":"unauthorized","errorDescription":"Missing, unknown, '
                           b'revoked or expired API key.","code":401}')


def test_ping_needs_no_key(api):
    answer = _raw_get(api, "/ping", None)
    assert (answer.status_code, answer.body) == (200, b'{"status":"ok"}')


# -- groups ---------------------------------------------------------------------------------


def test_create_a_group_and_change_its_members(api, people, monkeypatch):
    tick_clock(monkeypatch)
    created = api.post("/groups", people.admin.token, {"name": "Analysts",
                                                        "description": "numbers"})
    assert created.status == 201
    group = created.body
    assert set(group) == GROUP_KEYS
    assert (group["name"], group["description"], group["members"]) == ("Analysts", "numbers",
                                                                       [])
    path = f"/groups/{group['id']}/members"
    for person in (people.bob, people.alice, people.bob):
        added = api.put(f"{path}/{person.id}", people.admin.token)
        assert added.status == 200
    assert added.body["members"] == [
        {"id": people.alice.id, "name": "Alice Example", "username": "alice"},
        {"id": people.bob.id, "name": "Bob Example", "username": "bob"}]
    assert added.body["updatedAt"] > group["updatedAt"]
    assert api.get(f"/groups/{group['id']}", people.admin.token).body == added.body
    assert api.get(f"/groups/{group['id']}", people.bob.token).body == added.body
    assert api.get("/users/me", people.bob.token).body["groups"] == [
        {"id": group["id"], "name": "Analysts"}]

    removed = api.delete(f"{path}/{people.bob.id}", people.admin.token)
    assert (removed.status, removed.body) == (204, None)
    assert api.get("/users/me", people.bob.token).body["groups"] == []
    assert [m["id"] for m in api.get(f"/groups/{group['id']}", people.admin.token).body[
        "members"]] == [people.alice.id]


def test_membership_reaches_existing_keys_and_shares(api, people):
    created = create_workflow(api, people.alice.token)
    api.put(f"/workflows/{created['id']}/shares/groups", people.alice.token,
            {"group_ids": [people.team_id], "permission_level": "read"})
    path = f"/workflows/{created['id']}"
    assert api.get(path, people.bob.token).status == 404
    api.put(f"/groups/{people.team_id}/members/{people.bob.id}", people.admin.token)
    assert api.get(path, people.bob.token).body["myPermissionLevel"] == "read"
    assert [w["id"] for w in api.get("/workflows", people.bob.token).body] == [created["id"]]
    api.delete(f"/groups/{people.team_id}/members/{people.bob.id}", people.admin.token)
    assert api.get(path, people.bob.token).status == 404
    assert api.get("/workflows", people.bob.token).body == []


def test_bad_groups_and_members(api, people):
    assert_error(api.post("/groups", people.admin.token, {}), 400, "'name' is required")
    assert_error(api.post("/groups", people.admin.token, {"name": "G", "members": []}), 400,
                 "Unknown field 'members'")
    team = f"/groups/{people.team_id}/members"
    assert_error(api.put(f"{team}/9999", people.admin.token), 404)
    assert_error(api.put(f"/groups/9999/members/{people.bob.id}", people.admin.token), 404)
    assert_error(api.get("/groups/9999", people.admin.token), 404)
    assert_error(api.get("/groups/abc", people.admin.token), 404)
    members = api.get(f"/groups/{people.team_id}", people.admin.token).body["members"]
    assert [m["id"] for m in members] == [people.carol.id]


# -- projects -------------------------------------------------------------------------------


def test_create_and_get_a_project(api, people):
    created = api.post("/projects", people.alice.token, {"name": "Board", "description": None})
    assert created.status == 201
    assert created.headers["content-type"] == JSON_TYPE
    assert created.body["name"] == "Board" and created.body["description"] is None
    assert created.body["createdAt"] == created.body["updatedAt"]
    got = api.get(f"/projects/{created.body['id']}", people.alice.token)
    assert (got.status, got.body) == (200, created.body)


@pytest.mark.parametrize(("body", "fragment"), [
    ({}, "'name' is required"), ({"name": " "}, "'name' must not be empty"),
    ({"name": "P", "description": 3}, "'description' must be a string"),
    ({"name": "P", "hidden": True}, "Unknown field 'hidden'")])
def test_bad_projects_answer_400(api, people, body, fragment):
    assert_error(api.post("/projects", people.alice.token, body), 400, fragment)
    assert api.get("/projects/1", people.alice.token).status == 404


def test_unknown_projects_answer_404(api, people):
    for project_id in ("9999", "abc"):
        assert_error(api.get(f"/projects/{project_id}", people.alice.token), 404)
