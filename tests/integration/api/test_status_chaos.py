"""Status events delivered duplicated, reordered and dropped: every execution still converges.

Three real executions (one succeeds, one fails, one is cancelled) give real ARNs and
histories. Each trial stores a fresh running execution that stands for one of them and feeds
`record_status` a random mix of its RUNNING and final events — each copied 0 to 3 times,
shuffled — then lets the sweeper (`reconcile`) settle what never came. The execution must end
in the state Step Functions reports, with its tasks, and its workflow must follow.
"""
from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import clock
from chalicelib.engine import runs
from chalicelib.service import executions as service
from chalicelib.service.auth import authenticate
from chalicelib.store import executions as store
from chalicelib.store import ids
from chalicelib.store import workflows as workflow_store
from chalicelib.store.models import Execution
from tests.integration.api.conftest import create_workflow
from tests.integration.api.test_executions import FAILING, LONG, wait_final

pytestmark = pytest.mark.moto
TRIALS = 1000  # in four seeded parts, so parallel test workers share them
PARTS = 4
EXPECTED = {"SUCCEEDED": "succeeded", "FAILED": "failed", "ABORTED": "cancelled"}


def _real_runs(api, people) -> dict[str, tuple[int, str, list]]:
    """Status -> (workflow id, execution ARN, tasks as recorded) of three finished real
    executions."""
    found = {}
    for status, definition in (("SUCCEEDED", None), ("FAILED", FAILING), ("ABORTED", LONG)):
        extra = {"definition": definition} if definition else {}
        workflow = create_workflow(api, people.alice.token, status.lower(), **extra)
        path = f"/workflows/{workflow['id']}/executions"
        started = api.post(path, people.alice.token)
        if status == "ABORTED":
            api.post(f"{path}/{started.body['id']}/cancel", people.alice.token)
        wait_final(api, people.alice.token, workflow["id"], started.body["id"])
        record = store.get(workflow["id"], started.body["id"])
        found[status] = (workflow["id"], record.execution_arn, _plain(record.tasks))
    return found


def _plain(tasks) -> list:
    return json.loads(json.dumps(tasks, default=lambda v: v.as_dict()))


def _event(status: str, name: str, arn: str) -> dict:
    return {"executionArn": arn, "name": name, "status": status,
            "error": "Stepwise.WorkflowFailed" if status == "FAILED" else None}


@pytest.mark.parametrize("part", range(PARTS))
def test_status_events_converge_whatever_their_order(api, people, runner, part):
    real = _real_runs(api, people)
    caller = authenticate(f"Bearer {people.alice.token}")
    rng = random.Random(20261202 + part)
    outcomes = {"dropped_final": 0, "duplicated": 0, "reordered": 0}
    for trial in range(TRIALS // PARTS):
        status = rng.choice(sorted(real))
        workflow_id, arn, tasks = real[status]
        workflow = workflow_store.get(workflow_id)
        now = clock.now()
        execution = Execution(workflow_id, ids.allocate("execution"), state="running",
                              mistral_state="running", rank=1, active="1", user_id=caller.id,
                              user=caller.summary(),
                              definition_version=int(workflow.definition_version),
                              input={}, included_tasks=[], started_at=now, created_at=now,
                              updated_at=now, execution_arn=arn)
        store.begin(workflow, execution, workflow_store.principals_of(workflow))
        name = runs.execution_name(workflow_id, int(execution.id))
        events = []
        for kind in ("RUNNING", status):
            copies = rng.choice((0, 1, 1, 2, 3))
            events += [_event(kind, name, arn)] * copies
        if status not in [e["status"] for e in events]:
            outcomes["dropped_final"] += 1
        if len(events) > 2:
            outcomes["duplicated"] += 1
        rng.shuffle(events)
        if [e["status"] for e in events][:1] == [status] and len(events) > 1:
            outcomes["reordered"] += 1
        for event in events:
            service.record_status(event)
        service.reconcile()
        settled = store.get(workflow_id, int(execution.id))
        assert (settled.state, settled.rank, settled.active) == (
            EXPECTED[status], store.FINAL_RANK, None), (trial, status, events)
        assert _plain(settled.tasks) == tasks, (trial, status)
        shown = workflow_store.get(workflow_id)
        assert shown.state == EXPECTED[status] and not shown.running_ids, trial
        settled.delete()  # moto copies a table on each transaction: keep it small
    print(f"{TRIALS // PARTS} trials: {outcomes}")
    assert all(count > 10 for count in outcomes.values()), outcomes


def test_the_sweeper_fails_executions_stored_but_never_started(api, people, runner):
    caller = authenticate(f"Bearer {people.alice.token}")
    workflow_id = create_workflow(api, people.alice.token)["id"]
    workflow = workflow_store.get(workflow_id)
    old = clock.iso(datetime.now(UTC) - timedelta(minutes=10))
    records = {}
    for label, stamp in (("lost", old), ("starting", clock.now())):
        execution = Execution(workflow_id, ids.allocate("execution"), state="running",
                              mistral_state="running", rank=1, active="1", user_id=caller.id,
                              user=caller.summary(),
                              definition_version=int(workflow.definition_version), input={},
                              included_tasks=[], started_at=stamp, created_at=stamp,
                              updated_at=stamp)
        store.begin(workflow_store.get(workflow_id), execution,
                    workflow_store.principals_of(workflow))
        records[label] = int(execution.id)
    assert service.reconcile() == 1
    lost = store.get(workflow_id, records["lost"])
    assert (lost.state, lost.active) == ("failed", None)
    assert "never started" in lost.mistral_state_info
    assert store.get(workflow_id, records["starting"]).state == "running"
