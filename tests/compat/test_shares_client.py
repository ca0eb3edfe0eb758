"""Shares, ownership transfer and dependencies of workflows through the real civis client."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from civis.base import CivisAPIError
from civis.response import Response

from tests.compat.conftest import Account, add_user, workflow_yaml


@dataclass
class People:
    admin: Account
    alice: Account
    bob: Account


@pytest.fixture
def people(civis_for, admin) -> People:
    client = civis_for(admin.token)
    return People(admin, add_user(client, "alice"), add_user(client, "bob"))


@pytest.fixture
def client(civis_for, admin):
    return civis_for(admin.token)


def _runs(workflow_id: int, name: str = "parent") -> str:
    return (f"version: '2.0'\n{name}:\n  tasks:\n    run_child:\n"
            f"      action: civis.workflows.execute\n      input:\n"
            f"        workflow_id: {workflow_id}\n")


def _users(entities) -> list[int]:
    return [u.id for u in entities.users]


def _new(client, name: str = "shared", **kwargs) -> int:
    return client.workflows.post(name, definition=workflow_yaml(), **kwargs).id


# -- shares ----------------------------------------------------------------------------------


def test_list_shares_of_a_new_workflow(client, admin):
    wid = _new(client)
    listed = client.workflows.list_shares(wid)
    assert len(listed) == 1
    shares = listed[0]
    assert shares.owners.users[0].id == admin.id and shares.owners.users[0].name == "Ada Admin"
    assert shares.owners.groups == [] and shares.readers.users == []
    assert shares.writers.users == [] and shares.writers.groups == []
    assert shares.total_user_shares == 1 and shares.total_group_shares == 0
    assert shares.json_data["totalUserShares"] == 1


def test_put_shares_users_gives_levels(client, civis_for, people):
    wid = _new(client)
    shares = client.workflows.put_shares_users(wid, [people.alice.id, people.bob.id], "write",
                                               share_email_body="Have a look",
                                               send_shared_email=False)
    assert _users(shares.writers) == sorted([people.alice.id, people.bob.id])
    assert {u.name for u in shares.writers.users} == {"Alice Example", "Bob Example"}
    assert shares.total_user_shares == 3
    as_alice = civis_for(people.alice.token)
    assert as_alice.workflows.get(wid).my_permission_level == "write"
    assert as_alice.workflows.patch(wid, description="edited").description == "edited"
    with pytest.raises(CivisAPIError) as raised:  # sharing needs manage
        as_alice.workflows.put_shares_users(wid, [people.bob.id], "manage")
    assert raised.value.status_code == 403
    shares = client.workflows.put_shares_users(wid, [people.bob.id], "read")
    assert _users(shares.readers) == [people.bob.id]
    assert _users(shares.writers) == [people.alice.id]
    assert client.workflows.list_shares(wid)[0].json() == shares.json()


def test_owner_keeps_manage_when_shared_lower(client, people):
    wid = _new(client)
    shares = client.workflows.put_shares_users(wid, [people.admin.id, people.alice.id], "read")
    assert _users(shares.owners) == [people.admin.id]
    assert _users(shares.readers) == [people.alice.id]
    assert client.workflows.get(wid).my_permission_level == "manage"


def test_put_shares_users_with_unknown_user_is_400(client, people):
    wid = _new(client)
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.put_shares_users(wid, [people.bob.id + 1000], "read")
    assert raised.value.status_code == 400
    assert raised.value.error_message == f"No user with id {people.bob.id + 1000}."
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.put_shares_users(wid, [people.bob.id], "owner")
    assert raised.value.status_code == 400
    assert "permission_level" in raised.value.error_message


def test_put_shares_groups_reaches_members(client, civis_for, people):
    group = client.groups.post("Analysts", description="Reads reports")
    client.groups.put_members(group.id, people.alice.id)
    wid = _new(client)
    shares = client.workflows.put_shares_groups(wid, [group.id], "read")
    assert [g.id for g in shares.readers.groups] == [group.id]
    assert shares.readers.groups[0].name == "Analysts"
    assert shares.total_group_shares == 1 and shares.total_user_shares == 1
    as_alice = civis_for(people.alice.token)
    assert as_alice.workflows.get(wid).my_permission_level == "read"
    assert [w.id for w in as_alice.workflows.list()] == [wid]
    with pytest.raises(CivisAPIError) as raised:
        civis_for(people.bob.token).workflows.get(wid)
    assert raised.value.status_code == 404
    shares = client.workflows.put_shares_groups(wid, [group.id], "manage")
    assert [g.id for g in shares.owners.groups] == [group.id] and shares.readers.groups == []
    assert as_alice.workflows.get(wid).my_permission_level == "manage"


def test_delete_shares_users_is_204(client, civis_for, people):
    wid = _new(client)
    client.workflows.put_shares_users(wid, [people.alice.id], "read")
    removed = client.workflows.delete_shares_users(wid, people.alice.id)
    assert isinstance(removed, Response) and removed.json() == {}
    shares = client.workflows.list_shares(wid)[0]
    assert shares.readers.users == [] and shares.total_user_shares == 1
    with pytest.raises(CivisAPIError) as raised:
        civis_for(people.alice.token).workflows.get(wid)
    assert raised.value.status_code == 404


def test_owner_share_cannot_be_deleted(client, people):
    wid = _new(client)
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.delete_shares_users(wid, people.admin.id)
    assert raised.value.status_code == 400
    assert raised.value.error_message.startswith("The owner's permission cannot be revoked")


def test_delete_shares_groups_is_204(client, civis_for, people):
    group = client.groups.post("Team")
    client.groups.put_members(group.id, people.bob.id)
    wid = _new(client)
    client.workflows.put_shares_groups(wid, [group.id], "write")
    as_bob = civis_for(people.bob.token)
    assert as_bob.workflows.get(wid).my_permission_level == "write"
    removed = client.workflows.delete_shares_groups(wid, group.id)
    assert isinstance(removed, Response) and removed.json() == {}
    shares = client.workflows.list_shares(wid)[0]
    assert shares.writers.groups == [] and shares.total_group_shares == 0
    with pytest.raises(CivisAPIError) as raised:
        as_bob.workflows.get(wid)
    assert raised.value.status_code == 404


# -- transfer --------------------------------------------------------------------------------


def test_put_transfer_keeps_the_previous_owner_as_manager(client, civis_for, people):
    wid = _new(client)
    client.workflows.put_shares_users(wid, [people.alice.id], "read")
    result = client.workflows.put_transfer(wid, people.alice.id, False)
    assert result.dependencies == []
    as_alice = civis_for(people.alice.token)
    shown = as_alice.workflows.get(wid)
    assert shown.user.id == people.alice.id and shown.user.name == "Alice Example"
    assert shown.my_permission_level == "manage"
    shares = as_alice.workflows.list_shares(wid)[0]
    assert _users(shares.owners) == sorted([people.admin.id, people.alice.id])
    assert shares.readers.users == []
    assert client.workflows.get(wid).my_permission_level == "manage"
    assert [w.id for w in as_alice.workflows.list(author=str(people.alice.id))] == [wid]
    # the previous owner's share is an ordinary one now: the new owner may revoke it
    as_alice.workflows.delete_shares_users(wid, people.admin.id)
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.get(wid)
    assert raised.value.status_code == 404


def test_put_transfer_without_dependencies_leaves_them(client, civis_for, people):
    child = _new(client, "child")
    parent = client.workflows.post("parent", definition=_runs(child)).id
    result = client.workflows.put_transfer(parent, people.bob.id, include_dependencies=False,
                                           send_email=False)
    assert result.dependencies == []
    as_bob = civis_for(people.bob.token)
    assert as_bob.workflows.get(parent).my_permission_level == "manage"
    with pytest.raises(CivisAPIError) as raised:
        as_bob.workflows.get(child)
    assert raised.value.status_code == 404


def test_put_transfer_with_dependencies_shares_them(client, civis_for, people):
    child = client.workflows.post("child", description="runs first",
                                  definition=workflow_yaml()).id
    parent = client.workflows.post("parent", definition=_runs(child))
    assert parent.valid is True, parent.validation_errors
    result = client.workflows.put_transfer(parent.id, people.bob.id, True,
                                           email_body="Yours now")
    assert len(result.dependencies) == 1
    dependency = result.dependencies[0]
    assert dependency.object_type == "Workflow" and dependency.fco_type == "workflows"
    assert dependency.id == child and dependency.name == "child"
    assert dependency.permission_level == "manage" and dependency.shared is True
    assert dependency.description == "runs first"
    assert result.json_data["dependencies"][0]["objectType"] == "Workflow"
    as_bob = civis_for(people.bob.token)
    assert as_bob.workflows.get(child).my_permission_level == "manage"
    assert client.workflows.get(child).user.id == people.admin.id  # shared, not transferred


def test_put_transfer_needs_manage(client, civis_for, people):
    wid = _new(client)
    client.workflows.put_shares_users(wid, [people.alice.id], "write")
    with pytest.raises(CivisAPIError) as raised:
        civis_for(people.alice.token).workflows.put_transfer(wid, people.alice.id, False)
    assert raised.value.status_code == 403
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.put_transfer(wid, people.bob.id + 1000, False)
    assert raised.value.status_code == 400


# -- dependencies ----------------------------------------------------------------------------


def test_list_dependencies_with_and_without_user(client, civis_for, people):
    child = client.workflows.post("child", description="d", definition=workflow_yaml()).id
    parent = client.workflows.post("parent", definition=_runs(child)).id
    listed = client.workflows.list_dependencies(parent)
    assert len(listed) == 1
    dependency = listed[0]
    assert dependency.id == child and dependency.name == "child"
    assert dependency.object_type == "Workflow" and dependency.fco_type == "workflows"
    assert dependency.description == "d"
    assert dependency.permission_level is None and dependency.shareable is True
    for_bob = client.workflows.list_dependencies(parent, user_id=people.bob.id)
    assert for_bob[0].permission_level is None
    client.workflows.put_shares_users(child, [people.bob.id], "read")
    for_bob = client.workflows.list_dependencies(parent, user_id=people.bob.id)
    assert for_bob[0].permission_level == "read" and for_bob[0].shareable is True
    assert client.workflows.list_dependencies(child) == []


def test_list_dependencies_hides_what_the_caller_cannot_read(client, civis_for, people):
    as_alice = civis_for(people.alice.token)
    secret = as_alice.workflows.post("secret", description="private",
                                     definition=workflow_yaml()).id
    parent = client.workflows.post("parent", definition=_runs(secret)).id
    assert client.workflows.list_dependencies(parent) == []  # its existence stays hidden
    as_alice.workflows.put_shares_users(secret, [people.admin.id], "read")
    dependency = client.workflows.list_dependencies(parent, user_id=people.alice.id)[0]
    assert dependency.name == "secret" and dependency.permission_level == "manage"
    assert dependency.shareable is False  # read only for the caller
