"""PynamoDB models: one table per kind of record, keyed for the queries the API makes.

| model | key | serves |
|---|---|---|
| `Counter` | `name` | integer ids (`ids.allocate`) and unique names (`username#...`) |
| `Workflow` | `id` | get / put / patch; owner, shares and projects inline |
| `WorkflowVersion` | `workflow_id`, `version` | every stored definition, pinned by executions |
| `WorkflowAccess` | `principal`, `workflow_id` | lists: one Query per principal ("u#3", "g#7") |
| `Execution` | `workflow_id`, `id` | executions of a workflow, newest first |
| `User` / `Group` / `Project` | `id` | principals and projects |
| `ApiKey` | `key_hash` (+ index `by_user`) | authentication in one GetItem |
| `ScheduleRun` | `workflow_id`, `scheduled_time` (+ index `pending`) | one item per scheduled or backfilled run |
| `Notification` | `execution`, `key` (+ index `due`) | the notifications an execution owes |
| `WebhookSecret` | `workflow_id` | the key that signs a workflow's webhooks |

`WorkflowAccess` copies the fields lists filter and sort on (name, times, state, archived,
hidden, owner, scheduled) so that a page is one Query plus one BatchGetItem, whatever the
number of workflows. Table names come from `config.resolve_table_prefix()`.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    NumberSetAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib import config

PREFIX = config.resolve_table_prefix()
REGION = config.resolve_region()


_connection: list[Connection] = []  # shared by transactions; emptied by reset_connections


def table_name(kind: str) -> str:
    return f"{PREFIX}-{kind}"


def transaction() -> TransactWrite:
    """A write transaction over the service's tables (all in one region)."""
    if not _connection:
        _connection.append(Connection(region=REGION))
    return TransactWrite(connection=_connection[0])


class _Meta:
    region = REGION
    billing_mode = "PAY_PER_REQUEST"


class Counter(Model):
    class Meta(_Meta):
        table_name = table_name("counters")

    name = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
    owner = NumberAttribute(null=True)  # for unique names: the id holding the name
    digest = UnicodeAttribute(null=True)  # idempotency keys: SHA-256 of the request
    expires = NumberAttribute(null=True)  # epoch seconds (the table's TTL attribute)


class Workflow(Model):
    class Meta(_Meta):
        table_name = table_name("workflows")

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    definition = UnicodeAttribute(default="")
    definition_version = NumberAttribute(default=1)
    valid = BooleanAttribute(default=False)
    validation_errors = UnicodeAttribute(null=True)
    owner_id = NumberAttribute()
    author = MapAttribute(default=dict)  # the owner's {id, name, username, initials}
    state = UnicodeAttribute(default="idle")
    last_execution_id = NumberAttribute(null=True)
    schedule = MapAttribute(default=dict)
    allow_concurrent_executions = BooleanAttribute(default=True)
    time_zone = UnicodeAttribute(default="America/Chicago")
    notifications = MapAttribute(default=dict)
    hidden = BooleanAttribute(default=False)
    archived = BooleanAttribute(default=False)
    user_shares = MapAttribute(default=dict)  # str(user id) -> read | write | manage
    group_shares = MapAttribute(default=dict)  # str(group id) -> level
    project_ids = NumberSetAttribute(null=True)
    running_ids = NumberSetAttribute(null=True)  # executions not yet final
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class WorkflowVersion(Model):
    class Meta(_Meta):
        table_name = table_name("workflow-versions")

    workflow_id = NumberAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    definition = UnicodeAttribute()
    author_id = NumberAttribute()
    created_at = UnicodeAttribute()
    # set once the version is deployed: the published state machine version and the entry
    # machine's state names -> [task, role]
    version_arn = UnicodeAttribute(null=True)
    states = MapAttribute(null=True)
    # machine variants (a reverse workflow's target task, a run plan): key ->
    # {"version_arn", "states"} of its own machine
    targets = MapAttribute(null=True)
    # sub-workflow name -> its machine's state names -> [task, role]
    sub_states = MapAttribute(null=True)


class WorkflowAccess(Model):
    """What one principal may do with one workflow, plus the workflow's list fields."""

    class Meta(_Meta):
        table_name = table_name("workflow-access")

    principal = UnicodeAttribute(hash_key=True)  # "u#<user id>" or "g#<group id>"
    workflow_id = NumberAttribute(range_key=True)
    level = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    state = UnicodeAttribute()
    archived = BooleanAttribute()
    hidden = BooleanAttribute()
    owner_id = NumberAttribute()
    scheduled = BooleanAttribute()


class ActiveExecutions(GlobalSecondaryIndex):
    """Executions not yet final (sparse: `active` is removed when one ends), oldest first."""

    class Meta:
        index_name = "active"
        projection = AllProjection()

    active = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class Execution(Model):
    """One run of a workflow; the execution engine fills state, tasks and runs."""

    class Meta(_Meta):
        table_name = table_name("executions")

    workflow_id = NumberAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)
    execution_arn = UnicodeAttribute(null=True)
    # 3 × attempt + phase (0 queued, 1 running or paused, 2 final): only grows, so status
    # events of an earlier attempt never change a retried execution
    rank = NumberAttribute(default=0)
    attempt = NumberAttribute(default=0)  # 0 for the first run, +1 per retry or rerun
    active = UnicodeAttribute(null=True)  # "1" while not final (index `active`)
    error = UnicodeAttribute(null=True)
    cause = UnicodeAttribute(null=True)
    state = UnicodeAttribute(default="queued")
    mistral_state = UnicodeAttribute(default="running")
    mistral_state_info = UnicodeAttribute(null=True)
    user_id = NumberAttribute()
    user = MapAttribute(default=dict)  # the starter's {id, name, username, initials}
    definition_version = NumberAttribute()
    input = MapAttribute(default=dict)
    included_tasks = ListAttribute(default=list)
    target_task = UnicodeAttribute(null=True)
    # the machine variant the current attempt runs (key of WorkflowVersion.targets); None:
    # the definition version's own machine, or the target's for a reverse `target_task`
    machine_key = UnicodeAttribute(null=True)
    # a child execution (a sub-workflow run by a task of execution `parent_id`): not listed
    # among the workflow's executions, shown in its parent task's `executions`
    parent_id = NumberAttribute(null=True)
    # [{name, mistral_state, mistral_state_info, runs: [...], executions: [...]}]
    tasks = ListAttribute(default=list)
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    stall_warned_at = UnicodeAttribute(null=True)  # set once, when the stall warning is owed
    by_activity = ActiveExecutions()


class User(Model):
    class Meta(_Meta):
        table_name = table_name("users")

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute()
    initials = UnicodeAttribute(default="")
    admin = BooleanAttribute(default=False)
    group_ids = NumberSetAttribute(null=True)
    created_at = UnicodeAttribute()


class Group(Model):
    class Meta(_Meta):
        table_name = table_name("groups")

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    member_ids = NumberSetAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class KeysByUser(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_user"
        projection = AllProjection()

    user_id = NumberAttribute(hash_key=True)
    id = NumberAttribute(range_key=True)


class ApiKey(Model):
    """An API key, stored by the SHA-256 of its token (the token itself is never stored).

    `principal` copies what authorisation needs about the user (name, admin, group ids) so
    that authenticating a request is one GetItem; membership changes rewrite it.
    """

    class Meta(_Meta):
        table_name = table_name("api-keys")

    key_hash = UnicodeAttribute(hash_key=True)
    id = NumberAttribute()
    user_id = NumberAttribute()
    name = UnicodeAttribute(null=True)
    principal = MapAttribute(default=dict)
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    revoked_at = UnicodeAttribute(null=True)
    by_user = KeysByUser()


class Project(Model):
    class Meta(_Meta):
        table_name = table_name("projects")

    id = NumberAttribute(hash_key=True)
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    owner_id = NumberAttribute()
    author = MapAttribute(default=dict)
    user_ids = NumberSetAttribute(null=True)
    archived = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class PendingRuns(GlobalSecondaryIndex):
    """Runs waiting for their workflow to be free (sparse: `pending` is removed when one
    starts), oldest scheduled time first."""

    class Meta:
        index_name = "pending"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)
    scheduled_time = UnicodeAttribute(range_key=True)


class ScheduleRun(Model):
    """One run a workflow's schedule asked for (a firing, or a backfilled time), keyed by its
    scheduled time so that a time starts at most one execution.

    `state`: starting (being started), started (`execution_id`), pending (a backfilled run
    waiting for the workflow to be free), skipped (another execution was running and the
    workflow forbids concurrent ones) or failed (`reason` says why it could not start)."""

    class Meta(_Meta):
        table_name = table_name("schedule-runs")

    workflow_id = NumberAttribute(hash_key=True)
    scheduled_time = UnicodeAttribute(range_key=True)  # the API's time format, UTC
    source = UnicodeAttribute()  # "schedule" | "backfill"
    state = UnicodeAttribute()
    execution_id = NumberAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    pending = UnicodeAttribute(null=True)  # "1" while pending (index `pending`)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    by_pending = PendingRuns()


class DueNotifications(GlobalSecondaryIndex):
    """Deliveries still to try (sparse: `pending` is removed once one is sent or given up),
    by the epoch second of their next try."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    pending = UnicodeAttribute(hash_key=True)
    next_at = NumberAttribute(range_key=True)


class Notification(Model):
    """One notification an execution owes (an e-mail or one webhook POST) and its tries."""

    class Meta(_Meta):
        table_name = table_name("notifications")

    execution = UnicodeAttribute(hash_key=True)  # "<workflow id>#<execution id>"
    key = UnicodeAttribute(range_key=True)  # "<attempt:04d>#<kind>#<target digest>"
    workflow_id = NumberAttribute()
    execution_id = NumberAttribute()
    attempt = NumberAttribute()
    kind = UnicodeAttribute()  # success_email | failure_email | stall_warning | webhook
    target = UnicodeAttribute()  # the URL, or the recipients joined by ", "
    delivery_id = UnicodeAttribute()
    payload = UnicodeAttribute()  # JSON: the webhook body, or the e-mail's parts
    status = UnicodeAttribute(default="pending")  # pending | delivered | failed
    pending = UnicodeAttribute(null=True)  # "1" while a try is due (index `due`)
    next_at = NumberAttribute(null=True)
    tries = ListAttribute(default=list)  # [{at, status_code?, error?, duration_ms}]
    created_at = UnicodeAttribute()
    created_epoch = NumberAttribute()
    by_due = DueNotifications()


class WebhookSecret(Model):
    """The HMAC key of a workflow's webhook signatures (made at first need)."""

    class Meta(_Meta):
        table_name = table_name("webhook-secrets")

    workflow_id = NumberAttribute(hash_key=True)
    secret = UnicodeAttribute()
    created_at = UnicodeAttribute()


MODELS: tuple[type[Model], ...] = (
    Counter, Workflow, WorkflowVersion, WorkflowAccess, Execution, User, Group, ApiKey, Project,
    ScheduleRun,
    Notification, WebhookSecret,
)


def plain(value: Any) -> Any:
    """Stored maps and lists (PynamoDB gives nested maps of untyped lists as MapAttribute
    objects) as plain dicts and lists."""
    if hasattr(value, "as_dict"):
        return {k: plain(v) for k, v in value.as_dict().items()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
