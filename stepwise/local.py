"""`stepwise local`: the service on one machine, with no AWS account.

Starts the local AWS (moto in this process, with Stepwise's adapters) and makes what the AWS
template makes (tables, functions, the status-change rule). The first time (no saved data in
DATA_DIR) it creates an administrator with an API key, stores the example as a workflow of
that administrator and runs it once through the service; later starts load the saved tables
instead (`infra.local.persist`: executions that were running are marked failed). Then it
serves the Chalice app on 127.0.0.1:PORT until SIGINT or SIGTERM, saving the tables every few
seconds and once more when it stops. E-mails sent through the local SES (from
STEPWISE_EMAIL_SENDER, by default stepwise@localhost.localdomain) are written to
``DATA_DIR/outbox/*.eml``. Webhook notifications may target loopback addresses
(STEPWISE_ALLOW_LOOPBACK_WEBHOOKS=1) and their links name http://127.0.0.1:PORT.

Writes ``DATA_DIR/local.json`` = ``{"url": ..., "api_key": ...}`` (mode 0600) once the app
answers; the key stays the same across restarts.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]  # where app.py and examples/ live
LOCAL_SENDER = "stepwise@localhost.localdomain"


def _run_example(token: str, workflow_id: int, timeout: float = 30.0) -> dict:
    """Runs the example workflow once through the service, as the API would."""
    import time

    from chalicelib.service import executions
    from chalicelib.service.auth import authenticate

    caller = authenticate(f"Bearer {token}")
    shown = executions.start(caller, workflow_id, {})
    deadline = time.monotonic() + timeout
    while shown.execution.state == "running" and time.monotonic() < deadline:
        time.sleep(0.1)
        shown = executions.get(caller, workflow_id, int(shown.execution.id))
    tasks = [task["name"] for task in shown.execution.tasks or []]
    return {"execution": int(shown.execution.id), "state": shown.execution.state,
            "tasks": tasks}


def _bootstrap(host, example: Path) -> tuple[str, int | None]:
    """Creates what the AWS template makes (tables, functions, the status-change rule), an
    admin and its key, and stores the example workflow; gives the key and the example's id."""
    from chalicelib.service import workflows
    from chalicelib.service.auth import authenticate
    from chalicelib.service.users import bootstrap_admin
    from infra.local.stack import provision

    provision(host)
    _, token = bootstrap_admin(name="Local Admin", email="admin@localhost.localdomain",
                               username="admin")
    workflow_id = None
    if example.exists():
        shown = workflows.create(authenticate(f"Bearer {token}"), {
            "name": example.stem, "definition": example.read_text(encoding="utf-8")})
        workflow_id = int(shown.workflow.id)
    return token, workflow_id


def _local_mail(host, directory: Path) -> None:
    """Service and workflow e-mails go to the local SES, and from there to files."""
    from infra.local import outbox

    sender = os.environ.setdefault("STEPWISE_EMAIL_SENDER", LOCAL_SENDER)
    host.client("sesv2").create_email_identity(EmailIdentity=sender)
    outbox.install(directory)


def _sweeper_schedule(host) -> None:
    """What the AWS template's one-minute rule does: run the app's `sweeper` (which settles
    executions whose final status event never came), here as a Scheduler schedule the local
    ticker fires, with the scheduled event Chalice's handler expects as its input."""
    from chalicelib import config
    from infra.local.sfn import deploy_lambda

    name = f"{config.resolve_table_prefix()}-sweeper"
    arn = deploy_lambda(host, name, "app.sweeper")
    event = {"version": "0", "id": "<aws.scheduler.execution-id>",
             "detail-type": "Scheduled Event", "source": "aws.events",
             "account": config.resolve_account_id(), "time": "<aws.scheduler.scheduled-time>",
             "region": config.resolve_region(), "resources": [], "detail": {}}
    host.client("scheduler").create_schedule(
        Name=name, ScheduleExpression="rate(1 minute)", FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": arn, "RoleArn": f"arn:aws:iam::{config.resolve_account_id()}:role/"
                f"{name}", "Input": json.dumps(event)})


def _port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _write_private(path: Path, text: str) -> None:
    """Writes `text` readable by this user only (the file holds an API key)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # also when the file was there before
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _known_key(data: Path) -> str | None:
    """The API key an earlier start wrote, if it still authenticates."""
    from chalicelib.errors import StepwiseError
    from chalicelib.service.auth import authenticate

    try:
        token = json.loads((data / "local.json").read_text(encoding="utf-8"))["api_key"]
        authenticate(f"Bearer {token}")
    except (OSError, ValueError, KeyError, TypeError, StepwiseError):
        return None
    return token


def _restore(host, data: Path, tables: Path) -> str:
    """Loads the saved tables; gives an administrator's key (a new administrator when the
    saved key no longer works)."""
    from chalicelib.service.users import bootstrap_admin
    from infra.local import persist
    from infra.local.stack import provision

    provision(host)
    loaded = persist.load(tables)
    recovered = persist.recover()
    print(f"loaded {loaded} items from {tables}; {recovered['executions_interrupted']} "
          "execution(s) that were running are marked failed; "
          f"{recovered['schedules_recreated']} workflow schedule(s) made again")
    token = _known_key(data)
    if token is None:
        suffix = os.urandom(3).hex()
        _, token = bootstrap_admin(name="Local Admin", email="admin@localhost.localdomain",
                                   username=f"admin-{suffix}")
        print("the saved API key no longer works: created another administrator")
    return token


def serve(port: int, data_dir: str, example: str, functions: str | None = None) -> int:
    from chalice.config import Config
    from chalice.local import create_local_server

    from infra.local import persist, scheduler_ticker
    from infra.local.host import LocalAWS
    from infra.local.user_functions import (FunctionsConfigError, deploy_user_functions,
                                            load_functions_config)

    if not _port_free(port):
        print(f"stepwise local: port {port} on 127.0.0.1 is in use; choose another with "
              "--port", file=sys.stderr)
        return 2
    if functions:
        try:  # checked (handlers imported) before anything starts
            load_functions_config(functions)
        except FunctionsConfigError as error:
            print(f"stepwise local: {error}", file=sys.stderr)
            return 2
    data = Path(data_dir)
    data.mkdir(parents=True, exist_ok=True)
    tables = data / "tables.json"
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    example_path = Path(example)
    if example and not example_path.exists() and (PROJECT / example).exists():
        example_path = PROJECT / example
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    # webhooks may go to receivers on this machine; links in notifications name this API
    os.environ.setdefault("STEPWISE_ALLOW_LOOPBACK_WEBHOOKS", "1")
    os.environ.setdefault("STEPWISE_API_URL", f"http://127.0.0.1:{port}")
    with LocalAWS(set_endpoint_env=True) as host:
        print(f"local AWS (moto) at {host.endpoint_url}")
        _local_mail(host, data / "outbox")
        workflow_id = None
        if tables.exists():
            token = _restore(host, data, tables)
        else:
            token, workflow_id = _bootstrap(host, example_path)
            if workflow_id is not None:
                run = _run_example(token, workflow_id)
                print(f"example workflow {workflow_id}: execution {run['execution']} "
                      f"{run['state']}, tasks {run['tasks']}")
        if functions:
            deployed = deploy_user_functions(host, functions)
            print(f"your functions from {functions}: {', '.join(deployed) or 'none'}")
        _sweeper_schedule(host)
        ticker = scheduler_ticker.start(host)
        snapshots = persist.Snapshots(tables).start()
        from app import app
        server = create_local_server(app, Config(chalice_stage="dev"), "127.0.0.1", port)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{url}/ping", timeout=10) as response:
            response.read()
        _write_private(data / "local.json", json.dumps({"url": url, "api_key": token}))
        print(f"Stepwise API at {url} (Ctrl-C to stop)")
        print(f"admin API key: {token} (also in {data / 'local.json'})")
        if workflow_id is not None:
            print(f"run it again: curl -u {token}: -X POST {url}/workflows/{workflow_id}"
                  "/executions")
        stop.wait()
        server.server.shutdown()
        ticker.stop()
        saved = snapshots.stop()
        print(f"saved {saved} items to {tables}")
    return 0
