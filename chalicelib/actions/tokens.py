"""Task tokens of paused and async tasks, kept until the engine resumes the task.

Takes/gives `TaskToken` records, keyed by (execution ARN, task name): a later token for the same
task (e.g. after a retry) replaces the earlier one.
- `TokenStore`: the protocol (`put`, `get`, `delete`);
- `MemoryTokenStore`: a dict, for tests and single-process local runs;
- `DynamoTokenStore`: a DynamoDB table through boto3; key schema `execution` (S, HASH) and
  `task` (S, RANGE), with attributes `token`, `kind` and `stored_at` (epoch seconds);
- `token_store()`: the store config selects (STEPWISE_TOKENS_TABLE set: DynamoDB, else the
  process-wide MEMORY store).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib import config

from . import clients


@dataclass(frozen=True)
class TaskToken:
    """One waiting task: its token and what kind of wait it is."""

    execution: str
    task: str
    token: str
    kind: str
    stored_at: float


class TokenStore(Protocol):
    """Where task tokens wait."""

    def put(self, record: TaskToken) -> None:
        """Stores `record`, replacing any token of the same execution and task."""

    def get(self, execution: str, task: str) -> TaskToken | None:
        """Gives the token stored for (execution, task), or None."""

    def delete(self, execution: str, task: str) -> None:
        """Forgets the token of (execution, task), if any."""

    def of_execution(self, execution: str) -> list[TaskToken]:
        """Every token stored for `execution`."""


class MemoryTokenStore:
    """Tokens in a dict of this process."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], TaskToken] = {}
        self._lock = threading.Lock()

    def put(self, record: TaskToken) -> None:
        with self._lock:
            self._records[(record.execution, record.task)] = record

    def get(self, execution: str, task: str) -> TaskToken | None:
        with self._lock:
            return self._records.get((execution, task))

    def delete(self, execution: str, task: str) -> None:
        with self._lock:
            self._records.pop((execution, task), None)

    def of_execution(self, execution: str) -> list[TaskToken]:
        with self._lock:
            return [r for (e, _), r in self._records.items() if e == execution]

    def clear(self) -> None:
        """Forgets every token."""
        with self._lock:
            self._records.clear()


class DynamoTokenStore:
    """Tokens in DynamoDB table `table` (key: execution, task)."""

    def __init__(self, table: str, *, client: Any = None) -> None:
        self.table = table
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or clients.client("dynamodb")

    def put(self, record: TaskToken) -> None:
        self.client.put_item(TableName=self.table, Item={
            "execution": {"S": record.execution},
            "task": {"S": record.task},
            "token": {"S": record.token},
            "kind": {"S": record.kind},
            "stored_at": {"N": repr(record.stored_at)},
        })

    def get(self, execution: str, task: str) -> TaskToken | None:
        item = self.client.get_item(TableName=self.table, ConsistentRead=True,
                                    Key=_key(execution, task)).get("Item")
        if item is None:
            return None
        return TaskToken(execution=item["execution"]["S"], task=item["task"]["S"],
                         token=item["token"]["S"], kind=item["kind"]["S"],
                         stored_at=float(item["stored_at"]["N"]))

    def delete(self, execution: str, task: str) -> None:
        self.client.delete_item(TableName=self.table, Key=_key(execution, task))

    def of_execution(self, execution: str) -> list[TaskToken]:
        found: list[TaskToken] = []
        kwargs = {"TableName": self.table, "ConsistentRead": True,
                  "KeyConditionExpression": "#e = :e",
                  "ExpressionAttributeNames": {"#e": "execution"},
                  "ExpressionAttributeValues": {":e": {"S": execution}}}
        while True:
            page = self.client.query(**kwargs)
            found += [TaskToken(execution=i["execution"]["S"], task=i["task"]["S"],
                                token=i["token"]["S"], kind=i["kind"]["S"],
                                stored_at=float(i["stored_at"]["N"])) for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return found
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _key(execution: str, task: str) -> dict[str, dict[str, str]]:
    return {"execution": {"S": execution}, "task": {"S": task}}


MEMORY = MemoryTokenStore()


def token_store(table: str | None = None) -> TokenStore:
    """Gives the configured store: DynamoDB when a tokens table is set, else MEMORY."""
    name = config.resolve_tokens_table(table)
    return DynamoTokenStore(name) if name else MEMORY
