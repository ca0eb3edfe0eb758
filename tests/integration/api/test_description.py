"""The API description matches what the app serves."""
from app import app
from chalicelib.api import spec

def _served() -> set[tuple[str, str]]:
    return {(method, path) for path, by_method in app.routes.items() for method in by_method}


def test_every_served_route_is_described():
    assert _served() - set(spec.routes()) == {("GET", "/ping")}


def test_every_described_route_is_served():
    assert set(spec.routes()) - _served() == set()


def test_endpoints_and_openapi_describe_only_served_operations(api, people):
    swagger = api.get("/endpoints", people.alice.token)
    assert swagger.status == 200 and swagger.body["swagger"] == "2.0"
    assert "/workflows/{id}/shares/users" in swagger.body["paths"]
    assert "/workflows/{id}/executions/{execution_id}/retry" in swagger.body["paths"]
    assert "/workflows/{id}/executions/{execution_id}/cancel" in swagger.body["paths"]
    openapi = api.get("/openapi.json", people.alice.token)
    assert openapi.status == 200 and openapi.body["openapi"] == "3.0.3"
    assert set(openapi.body["paths"]) == {r for m, r in spec.routes()}
    assert api.call("GET", "/endpoints").status == 401
