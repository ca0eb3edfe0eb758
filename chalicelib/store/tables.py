"""Creating the service's tables where no template does it (local mode and tests).

On AWS the infrastructure template creates the tables; `create_tables()` makes the same
tables (on-demand, with their indexes) on any DynamoDB endpoint, skipping those that exist.
`reset_connections()` makes every model build a new client (after the endpoint changed).
"""
from __future__ import annotations

from chalicelib.store import models
from chalicelib.store.models import MODELS


def reset_connections() -> None:
    for model in MODELS:
        model._connection = None  # PynamoDB caches one client per model class
    models._connection.clear()


def create_tables() -> list[str]:
    """Creates every missing table; gives the names of all of them."""
    for model in MODELS:
        if not model.exists():
            model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
    return [model.Meta.table_name for model in MODELS]


def delete_tables() -> None:
    """Deletes every table of the service (tests start each module from empty tables)."""
    for model in MODELS:
        if model.exists():
            model.delete_table()
