"""What ordertrack holds about a customer: the bounded view (`GET /v1/customers/{id}`) and the
complete export (`GET /v1/customers/{id}/export`), read by keys and indexes only, never a scan.
Field by field in docs/customer-data.md."""

from __future__ import annotations

from collections import Counter

from customers.domain.ports import CustomerStore, Item
from orders.models.order import OrderRecord
from shared.clock import Clock, isoformat
from shared.errors import NotFound

VIEW_ORDERS = 50
"""The view lists the newest 50 orders (`orders_truncated` says when there are more) with their
returns and messages; the export lists every one."""
VIEW_CASES = 50
INTERNAL = frozenset(
    {"pk", "sk", "entity", "request_hash", "version", "expires_at", "last_request_key", "contacts"}
)
INTERNAL_PREFIXES = ("gsi", "idempotency_")


def public(item: Item) -> Item:
    """The item without its storage keys and bookkeeping (index keys, idempotency records)."""
    return {
        name: value
        for name, value in item.items()
        if name not in INTERNAL and not name.startswith(INTERNAL_PREFIXES)
    }


def _summary(item: Item) -> Item:
    return OrderRecord.model_validate(item).to_view()


def _known(customer_id: str, *held: object) -> None:
    if not any(held):
        raise NotFound(f"Customer {customer_id} is not known.", details={"customer_id": customer_id})


def _entries(items: list[Item]) -> list[Item]:
    """The log entries of a notification partition (an item holding only a delivery's claim is not one)."""
    return [item for item in items if item.get("entity") == "notification" and "status" in item]


def message_summary(entries: list[Item]) -> Item:
    """Counts by channel and status, and when the last message was sent."""
    counts: Counter[tuple[str, str]] = Counter(
        (str(entry.get("channel")), str(entry.get("status"))) for entry in entries
    )
    by_channel: dict[str, dict[str, int]] = {}
    for (channel, status), count in sorted(counts.items()):
        by_channel.setdefault(channel, {})[status] = count
    sent = [str(entry["at"]) for entry in entries if entry.get("status") == "sent" and entry.get("at")]
    return {"total": len(entries), "by_channel": by_channel, "last_sent_at": max(sent, default=None)}


def customer_view(customer_id: str, store: CustomerStore) -> Item:
    orders, truncated = store.orders(customer_id, VIEW_ORDERS)
    cases = store.complaints(customer_id, VIEW_CASES)
    preferences = store.preferences(customer_id)
    erasure = store.erasure(customer_id)
    _known(customer_id, orders, cases, preferences, erasure)
    returns: list[Item] = []
    entries: list[Item] = []
    for order in orders:
        _, others = store.order_details(str(order["order_id"]))
        returns += [public(item) for item in others if item.get("entity") == "return"]
        entries += _entries(store.notification_items(str(order["order_id"])))
    return {
        "customer_id": customer_id,
        "orders": [_summary(order) for order in orders],
        "orders_truncated": truncated,
        "cases": [public(case) for case in cases],
        "returns": returns,
        "preferences": public(preferences) if preferences else None,
        "messages": message_summary(entries),
        "erasure": public(erasure) if erasure else None,
    }


def _suppression_refs(orders: list[Item], store: CustomerStore) -> list[str]:
    refs: list[str] = []
    for order in orders:
        customer = order.get("customer") or {}
        for kind, channel in (("phone", "sms"), ("email", "email")):
            ref = store.suppression_ref(channel, customer[kind]) if customer.get(kind) else None
            if ref and ref not in refs:
                refs.append(ref)
    return refs


def export_customer(customer_id: str, store: CustomerStore, clock: Clock) -> Item:
    """Everything held about the customer, every order (not bounded)."""
    orders, _ = store.orders(customer_id)
    complaints = store.complaints(customer_id)
    preferences = store.preferences(customer_id)
    erasure = store.erasure(customer_id)
    _known(customer_id, orders, complaints, preferences, erasure)
    exported: list[Item] = []
    for order in orders:
        order_id = str(order["order_id"])
        view, others = store.order_details(order_id)
        feedback = store.feedback(order_id)
        exported.append(
            {
                "order": view or _summary(order),
                "returns": [public(item) for item in others if item.get("entity") == "return"],
                "feedback": public(feedback) if feedback else None,
                "notifications": [public(entry) for entry in _entries(store.notification_items(order_id))],
            }
        )
    refs = _suppression_refs(orders, store)
    return {
        "customer_id": customer_id,
        "exported_at": isoformat(clock.now()),
        "orders": exported,
        "complaints": [
            {**public(item), "case_items": [public(x) for x in store.case_items(str(item["complaint_id"]))]}
            for item in complaints
        ],
        "preferences": public(preferences) if preferences else None,
        "suppressions": [public(item) for item in store.suppressions(refs)] if refs else [],
        "erasure": public(erasure) if erasure else None,
    }
