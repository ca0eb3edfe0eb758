"""Users, API keys, groups and projects through the real civis client; how the client is built
(the API description from ``GET /endpoints`` or a local one) and how it sees bad keys."""
from __future__ import annotations

import warnings
from collections import OrderedDict

import civis
import pytest
import requests
from civis.base import CivisAPIError, CivisAPIKeyError

from chalicelib.api import meta, spec
from tests.compat.conftest import add_user, workflow_yaml


@pytest.fixture
def client(civis_for, admin):
    return civis_for(admin.token)


# -- users -----------------------------------------------------------------------------------


def test_users_get_me(client, admin):
    me = client.users.get_me()
    assert me.id == admin.id and me.name == "Ada Admin" and me.username == "ada"
    assert me.email == admin.email and me.admin is True and me.initials == "AA"
    assert me.groups == [] and me.created_at.endswith("Z")
    assert me.json_data["createdAt"] == me.created_at


def test_users_list_me_alias(client, admin):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # civis marks the alias deprecated
        me = client.users.list_me()
    assert me.id == admin.id and me.email == admin.email


def test_users_post_and_get(client, civis_for):
    created = client.users.post("Carol Jones", "carol@example.com", username="cjones")
    assert created.name == "Carol Jones" and created.username == "cjones"
    assert created.email == "carol@example.com" and created.admin is False
    assert created.initials == "CJ"
    assert client.users.get(created.id).email == "carol@example.com"
    other = client.users.post("Dan Admin", "dan@example.com", admin=True)
    assert other.admin is True and other.username == "dan"
    # another user sees only the public part of a user
    key = client.users.post_api_keys(created.id, 600)
    as_carol = civis_for(key.token)
    seen = as_carol.users.get(other.id)
    assert seen.name == "Dan Admin" and seen.username == "dan"
    assert "email" not in seen.json_data
    assert as_carol.users.get_me().email == "carol@example.com"


def test_users_post_needs_an_admin(client, civis_for):
    bob = add_user(client, "bob")
    with pytest.raises(CivisAPIError) as raised:
        civis_for(bob.token).users.post("Eve", "eve@example.com")
    assert raised.value.status_code == 403
    assert raised.value.error_message == "Only administrators can do this."
    with pytest.raises(CivisAPIError) as raised:
        client.users.post("Eve", "not an address")
    assert raised.value.status_code == 400


def test_missing_user_is_404(client, admin):
    with pytest.raises(CivisAPIError) as raised:
        client.users.get(admin.id + 1000)
    assert raised.value.status_code == 404


# -- API keys --------------------------------------------------------------------------------


def test_api_keys_create_list_use_and_revoke(client, civis_for):
    bob = add_user(client, "bob")  # through users.post and users.post_api_keys
    key = client.users.post_api_keys(bob.id, 3600, name="laptop")
    assert key.token and key.name == "laptop" and key.active is True
    assert key.expired is False and key.revoked_at is None
    as_bob = civis_for(key.token)
    assert as_bob.users.get_me().id == bob.id
    listed = as_bob.users.list_api_keys(bob.id)
    assert sorted(k.name for k in listed) == ["laptop", "tests"]
    assert all("token" not in k.json_data for k in listed)
    assert all(k.active is True for k in listed)
    revoked = as_bob.users.delete_api_keys(bob.id, key.id)
    assert revoked.id == key.id and revoked.active is False and revoked.revoked_at
    with pytest.raises(CivisAPIKeyError) as raised:
        as_bob.users.get_me()
    assert "Basic" in str(raised.value)  # the WWW-Authenticate challenge
    assert isinstance(raised.value.__cause__, CivisAPIError)
    assert raised.value.__cause__.status_code == 401
    as_tests_key = civis_for(bob.token)
    shown = {k.id: k for k in as_tests_key.users.list_api_keys(bob.id)}
    assert shown[key.id].active is False and shown[key.id].revoked_at == revoked.revoked_at


def test_api_keys_of_others_are_hidden(client, civis_for, admin):
    bob = add_user(client, "bob")
    as_bob = civis_for(bob.token)
    with pytest.raises(CivisAPIError) as raised:
        as_bob.users.list_api_keys(admin.id)
    assert raised.value.status_code == 404
    with pytest.raises(CivisAPIError) as raised:
        as_bob.users.post_api_keys(bob.id, 0)
    assert raised.value.status_code == 400 and "expires_in" in raised.value.error_message


def test_unknown_key_raises_civis_api_key_error(served, civis_for):
    local = civis_for("not-a-key", local_api_spec=OrderedDict(spec.swagger_document()))
    with pytest.raises(CivisAPIKeyError):
        local.users.get_me()
    with pytest.raises(CivisAPIKeyError):
        local.workflows.list()
    with pytest.raises(requests.HTTPError, match="401"):  # the client fetches /endpoints
        civis_for("not-a-key").users.get_me()


# -- groups ----------------------------------------------------------------------------------


def test_groups_post_get_and_members(client, civis_for):
    alice = add_user(client, "alice")
    bob = add_user(client, "bob")
    group = client.groups.post("Analysts", description="The analysts")
    assert group.name == "Analysts" and group.description == "The analysts"
    assert group.members == [] and group.created_at.endswith("Z")
    after = client.groups.put_members(group.id, alice.id)
    assert [m.id for m in after.members] == [alice.id]
    assert after.members[0].name == "Alice Example" and after.members[0].username == "alice"
    client.groups.put_members(group.id, bob.id)
    shown = client.groups.get(group.id)
    assert [m.id for m in shown.members] == sorted([alice.id, bob.id])
    as_alice = civis_for(alice.token)
    assert as_alice.groups.get(group.id).name == "Analysts"  # members read their groups
    assert [g.id for g in as_alice.users.get_me().groups] == [group.id]
    removed = client.groups.delete_members(group.id, alice.id)
    assert removed.json() == {}  # 204
    assert [m.id for m in client.groups.get(group.id).members] == [bob.id]
    assert as_alice.users.get_me().groups == []
    with pytest.raises(CivisAPIError) as raised:
        as_alice.groups.get(group.id)
    assert raised.value.status_code == 404
    with pytest.raises(CivisAPIError) as raised:
        civis_for(bob.token).groups.put_members(group.id, alice.id)
    assert raised.value.status_code == 403


# -- projects --------------------------------------------------------------------------------


def test_projects_post_and_get(client, civis_for, admin):
    project = client.projects.post("Quarterly", description="Quarterly numbers")
    assert project.name == "Quarterly" and project.description == "Quarterly numbers"
    assert project.author.id == admin.id and project.archived is False
    assert project.auto_share is False and project.json_data["autoShare"] is False
    shown = client.projects.get(project.id)
    assert shown.id == project.id and shown.name == "Quarterly"
    bob = add_user(client, "bob")
    with pytest.raises(CivisAPIError) as raised:
        civis_for(bob.token).projects.get(project.id)
    assert raised.value.status_code == 404


# -- how the client is built -----------------------------------------------------------------


def test_client_from_a_local_spec(civis_for, admin):
    local = civis_for(admin.token, local_api_spec=OrderedDict(spec.swagger_document()))
    created = local.workflows.post("local", definition=workflow_yaml())
    assert local.workflows.get(created.id).name == "local"
    assert local.users.get_me().id == admin.id
    assert [p.id for p in local.workflows.list_projects(created.id)] == []
    assert {"workflows", "users", "groups", "projects"} <= set(dir(local))


def test_client_fetches_the_spec_once_per_key(civis_for, admin, monkeypatch):
    calls = []
    document = spec.swagger_document

    def counted(*args, **kwargs):
        calls.append(1)
        return document(*args, **kwargs)

    monkeypatch.setattr(meta.spec, "swagger_document", counted)
    first = civis_for(admin.token)
    second = civis_for(admin.token)
    assert len(calls) == 1
    assert first.users.get_me().id == second.users.get_me().id == admin.id
    assert hasattr(second.workflows, "put_transfer")
    # and what it fetched is what the server serves
    raw = requests.get(civis.base.get_base_url() + "endpoints", auth=(admin.token, ""))
    assert raw.status_code == 200 and raw.json()["swagger"] == "2.0"
    assert "/workflows/{id}/shares/users" in raw.json()["paths"]
