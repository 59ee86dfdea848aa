"""Order lookup items in the single table (docs/customer-data.md):

    pk  LOOKUP#<kind>#<key>        kind phone | email (key: keyed hash) or number (the storefront's)
    sk  <created_at>#<order_id>    newest first in a query
    entity "order_lookup", order_id

About 150 bytes: one write unit each (two in the order's transaction). The key of a contact lookup
is `orders.domain.order_lookups.keyed_hash` with the key of the `ContactLookupKey` secret.
"""

from __future__ import annotations

import json
from typing import Any

from orders.domain.order_lookups import (
    LookupChanges,
    LookupKind,
    OrderLookup,
    derive_lookup_secret,
    keyed_hash,
)

LOOKUP_PREFIX = "LOOKUP#"
LOOKUP_ENTITY = "order_lookup"
SECRET_CACHE_SECONDS = 300


def lookup_partition(kind: str, key: str) -> str:
    return f"{LOOKUP_PREFIX}{kind}#{key}"


def lookup_key(lookup: OrderLookup) -> dict[str, Any]:
    return {
        "pk": {"S": lookup_partition(lookup.kind, lookup.key)},
        "sk": {"S": f"{lookup.created_at}#{lookup.order_id}"},
    }


def lookup_item(lookup: OrderLookup) -> dict[str, Any]:
    return {**lookup_key(lookup), "entity": {"S": LOOKUP_ENTITY}, "order_id": {"S": lookup.order_id}}


def lookup_actions(table: str, changes: LookupChanges) -> list[dict[str, Any]]:
    """TransactWriteItems actions for an edit of an order: its new lookups put, its old ones deleted."""
    puts = [{"Put": {"TableName": table, "Item": lookup_item(lookup)}} for lookup in changes.put]
    deletes = [{"Delete": {"TableName": table, "Key": lookup_key(lookup)}} for lookup in changes.delete]
    return [*puts, *deletes]


class SecretContactHasher:
    """`ContactHasher` keyed by the `ContactLookupKey` secret (JSON `{"key": ...}`, read through an
    injected Powertools `SecretsProvider`, cached per container). The key is never rotated: every
    lookup written before would be lost to searches (docs/customer-data.md)."""

    def __init__(self, secret_arn: str, provider: Any) -> None:
        self._arn = secret_arn
        self._provider = provider

    def __call__(self, kind: LookupKind, normalised: str) -> str:
        raw = self._provider.get(self._arn, max_age=SECRET_CACHE_SECONDS)
        document = raw if isinstance(raw, dict) else json.loads(raw)
        key = str(document.get("key") or "")
        if not key:
            raise ValueError("the contact lookup secret has no `key`")
        return keyed_hash(derive_lookup_secret(key), kind, normalised)
