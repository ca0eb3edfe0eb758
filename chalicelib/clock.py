"""Time as the API shows it: UTC, milliseconds, ``2026-04-17T18:37:30.000Z`` (Civis's format)."""
from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    """Gives `moment` (aware) in the API's format."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def now() -> str:
    """Gives the current time in the API's format."""
    return iso(datetime.now(UTC))


def parse(text: str) -> datetime:
    """Gives the aware datetime of a timestamp written by `iso`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def epoch_iso(seconds: int) -> str:
    """Gives the Unix time `seconds` in the API's format."""
    return iso(datetime.fromtimestamp(seconds, UTC))
