"""std.email input validation (no AWS)."""
from __future__ import annotations

import pytest

from chalicelib.actions import email_action
from chalicelib.actions.errors import ActionInputError


@pytest.mark.parametrize("address", ["a@b.test", "first.last+tag@mail.example.com",
                                     "o'neil@x.io", "x@localhost"])
def test_good_addresses(address: str) -> None:
    assert email_action.validate_address(address) == address


@pytest.mark.parametrize("address", [
    "", "plain", "a@@b.test", "a@b@c.test", "@b.test", "a@", "a b@c.test", "a@b .test",
    "a@b.test\r\nBcc: x@y.test", "a@b.test\n", "a\x00@b.test", "Name <a@b.test>",
    "a,b@c.test", ".a@b.test", "a..b@c.test", "a@-b.test", "a@b..test",
    "x" * 65 + "@b.test", "a@" + "b" * 250 + ".test", 42, None,
])
def test_bad_addresses(address: object) -> None:
    with pytest.raises(ActionInputError):
        email_action.validate_address(address, "to_addrs")


def test_build_email_defaults_and_sender() -> None:
    email = email_action.build_email({"to_addrs": ["a@b.test"], "subject": "Hi"},
                                     default_sender="wf@stepwise.test")
    assert email.sender == "wf@stepwise.test" and email.to == ["a@b.test"]
    assert (email.subject, email.body, email.html_body) == ("Hi", "", None)
    one = email_action.build_email({"to_addrs": "a@b.test", "from_addr": "me@x.test"})
    assert one.to == ["a@b.test"] and one.sender == "me@x.test"


def test_smtp_settings_are_ignored_and_never_echoed() -> None:
    email = email_action.build_email({"to_addrs": ["a@b.test"], "smtp_server": "smtp:25",
                                      "smtp_password": "hunter2"}, default_sender="s@x.test")
    assert "hunter2" not in repr(email)


@pytest.mark.parametrize(("params", "match"), [
    ({}, "to_addrs"),
    ({"to_addrs": []}, "to_addrs"),
    ({"to_addrs": {"a": "b"}}, "list"),
    ({"to_addrs": ["a@b.test"], "from_addr": None}, "from_addr"),
    ({"to_addrs": ["a@b.test"], "subject": "a\r\nBcc: x@y.test", "from_addr": "s@x.test"},
     "one line"),
    ({"to_addrs": ["a@b.test"], "body": 3, "from_addr": "s@x.test"}, "body"),
    ({"to_addrs": [f"u{i}@b.test" for i in range(51)], "from_addr": "s@x.test"}, "at most"),
    ({"to_addrs": ["a@b.test"], "attachments": [], "from_addr": "s@x.test"}, "attachments"),
])
def test_bad_email_input(params: dict, match: str) -> None:
    with pytest.raises(ActionInputError, match=match):
        email_action.build_email(params)


class _RecordingSes:
    def __init__(self) -> None:
        self.requests: list[dict] = []

    def send_email(self, **request: object) -> dict:
        self.requests.append(request)
        return {"MessageId": "m-1"}


def test_send_uses_the_deployments_configuration_set(monkeypatch) -> None:
    ses = _RecordingSes()
    params = {"to_addrs": ["a@b.test"], "subject": "Hi", "body": "x", "from_addr": "w@b.test"}
    email_action.send(params, client=ses)
    monkeypatch.setenv("STEPWISE_SES_CONFIGURATION_SET", "stepwise-dev")
    email_action.send(params, client=ses)
    assert "ConfigurationSetName" not in ses.requests[0]
    assert ses.requests[1]["ConfigurationSetName"] == "stepwise-dev"
