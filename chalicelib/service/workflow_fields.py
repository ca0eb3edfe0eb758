"""Checking the fields of a workflow request body (snake_case keys) before anything is stored.

Takes: the body of POST / PUT / PATCH /workflows (already snake_cased by the API layer).
Gives: normalised values (`schedule`, `notifications` as stored, with every key present), or
raises `BadRequest` naming the field and what to send instead. The definition itself is not
checked here: an invalid definition is stored with ``valid: false`` (as Civis does).
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from chalicelib.errors import BadRequest

MAX_NAME = 255
MAX_DESCRIPTION = 10_000
MAX_DEFINITION = 256 * 1024  # DynamoDB items hold 400 KB; the rest is the workflow's fields
MAX_URL = 2048
MAX_LIST = 50
DEFAULT_TIME_ZONE = "America/Chicago"  # Civis's default for new workflows

SCHEDULE_DEFAULTS: dict[str, Any] = {
    "scheduled": None, "scheduled_days": [], "scheduled_hours": [], "scheduled_minutes": [],
    "scheduled_runs_per_hour": None, "scheduled_days_of_month": [],
}
NOTIFICATION_DEFAULTS: dict[str, Any] = {
    "urls": [], "success_email_subject": None, "success_email_body": None,
    "success_email_addresses": [], "failure_email_addresses": [],
    "stall_warning_minutes": None, "success_on": True, "failure_on": True,
    "success_email_from_name": None, "success_email_reply_to": None,
}
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}"
                    r"[A-Za-z0-9])?$")


def unknown_keys(body: Mapping[str, Any], allowed, where: str) -> None:
    """Raises BadRequest for the first key of `body` not in `allowed`, with a suggestion."""
    for key in body:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise BadRequest(f"Unknown field {key!r} in {where}.{hint} Allowed: "
                             f"{', '.join(sorted(allowed))}.")


def text(value: Any, field: str, *, limit: int, required: bool = False,
         single_line: bool = False) -> str | None:
    if value is None:
        if required:
            raise BadRequest(f"{field!r} is required.")
        return None
    if not isinstance(value, str):
        raise BadRequest(f"{field!r} must be a string.")
    if required and not value.strip():
        raise BadRequest(f"{field!r} must not be empty.")
    if len(value) > limit:
        raise BadRequest(f"{field!r} is longer than {limit} characters.")
    if single_line and any(ord(c) < 32 for c in value):
        raise BadRequest(f"{field!r} must be one line without control characters.")
    return value


def flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise BadRequest(f"{field!r} must be true or false.")
    return value


def definition(value: Any) -> str:
    checked = text(value, "definition", limit=MAX_DEFINITION)
    if checked is not None and len(checked.encode("utf-8")) > MAX_DEFINITION:
        raise BadRequest(f"'definition' is larger than {MAX_DEFINITION // 1024} KiB.")
    return checked or ""


def time_zone(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise BadRequest("'time_zone' must be an IANA time zone name such as "
                         "'America/Chicago'.")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise BadRequest(f"Unknown time zone {value!r}.{hint}") from None
    return value


def _int_list(value: Any, field: str, low: int, high: int) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise BadRequest(f"'schedule.{field}' must be a list of integers.")
    bad = [v for v in value if not low <= v <= high]
    if bad:
        raise BadRequest(f"'schedule.{field}' holds {bad[0]}; values go from {low} to {high}.")
    return sorted(set(value))


def schedule(value: Any, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Gives the stored schedule: `base` (or the defaults) updated with the given keys."""
    if not isinstance(value, Mapping):
        raise BadRequest("'schedule' must be an object.")
    unknown_keys(value, SCHEDULE_DEFAULTS, "schedule")
    result = dict(SCHEDULE_DEFAULTS if base is None else base)
    for key, item in value.items():
        if key == "scheduled":
            result[key] = None if item is None else flag(item, "schedule.scheduled")
        elif key == "scheduled_runs_per_hour":
            if item is not None and (not isinstance(item, int) or isinstance(item, bool)
                                     or not 1 <= item <= 60 or 60 % item):
                raise BadRequest("'schedule.scheduled_runs_per_hour' must divide 60 (1, 2, 3, "
                                 "4, 5, 6, 10, 12, 15, 20, 30 or 60).")
            result[key] = item
        else:
            low, high = {"scheduled_days": (0, 6), "scheduled_hours": (0, 23),
                         "scheduled_minutes": (0, 59), "scheduled_days_of_month": (1, 31)}[key]
            result[key] = _int_list(item, key, low, high)
    if result["scheduled_days"] and result["scheduled_days_of_month"]:
        raise BadRequest("'schedule.scheduled_days' and 'schedule.scheduled_days_of_month' "
                         "exclude each other; give one of them.")
    if result["scheduled_minutes"] and result["scheduled_runs_per_hour"]:
        raise BadRequest("'schedule.scheduled_minutes' and 'schedule.scheduled_runs_per_hour' "
                         "exclude each other; give the minutes past the hour (runs per hour "
                         "is deprecated).")
    if result["scheduled"]:
        if not (result["scheduled_days"] or result["scheduled_days_of_month"]):
            raise BadRequest("A scheduled workflow needs 'scheduled_days' (0 = Sunday) or "
                             "'scheduled_days_of_month'.")
        if not result["scheduled_hours"]:
            raise BadRequest("A scheduled workflow needs 'scheduled_hours'.")
    return result


def email_list(value: Any, field: str) -> list[str]:
    """Checks a list of e-mail addresses; `field` names it in messages
    (``notifications.success_email_addresses``, ``email``)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise BadRequest(f"'{field}' must be a list of at most {MAX_LIST} "
                         "e-mail addresses.")
    for address in value:
        if not isinstance(address, str) or not _EMAIL.fullmatch(address) or ".." in address:
            raise BadRequest(f"'{field}' holds {address!r}, which is not an "
                             "e-mail address.")
    return list(value)


def notifications(value: Any, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Gives the stored notifications: `base` (or the defaults) updated with the given keys."""
    if not isinstance(value, Mapping):
        raise BadRequest("'notifications' must be an object.")
    unknown_keys(value, NOTIFICATION_DEFAULTS, "notifications")
    result = dict(NOTIFICATION_DEFAULTS if base is None else base)
    for key, item in value.items():
        if key == "urls":
            if item is None:
                item = []
            if not isinstance(item, list) or len(item) > MAX_LIST or not all(
                    isinstance(u, str) and re.fullmatch(r"https?://\S+", u)
                    and len(u) <= MAX_URL for u in item):
                raise BadRequest("'notifications.urls' must be a list of http(s) URLs.")
            result[key] = list(item)
        elif key in ("success_email_addresses", "failure_email_addresses"):
            result[key] = email_list(item, f"notifications.{key}")
        elif key == "success_email_subject":
            result[key] = text(item, "notifications.success_email_subject", limit=255,
                               single_line=True)
        elif key == "success_email_from_name":
            result[key] = text(item, "notifications.success_email_from_name", limit=255,
                               single_line=True)
        elif key == "success_email_reply_to":
            result[key] = (email_list([item], "notifications.success_email_reply_to")[0]
                           if item is not None else None)
        elif key == "success_email_body":
            result[key] = text(item, "notifications.success_email_body", limit=MAX_DESCRIPTION)
        elif key == "stall_warning_minutes":
            if item is not None and (not isinstance(item, int) or isinstance(item, bool)
                                     or not 1 <= item <= 525_600):
                raise BadRequest("'notifications.stall_warning_minutes' must be a whole "
                                 "number of minutes from 1 to 525600.")
            result[key] = item
        else:  # success_on / failure_on
            result[key] = flag(item, f"notifications.{key}")
    return result
