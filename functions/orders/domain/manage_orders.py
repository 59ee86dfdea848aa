"""What a storefront or a schedule does to an existing order: pay, cancel, expire, review, ship.

Each action checks its move against the state machine (`orders.domain.lifecycle`) and writes
conditionally on the status and version it read, so an illegal or concurrent move changes nothing
(409 with the current status). Stock effects go through the stock ledger in the same write.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from orders.domain.lifecycle import HOLDS_STOCK, IllegalTransition, check_move
from orders.domain.order_lookups import ContactHasher, LookupKind, search_key, still_matches
from orders.domain.ports import OrderQuery, OrderRepository
from orders.models.api import ShipmentLine, ShipmentRequest, TimelineEntry
from orders.models.order import OrderRecord
from orders.models.order import OrderStatus as S
from shared.clock import Clock, isoformat
from shared.errors import Conflict, InvalidRequest, NotFound, ValidationFailed

HOLD_INDEX_PARTITION = "HOLD"


class StockLedger(Protocol):
    """The part of the stock ledger (inventory capability) that order actions use."""

    def release(
        self, order: OrderRecord, entry: TimelineEntry, *, order_updates: dict[str, Any] | None = None
    ) -> bool: ...

    def commit(
        self,
        order: OrderRecord,
        quantities: dict[str, int],
        entry: TimelineEntry,
        *,
        order_updates: dict[str, Any] | None = None,
        extra_items: Any = (),
    ) -> bool: ...


class ShipmentWriter(Protocol):
    def shipment_items(self, order: OrderRecord, shipment: dict[str, Any]) -> list[dict[str, Any]]: ...


def _load(orders: OrderRepository, order_id: str) -> OrderRecord:
    order = orders.get(order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.", details={"order_id": order_id})
    return order


def _entry(status: S, clock: Clock, by: str, details: dict[str, Any] | None = None) -> TimelineEntry:
    return TimelineEntry(status=status, at=isoformat(clock.now()), by=by, details=details or None)


def _changed(order_id: str, orders: OrderRepository, requested: S) -> IllegalTransition:
    """The order moved while we were writing: report where it is now."""
    current = _load(orders, order_id)
    return IllegalTransition(order_id, current.status, requested)


def hold_index_values(expires_at: str) -> dict[str, str]:
    return {"hold_expires_at": expires_at, "gsi3pk": HOLD_INDEX_PARTITION, "gsi3sk": expires_at}


def hold_expiry(clock: Clock, hold_minutes: int) -> str:
    return isoformat(clock.now() + timedelta(minutes=hold_minutes))


def confirm_payment(
    order_id: str, reference: str | None, orders: OrderRepository, clock: Clock
) -> OrderRecord:
    order = _load(orders, order_id)
    details = {"payment_reference": reference} if reference else None
    if order.status == S.CONFIRMED and order.payment_status == "paid":
        return order  # a retried confirmation
    if order.status in (S.RECEIVED, S.ON_HOLD):
        # Paid before stock was reserved: the reservation will confirm it directly.
        entry = _entry(
            order.status, clock, "storefront:payment", {"payment_status": "paid", **(details or {})}
        )
        if not orders.transition(order, entry, {"payment_status": "paid"}):
            raise _changed(order_id, orders, S.CONFIRMED)
        return _load(orders, order_id)
    check_move(order_id, order.status, S.CONFIRMED)
    entry = _entry(S.CONFIRMED, clock, "storefront:payment", details)
    if not orders.transition(
        order, entry, {"payment_status": "paid"}, remove=("gsi3pk", "gsi3sk", "hold_expires_at")
    ):
        raise _changed(order_id, orders, S.CONFIRMED)
    return _load(orders, order_id)


def cancel_order(
    order_id: str, reason: str | None, actor: str, orders: OrderRepository, stock: StockLedger, clock: Clock
) -> OrderRecord:
    order = _load(orders, order_id)
    if order.status == S.CANCELLED:
        return order
    check_move(order_id, order.status, S.CANCELLED)
    entry = _entry(S.CANCELLED, clock, actor, {"reason": reason} if reason else None)
    if order.status in HOLDS_STOCK and order.reservation:
        done = stock.release(order, entry, order_updates={"gsi3pk": None, "gsi3sk": None})
    else:
        done = orders.transition(order, entry, remove=("gsi3pk", "gsi3sk"))
    if not done:
        raise _changed(order_id, orders, S.CANCELLED)
    return _load(orders, order_id)


def expire_hold(order: OrderRecord, stock: StockLedger, clock: Clock) -> bool:
    """Release an unpaid reservation whose hold has run out; False if it was paid or moved meanwhile."""
    if order.status != S.RESERVED:
        return False
    entry = _entry(S.EXPIRED, clock, "system:hold-expiry", {"hold_expires_at": order.hold_expires_at})
    return stock.release(order, entry, order_updates={"gsi3pk": None, "gsi3sk": None})


def expire_due_holds(
    orders: OrderRepository, stock: StockLedger, clock: Clock, deadline_ms: Any = None, page: int = 100
) -> int:
    """Release every hold due by now, page by page, while the invocation has time left."""
    expired = 0
    while True:
        due = orders.due_holds(isoformat(clock.now()), page)
        for order in due:
            if expire_hold(order, stock, clock):
                expired += 1
        if len(due) < page or (deadline_ms is not None and deadline_ms() < 5_000):
            return expired


def review_order(
    order_id: str,
    decision: Literal["approve", "reject"],
    reviewer: str,
    note: str | None,
    orders: OrderRepository,
    clock: Clock,
) -> OrderRecord:
    order = _load(orders, order_id)
    if order.status != S.ON_HOLD:
        raise IllegalTransition(order_id, order.status, S.RECEIVED if decision == "approve" else S.REJECTED)
    target = S.RECEIVED if decision == "approve" else S.REJECTED
    details: dict[str, Any] = {"decision": decision, "reviewer": reviewer, "reasons": order.hold_reasons}
    if note:
        details["note"] = note
    entry = _entry(target, clock, f"reviewer:{reviewer}", details)
    review = {"decision": decision, "reviewer": reviewer, "at": entry.at}
    if not orders.transition(order, entry, {"review": review}):
        raise _changed(order_id, orders, target)
    return _load(orders, order_id)


def shipment_id_for(order_id: str, carrier: str, tracking_number: str) -> str:
    digest = hashlib.sha256(f"{order_id}/{carrier}/{tracking_number}".encode()).hexdigest()
    return "shp_" + digest[:20]


def register_shipment(
    order_id: str,
    request: ShipmentRequest,
    orders: OrderRepository,
    stock: StockLedger,
    shipments: ShipmentWriter,
    clock: Clock,
) -> OrderRecord:
    order = _load(orders, order_id)
    carrier = request.carrier.lower()
    tracking = request.tracking_number.replace(" ", "").upper()
    shipment_id = shipment_id_for(order_id, carrier, tracking)
    if any(existing.shipment_id == shipment_id for existing in order.shipments):
        return order  # the same shipment registered again
    if order.status not in (S.CONFIRMED, S.PARTIALLY_SHIPPED):
        raise IllegalTransition(order_id, order.status, S.SHIPPED)
    remaining = {sku: quantity for sku, quantity in order.reservation.items() if quantity > 0}
    lines = request.lines or [
        ShipmentLine(sku=sku, quantity=quantity) for sku, quantity in sorted(remaining.items())
    ]
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    too_many = [
        {"sku": sku, "requested": quantity, "reserved": remaining.get(sku, 0)}
        for sku, quantity in sorted(quantities.items())
        if quantity > remaining.get(sku, 0)
    ]
    if too_many:
        raise Conflict(
            "A shipment cannot carry more than the order still has reserved.",
            details={"lines": too_many},
        ) from None
    if not quantities:
        raise InvalidRequest("Nothing left to ship.", details=[{"field": "lines", "issue": "empty"}])
    everything = all(quantities.get(sku, 0) == quantity for sku, quantity in remaining.items())
    target = S.SHIPPED if everything else S.PARTIALLY_SHIPPED
    check_move(order_id, order.status, target)
    now = isoformat(clock.now())
    shipment = {
        "shipment_id": shipment_id,
        "carrier": carrier,
        "tracking_number": tracking,
        "lines": [{"sku": sku, "quantity": quantity} for sku, quantity in sorted(quantities.items())],
        "status": "shipped",
        "created_at": now,
    }
    promised = request.promised_delivery or order.promised_delivery
    if promised:  # where the KPI consumer reads it (stats.domain.contributions.promised_date)
        shipment["promised_delivery"] = promised
    entry = TimelineEntry(
        status=target,
        at=now,
        by="storefront:shipment",
        details={"shipment_id": shipment_id, "carrier": carrier, "tracking_number": tracking},
    )
    if not stock.commit(order, quantities, entry, extra_items=shipments.shipment_items(order, shipment)):
        raise _changed(order_id, orders, target)
    return _load(orders, order_id)


SEARCH_KEYS = ("customer_id", "status", "tracking_number", "phone", "email", "order_number")
"""What a search is by: exactly one of them, or `customer_id` with `status`."""


def search_orders(
    query: OrderQuery,
    orders: OrderRepository,
    hasher: ContactHasher | None = None,
    *,
    phone: str | None = None,
    email: str | None = None,
    order_number: str | None = None,
) -> tuple[list[OrderRecord], str | None]:
    """Orders newest first by customer and/or status, or by one lookup: `query.tracking_number`,
    `phone`, `email` or `order_number` (a phone or an email is searched by its keyed hash and
    kept only while the order still carries it)."""
    given = {
        "customer_id": query.customer_id,
        "status": query.status,
        "tracking_number": query.tracking_number,
        "phone": phone,
        "email": email,
        "order_number": order_number,
    }
    sent = sorted(name for name in SEARCH_KEYS if given[name])
    if not sent:
        raise ValidationFailed(
            "Search by one of customer_id, status (or both), tracking_number, phone, email or order_number.",
            details=[{"field": "query.customer_id", "issue": "a search key is required"}],
        )
    if len(sent) > 1 and sent != ["customer_id", "status"]:
        raise ValidationFailed(
            "Search by one key at a time (customer_id with status is the one combination).",
            details=[
                {"field": f"query.{name}", "issue": "combined with " + ", ".join(sent)} for name in sent
            ],
        )
    if query.created_from and query.created_to and query.created_from > query.created_to:
        raise ValidationFailed(
            "created_from is after created_to.",
            details=[{"field": "query.created_from", "issue": "after created_to"}],
        )
    kind: LookupKind | None = "phone" if phone else "email" if email else "number" if order_number else None
    if kind is None:
        if query.tracking_number:
            query = replace(query, tracking_number=query.tracking_number.replace(" ", "").upper())
        return orders.search(query)
    try:
        key = search_key(kind, str(given["order_number" if kind == "number" else kind]), hasher)
    except ValueError as error:
        raise ValidationFailed(
            f"{kind} is not valid: {error}.", details=[{"field": f"query.{kind}", "issue": str(error)}]
        ) from None
    found, cursor = orders.search(replace(query, lookup_kind=kind, lookup_key=key))
    if kind != "number":
        found = [order for order in found if still_matches(order, kind, key, hasher)]
    else:
        found = [order for order in found if order.order_number == key]
    return found, cursor


def iso(moment: datetime | None) -> str | None:
    return isoformat(moment) if moment else None
