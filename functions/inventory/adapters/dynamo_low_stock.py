"""The low-stock armed flag on the stock item, and the reservation rate from the audit trail.

The flag changes only when the item, as stored now, agrees: claimed while `available` is below
the threshold, cleared while it is not (events may arrive late or out of order)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from inventory.adapters.dynamo_stock import HISTORY_PREFIX, stock_key
from inventory.models.api import HistoryKind


class DynamoLowStockFlags:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def _flag(self, sku: str, value: bool, condition: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=stock_key(sku),
                UpdateExpression="SET low_stock_alerted = :value",
                ConditionExpression=f"attribute_exists(pk) AND ({condition})",
                ExpressionAttributeValues={
                    ":value": {"BOOL": value},
                    ":true": {"BOOL": True},
                    **({":zero": {"N": "0"}} if ":zero" in condition else {}),
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
