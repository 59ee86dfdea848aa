"""Customer notification preferences in the single DynamoDB table (see docs/data-model.md).

Item: pk `CUSTOMER#<customer_id>`, sk `PREFERENCES`, `entity` = `preferences`, the preference
fields (`channels`, `locale`, `time_zone`, `quiet_hours`), `customer_id` and `updated_at`.
A `PUT` replaces the whole item: fields set to null are removed, so they fall back to defaults.
"""

from __future__ import annotations

from typing import Any

from notifications.domain.preferences import CustomerPreferences, StoredPreferences
from shared.dynamo import from_attributes, to_attributes
from shared.preference_keys import PREFERENCES_ENTITY, PREFERENCES_SK, preferences_key

__all__ = ["PREFERENCES_ENTITY", "PREFERENCES_SK", "DynamoPreferenceStore", "preferences_key"]


class DynamoPreferenceStore:
    """The `PreferenceStore` port on DynamoDB (low-level client, injected)."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def get(self, customer_id: str) -> StoredPreferences | None:
        response = self._client.get_item(
            TableName=self._table, Key=preferences_key(customer_id), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            return None
        return StoredPreferences.model_validate(from_attributes(item))

    def put(self, customer_id: str, preferences: CustomerPreferences, at: str) -> StoredPreferences:
        stored = StoredPreferences(**preferences.model_dump(), customer_id=customer_id, updated_at=at)
        values = stored.model_dump(mode="json", exclude_none=True)
        values.update(
            pk=f"CUSTOMER#{customer_id}",
            sk=PREFERENCES_SK,
            entity=PREFERENCES_ENTITY,
        )
        self._client.put_item(TableName=self._table, Item=to_attributes(values))
        return stored
