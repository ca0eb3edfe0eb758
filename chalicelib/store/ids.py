"""Integer ids (Civis ids are integers) and unique names, kept in the counters table.

`allocate(kind)` is one atomic UpdateItem (ADD 1) on the item named `kind`; ids start at 1
and are never reused. `claim_name` / `name_claim` reserve a name (e.g. a username) for one
owner inside a transaction, so two users can never hold the same name.
"""
from __future__ import annotations

from pynamodb.transactions import TransactWrite

from chalicelib.store.models import Counter


def allocate(kind: str) -> int:
    """Gives the next id of `kind` ("workflow", "user", ...)."""
    counter = Counter(name=f"id#{kind}")
    counter.update(actions=[Counter.value.add(1)])
    return int(counter.value)


def claim_name(transaction: TransactWrite, namespace: str, name: str, owner: int) -> None:
    """Adds to `transaction` the reservation of `name` in `namespace` for `owner`.

    The transaction fails (TransactWriteError, reason ConditionalCheckFailed) when the name is
    already held.
    """
    transaction.save(Counter(name=f"{namespace}#{name.lower()}", owner=owner),
                     condition=Counter.name.does_not_exist())
