"""The operation registry and the two API documents built from it.

The Swagger document is checked by building the real `civis` client from it: method names,
signatures, pagination and what a call puts on the wire (with the request layer replaced).
"""
from __future__ import annotations

import ast
import inspect
import json
import re
import sys
import warnings
from collections import OrderedDict
from pathlib import Path

import pytest

from chalicelib.api import spec

civis = pytest.importorskip("civis")
Endpoint = pytest.importorskip("civis.base").Endpoint

CIVIS_RESOURCES = ("workflows", "users", "groups", "projects")

# (resource, method) -> (positional parameters in order, keyword-only parameters in order)
EXPECTED_SIGNATURES = {
    ("workflows", "list"): (
        [],
        ["hidden", "archived", "author", "state", "scheduled", "limit", "page_num", "order",
         "order_dir", "iterator"],
    ),
    ("workflows", "post"): (
        ["name"],
        ["description", "from_job_chain", "definition", "schedule",
         "allow_concurrent_executions", "time_zone", "notifications", "hidden"],
    ),
    ("workflows", "get"): (["id"], []),
    ("workflows", "put"): (
        ["id", "name"],
        ["description", "definition", "schedule", "allow_concurrent_executions", "time_zone",
         "notifications"],
    ),
    ("workflows", "patch"): (
        ["id"],
        ["name", "description", "definition", "schedule", "allow_concurrent_executions",
         "time_zone", "notifications"],
    ),
    ("workflows", "post_clone"): (["id"], ["clone_schedule", "clone_notifications"]),
    ("workflows", "put_archive"): (["id", "status"], []),
    ("workflows", "list_projects"): (["id"], ["hidden"]),
    ("workflows", "put_projects"): (["id", "project_id"], []),
    ("workflows", "delete_projects"): (["id", "project_id"], []),
    ("workflows", "list_shares"): (["id"], []),
    ("workflows", "put_shares_users"): (
        ["id", "user_ids", "permission_level"], ["share_email_body", "send_shared_email"],
    ),
    ("workflows", "put_shares_groups"): (
        ["id", "group_ids", "permission_level"], ["share_email_body", "send_shared_email"],
    ),
    ("workflows", "delete_shares_users"): (["id", "user_id"], []),
    ("workflows", "delete_shares_groups"): (["id", "group_id"], []),
    ("workflows", "put_transfer"): (
        ["id", "user_id", "include_dependencies"], ["email_body", "send_email"],
    ),
    ("workflows", "list_dependencies"): (["id"], ["user_id"]),
    ("workflows", "list_executions"): (
        ["id"], ["limit", "page_num", "order", "order_dir", "iterator"],
    ),
    ("workflows", "post_executions"): (["id"], ["target_task", "input", "included_tasks"]),
    ("workflows", "get_executions"): (["id", "execution_id"], []),
    ("workflows", "post_executions_cancel"): (["id", "execution_id"], []),
    ("workflows", "post_executions_resume"): (["id", "execution_id"], []),
    ("workflows", "post_executions_retry"): (["id", "execution_id"], ["task_name"]),
    ("workflows", "post_executions_rerun"): (["id", "execution_id", "from_task"], []),
    ("workflows", "get_executions_tasks"): (["id", "execution_id", "task_name"], []),
    ("users", "get_me"): ([], []),
    ("users", "list_me"): ([], []),
    ("users", "post"): (["name", "email"], ["username", "admin"]),
    ("users", "get"): (["id"], []),
    ("users", "list_api_keys"): (["id"], []),
    ("users", "post_api_keys"): (["id", "expires_in"], ["name"]),
    ("users", "delete_api_keys"): (["id", "key_id"], []),
    ("groups", "post"): (["name"], ["description"]),
    ("groups", "get"): (["id"], []),
    ("groups", "put_members"): (["id", "user_id"], []),
    ("groups", "delete_members"): (["id", "user_id"], []),
    ("projects", "post"): (["name"], ["description"]),
    ("projects", "get"): (["project_id"], []),
}
PAGINATED = {("workflows", "list"), ("workflows", "list_executions"),
             ("workflows", "list_schedule_runs")}


def _client(spec_source):
    return civis.APIClient(api_key="fake-key", local_api_spec=spec_source)


@pytest.fixture(scope="module")
def client():
    return _client(OrderedDict(spec.swagger_document()))


@pytest.fixture(params=["ordered_dict", "json_file"])
def any_client(request, tmp_path):
    doc = spec.swagger_document()
    if request.param == "json_file":
        path = tmp_path / "endpoints.json"
        path.write_text(json.dumps(doc))
        return _client(str(path))
    return _client(OrderedDict(doc))


class Recorder:
    """Stands in for `Endpoint._call_api`: records (verb, path, query, body, iterator)."""

    def __init__(self):
        self.calls = []

    def __call__(self, endpoint, method, path=None, params=None, data=None, **kwargs):
        self.calls.append((method, path, params, data, kwargs.get("iterator", False)))


@pytest.fixture
def wire(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(
        Endpoint, "_call_api", lambda self, *args, **kw: recorder(self, *args, **kw)
    )
    return recorder


def _public_methods(endpoint) -> set[str]:
    return {n for n in dir(type(endpoint)) if not n.startswith("_")}


def _split_signature(func) -> tuple[list[str], list[str]]:
    params = inspect.signature(func).parameters.values()
    positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword_only = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
    assert all(p.default is None for p in params if p.kind is p.KEYWORD_ONLY)
    return positional, keyword_only


# --------------------------------------------------------------------------- civis client


def test_client_has_exactly_the_expected_resources_and_methods(any_client):
    built = {name for name in vars(any_client) if not name.startswith("_")} - {"last_response"}
    assert built == set(CIVIS_RESOURCES)
    for resource in CIVIS_RESOURCES:
        expected = {name for (res, name) in EXPECTED_SIGNATURES if res == resource}
        assert _public_methods(getattr(any_client, resource)) == expected, resource


@pytest.mark.parametrize("resource,name", sorted(EXPECTED_SIGNATURES))
def test_client_signatures(client, resource, name):
    func = getattr(getattr(client, resource), name)
    assert _split_signature(func) == EXPECTED_SIGNATURES[(resource, name)]


def test_registry_names_are_the_names_civis_derives(client):
    for op in spec.civis_operations():
        func = getattr(getattr(client, op.resource), op.name)
        # civis writes the verb and path it was built from into the docstring.
        assert f"API URL: ``{op.method} {op.path.rstrip('/')}``" in func.__doc__, op


def test_list_me_is_a_deprecated_alias_of_get_me(client, wire):
    client.users.get_me()
    with pytest.warns(FutureWarning):
        client.users.list_me()
    assert [c[:2] for c in wire.calls] == [("get", "users/me"), ("get", "users/me")]


@pytest.mark.parametrize("resource,name", sorted(EXPECTED_SIGNATURES))
def test_iterator_only_on_paginated_lists(client, wire, resource, name):
    func = getattr(getattr(client, resource), name)
    positional, _ = EXPECTED_SIGNATURES[(resource, name)]
    args = [1] * len(positional)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        if (resource, name) in PAGINATED:
            func(*args, iterator=True)
            assert wire.calls[-1][-1] is True
        else:
            with pytest.raises(TypeError):
                func(*args, iterator=True)
            assert wire.calls == []


def test_paginated_operations_are_the_expected_ones():
    assert {(op.resource, op.name) for op in spec.OPERATIONS if op.paginated} == PAGINATED


def test_calls_put_path_query_and_snake_case_body_where_civis_puts_them(client, wire):
    wf = client.workflows
    wf.put_shares_users(1, [3, 4], "read", send_shared_email=False)
    wf.list(state=["running", "failed"], limit=5)
    wf.post("My WF", definition="version: '2.0'", allow_concurrent_executions=False)
    wf.post_executions(7, input={"myParam": 1}, included_tasks=["t1"])
    wf.get_executions_tasks(7, 9, "load")
    wf.put_transfer(1, 5, False)
    client.users.post_api_keys(2, 3600, name="ci")
    client.projects.get(4)
    assert wire.calls == [
        ("put", "workflows/1/shares/users", {},
         {"user_ids": [3, 4], "permission_level": "read", "send_shared_email": False}, False),
        ("get", "workflows", {"state": ["running", "failed"], "limit": 5}, {}, False),
        ("post", "workflows", {},
         {"name": "My WF", "definition": "version: '2.0'", "allow_concurrent_executions": False},
         False),
        ("post", "workflows/7/executions", {},
         {"input": {"myParam": 1}, "included_tasks": ["t1"]}, False),
        ("get", "workflows/7/executions/9/tasks/load", {}, {}, False),
        ("put", "workflows/1/transfer", {}, {"user_id": 5, "include_dependencies": False},
         False),
        ("post", "users/2/api_keys", {}, {"expires_in": 3600, "name": "ci"}, False),
        ("get", "projects/4", {}, {}, False),
    ]


def test_base_path_is_recorded_but_not_used_by_the_client():
    doc = spec.swagger_document("/api")
    assert doc["basePath"] == "/api"
    assert _public_methods(_client(OrderedDict(doc)).workflows)


# --------------------------------------------------------------------------- Swagger document


def test_swagger_survives_json_and_keeps_what_civis_reads():
    doc = spec.swagger_document()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["swagger"] == "2.0"
    assert set(doc["securityDefinitions"]) == {"basic", "api_key"}
    for path, ops in doc["paths"].items():
        assert set(ops) <= {"get", "put", "post", "patch", "delete"}, path
        for verb, op in ops.items():
            assert op["summary"] and "deprecated" not in op["summary"].lower()
            assert "parameters" in op  # the civis CLI indexes it directly
            first_status = next(iter(op["responses"]))
            assert first_status.startswith("2"), (verb, path)
            body = [p for p in op["parameters"] if p["in"] == "body"]
            assert len(body) <= 1
            for p in op["parameters"]:
                assert "required" in p and "default" not in p
                if p["in"] != "body":
                    assert p["type"] in {"integer", "string", "boolean", "array"}
    _assert_refs_resolve(doc)


def test_meta_operations_are_not_in_the_swagger_document():
    doc = spec.swagger_document()
    assert "/endpoints" not in doc["paths"] and "/openapi.json" not in doc["paths"]
    assert len([op for ops in doc["paths"].values() for op in ops]) == len(
        spec.civis_operations()
    )


# --------------------------------------------------------------------------- OpenAPI document


def _resolve(doc: dict, ref: str):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, ref
        node = node[part]
    return node


def _assert_refs_resolve(doc: dict) -> int:
    count = 0

    def walk(node):
        nonlocal count
        if isinstance(node, dict):
            if "$ref" in node:
                _resolve(doc, node["$ref"])
                count += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert count > 0
    return count


def _openapi_operations(doc):
    for path, ops in doc["paths"].items():
        for verb, op in ops.items():
            yield path, verb, op


def test_openapi_refs_resolve():
    doc = spec.openapi_document()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["openapi"] == "3.0.3"
    _assert_refs_resolve(doc)


def test_openapi_path_parameters_match_the_templates():
    doc = spec.openapi_document()
    for path, verb, op in _openapi_operations(doc):
        in_template = re.findall(r"{([^}]+)}", path)
        declared = [p["name"] for p in op.get("parameters", []) if p["in"] == "path"]
        assert declared == in_template, (verb, path)
        assert all(p["required"] for p in op.get("parameters", []) if p["in"] == "path")


def test_openapi_every_operation_has_success_and_error_responses():
    doc = spec.openapi_document()
    ids = []
    for path, verb, op in _openapi_operations(doc):
        codes = list(op["responses"])
        assert any(c.startswith("2") for c in codes), (verb, path)
        assert "default" in codes, (verb, path)
        if op.get("security") != []:
            assert "401" in codes, (verb, path)
        for code in codes:
            response = op["responses"][code]
            if "$ref" in response:
                response = _resolve(doc, response["$ref"])
            if not code.startswith("2"):
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}
        ids.append(op["operationId"])
    assert len(ids) == len(set(ids)) == len(spec.OPERATIONS)


def test_openapi_error_schema_and_security_schemes():
    doc = spec.openapi_document()
    error = doc["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "errorDescription", "code"}
    schemes = doc["components"]["securitySchemes"]
    assert schemes["basicAuth"] == {**schemes["basicAuth"], "type": "http", "scheme": "basic"}
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert doc["security"] == [{"basicAuth": []}, {"bearerAuth": []}]
    assert all(op.auth for op in spec.OPERATIONS)  # every described route needs a key


def test_openapi_request_bodies_and_list_responses():
    doc = spec.openapi_document()
    op = doc["paths"]["/workflows/{id}/shares/users"]["put"]
    body = op["requestBody"]
    assert body["required"] is True
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ShareUsersRequest"
    }
    listed = doc["paths"]["/workflows"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"$ref": "#/components/schemas/WorkflowSummary"},
    }
    assert "X-Pagination-Total-Entries" in listed["headers"]
    patch = doc["paths"]["/workflows/{id}"]["patch"]["requestBody"]
    assert patch["required"] is False


@pytest.mark.parametrize("which", ["swagger", "openapi"])
def test_documents_pass_openapi_spec_validator(which):
    validator = pytest.importorskip("openapi_spec_validator")
    if which == "swagger":
        doc, cls = spec.swagger_document(), validator.OpenAPIV2SpecValidator
    else:
        doc, cls = spec.openapi_document(), validator.OpenAPIV30SpecValidator
    errors = [str(e) for e in cls(json.loads(json.dumps(doc))).iter_errors()]
    assert errors == []


# --------------------------------------------------------------------------- registry


def test_registry_keys_are_unique():
    pairs = [(op.method, op.path) for op in spec.OPERATIONS]
    assert len(pairs) == len(set(pairs))
    names = [(op.resource, op.name) for op in spec.OPERATIONS]
    assert len(names) == len(set(names))
    assert len(spec.routes()) == len(set(spec.routes())) == len(spec.OPERATIONS)


def test_routes_have_no_trailing_slash_and_cover_the_registry():
    assert ("GET", "/workflows") in spec.routes()
    assert ("POST", "/workflows") in spec.routes()
    assert ("GET", "/endpoints") in spec.routes()
    for method, route in spec.routes():
        assert method in {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert route == "/" or not route.endswith("/")


def test_registry_refers_only_to_defined_schemas_and_declares_path_parameters():
    for op in spec.OPERATIONS:
        for name in (op.body, op.response):
            assert name is None or name in spec.SCHEMAS, op
        assert [p.name for p in op.path_params] == re.findall(r"{([^}]+)}", op.path), op
        assert (op.response is None) == (op.status == 204), op
    for schema in spec.SCHEMAS.values():
        assert set(schema.required) <= set(schema.properties)
        for name in schema.properties:
            assert re.fullmatch(r"[a-z][A-Za-z]*", name), (schema.name, name)


def test_module_imports_only_the_standard_library():
    tree = ast.parse(Path(spec.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
