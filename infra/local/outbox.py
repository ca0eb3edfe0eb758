"""Mail sent through the local SES, kept as files a user can open.

moto's SES accepts `SendEmail` (v1 and v2, simple and raw content) from verified identities and
keeps the messages in memory only. In local mode `install(directory)` also writes each
accepted message to ``directory/<UTC time>-<message id>.eml`` (RFC 5322; raw messages as
sent), so the e-mails workflows and the service send can be read in any mail client.

Takes: a directory (created if missing). Gives: `install(directory)`, `uninstall()`.
"""
from __future__ import annotations

import datetime
import email.message
import email.policy
import email.utils
import functools
import logging
import threading
from pathlib import Path
from typing import Any

from infra.local.moto_guard import require

logger = logging.getLogger(__name__)
_MODULE = "moto.ses.models"
_lock = threading.Lock()
_originals: dict[str, Any] = {}


def _file(directory: Path, message_id: str) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    safe = "".join(c for c in message_id if c.isalnum() or c in "-_")[:80]
    return directory / f"{stamp}-{safe}.eml"


def _simple(message: Any) -> bytes:
    mail = email.message.EmailMessage(policy=email.policy.SMTP)
    mail["Message-ID"] = f"<{message.id}@local.stepwise>"
    mail["Date"] = email.utils.format_datetime(datetime.datetime.now(datetime.UTC))
    mail["From"] = message.source
    for header, key in (("To", "ToAddresses"), ("Cc", "CcAddresses"),
                        ("Bcc", "BccAddresses")):
        if message.destinations.get(key):
            mail[header] = ", ".join(message.destinations[key])
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    return mail.as_bytes()


def _write(directory: Path, message: Any) -> None:
    try:
        raw = getattr(message, "raw_data", None)
        data = raw.encode() if isinstance(raw, str) else raw if raw else _simple(message)
        _file(directory, message.id).write_bytes(data)
    except Exception:  # noqa: BLE001 - the message was sent; only its copy is missing
        logger.exception("could not write message %s to the outbox", message.id)


def install(directory: Path) -> None:
    """Writes every message the local SES accepts from now on to `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    backend = require(_MODULE, "SESBackend")
    with _lock:
        for name in ("send_email", "send_raw_email"):
            original = _originals.setdefault(name, getattr(backend, name))

            def keeping(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                message = _original(self, *args, **kwargs)
                _write(directory, message)
                return message

            setattr(backend, name, functools.wraps(original)(keeping))


def uninstall() -> None:
    backend = require(_MODULE, "SESBackend")
    with _lock:
        for name, original in _originals.items():
            setattr(backend, name, original)
        _originals.clear()
