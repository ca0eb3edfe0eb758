"""Permission levels on workflows: read < write < manage.

The owner has manage; a user share gives its level; a group share gives its level to every
member; the highest applies. No level means the caller may not know the workflow exists, so
`require` answers `NotFound` there and `Forbidden` only to callers who may read it.
"""
from __future__ import annotations

from chalicelib.errors import Forbidden, NotFound
from chalicelib.service.auth import Caller
from chalicelib.store.models import Workflow

RANK = {"read": 1, "write": 2, "manage": 3}
LEVELS = tuple(RANK)


def highest(levels) -> str | None:
    ranked = [level for level in levels if level in RANK]
    return max(ranked, key=RANK.__getitem__) if ranked else None


def level_on(workflow: Workflow, caller: Caller) -> str | None:
    if int(workflow.owner_id) == caller.id:
        return "manage"
    users = workflow.user_shares.as_dict()
    groups = workflow.group_shares.as_dict()
    return highest([users.get(str(caller.id))] + [groups.get(str(g)) for g in caller.group_ids])


def require(workflow: Workflow | None, caller: Caller, needed: str) -> str:
    """Gives the caller's level on `workflow`; raises unless it is at least `needed`."""
    level = level_on(workflow, caller) if workflow is not None else None
    if level is None:
        raise NotFound()
    if RANK[level] < RANK[needed]:
        raise Forbidden(f"This needs {needed} permission on the workflow; you have {level}.")
    return level
