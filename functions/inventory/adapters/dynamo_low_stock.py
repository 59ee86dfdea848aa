"""The low-stock armed flag on the stock item, and the reservation rate from the audit trail.

The flag changes only when the item, as stored now, agrees: claimed while `available` is below
the threshold, cleared while it is not (events may arrive late or out of order).

A claimed item is also in the sparse `LOW_STOCK` partition of gsi2 (`gsi2sk` = its SKU) until it
is re-armed, so the SKUs low now are one Query away however long ago they were alerted. gsi2
holds keys only: the reservations that keep changing a low item's figures write nothing to it;
only a crossing (claim or re-arm) writes the index, and crossings are rare."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from inventory.adapters.dynamo_stock import HISTORY_PREFIX, stock_key
from inventory.models.api import HistoryKind

LOW_STOCK_PARTITION = "LOW_STOCK"
LOW_STOCK_INDEX = "gsi2"


class DynamoLowStockFlags:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def _flag(self, sku: str, value: bool, condition: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=stock_key(sku),
                UpdateExpression=(
                    "SET low_stock_alerted = :value, gsi2pk = :low, gsi2sk = :sku"
                    if value
                    else "SET low_stock_alerted = :value REMOVE gsi2pk, gsi2sk"
                ),
                ConditionExpression=f"attribute_exists(pk) AND ({condition})",
                ExpressionAttributeValues={
                    ":value": {"BOOL": value},
                    ":true": {"BOOL": True},
                    **({":zero": {"N": "0"}} if ":zero" in condition else {}),
                    **({":low": {"S": LOW_STOCK_PARTITION}, ":sku": {"S": sku}} if value else {}),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def claim_alert(self, sku: str) -> bool:
        return self._flag(
            sku,
            True,
            "(attribute_not_exists(low_stock_alerted) OR low_stock_alerted <> :true) "
            "AND low_stock_threshold > :zero AND available < low_stock_threshold",
        )

    def undo_claim(self, sku: str) -> None:
        self._flag(sku, False, "low_stock_alerted = :true")

    def rearm(self, sku: str) -> bool:
        return self._flag(
            sku,
            False,
            "low_stock_alerted = :true AND (attribute_not_exists(low_stock_threshold) "
            "OR low_stock_threshold <= :zero OR available >= low_stock_threshold)",
        )

    def flagged_skus(self, limit: int) -> list[str]:
        """The SKUs alerted as low and not re-armed since, in SKU order, at most `limit`: one Query
        of the sparse index partition (paged), never a scan."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": LOW_STOCK_INDEX,
            "KeyConditionExpression": "gsi2pk = :low",
            "ExpressionAttributeValues": {":low": {"S": LOW_STOCK_PARTITION}},
            "Limit": limit,
        }
        skus: list[str] = []
        while len(skus) < limit:
            response = self._client.query(**request)
            skus.extend(item["gsi2sk"]["S"] for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            request["Limit"] = limit - len(skus)
        return skus[:limit]

    def reserved_units_since(self, sku: str, since: str) -> int:
        """Sum of the SKU's `reserve` audit records since `since`: one Query on its partition
        (paged), run once per alert, never on the reservation path."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :to",
            "FilterExpression": "kind = :reserve",
            "ProjectionExpression": "reserved_delta",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"SKU#{sku}"},
                ":from": {"S": f"{HISTORY_PREFIX}{since}"},
                ":to": {"S": f"{HISTORY_PREFIX}\uffff"},
                ":reserve": {"S": HistoryKind.RESERVE.value},
            },
        }
        total = 0
        while True:
            response = self._client.query(**request)
            total += sum(int(item["reserved_delta"]["N"]) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return total
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
