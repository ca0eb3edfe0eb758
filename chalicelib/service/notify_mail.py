"""Notification e-mails: Markdown rendered safely, one MIME message, sent through SES v2.

Takes: recipients, a subject, a Markdown body. Gives (`send`): the SES message id, or raises
`DeliveryFailed` (retriable for throttling and SES server errors, not for a rejected message
or a missing sender).

- The body is sent twice, as written (text/plain) and rendered by Python-Markdown
  (text/html). Raw HTML in the Markdown is not passed through: it shows as text, and links
  and images keep only http, https and mailto URLs, so a workflow's author cannot put script
  into the e-mail.
- Headers are built by the standard library's `email` package: a subject, sender name or
  reply-to address with a line break is refused (`DeliveryFailed`), and the sender's display
  name is quoted as RFC 5322 needs (`"Ops, Nightly" <sender>`).
"""
from __future__ import annotations

import email.policy
import html
from email.headerregistry import Address
from email.message import EmailMessage
from xml.etree.ElementTree import Element

import markdown
from markdown import util
from markdown.treeprocessors import Treeprocessor

from chalicelib import config
from chalicelib.actions import clients
from chalicelib.errors import DeliveryFailed

FROM_NAME = "Stepwise"
SAFE_SCHEMES = ("http:", "https:", "mailto:")
MAX_RECIPIENTS = 50
RETRIABLE_CODES = frozenset({"TooManyRequestsException", "Throttling", "ThrottlingException",
                             "LimitExceededException", "ServiceUnavailable",
                             "InternalFailure"})


class _SafeLinks(Treeprocessor):
    """Drops `href` and `src` values that are not http(s) or mailto URLs."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                # automatic mail links hide their address behind entities
                shown = html.unescape((value or "").replace(util.AMP_SUBSTITUTE, "&"))
                shown = shown.strip().lower()
                if value is not None and not shown.startswith(SAFE_SCHEMES):
                    del element.attrib[attribute]


def render_markdown(text: str) -> str:
    """Takes Markdown; gives HTML with no raw HTML of the author's and only safe links."""
    renderer = markdown.Markdown(output_format="html")
    renderer.preprocessors.deregister("html_block")
    renderer.inlinePatterns.deregister("html")
    renderer.treeprocessors.register(_SafeLinks(renderer), "safe_links", 15)
    return renderer.convert(text)


def one_line(text: str, field: str) -> str:
    """Gives `text` if it is one line; raises DeliveryFailed (not retriable) otherwise."""
    if any(char in text for char in "\r\n\x00"):
        raise DeliveryFailed(f"The e-mail {field} holds a line break; it was not sent.",
                             retriable=False)
    return text


def compose(sender: str, to: list[str], subject: str, markdown_body: str,
            from_name: str | None = None, reply_to: str | None = None) -> EmailMessage:
    """Takes the sender address, recipients, subject, Markdown body, and optionally the
    sender's display name (default "Stepwise") and a reply-to address; gives the message."""
    message = EmailMessage(policy=email.policy.SMTP)
    local, _, domain = sender.partition("@")
    message["From"] = Address(display_name=one_line(from_name or FROM_NAME, "sender name"),
                              username=local, domain=domain)
    message["To"] = ", ".join(to)
    if reply_to:
        message["Reply-To"] = one_line(reply_to, "reply-to address")
    message["Subject"] = one_line(subject, "subject")
    message.set_content(markdown_body)
    rendered = render_markdown(markdown_body)
    message.add_alternative(f"<!DOCTYPE html>\n<html><body>\n{rendered}\n</body></html>\n",
                            subtype="html")
    return message


def send(to: list[str], subject: str, markdown_body: str, from_name: str | None = None,
         reply_to: str | None = None) -> str:
    """Sends one message to `to` (at most 50 addresses); gives the SES message id."""
    sender = config.resolve_email_sender()
    if not sender:
        raise DeliveryFailed(f"No sender address is configured ({config.EMAIL_SENDER}).",
                             retriable=False)
    if not to:
        raise DeliveryFailed("The e-mail has no recipients.", retriable=False)
    message = compose(sender, to[:MAX_RECIPIENTS], subject, markdown_body, from_name,
                      reply_to)
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = clients.client("sesv2").send_email(
            FromEmailAddress=sender, Destination={"ToAddresses": to[:MAX_RECIPIENTS]},
            Content={"Raw": {"Data": message.as_bytes()}}, **config.ses_send_options())
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        raise DeliveryFailed(f"SES refused the message: {code}",
                             retriable=code in RETRIABLE_CODES or status >= 500) from None
    except BotoCoreError as error:
        raise DeliveryFailed(f"SES could not be reached: {type(error).__name__}",
                             retriable=True) from None
    return str(answer["MessageId"])
