"""The HTTP client against a canned API: headers, errors, paging, no key in any message."""
from __future__ import annotations

import socket

import pytest

from stepwise.api_client import ApiError, Client, ConnectionFailed
from stepwise.settings import Settings

KEY = "sw_test-key"


@pytest.fixture
def client(stub_api) -> Client:
    return Client(Settings(stub_api.url + "/", KEY))  # a trailing slash, as AWS URLs have


def test_requests_carry_the_key_as_bearer_and_json_bodies(client, stub_api):
    stub_api.answer("POST", "/workflows", {"id": 3}, status=201)
    assert client.create_workflow("wf", "version: '2.0'") == {"id": 3}
    [seen] = stub_api.requests
    assert seen.headers["Authorization"] == f"Bearer {KEY}"
    assert seen.headers["Content-Type"] == "application/json"
    assert seen.headers["Accept"] == "application/json"
    assert seen.body == {"name": "wf", "definition": "version: '2.0'"}


def test_each_execution_action_posts_its_body(client, stub_api):
    for action in ("cancel", "resume", "retry", "rerun"):
        stub_api.answer("POST", f"/workflows/3/executions/7/{action}", {"id": 7}, status=202)
    client.cancel(3, 7)
    client.resume(3, 7)
    client.retry(3, 7, None)
    client.retry(3, 7, "load")
    client.rerun(3, 7, "load")
    assert [(s.path.rsplit("/", 1)[1], s.body) for s in stub_api.requests] == [
        ("cancel", {}), ("resume", {}), ("retry", {}), ("retry", {"task_name": "load"}),
        ("rerun", {"from_task": "load"})]


def test_api_errors_carry_status_code_and_description(client, stub_api):
    stub_api.answer("GET", "/workflows/9", {"error": "forbidden", "code": 403,
                                            "errorDescription": "You need write access."},
                    status=403)
    with pytest.raises(ApiError) as raised:
        client.request("GET", "/workflows/9")
    assert (raised.value.status, raised.value.code) == (403, "forbidden")
    assert str(raised.value) == "HTTP 403: You need write access."


def test_an_error_without_the_apis_body_uses_the_reason(client, stub_api):
    stub_api.answer("GET", "/users/me", b"<html>bad gateway</html>", status=502)
    with pytest.raises(ApiError, match="^HTTP 502: Bad Gateway$"):
        client.me()


def test_an_answer_that_is_not_json_is_not_taken_for_one(client, stub_api):
    stub_api.answer("GET", "/users/me", b"<html>hello</html>")
    with pytest.raises(ConnectionFailed, match="did not answer with JSON"):
        client.me()


def test_redirects_are_not_followed_so_the_key_stays_here(client, stub_api):
    stub_api.answer("GET", "/users/me", b"", status=302,
                    headers={"Location": stub_api.url + "/elsewhere"})
    with pytest.raises(ConnectionFailed, match="redirects to .*/elsewhere") as raised:
        client.me()
    assert [s.path for s in stub_api.requests] == ["/users/me"]
    assert KEY not in str(raised.value)


def test_an_endpoint_that_does_not_listen_is_a_connection_failure():
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed, match=f"cannot reach http://127.0.0.1:{port}") \
            as raised:
        Client(Settings(f"http://127.0.0.1:{port}", KEY)).me()
    assert KEY not in str(raised.value)


def workflows_page(page: int) -> str:
    return f"/workflows?author=7&archived=false&limit=50&page_num={page}"


def test_owned_workflow_is_found_by_exact_name_on_any_page(client, stub_api):
    stub_api.answer("GET", "/users/me", {"id": 7})
    pages = {"X-Pagination-Total-Pages": "2"}
    stub_api.answer("GET", workflows_page(1), [
        {"id": 1, "name": "Nightly", "user": {"id": 7}, "archived": False},
        {"id": 2, "name": "nightly", "user": {"id": 8}, "archived": False},
    ], headers=pages)
    stub_api.answer("GET", workflows_page(2), [
        {"id": 3, "name": "nightly", "user": {"id": 7}, "archived": False},
    ], headers=pages)
    assert client.owned_workflow_named("nightly")["id"] == 3
    assert client.owned_workflow_named("weekly") is None


def test_executions_are_read_page_by_page_up_to_the_limit(client, stub_api):
    pages = {"X-Pagination-Total-Pages": "3"}
    for page in (1, 2, 3):
        stub_api.answer("GET", f"/workflows/3/executions?limit=50&page_num={page}",
                        [{"id": 150 - 50 * (page - 1) - i} for i in range(50)], headers=pages)
    assert [e["id"] for e in client.executions(3, 60)] == list(range(150, 90, -1))
    assert len(stub_api.requests) == 2
    assert len(client.executions(3, 500)) == 150
