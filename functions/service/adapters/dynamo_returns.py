"""The return receipt (restock) transaction and the return queue, in the orders table
(docs/returns.md).

receipt   one TransactWriteItems: the return `Put` conditional on its version, and per SKU the
          stock item's update (`on_hand` and `available` up by the resellable units,
          `damaged_returns` up by the damaged ones) with its stock-ledger entry (`HIST#...`,
          kind `adjust`, reason `return`, `not_restocked` = the damaged units). A retry finds the
          return's version moved on: the transaction is refused whole and nothing is restocked
          twice.
queue     gsi2 `RETURNS#<status>` / `<entered the status at>#<return_id>` (keys only), one Query
          per page and one BatchGetItem of its returns, never a scan.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from inventory.adapters.dynamo_stock import history_put, stock_key
from inventory.models.api import HistoryKind
from orders.adapters.dynamo_orders import decode_cursor, encode_cursor
from service.adapters.dynamo_service import return_item
from service.domain.ports import StaleWrite
from service.domain.return_errors import ReturnStockMissing
from service.models.records import ReturnRecord
from shared.dynamo import batch_get, cancellation_codes, from_attributes
from shared.errors import InvalidRequest, RetryableError
from shared.transient import error_code, is_transient

RETURN_REASON = "return"
MAX_RECEIPT_SKUS = 49
"""A transaction holds 100 actions: the return, then a stock update and a ledger entry per SKU."""


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


class DynamoReturnDesk:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def _stock_update(self, sku: str, restock: int, damaged: int, at: str) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self._table,
                "Key": stock_key(sku),
                "UpdateExpression": "SET on_hand = on_hand + :restock, available = available + :restock, "
                "damaged_returns = if_not_exists(damaged_returns, :zero) + :damaged, updated_at = :at",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {
                    ":restock": _n(restock),
                    ":damaged": _n(damaged),
                    ":zero": _n(0),
                    ":at": {"S": at},
                },
            }
        }

    def receive(
        self,
        record: ReturnRecord,
        expected_version: int,
        restock: dict[str, int],
        damaged: dict[str, int],
        *,
        at: str,
        by: str,
        note: str | None,
    ) -> None:
        skus = sorted(set(restock) | set(damaged))
        if len(skus) > MAX_RECEIPT_SKUS:
            raise InvalidRequest(
                f"A return of more than {MAX_RECEIPT_SKUS} SKUs cannot be received in one step.",
                details={"return_id": record.return_id, "skus": len(skus)},
            )
        ledger_note = f"return {record.return_id}" + (f": {note}" if note else "")
        actions: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": return_item(record),
                    "ConditionExpression": "version = :version",
                    "ExpressionAttributeValues": {":version": _n(expected_version)},
                }
            }
        ]
        for sku in skus:
            back, broken = restock.get(sku, 0), damaged.get(sku, 0)
            actions.append(self._stock_update(sku, back, broken, at))
            actions.append(
                history_put(
                    self._table,
                    sku,
                    HistoryKind.ADJUST,
                    at,
                    record.return_id,
                    by,
                    on_hand_delta=back,
                    reason=RETURN_REASON,
                    note=ledger_note,
                    not_restocked=broken or None,
                    order_id=record.order_id,
                )
            )
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                raise StaleWrite from None
            missing = [
                skus[(index - 1) // 2]
                for index, code in enumerate(codes)
                if code == "ConditionalCheckFailed" and index > 0
            ]
            if missing:
                raise ReturnStockMissing(
                    "A returned SKU has no stock item to restock.", details={"skus": missing}
                ) from None
            if is_transient(error) or "TransactionConflict" in codes:
                raise RetryableError(error_code(error)) from error
            raise

    def queue(self, status: str, limit: int, cursor: str | None) -> tuple[list[ReturnRecord], str | None]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi2",
            "KeyConditionExpression": "gsi2pk = :queue",
            "ExpressionAttributeValues": {":queue": {"S": f"RETURNS#{status}"}},
            "Limit": limit,
        }
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, "gsi2")
        response = self._client.query(**request)
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in response.get("Items", [])]
        found = [
            ReturnRecord.model_validate(from_attributes(item))
            for item in batch_get(self._client, self._table, keys)
        ]
        # gsi2 follows the table asynchronously: a return that moved on since is left out, and
        # BatchGetItem answers in any order, so the page is put back in the index's order
        order = {key["sk"]["S"]: index for index, key in enumerate(keys)}
        found.sort(key=lambda record: order.get(f"RETURN#{record.return_id}", 0))
        return [r for r in found if r.status.value == status], encode_cursor(response.get("LastEvaluatedKey"))
