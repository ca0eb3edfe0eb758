"""Authentication: an API key in the Authorization header → the calling user.

Accepted forms: ``Basic base64(KEY:)`` (what the civis client sends; the key may also be the
password with an empty user name) and ``Bearer KEY``. Anything else, an unknown key, a revoked
or an expired one raises `Unauthorized` with the same message, so a caller learns nothing
about which keys exist. One GetItem: the key item carries what authorisation needs.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from chalicelib import clock
from chalicelib.errors import Unauthorized
from chalicelib.store import principals
from chalicelib.store import workflows as workflow_store

_INVALID = "Missing, unknown, revoked or expired API key."


@dataclass(frozen=True)
class Caller:
    """The authenticated user of one request."""

    id: int
    name: str
    username: str
    initials: str
    email: str
    admin: bool
    group_ids: frozenset[int]

    def principals(self) -> list[str]:
        """The access partitions this caller reads through: itself, then its groups."""
        return [workflow_store.user_principal(self.id)] + [
            workflow_store.group_principal(g) for g in sorted(self.group_ids)]

    def summary(self) -> dict:
        return {"id": self.id, "name": self.name, "username": self.username,
                "initials": self.initials}


def _token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, password = decoded.partition(":")
        return user or password or None
    return None


def authenticate(authorization: str | None) -> Caller:
    """Gives the caller an Authorization header value names; raises `Unauthorized`."""
    token = _token(authorization)
    if not token or len(token) > 200:
        raise Unauthorized(_INVALID)
    key = principals.key_by_token(token)
    if key is None or key.revoked_at or key.expires_at <= clock.now():
        raise Unauthorized(_INVALID)
    return caller_from_snapshot(key.principal.as_dict())


def caller_from_snapshot(snapshot: dict) -> Caller:
    return Caller(id=int(snapshot["id"]), name=snapshot["name"],
                  username=snapshot["username"], initials=snapshot.get("initials", ""),
                  email=snapshot.get("email", ""), admin=bool(snapshot.get("admin")),
                  group_ids=frozenset(int(g) for g in snapshot.get("group_ids") or ()))
