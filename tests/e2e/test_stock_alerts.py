"""Low-stock alerts on the local runtime: the stock-item stream mapping runs the watcher, which
publishes one message to the OperationsAlerts topic (read through a queue subscribed in moto;
the local outbox shows customer e-mail and SMS only)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture
def alerts_inbox(storefront: Storefront) -> Any:
    stack = storefront.stack
    sns, sqs = stack.client("sns"), stack.client("sqs")
    queue_url = sqs.create_queue(QueueName=f"alerts-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=stack.physical("OperationsAlerts"),
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )

    def messages_about(sku: str, at_least: int = 0, settle: float = 3.0, timeout: float = 120.0) -> list[str]:
        """Every alert about `sku` that arrives until the stack is idle, `settle` seconds have
        passed (the watcher's own flag write flows through the stream once more) and at least
        `at_least` have arrived (or `timeout`)."""
        started, found = time.monotonic(), []
        while True:
            stack.wait_idle(60)
            batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            found += [m["Body"] for m in batch.get("Messages", []) if f"SKU {sku}:" in m["Body"]]
            elapsed = time.monotonic() - started
            if (
                elapsed >= settle and len(found) >= at_least and not batch.get("Messages")
            ) or elapsed > timeout:
                return found

    return messages_about


def test_crossing_below_the_threshold_alerts_operations_once_and_rearms(
    storefront: Storefront, new_customer: Any, alerts_inbox: Any
) -> None:
    sku = f"LOW-{uuid.uuid4().hex[:8]}".upper()
    storefront.http.put(
        f"{storefront.url}/v1/inventory/{sku}", json={"on_hand": 6, "low_stock_threshold": 4}, timeout=10
    ).raise_for_status()
    line = [{"sku": sku, "name": f"Item {sku}", "quantity": 1, "unit_price": "3.00"}]

    for _ in range(4):  # available 6 -> 2: crosses below 4 once
        order_id = storefront.place(body_for(new_customer("en", phone=False), line)).json()["order_id"]
        storefront.wait_for_status(order_id, {"confirmed"}, timeout=120)

    [alert] = alerts_inbox(sku, at_least=1)
    assert "available 3" in alert and "days of stock" in alert

    restock = storefront.http.post(
        f"{storefront.url}/v1/inventory/{sku}/adjustments",
        json={"delta": 10, "reason": "restock"},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert restock.status_code == 200 and restock.json()["stock"]["available"] == 12
    assert alerts_inbox(sku) == []  # re-armed, not alerted
