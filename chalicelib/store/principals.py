"""Users, groups, group memberships and API keys.

- A user's groups are kept on both sides (`User.group_ids`, `Group.member_ids`) and on each of
  the user's API keys (`ApiKey.principal`), written in one transaction, so authenticating and
  authorising a request needs only the key item.
- Keys are stored by the SHA-256 of their token; the token is shown once, at creation.
"""
from __future__ import annotations

import hashlib
import secrets

from pynamodb.exceptions import TransactWriteError

from chalicelib.errors import Conflict
from chalicelib.store import ids
from chalicelib.store.models import ApiKey, Group, User, transaction

TOKEN_PREFIX = "sw_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def principal_snapshot(user: User) -> dict:
    """What authorisation needs about `user`, as stored on each of its keys."""
    return {"id": int(user.id), "name": user.name, "username": user.username,
            "initials": user.initials, "email": user.email, "admin": bool(user.admin),
            "group_ids": sorted(int(g) for g in (user.group_ids or ()))}


def get_user(user_id: int) -> User | None:
    try:
        return User.get(user_id)
    except User.DoesNotExist:
        return None


def get_users(user_ids) -> dict[int, User]:
    wanted = sorted({int(u) for u in user_ids})
    return {int(u.id): u for u in User.batch_get(wanted)} if wanted else {}


def create_user(*, name: str, username: str, email: str, initials: str,
                admin: bool, created_at: str) -> User:
    user = User(ids.allocate("user"), name=name, username=username, email=email,
                initials=initials, admin=admin, created_at=created_at)
    try:
        with transaction() as writes:
            ids.claim_name(writes, "username", username, int(user.id))
            writes.save(user, condition=User.id.does_not_exist())
    except TransactWriteError:
        raise Conflict(f"The username {username!r} is already taken.") from None
    return user


def get_group(group_id: int) -> Group | None:
    try:
        return Group.get(group_id)
    except Group.DoesNotExist:
        return None


def get_groups(group_ids) -> dict[int, Group]:
    wanted = sorted({int(g) for g in group_ids})
    return {int(g.id): g for g in Group.batch_get(wanted)} if wanted else {}


def create_group(*, name: str, description: str | None, created_at: str) -> Group:
    group = Group(ids.allocate("group"), name=name, description=description,
                  created_at=created_at, updated_at=created_at)
    group.save(condition=Group.id.does_not_exist())
    return group


def set_membership(group: Group, user: User, member: bool, at: str) -> None:
    """Adds `user` to `group` (or removes it) on both sides and on the user's keys."""
    if member:
        group_actions = [Group.member_ids.add({int(user.id)})]
        user_actions = [User.group_ids.add({int(group.id)})]
        groups = set(user.group_ids or ()) | {int(group.id)}
    else:
        group_actions = [Group.member_ids.delete({int(user.id)})]
        user_actions = [User.group_ids.delete({int(group.id)})]
        groups = set(user.group_ids or ()) - {int(group.id)}
    user.group_ids = groups or None
    snapshot = principal_snapshot(user)
    keys = list(ApiKey.by_user.query(int(user.id)))
    with transaction() as writes:
        writes.update(group, actions=group_actions + [Group.updated_at.set(at)])
        writes.update(User(int(user.id)), actions=user_actions,
                           condition=User.id.exists())
        for key in keys[:90]:
            writes.update(key, actions=[ApiKey.principal.set(snapshot)])
    for key in keys[90:]:  # more keys than one transaction holds: rare, written after
        key.update(actions=[ApiKey.principal.set(snapshot)])


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def create_key(user: User, *, name: str | None, created_at: str, expires_at: str,
               token: str | None = None) -> tuple[ApiKey, str]:
    """Stores a new key of `user`; gives the key and its token (never stored)."""
    token = token or new_token()
    key = ApiKey(hash_token(token), id=ids.allocate("api_key"), user_id=int(user.id),
                 name=name, principal=principal_snapshot(user), created_at=created_at,
                 expires_at=expires_at)
    key.save(condition=ApiKey.key_hash.does_not_exist())
    return key, token


def key_by_token(token: str) -> ApiKey | None:
    try:
        return ApiKey.get(hash_token(token))
    except ApiKey.DoesNotExist:
        return None


def keys_of(user_id: int) -> list[ApiKey]:
    return list(ApiKey.by_user.query(user_id, scan_index_forward=False))
