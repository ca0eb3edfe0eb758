"""Projects and the workflows in them.

A project is readable by its owner and the users it lists. Putting a workflow in a project
(or taking it out) needs write on the workflow and read on the project; listing a workflow's
projects shows only the projects the caller may read.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib import clock
from chalicelib.errors import NotFound
from chalicelib.service import workflow_fields as fields
from chalicelib.service.auth import Caller
from chalicelib.service.workflows import get as get_workflow
from chalicelib.service.workflows import modify
from chalicelib.store import projects as store
from chalicelib.store.models import Project, Workflow


def _readable(project: Project | None, caller: Caller) -> bool:
    return project is not None and (
        int(project.owner_id) == caller.id or caller.id in set(project.user_ids or ()))


def create(caller: Caller, body: Mapping[str, Any]) -> Project:
    fields.unknown_keys(body, {"name", "description"}, "the request")
    name = fields.text(body.get("name"), "name", limit=fields.MAX_NAME, required=True)
    description = fields.text(body.get("description"), "description",
                              limit=fields.MAX_DESCRIPTION)
    return store.create(name=name, description=description, owner=caller.summary(),
                        created_at=clock.now())


def get(caller: Caller, project_id: int) -> Project:
    project = store.get(project_id)
    if not _readable(project, caller):
        raise NotFound()
    return project


def of_workflow(caller: Caller, workflow_id: int, hidden: bool | None) -> list[Project]:
    workflow = get_workflow(caller, workflow_id, "read").workflow
    found = store.get_many(workflow.project_ids or ())
    shown = [p for _, p in sorted(found.items()) if _readable(p, caller)]
    return [] if hidden else shown  # projects are never hidden


def place(caller: Caller, workflow_id: int, project_id: int, inside: bool) -> None:
    workflow = get_workflow(caller, workflow_id, "write").workflow  # 404/403 come first
    get(caller, project_id)

    def change(workflow: Workflow) -> bool:
        current = {int(p) for p in (workflow.project_ids or ())}
        current = current | {project_id} if inside else current - {project_id}
        workflow.project_ids = current or None
        return False

    modify(caller, workflow_id, "write", change, first=workflow)
