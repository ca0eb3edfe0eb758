"""Share and transfer e-mails go out through SES when a sender is configured."""
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import config
from chalicelib.actions import clients
from tests.integration.api.conftest import create_workflow

SENDER = "workflows@stepwise.test"


@pytest.fixture
def outbox(api_aws, monkeypatch):
    clients.reset_clients()
    api_aws.client("ses").verify_email_identity(EmailAddress=SENDER)
    monkeypatch.setenv(config.EMAIL_SENDER, SENDER)
    sent = ses_backends[DEFAULT_ACCOUNT_ID][api_aws.region].sent_messages
    start = len(sent)
    yield lambda: sent[start:]
    clients.reset_clients()


def test_shared_users_get_an_email_when_asked(api, people, outbox):
    workflow = create_workflow(api, people.alice.token, "nightly")
    path = f"/workflows/{workflow['id']}/shares/users"
    assert api.put(path, people.alice.token, {"user_ids": [people.bob.id],
                                              "permission_level": "read"}).status == 200
    assert outbox() == []  # not asked: no e-mail
    answer = api.put(path, people.alice.token, {
        "user_ids": [people.bob.id], "permission_level": "write", "send_shared_email": True,
        "share_email_body": "Have a look."})
    assert answer.status == 200
    [message] = outbox()
    assert message.source == SENDER
    assert message.destinations["ToAddresses"] == ["bob@example.com"]
    assert "nightly" in message.subject and message.body == "Have a look."


def test_group_members_get_the_email_of_a_group_share(api, people, outbox):
    workflow = create_workflow(api, people.alice.token)
    answer = api.put(f"/workflows/{workflow['id']}/shares/groups", people.alice.token, {
        "group_ids": [people.team_id], "permission_level": "read", "send_shared_email": True})
    assert answer.status == 200
    [message] = outbox()
    assert message.destinations["ToAddresses"] == ["carol@example.com"]


def test_a_transfer_can_notify_the_new_owner(api, people, outbox):
    workflow = create_workflow(api, people.alice.token)
    answer = api.put(f"/workflows/{workflow['id']}/transfer", people.alice.token, {
        "user_id": people.bob.id, "include_dependencies": False, "send_email": True})
    assert answer.status == 200
    [message] = outbox()
    assert message.destinations["ToAddresses"] == ["bob@example.com"]


def test_an_email_that_cannot_be_sent_does_not_undo_the_share(api, people, outbox,
                                                              monkeypatch):
    monkeypatch.setenv(config.EMAIL_SENDER, "unverified@elsewhere.test")
    workflow = create_workflow(api, people.alice.token)
    answer = api.put(f"/workflows/{workflow['id']}/shares/users", people.alice.token, {
        "user_ids": [people.bob.id], "permission_level": "read", "send_shared_email": True})
    assert answer.status == 200
    assert outbox() == []
    assert api.get(f"/workflows/{workflow['id']}", people.bob.token).status == 200
