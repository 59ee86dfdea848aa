"""One local stack (moto server + local runtime, wired from the synthesized template) per test
session, driven over HTTP like a storefront would."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tests.factories import order_body

pytestmark = pytest.mark.e2e
_phones = itertools.count(10)


@pytest.fixture(scope="session")
def stack() -> Iterator[Any]:
    from infra.local.stack import LocalStack
    from infra.synth import ensure_synthesized

    env = {
        "ORDERTRACK_API_KEY": "e2e-key",
        # customer notifications: a short burst window and quick retries keep journeys fast
        "ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "2",
        "ORDERTRACK_RETRY_BASE_SECONDS": "1",
        # an email whose SendEmail answer was lost waits 10 s for SES's Send event, not 60 s
        "ORDERTRACK_SES_CONFIRMATION_SECONDS": "10",
        # the survey invitation one second after delivery instead of a day
        "ORDERTRACK_FEEDBACK_DELAY_SECONDS": "1",
        # the provider simulator plays journeys quickly; registrations retry after 1, 2, 4... s;
        # Kuaidi100 aborts are resubscribed after 2 s instead of 30 min
        "ORDERTRACK_SIMULATOR_SPEED": "6",
        "ORDERTRACK_REGISTRATION_RETRY_BASE_SECONDS": "1",
        "ORDERTRACK_KUAIDI100_RESUBSCRIBE_AFTER_SECONDS": "2",
    }
    with LocalStack(ensure_synthesized(), port=0, env=env) as local:
        yield local


class Storefront:
    def __init__(self, stack: Any) -> None:
        self.stack = stack
        self.url = stack.api_url
        self.http = requests.Session()
        self.http.headers["x-api-key"] = stack.api_key

    def put_stock(self, sku: str, on_hand: int) -> requests.Response:
        return self.http.put(f"{self.url}/v1/inventory/{sku}", json={"on_hand": on_hand}, timeout=10)

    def stock(self, sku: str) -> dict[str, Any]:
        return self.http.get(f"{self.url}/v1/inventory/{sku}", timeout=10).json()

    def place(self, body: dict[str, Any], key: str | None = None) -> requests.Response:
        return self.http.post(
            f"{self.url}/v1/orders",
            json=body,
            headers={"Idempotency-Key": key or uuid.uuid4().hex},
            timeout=10,
        )

    def order(self, order_id: str) -> dict[str, Any]:
        return self.http.get(f"{self.url}/v1/orders/{order_id}", timeout=10).json()

    def wait_for_status(self, order_id: str, statuses: set[str], timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            order = self.order(order_id)
            if order["status"] in statuses:
                return order
            time.sleep(0.1)
        raise AssertionError(f"order {order_id} still {order['status']} after {timeout}s")

    def outbox_for(self, *recipients: str) -> list[dict[str, Any]]:
        messages = self.http.get(f"{self.url}/_local/outbox", timeout=10).json()
        items = messages if isinstance(messages, list) else messages.get("messages", [])
        return [m for m in items if set(m["to"]) & set(recipients)]


@pytest.fixture
def storefront(stack: Any) -> Storefront:
    return Storefront(stack)


@pytest.fixture
def new_customer() -> Callable[..., dict[str, Any]]:
    """A customer with their own email and phone, so each test reads only its own messages."""

    def make(locale: str = "zh-CN", email: bool = True, phone: bool = True) -> dict[str, Any]:
        tag = uuid.uuid4().hex[:8]
        return {
            "id": f"cust-{tag}",
            "name": "李伟" if locale == "zh-CN" else "Alex Doe",
            "email": f"buyer-{tag}@example.com" if email else None,
            "phone": f"+86138001{next(_phones):05d}" if phone else None,
            "locale": locale,
        }

    return make


def body_for(customer: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return order_body(customer={k: v for k, v in customer.items() if v is not None}, items=items)
