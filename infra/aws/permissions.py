"""What each role of the AWS template may do, and why: the table `resources.yaml` follows.

`ROLES` maps a role's logical id to its policy statements (Sid, IAM actions, reason);
`FUNCTIONS` maps each Lambda function's logical id to its role. tests/deploy checks that the
merged template grants exactly these actions per statement, that every AWS API call the
deployed code makes through boto3 is granted to some function, and that resources are scoped
except where AWS allows no scoping (`UNSCOPED`).

Statements guarded by a template condition (e-mail, the users' own functions) are listed
with the condition's name: they exist only when the deployment sets that parameter.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    reason: str
    condition: str | None = None  # the template condition the statement depends on


_TABLE_ACTIONS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                  "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                  "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem")

TABLES = Statement("Tables", _TABLE_ACTIONS,
                   "PynamoDB models: gets, batch gets of list pages, per-key queries, "
                   "conditional writes and transactions (TransactWriteItems is authorised "
                   "per item action); never Scan")
INDEXES = Statement("TableIndexes", ("dynamodb:Query",),
                    "queries of the sparse indexes: active executions, keys by user, pending "
                    "runs, due notifications")
MACHINES = Statement("Machines", ("states:CreateStateMachine", "states:UpdateStateMachine",
                                  "states:PublishStateMachineVersion"),
                     "engine.machines publishes a workflow's machines (publish=True) before "
                     "a start")
START = Statement("Start", ("states:StartExecution",),
                  "engine.runs.start starts the published machine version")
PASS_STATES = Statement("PassStatesRole", ("iam:PassRole",),
                        "machines are created with the states role")
EMAIL = Statement("Email", ("ses:SendEmail",),
                  "notification e-mails and std.email through SES v2", condition="HasEmail")
LOGS = Statement("Logs", ("logs:CreateLogStream", "logs:PutLogEvents"),
                 "the function's own log group (the template creates it)")
DLQ = Statement("DeadLetters", ("sqs:SendMessage",),
                "Lambda puts failed asynchronous invocations into the function's queue")
DESCRIBE = Statement("Executions", ("states:DescribeExecution", "states:GetExecutionHistory"),
                     "settling an execution reads its status and its history (task states)")

ROLES: dict[str, tuple[Statement, ...]] = {
    "ApiRole": (
        TABLES, INDEXES,
        Statement("Tokens", ("dynamodb:Query", "dynamodb:DeleteItem"),
                  "resume reads the paused tasks' tokens and forgets the ones it used"),
        MACHINES, START,
        Statement("Executions", ("states:DescribeExecution", "states:StopExecution",
                                 "states:GetExecutionHistory"),
                  "execution pages read status and history; cancel stops the execution"),
        Statement("Resume", ("states:SendTaskSuccess",),
                  "resume sends the stored task token back"),
        PASS_STATES,
        Statement("PassSchedulerRole", ("iam:PassRole",),
                  "schedules are created with the scheduler role"),
        Statement("ScheduleGroup", ("scheduler:GetScheduleGroup",
                                    "scheduler:CreateScheduleGroup"),
                  "engine.schedules makes the group if it is missing"),
        Statement("Schedules", ("scheduler:CreateSchedule", "scheduler:UpdateSchedule",
                                "scheduler:DeleteSchedule"),
                  "a workflow's schedule follows its schedule fields"),
        EMAIL, LOGS,
    ),
    "OnExecutionEventRole": (
        TABLES, INDEXES,
        DESCRIBE, EMAIL, DLQ, LOGS,
    ),
    "SweeperRole": (
        TABLES, INDEXES,
        MACHINES, START, DESCRIBE, PASS_STATES, EMAIL, DLQ, LOGS,
    ),
    "ScheduledRunRole": (
        TABLES, INDEXES, MACHINES, START, DESCRIBE, PASS_STATES,
        Statement("Schedules", ("scheduler:DeleteSchedule",),
                  "the schedule of a workflow that is no longer scheduled is deleted"),
        DLQ, LOGS,
    ),
    "ActionsRole": (
        Statement("InvokeUserFunctions", ("lambda:InvokeFunction",),
                  "registered actions run the users' functions", condition="HasUserFunctions"),
        EMAIL, LOGS,
    ),
    "CallbacksRole": (
        TABLES, INDEXES,
        Statement("Tokens", ("dynamodb:PutItem",), "stores the waiting task's token"),
        DLQ, LOGS,
    ),
    "StatesRole": (
        Statement("InvokeBundleFunctions", ("lambda:InvokeFunction",),
                  "tasks call the actions and callbacks functions"),
        Statement("InvokeUserFunctions", ("lambda:InvokeFunction",),
                  "aws.lambda and registered actions call the users' functions",
                  condition="HasUserFunctions"),
        Statement("SubWorkflows", ("states:StartExecution",),
                  "sub-workflow tasks start the service's machines (.sync:2)"),
        Statement("SubWorkflowExecutions", ("states:DescribeExecution", "states:StopExecution"),
                  ".sync:2 follows the child and stops it when the parent stops"),
        Statement("SyncRule", ("events:PutTargets", "events:PutRule", "events:DescribeRule"),
                  ".sync:2 uses Step Functions' managed rule for child completion"),
        Statement("JoinArrivals", ("dynamodb:UpdateItem", "dynamodb:GetItem"),
                  "join: N / join: one count arrivals in the joins table"),
        Statement("ReleaseJoinWaiters", ("states:SendTaskSuccess",),
                  "the last arrival of an early join releases the waiting branches"),
    ),
    "SchedulerRole": (
        Statement("InvokeScheduledRun", ("lambda:InvokeFunction",),
                  "schedules invoke the scheduled-run function"),
        Statement("DeadLetters", ("sqs:SendMessage",),
                  "firings Scheduler could not deliver go to the schedules' queue"),
    ),
}

FUNCTIONS: dict[str, str] = {
    "APIHandler": "ApiRole",
    "OnExecutionEvent": "OnExecutionEventRole",
    "Sweeper": "SweeperRole",
    "ScheduledRun": "ScheduledRunRole",
    "Actions": "ActionsRole",
    "Callbacks": "CallbacksRole",
}

# Actions that accept no resource but "*", with the reason.
UNSCOPED: dict[str, str] = {
    "states:SendTaskSuccess": "task-token actions have no resource-level permissions",
}
