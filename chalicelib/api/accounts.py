"""Users, API keys, groups and projects (Civis's paths for them)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api import views
from chalicelib.api.http import ApiRequest, endpoint, int_param
from chalicelib.service import projects, users
from chalicelib.service.auth import Caller
from chalicelib.store.models import User

bp = Blueprint(__name__)


def _user(record: User, full: bool) -> dict:
    body = views.user(record, full=full)
    if full:
        body["groups"] = [{"id": int(g.id), "name": g.name} for g in users.groups_of(record)]
    return body


@endpoint(bp, "/users/me", ["GET"])
def me(request: ApiRequest, caller: Caller) -> dict:
    return _user(*users.get_user(caller, caller.id))


@endpoint(bp, "/users", ["POST"], status=201)
def post_user(request: ApiRequest, caller: Caller) -> dict:
    return _user(users.create_user(caller, request.body), True)


@endpoint(bp, "/users/{id}", ["GET"])
def get_user(request: ApiRequest, caller: Caller, id: str) -> dict:
    return _user(*users.get_user(caller, int_param(id, "user")))


@endpoint(bp, "/users/{id}/api_keys", ["GET"])
def list_keys(request: ApiRequest, caller: Caller, id: str) -> list:
    now = clock.now()
    return [views.api_key(k, now) for k in users.list_keys(caller, int_param(id, "user"))]


@endpoint(bp, "/users/{id}/api_keys", ["POST"], status=201)
def post_key(request: ApiRequest, caller: Caller, id: str) -> dict:
    key, token = users.create_key(caller, int_param(id, "user"), request.body)
    return views.api_key(key, clock.now(), token)


@endpoint(bp, "/users/{id}/api_keys/{key_id}", ["DELETE"])
def revoke_key(request: ApiRequest, caller: Caller, id: str, key_id: str) -> dict:
    key = users.revoke_key(caller, int_param(id, "user"), int_param(key_id, "API key"))
    return views.api_key(key, clock.now())


@endpoint(bp, "/groups", ["POST"], status=201)
def post_group(request: ApiRequest, caller: Caller) -> dict:
    return views.group(users.create_group(caller, request.body), [])


@endpoint(bp, "/groups/{id}", ["GET"])
def get_group(request: ApiRequest, caller: Caller, id: str) -> dict:
    return views.group(*users.get_group(caller, int_param(id, "group")))


@endpoint(bp, "/groups/{id}/members/{user_id}", ["PUT"])
def put_member(request: ApiRequest, caller: Caller, id: str, user_id: str) -> dict:
    group_id = int_param(id, "group")
    users.set_member(caller, group_id, int_param(user_id, "user"), True)
    return views.group(*users.get_group(caller, group_id))


@endpoint(bp, "/groups/{id}/members/{user_id}", ["DELETE"])
def delete_member(request: ApiRequest, caller: Caller, id: str, user_id: str) -> None:
    users.set_member(caller, int_param(id, "group"), int_param(user_id, "user"), False)


@endpoint(bp, "/projects", ["POST"], status=201)
def post_project(request: ApiRequest, caller: Caller) -> dict:
    return views.project(projects.create(caller, request.body))


@endpoint(bp, "/projects/{project_id}", ["GET"])
def get_project(request: ApiRequest, caller: Caller, project_id: str) -> dict:
    return views.project(projects.get(caller, int_param(project_id, "project")))
