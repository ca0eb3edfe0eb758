"""Routes about the service itself: health."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.http import ApiRequest, endpoint

bp = Blueprint(__name__)


@endpoint(bp, "/ping", ["GET"], authenticated=False)
def ping(request: ApiRequest, caller: None) -> dict:
    return {"status": "ok"}
