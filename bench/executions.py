"""Executions through the API on the local AWS (moto): latency, throughput, AWS calls per run.

Run from the project root:

    PYTHONPATH=. .venv/bin/python bench/executions.py            # full run (about a minute)
    PYTHONPATH=. .venv/bin/python bench/executions.py --quick    # few runs, for CI smoke
    PYTHONPATH=. .venv/bin/python bench/executions.py --json     # machine-readable results

Everything runs in this process: the app through `chalice.test.Client`, moto's server in a
thread (`LocalAWS`), Step Functions executions in moto's worker threads, and the status events
through the EventBridge rule `infra.local.stack.provision` makes to the app's
`on_execution_event` handler (one delivery lane, as `infra.local.rule_targets` runs it).
Two workflows of `bench/workflows/`: a chain of 10 `std.echo` tasks (Pass states) and a chain
of 10 Lambda tasks (the action `bench.work`, registered to a function whose handler is
`bench.handlers.ok`, invoked directly by the machine).

1. Latency, one execution at a time: the POST, the execution's start and its first task's
   state entered (history timestamps), its end in Step Functions, and the first GET that
   shows it final, all from the moment the POST was sent; median and p90.
2. Throughput: N executions started by POSTs from a pool of threads, until the API lists them
   all final (read from DynamoDB); next to a baseline of the same run: the same compiled
   definition, as a state machine outside the service's prefix (so no status events), started
   with StartExecution from the same pool and awaited with DescribeExecution.
3. AWS requests per execution, from the POST to the final state recorded (status events
   handled): Step Functions and DynamoDB API calls of every botocore client the app builds,
   by operation, for a definition's first run (it deploys the machine), a later run, and
   the first run after the definition changed. The script's own clients are not counted; the
   local adapters reach moto's backends directly, so they make no API calls.

Times are moto-in-process times (one Python process, one GIL), not AWS latencies.
The script never fails on a number; it says when a run did not succeed.
"""
from __future__ import annotations

import argparse
import base64
import collections
import concurrent.futures
import functools
import json
import logging
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import botocore.session

from bench.report import table

STARTED = time.perf_counter()
RUNS = 20  # latency runs per workflow, after a warm-up run
QUICK_RUNS = 5
COUNT = 30  # executions in the throughput phase (50: about 2.5 minutes in all)
QUICK_COUNT = 10
THREADS = 10
POLL = 0.005  # seconds between checks of the handler's records
LATENCY_POLL = 0.02  # seconds between GETs of one execution
BATCH_POLL = 0.05  # seconds between list GETs (DescribeExecution rounds) of a batch
TIMEOUT = 60.0  # seconds an execution (or a batch) may take
FINAL = frozenset({"succeeded", "failed", "cancelled"})
SFN_FINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})
WORK_ACTION = "bench.work"
HANDLER = "bench.handlers.ok"
KINDS = {"echo": "chain_echo_10", "lambda": "chain_lambda_10"}  # -> bench/workflows/NAME.yaml
LABELS = {"echo": "10 std.echo tasks", "lambda": "10 Lambda tasks"}
COUNTED = ("stepfunctions", "dynamodb")


# -- counting ------------------------------------------------------------------------------------


class Tally:
    """API calls and HTTP sends of hooked botocore clients, by service and operation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: collections.Counter[tuple[str, str]] = collections.Counter()
        self.sends: collections.Counter[str] = collections.Counter()
        self.clients = 0

    def reset(self) -> None:
        with self._lock:
            self.calls = collections.Counter()
            self.sends = collections.Counter()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            by_service: dict[str, dict[str, int]] = {s: {} for s in COUNTED}
            for (service, operation), n in sorted(self.calls.items()):
                by_service[service][operation] = n
            return {"calls": by_service, "sends": dict(self.sends)}

    def on_call(self, model: Any = None, **_: Any) -> None:  # must give None: see botocore
        with self._lock:
            self.calls[(model.service_model.service_name, model.name)] += 1

    def on_send(self, service: str, **_: Any) -> None:  # None lets the request go
        with self._lock:
            self.sends[service] += 1


def install_hooks(tally: Tally) -> None:
    """Counts the Step Functions and DynamoDB calls of every botocore client created from now
    on: PynamoDB's (one per model class, from sessions of its own), the app's boto3 clients
    (`chalicelib.actions.clients`) and the ones moto's interpreter builds for Lambda tasks
    (which call Lambda only). A client copies its session's handlers when it is created,
    hence hooks on each client."""
    create = botocore.session.Session.create_client

    @functools.wraps(create)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = create(self, *args, **kwargs)
        for service in COUNTED:
            client.meta.events.register(f"before-call.{service}", tally.on_call)
            client.meta.events.register(f"before-send.{service}",
                                        functools.partial(tally.on_send, service))
        tally.clients += 1
        return client

    botocore.session.Session.create_client = create_client


def per_thread_requests() -> None:
    """Chalice keeps the request being served in `app.current_request`, one attribute for the
    whole app: fine on Lambda (one request at a time per process), racy when threads share the
    app. The benchmark sends requests from several threads, so the attribute is made
    per-thread here (the app's code is unchanged)."""
    from chalice import app as chalice_app

    local = threading.local()

    class PerThread:
        def __get__(self, instance: Any, owner: Any = None) -> Any:
            return self if instance is None else getattr(local, "request", None)

        def __set__(self, instance: Any, value: Any) -> None:
            local.request = value

    chalice_app.Chalice.current_request = PerThread()  # type: ignore[assignment]


# -- the API -------------------------------------------------------------------------------------


class Api:
    """Requests to the app through `chalice.test.Client`, with one API key."""

    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        basic = base64.b64encode(f"{token}:".encode()).decode()
        self.headers = {"Content-Type": "application/json", "Authorization": f"Basic {basic}"}

    def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        data = b"" if body is None else json.dumps(body).encode()
        response = self.client.http.request(method, path, headers=self.headers, body=data)
        text = response.body.decode() if response.body else ""
        answer = json.loads(text) if text else None
        if response.status_code != status:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code} {answer}")
        return answer


def execution_arn(workflow_id: int, execution_id: int) -> str:
    """As Step Functions names an execution of a machine (started from a version or not)."""
    from chalicelib.engine import machines, runs

    machine = machines.machine_arn(machines.machine_name(workflow_id))
    return (machine.replace(":stateMachine:", ":execution:", 1) + ":"
            + runs.execution_name(workflow_id, execution_id))


class Handled:
    """When the app's status-event handler (`executions.record_status`, which app.py looks up
    at each call) ran for which execution and status: (name, status) -> (start, end)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self.times: dict[tuple[str, str], tuple[float, float]] = {}

    def install(self) -> None:
        from chalicelib.service import executions

        record = executions.record_status

        @functools.wraps(record)
        def timed(detail: Any) -> bool:
            began = time.perf_counter()
            try:
                return record(detail)
            finally:
                key = (str(detail.get("name")), str(detail.get("status")))
                with self._lock:
                    self.times[key] = (began, time.perf_counter())
                    self._done.notify_all()

        executions.record_status = timed

    def final(self, name: str) -> tuple[float, float] | None:
        with self._lock:
            return next((self.times[(name, s)] for s in SFN_FINAL if (name, s) in self.times),
                        None)

    def running(self, name: str) -> tuple[float, float] | None:
        with self._lock:
            return self.times.get((name, "RUNNING"))


@dataclass
class Bench:
    api: Api
    sfn: Any  # the script's own Step Functions client (not counted)
    tally: Tally
    handled: Handled


def definition_of(kind: str) -> str:
    return (HERE / "workflows" / f"{KINDS[kind]}.yaml").read_text()


def new_workflow(bench: Bench, kind: str, name: str) -> int:
    made = bench.api.call("POST", "/workflows", {"name": name, "definition": definition_of(kind)},
                          201)
    if not made.get("valid", True):
        raise RuntimeError(f"{name}: definition invalid: {made.get('validationErrors')}")
    return int(made["id"])


def task_states(workflow_id: int) -> set[str]:
    """The entry machine's states that run a task's action (role "task")."""
    from chalicelib.store import workflows as store

    workflow = store.get(workflow_id)
    version = store.version(workflow_id, int(workflow.definition_version))
    states = version.states.as_dict() if version and version.states else {}
    return {name for name, (_, role) in states.items() if role == "task"}


def history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def name_of(workflow_id: int, execution_id: int) -> str:
    from chalicelib.engine import runs

    return runs.execution_name(workflow_id, execution_id)


# -- 1. latency ----------------------------------------------------------------------------------


def one_run(bench: Bench, workflow_id: int, tasks: set[str], poll: float) -> dict[str, Any]:
    """One execution from its POST to the first GET that shows it final; ms since the POST."""
    path = f"/workflows/{workflow_id}/executions"
    wall, sent = time.time(), time.perf_counter()
    started = bench.api.call("POST", path, {}, 201)
    posted = time.perf_counter()
    deadline = sent + TIMEOUT
    while True:
        shown = bench.api.call("GET", f"{path}/{started['id']}")
        if shown["state"] in FINAL or time.perf_counter() > deadline:
            seen = time.perf_counter()
            break
        time.sleep(poll)
    execution_id = int(started["id"])
    events = history(bench.sfn, execution_arn(workflow_id, execution_id))
    began = next(e["timestamp"] for e in events if e["type"] == "ExecutionStarted")
    first = next((e["timestamp"] for e in events if (e.get("stateEnteredEventDetails") or {})
                  .get("name") in tasks), None)
    ended = next((e["timestamp"] for e in events if e["type"] in (
        "ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")),
        None)
    name = name_of(workflow_id, execution_id)
    final, running = bench.handled.final(name), bench.handled.running(name)

    def wall_ms(moment: datetime | None) -> float | None:
        return None if moment is None else (moment.timestamp() - wall) * 1000

    def perf_ms(moment: float | None) -> float | None:
        return None if moment is None else (moment - sent) * 1000

    return {"state": shown["state"], "post_ms": perf_ms(posted),
            "sfn_start_ms": wall_ms(began), "first_task_ms": wall_ms(first),
            "sfn_end_ms": wall_ms(ended),
            "final_handler_start_ms": perf_ms(final and final[0]),
            "final_recorded_ms": perf_ms(final and final[1]),
            "final_seen_ms": perf_ms(seen),
            "final_handler_ms": final and (final[1] - final[0]) * 1000,
            "running_handler_ms": running and (running[1] - running[0]) * 1000,
            "transitions": sum(1 for e in events if e["type"].endswith("StateEntered"))}


def latency(bench: Bench, kind: str, runs: int) -> dict[str, Any]:
    workflow_id = new_workflow(bench, kind, f"latency {kind}")
    warm = one_run(bench, workflow_id, set(), LATENCY_POLL)  # deploys; not in the statistics
    tasks = task_states(workflow_id)
    rows = [one_run(bench, workflow_id, tasks, LATENCY_POLL) for _ in range(runs)]
    return {"kind": kind, "workflow_id": workflow_id, "runs": rows,
            "first_post_ms": warm["post_ms"], "first_state": warm["state"]}


# -- 2. throughput -------------------------------------------------------------------------------


def _listed(bench: Bench, workflow_id: int, wanted: set[int]) -> dict[int, str]:
    states: dict[int, str] = {}
    page = 1
    while True:
        items = bench.api.call(
            "GET", f"/workflows/{workflow_id}/executions?limit=50&page_num={page}")
        states.update({int(i["id"]): i["state"] for i in items if int(i["id"]) in wanted})
        if len(items) < 50 or len(states) == len(wanted):
            return states
        page += 1


def wait_api_final(bench: Bench, workflow_id: int, ids: set[int]) -> dict[int, str]:
    deadline = time.perf_counter() + TIMEOUT
    while True:
        states = _listed(bench, workflow_id, ids)
        if len(states) == len(ids) and all(s in FINAL for s in states.values()) or \
                time.perf_counter() > deadline:
            return states
        time.sleep(BATCH_POLL)


def through_api(bench: Bench, kind: str, count: int, threads: int) -> dict[str, Any]:
    workflow_id = new_workflow(bench, kind, f"throughput {kind}")
    path = f"/workflows/{workflow_id}/executions"
    warm = bench.api.call("POST", path, {}, 201)  # deploys the machine
    wait_api_final(bench, workflow_id, {int(warm["id"])})
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        ids = set(pool.map(lambda _: int(bench.api.call("POST", path, {}, 201)["id"]),
                           range(count)))
    posted = time.perf_counter()
    states = wait_api_final(bench, workflow_id, ids)
    done = time.perf_counter()
    names = [name_of(workflow_id, i) for i in ids]
    handled = [bench.handled.final(name) for name in names]
    recorded = max(h[1] for h in handled) if all(handled) else None
    spans = handled + [bench.handled.running(name) for name in names]
    return {"seconds": done - started, "post_seconds": posted - started,
            "recorded_seconds": recorded and recorded - started,
            "handler_seconds": sum(end - begin for begin, end in filter(None, spans)),
            "per_second": count / (done - started),
            "states": dict(collections.Counter(states.values())),
            "machine_arn": machine_of(workflow_id)}


def machine_of(workflow_id: int) -> str:
    from chalicelib.engine import machines

    return machines.machine_arn(machines.machine_name(workflow_id))


def baseline(bench: Bench, kind: str, machine_arn: str, count: int, threads: int
             ) -> dict[str, Any]:
    """The service's compiled machine, copied outside its name prefix (no status events),
    started with StartExecution and awaited with DescribeExecution."""
    sfn = bench.sfn
    described = sfn.describe_state_machine(stateMachineArn=machine_arn)
    arn = sfn.create_state_machine(
        name=f"baseline-{kind}", definition=described["definition"],
        roleArn=described["roleArn"], type="STANDARD")["stateMachineArn"]

    def start(number: int) -> str:  # moto wants a name
        return sfn.start_execution(stateMachineArn=arn, name=f"run{number}",
                                   input="{}")["executionArn"]

    wait_sfn_final(sfn, [start(0)])
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        arns = list(pool.map(start, range(1, count + 1)))
    posted = time.perf_counter()
    statuses = wait_sfn_final(sfn, arns)
    done = time.perf_counter()
    return {"seconds": done - started, "post_seconds": posted - started,
            "per_second": count / (done - started),
            "states": dict(collections.Counter(statuses.values()))}


def wait_sfn_final(sfn: Any, arns: list[str]) -> dict[str, str]:
    statuses: dict[str, str] = {}
    deadline = time.perf_counter() + TIMEOUT
    while True:
        for arn in arns:
            if statuses.get(arn) not in SFN_FINAL:
                statuses[arn] = sfn.describe_execution(executionArn=arn)["status"]
        if all(s in SFN_FINAL for s in statuses.values()) or time.perf_counter() > deadline:
            return statuses
        time.sleep(BATCH_POLL)


# -- 3. AWS requests per execution ---------------------------------------------------------------


def counted_run(bench: Bench, workflow_id: int) -> dict[str, Any]:
    """One execution from the POST until its final event was handled, with the app's
    Step Functions and DynamoDB calls; then one GET of it, counted apart."""
    from infra.local import status_events

    bench.tally.reset()
    started = bench.api.call("POST", f"/workflows/{workflow_id}/executions", {}, 201)
    name = name_of(workflow_id, int(started["id"]))
    deadline = time.perf_counter() + TIMEOUT
    while bench.handled.final(name) is None and time.perf_counter() < deadline:
        time.sleep(POLL)
    status_events.wait_for_events(TIMEOUT)
    run = bench.tally.snapshot()
    bench.tally.reset()
    shown = bench.api.call("GET", f"/workflows/{workflow_id}/executions/{started['id']}")
    get = bench.tally.snapshot()
    return {"state": shown["state"], **run, "get": get["calls"],
            "tasks": [task["name"] for task in shown.get("tasks") or []]}


def requests_per_run(bench: Bench, kind: str) -> list[dict[str, Any]]:
    workflow_id = new_workflow(bench, kind, f"requests {kind}")
    rows = [{"label": "first run (deploys)", **counted_run(bench, workflow_id)},
            {"label": "later run", **counted_run(bench, workflow_id)}]
    changed = definition_of(kind).replace("t10", "t11")  # renames a state: a new machine
    bench.api.call("PUT", f"/workflows/{workflow_id}",
                   {"name": f"requests {kind}", "definition": changed})
    rows.append({"label": "first run of a new version", **counted_run(bench, workflow_id),
                 "expected_task": "t11"})
    return [{"kind": kind, **row} for row in rows]


# -- running -------------------------------------------------------------------------------------


def run(runs: int, count: int, threads: int) -> dict[str, Any]:
    from chalice.test import Client

    from infra.local.host import LocalAWS

    os.environ["STEPWISE_ACTION_REGISTRY"] = json.dumps({WORK_ACTION: "stepwise-bench-work"})
    logging.getLogger("stepwise.api").setLevel(logging.CRITICAL)
    per_thread_requests()
    tally, handled = Tally(), Handled()
    results: dict[str, Any] = {"runs": runs, "count": count, "threads": threads, "phases": {}}
    with LocalAWS(set_endpoint_env=True) as host:
        from app import app
        from chalicelib.actions import clients
        from chalicelib.service import users
        from infra.local import stack
        from infra.local.sfn import deploy_lambda

        sfn = host.client("stepfunctions")  # the script's own: made before the hooks
        install_hooks(tally)
        handled.install()
        clients.reset_clients()
        stack.provision(host)  # resets the tables' connections: every client is hooked
        deploy_lambda(host, "stepwise-bench-work", HANDLER)
        _, token = users.bootstrap_admin(name="Ada Admin", email="ada@example.com")
        with Client(app) as client:
            bench = Bench(Api(client, token), sfn, tally, handled)
            phase = time.perf_counter()
            results["requests"] = [r for kind in KINDS for r in requests_per_run(bench, kind)]
            results["phases"]["requests"] = time.perf_counter() - phase
            phase = time.perf_counter()
            results["latency"] = [latency(bench, kind, runs) for kind in KINDS]
            results["phases"]["latency"] = time.perf_counter() - phase
            phase = time.perf_counter()
            results["throughput"] = []
            for kind in KINDS:
                api = through_api(bench, kind, count, threads)
                base = baseline(bench, kind, api.pop("machine_arn"), count, threads)
                results["throughput"].append({"kind": kind, "api": api, "baseline": base})
            results["phases"]["throughput"] = time.perf_counter() - phase
    results["clients_hooked"] = tally.clients
    results["seconds"] = time.perf_counter() - STARTED
    return results


# -- output --------------------------------------------------------------------------------------


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _stat(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "-"
    return f"{statistics.median(known):.1f} / {_p90(known):.1f}"


def _ops(calls: dict[str, int]) -> str:
    return " ".join(f"{name}×{n}" if n > 1 else name for name, n in calls.items()) or "-"


def print_results(results: dict[str, Any]) -> None:
    notes: list[str] = []
    print("moto-in-process numbers (app, moto's server, the Step Functions interpreter, Lambda "
          "handlers and\nstatus-event delivery all share one Python process): not AWS "
          "latencies.")
    print()
    print(f"1. Latency, one execution at a time: ms after the POST was sent, median / p90 of "
          f"{results['runs']} runs")
    columns = [("POST answered", "post_ms"), ("SFN started", "sfn_start_ms"),
               ("1st task entered", "first_task_ms"), ("SFN final", "sfn_end_ms"),
               ("final event in app", "final_handler_start_ms"),
               ("final recorded", "final_recorded_ms"), ("final seen by GET", "final_seen_ms")]
    lines = []
    for row in results["latency"]:
        runs = row["runs"]
        lines.append([LABELS[row["kind"]]] + [_stat([r[key] for r in runs])
                                              for _, key in columns])
        bad = [r["state"] for r in runs if r["state"] != "succeeded"]
        if bad or row["first_state"] != "succeeded":
            notes.append(f"{LABELS[row['kind']]}: runs ended {collections.Counter(bad)}, "
                         f"warm-up {row['first_state']}")
    print(table(["workflow"] + [c for c, _ in columns], lines, left={0}))
    print("SFN started / 1st task entered / SFN final: the history's timestamps (ms). final "
          "event in app /\nfinal recorded: the app's status-event handler began / returned for "
          "the final event. final seen\nby GET: the first GET (one every "
          f"{LATENCY_POLL * 1000:.0f} ms) that shows the execution final.")
    lines = []
    for row in results["latency"]:
        runs = row["runs"]
        lines.append([LABELS[row["kind"]], f"{row['first_post_ms']:.1f}",
                      _stat([r["running_handler_ms"] for r in runs]),
                      _stat([r["final_handler_ms"] for r in runs]),
                      f"{statistics.median(r['transitions'] for r in runs):g}"])
    print(table(["workflow", "1st POST (deploys)", "RUNNING event handler",
                  "final event handler", "states entered"], lines, left={0}))
    print("ms; the first POST of the workflow is the warm-up run (not in the statistics "
          "above).")
    print()
    count, threads = results["count"], results["threads"]
    print(f"2. Throughput: {count} executions started from {threads} threads, until all are "
          "final")
    lines = []
    for row in results["throughput"]:
        api, base = row["api"], row["baseline"]
        recorded = api["recorded_seconds"]
        lines.append([LABELS[row["kind"]], "Stepwise: POST; GET list",
                      f"{api['post_seconds']:.2f}", f"{api['handler_seconds']:.2f}",
                      "-" if recorded is None else f"{recorded:.2f}", f"{api['seconds']:.2f}",
                      f"{api['per_second']:.1f}", _ops(api["states"])])
        lines.append(["", "baseline: StartExecution; Describe", f"{base['post_seconds']:.2f}",
                      "", "", f"{base['seconds']:.2f}", f"{base['per_second']:.1f}",
                      _ops(base["states"])])
        lines.append(["", "Stepwise / baseline", "", "", "", "",
                      f"{api['per_second'] / base['per_second']:.2f}", ""])
        for key, got in (("Stepwise", api), ("baseline", base)):
            if set(got["states"]) - {"succeeded", "SUCCEEDED"}:
                notes.append(f"{LABELS[row['kind']]} {key}: {got['states']}")
    print(table(["workflow", "started by; awaited by", "s: all started", "s: in handler",
                  "s: all recorded", "s: all final", "exec/s", "final states"], lines,
                 left={0, 1, 7}))
    print("Seconds from the first start. in handler: time the app's status-event handler spent "
          "on these\nexecutions' events (one delivery lane runs them one after the other). "
          "all recorded: the last\nfinal event handled. all final: the first check that saw "
          f"every execution final (one every {BATCH_POLL * 1000:.0f} ms:\na list GET per 50 "
          "executions, or DescribeExecution of each unfinished one). exec/s: executions\n"
          "/ s to all final. The baseline runs the same compiled definition as a machine "
          "outside the\nservice's name prefix: no status events, no DynamoDB.")
    print()
    print("3. AWS API calls the app makes per execution, from the POST until its final status "
          "event was\n   handled (the API key's GetItem included); GET DDB: one GET of the "
          "execution afterwards")
    lines = []
    for row in results["requests"]:
        sfn, ddb = row["calls"]["stepfunctions"], row["calls"]["dynamodb"]
        lines.append([LABELS[row["kind"]], row["label"], str(sum(sfn.values())), _ops(sfn),
                      str(sum(ddb.values())), _ops(ddb),
                      str(sum(row["get"]["dynamodb"].values()))])
        if row["state"] != "succeeded":
            notes.append(f"{LABELS[row['kind']]} {row['label']}: {row['state']}")
        if row.get("expected_task") and row["expected_task"] not in row["tasks"]:
            notes.append(f"{LABELS[row['kind']]} {row['label']}: task "
                         f"{row['expected_task']!r} of the changed definition did not run "
                         f"(tasks shown: {', '.join(row['tasks'])}): the execution ran the "
                         "previous definition")
        for service in COUNTED:
            if row["sends"].get(service, 0) != sum(row["calls"][service].values()):
                notes.append(f"{row['label']}: {service} calls {row['calls'][service]}, "
                             f"HTTP sends {row['sends'].get(service, 0)}")
    print(table(["workflow", "run", "SFN", "Step Functions calls", "DDB", "DynamoDB calls",
                  "GET DDB"], lines, left={0, 1, 3, 5}))
    print("API calls counted on before-call (a call that fails counts too); HTTP sends "
          "(retries) agree unless noted.")
    if notes:
        print("Problems:")
        for note in notes:
            print(f"  ! {note}")
    phases = ", ".join(f"{k} {v:.1f} s" for k, v in results["phases"].items())
    print(f"finished in {results['seconds']:.1f} s ({phases}; {results['clients_hooked']} "
          "botocore clients hooked)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_RUNS} latency runs and {QUICK_COUNT} executions")
    parser.add_argument("--runs", type=int, default=None,
                        help=f"latency runs per workflow ({RUNS})")
    parser.add_argument("--count", type=int, default=None,
                        help=f"executions in the throughput phase ({COUNT})")
    parser.add_argument("--threads", type=int, default=THREADS,
                        help=f"threads starting them ({THREADS})")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    args = parser.parse_args(argv)
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    count = args.count or (QUICK_COUNT if args.quick else COUNT)
    results = run(runs, count, args.threads)
    if args.json:
        print(json.dumps(results, indent=1, default=str))
    else:
        print_results(results)
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # moto's threads and objects: exiting without freeing them is faster
