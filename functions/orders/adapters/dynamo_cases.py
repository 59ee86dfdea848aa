"""An order's cases (complaints), read from the index the cases capability keeps on them:
`gsi3pk` = `ORDER_CASES#<order_id>`, `gsi3sk` = `<opened_at>#<complaint_id>` (docs/data-model.md)."""

from __future__ import annotations

from typing import Any


class DynamoOrderCases:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def categories(self, order_id: str) -> list[str]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi3",
            "KeyConditionExpression": "gsi3pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"ORDER_CASES#{order_id}"}},
        }
        categories: list[str] = []
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                if "category" in item and item.get("entity", {}).get("S", "complaint") == "complaint":
                    categories.append(item["category"]["S"])
            if "LastEvaluatedKey" not in response:
                return categories
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
