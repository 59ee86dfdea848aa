"""Stock levels and reservations in the single DynamoDB table (see docs/data-model.md).

Stock item: pk `SKU#<sku>`, sk `STOCK`, `entity` = `stock`, `on_hand`, `reserved`, and
`available` (= on_hand - reserved, kept as its own attribute because condition expressions cannot
do arithmetic: `available >= :quantity` is what makes overselling impossible).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from inventory.domain.ports import AlreadyDecided, ReservationOutcome, Reserved, ShortOfStock
from inventory.models.api import StockLevel
from orders.adapters.dynamo_orders import order_key
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from shared.dynamo import cancellation_codes, from_attributes, to_attribute
from shared.errors import RetryableError, StockBelowReserved

STOCK_SK = "STOCK"
CHUNK_SKUS = 99  # TransactWriteItems takes 100 actions: 99 SKUs plus the order


def stock_key(sku: str) -> dict[str, Any]:
    return {"pk": {"S": f"SKU#{sku}"}, "sk": {"S": STOCK_SK}}


def _level(item: dict[str, Any]) -> StockLevel:
    return StockLevel.model_validate(from_attributes(item))


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


class DynamoStock:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    # -- stock levels -------------------------------------------------------------------------
    def get(self, sku: str) -> StockLevel | None:
        item = self._client.get_item(TableName=self._table, Key=stock_key(sku), ConsistentRead=True).get(
            "Item"
        )
        return _level(item) if item else None

    def set_on_hand(self, sku: str, on_hand: int, now: str) -> StockLevel:
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=stock_key(sku),
                UpdateExpression=(
                    "SET on_hand = :on_hand, reserved = if_not_exists(reserved, :zero), "
                    "available = :on_hand - if_not_exists(reserved, :zero), "
                    "sku = :sku, entity = :entity, updated_at = :now"
                ),
                ConditionExpression="attribute_not_exists(pk) OR reserved <= :on_hand",
                ExpressionAttributeValues={
                    ":on_hand": _n(on_hand),
                    ":zero": _n(0),
                    ":sku": {"S": sku},
                    ":entity": {"S": "stock"},
                    ":now": {"S": now},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            current = self.get(sku)
            reserved = current.reserved if current else 0
            raise StockBelowReserved(
                f"on_hand {on_hand} is below the {reserved} units reserved for open orders.",
                details={"sku": sku, "reserved": reserved, "requested_on_hand": on_hand},
            ) from None
        return _level(response["Attributes"])

    def levels(self, skus: list[str]) -> dict[str, StockLevel]:
        levels: dict[str, StockLevel] = {}
        for start in range(0, len(skus), 100):
            request = {
                self._table: {
                    "Keys": [stock_key(sku) for sku in skus[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    level = _level(item)
                    levels[level.sku] = level
                request = response.get("UnprocessedKeys") or {}
        return levels

    # -- reservations -------------------------------------------------------------------------
    def reserve(
        self, order: OrderRecord, quantities: dict[str, int], entry: TimelineEntry
    ) -> ReservationOutcome:
        """One transaction for up to 99 SKUs (plus the order). Larger orders are reserved in chunks
        of 99, each chunk a transaction that also advances `reservation_progress` on the order;
        a short chunk releases the chunks before it. Never oversells; a crash resumes from the
        recorded progress."""
        skus = sorted(quantities)
        chunks = [skus[start : start + CHUNK_SKUS] for start in range(0, len(skus), CHUNK_SKUS)]
        version = order.version
        for index in range(order.reservation_progress, len(chunks)):
            if index == len(chunks) - 1:
                order_update = self._order_transition(
                    order,
                    OrderStatus.CONFIRMED,
                    entry,
                    extra={"reservation": {sku: quantities[sku] for sku in skus}, "reservation_progress": 0},
                    version=version,
                )
            else:
                order_update = self._progress_update(order.order_id, version, index + 1)
            stock_updates = [self._stock_change(sku, quantities[sku], entry.at) for sku in chunks[index]]
            try:
                self._client.transact_write_items(TransactItems=[order_update, *stock_updates])
            except ClientError as error:
                if error.response["Error"]["Code"] != "TransactionCanceledException":
                    raise
                codes = cancellation_codes(error)
                if codes and codes[0] == "ConditionalCheckFailed":
                    return AlreadyDecided()
                if "TransactionConflict" in codes or not codes:
                    raise RetryableError("reservation conflicted with a concurrent write") from None
                self._release_chunks(order.order_id, version, chunks[:index], quantities, entry.at)
                return ShortOfStock(self._short_items(quantities))
            version += 1
        return Reserved()

    def _release_chunks(
        self, order_id: str, version: int, chunks: list[list[str]], quantities: dict[str, int], now: str
    ) -> None:
        """Undo the chunks already reserved for an order that turned out short, newest first."""
        for index in range(len(chunks) - 1, -1, -1):
            releases = [self._stock_change(sku, -quantities[sku], now) for sku in chunks[index]]
            self._client.transact_write_items(
                TransactItems=[self._progress_update(order_id, version, index), *releases]
            )
            version += 1

    def _stock_change(self, sku: str, quantity: int, now: str) -> dict[str, Any]:
        """Reserve `quantity` (guarded by availability), or release it when negative."""
        values: dict[str, Any] = {":q": _n(quantity), ":now": {"S": now}}
        if quantity > 0:
            guard = "available >= :q"
        else:
            guard = "reserved >= :release"
            values[":release"] = _n(-quantity)
        return {
            "Update": {
                "TableName": self._table,
                "Key": stock_key(sku),
                "UpdateExpression": "SET reserved = reserved + :q, available = available - :q, updated_at = :now",
                "ConditionExpression": guard,
                "ExpressionAttributeValues": values,
            }
        }

    def _progress_update(self, order_id: str, version: int, progress: int) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": order_key(order_id),
                "UpdateExpression": "SET reservation_progress = :progress, version = version + :one",
                "ConditionExpression": "#status = :received AND version = :version",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":progress": _n(progress),
                    ":one": _n(1),
                    ":received": {"S": OrderStatus.RECEIVED.value},
                    ":version": _n(version),
                },
            }
        }

    def mark_out_of_stock(
        self, order: OrderRecord, short_items: list[ShortItem], entry: TimelineEntry
    ) -> bool:
        update = self._order_transition(
            order,
            OrderStatus.OUT_OF_STOCK,
            entry,
            extra={"short_items": [item.model_dump() for item in short_items]},
        )["Update"]
        try:
            self._client.update_item(**update)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _short_items(self, quantities: dict[str, int]) -> list[ShortItem]:
        levels = self.levels(sorted(quantities))
        short = []
        for sku, requested in sorted(quantities.items()):
            available = levels[sku].available if sku in levels else 0
            if available < requested:
                short.append(ShortItem(sku=sku, requested=requested, available=max(available, 0)))
        return short

    def _order_transition(
        self,
        order: OrderRecord,
        status: OrderStatus,
        entry: TimelineEntry,
        extra: dict[str, Any],
        version: int | None = None,
    ) -> dict[str, Any]:
        """An order update from `received` to `status`, guarded by status and version."""
        names = {"#status": "status"}
        values: dict[str, Any] = {
            ":from": {"S": OrderStatus.RECEIVED.value},
            ":to": {"S": status.value},
            ":version": _n(order.version if version is None else version),
            ":one": _n(1),
            ":entry": to_attribute([entry.model_dump(mode="json", exclude_none=True)]),
            ":now": {"S": entry.at},
            ":gsi2pk": {"S": f"STATUS#{status.value}"},
        }
        assignments = [
            "#status = :to",
            "version = version + :one",
            "timeline = list_append(timeline, :entry)",
            "updated_at = :now",
            "gsi2pk = :gsi2pk",
        ]
        for index, (name, value) in enumerate(extra.items()):
            names[f"#x{index}"] = name
            values[f":x{index}"] = to_attribute(value)
            assignments.append(f"#x{index} = :x{index}")
        return {
            "Update": {
                "TableName": self._table,
                "Key": order_key(order.order_id),
                "UpdateExpression": "SET " + ", ".join(assignments),
                "ConditionExpression": "#status = :from AND version = :version",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }
