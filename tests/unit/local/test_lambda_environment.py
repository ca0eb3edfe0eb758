"""Functions' environment variables in os.environ while their invocations run."""

from __future__ import annotations

import os
import uuid

import pytest

from infra.local.lambda_adapter import _SharedEnvironment


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"STEPWISE_TEST_{uuid.uuid4().hex[:8].upper()}"
    monkeypatch.delenv(name, raising=False)
    return name


def test_variables_are_set_only_inside_the_block(key: str) -> None:
    environment = _SharedEnvironment()
    with environment.applied({key: "inside"}):
        assert os.environ[key] == "inside"
    assert key not in os.environ


def test_an_existing_value_comes_back(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(key, "before")
    environment = _SharedEnvironment()
    with environment.applied({key: "inside"}):
        assert os.environ[key] == "inside"
    assert os.environ[key] == "before"


def test_nested_invocations_restore_the_outer_value(key: str) -> None:
    environment = _SharedEnvironment()
    with environment.applied({key: "outer"}):
        with environment.applied({key: "inner"}):
            assert os.environ[key] == "inner"
        assert os.environ[key] == "outer"
    assert key not in os.environ


def test_overlapping_invocations_keep_the_latest_running_value(key: str) -> None:
    environment = _SharedEnvironment()
    first = environment.applied({key: "first"})
    second = environment.applied({key: "second"})
    first.__enter__()
    second.__enter__()
    assert os.environ[key] == "second"
    first.__exit__(None, None, None)  # the earlier one ends first
    assert os.environ[key] == "second"
    second.__exit__(None, None, None)
    assert key not in os.environ


def test_equal_variables_of_two_invocations_are_separate_layers(key: str) -> None:
    environment = _SharedEnvironment()
    with environment.applied({key: "same"}):
        with environment.applied({key: "same"}):
            pass
        assert os.environ[key] == "same"
    assert key not in os.environ


def test_the_value_is_restored_when_the_handler_raises(key: str) -> None:
    environment = _SharedEnvironment()
    with pytest.raises(RuntimeError):
        with environment.applied({key: "inside"}):
            raise RuntimeError("handler failed")
    assert key not in os.environ
