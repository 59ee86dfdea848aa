"""Erasing a customer's personal data everywhere ordertrack keeps it (docs/customer-data.md).

Resumable and idempotent: the erasure record (`CustomerStore.erasure`) is written `in_progress`
before anything else, with the hashed keys that only the orders' contacts could give (their
lookups' and suppressions'), so a run that stops halfway is finished by the next request; every
step skips what is already erased. Once `completed`, the record is the audit item: who asked, when,
and how many items of each kind were erased; never an address. A request for a customer already
erased, with nothing new, answers the same summary and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from customers.domain.customer_data import public
from customers.domain.erasure_plan import (
    complaint_redaction,
    feedback_redaction,
    notification_redaction,
    order_redaction,
    return_redaction,
    suppression_redaction,
)
from customers.domain.ports import CustomerStore, Item
from orders.domain.order_lookups import ContactHasher, OrderLookup, normalise_email, normalise_phone
from shared.clock import Clock, isoformat
from shared.errors import NotFound

COUNTED = (
    "orders",
    "returns",
    "feedback",
    "complaints",
    "notification_entries",
    "preferences",
    "contact_lookups",
    "suppressions",
)


def _contacts(orders: list[Item], store: CustomerStore, hasher: ContactHasher | None) -> list[Item]:
    """The hashed keys of the contacts of the orders not yet erased: their lookup partitions and
    suppression items (one entry per distinct address)."""
    found: dict[tuple[str, str], Item] = {}
    for order in orders:
        customer = order.get("customer") or {}
        if order.get("erased_at"):
            continue
        for kind, channel in (("phone", "sms"), ("email", "email")):
            address = customer.get(kind)
            if not address:
                continue
            try:
                normalised = normalise_phone(address) if kind == "phone" else normalise_email(address)
            except ValueError:
                normalised = str(address)
            contact: Item = {"kind": kind}
            if hasher is not None:
                contact["lookup"] = hasher(kind, normalised)  # type: ignore[arg-type]
            ref = store.suppression_ref(channel, address)
            if ref:
                contact["suppression"] = ref
            found[(kind, normalised)] = contact
    return list(found.values())


def _merge(saved: list[Item], fresh: list[Item]) -> list[Item]:
    merged = {tuple(sorted(contact.items())): contact for contact in [*saved, *fresh]}
    return list(merged.values())


def _unfinished(store: CustomerStore, customer_id: str, orders: list[Item]) -> bool:
    return any(not order.get("erased_at") for order in orders) or store.preferences(customer_id) is not None


def erase_customer(
    customer_id: str, requested_by: str, store: CustomerStore, hasher: ContactHasher | None, clock: Clock
) -> Item:
    """Erase (or finish erasing) the customer's personal data; the erasure record as it ends."""
    record = store.erasure(customer_id)
    orders, _ = store.orders(customer_id)
    if record and record.get("status") == "completed" and not _unfinished(store, customer_id, orders):
        return public(record)
    complaints = store.complaints(customer_id)
    preferences = store.preferences(customer_id)
    if record is None and not orders and not complaints and preferences is None:
        raise NotFound(f"Customer {customer_id} is not known.", details={"customer_id": customer_id})
    now = isoformat(clock.now())
    resumed = record is not None and record.get("status") == "in_progress"
    contacts = _merge(
        list((record or {}).get("contacts") or []) if resumed else [], _contacts(orders, store, hasher)
    )
    record = {
        "customer_id": customer_id,
        "status": "in_progress",
        "requested_by": (record or {}).get("requested_by") if resumed else requested_by,
        "started_at": (record or {}).get("started_at") if resumed else now,
        "contacts": contacts,
    }
    store.save_erasure(customer_id, record)
    counts = _erase(customer_id, orders, complaints, preferences, contacts, store, now)
    done = {key: value for key, value in record.items() if key != "contacts"}
    done.update(status="completed", completed_at=now, counts=counts)
    store.save_erasure(customer_id, done)
    return done


def _erase(
    customer_id: str,
    orders: list[Item],
    complaints: list[Item],
    preferences: Item | None,
    contacts: list[Item],
    store: CustomerStore,
    now: str,
) -> dict[str, int]:
    counts = dict.fromkeys(COUNTED, 0)

    def apply_each(items: list[Item], plan: Callable[[Item], Any], name: str) -> None:
        for item in items:
            counts[name] += 1
            redaction = plan(item)
            if redaction is not None:
                store.apply(redaction)

    for order in orders:
        order_id, created_at = str(order["order_id"]), str(order["created_at"])
        lookups = [
            OrderLookup(contact["kind"], contact["lookup"], order_id, created_at)
            for contact in contacts
            if contact.get("lookup")
        ]
        store.erase_order(order_redaction(order, now), lookups)
        counts["orders"] += 1
        counts["contact_lookups"] += len(lookups)
        _, others = store.order_details(order_id)
        apply_each([item for item in others if item.get("entity") == "return"], return_redaction, "returns")
        feedback = store.feedback(order_id)
        apply_each([feedback] if feedback else [], feedback_redaction, "feedback")
        log = store.notification_items(order_id)
        entries = [item for item in log if item.get("entity") == "notification"]
        apply_each(entries, notification_redaction, "notification_entries")
        for marker in (item for item in log if item.get("entity") != "notification"):
            redaction = notification_redaction(marker)
            if redaction is not None:
                store.apply(redaction)
    apply_each(complaints, complaint_redaction, "complaints")
    for complaint in complaints:
        for item in store.case_items(str(complaint["complaint_id"])):
            redaction = complaint_redaction(item)
            if redaction is not None:
                store.apply(redaction)
    if preferences is not None:
        store.delete_preferences(customer_id)
        counts["preferences"] = 1
    refs = [str(contact["suppression"]) for contact in contacts if contact.get("suppression")]
    apply_each(store.suppressions(refs) if refs else [], suppression_redaction, "suppressions")
    return counts
