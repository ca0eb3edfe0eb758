"""Users, groups and API keys.

- Admins create users and groups and change memberships. A user reads itself in full; other
  users see a user's name, username and initials only (enough to share with them).
- A user manages its own API keys; admins manage anyone's. A key's token is shown once.
- `bootstrap_admin` creates the first admin and its key when no caller exists yet (the CLI
  and local mode call it).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from chalicelib import clock
from chalicelib.errors import BadRequest, Forbidden, NotFound
from chalicelib.service import workflow_fields as fields
from chalicelib.service.auth import Caller
from chalicelib.store import principals
from chalicelib.store.models import ApiKey, Group, User

MAX_KEY_SECONDS = 10 * 366 * 24 * 3600
USER_FIELDS = frozenset({"name", "email", "username", "admin"})
KEY_FIELDS = frozenset({"expires_in", "name"})


def _require_admin(caller: Caller) -> None:
    if not caller.admin:
        raise Forbidden("Only administrators can do this.")


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()


def _new_user(body: Mapping[str, Any]) -> User:
    fields.unknown_keys(body, USER_FIELDS, "the request")
    name = fields.text(body.get("name"), "name", limit=fields.MAX_NAME, required=True,
                       single_line=True)
    email = fields.email_list([body.get("email")], "email")[0] if body.get("email") else None
    if email is None:
        raise BadRequest("'email' is required.")
    username = body.get("username") or email.split("@")[0]
    username = fields.text(username, "username", limit=64, required=True, single_line=True)
    if not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise BadRequest("'username' may hold letters, digits, '.', '-' and '_' only.")
    admin = fields.flag(body.get("admin", False), "admin")
    return principals.create_user(name=name, username=username, email=email,
                                  initials=_initials(name), admin=admin,
                                  created_at=clock.now())


def create_user(caller: Caller, body: Mapping[str, Any]) -> User:
    _require_admin(caller)
    return _new_user(body)


def get_user(caller: Caller, user_id: int) -> tuple[User, bool]:
    """Gives the user and whether the caller may see all of it."""
    record = principals.get_user(user_id)
    if record is None:
        raise NotFound()
    return record, caller.admin or caller.id == user_id


def groups_of(record: User) -> list[Group]:
    return sorted(principals.get_groups(record.group_ids or ()).values(), key=lambda g: g.id)


def _key_owner(caller: Caller, user_id: int) -> User:
    if caller.id != user_id and not caller.admin:
        raise NotFound()
    record = principals.get_user(user_id)
    if record is None:
        raise NotFound()
    return record


def create_key(caller: Caller, user_id: int, body: Mapping[str, Any]) -> tuple[ApiKey, str]:
    fields.unknown_keys(body, KEY_FIELDS, "the request")
    record = _key_owner(caller, user_id)
    seconds = body.get("expires_in")
    if not isinstance(seconds, int) or isinstance(seconds, bool) \
            or not 1 <= seconds <= MAX_KEY_SECONDS:
        raise BadRequest(f"'expires_in' is required: seconds from 1 to {MAX_KEY_SECONDS}.")
    name = fields.text(body.get("name"), "name", limit=fields.MAX_NAME, single_line=True)
    return _issue_key(record, name, seconds)


def _issue_key(record: User, name: str | None, seconds: int,
               token: str | None = None) -> tuple[ApiKey, str]:
    now = clock.now()
    expires = clock.iso(clock.parse(now) + timedelta(seconds=seconds))
    return principals.create_key(record, name=name, created_at=now, expires_at=expires,
                                 token=token)


def list_keys(caller: Caller, user_id: int) -> list[ApiKey]:
    _key_owner(caller, user_id)
    return principals.keys_of(user_id)


def revoke_key(caller: Caller, user_id: int, key_id: int) -> ApiKey:
    _key_owner(caller, user_id)
    for key in principals.keys_of(user_id):
        if int(key.id) == key_id:
            if not key.revoked_at:
                key.update(actions=[ApiKey.revoked_at.set(clock.now())])
            return key
    raise NotFound()


def create_group(caller: Caller, body: Mapping[str, Any]) -> Group:
    _require_admin(caller)
    fields.unknown_keys(body, {"name", "description"}, "the request")
    name = fields.text(body.get("name"), "name", limit=fields.MAX_NAME, required=True,
                       single_line=True)
    description = fields.text(body.get("description"), "description",
                              limit=fields.MAX_DESCRIPTION)
    return principals.create_group(name=name, description=description, created_at=clock.now())


def get_group(caller: Caller, group_id: int) -> tuple[Group, list[User]]:
    """Members and admins read a group."""
    group = principals.get_group(group_id)
    if group is None or not (caller.admin or group_id in caller.group_ids):
        raise NotFound()
    members = principals.get_users(group.member_ids or ())
    return group, [members[m] for m in sorted(members)]


def set_member(caller: Caller, group_id: int, user_id: int, member: bool) -> None:
    _require_admin(caller)
    group = principals.get_group(group_id)
    record = principals.get_user(user_id)
    if group is None or record is None:
        raise NotFound()
    principals.set_membership(group, record, member, clock.now())


def bootstrap_admin(*, name: str, email: str, username: str | None = None,
                    token: str | None = None, seconds: int = MAX_KEY_SECONDS,
                    admin: bool = True) -> tuple[User, str]:
    """Creates a user (an admin by default) and an API key for it, with no caller: for the
    first administrator (CLI, local mode); gives both."""
    if not 1 <= seconds <= MAX_KEY_SECONDS:
        raise BadRequest(f"A key lives from 1 second to {MAX_KEY_SECONDS // 86400} days.")
    record = _new_user({"name": name, "email": email, "username": username, "admin": admin})
    return record, _issue_key(record, "bootstrap", seconds, token)[1]
