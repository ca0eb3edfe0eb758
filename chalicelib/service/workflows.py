"""Workflow use cases: create, read, replace, patch, clone, archive and list.

Every function takes the authenticated `Caller` and plain values (request fields in
snake_case), checks permissions, and gives `Shown` records (workflow + the caller's level) for
the API layer to render. Updates are read-modify-write under optimistic locking, repeated a
few times when another request wrote in between.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock, language
from chalicelib.errors import BadRequest, Conflict
from chalicelib.service import permissions, schedules
from chalicelib.service import workflow_fields as fields
from chalicelib.service.auth import Caller
from chalicelib.store import ids
from chalicelib.store import workflows as store
from chalicelib.store.models import Workflow

POST_FIELDS = frozenset({"name", "description", "from_job_chain", "definition", "schedule",
                         "allow_concurrent_executions", "time_zone", "notifications", "hidden"})
UPDATE_FIELDS = frozenset({"name", "description", "definition", "schedule",
                           "allow_concurrent_executions", "time_zone", "notifications"})
CLONE_FIELDS = frozenset({"clone_schedule", "clone_triggers", "clone_notifications"})
ATTEMPTS = 3


@dataclass(frozen=True)
class Shown:
    """A workflow as one caller sees it."""

    workflow: Workflow
    level: str


@dataclass(frozen=True)
class Page:
    items: list[Shown]
    total: int
    page_num: int
    limit: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total / self.limit)


def _validity(definition: str) -> tuple[bool, str | None]:
    problems = language.check(definition)  # an empty one too: "1:1: the definition is empty"
    if problems:
        return False, "\n".join(p.render("definition") for p in problems)
    return True, None


def _set_definition(workflow: Workflow, definition: str) -> bool:
    """Sets the definition (and its validity); gives whether it changed."""
    changed = definition != workflow.definition
    # a new workflow starts with "" and no validity: an empty definition still needs one
    if changed or not (workflow.valid or workflow.validation_errors):
        workflow.definition = definition
        workflow.valid, workflow.validation_errors = _validity(definition)
    return changed


def _derived_state(workflow: Workflow) -> None:
    if workflow.last_execution_id is None:
        scheduled = bool(workflow.schedule.as_dict().get("scheduled"))
        workflow.state = "scheduled" if scheduled else "idle"


def _apply(workflow: Workflow, body: Mapping[str, Any], *, replace: bool) -> bool:
    """Applies PUT (`replace`) or PATCH fields; gives whether the definition changed."""
    if replace:
        workflow.description = None
        workflow.schedule = dict(fields.SCHEDULE_DEFAULTS)
        workflow.allow_concurrent_executions = True
        workflow.time_zone = fields.DEFAULT_TIME_ZONE
        workflow.notifications = dict(fields.NOTIFICATION_DEFAULTS)
    changed = False
    for key, value in body.items():
        if key == "name":
            workflow.name = fields.text(value, "name", limit=fields.MAX_NAME, required=True)
        elif key == "description":
            workflow.description = fields.text(value, "description",
                                               limit=fields.MAX_DESCRIPTION)
        elif key == "definition":
            if value is None:
                raise BadRequest("'definition' cannot be null: send the workflow's YAML, or "
                                 "leave the field out to keep the current definition.")
            changed = _set_definition(workflow, fields.definition(value))
        elif key == "schedule":
            base = None if replace else workflow.schedule.as_dict()
            workflow.schedule = fields.schedule({} if value is None else value, base)
        elif key == "allow_concurrent_executions":
            workflow.allow_concurrent_executions = fields.flag(value, key)
        elif key == "time_zone":
            workflow.time_zone = fields.time_zone(value)
        elif key == "notifications":
            base = None if replace else workflow.notifications.as_dict()
            workflow.notifications = fields.notifications({} if value is None else value, base)
        elif key == "hidden":
            workflow.hidden = fields.flag(value, key)
    _derived_state(workflow)
    return changed


def _new(caller: Caller, name: str, now: str) -> Workflow:
    """A workflow owned by `caller` with Civis's defaults; its id is set when it is stored."""
    return Workflow(
        0, name=name, owner_id=caller.id, author=caller.summary(),
        schedule=dict(fields.SCHEDULE_DEFAULTS), notifications=dict(fields.NOTIFICATION_DEFAULTS),
        time_zone=fields.DEFAULT_TIME_ZONE, user_shares={}, group_shares={},
        created_at=now, updated_at=now, definition_version=1)


def create(caller: Caller, body: Mapping[str, Any]) -> Shown:
    fields.unknown_keys(body, POST_FIELDS, "the request")
    if body.get("from_job_chain") is not None:
        raise BadRequest("'from_job_chain' needs Civis job chains, which Stepwise does not "
                         "have; send the workflow YAML as 'definition' instead.")
    name = fields.text(body.get("name"), "name", limit=fields.MAX_NAME, required=True)
    if body.get("definition") is None:
        raise BadRequest("'definition' is required: the workflow's YAML.")
    workflow = _new(caller, name, clock.now())
    _apply(workflow, {k: v for k, v in body.items() if k != "from_job_chain"}, replace=True)
    workflow.id = ids.allocate("workflow")  # only once the request is known to be good
    store.save(workflow, before=None, new_definition=True, author_id=caller.id)
    if schedules.wanted(workflow):
        schedules.sync(workflow)
    return Shown(workflow, "manage")


def get(caller: Caller, workflow_id: int, needed: str = "read") -> Shown:
    workflow = store.get(workflow_id)
    level = permissions.require(workflow, caller, needed)
    return Shown(workflow, level)


def modify(caller: Caller, workflow_id: int, needed: str,
           change: Callable[[Workflow], bool], *, first: Workflow | None = None) -> Shown:
    """Read, check `needed`, apply `change` (gives: new definition?), write; retried on races.

    `first` is the workflow as the caller has just read it: the first attempt starts from it
    instead of reading it again (a stale `first` fails the write's version check, and the
    next attempt reads afresh).
    """
    for attempt in range(ATTEMPTS):
        if attempt == 0 and first is not None:
            shown = Shown(first, permissions.require(first, caller, needed))
        else:
            shown = get(caller, workflow_id, needed)
        workflow = shown.workflow
        before = store.principals_of(workflow)
        old_version = int(workflow.definition_version)
        new_definition = change(workflow)
        if new_definition:
            workflow.definition_version = old_version + 1
        workflow.updated_at = clock.now()
        try:
            store.save(workflow, before=before, new_definition=new_definition,
                       author_id=caller.id)
        except Conflict:
            if attempt == ATTEMPTS - 1:
                raise
            continue
        return Shown(workflow, permissions.level_on(workflow, caller) or shown.level)
    raise AssertionError("unreachable")


def modify_scheduled(caller: Caller, workflow_id: int, needed: str,
                     change: Callable[[Workflow], bool]) -> Shown:
    """`modify`, then the workflow's EventBridge Scheduler schedule follows the stored
    workflow when it had or has one (`schedules.sync`)."""
    had: list[bool] = [False]

    def changed(workflow: Workflow) -> bool:
        had[0] = bool(schedules.wanted(workflow))  # as read by this attempt
        return change(workflow)

    shown = modify(caller, workflow_id, needed, changed)
    if had[0] or schedules.wanted(shown.workflow):
        schedules.sync(shown.workflow)
    return shown


def replace(caller: Caller, workflow_id: int, body: Mapping[str, Any]) -> Shown:
    fields.unknown_keys(body, UPDATE_FIELDS, "the request")
    if body.get("name") is None:
        raise BadRequest("'name' is required.")
    return modify_scheduled(caller, workflow_id, "write",
                            lambda w: _apply(w, body, replace=True))


def patch(caller: Caller, workflow_id: int, body: Mapping[str, Any]) -> Shown:
    fields.unknown_keys(body, UPDATE_FIELDS, "the request")
    return modify_scheduled(caller, workflow_id, "write",
                            lambda w: _apply(w, body, replace=False))


def archive(caller: Caller, workflow_id: int, body: Mapping[str, Any]) -> Shown:
    fields.unknown_keys(body, {"status"}, "the request")
    status = fields.flag(body.get("status"), "status")

    def change(workflow: Workflow) -> bool:
        workflow.archived = status
        return False

    return modify_scheduled(caller, workflow_id, "write", change)


def clone(caller: Caller, workflow_id: int, body: Mapping[str, Any]) -> Shown:
    fields.unknown_keys(body, CLONE_FIELDS, "the request")
    options = {key: fields.flag(body.get(key, False), key) for key in CLONE_FIELDS}
    source = get(caller, workflow_id, "read").workflow
    now = clock.now()
    name = f"Clone of Workflow {source.id} {source.name}"[:fields.MAX_NAME]
    workflow = _new(caller, name, now)
    workflow.description = source.description
    workflow.definition = source.definition
    workflow.valid, workflow.validation_errors = source.valid, source.validation_errors
    workflow.allow_concurrent_executions = source.allow_concurrent_executions
    workflow.time_zone = source.time_zone
    if options["clone_schedule"]:
        workflow.schedule = source.schedule.as_dict()
    if options["clone_notifications"]:
        workflow.notifications = source.notifications.as_dict()
    elif caller.email:  # as Civis: a clone notifies its new owner
        workflow.notifications = dict(fields.NOTIFICATION_DEFAULTS,
                                      success_email_addresses=[caller.email],
                                      failure_email_addresses=[caller.email])
    _derived_state(workflow)
    workflow.id = ids.allocate("workflow")
    store.save(workflow, before=None, new_definition=True, author_id=caller.id)
    if schedules.wanted(workflow):
        schedules.sync(workflow)
    return Shown(workflow, "manage")


# -- lists ---------------------------------------------------------------------------------------

ORDERS = ("updated_at", "name", "created_at")
STATES = ("queued", "running", "succeeded", "failed", "cancelled", "idle", "scheduled")


@dataclass(frozen=True)
class ListQuery:
    hidden: bool = False
    archived: str = "false"  # "true" | "false" | "all"
    author: frozenset[int] | None = None
    states: frozenset[str] = frozenset()
    scheduled: bool | None = None
    limit: int = 20
    page_num: int = 1
    order: str = "updated_at"
    order_dir: str = "desc"


def list_workflows(caller: Caller, query: ListQuery) -> Page:
    """One page of the workflows the caller may read, filtered and ordered as asked.

    Reads one access partition per principal (the caller, then each of its groups), filters
    and sorts those small records, then fetches only the page's workflows.
    """
    entries: dict[int, Any] = {}
    levels: dict[int, str] = {}
    for principal in caller.principals():
        for entry in store.access_entries(principal):
            workflow_id = int(entry.workflow_id)
            entries.setdefault(workflow_id, entry)
            levels[workflow_id] = permissions.highest([levels.get(workflow_id), entry.level])
    chosen = [e for e in entries.values() if _matches(e, query)]
    chosen.sort(key=lambda e: (_sort_value(e, query.order), int(e.workflow_id)),
                reverse=query.order_dir == "desc")
    start = (query.page_num - 1) * query.limit
    page_ids = [int(e.workflow_id) for e in chosen[start:start + query.limit]]
    found = store.get_many(page_ids)
    items = [Shown(found[i], levels[i]) for i in page_ids if i in found]
    return Page(items, len(chosen), query.page_num, query.limit)


def _sort_value(entry: Any, order: str) -> str:
    value = getattr(entry, order)
    return value.lower() if order == "name" else value


def _matches(entry: Any, query: ListQuery) -> bool:
    if bool(entry.hidden) != query.hidden:
        return False
    if query.archived != "all" and bool(entry.archived) != (query.archived == "true"):
        return False
    if query.author is not None and int(entry.owner_id) not in query.author:
        return False
    if query.states and entry.state not in query.states:
        return False
    return query.scheduled is None or bool(entry.scheduled) == query.scheduled
