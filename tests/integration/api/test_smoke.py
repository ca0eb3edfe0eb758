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
