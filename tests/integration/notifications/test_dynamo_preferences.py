"""The preference store contract, against the DynamoDB adapter (moto) and the in-memory fake."""

from __future__ import annotations

from typing import Any

import pytest

from notifications.adapters.dynamo_preferences import DynamoPreferenceStore
from notifications.domain.ports import PreferenceStore
from notifications.domain.preferences import CustomerPreferences, StoredPreferences
from tests.fakes.notifications import InMemoryPreferenceStore
from tests.integration.conftest import table_items

FULL = CustomerPreferences.model_validate(
    {
        "channels": {"email": True, "sms": False},
        "locale": "zh-CN",
        "time_zone": "Asia/Shanghai",
        "quiet_hours": {"start": "22:00", "end": "08:00"},
    }
)


@pytest.fixture(params=["dynamo", "in_memory"])
def store(request: pytest.FixtureRequest) -> PreferenceStore:
    if request.param == "in_memory":
        return InMemoryPreferenceStore()
    return DynamoPreferenceStore(request.getfixturevalue("orders_table"), request.getfixturevalue("dynamodb"))


def test_a_customer_without_preferences_has_none(store: PreferenceStore) -> None:
    assert store.get("cust-1") is None


def test_put_then_get_round_trips(store: PreferenceStore) -> None:
    # When a customer sets every field
    saved = store.put("cust-1", FULL, "2026-11-24T10:00:00.000Z")
    # Then what is returned and what is read back are the same stored preferences
    expected = StoredPreferences(
        **FULL.model_dump(), customer_id="cust-1", updated_at="2026-11-24T10:00:00.000Z"
    )
    assert saved == expected
    assert store.get("cust-1") == expected
    assert store.get("cust-2") is None


def test_put_replaces_the_whole_document(store: PreferenceStore) -> None:
    # Given full preferences
    store.put("cust-1", FULL, "2026-11-24T10:00:00.000Z")
    # When the customer puts only a channel switch
    store.put(
        "cust-1", CustomerPreferences.model_validate({"channels": {"sms": False}}), "2026-11-24T11:00:00.000Z"
    )
    # Then every other field is back to its default
    stored = store.get("cust-1")
    assert stored is not None
    assert (stored.locale, stored.time_zone, stored.quiet_hours) == (None, None, None)
    assert (stored.channels.email, stored.channels.sms) == (True, False)
    assert stored.updated_at == "2026-11-24T11:00:00.000Z"


def test_item_layout(dynamodb: Any, orders_table: str) -> None:
    DynamoPreferenceStore(orders_table, dynamodb).put("cust-1", FULL, "2026-11-24T10:00:00.000Z")

    [item] = table_items(dynamodb, orders_table)

    assert (item["pk"], item["sk"], item["entity"]) == (
        {"S": "CUSTOMER#cust-1"},
        {"S": "PREFERENCES"},
        {"S": "preferences"},
    )
    assert item["quiet_hours"] == {"M": {"start": {"S": "22:00"}, "end": {"S": "08:00"}}}
    assert item["channels"] == {"M": {"email": {"BOOL": True}, "sms": {"BOOL": False}}}
    assert item["updated_at"] == {"S": "2026-11-24T10:00:00.000Z"}
