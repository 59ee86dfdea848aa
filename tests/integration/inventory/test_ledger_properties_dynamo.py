"""The same property test as tests/unit/inventory/test_ledger_properties.py, fewer and shorter
runs, against DynamoStock and DynamoOrderRepository on moto: the transactions, conditions and
audit records as DynamoDB applies them."""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, settings
from moto import mock_aws

from inventory.adapters.dynamo_stock import DynamoStock
from orders.adapters.dynamo_orders import DynamoOrderRepository, order_key
from orders.models.order import OrderRecord
from tests.fakes.stock_ledger_machine import SKUS, LedgerMachine, place_one_line_per_sku, stored_order

TABLE = "ordertrack-ledger-properties"


def create_orders_table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )


class DynamoWorld:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.orders = DynamoOrderRepository(TABLE, client)
        self.stock = DynamoStock(TABLE, client)

    def place(self, key: str, quantities: dict[str, int]) -> str:
        return place_one_line_per_sku(self.orders, key, quantities)

    def order(self, order_id: str) -> OrderRecord:
        return stored_order(self.orders, order_id)

    def mark_paid(self, order: OrderRecord) -> None:
        self.client.update_item(
            TableName=TABLE,
            Key=order_key(order.order_id),
            UpdateExpression="SET #s = :paid, version = version + :one",
            ConditionExpression="#s = :reserved AND version = :v",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":paid": {"S": "confirmed"},
                ":reserved": {"S": "reserved"},
                ":one": {"N": "1"},
                ":v": {"N": str(order.version)},
            },
        )

    def books(self) -> dict[str, tuple[int, int, int]]:
        return {
            sku: (lv.on_hand, lv.reserved, lv.available) for sku, lv in self.stock.levels(list(SKUS)).items()
        }

    def history_totals(self) -> dict[str, tuple[int, int]]:
        totals = {}
        for sku in SKUS:
            on_hand = reserved = 0
            cursor = None
            while True:
                page = self.stock.history(sku, 100, cursor)
                on_hand += sum(e.on_hand_delta for e in page.entries)
                reserved += sum(e.reserved_delta for e in page.entries)
                if not (cursor := page.next_cursor):
                    break
            totals[sku] = (on_hand, reserved)
        return totals


class DynamoLedger(LedgerMachine):
    def make_world(self) -> DynamoWorld:  # type: ignore[override]
        self._mock = mock_aws()
        self._mock.start()
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_orders_table(client, TABLE)
        return DynamoWorld(client)

    def teardown(self) -> None:
        self._mock.stop()


DynamoLedger.TestCase.settings = settings(
    max_examples=8, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    assert "AWS_ENDPOINT_URL" not in os.environ


TestBooksBalanceOnDynamo = DynamoLedger.TestCase
