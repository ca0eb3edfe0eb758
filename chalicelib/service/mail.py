"""Short service e-mails (a workflow was shared or transferred to you) through Amazon SES.

Sent only when a sender address is configured (STEPWISE_EMAIL_SENDER); a failure to send is
logged and never undoes the change the e-mail announces.
"""
from __future__ import annotations

import logging

from chalicelib import config
from chalicelib.actions import clients

log = logging.getLogger("stepwise.mail")


def send(to: list[str], subject: str, text: str) -> bool:
    """Gives whether SES accepted the message."""
    sender = config.resolve_email_sender()
    recipients = [address for address in to if address]
    if not sender or not recipients:
        return False
    try:
        clients.client("sesv2").send_email(
            FromEmailAddress=sender, Destination={"ToAddresses": recipients[:50]},
            Content={"Simple": {"Subject": {"Data": subject[:200]},
                                "Body": {"Text": {"Data": text}}}},
            **config.ses_send_options())
    except Exception as error:  # noqa: BLE001 - the share stands; the mail is best effort
        log.warning("service e-mail not sent: %s", type(error).__name__)
        return False
    return True
