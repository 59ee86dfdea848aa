"""The `TimeZonePreferences` port on DynamoDB: the `time_zone` of a customer's notification
preferences item (`shared.preference_keys`), read with a projection (nothing else of the item)."""

from __future__ import annotations

from typing import Any

from shared.preference_keys import preferences_key


class DynamoTimeZonePreferences:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def time_zone(self, customer_id: str) -> str | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=preferences_key(customer_id),
            ProjectionExpression="time_zone",
        )
        value = response.get("Item", {}).get("time_zone", {}).get("S")
        return value or None
