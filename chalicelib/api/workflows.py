"""Civis-compatible /workflows routes (seed 004): parse, call one service function, render."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api import views
from chalicelib.api.http import (
    ApiRequest,
    Rendered,
    endpoint,
    int_param,
    paginated,
    query_flag,
    query_int,
)
from chalicelib.errors import BadRequest
from chalicelib.service import projects, shares, workflows
from chalicelib.service.auth import Caller

bp = Blueprint(__name__)


def _list_query(request: ApiRequest) -> workflows.ListQuery:
    archived = (request.get("archived") or "false").lower()
    if archived not in ("true", "false", "all"):
        raise BadRequest("Query parameter 'archived' must be true, false or all.")
    states = frozenset(s for value in request.getlist("state") for s in value.split(",") if s)
    unknown = sorted(states - set(workflows.STATES))
    if unknown:
        raise BadRequest(f"Unknown state {unknown[0]!r}; one of {', '.join(workflows.STATES)}.")
    author = request.get("author")
    authors = None
    if author:
        try:
            authors = frozenset(int(a) for a in author.split(",") if a.strip())
        except ValueError:
            raise BadRequest("Query parameter 'author' must be comma-separated user ids.") \
                from None
    order = request.get("order") or "updated_at"
    order_dir = (request.get("order_dir") or "desc").lower()
    if order not in workflows.ORDERS:
        raise BadRequest(f"Query parameter 'order' must be one of {', '.join(workflows.ORDERS)}.")
    if order_dir not in ("asc", "desc"):
        raise BadRequest("Query parameter 'order_dir' must be asc or desc.")
    return workflows.ListQuery(
        hidden=bool(query_flag(request, "hidden")), archived=archived, author=authors,
        states=states, scheduled=query_flag(request, "scheduled"),
        limit=query_int(request, "limit", 20, 1, 50),
        page_num=query_int(request, "page_num", 1, 1, 1_000_000), order=order,
        order_dir=order_dir)


@endpoint(bp, "/workflows", ["GET"])
def list_workflows(request: ApiRequest, caller: Caller) -> Rendered:
    page = workflows.list_workflows(caller, _list_query(request))
    return paginated([views.workflow_summary(s.workflow) for s in page.items],
                     limit=page.limit, page_num=page.page_num, total=page.total,
                     pages=page.total_pages)


@endpoint(bp, "/workflows", ["POST"], status=201)
def post_workflow(request: ApiRequest, caller: Caller) -> dict:
    return views.workflow_detail(workflows.create(caller, request.body))


@endpoint(bp, "/workflows/{id}", ["GET"])
def get_workflow(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.workflow_detail(workflows.get(caller, int_param(id)))


@endpoint(bp, "/workflows/{id}", ["PUT"])
def put_workflow(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.workflow_detail(workflows.replace(caller, int_param(id), request.body))


@endpoint(bp, "/workflows/{id}", ["PATCH"])
def patch_workflow(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.workflow_detail(workflows.patch(caller, int_param(id), request.body))


@endpoint(bp, "/workflows/{id}/clone", ["POST"], status=201)
def clone_workflow(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.workflow_detail(workflows.clone(caller, int_param(id), request.body))


@endpoint(bp, "/workflows/{id}/archive", ["PUT"])
def archive_workflow(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.workflow_detail(workflows.archive(caller, int_param(id), request.body))


@endpoint(bp, "/workflows/{id}/projects", ["GET"])
def list_projects(request: ApiRequest, caller: Caller, id: str) -> list:
    found = projects.of_workflow(caller, int_param(id), query_flag(request, "hidden"))
    return [views.project(p) for p in found]


@endpoint(bp, "/workflows/{id}/projects/{project_id}", ["PUT"])
def put_project(request: ApiRequest, caller: Caller, id: str, project_id: str) -> None:
    projects.place(caller, int_param(id), int_param(project_id, "project"), inside=True)


@endpoint(bp, "/workflows/{id}/projects/{project_id}", ["DELETE"])
def delete_project(request: ApiRequest, caller: Caller, id: str, project_id: str) -> None:
    projects.place(caller, int_param(id), int_param(project_id, "project"), inside=False)


@endpoint(bp, "/workflows/{id}/shares", ["GET"])
def list_shares(request: ApiRequest, caller: Caller, id: str) -> list:
    return shares.list_shares(caller, int_param(id))


@endpoint(bp, "/workflows/{id}/shares/users", ["PUT"])
def put_user_shares(request: ApiRequest, caller: Caller, id: str) -> dict:
    return shares.put_shares(caller, int_param(id), "users", request.body)


@endpoint(bp, "/workflows/{id}/shares/groups", ["PUT"])
def put_group_shares(request: ApiRequest, caller: Caller, id: str) -> dict:
    return shares.put_shares(caller, int_param(id), "groups", request.body)


@endpoint(bp, "/workflows/{id}/shares/users/{user_id}", ["DELETE"])
def delete_user_share(request: ApiRequest, caller: Caller, id: str, user_id: str) -> None:
    shares.delete_share(caller, int_param(id), "users", int_param(user_id, "user"))


@endpoint(bp, "/workflows/{id}/shares/groups/{group_id}", ["DELETE"])
def delete_group_share(request: ApiRequest, caller: Caller, id: str, group_id: str) -> None:
    shares.delete_share(caller, int_param(id), "groups", int_param(group_id, "group"))


@endpoint(bp, "/workflows/{id}/transfer", ["PUT"])
def transfer_workflow(request: ApiRequest, caller: Caller, id: str) -> dict:
    return shares.transfer(caller, int_param(id), request.body)


@endpoint(bp, "/workflows/{id}/dependencies", ["GET"])
def list_dependencies(request: ApiRequest, caller: Caller, id: str) -> list:
    user_id = query_int(request, "user_id", 0, 1, 10**18) or None
    return shares.list_dependencies(caller, int_param(id), user_id)
