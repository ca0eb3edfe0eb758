"""Permission levels on in-memory workflows: owner, user shares, group shares, the highest."""
from __future__ import annotations

import pytest

from chalicelib.errors import Forbidden, NotFound
from chalicelib.service.auth import Caller
from chalicelib.service.permissions import LEVELS, highest, level_on, require
from chalicelib.store.models import Workflow


def caller(user_id: int, *groups: int) -> Caller:
    return Caller(id=user_id, name=f"U{user_id}", username=f"u{user_id}", initials="U",
                  email=f"u{user_id}@example.com", admin=False, group_ids=frozenset(groups))


def workflow(owner: int = 1, users: dict | None = None, groups: dict | None = None) -> Workflow:
    return Workflow(10, name="wf", owner_id=owner, user_shares=users or {},
                    group_shares=groups or {}, created_at="t", updated_at="t")


def test_levels_are_ordered():
    assert LEVELS == ("read", "write", "manage")
    assert highest(["read", "manage", "write"]) == "manage"
    assert highest([None, "read", None]) == "read"
    assert highest(["write", "bogus"]) == "write"
    assert highest([]) is None and highest([None, "bogus"]) is None


def test_the_owner_manages():
    assert level_on(workflow(owner=1), caller(1)) == "manage"
    # even when a (stale) share names the owner at a lower level
    assert level_on(workflow(owner=1, users={"1": "read"}), caller(1)) == "manage"


def test_strangers_have_no_level():
    assert level_on(workflow(owner=1, users={"2": "write"}, groups={"7": "read"}),
                    caller(3, 8)) is None


@pytest.mark.parametrize("level", LEVELS)
def test_a_user_share_gives_its_level(level):
    assert level_on(workflow(users={"2": level}), caller(2)) == level


@pytest.mark.parametrize("level", LEVELS)
def test_a_group_share_gives_its_level_to_members(level):
    assert level_on(workflow(groups={"7": level}), caller(2, 7)) == level
    assert level_on(workflow(groups={"7": level}), caller(2, 8)) is None


@pytest.mark.parametrize(("user", "group_levels", "expected"), [
    ("read", ["write"], "write"), ("manage", ["read"], "manage"),
    (None, ["read", "manage", "write"], "manage"), ("write", [], "write"),
    (None, ["read", "read"], "read"),
])
def test_the_highest_share_applies(user, group_levels, expected):
    groups = {str(g): level for g, level in enumerate(group_levels, start=20)}
    users = {"2": user} if user else {}
    member = caller(2, *range(20, 20 + len(group_levels)))
    assert level_on(workflow(users=users, groups=groups), member) == expected


def test_shares_of_other_ids_do_not_leak():
    shares = workflow(users={"22": "manage"}, groups={"33": "manage"})
    assert level_on(shares, caller(2, 3)) is None  # 22 and 33 are not 2 and 3
    assert level_on(shares, caller(33)) is None  # a user id is not a group id


@pytest.mark.parametrize(("have", "needed"), [
    ("read", "read"), ("write", "read"), ("write", "write"), ("manage", "read"),
    ("manage", "write"), ("manage", "manage")])
def test_require_gives_the_level_when_enough(have, needed):
    assert require(workflow(users={"2": have}), caller(2), needed) == have


@pytest.mark.parametrize(("have", "needed"), [
    ("read", "write"), ("read", "manage"), ("write", "manage")])
def test_require_forbids_readers_who_need_more(have, needed):
    with pytest.raises(Forbidden) as raised:
        require(workflow(users={"2": have}), caller(2), needed)
    assert raised.value.message == (f"This needs {needed} permission on the workflow; you have "
                                    f"{have}.")
    assert raised.value.status == 403


@pytest.mark.parametrize("needed", LEVELS)
def test_require_hides_workflows_from_those_without_a_level(needed):
    with pytest.raises(NotFound) as raised:
        require(workflow(owner=1), caller(2), needed)
    assert raised.value.status == 404
    with pytest.raises(NotFound):
        require(None, caller(1), needed)
