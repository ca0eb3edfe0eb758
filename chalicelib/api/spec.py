"""The HTTP operations Stepwise serves, as one registry, and two documents built from it.

`OPERATIONS` lists every operation: method, path, the name the `civis` client gives it, its
parameters, the request and response schemas (named entries of `SCHEMAS`) and the success
status. Two generators read it:

- `swagger_document()`: Swagger 2.0 in the shape the `civis` client parses (served at
  ``GET /endpoints``, or passed as ``civis.APIClient(local_api_spec=...)``);
- `openapi_document()`: OpenAPI 3.0.3 for everyone else (served at ``GET /openapi.json``).

What the `civis` client (2.10.1, ``civis/resources/_resources.py``) reads, and this module
therefore always writes:

- ``paths``: every key under a path is taken as an HTTP verb, so no path-level keys.
- the method name: ``get`` on a path ending in a literal segment becomes ``list``; then the
  literal segments after the resource name are joined with ``_`` (``-`` → ``_``). A GET whose
  200 response is not an array is renamed back to ``get_*`` (``users/me`` → ``get_me``, plus a
  deprecated ``list_me`` alias that civis keeps for a fixed list of Civis paths).
- ``summary`` (required); an operation whose summary contains "deprecated" is dropped.
- ``parameters``: ``name``, ``in``, ``required`` and ``type`` of each path and query
  parameter; one ``body`` parameter (it too needs ``required``) whose schema's ``properties``
  become snake_case keyword arguments (each needs a ``type``), required ones by the schema's
  ``required`` list. Required
  arguments are positional in parameter order, the rest keyword-only with default ``None``
  unless a ``default`` is given (never given here, so signatures match Civis's).
- ``iterator=True`` is offered on a GET that has both ``limit`` and ``page_num`` query
  parameters.
- ``responses``: the first entry documents the return value; its ``schema`` properties need a
  ``type`` each (after ``$ref`` resolution with ``jsonref``), else its ``description``. Whether
  the ``200`` schema is an array decides ``list_*`` against ``get_*``.
- ``x-deprecation-warning`` on an operation, if present. ``definitions`` are read only through
  ``$ref``; ``securityDefinitions`` and ``basePath`` are not read (they are for other readers).

Only the standard library is imported: this module ships in the Lambda package.
"""
from __future__ import annotations

from dataclasses import dataclass, field

TITLE = "Stepwise API"
VERSION = "1.0"
DESCRIPTION = (
    "Workflows in Mistral v2 YAML run on AWS Step Functions, behind the paths, names and "
    "response shapes of the Civis Platform API (the `civis` Python client works against it). "
    "Authenticate with HTTP Basic (the API key as user name, empty password) or with "
    "`Authorization: Bearer <key>`. Response keys are camelCase. Request body keys are shown "
    "in camelCase; the civis client sends the same keys in snake_case. "
    'Errors are JSON objects `{"error": <code>, "errorDescription": <text>, "code": <status>}`.'
)
JSON = "application/json"
PAGINATION_HEADERS = (
    ("X-Pagination-Per-Page", "Number of items per page."),
    ("X-Pagination-Current-Page", "The page returned, from 1."),
    ("X-Pagination-Total-Pages", "Number of pages."),
    ("X-Pagination-Total-Entries", "Number of items on all pages."),
)


# --------------------------------------------------------------------------- schemas
#
# A property is a small dict in a neutral form that both generators translate:
#   {"type": "integer"|"string"|"boolean"|"number"|"object"|"array", "description": ...,
#    "format": ..., "enum": (...), "nullable": bool, "items": <property>,
#    "default"/"minimum"/"maximum": ... (OpenAPI only)}
# or a reference to a named schema: {"ref": "Name", "description": ..., "nullable": bool}.


def _p(type_: str, description: str = "", **extra) -> dict:
    return {"type": type_, "description": description, **extra}


def _int(description: str = "", **extra) -> dict:
    return _p("integer", description, **extra)


def _str(description: str = "", **extra) -> dict:
    return _p("string", description, **extra)


def _bool(description: str = "", **extra) -> dict:
    return _p("boolean", description, **extra)


def _obj(description: str = "", **extra) -> dict:
    """A free-form JSON object."""
    return _p("object", description, **extra)


def _time(description: str = "", **extra) -> dict:
    return _p("string", description, format="date-time", **extra)


def _list(items: dict, description: str = "", **extra) -> dict:
    return _p("array", description, items=items, **extra)


def _ref(name: str, description: str = "", **extra) -> dict:
    return {"ref": name, "description": description, **extra}


PERMISSION_LEVELS = ("read", "write", "manage")
WORKFLOW_STATES = ("queued", "running", "succeeded", "failed", "cancelled", "idle", "scheduled")
EXECUTION_MISTRAL_STATES = ("running", "paused", "success", "error", "cancelled")
TASK_MISTRAL_STATES = ("idle", "waiting", "running", "delayed", "success", "error", "cancelled")


@dataclass(frozen=True)
class Schema:
    """A named object schema; `required` names the properties always present (or demanded)."""

    name: str
    description: str
    properties: dict = field(default_factory=dict)
    required: tuple = ()

    @property
    def free_form(self) -> bool:
        return not self.properties


def _schema(name: str, description: str, props: dict, required: tuple | str = ()) -> Schema:
    """`required="all"` marks every property required (response objects carry every key)."""
    req = tuple(props) if required == "all" else tuple(required)
    unknown = set(req) - set(props)
    if unknown:
        raise ValueError(f"{name}: required names not among its properties: {sorted(unknown)}")
    return Schema(name, description, dict(props), req)


def _pick(fields: dict, names: str) -> dict:
    return {n: fields[n] for n in names.split()}


_TIMESTAMPS = {
    "createdAt": _time("The time this object was created."),
    "updatedAt": _time("The time this object was last updated."),
}

_SCHEDULE_FIELDS = {
    "scheduled": _bool("If the item is scheduled.", nullable=True),
    "scheduledDays": _list(
        _int(),
        "Days of the week, based on numeric value starting at 0 for Sunday. "
        "Mutually exclusive with scheduledDaysOfMonth",
    ),
    "scheduledHours": _list(_int(), "Hours of the day it is scheduled on."),
    "scheduledMinutes": _list(_int(), "Minutes of the day it is scheduled on."),
    "scheduledRunsPerHour": _int("Superseded by scheduledMinutes.", nullable=True),
    "scheduledDaysOfMonth": _list(
        _int(), "Days of the month it is scheduled on, mutually exclusive with scheduledDays."
    ),
}

_NOTIFICATION_FIELDS = {
    "urls": _list(_str(), "URLs to receive a POST request at job completion"),
    "successEmailSubject": _str("Custom subject line for success e-mail.", nullable=True),
    "successEmailBody": _str(
        "Custom body text for success e-mail, written in Markdown.", nullable=True
    ),
    "successEmailAddresses": _list(
        _str(), "Addresses to notify by e-mail when the job completes successfully."
    ),
    "successEmailFromName": _str("Name from which success emails are sent; defaults to "
                                 "Stepwise.", nullable=True),
    "successEmailReplyTo": _str("Address for replies to success emails.", nullable=True),
    "failureEmailAddresses": _list(_str(), "Addresses to notify by e-mail when the job fails."),
    "stallWarningMinutes": _int(
        "Stall warning emails will be sent after this amount of minutes.", nullable=True
    ),
    "successOn": _bool("If success email notifications are on"),
    "failureOn": _bool("If failure email notifications are on"),
}

_WORKFLOW_FIELDS = {
    "id": _int("The ID for this workflow."),
    "name": _str("The name of this workflow."),
    "description": _str("A description of the workflow.", nullable=True),
    "definition": _str(
        "The definition of the workflow in YAML format. "
        "Must not be specified if `fromJobChain` is specified."
    ),
    "valid": _bool("The validity of the workflow definition."),
    "validationErrors": _str(
        "The errors encountered when validating the workflow definition.", nullable=True
    ),
    "fileId": _str(
        "The file id for the s3 file containing the workflow configuration.", nullable=True
    ),
    "user": _ref("UserSimple", "The author of this workflow."),
    "state": _str(
        'The state of the workflow. State is "running" if any execution is running, otherwise '
        "reflects most recent execution state.",
        enum=WORKFLOW_STATES,
    ),
    "lastExecutionId": _int(
        "The ID of the most recent execution of this workflow, if any.", nullable=True
    ),
    "schedule": _ref("Schedule", "The schedule of when this workflow will be run."),
    "allowConcurrentExecutions": _bool("Whether the workflow can execute when already running."),
    "timeZone": _str("The time zone of this workflow."),
    "nextExecutionAt": _time("The time of the next scheduled execution.", nullable=True),
    "notifications": _ref(
        "Notifications", "The notifications to send after the workflow is executed."
    ),
    "archived": _bool("The archival status of the requested item(s)."),
    "hidden": _bool("The hidden status of the item."),
    "myPermissionLevel": _str(
        'Your permission level on the object. One of "read", "write", or "manage".',
        enum=PERMISSION_LEVELS,
    ),
    **_TIMESTAMPS,
}

# Body fields of the workflow create, replace and update requests, in Civis's order.
_WORKFLOW_INPUT_FIELDS = {
    "name": _str("The name of this workflow."),
    "description": _str("A description of the workflow.", nullable=True),
    "fromJobChain": _int(
        "If specified, create a workflow from the job chain this job is in, and inherit the "
        "schedule from the root of the chain."
    ),
    "definition": _WORKFLOW_FIELDS["definition"],
    "schedule": _ref(
        "ScheduleInput",
        "The schedule of when this workflow will be run. "
        "Must not be specified if `fromJobChain` is specified.",
    ),
    "allowConcurrentExecutions": _WORKFLOW_FIELDS["allowConcurrentExecutions"],
    "timeZone": _WORKFLOW_FIELDS["timeZone"],
    "notifications": _ref(
        "NotificationsInput", "The notifications to send after the workflow is executed."
    ),
    "hidden": _WORKFLOW_FIELDS["hidden"],
}
_WORKFLOW_UPDATE_NAMES = (
    "name description definition schedule allowConcurrentExecutions timeZone notifications"
)

_DEPENDENCY_FIELDS = {
    "objectType": _str("Dependent object type"),
    "fcoType": _str("Human readable dependent object type"),
    "id": _int("Dependent object ID"),
    "name": _str(
        "Dependent object name, or null if the requesting user cannot read this object",
        nullable=True,
    ),
    "permissionLevel": _str(
        "Permission level of target user (not user's groups) for dependent object. Null if no "
        "target user or not shareable (e.g. a database table).",
        enum=PERMISSION_LEVELS,
        nullable=True,
    ),
    "description": _str("Additional information about the dependency, if relevant",
                        nullable=True),
    "shareable": _bool("Whether or not the requesting user can share this object."),
    "shared": _bool("Whether dependent object was successfully shared with target user"),
}

_EXECUTION_FIELDS = {
    "id": _int("The ID for this workflow execution."),
    "state": _str("The state of this workflow execution."),
    "mistralState": _str(
        "The state of this workflow as reported by mistral. One of running, paused, success, "
        "error, or cancelled",
        enum=EXECUTION_MISTRAL_STATES,
    ),
    "mistralStateInfo": _str(
        "The state info of this workflow as reported by mistral.", nullable=True
    ),
    "user": _ref("UserSimple", "The user who created this execution."),
    "definition": _str("The definition of the workflow for this execution."),
    "input": _obj("Key-value pairs defined for this execution."),
    "includedTasks": _list(_str(), "The subset of workflow tasks selected to execute."),
    "tasks": _list(_ref("WorkflowExecutionTask"), "The tasks associated with this execution."),
    "startedAt": _time("The time this execution started.", nullable=True),
    "finishedAt": _time("The time this execution finished.", nullable=True),
    "createdAt": _time("The time this execution was created."),
    "updatedAt": _time("The time this execution was last updated."),
}
_EXECUTION_SUMMARY_NAMES = (
    "id state mistralState mistralStateInfo user startedAt finishedAt createdAt updatedAt"
)

_API_KEY_FIELDS = {
    "id": _int("The ID of the API key."),
    "name": _str("The name of the API key.", nullable=True),
    "expiresAt": _time("The date and time when the key expires."),
    "createdAt": _time("The date and time when the key was created."),
    "revokedAt": _time("The date and time when the key was revoked.", nullable=True),
    "lastUsedAt": _time("The date and time when the key was last used.", nullable=True),
    "expired": _bool("True if the key has expired."),
    "active": _bool("True if the key has neither expired nor been revoked."),
    "token": _str(
        "The API key. Present only in the response that creates the key; it cannot be read "
        "again."
    ),
}

_SCHEMA_LIST = (
    _schema("Error", "The body of every error response.", {
        "error": _str("A short snake_case code for the kind of error, e.g. not_found."),
        "errorDescription": _str("A sentence describing the error."),
        "code": _int("The HTTP status code."),
    }, "all"),
    _schema("UserSimple", "A user, in brief.", {
        "id": _int("The ID of this user."),
        "name": _str("This user's name."),
        "username": _str("This user's username."),
        "initials": _str("This user's initials.", nullable=True),
        "online": _bool("Whether this user is online.", nullable=True),
    }, "all"),
    _schema("IdName", "An object named by its ID and name.", {
        "id": _int("The ID of the object."),
        "name": _str("The name of the object."),
    }, "all"),
    _schema("Schedule", "When a workflow runs.", _SCHEDULE_FIELDS, "all"),
    _schema("ScheduleInput", "When a workflow runs.", _SCHEDULE_FIELDS),
    _schema("Notifications", "Notifications sent after an execution.", _NOTIFICATION_FIELDS,
            "all"),
    _schema("NotificationsInput", "Notifications sent after an execution.",
            _NOTIFICATION_FIELDS),
    _schema("WorkflowSummary", "A workflow, as listed.", _pick(
        _WORKFLOW_FIELDS,
        "id name description valid fileId user state schedule allowConcurrentExecutions "
        "timeZone nextExecutionAt archived createdAt updatedAt",
    ), "all"),
    _schema("Workflow", "A workflow.", _pick(
        _WORKFLOW_FIELDS,
        "id name description definition valid validationErrors fileId user state "
        "lastExecutionId schedule allowConcurrentExecutions timeZone nextExecutionAt "
        "notifications archived hidden myPermissionLevel createdAt updatedAt",
    ), "all"),
    _schema("WorkflowCreateRequest", "A new workflow.", _WORKFLOW_INPUT_FIELDS, ("name",)),
    _schema("WorkflowUpdateRequest", "Every attribute of a workflow.",
            _pick(_WORKFLOW_INPUT_FIELDS, _WORKFLOW_UPDATE_NAMES), ("name",)),
    _schema("WorkflowPatchRequest", "Some attributes of a workflow.",
            _pick(_WORKFLOW_INPUT_FIELDS, _WORKFLOW_UPDATE_NAMES)),
    _schema("WorkflowCloneRequest", "What to copy to the clone besides the definition.", {
        "cloneSchedule": _bool("If true, also copy the schedule to the new workflow."),
        "cloneNotifications": _bool("If true, also copy the notifications to the new workflow."),
    }),
    _schema("ArchiveRequest", "The archive status to set.", {
        "status": _bool("The desired archived status of the object."),
    }, ("status",)),
    _schema("ShareEntities", "Users and groups holding one permission level.", {
        "users": _list(_ref("IdName")),
        "groups": _list(_ref("IdName")),
    }, "all"),
    _schema("SharesObject", "Who holds which permission level on an object.", {
        "readers": _ref("ShareEntities"),
        "writers": _ref("ShareEntities"),
        "owners": _ref("ShareEntities"),
        "totalUserShares": _int(
            "For owners, the number of total users shared. For writers and readers, the number "
            "of visible users shared."
        ),
        "totalGroupShares": _int(
            "For owners, the number of total groups shared. For writers and readers, the number "
            "of visible groups shared."
        ),
    }, "all"),
    _schema("ShareUsersRequest", "Users and the permission level to give them.", {
        "userIds": _list(_int(), "An array of one or more user IDs."),
        "permissionLevel": _str('Options are: "read", "write", or "manage".',
                                enum=PERMISSION_LEVELS),
        "shareEmailBody": _str("Custom body text for e-mail sent on a share."),
        "sendSharedEmail": _bool("Send email to the recipients of a share."),
    }, ("userIds", "permissionLevel")),
    _schema("ShareGroupsRequest", "Groups and the permission level to give them.", {
        "groupIds": _list(_int(), "An array of one or more group IDs."),
        "permissionLevel": _str('Options are: "read", "write", or "manage".',
                                enum=PERMISSION_LEVELS),
        "shareEmailBody": _str("Custom body text for e-mail sent on a share."),
        "sendSharedEmail": _bool("Send email to the recipients of a share."),
    }, ("groupIds", "permissionLevel")),
    _schema("Dependency", "An object this object depends on.", _pick(
        _DEPENDENCY_FIELDS, "objectType fcoType id name permissionLevel description shareable"
    ), "all"),
    _schema("TransferDependency", "A dependency, after a transfer of ownership.", _pick(
        _DEPENDENCY_FIELDS, "objectType fcoType id name permissionLevel description shared"
    ), "all"),
    _schema("TransferRequest", "The new owner.", {
        "userId": _int("ID of target user"),
        "includeDependencies": _bool(
            "Whether or not to give manage permissions on all dependencies"
        ),
        "emailBody": _str("Custom body text for e-mail sent on transfer."),
        "sendEmail": _bool("Send email to the target user of the transfer?"),
    }, ("userId", "includeDependencies")),
    _schema("TransferResult", "The outcome of a transfer of ownership.", {
        "dependencies": _list(_ref("TransferDependency"), "Dependent objects for this object"),
    }, "all"),
    _schema("Project", "A project.", {
        "id": _int("The ID for this project."),
        "author": _ref("UserSimple", "The author/owner of the item."),
        "name": _str("The name of this project."),
        "description": _str("A description of the project.", nullable=True),
        "users": _list(_ref("UserSimple"), "Users who can see the project."),
        "autoShare": _bool("Whether objects in the project are shared with the project."),
        **_TIMESTAMPS,
        "archived": _bool("The archival status of the requested item(s)."),
    }, "all"),
    _schema("ProjectCreateRequest", "A new project.", {
        "name": _str("The name of this project."),
        "description": _str("A description of the project."),
    }, ("name",)),
    _schema("WorkflowExecutionSummary", "An execution of a workflow, as listed.",
            _pick(_EXECUTION_FIELDS, _EXECUTION_SUMMARY_NAMES), "all"),
    _schema("WorkflowExecution", "An execution of a workflow.", _pick(
        _EXECUTION_FIELDS,
        "id state mistralState mistralStateInfo user definition input includedTasks tasks "
        "startedAt finishedAt createdAt updatedAt",
    ), "all"),
    _schema("WorkflowExecutionTask", "A task of an execution.", {
        "name": _str("The name of the task."),
        "mistralState": _str(
            "The state of this task. One of idle, waiting, running, delayed, success, error, or "
            "cancelled",
            enum=TASK_MISTRAL_STATES,
        ),
        "mistralStateInfo": _str("Extra info associated with the state of the task.",
                                 nullable=True),
        "runs": _list(_ref("WorkflowRun"),
                      "The runs associated with this task, in descending order by id."),
        "executions": _list(_ref("WorkflowChildExecution"),
                            "The executions run by this task, in descending order by id."),
    }, "all"),
    _schema("WorkflowRun", "A job run started by a task.", {
        "id": _int("The ID of the run."),
        "jobId": _int("The ID of the job associated with the run."),
        "myPermissionLevel": _str(
            'Your permission level on the job. One of "read", "write", "manage", or null.',
            enum=PERMISSION_LEVELS, nullable=True,
        ),
        "state": _str("The state of the run."),
        "createdAt": _time("The time that the run was queued."),
        "startedAt": _time("The time that the run started.", nullable=True),
        "finishedAt": _time("The time that the run completed.", nullable=True),
    }, "all"),
    _schema("WorkflowChildExecution", "An execution of another workflow started by a task.", {
        "id": _int("The ID of the execution."),
        "workflowId": _int("The ID of the workflow associated with the execution."),
        "myPermissionLevel": _str(
            'Your permission level on the workflow. One of "read", "write", "manage", or null.',
            enum=PERMISSION_LEVELS, nullable=True,
        ),
        "state": _str("The state of this workflow execution."),
        "createdAt": _time("The time this execution was created."),
        "startedAt": _time("The time this execution started.", nullable=True),
        "finishedAt": _time("The time this execution finished.", nullable=True),
    }, "all"),
    _schema("WorkflowExecutionRequest", "How to run the workflow.", {
        "targetTask": _str("For a reverse workflow, the name of the task to target."),
        "input": _obj("Key-value pairs to send to this execution as inputs."),
        "includedTasks": _list(
            _str(),
            "If specified, executes only the subset of workflow tasks included as specified by "
            "task name.",
        ),
    }),
    _schema("WorkflowRetryRequest", "Which failed task to retry.", {
        "taskName": _str(
            "If specified, the name of the task to be retried. If not specified, all failed "
            "tasks in the execution will be retried."
        ),
    }),
    _schema("WorkflowRerunRequest", "Which task to run the execution again from.", {
        "fromTask": _str(
            "The name of the task to run again; every task a transition from it reaches runs "
            "again too, and the other tasks keep the outcome they had."
        ),
    }, required=("fromTask",)),
    _schema("ScheduleRun", "A run a workflow's schedule asked for (Stepwise).", {
        "workflowId": _int("The ID of the workflow."),
        "scheduledTime": _time("The time the schedule ran at (UTC); one run per time."),
        "source": _str("What asked for the run.", enum=("schedule", "backfill")),
        "state": _str(
            "planned (a dry run), pending (queued until the workflow is free), starting, "
            "started, skipped (another execution ran and concurrent executions are off) or "
            "failed.",
            enum=("planned", "pending", "starting", "started", "skipped", "failed"),
        ),
        "executionId": _int("The execution the run started.", nullable=True),
        "reason": _str("Why the run was skipped or failed.", nullable=True),
        **_TIMESTAMPS,
    }, "all"),
    _schema("BackfillRequest", "Which past runs of the schedule to run (Stepwise).", {
        "start": _time("The start of the window (included), with a UTC offset or Z."),
        "end": _time("The end of the window (excluded), with a UTC offset or Z."),
        "dryRun": _bool("List the runs without starting them."),
        "maxRuns": _int("At most this many runs, the earliest (default 50, at most 500).",
                        minimum=1, maximum=500, default=50),
    }, ("start", "end")),
    _schema("BackfillResult", "The runs of a backfill (Stepwise).", {
        "dryRun": _bool("Whether the runs were only listed."),
        "truncated": _bool("Whether the window holds more runs than maxRuns."),
        "runs": _list(_ref("ScheduleRun"), "The runs, earliest first."),
    }, "all"),
    _schema("NotificationTry", "One try to deliver a notification.", {
        "at": _time("When the try began."),
        "statusCode": _int("The HTTP status a webhook answered.", nullable=True),
        "error": _str("Why the try failed.", nullable=True),
        "durationMs": _int("How long the try took, in milliseconds."),
    }, "all"),
    _schema("WorkflowExecutionNotification", "A notification an execution owes.", {
        "kind": _str("What is sent.",
                     enum=("success_email", "failure_email", "stall_warning", "webhook")),
        "target": _str("The webhook URL, or the e-mail recipients."),
        "attempt": _int("The execution attempt it is about (0, then one more per retry)."),
        "deliveryId": _str("The Stepwise-Delivery header: the same on every try."),
        "status": _str("pending (a try is due), delivered or failed (no more tries).",
                       enum=("pending", "delivered", "failed")),
        "nextTryAt": _time("When the next try is due.", nullable=True),
        "createdAt": _time("When the notification was recorded."),
        "tries": _list(_ref("NotificationTry"), "Every try, oldest first."),
    }, "all"),
    _schema("WebhookSecret", "The key that signs a workflow's webhooks.", {
        "secret": _str("HMAC-SHA256 key of the Stepwise-Signature header."),
        "createdAt": _time("When this secret was made."),
    }, "all"),
    _schema("User", "A user.", {
        "id": _int("The ID of this user."),
        "name": _str("This user's name."),
        "email": _str("This user's email address."),
        "username": _str("This user's username."),
        "initials": _str("This user's initials.", nullable=True),
        "admin": _bool("Whether this user is an administrator."),
        "groups": _list(_ref("IdName"), "An array of all the groups this user is in."),
        "createdAt": _time("The date and time when the user was created."),
    }, "all"),
    _schema("UserCreateRequest", "A new user.", {
        "name": _str("The name of this user."),
        "email": _str("The email of this user."),
        "username": _str("The username of this user."),
        "admin": _bool("Whether the user is an administrator."),
    }, ("name", "email")),
    _schema("ApiKey", "An API key (its secret only in the response that creates it).",
            _API_KEY_FIELDS, tuple(n for n in _API_KEY_FIELDS if n != "token")),
    _schema("ApiKeyCreateRequest", "A new API key.", {
        "expiresIn": _int("The number of seconds the key should last for."),
        "name": _str("The name of the API key."),
    }, ("expiresIn",)),
    _schema("GroupMember", "A member of a group.", {
        "id": _int("The ID of this user."),
        "name": _str("This user's name."),
        "username": _str("This user's username."),
    }, "all"),
    _schema("Group", "A group of users.", {
        "id": _int("The ID of this group."),
        "name": _str("This group's name."),
        "description": _str("The description of the group.", nullable=True),
        "members": _list(_ref("GroupMember"), "The members of this group."),
        "createdAt": _time("The date and time when this group was created."),
        "updatedAt": _time("The date and time when this group was last updated."),
    }, "all"),
    _schema("GroupCreateRequest", "A new group.", {
        "name": _str("This group's name."),
        "description": _str("The description of the group."),
    }, ("name",)),
    _schema("ApiDocument", "A description of this API (a JSON document).", {}),
)
SCHEMAS: dict[str, Schema] = {s.name: s for s in _SCHEMA_LIST}


# --------------------------------------------------------------------------- operations


@dataclass(frozen=True)
class Param:
    """A path or query parameter. `items` is the item property of an array parameter."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    enum: tuple = ()
    items: dict | None = None
    default: object = None  # documented in OpenAPI only (see the module docstring)
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class Operation:
    """One HTTP operation.

    `path` is Civis's path template (list and create paths end in ``/``, as Civis writes them;
    `route` is the same without it). `name` is the method name the civis client derives from
    `method` and `path`. `body` and `response` name entries of `SCHEMAS`; `is_list` means the
    response is an array of `response`. `in_civis` is false for operations that are not part of
    the Civis API (left out of the Swagger document the client reads). `auth` is false for
    operations served without credentials.
    """

    method: str
    path: str
    name: str
    summary: str
    path_params: tuple = ()
    query: tuple = ()
    body: str | None = None
    status: int = 200
    response: str | None = None
    is_list: bool = False
    description: str = ""
    in_civis: bool = True
    auth: bool = True

    @property
    def resource(self) -> str:
        """The civis client attribute holding this operation (``client.<resource>.<name>``)."""
        return self.path.strip("/").split("/")[0].lower().replace("-", "_")

    @property
    def route(self) -> str:
        return self.path.rstrip("/") or "/"

    @property
    def body_required(self) -> bool:
        return bool(self.body and SCHEMAS[self.body].required)

    @property
    def paginated(self) -> bool:
        names = {p.name for p in self.query}
        return self.method == "GET" and {"limit", "page_num"} <= names


def _id(description: str, name: str = "id", type_: str = "integer") -> Param:
    return Param(name, type_, description, required=True)


def _query(name: str, type_: str, description: str, **extra) -> Param:
    return Param(name, type_, description, **extra)


_WF_ID = _id("The ID for this workflow.")
_SHARED_ID = _id("The ID of the resource that is shared.")
_EXECUTION_ID = _id("The ID for the workflow execution.", "execution_id")
_HIDDEN = _query(
    "hidden", "boolean",
    "If specified to be true, returns hidden items. Defaults to false, returning non-hidden "
    "items.",
)
_LIMIT = _query(
    "limit", "integer", "Number of results to return. Defaults to 20. Maximum allowed is 50.",
    default=20, minimum=1, maximum=50,
)
_PAGE_NUM = _query(
    "page_num", "integer",
    "Page number of the results to return. Defaults to the first page, 1.", default=1, minimum=1,
)
_ORDER_DIR = _query(
    "order_dir", "string",
    "Direction in which to sort, either asc (ascending) or desc (descending) defaulting to desc.",
    enum=("asc", "desc"), default="desc",
)
_USER_ID = _id("The ID of the user.")

OPERATIONS: tuple[Operation, ...] = (
    # /workflows
    Operation(
        "GET", "/workflows/", "list", "List Workflows",
        query=(
            _HIDDEN,
            _query(
                "archived", "string",
                "The archival status of the items to return. One of: true, false, all. A blank "
                "value is read as 'false', which is also the default.",
                enum=("true", "false", "all", ""),
            ),
            _query(
                "author", "string",
                "If specified, return items from any of these authors. It accepts a "
                "comma-separated list of user IDs.",
            ),
            _query(
                "state", "array",
                "State of the most recent execution. One or more of queued, running, succeeded, "
                'failed, cancelled, idle or scheduled. Note that the "scheduled" state applies '
                "only to scheduled workflows which have never been run. If you want to see all "
                'scheduled workflows, please use the "scheduled" filter instead. Repeat the '
                "parameter for several states (state=a&state=b, or state[]=a&state[]=b).",
                items=_str(enum=WORKFLOW_STATES),
            ),
            _query("scheduled", "boolean", "If the workflow is scheduled."),
            _LIMIT,
            _PAGE_NUM,
            _query(
                "order", "string",
                "The field on which to order the result set. Defaults to updated_at. Must be "
                "one of: updated_at, name, created_at.",
                enum=("updated_at", "name", "created_at"), default="updated_at",
            ),
            _ORDER_DIR,
        ),
        response="WorkflowSummary", is_list=True,
    ),
    Operation(
        "POST", "/workflows/", "post", "Create a Workflow",
        body="WorkflowCreateRequest", status=201, response="Workflow",
    ),
    Operation("GET", "/workflows/{id}", "get", "Get a Workflow", (_WF_ID,), response="Workflow"),
    Operation(
        "PUT", "/workflows/{id}", "put", "Replace all attributes of this Workflow", (_WF_ID,),
        body="WorkflowUpdateRequest", response="Workflow",
    ),
    Operation(
        "PATCH", "/workflows/{id}", "patch", "Update some attributes of this Workflow",
        (_WF_ID,), body="WorkflowPatchRequest", response="Workflow",
    ),
    Operation(
        "POST", "/workflows/{id}/clone", "post_clone", "Clone this Workflow",
        (_id("The ID for the workflow."),), body="WorkflowCloneRequest", status=201,
        response="Workflow",
    ),
    Operation(
        "PUT", "/workflows/{id}/archive", "put_archive",
        "Update the archive status of this object", (_id("The ID of the object."),),
        body="ArchiveRequest", response="Workflow",
    ),
    Operation(
        "GET", "/workflows/{id}/projects", "list_projects",
        "List the projects a Workflow belongs to", (_id("The ID of the Workflow."),),
        query=(_HIDDEN,), response="Project", is_list=True,
    ),
    Operation(
        "PUT", "/workflows/{id}/projects/{project_id}", "put_projects",
        "Add a Workflow to a project",
        (_id("The ID of the Workflow."), _id("The ID of the project.", "project_id")),
        status=204,
    ),
    Operation(
        "DELETE", "/workflows/{id}/projects/{project_id}", "delete_projects",
        "Remove a Workflow from a project",
        (_id("The ID of the Workflow."), _id("The ID of the project.", "project_id")),
        status=204,
    ),
    Operation(
        "GET", "/workflows/{id}/shares", "list_shares",
        "List users and groups permissioned on this object", (_SHARED_ID,),
        response="SharesObject", is_list=True,
    ),
    Operation(
        "PUT", "/workflows/{id}/shares/users", "put_shares_users",
        "Set the permissions users have on this object", (_SHARED_ID,),
        body="ShareUsersRequest", response="SharesObject",
    ),
    Operation(
        "DELETE", "/workflows/{id}/shares/users/{user_id}", "delete_shares_users",
        "Revoke the permissions a user has on this object",
        (_SHARED_ID, _id("The ID of the user.", "user_id")), status=204,
    ),
    Operation(
        "PUT", "/workflows/{id}/shares/groups", "put_shares_groups",
        "Set the permissions groups have on this object", (_SHARED_ID,),
        body="ShareGroupsRequest", response="SharesObject",
    ),
    Operation(
        "DELETE", "/workflows/{id}/shares/groups/{group_id}", "delete_shares_groups",
        "Revoke the permissions a group has on this object",
        (_SHARED_ID, _id("The ID of the group.", "group_id")), status=204,
    ),
    Operation(
        "PUT", "/workflows/{id}/transfer", "put_transfer",
        "Transfer ownership of this object to another user", (_SHARED_ID,),
        body="TransferRequest", response="TransferResult",
    ),
    Operation(
        "GET", "/workflows/{id}/dependencies", "list_dependencies",
        "List dependent objects for this object", (_SHARED_ID,),
        query=(_query("user_id", "integer", "ID of target user"),),
        response="Dependency", is_list=True,
    ),
    Operation(
        "GET", "/workflows/{id}/executions", "list_executions", "List workflow executions",
        (_WF_ID,),
        query=(
            _LIMIT,
            _PAGE_NUM,
            _query(
                "order", "string",
                "The field on which to order the result set. Defaults to id. Must be one of: "
                "id, updated_at.",
                enum=("id", "updated_at"), default="id",
            ),
            _ORDER_DIR,
        ),
        response="WorkflowExecutionSummary", is_list=True,
    ),
    Operation(
        "POST", "/workflows/{id}/executions", "post_executions", "Execute a workflow",
        (_id("The ID for the workflow."),), body="WorkflowExecutionRequest", status=201,
        response="WorkflowExecution",
    ),
    Operation(
        "GET", "/workflows/{id}/executions/{execution_id}", "get_executions",
        "Get a workflow execution", (_id("The ID for the workflow."), _EXECUTION_ID),
        response="WorkflowExecution",
    ),
    Operation(
        "POST", "/workflows/{id}/executions/{execution_id}/cancel", "post_executions_cancel",
        "Cancel a workflow execution", (_id("The ID for the workflow."), _EXECUTION_ID),
        status=202, response="WorkflowExecution",
    ),
    Operation(
        "POST", "/workflows/{id}/executions/{execution_id}/resume", "post_executions_resume",
        "Resume a paused workflow execution", (_id("The ID for the workflow."), _EXECUTION_ID),
        status=202, response="WorkflowExecution",
    ),
    Operation(
        "POST", "/workflows/{id}/executions/{execution_id}/retry", "post_executions_retry",
        "Retry a failed task, or all failed tasks in an execution",
        (_id("The ID for the workflow."), _EXECUTION_ID), body="WorkflowRetryRequest",
        status=202, response="WorkflowExecution",
    ),
    Operation(
        "POST", "/workflows/{id}/executions/{execution_id}/rerun", "post_executions_rerun",
        "Run a finished execution again from a chosen task",
        (_id("The ID for the workflow."), _EXECUTION_ID), body="WorkflowRerunRequest",
        status=202, response="WorkflowExecution",
        description="A Stepwise extension: the execution keeps its id; the chosen task and "
                    "what follows it run again, and the results of the other tasks are reused.",
    ),
    Operation(
        "GET", "/workflows/{id}/executions/{execution_id}/tasks/{task_name}",
        "get_executions_tasks", "Get a task of a workflow execution",
        (
            _id("The ID for the workflow."),
            _EXECUTION_ID,
            _id("The URL-encoded name of the task.", "task_name", "string"),
        ),
        response="WorkflowExecutionTask",
    ),
    Operation(
        "GET", "/workflows/{id}/schedule_runs", "list_schedule_runs",
        "List the runs a workflow's schedule asked for", (_WF_ID,), query=(_LIMIT, _PAGE_NUM),
        response="ScheduleRun", is_list=True, in_civis=False,
        description="A Stepwise extension: one entry per scheduled time (firings and "
                    "backfills), newest first, with the execution started or why none was.",
    ),
    Operation(
        "POST", "/workflows/{id}/backfill", "post_backfill",
        "Run the runs a workflow's schedule would have made in a past window", (_WF_ID,),
        body="BackfillRequest", response="BackfillResult", in_civis=False,
        description="A Stepwise extension: one execution per scheduled time in [start, end), "
                    "at most once per time; queued one at a time when concurrent executions "
                    "are off.",
    ),
    Operation(
        "GET", "/workflows/{id}/executions/{execution_id}/notifications",
        "list_executions_notifications", "List the notifications of a workflow execution",
        (_id("The ID for the workflow."), _EXECUTION_ID),
        response="WorkflowExecutionNotification", is_list=True, in_civis=False,
        description="A Stepwise extension: the e-mails and webhook POSTs the execution owes, "
                    "with every try.",
    ),
    Operation(
        "GET", "/workflows/{id}/webhook_secret", "get_webhook_secret",
        "Get the secret that signs the workflow's webhooks",
        (_id("The ID for the workflow."),), response="WebhookSecret", in_civis=False,
        description="A Stepwise extension (manage permission); made at first need.",
    ),
    Operation(
        "POST", "/workflows/{id}/webhook_secret/rotate", "post_webhook_secret_rotate",
        "Replace the secret that signs the workflow's webhooks",
        (_id("The ID for the workflow."),), response="WebhookSecret", in_civis=False,
        description="A Stepwise extension (manage permission); the old secret stops working "
                    "at once.",
    ),
    # /users
    Operation(
        "GET", "/users/me", "get_me", "Show info about the logged-in user", response="User",
        description="The civis client also offers this as `users.list_me` (a deprecated alias).",
    ),
    Operation(
        "POST", "/users/", "post", "Create a new user",
        body="UserCreateRequest", status=201, response="User",
    ),
    Operation("GET", "/users/{id}", "get", "Show info about a user",
              (_id("The ID of this user."),), response="User"),
    Operation(
        "GET", "/users/{id}/api_keys", "list_api_keys",
        "Show API keys belonging to the specified user", (_USER_ID,),
        response="ApiKey", is_list=True,
    ),
    Operation(
        "POST", "/users/{id}/api_keys", "post_api_keys",
        "Create a new API key belonging to the specified user", (_USER_ID,),
        body="ApiKeyCreateRequest", status=201, response="ApiKey",
    ),
    Operation(
        "DELETE", "/users/{id}/api_keys/{key_id}", "delete_api_keys",
        "Revoke the specified API key",
        (_USER_ID, _id("The ID of the API key.", "key_id")), response="ApiKey",
    ),
    # /groups
    Operation(
        "POST", "/groups/", "post", "Create a Group", body="GroupCreateRequest", status=201,
        response="Group",
    ),
    Operation("GET", "/groups/{id}", "get", "Get a Group", (_id("The ID of this group."),),
              response="Group"),
    Operation(
        "PUT", "/groups/{id}/members/{user_id}", "put_members", "Add a user to a group",
        (_id("The ID of the group."), _id("The ID of the user.", "user_id")), response="Group",
    ),
    Operation(
        "DELETE", "/groups/{id}/members/{user_id}", "delete_members",
        "Remove a user from a group",
        (_id("The ID of the group."), _id("The ID of the user.", "user_id")), status=204,
    ),
    # /projects
    Operation(
        "POST", "/projects/", "post", "Create a project", body="ProjectCreateRequest",
        status=201, response="Project",
    ),
    Operation(
        "GET", "/projects/{project_id}", "get", "Get a project",
        (_id("The ID of the project.", "project_id"),), response="Project",
    ),
    # Descriptions of this API
    Operation(
        "GET", "/endpoints", "get_endpoints", "Get this API as a Swagger 2.0 document",
        response="ApiDocument", in_civis=False,
        description="The document the civis client reads when it is built without a local "
        "spec.",
    ),
    Operation(
        "GET", "/openapi.json", "get_openapi", "Get this API as an OpenAPI 3.0 document",
        response="ApiDocument", in_civis=False,
    ),
)


def routes() -> list[tuple[str, str]]:
    """(method, route) of every operation, routes without a trailing slash (as served)."""
    return [(op.method, op.route) for op in OPERATIONS]


def civis_operations() -> tuple[Operation, ...]:
    return tuple(op for op in OPERATIONS if op.in_civis)


# --------------------------------------------------------------------------- generators


def _prop(p: dict, openapi: bool) -> dict:
    """Translate a neutral property to Swagger 2.0 (`openapi` false) or OpenAPI 3.0."""
    nullable = p.get("nullable", False)
    description = p.get("description", "")
    if "ref" in p:
        target = _ref_path(p["ref"], openapi)
        if openapi and (description or nullable):
            out = {"allOf": [{"$ref": target}]}
            if description:
                out["description"] = description
            if nullable:
                out["nullable"] = True
            return out
        # jsonref replaces the whole object by its target, so siblings would only be lost.
        return {"$ref": target}
    out = {"type": p["type"]}
    if description:
        out["description"] = description
    if "format" in p:
        out["format"] = p["format"]
    if "enum" in p:
        enum = list(p["enum"])
        out["enum"] = enum + [None] if openapi and nullable else enum
    if "items" in p:
        out["items"] = _prop(p["items"], openapi)
    if nullable:
        out["nullable" if openapi else "x-nullable"] = True
    if openapi:
        for key in ("default", "minimum", "maximum"):
            if key in p:
                out[key] = p[key]
    return out


def _ref_path(name: str, openapi: bool) -> str:
    if name not in SCHEMAS:
        raise KeyError(f"unknown schema {name!r}")
    return ("#/components/schemas/" if openapi else "#/definitions/") + name


def _schema_doc(schema: Schema, openapi: bool) -> dict:
    out = {"type": "object", "description": schema.description}
    if schema.free_form:
        return out
    out["properties"] = {k: _prop(v, openapi) for k, v in schema.properties.items()}
    if schema.required:
        out["required"] = list(schema.required)
    return out


def _param_prop(param: Param) -> dict:
    p = {"type": param.type, "description": param.description}
    if param.enum:
        p["enum"] = param.enum
    if param.items is not None:
        p["items"] = param.items
    for key in ("default", "minimum", "maximum"):
        value = getattr(param, key)
        if value is not None:
            p[key] = value
    return p


def _response_schema(op: Operation, openapi: bool) -> dict | None:
    if op.response is None:
        return None
    ref = {"$ref": _ref_path(op.response, openapi)}
    return {"type": "array", "items": ref} if op.is_list else ref


def _swagger_param(param: Param, where: str) -> dict:
    out = {"name": param.name, "in": where, "required": where == "path" or param.required}
    out.update(_prop(_param_prop(param), openapi=False))
    if param.type == "array":
        out["collectionFormat"] = "multi"
    return out


def _swagger_operation(op: Operation) -> dict:
    params = [_swagger_param(p, "path") for p in op.path_params]
    params += [_swagger_param(p, "query") for p in op.query]
    if op.body:
        params.append({
            "name": op.body,
            "in": "body",
            "required": op.body_required,
            "schema": {"$ref": _ref_path(op.body, False)},
        })
    success = {"description": "success"}
    schema = _response_schema(op, openapi=False)
    if schema is not None:
        success["schema"] = schema
    out = {"summary": op.summary, "operationId": f"{op.resource}_{op.name}",
           "tags": [op.resource]}
    if op.description:
        out["description"] = op.description
    out["parameters"] = params
    # The civis client documents the first response: the success one comes first.
    out["responses"] = {
        str(op.status): success,
        "default": {"description": "error", "schema": {"$ref": _ref_path("Error", False)}},
    }
    if not op.auth:
        out["security"] = []
    return out


def _served(operations, served) -> list[Operation]:
    return [op for op in operations if served is None or (op.method, op.route) in served]


def swagger_document(base_path: str = "/", served=None) -> dict:
    """The Swagger 2.0 document of the Civis-compatible operations, as the civis client reads it.

    ``civis.APIClient(api_key=..., local_api_spec=collections.OrderedDict(doc))`` (or the path of
    a JSON file holding it) builds ``client.workflows``, ``client.users``, ``client.groups`` and
    ``client.projects``. The client takes the server address from ``CIVIS_API_ENDPOINT``, not from
    `base_path`, which is recorded for other readers. `served`, a set of (method, route), keeps
    only the operations the running app serves.
    """
    paths: dict[str, dict] = {}
    for op in _served(civis_operations(), served):
        paths.setdefault(op.path, {})[op.method.lower()] = _swagger_operation(op)
    return {
        "swagger": "2.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "basePath": base_path,
        "consumes": [JSON],
        "produces": [JSON],
        "securityDefinitions": {
            "basic": {
                "type": "basic",
                "description": "The API key as user name and an empty password.",
            },
            "api_key": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "description": "`Bearer <API key>`.",
            },
        },
        "security": [{"basic": []}, {"api_key": []}],
        "paths": paths,
        "definitions": {
            name: _schema_doc(schema, openapi=False) for name, schema in SCHEMAS.items()
        },
    }


def _openapi_param(param: Param, where: str) -> dict:
    return {
        "name": param.name,
        "in": where,
        "required": where == "path" or param.required,
        "description": param.description,
        "schema": _prop({k: v for k, v in _param_prop(param).items() if k != "description"},
                        openapi=True),
    }


def _openapi_operation(op: Operation) -> dict:
    params = [_openapi_param(p, "path") for p in op.path_params]
    params += [_openapi_param(p, "query") for p in op.query]
    out = {
        "operationId": f"{op.resource}_{op.name}",
        "tags": [op.resource],
        "summary": op.summary,
    }
    description = op.description
    if op.in_civis:
        civis_call = f"`client.{op.resource}.{op.name}`"
        description = (description + "\n\n" if description else "") + f"civis: {civis_call}"
    if description:
        out["description"] = description
    if params:
        out["parameters"] = params
    if op.body:
        out["requestBody"] = {
            "required": op.body_required,
            "content": {JSON: {"schema": {"$ref": _ref_path(op.body, True)}}},
        }
    success: dict = {"description": "success"}
    schema = _response_schema(op, openapi=True)
    if schema is not None:
        success["content"] = {JSON: {"schema": schema}}
    if op.paginated:
        success["headers"] = {
            name: {"description": text, "schema": {"type": "integer"}}
            for name, text in PAGINATION_HEADERS
        }
    responses = {str(op.status): success}
    if op.body or op.query:
        responses["400"] = {"$ref": "#/components/responses/BadRequest"}
    if op.auth:
        responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
    if op.path_params:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    responses["default"] = {"$ref": "#/components/responses/Error"}
    out["responses"] = responses
    if not op.auth:
        out["security"] = []
    return out


def _error_response(description: str, headers: dict | None = None) -> dict:
    out = {
        "description": description,
        "content": {JSON: {"schema": {"$ref": _ref_path("Error", True)}}},
    }
    if headers:
        out["headers"] = headers
    return out


def openapi_document(server_url: str = "/", served=None) -> dict:
    """The OpenAPI 3.0.3 document of every operation, for readers other than the civis client.

    Paths are the served routes (no trailing slash); request and response schemas live in
    ``components.schemas`` under the same names as in the Swagger document. `served` as in
    `swagger_document`.
    """
    paths: dict[str, dict] = {}
    for op in _served(OPERATIONS, served):
        paths.setdefault(op.route, {})[op.method.lower()] = _openapi_operation(op)
    tags = []
    for op in OPERATIONS:
        if op.resource not in tags:
            tags.append(op.resource)
    return {
        "openapi": "3.0.3",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in tags],
        "security": [{"basicAuth": []}, {"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": {
                name: _schema_doc(schema, openapi=True) for name, schema in SCHEMAS.items()
            },
            "responses": {
                "BadRequest": _error_response("The request is malformed or invalid."),
                "Unauthorized": _error_response(
                    "No valid API key was given.",
                    {"WWW-Authenticate": {
                        "description": "The authentication scheme to use.",
                        "schema": {"type": "string"},
                    }},
                ),
                "NotFound": _error_response("The requested resource could not be found."),
                "Error": _error_response("An error."),
            },
            "securitySchemes": {
                "basicAuth": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "The API key as user name and an empty password "
                    "(what the civis client sends).",
                },
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <API key>`.",
                },
            },
        },
    }

