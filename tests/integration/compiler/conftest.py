"""Compile workflow YAML, deploy it on the local AWS (moto) and run it.

Fixtures:
- `aws`: one started `LocalAWS` for the session, with the test Lambda functions deployed;
- `sw`: a `Stepwise` helper (handler logs reset before each test):
  ``sw.run(yaml, input)`` compiles, deploys every workflow of the document and runs the
  entry workflow to its end; ``sw.deploy`` / ``sw.start`` / ``sw.wait`` split that up for
  tests that must act while an execution runs (pauses); ``sw.token`` waits for a callback
  token and ``sw.resume`` answers it.

A `Run` gives the execution's status, output, error and parsed cause, the states entered,
the tasks that ran (main states entered, in order) and the actions-function calls made by
the execution and its child executions.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib.compiler import CompiledWorkflow, Plan, Target, compile_text
from chalicelib.compiler import compile_workflow
from infra.local.host import LocalAWS
from infra.local.tables import create_joins_table
from infra.local.sfn import (
    ExecutionResult,
    deploy_lambda,
    deploy_state_machine,
    start_execution,
    wait_for,
)
from tests.integration.compiler import handlers

HANDLERS = "tests.integration.compiler.handlers"
ACTIONS_FUNCTION = "swtest-actions"
CALLBACKS_FUNCTION = "swtest-callbacks"
REGISTERED_FUNCTION = "swtest-registered"
CORE_LOCAL_FUNCTION = "swtest-core-local"
ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def aws() -> Iterator[LocalAWS]:
    with LocalAWS() as host:
        deploy_lambda(host, ACTIONS_FUNCTION, f"{HANDLERS}.actions")
        deploy_lambda(host, CALLBACKS_FUNCTION, f"{HANDLERS}.callbacks")
        deploy_lambda(host, REGISTERED_FUNCTION, f"{HANDLERS}.registered")
        deploy_lambda(host, CORE_LOCAL_FUNCTION, f"{HANDLERS}.core_local")
        create_joins_table(host)
        yield host


@pytest.fixture
def sw(aws: LocalAWS) -> Stepwise:
    handlers.reset()
    return Stepwise(aws)


@dataclass
class Deployment:
    arn: str
    compiled: dict[str, CompiledWorkflow]
    entry: str


@dataclass
class Run:
    result: ExecutionResult
    deployment: Deployment

    # -- outcome
    @property
    def status(self) -> str:
        return self.result.status

    @property
    def output(self) -> Any:
        return self.result.output

    @property
    def error(self) -> str | None:
        return self.result.error

    @property
    def cause(self) -> Any:
        """The cause, parsed as JSON when it is JSON."""
        try:
            return json.loads(self.result.cause) if self.result.cause else self.result.cause
        except ValueError:
            return self.result.cause

    def describe(self) -> str:
        return self.result.describe()

    # -- what ran
    def entered(self) -> list[str]:
        return self.result.entered()

    def ran(self) -> list[str]:
        """Task names whose main state was entered, in order (one entry per run)."""
        roles = self.deployment.compiled[self.deployment.entry].states
        return [roles[s][0] for s in self.entered() if roles.get(s, ("", ""))[1] == "task"]

    def entered_roles(self, role: str) -> list[str]:
        roles = self.deployment.compiled[self.deployment.entry].states
        return [s for s in self.entered() if roles.get(s, ("", ""))[1] == role]

    def calls(self, task: str | None = None) -> list[dict[str, Any]]:
        """Calls of the actions function by this execution (and its child executions)."""
        own = self.result.execution_arn.rsplit(":", 1)[-1]
        found = []
        for call in list(handlers.CALLS):
            execution = call.get("execution") or ""
            if call["kind"] != "action" or not execution.rsplit(":", 1)[-1].startswith(own):
                continue
            if task is None or call["task"] == task:
                found.append(call)
        return found

    def called(self) -> list[str]:
        """Task names of the actions-function calls, in call order."""
        return [c["task"] for c in sorted(self.calls(), key=lambda c: c["start"])]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:40]


class Stepwise:
    def __init__(self, host: LocalAWS) -> None:
        self.host = host

    def target(self, prefix: str, registry: dict[str, str] | None = None) -> Target:
        region = self.host.region

        def machine_arn(workflow: str) -> str:
            return f"arn:aws:states:{region}:{ACCOUNT}:stateMachine:{prefix}-{_safe(workflow)}"

        return Target(region=region, account=ACCOUNT, actions_function=ACTIONS_FUNCTION,
                      callbacks_function=CALLBACKS_FUNCTION, machine_prefix=prefix,
                      action_registry=dict(registry or {}), machine_arn=machine_arn)

    def compile(self, text: str, *, registry: dict[str, str] | None = None,
                reverse_targets: list[str] | None = None,
                prefix: str | None = None, plan: Plan | None = None
                ) -> dict[str, CompiledWorkflow]:
        target = self.target(prefix or "swc", registry)
        if reverse_targets is None and plan is None:
            return compile_text(text, target)
        from chalicelib.language import load
        document = load(text)
        compiled = {}
        for index, name in enumerate(document.workflows):
            entry = index == 0
            compiled[name] = compile_workflow(document, name, target,
                                              reverse_targets if entry else None,
                                              plan=plan if entry else None)
        return compiled

    def deploy(self, text: str, *, registry: dict[str, str] | None = None,
               reverse_targets: list[str] | None = None,
               plan: Plan | None = None) -> Deployment:
        prefix = f"sw{uuid.uuid4().hex[:10]}"
        compiled = self.compile(text, registry=registry, reverse_targets=reverse_targets,
                                prefix=prefix, plan=plan)
        arns = {}
        for name in reversed(list(compiled)):  # sub-workflows first, the entry last
            arns[name] = deploy_state_machine(self.host, compiled[name].definition,
                                              name=f"{prefix}-{_safe(name)}")
        entry = next(iter(compiled))
        return Deployment(arns[entry], compiled, entry)

    def start(self, deployment: Deployment, input: Any = None) -> str:
        return start_execution(self.host, deployment.arn, input if input is not None else {})

    def wait(self, deployment: Deployment, execution_arn: str, timeout: float = 20.0) -> Run:
        return Run(wait_for(self.host, execution_arn, timeout=timeout), deployment)

    def run(self, text: str, input: Any = None, *, timeout: float = 20.0,
            registry: dict[str, str] | None = None,
            reverse_targets: list[str] | None = None, plan: Plan | None = None) -> Run:
        deployment = self.deploy(text, registry=registry, reverse_targets=reverse_targets,
                                 plan=plan)
        return self.wait(deployment, self.start(deployment, input), timeout)

    # -- callbacks
    def token(self, execution_arn: str, *, task: str | None = None, kind: str | None = None,
              count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The `count`-th callback event of this execution (matching task / kind)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in list(handlers.TOKENS)
                     if e.get("execution") == execution_arn
                     and (task is None or e.get("task") == task)
                     and (kind is None or e.get("kind") == kind)]
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() > deadline:
                raise AssertionError(f"no callback token for {task}/{kind}: {handlers.TOKENS}")
            time.sleep(0.02)

    def resume(self, event: dict[str, Any], output: Any = None) -> None:
        self.host.client("stepfunctions").send_task_success(
            taskToken=event["token"], output=json.dumps({} if output is None else output))

    def status(self, execution_arn: str) -> str:
        return self.host.client("stepfunctions").describe_execution(
            executionArn=execution_arn)["status"]

    def entered_so_far(self, execution_arn: str) -> list[str]:
        from infra.local.sfn import history
        return [e["stateEnteredEventDetails"]["name"] for e in history(self.host, execution_arn)
                if e["type"].endswith("StateEntered")]


def before(order: list[str], first: str, second: str) -> bool:
    """Every occurrence of `first` comes before the first occurrence of `second`."""
    return (first in order and second in order
            and max(i for i, x in enumerate(order) if x == first)
            < min(i for i, x in enumerate(order) if x == second))
