"""The stock ledger in the single DynamoDB table (see docs/inventory.md and docs/data-model.md).

Stock item: pk `SKU#<sku>`, sk `STOCK`, `entity` = `stock`, `on_hand`, `reserved`, and
`available` (= on_hand - reserved, kept as its own attribute because condition expressions cannot
do arithmetic: `available >= :quantity` is what makes overselling impossible).

Audit trail: pk `SKU#<sku>`, sk `HIST#<at>#<ns>#<ref>`, `entity` = `stock_history`, written in the same
transaction as the change it records, so the trail and the counters can never disagree. A group
reservation (`dynamo_group_reservations`) writes one record per SKU for all its orders.
Adjustment idempotency records: pk `SKU#<sku>`, sk `ADJ#<hash of the Idempotency-Key>`.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from inventory.adapters.dynamo_group_reservations import GroupReservations
from inventory.domain.errors import (
    AdjustmentBelowReserved,
    LedgerDrift,
    ShipmentExceedsReservation,
    UnknownSku,
)
from inventory.domain.ports import AlreadyDecided, ReservationOutcome, Reserved, ShortOfStock
from inventory.models.api import (
    AdjustmentResult,
    HistoryKind,
    StockHistoryEntry,
    StockHistoryPage,
    StockLevel,
)
from orders.adapters.dynamo_orders import DynamoOrderRepository, order_key, transition_update
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord
from shared.dynamo import (
    batch_get,
    cancellation_codes,
    decode_cursor,
    encode_cursor,
    from_attributes,
    to_attribute,
)
from shared.errors import IdempotencyKeyReused, InvalidRequest, RetryableError, StockBelowReserved
from shared.transient import is_transient

STOCK_SK = "STOCK"
HISTORY_PREFIX = "HIST#"
ADJUSTMENT_PREFIX = "ADJ#"
STOCK_ENTITY = "stock"
HISTORY_ENTITY = "stock_history"
ADJUSTMENT_ENTITY = "stock_adjustment"
MAX_TRANSACTION_ACTIONS = 100
CHUNK_SKUS = (MAX_TRANSACTION_ACTIONS - 1) // 2
"""SKUs per transaction: each SKU is one guarded update plus its audit record, beside the order."""
ADJUSTMENT_KEY_TTL_SECONDS = 7 * 24 * 3600
SET_ATTEMPTS = 5


def stock_key(sku: str) -> dict[str, Any]:
    return {"pk": {"S": f"SKU#{sku}"}, "sk": {"S": STOCK_SK}}


def _level(item: dict[str, Any]) -> StockLevel:
    return StockLevel.model_validate(from_attributes(item))


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def _decode_cursor(sku: str, cursor: str) -> dict[str, Any]:
    key = decode_cursor(cursor, {"pk", "sk"})
    if key["pk"]["S"] != f"SKU#{sku}" or not key["sk"]["S"].startswith(HISTORY_PREFIX):
        raise InvalidRequest(
            "The cursor is not one this API returned.",
            details=[{"field": "query.cursor", "issue": "invalid"}],
        )
    return key


def history_put(
    table: str, sku: str, kind: HistoryKind, at: str, ref: str, by: str, **fields: Any
) -> dict[str, Any]:
    """The audit record of one stock change, as a TransactWriteItems `Put`."""
    record = StockHistoryEntry(sku=sku, at=at, kind=kind, by=by, **fields)
    item = {
        key: to_attribute(value) for key, value in record.model_dump(mode="json", exclude_none=True).items()
    }
    item.update(
        {
            "pk": {"S": f"SKU#{sku}"},
            # the write time in ns orders records that share a millisecond (or a frozen clock)
            "sk": {"S": f"{HISTORY_PREFIX}{at}#{time.time_ns():020d}#{ref}"},
            "entity": {"S": HISTORY_ENTITY},
        }
    )
    return {"Put": {"TableName": table, "Item": item}}


class DynamoStock(GroupReservations):
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    # -- stock levels -------------------------------------------------------------------------
    def get(self, sku: str) -> StockLevel | None:
        item = self._client.get_item(TableName=self._table, Key=stock_key(sku), ConsistentRead=True).get(
            "Item"
        )
        return _level(item) if item else None

    def set_on_hand(
        self,
        sku: str,
        on_hand: int,
        now: str,
        *,
        low_stock_threshold: int | None = None,
        max_per_order: int | None = None,
        by: str = "storefront",
    ) -> StockLevel:
        """Set `on_hand` (and the threshold and per-order limit when given). The audit record
        names the change in `on_hand`, so the stock read first must still hold: a concurrent
        commit or adjustment makes the write retry with a fresh read."""
        for _ in range(SET_ATTEMPTS):
            current = self.get(sku)
            if current is not None and current.reserved > on_hand:
                raise StockBelowReserved(
                    f"on_hand {on_hand} is below the {current.reserved} units reserved for open orders.",
                    details={"sku": sku, "reserved": current.reserved, "requested_on_hand": on_hand},
                )
            previous = current.on_hand if current else 0
            values: dict[str, Any] = {
                ":on_hand": _n(on_hand),
                ":zero": _n(0),
                ":sku": {"S": sku},
                ":entity": {"S": STOCK_ENTITY},
                ":now": {"S": now},
            }
            assignments = [
                "on_hand = :on_hand",
                "reserved = if_not_exists(reserved, :zero)",
                "available = :on_hand - if_not_exists(reserved, :zero)",
                "sku = :sku",
                "entity = :entity",
                "updated_at = :now",
            ]
            if low_stock_threshold is not None:
                assignments.append("low_stock_threshold = :threshold")
                values[":threshold"] = _n(low_stock_threshold)
            removals = []
            if max_per_order is not None:
                assignments.append("max_per_order = :max_per_order")
                values[":max_per_order"] = _n(max_per_order)
            elif low_stock_threshold is not None:  # a full PUT: no limit given means no limit
                removals.append("max_per_order")
            if current is None:
                condition = "attribute_not_exists(pk)"
            else:
                condition = "on_hand = :previous AND reserved <= :on_hand"
                values[":previous"] = _n(previous)
            update = {
                "Update": {
                    "TableName": self._table,
                    "Key": stock_key(sku),
                    "UpdateExpression": "SET "
                    + ", ".join(assignments)
                    + (" REMOVE " + ", ".join(removals) if removals else ""),
                    "ConditionExpression": condition,
                    "ExpressionAttributeValues": values,
                }
            }
            record = self._history_put(
                sku,
                HistoryKind.SET,
                now,
                uuid.uuid4().hex,
                by,
                on_hand_delta=on_hand - previous,
                on_hand=on_hand,
            )
            if self._transact([update, record]) is None:
                level = self.get(sku)
                assert level is not None
                return level
        raise RetryableError(f"stock of {sku} kept changing while it was being set; retry")

    def adjust(
        self,
        sku: str,
        delta: int,
        reason: str,
        now: str,
        *,
        idempotency_key: str,
        note: str | None = None,
        by: str = "storefront",
    ) -> AdjustmentResult:
        """Add the signed `delta` to `on_hand` (and `available`), with its audit record and an
        idempotency record in one transaction: a retried request with the same key applies once."""
        request_hash = hashlib.sha256(
            json.dumps({"sku": sku, "delta": delta, "reason": reason, "note": note}, sort_keys=True).encode()
        ).hexdigest()
        key_hash = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        marker = {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "pk": {"S": f"SKU#{sku}"},
                    "sk": {"S": f"{ADJUSTMENT_PREFIX}{key_hash}"},
                    "entity": {"S": ADJUSTMENT_ENTITY},
                    "request_hash": {"S": request_hash},
                    "at": {"S": now},
                    "expires_at": _n(_epoch(now) + ADJUSTMENT_KEY_TTL_SECONDS),
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        items = [
            self._stock_update(sku, now, on_hand_delta=delta),
            self._history_put(
                sku, HistoryKind.ADJUST, now, key_hash, by, on_hand_delta=delta, reason=reason, note=note
            ),
            marker,
        ]
        codes = self._transact(items)
        if codes is None:
            level = self.get(sku)
            assert level is not None
            return AdjustmentResult(stock=level)
        if codes[2] == "ConditionalCheckFailed":
            stored = self._client.get_item(
                TableName=self._table,
                Key={"pk": marker["Put"]["Item"]["pk"], "sk": marker["Put"]["Item"]["sk"]},
                ConsistentRead=True,
            ).get("Item", {})
            if stored.get("request_hash", {}).get("S") != request_hash:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used with a different adjustment.", details={"sku": sku}
                )
            level = self.get(sku)
            assert level is not None
            return AdjustmentResult(stock=level, replayed=True)
        current = self.get(sku)
        if current is None:
            raise UnknownSku(sku)
        raise AdjustmentBelowReserved(
            f"An adjustment of {delta} would leave on_hand {current.on_hand + delta}, below the "
            f"{current.reserved} units reserved (or below zero).",
            details={"sku": sku, "on_hand": current.on_hand, "reserved": current.reserved, "delta": delta},
        )

    def history(self, sku: str, limit: int, cursor: str | None = None) -> StockHistoryPage:
        """The audit trail of one SKU, newest first (one Query on its partition)."""
        if self.get(sku) is None:
            raise UnknownSku(sku)
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"SKU#{sku}"}, ":prefix": {"S": HISTORY_PREFIX}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = _decode_cursor(sku, cursor)
        response = self._client.query(**request)
        entries = [
            StockHistoryEntry.model_validate(from_attributes(item)) for item in response.get("Items", [])
        ]
        last = response.get("LastEvaluatedKey")
        return StockHistoryPage(sku=sku, entries=entries, next_cursor=encode_cursor(last))

    def max_per_order(self, skus: list[str]) -> dict[str, int | None]:
        """Each SKU's per-order limit (None: no limit), for the hold rules."""
        return {sku: level.max_per_order for sku, level in self.levels(skus).items()}

    def levels(self, skus: list[str]) -> dict[str, StockLevel]:
        items = batch_get(self._client, self._table, [stock_key(sku) for sku in skus], consistent=True)
        return {level.sku: level for level in map(_level, items)}

    # -- reservations -------------------------------------------------------------------------
    def reserve(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
    ) -> ReservationOutcome:
        """Reserve every quantity and move the order from `order.status` to `entry.status`, with
        `order_updates` set on it, in one transaction for up to CHUNK_SKUS SKUs. Larger orders are
        reserved in chunks, each also advancing `reservation_progress`; a short chunk releases the
        chunks before it. Never oversells; a crash resumes from the recorded progress."""
        skus = sorted(quantities)
        chunks = [skus[start : start + CHUNK_SKUS] for start in range(0, len(skus), CHUNK_SKUS)] or [[]]
        version = order.version
        final = {"reservation": {sku: quantities[sku] for sku in skus}, "reservation_progress": 0}
        for index in range(order.reservation_progress, len(chunks)):
            if index == len(chunks) - 1:
                order_update = self._order_transition(
                    order, entry, {**final, **(order_updates or {})}, version
                )
            else:
                order_update = self._progress_update(order, version, index + 1)
            items = [order_update]
            for sku in chunks[index]:
                items.append(self._stock_update(sku, entry.at, reserved_delta=quantities[sku]))
                items.append(
                    self._history_put(
                        sku,
                        HistoryKind.RESERVE,
                        entry.at,
                        f"{order.order_id}:reserve",
                        entry.by,
                        reserved_delta=quantities[sku],
                        order_id=order.order_id,
                    )
                )
            codes = self._transact(items)
            if codes is None:
                version += 1
                continue
            if codes[0] == "ConditionalCheckFailed":
                return AlreadyDecided()
            self._release_chunks(order, version, chunks[:index], quantities, entry)
            return ShortOfStock(self._short_items(quantities))
        return Reserved()

    def _release_chunks(
        self,
        order: OrderRecord,
        version: int,
        chunks: list[list[str]],
        quantities: dict[str, int],
        entry: TimelineEntry,
    ) -> None:
        """Undo the chunks already reserved for an order that turned out short, newest first."""
        for index in range(len(chunks) - 1, -1, -1):
            items = [self._progress_update(order, version, index)]
            for sku in chunks[index]:
                items.append(self._stock_update(sku, entry.at, reserved_delta=-quantities[sku]))
                items.append(
                    self._history_put(
                        sku,
                        HistoryKind.RELEASE,
                        entry.at,
                        f"{order.order_id}:unreserve:{index}",
                        entry.by,
                        reserved_delta=-quantities[sku],
                        order_id=order.order_id,
                    )
                )
            self._client.transact_write_items(TransactItems=items)
            version += 1

    def release(
        self, order: OrderRecord, entry: TimelineEntry, *, order_updates: dict[str, Any] | None = None
    ) -> bool:
        """Release everything in `order.reservation` and move the order to `entry.status` with its
        reservation cleared. False, with nothing written, if the order changed since it was read."""
        quantities = {sku: quantity for sku, quantity in order.reservation.items() if quantity > 0}
        final = {"reservation": {}, "reservation_progress": 0, **(order_updates or {})}
        return self._apply_in_chunks(
            order, quantities, entry, final, kind=HistoryKind.RELEASE, on_hand_sign=0, reserved_sign=-1
        )

    def commit(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
        extra_items: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Ship: `on_hand` and `reserved` both drop by each quantity, the order keeps what is
        still reserved and moves to `entry.status`; `extra_items` (raw TransactWriteItems actions)
        ride in the same transaction. ShipmentExceedsReservation if a quantity is above what the
        order has reserved; False, with nothing written, if the order changed since it was read."""
        too_many = {
            sku: {"requested": quantity, "reserved": order.reservation.get(sku, 0)}
            for sku, quantity in sorted(quantities.items())
            if quantity > order.reservation.get(sku, 0)
        }
        if too_many:
            raise ShipmentExceedsReservation(
                f"The shipment asks for more than order {order.order_id} has reserved.",
                details={"order_id": order.order_id, "skus": too_many},
            )
        shipped = {sku: quantity for sku, quantity in quantities.items() if quantity > 0}
        remaining = {
            sku: reserved - shipped.get(sku, 0)
            for sku, reserved in order.reservation.items()
            if reserved - shipped.get(sku, 0) > 0
        }
        final = {"reservation": remaining, "reservation_progress": 0, **(order_updates or {})}
        return self._apply_in_chunks(
            order,
            shipped,
            entry,
            final,
            kind=HistoryKind.COMMIT,
            on_hand_sign=-1,
            reserved_sign=-1,
            extra_items=extra_items,
        )

    def _apply_in_chunks(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        final: dict[str, Any],
        *,
        kind: HistoryKind,
        on_hand_sign: int,
        reserved_sign: int,
        extra_items: Sequence[dict[str, Any]] = (),
    ) -> bool:
        size = (MAX_TRANSACTION_ACTIONS - 1 - len(extra_items)) // 2
        skus = sorted(quantities)
        chunks = [skus[start : start + size] for start in range(0, len(skus), size)] or [[]]
        version = order.version
        for index in range(order.reservation_progress, len(chunks)):
            last = index == len(chunks) - 1
            items = [
                self._order_transition(order, entry, final, version)
                if last
                else self._progress_update(order, version, index + 1)
            ]
            for sku in chunks[index]:
                on_hand_delta, reserved_delta = (
                    on_hand_sign * quantities[sku],
                    reserved_sign * quantities[sku],
                )
                items.append(
                    self._stock_update(
                        sku, entry.at, on_hand_delta=on_hand_delta, reserved_delta=reserved_delta
                    )
                )
                items.append(
                    self._history_put(
                        sku,
                        kind,
                        entry.at,
                        f"{order.order_id}:{kind.value}:v{version}",
                        entry.by,
                        on_hand_delta=on_hand_delta,
                        reserved_delta=reserved_delta,
                        order_id=order.order_id,
                    )
                )
            if last:
                items.extend(extra_items)
            codes = self._transact(items)
            if codes is None:
                version += 1
                continue
            if codes[0] == "ConditionalCheckFailed":
                return False
            if (
                any(code == "ConditionalCheckFailed" for code in codes[len(items) - len(extra_items) :])
                and last
            ):
                return False
            raise LedgerDrift(
                f"The stock counters of order {order.order_id} disagree with its reservation.",
                details={"order_id": order.order_id, "skus": chunks[index], "operation": kind.value},
            )
        return True

    # -- transaction pieces ---------------------------------------------------------------------
    def _transact(self, items: list[dict[str, Any]]) -> list[str] | None:
        """None on success, else the cancellation codes of a transaction refused by a condition."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if is_transient(error):
                raise RetryableError("stock transaction conflicted or was throttled") from None
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = cancellation_codes(error)
            if "TransactionConflict" in codes or "ConditionalCheckFailed" not in codes:
                raise RetryableError("stock transaction conflicted with a concurrent write") from None
            return codes
        return None

    def _stock_update(
        self, sku: str, now: str, *, on_hand_delta: int = 0, reserved_delta: int = 0
    ) -> dict[str, Any]:
        """Change `on_hand` and `reserved` (and `available` with them), guarded so that none of
        the three goes below zero: `available >= :q` is the no-oversell condition."""
        available_delta = on_hand_delta - reserved_delta
        values: dict[str, Any] = {
            ":dh": _n(on_hand_delta),
            ":dr": _n(reserved_delta),
            ":da": _n(available_delta),
            ":now": {"S": now},
        }
        guards = ["attribute_exists(pk)"]
        for attribute, delta in (
            ("on_hand", on_hand_delta),
            ("reserved", reserved_delta),
            ("available", available_delta),
        ):
            if delta < 0:
                guards.append(f"{attribute} >= :min_{attribute}")
                values[f":min_{attribute}"] = _n(-delta)
        return {
            "Update": {
                "TableName": self._table,
                "Key": stock_key(sku),
                "UpdateExpression": "SET on_hand = on_hand + :dh, reserved = reserved + :dr, "
                "available = available + :da, updated_at = :now",
                "ConditionExpression": " AND ".join(guards),
                "ExpressionAttributeValues": values,
            }
        }

    def _history_put(
        self, sku: str, kind: HistoryKind, at: str, ref: str, by: str, **fields: Any
    ) -> dict[str, Any]:
        return history_put(self._table, sku, kind, at, ref, by, **fields)

    def _progress_update(self, order: OrderRecord, version: int, progress: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": order_key(order.order_id),
                "UpdateExpression": "SET reservation_progress = :progress, version = version + :one",
                "ConditionExpression": "#status = :from AND version = :version",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":progress": _n(progress),
                    ":one": _n(1),
                    ":from": {"S": order.status.value},
                    ":version": _n(version),
                },
            }
        }

    def mark_out_of_stock(
        self, order: OrderRecord, short_items: list[ShortItem], entry: TimelineEntry
    ) -> bool:
        # No stock changes: a plain conditional order transition, as the order repository writes it.
        orders = DynamoOrderRepository(self._table, self._client)
        return orders.transition(order, entry, {"short_items": [item.model_dump() for item in short_items]})

    def _short_items(self, quantities: dict[str, int]) -> list[ShortItem]:
        levels = self.levels(sorted(quantities))
        short = []
        for sku, requested in sorted(quantities.items()):
            available = levels[sku].available if sku in levels else 0
            if available < requested:
                short.append(ShortItem(sku=sku, requested=requested, available=max(available, 0)))
        return short

    def _order_transition(
        self, order: OrderRecord, entry: TimelineEntry, extra: dict[str, Any], version: int
    ) -> dict[str, Any]:
        """An order update from `order.status` to `entry.status`, guarded by status and `version`
        (the order's, advanced by earlier chunks), appending `entry` to the timeline and setting
        `extra` (attribute name -> value; None removes the attribute)."""
        current = order if version == order.version else order.model_copy(update={"version": version})
        set_values = {name: value for name, value in extra.items() if value is not None}
        remove = tuple(name for name, value in extra.items() if value is None)
        return transition_update(self._table, current, entry, set_values, remove)


def _epoch(moment: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp())
