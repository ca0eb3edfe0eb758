"""std.http input validation (no network): what a request becomes, what is refused."""
from __future__ import annotations

import base64
import json

import pytest

from chalicelib.actions import http_action
from chalicelib.actions.errors import ActionInputError, ForbiddenTarget, HttpError


def test_defaults() -> None:
    request = http_action.build_request({"url": "https://api.test"})
    assert request.url == "https://api.test/"
    assert (request.method, request.body, request.timeout) == ("GET", None, 10.0)
    assert request.allow_redirects is True and request.headers == {}


def test_params_are_appended_to_the_query() -> None:
    request = http_action.build_request(
        {"url": "https://api.test/x?a=1", "params": {"b": "two words", "c": [1, 2], "d": None}})
    assert request.url == "https://api.test/x?a=1&b=two+words&c=1&c=2"


def test_json_values_become_json_bodies() -> None:
    request = http_action.build_request({"url": "https://api.test", "method": "post",
                                         "body": {"k": [1, True]}})
    assert request.method == "POST"
    assert json.loads(request.body or b"") == {"k": [1, True]}
    assert request.headers["Content-Type"] == "application/json"


def test_string_bodies_are_sent_as_is_and_content_type_is_kept() -> None:
    request = http_action.build_request({"url": "https://api.test", "method": "PUT",
                                         "body": "a=1", "headers": {"content-type": "text/x"}})
    assert request.body == b"a=1"
    assert request.headers == {"content-type": "text/x"}


@pytest.mark.parametrize("auth", ["bob:hunter2", ["bob", "hunter2"],
                                  {"username": "bob", "password": "hunter2"}])
def test_auth_becomes_basic(auth: object) -> None:
    request = http_action.build_request({"url": "https://api.test", "auth": auth})
    expected = base64.b64encode(b"bob:hunter2").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"


def test_url_credentials_become_basic_auth_and_leave_the_url() -> None:
    request = http_action.build_request({"url": "https://bob:hunter2@api.test/x"})
    assert request.url == "https://api.test/x"
    assert request.headers["Authorization"].startswith("Basic ")


def test_timeout_is_clamped_and_checked() -> None:
    assert http_action.build_request({"url": "http://a.test", "timeout": 600}).timeout == 60.0
    assert http_action.build_request({"url": "http://a.test", "timeout": 2.5}).timeout == 2.5
    for bad in (0, -1, "10", True):
        with pytest.raises(ActionInputError, match="timeout"):
            http_action.build_request({"url": "http://a.test", "timeout": bad})


@pytest.mark.parametrize(("params", "match"), [
    ({}, "url"),
    ({"url": "http://a.test", "method": "TRACE"}, "method"),
    ({"url": "http://a.test", "headers": ["x"]}, "headers"),
    ({"url": "http://a.test", "headers": {"bad name": "x"}}, "header name"),
    ({"url": "http://a.test", "params": "a=1"}, "params"),
    ({"url": "http://a.test", "params": {"a": {"b": 1}}}, "scalar"),
    ({"url": "http://a.test", "body": "x", "json": {}}, "either"),
    ({"url": "http://a.test", "allow_redirects": "no"}, "allow_redirects"),
    ({"url": "http://a.test", "auth": 7}, "auth"),
    ({"url": "http://a.test", "cookies": {"a": "x;y"}}, "cookie"),
    ({"url": "http://a.test", "retries": 3}, "does not take 'retries'"),
])
def test_bad_input(params: dict, match: str) -> None:
    with pytest.raises(ActionInputError, match=match):
        http_action.build_request(params)


def test_non_http_schemes_are_forbidden() -> None:
    with pytest.raises(ForbiddenTarget):
        http_action.build_request({"url": "file:///etc/passwd"})


def test_proxies_and_verify_are_ignored() -> None:
    request = http_action.build_request({"url": "https://a.test", "verify": False,
                                         "proxies": {"https": "http://10.0.0.1:3128"}})
    assert request.url == "https://a.test/"


def test_messages_never_show_secrets() -> None:
    secret = "hunter2-SECRET"
    cases = [
        {"url": "http://a.test", "headers": {"Authorization": f"Bearer {secret}\r\nX: y"}},
        {"url": "http://a.test", "headers": {"X-Api-Key": {"v": secret}}},
        {"url": f"ftp://bob:{secret}@a.test/?k={secret}"},
        {"url": f"http://bob:{secret}@a.test/?k={secret}", "method": "BREW"},
        {"url": "http://a.test", "auth": {"username": 1, "password": secret}},
    ]
    for params in cases:
        with pytest.raises(ActionInputError) as raised:
            http_action.build_request(params)
        assert secret not in str(raised.value)


def test_refused_internal_url_does_not_show_its_query() -> None:
    with pytest.raises(ForbiddenTarget) as raised:
        http_action.run({"url": "http://169.254.169.254/latest?token=s3cret"})
    assert "s3cret" not in str(raised.value)


def test_http_error_cause_is_the_result_as_json() -> None:
    request = http_action.build_request({"url": "https://a.test/x?token=s3cret"})
    result = {"content": "x" * (http_action.CAUSE_CONTENT_CHARS + 10), "status": 503,
              "headers": {}}
    error = HttpError(http_action._cause(request, result), result)
    cause = json.loads(str(error))
    assert cause["status"] == 503 and cause["truncated"] is True
    assert cause["error"] == "GET https://a.test/x answered HTTP 503"
    assert len(cause["content"]) == http_action.CAUSE_CONTENT_CHARS
