"""DynamoDB tables that compiled state machines use directly, created on the local AWS.

`create_joins_table` makes the table where `join: N` / `join: one` tasks count their
arrivals (see `chalicelib.compiler.early_joins`): string hash key ``pk``, on-demand, with
expiry on ``expires``. Creating a table that exists is a no-op.
"""
from __future__ import annotations

from typing import Any

from chalicelib.compiler import Target


def create_joins_table(host: Any, name: str = Target.joins_table) -> str:
    client = host.client("dynamodb")
    try:
        client.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
    except client.exceptions.ResourceInUseException:
        return name
    client.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    return name
