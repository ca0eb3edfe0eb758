from tests.compat.conftest import add_user, workflow_yaml


def test_client_built_from_endpoints_creates_and_reads(civis_for, admin):
    client = civis_for(admin.token)
    alice = add_user(client, "alice")
    as_alice = civis_for(alice.token)
    created = as_alice.workflows.post("first", definition=workflow_yaml())
    assert created.valid is True and created.my_permission_level == "manage"
    assert as_alice.workflows.get(created.id).name == "first"
    assert [w.id for w in as_alice.workflows.list()] == [created.id]
