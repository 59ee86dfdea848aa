"""Stock reservation for received orders: all lines or none, never below zero available.

`reserve_orders` decides a whole queue batch: each order is screened (hold rules), then the
received ones are group-committed (`group_reservation`): the orders of the batch that reserve the
same SKU do so in one transaction with one audit record per SKU. A group whose transaction keeps
conflicting is retried in process (`retry`), then its orders are reported `RetryableError`."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from enum import StrEnum
from typing import Any, TypeVar

from inventory.domain.group_reservation import plan_groups, reserve_group
from inventory.domain.ports import (
    AlreadyDecided,
    MarkedOutOfStock,
    ReservationOutcome,
    ReservationRequest,
    Reserved,
    ShortOfStock,
    StockReservations,
)
from orders.domain.hold_rules import ScreeningPolicy, screen
from orders.domain.manage_orders import hold_expiry, hold_index_values
from orders.domain.ports import OrderRepository
from orders.models.api import TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from shared.clock import Clock, isoformat
from shared.errors import RetryableError
from shared.transient import retry_transient

T = TypeVar("T")
Retry = Callable[[Callable[[], T]], T]
Concurrently = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]
"""`map`, or an executor's `map`: results in the order of the inputs."""

TIME_MARGIN_SECONDS = 15.0
"""Orders not yet decided when less than this is left of the invocation are handed back (as
`RetryableError`), so a slow batch never times out as a whole."""


class _KnownLimits:
    """The per-order limits of every SKU of a batch, read once for the whole batch."""

    def __init__(self, limits: dict[str, int | None]) -> None:
        self._limits = limits

    def max_per_order(self, skus: list[str]) -> dict[str, int | None]:
        return {sku: self._limits.get(sku) for sku in skus}


RESERVATION_ACTOR = "system:stock-reservation"
SCREENING_ACTOR = "system:hold-rules"
DEFAULT_PAYMENT_HOLD_MINUTES = 30


class ReservationResult(StrEnum):
    CONFIRMED = "confirmed"
    RESERVED = "reserved"
    ON_HOLD = "on_hold"
    OUT_OF_STOCK = "out_of_stock"
    ALREADY_DECIDED = "already_decided"
    UNKNOWN_ORDER = "unknown_order"


def reserve_order_stock(
    order_id: str,
    orders: OrderRepository,
    reservations: StockReservations,
    clock: Clock,
    policy: ScreeningPolicy | None = None,
    *,
    retry: Retry[dict[str, ReservationOutcome]] = retry_transient,
) -> ReservationResult:
    """Screen a received order (hold rules), then reserve all its lines or none: `confirmed` if
    paid, `reserved` with a payment hold if pending, `out_of_stock` naming the short lines."""
    result = reserve_orders([order_id], orders, reservations, clock, policy, retry=retry)[order_id]
    if isinstance(result, RetryableError):
        raise result
    return result


def reserve_orders(
    order_ids: Sequence[str],
    orders: OrderRepository,
    reservations: StockReservations,
    clock: Clock,
    policy: ScreeningPolicy | None = None,
    *,
    retry: Retry[dict[str, ReservationOutcome]] = retry_transient,
    seconds_left: Callable[[], float] = lambda: math.inf,
    concurrently: Concurrently = map,
) -> dict[str, ReservationResult | RetryableError]:
    """Decide each order of a batch (in message order; an id given twice is decided once): the
    result by order id, or a RetryableError for the orders of a group that kept conflicting, or
    not reached before `seconds_left()` fell below TIME_MARGIN_SECONDS (nothing of them was
    written; their messages go back to the queue). The orders are screened, and a group's orders
    left short marked out of stock, through `concurrently` (a `map`; the handler gives a thread
    pool's), in message order for what follows."""
    now = isoformat(clock.now())
    results: dict[str, ReservationResult | RetryableError] = {}
    out_of_time = RetryableError("the invocation ran out of time before this order; retry")
    loaded = reservations.read_orders(list(dict.fromkeys(order_ids)))
    policy = _with_batch_limits(
        policy, [o for o in loaded.values() if o and o.status == OrderStatus.RECEIVED]
    )
    requests: list[ReservationRequest] = []
    if seconds_left() < TIME_MARGIN_SECONDS:
        results.update(dict.fromkeys(loaded, out_of_time))
        loaded = {}
    # each order's screening writes its own marker: independent writes, run side by side
    screened_all = list(
        concurrently(lambda order: _screen(order, orders, clock, now, policy), list(loaded.values()))
    )
    for order_id, screened in zip(loaded, screened_all, strict=True):
        if isinstance(screened, ReservationRequest):
            requests.append(screened)
        else:
            results[order_id] = screened
    groups, alone = plan_groups(requests, reservations.fits_one_transaction)
    by_id = {request.order.order_id: request for request in requests}
    for group in groups:
        if seconds_left() < TIME_MARGIN_SECONDS:
            results.update({request.order.order_id: out_of_time for request in group})
            continue
        try:
            outcomes = retry(lambda group=group: reserve_group(group, reservations))  # type: ignore[misc]
        except RetryableError as error:
            results.update({request.order.order_id: error for request in group})
            continue
        # marking the orders left short is one independent write each: side by side too
        decided = concurrently(
            lambda pair: _decide(by_id[pair[0]], pair[1], reservations, None, now), list(outcomes.items())
        )
        results.update(zip(outcomes, decided, strict=True))
    for request in alone:
        if seconds_left() < TIME_MARGIN_SECONDS:
            results[request.order.order_id] = out_of_time
            continue
        try:
            outcomes = retry(lambda request=request: _reserve_alone(request, reservations))  # type: ignore[misc]
        except RetryableError as error:
            results[request.order.order_id] = error
            continue
        outcome = outcomes[request.order.order_id]
        results[request.order.order_id] = _decide(request, outcome, reservations, orders, now)
    return {order_id: results[order_id] for order_id in dict.fromkeys(order_ids)}


def _with_batch_limits(policy: ScreeningPolicy | None, received: list[OrderRecord]) -> ScreeningPolicy | None:
    """The policy with the per-order limits of all the batch's SKUs read in one go."""
    if policy is None or not policy.rules.enforce_max_per_order:
        return policy
    skus = sorted({sku for order in received for sku in order.quantities_by_sku()})
    return replace(policy, limits=_KnownLimits(policy.limits.max_per_order(skus) if skus else {}))


def _screen(
    order: OrderRecord | None, orders: OrderRepository, clock: Clock, now: str, policy: ScreeningPolicy | None
) -> ReservationResult | ReservationRequest:
    if order is None:
        return ReservationResult.UNKNOWN_ORDER
    if order.status != OrderStatus.RECEIVED:
        return ReservationResult.ALREADY_DECIDED
    if policy is not None and (reasons := screen(order, policy)):
        held = TimelineEntry(
            status=OrderStatus.ON_HOLD, at=now, by=SCREENING_ACTOR, details={"reasons": reasons}
        )
        if orders.transition(order, held, {"hold_reasons": reasons}):
            return ReservationResult.ON_HOLD
        return ReservationResult.ALREADY_DECIDED
    order_updates: dict[str, Any] = {}
    target = OrderStatus.CONFIRMED
    if order.payment_status == "pending":
        target = OrderStatus.RESERVED
        minutes = policy.payment_hold_minutes if policy else DEFAULT_PAYMENT_HOLD_MINUTES
        order_updates = hold_index_values(hold_expiry(clock, minutes))
    return ReservationRequest(
        order=order,
        quantities=order.quantities_by_sku(),
        entry=TimelineEntry(status=target, at=now, by=RESERVATION_ACTOR),
        order_updates=order_updates,
    )


def _reserve_alone(
    request: ReservationRequest, reservations: StockReservations
) -> dict[str, ReservationOutcome]:
    """An order too large for one transaction: reserved in chunks (`StockReservations.reserve`)."""
    outcome = reservations.reserve(
        request.order, request.quantities, request.entry, order_updates=request.order_updates
    )
    if isinstance(outcome, ShortOfStock) and not outcome.short_items:
        # The transaction failed on stock, but a re-read finds enough: stock arrived meanwhile.
        raise RetryableError(f"stock changed while reserving order {request.order.order_id}; retry")
    return {request.order.order_id: outcome}


def _decide(
    request: ReservationRequest,
    outcome: ReservationOutcome,
    reservations: StockReservations,
    orders: OrderRepository | None,
    now: str,
) -> ReservationResult:
    """The result of an outcome; a short order is marked out of stock (re-read from `orders`
    when given: a chunked attempt advanced its version; a refused group wrote nothing to it)."""
    if isinstance(outcome, Reserved):
        if request.entry.status == OrderStatus.CONFIRMED:
            return ReservationResult.CONFIRMED
        return ReservationResult.RESERVED
    if isinstance(outcome, AlreadyDecided):
        return ReservationResult.ALREADY_DECIDED
    if isinstance(outcome, MarkedOutOfStock):
        return ReservationResult.OUT_OF_STOCK
    details = {"short_items": [item.model_dump() for item in outcome.short_items]}
    entry = TimelineEntry(status=OrderStatus.OUT_OF_STOCK, at=now, by=RESERVATION_ACTOR, details=details)
    current: OrderRecord | None = request.order if orders is None else orders.get(request.order.order_id)
    if current is not None and reservations.mark_out_of_stock(current, outcome.short_items, entry):
        return ReservationResult.OUT_OF_STOCK
    return ReservationResult.ALREADY_DECIDED
