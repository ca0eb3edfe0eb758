"""chalicelib.config: explicit value > environment variable > default."""
from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.config import ConfigError


def test_action_registry() -> None:
    env = {config.ACTION_REGISTRY: '{"acme.do": "acme-fn"}'}
    assert config.resolve_action_registry(environ=env) == {"acme.do": "acme-fn"}
    assert config.resolve_action_registry({"x": "y"}, environ=env) == {"x": "y"}
    assert config.resolve_action_registry(environ={}) == {}


@pytest.mark.parametrize("text", ["{", "[]", '{"a": 1}', '{"a": ""}'])
def test_bad_action_registry(text: str) -> None:
    with pytest.raises(ConfigError, match=config.ACTION_REGISTRY):
        config.resolve_action_registry(environ={config.ACTION_REGISTRY: text})


def test_loopback_flags() -> None:
    assert config.resolve_http_allow_loopback(environ={}) is False
    assert config.resolve_http_allow_loopback(environ={config.HTTP_ALLOW_LOOPBACK: "TRUE"})
    assert not config.resolve_http_allow_loopback(
        False, environ={config.HTTP_ALLOW_LOOPBACK: "1"})
    assert config.resolve_webhooks_allow_loopback(
        environ={config.ALLOW_LOOPBACK_WEBHOOKS: "yes"})
    assert not config.resolve_webhooks_allow_loopback(environ={config.HTTP_ALLOW_LOOPBACK: "1"})
    with pytest.raises(ConfigError, match=config.HTTP_ALLOW_LOOPBACK):
        config.resolve_http_allow_loopback(environ={config.HTTP_ALLOW_LOOPBACK: "maybe"})


def test_text_settings_and_region() -> None:
    env = {config.EMAIL_SENDER: " wf@x.test ", config.TOKENS_TABLE: "",
           config.AWS_DEFAULT_REGION: "eu-west-1"}
    assert config.resolve_email_sender(environ=env) == "wf@x.test"
    assert config.resolve_email_sender("me@x.test", environ=env) == "me@x.test"
    assert config.resolve_tokens_table(environ=env) is None
    assert config.resolve_region(environ=env) == "eu-west-1"
    assert config.resolve_region(environ={config.AWS_REGION: "ap-south-1", **env}) == "ap-south-1"
    assert config.resolve_region(environ={}) == "us-east-1"
    assert config.resolve_region("us-west-2", environ=env) == "us-west-2"


def test_scheduler_settings() -> None:
    env = {config.TABLE_PREFIX: "sw-test"}
    assert config.resolve_scheduler_group(environ=env) == "sw-test"
    assert config.resolve_scheduled_run_function(environ=env) == "sw-test-scheduled-run"
    assert config.resolve_scheduler_role_arn(environ=env) == \
        f"arn:aws:iam::{config.LOCAL_ACCOUNT_ID}:role/sw-test-scheduler"
    given = {**env, config.SCHEDULER_GROUP: "runs", config.SCHEDULED_RUN_FUNCTION: "fn",
             config.SCHEDULER_ROLE_ARN: "arn:aws:iam::111111111111:role/r"}
    assert (config.resolve_scheduler_group(environ=given),
            config.resolve_scheduled_run_function(environ=given),
            config.resolve_scheduler_role_arn(environ=given)) == (
        "runs", "fn", "arn:aws:iam::111111111111:role/r")
    assert config.resolve_scheduler_group("explicit", environ=given) == "explicit"


def test_ses_configuration_set() -> None:
    assert config.ses_send_options(environ={}) == {}
    assert config.ses_send_options(environ={config.SES_CONFIGURATION_SET: " "}) == {}
    assert config.ses_send_options(environ={config.SES_CONFIGURATION_SET: "stepwise-dev"}) == {
        "ConfigurationSetName": "stepwise-dev"}
