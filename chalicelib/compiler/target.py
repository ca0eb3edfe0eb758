"""Where compiled state machines send their work: the deployment's functions and machines.

The compiler is pure: everything it needs to know about the deployment comes in a `Target`.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def _function_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:function:{name}"


@dataclass(frozen=True)
class Target:
    region: str = "us-east-1"
    account: str = "123456789012"
    actions_function: str = "stepwise-actions"  # runs std.http, std.email and registered actions
    callbacks_function: str = "stepwise-callbacks"  # stores task tokens for pause / async tasks
    machine_prefix: str = "stepwise"
    # DynamoDB table (string key "pk", TTL attribute "expires") where `join: N` / `join: one`
    # tasks count their arrivals
    joins_table: str = "stepwise-joins"
    # action name -> Lambda function name or ARN, invoked directly (no dispatcher hop)
    action_registry: Mapping[str, str] = field(default_factory=dict)
    # workflow name -> state machine ARN, for sub-workflow calls; default derives from the prefix
    machine_arn: Callable[[str], str] | None = None

    def function_arn(self, name: str) -> str:
        return name if name.startswith("arn:") else _function_arn(self.region, self.account, name)

    def sub_machine_arn(self, workflow: str) -> str:
        if self.machine_arn is not None:
            return self.machine_arn(workflow)
        return (f"arn:aws:states:{self.region}:{self.account}:stateMachine:"
                f"{self.machine_prefix}-{workflow}")
