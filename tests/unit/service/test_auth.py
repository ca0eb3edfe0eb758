"""Reading the API key from the Authorization header (no AWS: the checks before any lookup)."""
from __future__ import annotations

import base64

import pytest

from chalicelib.errors import Unauthorized
from chalicelib.service.auth import Caller, _token, authenticate


def basic(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return "Basic " + base64.b64encode(raw).decode()


@pytest.mark.parametrize(("header", "token"), [
    (basic("fake-key-123:"), "fake-key-123"),  # what the civis client sends
    ("Basic ZmFrZS1rZXktMTIzOg==", "fake-key-123"),
    (basic(":fake-key-123"), "fake-key-123"),  # the key as the password
    (basic("user-key:password-key"), "user-key"),  # both: the user name wins
    (basic("key-with:colon:"), "key-with"),
    ("basic " + base64.b64encode(b"k:").decode(), "k"),
    ("BASIC " + base64.b64encode(b"k:").decode(), "k"),
    ("  " + basic("k:") + "  ", "k"),
    ("Basic    " + base64.b64encode(b"k:").decode(), "k"),
    ("Bearer abc123", "abc123"),
    ("bearer abc123", "abc123"),
    ("Bearer   abc123  ", "abc123"),
    ("Bearer sw_with-dash_and_underscore", "sw_with-dash_and_underscore"),
])
def test_accepted_headers(header, token):
    assert _token(header) == token


@pytest.mark.parametrize("header", [
    None, "", "   ",
    "Basic", "Basic ", basic(":"), basic(""),  # no key in it
    "Basic !!!", "Basic abc",  # not base64 (bad characters, bad padding)
    "Basic " + base64.b64encode(b"k:").decode().rstrip("="),
    basic(b"\xff\xfe:"),  # base64 of bytes that are not UTF-8
    "Bearer", "Bearer ", "Bearer    ",
    "Token abc", "Digest username=x", "ApiKey abc", "abc",
    "BasicZmFrZTo=",  # no space after the scheme
])
def test_rejected_headers(header):
    assert _token(header) is None


@pytest.mark.parametrize("header", [None, "", "Token abc", "Basic !!!",
                                    "Bearer " + "k" * 201])
def test_authenticate_refuses_before_any_lookup(header):
    with pytest.raises(Unauthorized) as raised:
        authenticate(header)
    assert raised.value.status == 401
    assert raised.value.to_body() == {
        "error": "unauthorized", "code": 401,
        "errorDescription": "Missing, unknown, revoked or expired API key."}


def test_caller_principals_are_itself_then_its_groups_in_order():
    caller = Caller(id=7, name="N", username="n", initials="N", email="n@example.com",
                    admin=False, group_ids=frozenset({12, 3}))
    assert caller.principals() == ["u#7", "g#3", "g#12"]
    assert caller.summary() == {"id": 7, "name": "N", "username": "n", "initials": "N"}
