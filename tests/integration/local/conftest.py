"""Fixtures for tests on the local AWS: one moto server for the whole session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.host import LocalAWS


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAWS]:
    """A started LocalAWS shared by every test of the session (stopped at the end)."""
    with LocalAWS() as host:
        yield host
