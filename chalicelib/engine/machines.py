"""Deploying workflow definitions as Step Functions state machines.

Takes: a workflow id, a definition version number and its YAML. Gives: a `Deployment`: the
entry state machine's ARN, the ARN of the version published for this definition (executions
start with it, so each runs the definition it was started with), and the state names of the
entry machine mapped to (task, role), for reading execution histories.

One state machine per workflow (``PREFIX-wf<ID>``), plus one per sub-workflow of the
definition (``PREFIX-wf<ID>--<name>``), all Standard. A new definition version updates them
and publishes a new version. Variants of the entry machine (a reverse workflow's target
task, a retry's run plan) are machines of their own, deployed when first needed.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from chalicelib import config
from chalicelib.actions import clients
from chalicelib.compiler import Plan, Target, compile_document, compile_workflow
from chalicelib.language import load

MAX_NAME = 80
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Deployment:
    machine_arn: str
    version_arn: str
    states: dict[str, list[str]]  # state name -> [task name, role]
    # sub-workflow name -> its machine's states (as `states`)
    sub_states: dict[str, dict[str, list[str]]] = field(default_factory=dict)


def machine_name(workflow_id: int, sub: str | None = None) -> str:
    base = f"{config.resolve_table_prefix()}-wf{workflow_id}"
    if sub is None:
        return base
    safe = _UNSAFE.sub("_", sub)
    name = f"{base}--{safe}"
    if len(name) > MAX_NAME or safe != sub:  # keep names distinct after cleaning
        digest = hashlib.sha256(sub.encode()).hexdigest()[:8]
        name = f"{base}--{safe[:MAX_NAME - len(base) - 12]}-{digest}"
    return name


def machine_arn(name: str) -> str:
    return (f"arn:aws:states:{config.resolve_region()}:{config.resolve_account_id()}:"
            f"stateMachine:{name}")


def target(workflow_id: int) -> Target:
    """Where this workflow's machines send their work."""
    entry = machine_name(workflow_id)
    return Target(
        region=config.resolve_region(), account=config.resolve_account_id(),
        actions_function=config.resolve_actions_function(),
        callbacks_function=config.resolve_callbacks_function(),
        machine_prefix=entry, joins_table=config.resolve_joins_table(),
        action_registry=config.resolve_action_registry(),
        machine_arn=lambda sub: machine_arn(machine_name(workflow_id, sub)))


def _publish(name: str, definition: dict, description: str) -> tuple[str, str]:
    """Updates machine `name` (or creates it); gives (machine ARN, published version ARN).

    Update first: CreateStateMachine on an existing name is refused on AWS when the
    definition differs, and other implementations answer it with the old machine.
    """
    sfn = clients.client("stepfunctions")
    # UTF-8 as is: Step Functions reads it, and moto would keep \u escapes in state names
    text = json.dumps(definition, separators=(",", ":"), ensure_ascii=False)
    role = config.resolve_states_role_arn()
    arn = machine_arn(name)
    try:
        updated = sfn.update_state_machine(stateMachineArn=arn, definition=text, roleArn=role,
                                           publish=True, versionDescription=description)
        return arn, updated["stateMachineVersionArn"]
    except sfn.exceptions.StateMachineDoesNotExist:
        pass
    try:
        made = sfn.create_state_machine(name=name, definition=text, roleArn=role,
                                        type="STANDARD", publish=True,
                                        versionDescription=description)
        return made["stateMachineArn"], made["stateMachineVersionArn"]
    except sfn.exceptions.StateMachineAlreadyExists:  # created meanwhile by another start
        updated = sfn.update_state_machine(stateMachineArn=arn, definition=text, roleArn=role,
                                           publish=True, versionDescription=description)
        return arn, updated["stateMachineVersionArn"]


def variant_machine_name(workflow_id: int, task: str | None, plan: Plan | None = None) -> str:
    """The machine of a reverse workflow run for one target task (``-t``), or of a run plan
    (``-p``: a retry, a rerun, `included_tasks`) with or without a target task."""
    if not plan:
        digest = hashlib.sha256((task or "").encode()).hexdigest()[:12]
        return f"{machine_name(workflow_id)}-t{digest}"
    return f"{machine_name(workflow_id)}-p{plan_digest(task, plan)}"


def plan_digest(task: str | None, plan: Plan) -> str:
    return hashlib.sha256(f"{task or ''}\x00{plan.key()}".encode()).hexdigest()[:12]


def deploy(workflow_id: int, version: int, definition: str) -> Deployment:
    """Compiles `definition` and publishes its machines; sub-workflows first."""
    compiled = compile_document(load(definition), target(workflow_id))
    names = list(compiled)
    description = f"definition version {version}"
    for sub in reversed(names[1:]):
        _publish(machine_name(workflow_id, sub), compiled[sub].definition, description)
    entry = compiled[names[0]]
    arn, version_arn = _publish(machine_name(workflow_id), entry.definition, description)
    return Deployment(arn, version_arn, _roles(entry.states),
                      {sub: _roles(compiled[sub].states) for sub in names[1:]})


def _roles(states: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    return {name: list(role) for name, role in states.items()}


def sub_workflow_of(workflow_id: int, machine: str, subs: list[str]) -> str | None:
    """Which of `subs` a state machine name (or ARN) of this workflow runs."""
    name = machine.rsplit(":", 1)[-1]
    return next((sub for sub in subs if machine_name(workflow_id, sub) == name), None)


def deploy_variant(workflow_id: int, version: int, definition: str, task: str | None,
                   plan: Plan | None = None) -> Deployment:
    """The entry workflow compiled to run only `task` and what it requires (reverse
    workflows), and with the stand-ins of `plan`, published as its own machine; the
    sub-workflows are those `deploy` published for this version."""
    document = load(definition)
    entry = compile_workflow(document, next(iter(document.workflows)), target(workflow_id),
                             [task] if task else None, plan=plan)
    described = f"definition version {version}" + (f", target {task}" if task else "") + (
        f", plan {plan.key()}" if plan else "")
    arn, version_arn = _publish(variant_machine_name(workflow_id, task, plan),
                                entry.definition, described[:256])
    return Deployment(arn, version_arn, _roles(entry.states))
