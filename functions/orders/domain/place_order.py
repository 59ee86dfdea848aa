"""Order intake: one conditional write per accepted order.

The order id is derived from the client's Idempotency-Key, so the order item itself is the
idempotency record: a retry with the same key finds the stored order (same body: the original
response is returned; different body: refused) and a new key writes exactly one item.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from orders.domain.order_lookups import ContactHasher, order_lookups
from orders.domain.ports import OrderAlreadyExists, OrderRepository
from orders.models.api import CreateOrderRequest, TimelineEntry
from orders.models.order import OrderRecord, OrderStatus
from shared.clock import Clock, isoformat
from shared.errors import IdempotencyKeyReused, InvalidRequest
from shared.iso_codes import CURRENCY_MINOR_UNITS
from shared.order_numbers import short_order_code

_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True)
class PlacedOrder:
    order: OrderRecord
    replayed: bool


def order_id_for(idempotency_key: str) -> str:
    digest = hashlib.sha256(b"ordertrack/order/" + idempotency_key.encode()).digest()
    return "ord_" + base64.b32encode(digest[:15]).decode().lower()


def request_fingerprint(request: CreateOrderRequest) -> str:
    # a field added since is left out while unset: a retry of an order placed before hashes the same
    unset = {"promised_delivery"} if request.promised_delivery is None else None
    canonical = json.dumps(
        request.model_dump(mode="json", exclude=unset), sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def order_total(request: CreateOrderRequest) -> str:
    total = sum((Decimal(line.unit_price) * line.quantity for line in request.items), Decimal(0))
    exponent = Decimal(1).scaleb(-CURRENCY_MINOR_UNITS[request.currency])
    return str(total.quantize(exponent))


def place_order(
    request: CreateOrderRequest,
    idempotency_key: str | None,
    orders: OrderRepository,
    clock: Clock,
    hasher: ContactHasher | None = None,
) -> PlacedOrder:
    """Store the order with its lookups (`orders.domain.order_lookups`: the storefront's order
    number always, phone and email when a `hasher` is given) in one write."""
    if not idempotency_key or not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise InvalidRequest(
            "An Idempotency-Key header (1-255 visible ASCII characters) is required.",
            details=[{"field": "header.idempotency-key", "issue": "missing or malformed"}],
        )
    fingerprint = request_fingerprint(request)
    now = isoformat(clock.now())
    order_id = order_id_for(idempotency_key)
    order = OrderRecord(
        order_id=order_id,
        order_number=request.order_number or short_order_code(order_id),
        status=OrderStatus.RECEIVED,
        customer=request.customer,
        shipping_address=request.shipping_address,
        items=request.items,
        currency=request.currency,
        payment_status=request.payment_status,
        total=order_total(request),
        created_at=now,
        updated_at=now,
        version=1,
        request_hash=fingerprint,
        timeline=[TimelineEntry(status=OrderStatus.RECEIVED, at=now, by="storefront")],
        promised_delivery=request.promised_delivery,
    )
    lookups = order_lookups(order, hasher)
    try:
        if lookups:
            orders.create(order, lookups)
        else:
            orders.create(order)
    except OrderAlreadyExists as duplicate:
        if duplicate.existing.request_hash != fingerprint:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used with a different request body.",
                details={"order_id": duplicate.existing.order_id},
            ) from None
        return PlacedOrder(order=duplicate.existing, replayed=True)
    return PlacedOrder(order=order, replayed=False)
