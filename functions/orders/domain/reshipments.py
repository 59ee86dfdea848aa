"""Reshipments: a replacement of some of an order's lines, sent again (docs/reshipments.md).

Opening one reserves its lines again through the stock ledger, all or nothing (never overselling),
in one transaction with the order (the reshipment and a timeline entry on it). Its parcel, given
with the request or registered later, commits that stock and writes the shipment and its tracking
link in one transaction, as any shipment: the tracking provider registration and the carriers'
webhooks follow from there. The reshipment id comes from the Idempotency-Key, so a retry finds it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from orders.domain.lifecycle import IllegalTransition, can_move
from orders.domain.manage_orders import shipment_id_for
from orders.domain.ports import OrderRepository
from orders.domain.reshipment_ports import (
    CustomerEvents,
    OrderCases,
    ReservationChanges,
    ShipmentWriter,
    StockCommit,
)
from orders.models.api import Reshipment, ShipmentLine, TimelineEntry
from orders.models.order import OrderRecord
from orders.models.order import OrderStatus as S
from shared.clock import Clock, isoformat
from shared.errors import Conflict, IdempotencyKeyReused, InvalidRequest, NotFound, ValidationFailed
from shared.events import OrderEvent

EXCEPTION_STATUSES = frozenset({S.DELIVERY_EXCEPTION, S.RETURNED_TO_SENDER})
CASE_CATEGORIES = frozenset({"damage", "missing_item", "wrong_item"})
REASONS = ("exception", "case", "exchange")
STOCK_REASON = "reshipment"
WRITE_ATTEMPTS = 3


class ReshipmentNotAllowed(Conflict):
    code = "reshipment_not_allowed"


class ReshipmentQuantityExceeded(Conflict):
    code = "reshipment_quantity_exceeded"


@dataclass(frozen=True)
class Parcel:
    carrier: str
    tracking_number: str


@dataclass(frozen=True)
class ReshipmentAsked:
    lines: list[tuple[str, int]] | None
    reason: str | None = None
    note: str | None = None
    by: str = "storefront"
    parcel: Parcel | None = None


@dataclass(frozen=True)
class ReshipmentPorts:
    orders: OrderRepository
    cases: OrderCases
    ledger: ReservationChanges
    stock: StockCommit
    shipments: ShipmentWriter
    events: CustomerEvents
    clock: Clock


@dataclass(frozen=True)
class OpenedReshipment:
    order: OrderRecord
    reshipment: Reshipment
    replayed: bool


def key_digest(idempotency_key: str) -> str:
    return hashlib.sha256(b"ordertrack/key/" + idempotency_key.encode()).hexdigest()[:32]


def reshipment_id_for(order_id: str, idempotency_key: str) -> str:
    digest = hashlib.sha256(f"ordertrack/reshipment/{order_id}/{idempotency_key}".encode()).hexdigest()
    return "rsp_" + digest[:20]


def _fingerprint(asked: ReshipmentAsked) -> str:
    values = {
        "lines": sorted(asked.lines) if asked.lines is not None else None,
        "reason": asked.reason,
        "note": asked.note,
        "by": asked.by,
        "parcel": [asked.parcel.carrier, asked.parcel.tracking_number] if asked.parcel else None,
    }
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _load(orders: OrderRepository, order_id: str) -> OrderRecord:
    order = orders.get(order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.", details={"order_id": order_id})
    return order


def lines_text(lines: list[ShipmentLine]) -> str:
    """`"SKU x1, SKU2 x2"`: how an event's details carry lines (`notifications` names them)."""
    return ", ".join(f"{line.sku} x{line.quantity}" for line in lines)


def reshipped_quantities(order: OrderRecord) -> dict[str, int]:
    totals: dict[str, int] = {}
    for reshipment in order.reshipments:
        for line in reshipment.lines:
            totals[line.sku] = totals.get(line.sku, 0) + line.quantity
    return totals


def eligible_reason(order: OrderRecord, reason: str | None, cases: OrderCases) -> str:
    """The reshipment's reason when the order may be reshipped; ReshipmentNotAllowed otherwise.
    `exception`: an order in delivery_exception or returned_to_sender; `case`: a delivered order
    with a case about damage, a missing or a wrong item; `exchange`: a delivered order (the returns
    capability asks only for the lines of an approved return)."""
    if reason is not None and reason not in REASONS:
        raise InvalidRequest("Unknown reshipment reason.", details=[{"field": "reason", "issue": reason}])
    if order.status in EXCEPTION_STATUSES:
        return reason or "exception"
    if order.status == S.DELIVERED:
        if reason == "exchange":
            return reason
        if CASE_CATEGORIES & set(cases.categories(order.order_id)):
            return reason or "case"
    raise ReshipmentNotAllowed(
        f"Order {order.order_id} is {order.status.value}: only an order in delivery_exception or "
        "returned_to_sender, or a delivered one with a damage, missing_item or wrong_item case, "
        "can be reshipped.",
        details={"order_id": order.order_id, "current_status": order.status.value},
    )


def reshipment_lines(order: OrderRecord, asked: list[tuple[str, int]] | None) -> dict[str, int]:
    """The quantities per SKU: each at most the order's quantity less what was reshipped already."""
    ordered = order.quantities_by_sku()
    already = reshipped_quantities(order)
    left = {sku: quantity - already.get(sku, 0) for sku, quantity in ordered.items()}
    if asked is None:
        wanted = {sku: quantity for sku, quantity in left.items() if quantity > 0}
    else:
        wanted = {}
        for sku, quantity in asked:
            wanted[sku] = wanted.get(sku, 0) + quantity
    too_many = [
        {"sku": sku, "requested": quantity, "remaining": max(left.get(sku, 0), 0)}
        for sku, quantity in sorted(wanted.items())
        if quantity > left.get(sku, 0)
    ]
    if too_many or not wanted:
        raise ReshipmentQuantityExceeded(
            "A reshipment cannot hold more than the order's quantity less what was already reshipped.",
            details={"order_id": order.order_id, "lines": too_many},
        )
    return dict(sorted(wanted.items()))


def open_reshipment(
    order_id: str, asked: ReshipmentAsked, idempotency_key: str, ports: ReshipmentPorts
) -> OpenedReshipment:
    if not idempotency_key:
        raise InvalidRequest(
            "An Idempotency-Key is required.",
            details=[{"field": "header.idempotency-key", "issue": "missing"}],
        )
    fingerprint = _fingerprint(asked)
    reshipment_id = reshipment_id_for(order_id, idempotency_key)
    for _ in range(WRITE_ATTEMPTS):
        order = _load(ports.orders, order_id)
        stored = order.reshipment_keys.get(reshipment_id)
        if stored is not None:
            if stored != fingerprint:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used with a different reshipment.",
                    details={"order_id": order_id, "reshipment_id": reshipment_id},
                )
            return _replay(order, reshipment_id, asked, ports)
        reason = eligible_reason(order, asked.reason, ports.cases)
        quantities = reshipment_lines(order, asked.lines)
        if asked.parcel and _parcel_taken(order, asked.parcel):
            raise Conflict(
                "This order already has a shipment with that carrier and tracking number.",
                details={"order_id": order_id, "tracking_number": asked.parcel.tracking_number},
            )
        now = isoformat(ports.clock.now())
        lines = [ShipmentLine(sku=sku, quantity=quantity) for sku, quantity in quantities.items()]
        reshipment = Reshipment(
            reshipment_id=reshipment_id,
            lines=lines,
            status="awaiting_shipment",
            reason=reason,  # type: ignore[arg-type]
            note=asked.note,
            by=asked.by,
            created_at=now,
        )
        entry = TimelineEntry(
            status=order.status.value,
            at=now,
            by=asked.by,
            details={"event": "reshipment_opened", "reshipment_id": reshipment_id, "reason": reason},
        )
        reservation = dict(order.reservation)
        for sku, quantity in quantities.items():
            reservation[sku] = reservation.get(sku, 0) + quantity
        updates: dict[str, Any] = {
            "reservation": reservation,
            "reshipments": [
                *_dumped(order.reshipments),
                reshipment.model_dump(mode="json", exclude_none=True),
            ],
            "reshipment_keys": {**order.reshipment_keys, reshipment_id: fingerprint},
        }
        if ports.ledger.change_reservation(
            order, entry, reserve=quantities, release={}, reason=STOCK_REASON, order_updates=updates
        ):
            opened = _load(ports.orders, order_id)
            return _after_opening(opened, reshipment_id, asked, ports, replayed=False)
    raise Conflict(
        "The order kept changing while the reshipment was written; retry.", details={"order_id": order_id}
    )


def _dumped(reshipments: list[Reshipment]) -> list[dict[str, Any]]:
    return [reshipment.model_dump(mode="json", exclude_none=True) for reshipment in reshipments]


def _parcel_taken(order: OrderRecord, parcel: Parcel) -> bool:
    shipment_id = shipment_id_for(order.order_id, parcel.carrier.lower(), _tracking(parcel.tracking_number))
    return any(shipment.shipment_id == shipment_id for shipment in order.shipments)


def _tracking(number: str) -> str:
    return number.replace(" ", "").upper()


def _find(order: OrderRecord, reshipment_id: str) -> Reshipment:
    for reshipment in order.reshipments:
        if reshipment.reshipment_id == reshipment_id:
            return reshipment
    raise NotFound(
        f"Order {order.order_id} has no reshipment {reshipment_id}.",
        details={"order_id": order.order_id, "reshipment_id": reshipment_id},
    )


def _replay(
    order: OrderRecord, reshipment_id: str, asked: ReshipmentAsked, ports: ReshipmentPorts
) -> OpenedReshipment:
    """The same request again: what the first one did, finishing what it may have left undone (its
    parcel, its message: a message's id is the same, so the customer hears it once)."""
    return _after_opening(order, reshipment_id, asked, ports, replayed=True)


def _after_opening(
    order: OrderRecord, reshipment_id: str, asked: ReshipmentAsked, ports: ReshipmentPorts, *, replayed: bool
) -> OpenedReshipment:
    if asked.parcel is not None:  # its message is the order's `shipped`, or `reshipment.shipped`
        order = ship_reshipment(order.order_id, reshipment_id, asked.parcel, asked.by, ports)
        return OpenedReshipment(order=order, reshipment=_find(order, reshipment_id), replayed=replayed)
    reshipment = _find(order, reshipment_id)
    _tell(order, reshipment, ports, "created")
    return OpenedReshipment(order=order, reshipment=reshipment, replayed=replayed)


def ship_reshipment(
    order_id: str, reshipment_id: str, parcel: Parcel, by: str, ports: ReshipmentPorts
) -> OrderRecord:
    """Register the reshipment's parcel: its reserved stock is committed and the shipment (purpose
    `replacement`) and its tracking link written in one transaction; an order whose parcel failed
    (delivery_exception, returned_to_sender) is `shipped` again. The same parcel again is a no-op."""
    carrier, tracking = parcel.carrier.lower(), _tracking(parcel.tracking_number)
    shipment_id = shipment_id_for(order_id, carrier, tracking)
    for _ in range(WRITE_ATTEMPTS):
        order = _load(ports.orders, order_id)
        reshipment = _find(order, reshipment_id)
        if reshipment.status == "shipped":
            if reshipment.shipment_id == shipment_id:
                return order
            raise Conflict(
                f"Reshipment {reshipment_id} has shipped already, with another parcel.",
                details={"order_id": order_id, "reshipment_id": reshipment_id},
            )
        if any(shipment.shipment_id == shipment_id for shipment in order.shipments):
            raise Conflict(
                "This order already has a shipment with that carrier and tracking number.",
                details={"order_id": order_id, "tracking_number": tracking},
            )
        target = S.SHIPPED if can_move(order.status, S.SHIPPED, replacement=True) else order.status
        if order.status in EXCEPTION_STATUSES and target != S.SHIPPED:  # pragma: no cover - table
            raise IllegalTransition(order_id, order.status, S.SHIPPED)
        now = isoformat(ports.clock.now())
        quantities = {line.sku: line.quantity for line in reshipment.lines}
        shipment = {
            "shipment_id": shipment_id,
            "carrier": carrier,
            "tracking_number": tracking,
            "lines": [line.model_dump() for line in reshipment.lines],
            "status": "shipped",
            "created_at": now,
            "purpose": "replacement",
            "reshipment_id": reshipment_id,
        }
        entry = TimelineEntry(
            status=target.value,
            at=now,
            by=by if by.startswith("storefront") else f"storefront:{by}",
            details={
                "event": "reshipment_shipped",
                "reshipment_id": reshipment_id,
                "shipment_id": shipment_id,
                "carrier": carrier,
                "tracking_number": tracking,
            },
        )
        shipped = reshipment.model_copy(update={"status": "shipped", "shipment_id": shipment_id})
        reshipments = [shipped if r.reshipment_id == reshipment_id else r for r in order.reshipments]
        if ports.stock.commit(
            order,
            quantities,
            entry,
            order_updates={"reshipments": _dumped(reshipments)},
            extra_items=ports.shipments.shipment_items(order, shipment),
        ):
            updated = _load(ports.orders, order_id)
            if target != S.SHIPPED:  # no status move: no order_shipped message, so say it here
                _tell(updated, _find(updated, reshipment_id), ports, "shipped")
            return updated
    raise Conflict(
        "The order kept changing while the parcel was registered; retry.", details={"order_id": order_id}
    )


def _tell(order: OrderRecord, reshipment: Reshipment, ports: ReshipmentPorts, what: str) -> None:
    """`reshipment.created` (lines awaiting their parcel, or shipped at once to a delivered order)
    or `reshipment.shipped`: one event id each, so a replay reaches the customer once."""
    details = {
        "reshipment_id": reshipment.reshipment_id,
        "lines": lines_text(reshipment.lines),
        "reason": reshipment.reason,
    }
    shipment = next((s for s in order.shipments if s.shipment_id == reshipment.shipment_id), None)
    if shipment is not None:
        details.update(
            shipment_id=shipment.shipment_id,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
        )
    ports.events.publish(
        OrderEvent(
            event_id=f"{order.order_id}:reshipment:{reshipment.reshipment_id}:{what}",
            event_type=f"reshipment.{what}",
            order_id=order.order_id,
            status=order.status.value,
            occurred_at=reshipment.created_at if what == "created" else order.updated_at,
            details=details,
        )
    )


def validate_parcel(carrier: str | None, tracking_number: str | None) -> Parcel | None:
    if carrier is None and tracking_number is None:
        return None
    if carrier is None or tracking_number is None:
        raise ValidationFailed(
            "Send carrier and tracking_number together, or neither.",
            details=[{"field": "carrier" if carrier is None else "tracking_number", "issue": "missing"}],
        )
    return Parcel(carrier=carrier, tracking_number=tracking_number)
