"""Stepwise's schedule routes (not in Civis): the runs a schedule made, and backfills."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api import views
from chalicelib.api.http import ApiRequest, Rendered, endpoint, int_param, paginated, query_int
from chalicelib.service import scheduled_runs
from chalicelib.service.auth import Caller

bp = Blueprint(__name__)


@endpoint(bp, "/workflows/{id}/schedule_runs", ["GET"])
def list_schedule_runs(request: ApiRequest, caller: Caller, id: str) -> Rendered:
    limit = query_int(request, "limit", 20, 1, 50)
    page_num = query_int(request, "page_num", 1, 1, 1_000_000)
    items, total = scheduled_runs.list_runs(caller, int_param(id), limit=limit,
                                            page_num=page_num)
    return paginated([views.schedule_run(run) for run in items], limit=limit,
                     page_num=page_num, total=total, pages=-(-total // limit))


@endpoint(bp, "/workflows/{id}/backfill", ["POST"])
def post_backfill(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.backfill(scheduled_runs.backfill(caller, int_param(id), request.body))
