"""A small client for a Stepwise API endpoint, on the standard library only.

`Client(settings)` sends JSON requests with ``Authorization: Bearer KEY`` and gives the decoded
JSON answers (camelCase, as the API sends them). Failures are `ClientError`s:
- `ApiError`: the API answered 4xx or 5xx; carries the status, the error code and the API's
  ``errorDescription``;
- `ConnectionFailed`: nothing usable answered (refused, timed out, a redirect, not JSON).
No message or representation of this module holds the API key.
"""
from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from stepwise.settings import Settings

PAGE_SIZE = 50  # the API's largest page
TIMEOUT_SECONDS = 30
USER_AGENT = "stepwise-cli"


class ClientError(Exception):
    """A request that did not give an answer the command can use."""


class ApiError(ClientError):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(f"HTTP {status}: {description}")
        self.status = status
        self.code = code
        self.description = description


class ConnectionFailed(ClientError):
    pass


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would repeat the Authorization header to wherever a redirect points; the API
    never redirects, so a redirect is reported instead of followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise ConnectionFailed(f"{req.full_url} redirects to {newurl}; use the API's own URL")


_opener = urllib.request.build_opener(_NoRedirects)


def _api_error(error: urllib.error.HTTPError) -> ApiError:
    try:
        body = json.loads(error.read() or b"null")
    except (ValueError, OSError):
        body = None
    if isinstance(body, dict) and body.get("errorDescription"):
        return ApiError(error.code, str(body.get("error") or ""), str(body["errorDescription"]))
    return ApiError(error.code, "", error.reason or "no description")


class Client:
    def __init__(self, settings: Settings):
        self._base = settings.url.rstrip("/")
        self._api_key = settings.api_key

    def request(self, method: str, path: str, body: Any = None,
                query: dict[str, Any] | None = None) -> tuple[Any, dict[str, str]]:
        """The decoded answer to one request, and its headers (names in lower case)."""
        url = self._base + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": f"Bearer {self._api_key}", "Accept": "application/json",
                   "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                raw = response.read()
                answer_headers = {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as error:
            raise _api_error(error) from None
        except urllib.error.URLError as error:
            raise ConnectionFailed(f"cannot reach {self._base}: {error.reason}") from None
        except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
            raise ConnectionFailed(f"cannot reach {self._base}: {error}") from None
        try:
            return (json.loads(raw) if raw.strip() else None), answer_headers
        except ValueError:
            raise ConnectionFailed(f"{url} did not answer with JSON; is it a Stepwise API?") \
                from None

    def _get(self, path: str, **query: Any) -> Any:
        return self.request("GET", path, query=query)[0]

    def me(self) -> dict:
        return self._get("/users/me")

    def owned_workflow_named(self, name: str) -> dict | None:
        """The caller's own non-archived workflow with exactly this name (the most recently
        updated one if there are several), or None."""
        me = self.me()["id"]
        page = 1
        while True:
            listed, headers = self.request("GET", "/workflows", query={
                "author": me, "archived": "false", "limit": PAGE_SIZE, "page_num": page})
            for workflow in listed:
                # the author filter is the server's; the check keeps shared ones out anyway
                owner = (workflow.get("user") or {}).get("id")
                if workflow["name"] == name and owner == me and not workflow["archived"]:
                    return workflow
            if page >= int(headers.get("x-pagination-total-pages") or 1) or not listed:
                return None
            page += 1

    def create_workflow(self, name: str, definition: str) -> dict:
        return self.request("POST", "/workflows", {"name": name, "definition": definition})[0]

    def update_definition(self, workflow_id: int, definition: str) -> dict:
        return self.request("PATCH", f"/workflows/{workflow_id}",
                            {"definition": definition})[0]

    def start(self, workflow_id: int, inputs: dict[str, Any]) -> dict:
        return self.request("POST", f"/workflows/{workflow_id}/executions",
                            {"input": inputs})[0]

    def execution(self, workflow_id: int, execution_id: int) -> dict:
        return self._get(f"/workflows/{workflow_id}/executions/{execution_id}")

    def executions(self, workflow_id: int, limit: int) -> list[dict]:
        """The newest `limit` executions, newest first."""
        found: list[dict] = []
        page = 1
        while len(found) < limit:
            listed, headers = self.request("GET", f"/workflows/{workflow_id}/executions",
                                           query={"limit": PAGE_SIZE, "page_num": page})
            found += listed
            if page >= int(headers.get("x-pagination-total-pages") or 1) or not listed:
                break
            page += 1
        return found[:limit]

    def _act(self, workflow_id: int, execution_id: int, action: str, body: dict) -> dict:
        return self.request(
            "POST", f"/workflows/{workflow_id}/executions/{execution_id}/{action}", body)[0]

    def cancel(self, workflow_id: int, execution_id: int) -> dict:
        return self._act(workflow_id, execution_id, "cancel", {})

    def resume(self, workflow_id: int, execution_id: int) -> dict:
        return self._act(workflow_id, execution_id, "resume", {})

    def retry(self, workflow_id: int, execution_id: int, task_name: str | None) -> dict:
        body = {"task_name": task_name} if task_name else {}
        return self._act(workflow_id, execution_id, "retry", body)

    def rerun(self, workflow_id: int, execution_id: int, from_task: str) -> dict:
        return self._act(workflow_id, execution_id, "rerun", {"from_task": from_task})

    def backfill(self, workflow_id: int, start: str, end: str, *, dry_run: bool,
                 max_runs: int | None) -> dict:
        """The runs the workflow's schedule would have made in [start, end): listed with
        `dry_run`, else started (or queued when concurrent executions are off)."""
        body: dict[str, Any] = {"start": start, "end": end, "dry_run": dry_run}
        if max_runs is not None:
            body["max_runs"] = max_runs
        return self.request("POST", f"/workflows/{workflow_id}/backfill", body)[0]
