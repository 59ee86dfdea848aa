"""Group commit of reservations: the orders of one queue batch reserve together.

The orders are grouped in message order into groups that fit one transaction
(`StockReservations.fits_one_transaction`). For each group the stock of its SKUs is read, the
units are allocated in message order (an order gets all its lines or none, and never more than
what is left after the orders before it), and the orders that got their lines are reserved in ONE
transaction: one guarded update and one audit record per SKU, however many orders share it. The
update is guarded by `available >= the group's total`, so nothing is ever oversold; if a guard
fails (a concurrent writer took units) or an order was already decided (a duplicate delivery),
nothing is written and the group is read and allocated again, without the decided orders.

Orders that could not be given their lines move to `out_of_stock` (with what was left for them)
in the same transaction: the whole group is decided in one write, against the stock it read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from inventory.domain.ports import (
    AlreadyDecided,
    GroupCommitted,
    MarkedOutOfStock,
    OutOfStockDecision,
    ReservationOutcome,
    ReservationRequest,
    Reserved,
    StockReservations,
)
from orders.models.api import ShortItem, TimelineEntry
from orders.models.order import OrderStatus
from shared.errors import RetryableError

GROUP_ATTEMPTS = 8
"""Reads and commits of one group before it is left to the transient-retry policy: each refused
attempt either drops decided orders or follows stock that changed meanwhile."""


def allocate(
    requests: Sequence[ReservationRequest], available: Mapping[str, int]
) -> tuple[list[ReservationRequest], dict[str, list[ShortItem]]]:
    """Units for `requests` in their order, all lines or none: the granted requests, and for each
    refused order its short lines with the units that were left for it."""
    left = dict(available)
    granted: list[ReservationRequest] = []
    short: dict[str, list[ShortItem]] = {}
    for request in requests:
        missing = [
            ShortItem(sku=sku, requested=quantity, available=max(left.get(sku, 0), 0))
            for sku, quantity in sorted(request.quantities.items())
            if left.get(sku, 0) < quantity
        ]
        if missing:
            short[request.order.order_id] = missing
            continue
        for sku, quantity in request.quantities.items():
            left[sku] -= quantity
        granted.append(request)
    return granted, short


def plan_groups(
    requests: Sequence[ReservationRequest], fits: Callable[[Sequence[ReservationRequest]], bool]
) -> tuple[list[list[ReservationRequest]], list[ReservationRequest]]:
    """Consecutive groups in message order that each fit one transaction, and the requests that
    are reserved alone (too many SKUs for one transaction, or a chunked reservation to resume)."""
    groups: list[list[ReservationRequest]] = []
    alone: list[ReservationRequest] = []
    current: list[ReservationRequest] = []
    for request in requests:
        if request.order.reservation_progress or not fits([request]):
            alone.append(request)
            continue
        if current and not fits([*current, request]):
            groups.append(current)
            current = []
        current.append(request)
    if current:
        groups.append(current)
    return groups, alone


def reserve_group(
    requests: Sequence[ReservationRequest], reservations: StockReservations
) -> dict[str, ReservationOutcome]:
    """Reserve a group that fits one transaction: each order's outcome by order id. Raises
    RetryableError if the stock kept changing under it for GROUP_ATTEMPTS attempts."""
    outcomes: dict[str, ReservationOutcome] = {}
    pending = list(requests)
    for _ in range(GROUP_ATTEMPTS):
        skus = sorted({sku for request in pending for sku in request.quantities})
        granted, short = allocate(pending, reservations.available_units(skus))
        decisions = [
            OutOfStockDecision(
                request.order, short[request.order.order_id], _out_of_stock_entry(request, short)
            )
            for request in pending
            if request.order.order_id in short
        ]
        result = reservations.reserve_group(granted, decisions) if pending else GroupCommitted()
        if isinstance(result, GroupCommitted):
            outcomes.update({request.order.order_id: Reserved() for request in granted})
            outcomes.update({decision.order.order_id: MarkedOutOfStock() for decision in decisions})
            return outcomes
        outcomes.update({order_id: AlreadyDecided() for order_id in result.stale_orders})
        pending = [request for request in pending if request.order.order_id not in result.stale_orders]
    raise RetryableError(f"stock kept changing while reserving a group of {len(requests)} orders")


def _out_of_stock_entry(request: ReservationRequest, short: dict[str, list[ShortItem]]) -> TimelineEntry:
    details = {"short_items": [item.model_dump() for item in short[request.order.order_id]]}
    return TimelineEntry(
        status=OrderStatus.OUT_OF_STOCK, at=request.entry.at, by=request.entry.by, details=details
    )
