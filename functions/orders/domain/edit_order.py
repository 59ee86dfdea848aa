"""Order edits before shipment (docs/reshipments.md): the shipping address, the customer's contact
and the lines, validated exactly as at intake, with the stock re-reserved in the same transaction
(what is no longer needed released, what is added reserved: all or nothing, never overselling) and
the hold rules run again on the edited order. Idempotent by the Idempotency-Key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from orders.domain.hold_rules import ScreeningPolicy, screen
from orders.domain.lifecycle import HOLDS_STOCK, check_move
from orders.domain.order_lookups import ContactHasher, contact_lookup_changes
from orders.domain.place_order import order_total
from orders.domain.ports import OrderRepository
from orders.domain.reshipment_ports import CustomerEvents, ReservationChanges
from orders.domain.reshipments import key_digest
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderRecord
from orders.models.order import OrderStatus as S
from orders.models.reshipments import OrderEditRequest
from shared.clock import Clock, isoformat
from shared.errors import Conflict, IdempotencyKeyReused, NotFound, ValidationFailed
from shared.events import OrderEvent

EDITABLE = frozenset({S.RECEIVED, S.ON_HOLD, S.RESERVED, S.CONFIRMED})
SHIPPED_ONWARD = frozenset(
    {
        S.PARTIALLY_SHIPPED,
        S.SHIPPED,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
        S.DELIVERY_EXCEPTION,
        S.RETURNED_TO_SENDER,
    }
)
STOCK_REASON = "order_edit"
WRITE_ATTEMPTS = 3


class OrderAlreadyShipped(Conflict):
    code = "order_already_shipped"


class OrderNotEditable(Conflict):
    code = "illegal_transition"


@dataclass(frozen=True)
class EditPorts:
    orders: OrderRepository
    ledger: ReservationChanges
    events: CustomerEvents
    clock: Clock
    policy: ScreeningPolicy | None = None
    hasher: ContactHasher | None = None  # the order lookups' keyed hash (orders.domain.order_lookups)


@dataclass(frozen=True)
class EditedOrder:
    order: OrderRecord
    changed: list[str]
    replayed: bool


def _fingerprint(request: OrderEditRequest) -> str:
    canonical = json.dumps(request.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def edited_content(order: OrderRecord, request: OrderEditRequest) -> CreateOrderRequest:
    """The order as it would be placed with the edit: validated by the intake model itself (a
    national phone read in the shipping country, prices fitting the currency...). 422 otherwise."""
    customer = order.customer.model_dump(mode="json")
    if request.customer is not None:
        customer.update(request.customer.model_dump(mode="json", exclude_unset=True))
    address = request.shipping_address or order.shipping_address
    items = request.items if request.items is not None else order.items
    placed = {
        "customer": customer,
        "shipping_address": address.model_dump(mode="json", exclude_none=True),
        "currency": order.currency,
        "items": [line.model_dump(mode="json", exclude_none=True) for line in items],
        "order_number": order.order_number,
        "payment_status": order.payment_status,
    }
    try:
        return CreateOrderRequest.model_validate(placed)
    except ValidationError as error:
        raise ValidationFailed(
            "The edited order is not valid.",
            details=[
                {"field": ".".join(str(part) for part in issue["loc"]) or "body", "issue": issue["msg"]}
                for issue in error.errors(include_url=False, include_input=False)
            ],
        ) from None


def _changes(order: OrderRecord, edited: CreateOrderRequest) -> list[str]:
    changed = []
    if edited.shipping_address != order.shipping_address:
        changed.append("shipping_address")
    if edited.customer != order.customer:
        changed.append("customer")
    if [line.model_dump() for line in edited.items] != [line.model_dump() for line in order.items]:
        changed.append("items")
    return changed


def _check_editable(order: OrderRecord) -> None:
    if order.status in SHIPPED_ONWARD:
        raise OrderAlreadyShipped(
            f"Order {order.order_id} has shipped ({order.status.value}); it can no longer be edited.",
            details={"order_id": order.order_id, "current_status": order.status.value},
        )
    if order.status not in EDITABLE:
        raise OrderNotEditable(
            f"Order {order.order_id} is {order.status.value}; it can no longer be edited.",
            details={"order_id": order.order_id, "current_status": order.status.value},
        )


def edit_order(
    order_id: str, request: OrderEditRequest, idempotency_key: str, ports: EditPorts
) -> EditedOrder:
    fingerprint = _fingerprint(request)
    key = key_digest(idempotency_key)
    for _ in range(WRITE_ATTEMPTS):
        order = ports.orders.get(order_id)
        if order is None:
            raise NotFound(f"Order {order_id} does not exist.", details={"order_id": order_id})
        if key in order.edit_keys:
            if order.edit_keys[key] != fingerprint:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used with a different edit.",
                    details={"order_id": order_id},
                )
            changed = _changed_by(order, key)
            _tell(order, key, changed, ports)
            return EditedOrder(order=order, changed=changed, replayed=True)
        _check_editable(order)
        edited = edited_content(order, request)
        changed = _changes(order, edited)
        if not changed:
            raise ValidationFailed(
                "The edit changes nothing.", details=[{"field": "body", "issue": "no change"}]
            )
        if _write(order, edited, changed, key, fingerprint, request, ports):
            updated = ports.orders.get(order_id)
            assert updated is not None
            _tell(updated, key, changed, ports)
            return EditedOrder(order=updated, changed=changed, replayed=False)
    raise Conflict(
        "The order kept changing while the edit was written; retry.", details={"order_id": order_id}
    )


def _changed_by(order: OrderRecord, key: str) -> list[str]:
    for entry in reversed(order.timeline):
        details = entry.details or {}
        if details.get("event") == "order_edited" and details.get("edit") == key:
            return [str(name) for name in details.get("changed", [])]  # type: ignore[attr-defined]
    return []


def _write(
    order: OrderRecord,
    edited: CreateOrderRequest,
    changed: list[str],
    key: str,
    fingerprint: str,
    request: OrderEditRequest,
    ports: EditPorts,
) -> bool:
    now = isoformat(ports.clock.now())
    updates: dict[str, Any] = {
        "customer": edited.customer.model_dump(mode="json", exclude_none=True),
        "shipping_address": edited.shipping_address.model_dump(mode="json", exclude_none=True),
        "items": [line.model_dump(mode="json", exclude_none=True) for line in edited.items],
        "total": order_total(edited),
        "edit_keys": {**order.edit_keys, key: fingerprint},
    }
    candidate = order.model_copy(
        update={
            "customer": edited.customer,
            "shipping_address": edited.shipping_address,
            "items": edited.items,
            "total": updates["total"],
            "review": None,  # an edited order is screened again, even if a reviewer approved it
        }
    )
    if order.review is not None:
        updates["review"] = None
    reasons = screen(candidate, _without_duplicate_rule(ports.policy)) if ports.policy is not None else []
    target = order.status
    if order.status == S.ON_HOLD or reasons:
        updates["hold_reasons"] = reasons or order.hold_reasons
        target = S.ON_HOLD if reasons else order.status
    details: dict[str, Any] = {"event": "order_edited", "edit": key, "changed": changed}
    if reasons:
        details["reasons"] = reasons
    if request.note:
        details["note"] = request.note
    entry = TimelineEntry(status=target.value, at=now, by=request.by, details=details)
    if target != order.status:
        check_move(order.order_id, order.status, target)
    reserve: dict[str, int] = {}
    release: dict[str, int] = {}
    if order.status in HOLDS_STOCK:
        held = {sku: quantity for sku, quantity in order.reservation.items() if quantity > 0}
        wanted = {} if target == S.ON_HOLD else candidate.quantities_by_sku()
        for sku in sorted(set(held) | set(wanted)):
            delta = wanted.get(sku, 0) - held.get(sku, 0)
            if delta > 0:
                reserve[sku] = delta
            elif delta < 0:
                release[sku] = -delta
        updates["reservation"] = wanted
        if target == S.ON_HOLD:  # released: no payment hold any more
            updates.update(hold_expires_at=None, gsi3pk=None, gsi3sk=None)
    lookups = contact_lookup_changes(order, candidate, ports.hasher)
    moved = {"lookups": lookups} if lookups.put or lookups.delete else {}  # a new phone or email
    if reserve or release or "reservation" in updates:
        return ports.ledger.change_reservation(
            order,
            entry,
            reserve=reserve,
            release=release,
            reason=STOCK_REASON,
            order_updates=updates,
            **moved,
        )
    removals = tuple(name for name, value in updates.items() if value is None)
    values = {name: value for name, value in updates.items() if value is not None}
    return ports.orders.transition(order, entry, values, remove=removals, **moved)


def _without_duplicate_rule(policy: ScreeningPolicy) -> ScreeningPolicy:
    """The rules an edit runs again: all but the duplicate-order rule, which is about placing the
    same order twice (and writes its marker: a refused edit must write nothing)."""
    return replace(policy, rules=policy.rules.model_copy(update={"duplicate_window_minutes": 0}))


def _tell(order: OrderRecord, key: str, changed: list[str], ports: EditPorts) -> None:
    """`order.updated`, naming what changed (never the values: no personal data in events)."""
    ports.events.publish(
        OrderEvent(
            event_id=f"{order.order_id}:edit:{key}",
            event_type="order.updated",
            order_id=order.order_id,
            status=order.status.value,
            occurred_at=order.updated_at,
            details={"changed": ",".join(changed)},
        )
    )
