"""Deployment configuration: the one place in Stepwise that reads environment variables.

Each setting has a constant naming its variable and a `resolve_*` helper that gives its value
by precedence: an explicit argument (when not None) > the environment variable > a default.
Every helper also takes `environ` (default `os.environ`) so callers and tests can pass a
mapping instead of touching the process environment.

Takes: optional explicit values and an optional environment mapping. Gives: parsed values, or
raises `ConfigError` naming the variable that is malformed (never echoing its value when it
could hold a secret).
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping

from chalicelib.errors import StepwiseError

# -- variable names ------------------------------------------------------------------------------

# JSON object: action name -> Lambda function name or ARN that runs it.
ACTION_REGISTRY = "STEPWISE_ACTION_REGISTRY"
# Truthy: std.http may call loopback addresses (local mode only).
HTTP_ALLOW_LOOPBACK = "STEPWISE_HTTP_ALLOW_LOOPBACK"
# Truthy: webhook notifications may target loopback addresses (local mode only).
ALLOW_LOOPBACK_WEBHOOKS = "STEPWISE_ALLOW_LOOPBACK_WEBHOOKS"
# Default sender address of std.email.
EMAIL_SENDER = "STEPWISE_EMAIL_SENDER"
# DynamoDB table holding task tokens of paused / async tasks; unset: tokens stay in memory.
TOKENS_TABLE = "STEPWISE_TOKENS_TABLE"
# AWS region, as the Lambda runtime and the AWS SDKs name it.
AWS_REGION = "AWS_REGION"
AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION"

DEFAULT_REGION = "us-east-1"

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


class ConfigError(StepwiseError):
    """An environment variable holds a value Stepwise cannot use."""

    code = "invalid_configuration"


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def parse_flag(name: str, text: str) -> bool:
    """Takes a variable name and its text; gives True/False for the usual spellings."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off")


def _flag(name: str, explicit: bool | None, environ: Mapping[str, str] | None) -> bool:
    if explicit is not None:
        return explicit
    return parse_flag(name, _env(environ).get(name, ""))


def _text(name: str, explicit: str | None, environ: Mapping[str, str] | None) -> str | None:
    if explicit is not None:
        return explicit
    value = _env(environ).get(name, "").strip()
    return value or None


# -- resolvers -----------------------------------------------------------------------------------


def resolve_action_registry(
    explicit: Mapping[str, str] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Gives the action registry (action name -> function name or ARN); empty when unset."""
    if explicit is not None:
        return dict(explicit)
    text = _env(environ).get(ACTION_REGISTRY, "").strip()
    if not text:
        return {}
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{ACTION_REGISTRY} is not valid JSON: {exc.args[0]}") from None
    if not isinstance(parsed, dict) or not all(
        isinstance(key, str) and key and isinstance(value, str) and value
        for key, value in parsed.items()
    ):
        raise ConfigError(
            f"{ACTION_REGISTRY} must be a JSON object mapping action names to Lambda function "
            "names or ARNs"
        )
    return parsed


def resolve_http_allow_loopback(
    explicit: bool | None = None, environ: Mapping[str, str] | None = None
) -> bool:
    """Gives whether std.http may reach loopback addresses (default False)."""
    return _flag(HTTP_ALLOW_LOOPBACK, explicit, environ)


def resolve_webhooks_allow_loopback(
    explicit: bool | None = None, environ: Mapping[str, str] | None = None
) -> bool:
    """Gives whether webhook notifications may reach loopback addresses (default False)."""
    return _flag(ALLOW_LOOPBACK_WEBHOOKS, explicit, environ)


def resolve_email_sender(
    explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """Gives the default std.email sender address, or None when none is configured."""
    return _text(EMAIL_SENDER, explicit, environ)


def resolve_tokens_table(
    explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> str | None:
    """Gives the DynamoDB table name for task tokens, or None (tokens kept in memory)."""
    return _text(TOKENS_TABLE, explicit, environ)


def resolve_region(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Gives the AWS region: explicit > AWS_REGION > AWS_DEFAULT_REGION > us-east-1."""
    if explicit:
        return explicit
    env = _env(environ)
    return (env.get(AWS_REGION) or env.get(AWS_DEFAULT_REGION) or DEFAULT_REGION).strip()


# Prefix of every DynamoDB table the service owns ("stepwise" gives "stepwise-workflows", ...).
TABLE_PREFIX = "STEPWISE_TABLE_PREFIX"


def resolve_table_prefix(
    explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """Gives the prefix of the service's DynamoDB table names (default "stepwise")."""
    return _text(TABLE_PREFIX, explicit, environ) or "stepwise"


# The AWS account id the deployment runs in (state machine and function ARNs are built from it).
ACCOUNT_ID = "STEPWISE_ACCOUNT_ID"
# IAM role that the service's state machines run with.
STATES_ROLE_ARN = "STEPWISE_STATES_ROLE_ARN"
# Names (or ARNs) of the bundle's functions that compiled tasks invoke.
ACTIONS_FUNCTION = "STEPWISE_ACTIONS_FUNCTION"
CALLBACKS_FUNCTION = "STEPWISE_CALLBACKS_FUNCTION"
# DynamoDB table where `join: N` / `join: one` tasks count arrivals.
JOINS_TABLE = "STEPWISE_JOINS_TABLE"

LOCAL_ACCOUNT_ID = "123456789012"  # moto's default account


def resolve_account_id(explicit: str | None = None,
                       environ: Mapping[str, str] | None = None) -> str:
    """Gives the deployment's AWS account id (default: moto's, for local mode and tests)."""
    value = _text(ACCOUNT_ID, explicit, environ) or LOCAL_ACCOUNT_ID
    if not (value.isdigit() and len(value) == 12):
        raise ConfigError(f"{ACCOUNT_ID} must be a 12-digit AWS account id")
    return value


def resolve_states_role_arn(explicit: str | None = None,
                            environ: Mapping[str, str] | None = None) -> str:
    """Gives the role state machines run with (default: a local-mode role name)."""
    account = resolve_account_id(environ=environ)
    return (_text(STATES_ROLE_ARN, explicit, environ)
            or f"arn:aws:iam::{account}:role/{resolve_table_prefix(environ=environ)}-states")


def resolve_actions_function(explicit: str | None = None,
                             environ: Mapping[str, str] | None = None) -> str:
    return (_text(ACTIONS_FUNCTION, explicit, environ)
            or f"{resolve_table_prefix(environ=environ)}-actions")


def resolve_callbacks_function(explicit: str | None = None,
                               environ: Mapping[str, str] | None = None) -> str:
    return (_text(CALLBACKS_FUNCTION, explicit, environ)
            or f"{resolve_table_prefix(environ=environ)}-callbacks")


def resolve_joins_table(explicit: str | None = None,
                        environ: Mapping[str, str] | None = None) -> str:
    return (_text(JOINS_TABLE, explicit, environ)
            or f"{resolve_table_prefix(environ=environ)}-joins")


# EventBridge Scheduler: the IAM role schedules invoke their target with, the schedule group
# holding the workflows' schedules, and the app's function scheduled runs invoke.
SCHEDULER_ROLE_ARN = "STEPWISE_SCHEDULER_ROLE_ARN"
SCHEDULER_GROUP = "STEPWISE_SCHEDULER_GROUP"
SCHEDULED_RUN_FUNCTION = "STEPWISE_SCHEDULED_RUN_FUNCTION"


def resolve_scheduler_role_arn(explicit: str | None = None,
                               environ: Mapping[str, str] | None = None) -> str:
    """Gives the role schedules invoke the scheduled-run function with (default: a local-mode
    role name)."""
    account = resolve_account_id(environ=environ)
    return (_text(SCHEDULER_ROLE_ARN, explicit, environ)
            or f"arn:aws:iam::{account}:role/{resolve_table_prefix(environ=environ)}-scheduler")


# SQS queue of the schedule firings EventBridge Scheduler could not deliver; unset: none.
SCHEDULER_DLQ_ARN = "STEPWISE_SCHEDULER_DLQ_ARN"


def resolve_scheduler_dlq_arn(explicit: str | None = None,
                              environ: Mapping[str, str] | None = None) -> str | None:
    return _text(SCHEDULER_DLQ_ARN, explicit, environ)


def resolve_scheduler_group(explicit: str | None = None,
                            environ: Mapping[str, str] | None = None) -> str:
    """Gives the schedule group of the workflows' schedules (default: the table prefix)."""
    return _text(SCHEDULER_GROUP, explicit, environ) or resolve_table_prefix(environ=environ)


def resolve_scheduled_run_function(explicit: str | None = None,
                                   environ: Mapping[str, str] | None = None) -> str:
    """Gives the name or ARN of the app's `scheduled_run` function."""
    return (_text(SCHEDULED_RUN_FUNCTION, explicit, environ)
            or f"{resolve_table_prefix(environ=environ)}-scheduled-run")


# SES configuration set every e-mail is sent with (its event destinations and reputation
# metrics cover the service's mail); unset: none.
SES_CONFIGURATION_SET = "STEPWISE_SES_CONFIGURATION_SET"


def resolve_ses_configuration_set(explicit: str | None = None,
                                  environ: Mapping[str, str] | None = None) -> str | None:
    return _text(SES_CONFIGURATION_SET, explicit, environ)


def ses_send_options(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Gives the extra SendEmail arguments of the deployment (its configuration set)."""
    name = resolve_ses_configuration_set(environ=environ)
    return {"ConfigurationSetName": name} if name else {}


# Public base URL of the API (e.g. https://abc.execute-api.us-east-1.amazonaws.com/api/), for
# links in notifications; unset: links are paths such as /workflows/7/executions/12.
API_URL = "STEPWISE_API_URL"


def resolve_api_url(explicit: str | None = None,
                    environ: Mapping[str, str] | None = None) -> str:
    """Gives the API's base URL without a trailing slash ("" when not configured)."""
    return (_text(API_URL, explicit, environ) or "").rstrip("/")
