"""Routes about the service itself: health, and the API described for clients.

`GET /endpoints` is where the civis client looks for its API description (Swagger 2.0);
`GET /openapi.json` gives the same operations as OpenAPI 3.0.3. Both describe only the
operations this app serves.
"""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.api import spec
from chalicelib.api.http import ApiRequest, endpoint

bp = Blueprint(__name__)


def served_routes() -> set[tuple[str, str]]:
    return {(method, path) for path, by_method in bp.current_app.routes.items()
            for method in by_method}


@endpoint(bp, "/ping", ["GET"], authenticated=False)
def ping(request: ApiRequest, caller: None) -> dict:
    return {"status": "ok"}


@endpoint(bp, "/endpoints", ["GET"])
def endpoints(request: ApiRequest, caller) -> dict:
    return spec.swagger_document(served=served_routes())


@endpoint(bp, "/openapi.json", ["GET"])
def openapi(request: ApiRequest, caller) -> dict:
    return spec.openapi_document(served=served_routes())
