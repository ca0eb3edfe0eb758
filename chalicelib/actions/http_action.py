"""std.http: one HTTP request, with Mistral's parameters and result shape, behind the SSRF guard.

Takes (`build_request`): the action input — `url` (required), `method` (default GET),
`headers`, `params` (query), `body` (a string is sent as is; any other JSON value as JSON),
`json` (Mistral's alias for a JSON body), `cookies`, `auth` ("user:password", [user, password]
or {"username"/"user", "password"}: HTTP Basic), `timeout` (seconds, default 10, clamped to
60), `allow_redirects` (default true). `proxies` and `verify` are accepted and ignored: requests
never go through a proxy and TLS certificates are always verified.
Gives (`run`): `{"content": parsed JSON or text, "status": int, "headers": {...}}`, plus
`"truncated": true` when the body was longer than MAX_CONTENT_BYTES (content is then the
first MAX_CONTENT_BYTES as text), so results stay under the 256 KiB Step Functions state limit.

Decisions:
- status >= 400 fails the task with `HttpError`, as Mistral's std.http returns an error result
  for those; the cause is the result as JSON (content cut to CAUSE_CONTENT_CHARS), so a
  workflow's error handling can still read status, headers and content. 3xx responses not
  followed (allow_redirects false, or a method urllib does not redirect) are results.
- each connection (the first and every redirect) goes through `net_guard.resolve` and connects
  to the checked address, sending the original Host header and TLS server name; redirects to
  other schemes are refused, and Authorization / Cookie headers are dropped when a redirect
  leaves the original host.
- URL credentials (https://user:pass@host) become Basic auth; messages never show credentials,
  query strings or header values.
"""
from __future__ import annotations

import base64
import functools
import http.client
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from . import net_guard
from .errors import ActionInputError, ForbiddenTarget, HttpConnectionError, HttpError, HttpTimeout

DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 60.0
MAX_CONTENT_BYTES = 200 * 1024
CAUSE_CONTENT_CHARS = 8 * 1024
MAX_REDIRECTS = 10
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_KNOWN = frozenset({"url", "method", "headers", "params", "body", "json", "cookies", "auth",
                    "timeout", "allow_redirects"})
_IGNORED = frozenset({"proxies", "verify"})
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE_CHARS = re.compile(r"[\r\n\x00]")
_READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class HttpRequest:
    """A validated std.http request."""

    url: str
    method: str
    headers: dict[str, str]
    body: bytes | None
    timeout: float
    allow_redirects: bool


# -- input -------------------------------------------------------------------------------------


def _header_text(name: str, value: object) -> str:
    if not isinstance(name, str) or not _TOKEN.match(name):
        raise ActionInputError(f"header name {name!r} is not a valid HTTP header name")
    if isinstance(value, bool):
        value = "true" if value else "false"
    if not isinstance(value, (str, int, float)):
        raise ActionInputError(f"header '{name}' must have a string or number value")
    text = str(value)
    if _BAD_VALUE_CHARS.search(text):
        raise ActionInputError(f"header '{name}' contains a line break or NUL character")
    return text


def _headers(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ActionInputError("'headers' must be an object of header names to values")
    return {name: _header_text(name, item) for name, item in value.items()}


def _has_header(headers: Mapping[str, str], name: str) -> bool:
    return any(key.lower() == name.lower() for key in headers)


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    for key in [key for key in headers if key.lower() == name.lower()]:
        del headers[key]
    headers[name] = value


def _query(params: object) -> list[tuple[str, str]]:
    if params is None:
        return []
    if not isinstance(params, Mapping):
        raise ActionInputError("'params' must be an object of query parameter names to values")
    pairs: list[tuple[str, str]] = []
    for name, value in params.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, (dict, list)):
                raise ActionInputError(f"query parameter '{name}' must be a scalar or a list")
            pairs.append((str(name), str(item)))
    return pairs


def _credentials(auth: object) -> tuple[str, str] | None:
    if auth is None or auth == "" or auth == {} or auth == []:
        return None
    if isinstance(auth, str) and ":" in auth:
        user, _, password = auth.partition(":")
        return user, password
    if isinstance(auth, list) and len(auth) == 2 and all(isinstance(x, str) for x in auth):
        return auth[0], auth[1]
    if isinstance(auth, Mapping):
        user = auth.get("username", auth.get("user"))
        password = auth.get("password", "")
        if isinstance(user, str) and isinstance(password, str):
            return user, password
    raise ActionInputError(
        "'auth' must be \"user:password\", [user, password] or {\"username\", \"password\"}"
    )


def _timeout(value: object) -> float:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ActionInputError("'timeout' must be a positive number of seconds")
    return min(float(value), MAX_TIMEOUT)


def _body(params: Mapping[str, Any], headers: dict[str, str]) -> bytes | None:
    if params.get("body") is not None and params.get("json") is not None:
        raise ActionInputError("give either 'body' or 'json', not both")
    value = params.get("body")
    if value is None:
        value = params.get("json")
        if value is None:
            return None
    if isinstance(value, str):
        return value.encode("utf-8")
    try:
        encoded = json.dumps(value, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        raise ActionInputError("'body' must be a string or a JSON value") from None
    if not _has_header(headers, "Content-Type"):
        headers["Content-Type"] = "application/json"
    return encoded


def _cookie_header(cookies: object) -> str | None:
    if cookies is None or cookies == {}:
        return None
    if not isinstance(cookies, Mapping):
        raise ActionInputError("'cookies' must be an object of cookie names to values")
    parts = []
    for name, value in cookies.items():
        text = str(value)
        if not _TOKEN.match(str(name)) or re.search(r"[;\r\n\x00]", text):
            raise ActionInputError(f"cookie '{name}' has an invalid name or value")
        parts.append(f"{name}={text}")
    return "; ".join(parts)


def build_request(params: Mapping[str, Any]) -> HttpRequest:
    """Takes the std.http input; gives the validated request or raises ActionInputError."""
    if not isinstance(params, Mapping):
        raise ActionInputError("std.http input must be an object")
    unknown = sorted(set(params) - _KNOWN - _IGNORED)
    if unknown:
        raise ActionInputError(f"std.http does not take {', '.join(map(repr, unknown))}")
    url = params.get("url")
    net_guard.parse_url(url)
    parts = urlsplit(str(url).strip())
    method = params.get("method") or "GET"
    if not isinstance(method, str) or method.upper() not in METHODS:
        raise ActionInputError(f"'method' must be one of {', '.join(sorted(METHODS))}")
    headers = _headers(params.get("headers"))
    credentials = _credentials(params.get("auth"))
    if credentials is None and parts.username is not None:
        credentials = (unquote(parts.username), unquote(parts.password or ""))
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode("utf-8")).decode("ascii")
        _set_header(headers, "Authorization", f"Basic {token}")
    cookie = _cookie_header(params.get("cookies"))
    if cookie is not None:
        _set_header(headers, "Cookie", cookie)
    body = _body(params, headers)
    netloc = parts.netloc.rpartition("@")[2]
    query = "&".join(q for q in (parts.query, urlencode(_query(params.get("params")))) if q)
    clean_url = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))
    allow_redirects = params.get("allow_redirects", True)
    if not isinstance(allow_redirects, bool):
        raise ActionInputError("'allow_redirects' must be true or false")
    return HttpRequest(clean_url, method.upper(), headers, body,
                       _timeout(params.get("timeout")), allow_redirects)


# -- transport ---------------------------------------------------------------------------------


def _connector(address: str) -> Any:
    """Gives a stand-in for socket.create_connection that dials `address`, keeping the port."""

    def connect(target: tuple[str, int], *args: Any) -> socket.socket:
        return socket.create_connection((address, target[1]), *args)

    return connect


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address; Host header still names the URL's host."""

    def __init__(self, *args: Any, address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # http.client dials through this instance attribute (set in __init__).
        self._create_connection = _connector(address)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a checked address; SNI and certificate check use the URL's host."""

    def __init__(self, *args: Any, address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _connector(address)


def _tls_context() -> ssl.SSLContext:
    """The TLS settings of std.http: system trust store, certificate and host name checked."""
    return ssl.create_default_context()


class _GuardedHandler(urllib.request.AbstractHTTPHandler):
    """Opens http/https requests only to addresses the guard accepts, pinned to that address."""

    def __init__(self, allow_loopback: bool, resolver: net_guard.Resolver | None) -> None:
        super().__init__()
        self._allow_loopback = allow_loopback
        self._resolver = resolver
        self._context = _tls_context()

    def _pinned(self, request: urllib.request.Request) -> str:
        endpoint = net_guard.parse_url(request.full_url)
        return net_guard.resolve(endpoint.host, allow_loopback=self._allow_loopback,
                                 resolver=self._resolver)

    def http_open(self, request: urllib.request.Request) -> Any:
        connection = functools.partial(_PinnedHTTPConnection, address=self._pinned(request))
        return self.do_open(connection, request)

    def https_open(self, request: urllib.request.Request) -> Any:
        connection = functools.partial(_PinnedHTTPSConnection, address=self._pinned(request),
                                       context=self._context)
        return self.do_open(connection, request)

    http_request = urllib.request.AbstractHTTPHandler.do_request_
    https_request = urllib.request.AbstractHTTPHandler.do_request_


class _GuardedRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http(s) only, dropping credentials when the host changes."""

    max_redirections = MAX_REDIRECTS

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        location = headers.get("location") or headers.get("uri") or ""
        scheme = urlsplit(location).scheme.lower()
        if scheme and scheme not in net_guard.ALLOWED_SCHEMES:
            raise ForbiddenTarget(f"refusing to follow a redirect to a '{scheme}' URL")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> Any:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            for name in ("Authorization", "Cookie"):
                new.remove_header(name)
        return new


def _opener(request: HttpRequest, allow_loopback: bool,
            resolver: net_guard.Resolver | None) -> urllib.request.OpenerDirector:
    opener = urllib.request.OpenerDirector()
    handlers: list[urllib.request.BaseHandler] = [
        _GuardedHandler(allow_loopback, resolver),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ]
    if request.allow_redirects:
        handlers.append(_GuardedRedirectHandler())
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def _read(response: Any, deadline: float) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_CONTENT_BYTES:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read(min(_READ_CHUNK, MAX_CONTENT_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    if len(data) > MAX_CONTENT_BYTES:
        return data[:MAX_CONTENT_BYTES], True
    return data, False


def _headers_of(message: Any) -> dict[str, str]:
    merged: dict[str, str] = {}
    for name, value in message.items():
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    return merged


def _content(data: bytes, charset: str | None, truncated: bool) -> Any:
    try:
        text = data.decode(charset or "utf-8", errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    if truncated or not text:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _cause(request: HttpRequest, result: dict[str, Any]) -> str:
    shown = dict(result)
    content = result["content"]
    text = content if isinstance(content, str) else json.dumps(content)
    if len(text) > CAUSE_CONTENT_CHARS:
        shown["content"] = text[:CAUSE_CONTENT_CHARS]
        shown["truncated"] = True
    shown["error"] = (f"{request.method} {net_guard.safe_url(request.url)} answered "
                      f"HTTP {result['status']}")
    return json.dumps(shown)


def send(request: HttpRequest, *, allow_loopback: bool = False,
         resolver: net_guard.Resolver | None = None) -> dict[str, Any]:
    """Sends a validated request; gives the Mistral-shaped result or raises a typed error."""
    shown = f"{request.method} {net_guard.safe_url(request.url)}"
    outgoing = urllib.request.Request(request.url, data=request.body, headers=request.headers,
                                      method=request.method)
    deadline = time.monotonic() + request.timeout
    try:
        try:
            response = _opener(request, allow_loopback, resolver).open(
                outgoing, timeout=request.timeout)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            status = int(getattr(response, "status", None) or response.code)
            headers = _headers_of(response.headers)
            data = b"" if request.method == "HEAD" else None
            truncated = False
            if data is None:
                data, truncated = _read(response, deadline)
            charset = response.headers.get_content_charset()
    except TimeoutError:
        raise HttpTimeout(f"{shown} timed out after {request.timeout:g} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise HttpTimeout(f"{shown} timed out after {request.timeout:g} s") from None
        raise HttpConnectionError(f"{shown} failed: {error.reason}") from None
    except (http.client.HTTPException, OSError) as error:
        raise HttpConnectionError(f"{shown} failed: {type(error).__name__}") from None
    result: dict[str, Any] = {"content": _content(data, charset, truncated), "status": status,
                              "headers": headers}
    if truncated:
        result["truncated"] = True
    if status >= 400:
        raise HttpError(_cause(request, result), result)
    return result


def run(params: Mapping[str, Any], *, allow_loopback: bool = False,
        resolver: net_guard.Resolver | None = None) -> dict[str, Any]:
    """Takes the std.http input; gives the Mistral-shaped result (see the module docstring)."""
    return send(build_request(params), allow_loopback=allow_loopback, resolver=resolver)
