"""Local data that outlives the local AWS: the service's tables, saved to a file and loaded back.

moto keeps everything in memory, so `stepwise local` saves the items of the service's
DynamoDB tables (workflows and their versions, executions, schedule runs, users, keys,
groups, projects, counters) to ``DATA_DIR/tables.json`` every few seconds and when it stops, and loads them into
the new local AWS when it starts again. `recover` then squares the loaded records with a
local AWS that has none of the earlier Step Functions resources:

- definition versions forget their deployed machines (they are deployed again when next run);
- executions that were running when the stack stopped are marked failed, saying so;
- the EventBridge Scheduler schedules of scheduled workflows are made again
  (`chalicelib.service.schedules.resync_all`), since moto does not keep them.

Takes: table names (`chalicelib.store.models.MODELS`) and a DynamoDB client on the local
endpoint. Gives: `save`, `load`, `recover` and `Snapshots` (the periodic saver).
"""
from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from chalicelib.store.models import MODELS, Execution, Workflow, WorkflowVersion

logger = logging.getLogger(__name__)

FORMAT = 1
INTERRUPTED = ("The local stack stopped while this execution was running; it did not "
               "finish.")


def _tables() -> list[str]:
    return [model.Meta.table_name for model in MODELS]


def _dynamodb():
    from chalicelib.actions import clients
    return clients.client("dynamodb")


def dump() -> dict[str, Any]:
    """Every item of the service's tables, in DynamoDB's JSON."""
    client = _dynamodb()
    tables: dict[str, list] = {}
    for name in _tables():
        items: list = []
        for page in client.get_paginator("scan").paginate(TableName=name):
            items.extend(page["Items"])
        tables[name] = items
    return {"format": FORMAT, "tables": tables}


def save(path: Path) -> int:
    """Writes the tables to `path` (mode 0600: it holds key digests and user data), whole or
    not at all; gives the number of items."""
    data = dump()
    text = json.dumps(data, separators=(",", ":"))
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return sum(len(items) for items in data["tables"].values())


def load(path: Path) -> int:
    """Puts the items saved in `path` into the (existing, empty) tables; gives how many."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: unknown format {data.get('format')!r}")
    client = _dynamodb()
    known = set(_tables())
    count = 0
    for name, items in data["tables"].items():
        if name not in known:
            logger.warning("%s: skipping table %s, which the service no longer has", path, name)
            continue
        for start in range(0, len(items), 25):
            requests = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
            pending = {name: requests}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get(
                    "UnprocessedItems") or {}
        count += len(items)
    return count


def recover() -> dict[str, int]:
    """Squares loaded records with a fresh local AWS; gives what it changed."""
    from chalicelib.service import executions, schedules
    from chalicelib.store import executions as execution_store
    from chalicelib.store import workflows as workflow_store
    from chalicelib.store.models import plain

    forgotten = 0
    for version in WorkflowVersion.scan(WorkflowVersion.version_arn.exists()):
        version.update(actions=[WorkflowVersion.version_arn.remove(),
                                WorkflowVersion.states.remove(),
                                WorkflowVersion.targets.remove(),
                                WorkflowVersion.sub_states.remove()])
        forgotten += 1
    interrupted = 0
    seen: set[tuple[int, int]] = set()
    while True:
        active = [e for e in execution_store.active(100)
                  if (int(e.workflow_id), int(e.id)) not in seen]
        if not active:
            break
        for execution in active:
            seen.add((int(execution.workflow_id), int(execution.id)))
            workflow = workflow_store.get(int(execution.workflow_id))
            if workflow is None:  # its workflow is gone: only take it off the index
                execution.update(actions=[Execution.active.remove()])
                continue
            executions.finish(workflow, execution, "failed", "error", INTERRUPTED,
                              plain(execution.tasks))
            interrupted += 1
    # moto keeps no schedules across restarts: make those of the scheduled workflows again
    # (a full scan, acceptable here: local mode only, once at start)
    rescheduled = schedules.resync_all(Workflow.scan())
    return {"deployments_forgotten": forgotten, "executions_interrupted": interrupted,
            "schedules_recreated": rescheduled}


class Snapshots:
    """Saves the tables to `path` every `interval` seconds, and once more at `stop()`."""

    def __init__(self, path: Path, interval: float = 5.0) -> None:
        self.path = path
        self.interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-snapshots", daemon=True)

    def start(self) -> Snapshots:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                save(self.path)
            except Exception:  # noqa: BLE001 - keep saving later; the final save reports
                logger.exception("could not save the local tables to %s", self.path)

    def stop(self) -> int:
        self._stopped.set()
        self._thread.join(timeout=self.interval + 5)
        return save(self.path)
