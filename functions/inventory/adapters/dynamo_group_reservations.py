"""Group commit of reservations in the single table (mixed into `DynamoStock`).

One `TransactWriteItems` per group: each order's guarded transition (status and version as read,
so a redelivered order is refused, never reserved twice), then per SKU one update of the stock
item (`reserved += total`, `available -= total`, guarded by `available >= total`: nothing is
oversold) and ONE audit record (`kind = reserve`, `reserved_delta = total`, `orders = [{order_id,
quantity}, ...]`; `order_id` too when the group is one order).

Limits: 100 actions (orders + 2 per SKU) and 4 MB of items per transaction; `fits_one_transaction`
keeps a group inside both.

Hot-SKU ceiling, per SKU: the stock item's partition takes 1,000 write units/s. A group of `n`
one-unit orders writes, in that partition, the stock item (about 220 bytes with a 32-character
SKU: 1 KB, 2 units as a transactional write) and its audit record (about 290 + 55 n bytes). With
batches of 50 orders the record is about 3.0 KB: 3 KB, 6 units. So 8 write units per 50
reservations: 1,000 / 8 x 50 = 6,250 one-unit reservations per second per SKU
(`hot_sku_ceiling(50)`), against 1,000 / 4 = 250 with one order per transaction. The orders' own
items live in their own partitions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from inventory.domain.ports import (
    GroupCommitted,
    GroupOutcome,
    GroupRefused,
    OutOfStockDecision,
    ReservationRequest,
)
from inventory.models.api import HistoryKind
from orders.adapters.dynamo_orders import order_from_item, order_key
from orders.models.order import OrderRecord
from shared.dynamo import batch_get, cancellation_codes
from shared.errors import RetryableError
from shared.transient import is_transient

MAX_TRANSACTION_ACTIONS = 100
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
PARTITION_WRITE_UNITS_PER_SECOND = 1000
STOCK_ITEM_BYTES = 220
AUDIT_RECORD_BYTES = 290
AUDIT_BYTES_PER_ORDER = 55
"""Sizes by DynamoDB's rules (attribute names plus values; `benchmarks.hot_sku.item_size`) of a
stock item and an audit record of a 32-character SKU, and of one `{order_id, quantity}` entry of
the record's `orders` list."""


def _units(size_bytes: int) -> int:
    """Transactional write units of an item: 2 per started KB."""
    return 2 * math.ceil(size_bytes / 1024)


def hot_sku_ceiling(orders_per_group: int) -> float:
    """One-unit reservations per second one SKU takes when every group holds `orders_per_group`
    orders of it: its partition's 1,000 WU/s over the stock update and the audit record."""
    units = _units(STOCK_ITEM_BYTES) + _units(AUDIT_RECORD_BYTES + AUDIT_BYTES_PER_ORDER * orders_per_group)
    return PARTITION_WRITE_UNITS_PER_SECOND / units * orders_per_group


def _estimated_bytes(requests: Sequence[ReservationRequest], skus: int) -> int:
    orders = sum(len(request.order.model_dump_json()) + 1024 for request in requests)
    return orders + skus * (STOCK_ITEM_BYTES + AUDIT_RECORD_BYTES) + AUDIT_BYTES_PER_ORDER * len(requests) * 2


class GroupReservations:
    """`available`, `fits_one_transaction` and `reserve_group` of the `StockReservations` port,
    over `DynamoStock`'s client, table and transaction pieces."""

    _table: str
    _client: Any

    def available_units(self, skus: Sequence[str]) -> dict[str, int]:
        try:
            levels = self.levels(list(skus))  # type: ignore[attr-defined]
        except ClientError as error:
            if is_transient(error):
                raise RetryableError("stock read was throttled") from None
            raise
        return {sku: level.available for sku, level in levels.items()}

    def read_orders(self, order_ids: Sequence[str]) -> dict[str, OrderRecord | None]:
        """The order items (without shipments: an order to reserve has none), 100 per consistent
        `BatchGetItem`, instead of one query per order."""
        try:
            items = batch_get(
                self._client, self._table, [order_key(order_id) for order_id in order_ids], consistent=True
            )
        except ClientError as error:
            if is_transient(error):
                raise RetryableError("order read was throttled") from None
            raise
        found = {order.order_id: order for order in map(order_from_item, items)}
        return {order_id: found.get(order_id) for order_id in order_ids}

    def fits_one_transaction(self, requests: Sequence[ReservationRequest]) -> bool:
        skus = len({sku for request in requests for sku in request.quantities})
        if len(requests) + 2 * skus > MAX_TRANSACTION_ACTIONS:
            return False
        return _estimated_bytes(requests, skus) <= MAX_TRANSACTION_BYTES

    def reserve_group(
        self, requests: Sequence[ReservationRequest], out_of_stock: Sequence[OutOfStockDecision] = ()
    ) -> GroupOutcome:
        items = [
            self._order_transition(  # type: ignore[attr-defined]
                request.order,
                request.entry,
                {
                    "reservation": dict(sorted(request.quantities.items())),
                    "reservation_progress": 0,
                    **request.order_updates,
                },
                request.order.version,
            )
            for request in requests
        ]
        items += [
            self._order_transition(  # type: ignore[attr-defined]
                decision.order,
                decision.entry,
                {"short_items": [item.model_dump() for item in decision.short_items]},
                decision.order.version,
            )
            for decision in out_of_stock
        ]
        decided = [request.order.order_id for request in requests] + [d.order.order_id for d in out_of_stock]
        by_sku: dict[str, list[tuple[str, int]]] = {}
        for request in requests:
            for sku, quantity in sorted(request.quantities.items()):
                by_sku.setdefault(sku, []).append((request.order.order_id, quantity))
        skus = sorted(by_sku)
        for sku in skus:
            first = requests[0]
            total = sum(quantity for _, quantity in by_sku[sku])
            single = {"order_id": first.order.order_id} if len(requests) == 1 else {}
            items.append(self._stock_update(sku, first.entry.at, reserved_delta=total))  # type: ignore[attr-defined]
            items.append(
                self._history_put(  # type: ignore[attr-defined]
                    sku,
                    HistoryKind.RESERVE,
                    first.entry.at,
                    f"{first.order.order_id}:reserve" + (f":{len(requests)}" if len(requests) > 1 else ""),
                    first.entry.by,
                    reserved_delta=total,
                    orders=[
                        {"order_id": order_id, "quantity": quantity} for order_id, quantity in by_sku[sku]
                    ],
                    **single,
                )
            )
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if is_transient(error):
                raise RetryableError("group reservation conflicted or was throttled") from None
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = cancellation_codes(error)
            stale = frozenset(
                order_id
                for order_id, code in zip(decided, codes, strict=False)
                if code == "ConditionalCheckFailed"
            )
            stock_codes = codes[len(decided) :: 2]
            short = frozenset(
                sku for sku, code in zip(skus, stock_codes, strict=False) if code == "ConditionalCheckFailed"
            )
            if not stale and not short:
                raise
            return GroupRefused(stale_orders=stale, short_skus=short)
        return GroupCommitted()
