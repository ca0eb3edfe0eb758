from tests.integration.api.conftest import create_workflow


def test_create_and_get(api, people):
    body = create_workflow(api, people.alice.token, "first")
    got = api.get(f"/workflows/{body['id']}", people.alice.token)
    assert got.status == 200
    assert got.body["name"] == "first"
    assert got.body["valid"] is True
    assert got.body["myPermissionLevel"] == "manage"
    listed = api.get("/workflows", people.alice.token)
    assert [w["id"] for w in listed.body] == [body["id"]]
    assert api.get(f"/workflows/{body['id']}", people.bob.token).status == 404


def test_scans_are_recorded_and_would_fail(api, people, no_table_scans):
    from chalicelib.store import models
    from tests.integration.api import conftest

    create_workflow(api, people.alice.token)
    assert "GetItem" in no_table_scans and "TransactWriteItems" in no_table_scans
    list(models.Workflow.scan())  # outside a request: not recorded
    assert "Scan" not in no_table_scans
    conftest._serving[0] = True  # as if the app scanned while answering
    try:
        list(models.Workflow.scan())
    finally:
        conftest._serving[0] = False
    assert "Scan" in no_table_scans
    no_table_scans.remove("Scan")  # so this test itself passes
