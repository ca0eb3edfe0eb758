"""What input each known action takes: the Civis ``civis.*`` actions, ``std.*``, ``aws.lambda``.

Takes an action name; gives its `Signature` (required and optional input keys), None for an
action resolved only at run time by the deployment's action registry (``nova.*``, ``core.local``,
...), or raises `UnknownAction` for a ``civis.*`` / ``std.*`` name that does not exist.

The Civis script actions take exactly the body parameters of the matching Civis API ``POST``
endpoint (``name`` is optional: it defaults to the task name); Civis checks their required keys
only when the task has an ``input`` at all. Values are never typed here: expressions must pass.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Signature:
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    any_input: bool = False  # accept any key (the action's own parameters are not listed here)
    required_only_with_input: bool = False  # Civis: required keys are checked only if input exists

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(self.required + self.optional)


class UnknownAction(Exception):
    def __init__(self, message: str, known: tuple[str, ...]):
        super().__init__(message)
        self.message = message
        self.known = known


_JOB = (
    "parent_id",
    "user_context",
    "params",
    "arguments",
    "schedule",
    "notifications",
    "next_run_at",
    "time_zone",
    "hidden",
    "target_project_id",
)
_RUNTIME = (
    "required_resources",
    "instance_type",
    "cancel_timeout",
    "docker_image_tag",
    "partition_label",
)


def _civis(required: tuple[str, ...], optional: tuple[str, ...]) -> Signature:
    return Signature(required, ("name", *optional), required_only_with_input=True)


CIVIS_ACTIONS: dict[str, Signature] = {
    "civis.run_job": Signature(("job_id",), required_only_with_input=True),
    "civis.workflows.execute": Signature(("workflow_id",), required_only_with_input=True),
    "civis.scripts.python3": _civis(("source",), (*_JOB, *_RUNTIME, "running_as_id")),
    "civis.scripts.r": _civis(("source",), (*_JOB, *_RUNTIME, "running_as_id")),
    "civis.scripts.sql": _civis(
        ("sql", "remote_host_id", "credential_id"), (*_JOB, "csv_settings", "running_as_id")
    ),
    "civis.scripts.javascript": _civis(
        ("source", "remote_host_id", "credential_id"), (*_JOB, "running_as_id")
    ),
    "civis.scripts.container": _civis(
        ("required_resources",),
        (
            "parent_id",
            "user_context",
            "params",
            "arguments",
            "schedule",
            "notifications",
            "repo_http_uri",
            "repo_ref",
            "remote_host_credential_id",
            "git_credential_id",
            "docker_command",
            "docker_image_name",
            "docker_image_tag",
            "instance_type",
            "cancel_timeout",
            "time_zone",
            "partition_label",
            "hidden",
            "target_project_id",
            "running_as_id",
        ),
    ),
    "civis.scripts.dbt": _civis(
        ("repo_http_uri",),
        (*_JOB, *_RUNTIME, "running_as_id", "dbt_project", "repo_ref", "target_database"),
    ),
    "civis.scripts.custom": _civis(
        ("from_template_id",),
        (
            "parent_id",
            "arguments",
            "remote_host_id",
            "credential_id",
            "schedule",
            "notifications",
            "time_zone",
            "hidden",
            "target_project_id",
            "required_resources",
            "partition_label",
            "running_as_id",
        ),
    ),
    "civis.enhancements.cass_ncoa": _civis(
        ("source",),
        (
            "schedule",
            "notifications",
            "destination",
            "column_mapping",
            "use_default_column_mapping",
            "perform_ncoa",
            "ncoa_credential_id",
            "output_level",
            "limiting_sql",
            "batch_size",
            "parent_id",
        ),
    ),
    "civis.import": _civis(
        ("sync_type", "is_outbound"),
        (
            "source",
            "destination",
            "parent_id",
            "schedule",
            "next_run_at",
            "notifications",
            "time_zone",
            "hidden",
            "syncs",
        ),
    ),
}
CIVIS_IMPORT_SYNC = Signature(("source", "destination"), ("advanced_options",))

_HTTP = Signature(
    ("url",),
    (
        "method",
        "params",
        "body",
        "json",
        "headers",
        "cookies",
        "auth",
        "timeout",
        "allow_redirects",
        "proxies",
        "verify",
    ),
)
STD_ACTIONS: dict[str, Signature] = {
    "std.noop": Signature(),
    "std.async_noop": Signature(),
    "std.echo": Signature((), ("output",)),
    "std.fail": Signature((), ("error_data",)),
    "std.sleep": Signature(("seconds",)),
    "std.http": _HTTP,
    "std.mistral_http": _HTTP,
    "std.email": Signature(
        ("to_addrs",),
        (
            "from_addr",
            "subject",
            "body",
            "html_body",
            "cc_addrs",
            "bcc_addrs",
            "reply_to",
            "smtp_server",
            "smtp_password",
        ),
    ),
    "std.ssh": Signature(any_input=True),
    "std.ssh_proxied": Signature(any_input=True),
    "std.javascript": Signature(any_input=True),
    "std.js": Signature(any_input=True),
    "std.test_dict": Signature(any_input=True),
}
OTHER_ACTIONS: dict[str, Signature] = {
    "aws.lambda": Signature(("function_name",), ("payload", "qualifier")),
}


def signature(name: str) -> Signature | None:
    """The signature of a known action; None when the action registry resolves it at run time."""
    if name.startswith("civis."):
        if name not in CIVIS_ACTIONS:
            raise UnknownAction(f"unknown Civis action {name}", tuple(CIVIS_ACTIONS))
        return CIVIS_ACTIONS[name]
    if name.startswith("std."):
        if name not in STD_ACTIONS:
            raise UnknownAction(f"unknown standard action {name}", tuple(STD_ACTIONS))
        return STD_ACTIONS[name]
    return OTHER_ACTIONS.get(name)
