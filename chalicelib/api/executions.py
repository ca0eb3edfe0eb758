"""Civis-compatible execution routes under /workflows/{id}/executions."""
from __future__ import annotations

from urllib.parse import unquote

from chalice import Blueprint

from chalicelib.api import views
from chalicelib.api.http import ApiRequest, Rendered, endpoint, int_param, paginated, query_int
from chalicelib.errors import BadRequest, NotFound
from chalicelib.service import executions, reruns
from chalicelib.service.auth import Caller

bp = Blueprint(__name__)
BASE = "/workflows/{id}/executions"


@endpoint(bp, BASE, ["GET"])
def list_executions(request: ApiRequest, caller: Caller, id: str) -> Rendered:
    limit = query_int(request, "limit", 20, 1, 50)
    page_num = query_int(request, "page_num", 1, 1, 1_000_000)
    order = request.get("order") or "id"
    if order not in ("id", "updated_at", "created_at"):
        raise BadRequest("Query parameter 'order' must be id, updated_at or created_at.")
    order_dir = (request.get("order_dir") or "desc").lower()
    if order_dir not in ("asc", "desc"):
        raise BadRequest("Query parameter 'order_dir' must be asc or desc.")
    # ids grow with creation time: every order is the id order
    items, total = executions.list_executions(caller, int_param(id), limit=limit,
                                              page_num=page_num,
                                              newest_first=order_dir == "desc")
    return paginated([views.execution_summary(e) for e in items], limit=limit,
                     page_num=page_num, total=total, pages=-(-total // limit))


@endpoint(bp, BASE, ["POST"], status=201, keep=frozenset({"input"}))
def post_execution(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.execution_detail(executions.start(
        caller, int_param(id), request.body, request.headers.get("idempotency-key")))


@endpoint(bp, BASE + "/{execution_id}", ["GET"])
def get_execution(request: ApiRequest, caller: Caller, id: str, execution_id: str) -> dict:
    return views.execution_detail(
        executions.get(caller, int_param(id), int_param(execution_id, "execution")))


@endpoint(bp, BASE + "/{execution_id}/cancel", ["POST"], status=202)
def cancel_execution(request: ApiRequest, caller: Caller, id: str, execution_id: str) -> dict:
    return views.execution_detail(
        executions.cancel(caller, int_param(id), int_param(execution_id, "execution")))


@endpoint(bp, BASE + "/{execution_id}/resume", ["POST"], status=202)
def resume_execution(request: ApiRequest, caller: Caller, id: str, execution_id: str) -> dict:
    return views.execution_detail(
        executions.resume(caller, int_param(id), int_param(execution_id, "execution")))


@endpoint(bp, BASE + "/{execution_id}/retry", ["POST"], status=202)
def retry_execution(request: ApiRequest, caller: Caller, id: str, execution_id: str) -> dict:
    return views.execution_detail(reruns.retry(
        caller, int_param(id), int_param(execution_id, "execution"), request.body))


@endpoint(bp, BASE + "/{execution_id}/rerun", ["POST"], status=202)
def rerun_execution(request: ApiRequest, caller: Caller, id: str, execution_id: str) -> dict:
    return views.execution_detail(reruns.rerun(
        caller, int_param(id), int_param(execution_id, "execution"), request.body))


@endpoint(bp, BASE + "/{execution_id}/tasks/{task_name}", ["GET"])
def get_execution_task(request: ApiRequest, caller: Caller, id: str, execution_id: str,
                       task_name: str) -> dict:
    shown = executions.get(caller, int_param(id), int_param(execution_id, "execution"))
    name = unquote(task_name)
    for task in views.execution_detail(shown)["tasks"]:
        if task["name"] == name:
            return task
    raise NotFound(f"The execution has no task named {name!r} that ran.")
