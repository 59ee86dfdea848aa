from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from notifications.domain.notify_customer import CustomerNotifier
from notifications.domain.policy import DEFAULT_POLICY, NotificationPolicy
from notifications.domain.tasks import TaskRunner
from orders.models.order import OrderRecord
from shared.events import OrderEvent
from tests.fakes.notifications import (
    InMemoryNotificationLog,
    InMemoryPreferenceStore,
    InMemorySuppressionList,
)
from tests.fakes.orders import FrozenClock
from tests.unit.notifications.fakes import (
    FakeEmailSender,
    FakeOrders,
    FakeSmsSender,
    InMemoryDeliveryLedger,
    RecordingMetrics,
    RecordingRetryQueue,
    RecordingScheduler,
)

EMAIL = "li.wei@example.com"
PHONE = "+8613800138000"
TRACKING = "https://track.example.com/track/"
# 10:00 UTC = 18:00 in Shanghai: outside usual quiet hours
NOON = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def sample_order(**overrides: Any) -> OrderRecord:
    customer = {"id": "cust-1", "name": "Li Wei", "email": EMAIL, "phone": PHONE, "locale": "en"}
    customer.update(overrides.pop("customer", {}))
    values: dict[str, Any] = {
        "order_id": "ord_k2m4q6s8u0w2y4a6c8e0g2i4",
        "status": "confirmed",
        "customer": customer,
        "shipping_address": {
            "name": "Li Wei",
            "line1": "1 Century Avenue",
            "city": "Shanghai",
            "postal_code": "200120",
            "country": "CN",
        },
        "items": [
            {
                "sku": "TEA-OOLONG-250G",
                "name": "Tieguanyin oolong, 250 g",
                "quantity": 2,
                "unit_price": "19.90",
            },
            {"sku": "CUP-CELADON", "name": "Celadon tea cup", "quantity": 1, "unit_price": "1089.20"},
        ],
        "currency": "CNY",
        "total": "1129.00",
        "created_at": "2026-01-01T00:00:00.000Z",
        "updated_at": "2026-01-01T00:00:00.120Z",
        "version": 2,
        "request_hash": "0" * 64,
        "timeline": [],
    }
    values.update(overrides)
    return OrderRecord.model_validate(values)


def out_of_stock_order(**overrides: Any) -> OrderRecord:
    values: dict[str, Any] = {
        "status": "out_of_stock",
        "short_items": [
            {"sku": "TEA-OOLONG-250G", "requested": 2, "available": 0},
            {"sku": "CUP-CELADON", "requested": 1, "available": 0},
        ],
    }
    return sample_order(**{**values, **overrides})


def event_for(order: OrderRecord, event_type: str | None = None) -> OrderEvent:
    status = order.status.value
    return OrderEvent(
        event_id=order.order_id + ":v" + str(order.version),
        event_type=event_type or "order." + status,
        order_id=order.order_id,
        status=status,
        occurred_at=order.updated_at,
    )


def fake_link(order_id: str) -> str:
    return TRACKING + order_id + ".signed"


@dataclass
class World:
    orders: FakeOrders
    email: FakeEmailSender
    sms: FakeSmsSender
    ledger: InMemoryDeliveryLedger
    metrics: RecordingMetrics
    preferences: InMemoryPreferenceStore
    suppressions: InMemorySuppressionList
    log: InMemoryNotificationLog
    scheduler: RecordingScheduler
    retries: RecordingRetryQueue
    clock: FrozenClock
    notifier: CustomerNotifier
    runner: TaskRunner

    def use_policy(self, **changes: Any) -> None:
        self.notifier.policy = DEFAULT_POLICY.model_copy(update=changes)

    def run_due(self) -> None:
        """Deliver everything scheduled so far (as SQS would once the delays pass)."""
        for event, _delay in self.scheduler.take():
            self.notifier.deliver(event)


def build_world(policy: NotificationPolicy = DEFAULT_POLICY) -> World:
    orders, email, sms = FakeOrders(), FakeEmailSender(), FakeSmsSender()
    preferences, suppressions, log = (
        InMemoryPreferenceStore(),
        InMemorySuppressionList(),
        InMemoryNotificationLog(),
    )
    ledger, metrics = InMemoryDeliveryLedger(log), RecordingMetrics()
    scheduler, retries, clock = RecordingScheduler(), RecordingRetryQueue(), FrozenClock(NOON)
    notifier = CustomerNotifier(
        orders=orders,
        email=email,
        sms=sms,
        ledger=ledger,
        metrics=metrics,
        preferences=preferences,
        suppressions=suppressions,
        log=log,
        scheduler=scheduler,
        policy=policy,
        tracking_link=fake_link,
        clock=clock,
    )
    runner = TaskRunner(
        notifier=notifier, retries=retries, max_receive_count=5, retry_base_seconds=30, clock=clock
    )
    return World(
        orders,
        email,
        sms,
        ledger,
        metrics,
        preferences,
        suppressions,
        log,
        scheduler,
        retries,
        clock,
        notifier,
        runner,
    )


@pytest.fixture
def world() -> World:
    """Collapse window 0: every accepted event is delivered at once."""
    return build_world(DEFAULT_POLICY.model_copy(update={"collapse_window_seconds": 0}))
