"""std.email: one message sent through Amazon SES (API v2) instead of Mistral's SMTP server.

Takes (`build_email`): the action input — `to_addrs` (required: a list of addresses, or one
address), `cc_addrs`, `bcc_addrs`, `reply_to` (lists or one address), `subject`, `body` (text),
`html_body`, `from_addr` (default: the configured sender). Mistral's SMTP settings
(`smtp_server`, `smtp_password`) are accepted and ignored; they are never echoed.
Gives (`send`): the SES message id. Raises `ActionInputError` for bad input (addresses must be
plain `local@domain`: one "@", no whitespace, control or bracket characters, at most 254
characters, at most 50 recipients in all), `EmailNotSent` when SES refuses.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import config

from . import clients
from .errors import ActionInputError, EmailNotSent

MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_LENGTH = 64
MAX_RECIPIENTS = 50

_KNOWN = frozenset({"to_addrs", "cc_addrs", "bcc_addrs", "reply_to", "subject", "body",
                    "html_body", "from_addr"})
_IGNORED = frozenset({"smtp_server", "smtp_password"})
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")


@dataclass(frozen=True)
class Email:
    """A validated message."""

    sender: str
    to: list[str]
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]
    subject: str
    body: str
    html_body: str | None


def validate_address(value: object, field: str = "address") -> str:
    """Takes one address; gives it back, or raises ActionInputError saying what is wrong."""
    if not isinstance(value, str) or not value:
        raise ActionInputError(f"'{field}' must hold non-empty address strings")
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise ActionInputError(f"an address in '{field}' contains a line break or control "
                               "character")
    if len(value) > MAX_ADDRESS_LENGTH:
        raise ActionInputError(f"an address in '{field}' is longer than {MAX_ADDRESS_LENGTH} "
                               "characters")
    if value.count("@") != 1:
        raise ActionInputError(f"address {value!r} in '{field}' must contain exactly one '@'")
    local, domain = value.split("@")
    if (not local or len(local) > MAX_LOCAL_LENGTH or not _LOCAL.match(local)
            or local.startswith(".") or local.endswith(".") or ".." in local):
        raise ActionInputError(f"address {value!r} in '{field}' has an invalid local part")
    if not _DOMAIN.match(domain):
        raise ActionInputError(f"address {value!r} in '{field}' has an invalid domain")
    return value


def _addresses(params: Mapping[str, Any], field: str, required: bool = False) -> list[str]:
    value = params.get(field)
    if value is None or value == []:
        if required:
            raise ActionInputError(f"'{field}' is required: a list of email addresses")
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ActionInputError(f"'{field}' must be a list of email addresses")
    return [validate_address(item, field) for item in items]


def _text(params: Mapping[str, Any], field: str) -> str | None:
    value = params.get(field)
    if value is None or isinstance(value, str):
        return value
    raise ActionInputError(f"'{field}' must be a string")


def build_email(params: Mapping[str, Any], default_sender: str | None = None) -> Email:
    """Takes the std.email input and the configured sender; gives the validated Email."""
    if not isinstance(params, Mapping):
        raise ActionInputError("std.email input must be an object")
    unknown = sorted(set(params) - _KNOWN - _IGNORED)
    if unknown:
        raise ActionInputError(f"std.email does not take {', '.join(map(repr, unknown))}")
    to = _addresses(params, "to_addrs", required=True)
    cc = _addresses(params, "cc_addrs")
    bcc = _addresses(params, "bcc_addrs")
    if len(to) + len(cc) + len(bcc) > MAX_RECIPIENTS:
        raise ActionInputError(f"std.email takes at most {MAX_RECIPIENTS} recipients in all")
    sender = params.get("from_addr") or default_sender
    if sender is None:
        raise ActionInputError(
            f"'from_addr' is required when no default sender is configured ({config.EMAIL_SENDER})"
        )
    subject = _text(params, "subject") or ""
    if "\r" in subject or "\n" in subject:
        raise ActionInputError("'subject' must be one line")
    return Email(
        sender=validate_address(sender, "from_addr"), to=to, cc=cc, bcc=bcc,
        reply_to=_addresses(params, "reply_to"), subject=subject,
        body=_text(params, "body") or "", html_body=_text(params, "html_body"),
    )


def send(params: Mapping[str, Any], *, client: Any = None) -> str:
    """Sends the std.email input through SES v2; gives the message id."""
    email = build_email(params, config.resolve_email_sender())
    destination: dict[str, list[str]] = {"ToAddresses": email.to}
    if email.cc:
        destination["CcAddresses"] = email.cc
    if email.bcc:
        destination["BccAddresses"] = email.bcc
    body: dict[str, Any] = {"Text": {"Data": email.body, "Charset": "UTF-8"}}
    if email.html_body is not None:
        body["Html"] = {"Data": email.html_body, "Charset": "UTF-8"}
    request: dict[str, Any] = {
        "FromEmailAddress": email.sender,
        "Destination": destination,
        "Content": {"Simple": {"Subject": {"Data": email.subject, "Charset": "UTF-8"},
                               "Body": body}},
    }
    if email.reply_to:
        request["ReplyToAddresses"] = email.reply_to
    request.update(config.ses_send_options())
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = (client or clients.client("sesv2")).send_email(**request)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise EmailNotSent(f"SES refused the message: {details.get('Code', 'error')}: "
                           f"{details.get('Message', '')}") from None
    except BotoCoreError as error:
        raise EmailNotSent(f"SES could not be reached: {type(error).__name__}") from None
    return str(answer["MessageId"])
