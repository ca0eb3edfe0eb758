"""Projects: folders that group workflows; a workflow lists its projects in `project_ids`."""
from __future__ import annotations

from chalicelib.store import ids
from chalicelib.store.models import Project


def get(project_id: int) -> Project | None:
    try:
        return Project.get(project_id)
    except Project.DoesNotExist:
        return None


def get_many(project_ids) -> dict[int, Project]:
    wanted = sorted({int(p) for p in project_ids})
    return {int(p.id): p for p in Project.batch_get(wanted)} if wanted else {}


def create(*, name: str, description: str | None, owner: dict, created_at: str) -> Project:
    project = Project(ids.allocate("project"), name=name, description=description,
                      owner_id=int(owner["id"]), author=owner, created_at=created_at,
                      updated_at=created_at)
    project.save(condition=Project.id.does_not_exist())
    return project
