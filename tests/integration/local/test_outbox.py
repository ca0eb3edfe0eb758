"""The local outbox: mail accepted by the local SES is written as .eml files."""
from __future__ import annotations

import email
import email.policy

import pytest

from infra.local import outbox

pytestmark = pytest.mark.moto


@pytest.fixture
def mailbox(local_aws, tmp_path):
    outbox.install(tmp_path / "outbox")
    local_aws.client("sesv2").create_email_identity(EmailIdentity="robot@example.com")
    yield tmp_path / "outbox"
    outbox.uninstall()


def _read(path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


def test_simple_and_raw_messages_are_written_as_eml_files(local_aws, mailbox):
    ses = local_aws.client("sesv2")
    sent = ses.send_email(
        FromEmailAddress="robot@example.com",
        Destination={"ToAddresses": ["ana@example.com"], "CcAddresses": ["bo@example.com"]},
        Content={"Simple": {"Subject": {"Data": "Workflow 3 failed"},
                            "Body": {"Text": {"Data": "Task load failed: disk full"}}}})
    raw = (b"From: robot@example.com\r\nTo: cy@example.com\r\nSubject: raw one\r\n\r\nhello\r\n")
    ses.send_email(FromEmailAddress="robot@example.com",
                   Destination={"ToAddresses": ["cy@example.com"]},
                   Content={"Raw": {"Data": raw}})
    files = sorted(mailbox.glob("*.eml"))
    assert len(files) == 2
    first, second = (_read(path) for path in files)
    assert sent["MessageId"] in files[0].name
    assert (first["From"], first["To"], first["Cc"], first["Subject"]) == (
        "robot@example.com", "ana@example.com", "bo@example.com", "Workflow 3 failed")
    assert first.get_content().strip() == "Task load failed: disk full"
    assert (second["To"], second["Subject"]) == ("cy@example.com", "raw one")


def test_refused_mail_writes_nothing(local_aws, mailbox):
    with pytest.raises(local_aws.client("sesv2").exceptions.MessageRejected):
        local_aws.client("sesv2").send_email(
            FromEmailAddress="stranger@example.com",
            Destination={"ToAddresses": ["ana@example.com"]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})
    assert not list(mailbox.glob("*.eml"))
