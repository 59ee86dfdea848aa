"""The stock page (docs/console.md):

    GET  /console/stock                 low-stock products with their days of cover; `?sku=` one SKU
    POST /console/stock/{sku}/adjust    managers only: a signed delta with a reason (and a note)

Low stock: the SKUs the inventory capability alerted about (`console.adapters.orders.AlertedLowStock`),
read back by key and kept while `available` is still below the threshold; days of cover are
`inventory.domain.low_stock.days_of_stock` over the last 7 days' reservations. The adjustment is
`inventory.domain.manage_stock.adjust_stock` with the operator as the audit record's `by` and the
form's CSRF nonce as its Idempotency-Key; below the units reserved it is a 409 page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from pydantic import ValidationError

from console.pages import Page, message_page, page
from console.sessions import AGENT, MANAGER
from console.views import Request, Route
from console.views.orders import done_notice, invalid, refused
from console.views.orders_words import WORDS
from inventory.domain.low_stock import RATE_WINDOW_DAYS, days_of_stock
from inventory.domain.manage_stock import adjust_stock
from inventory.models.api import SKU_PATTERN, AdjustmentReason, AdjustStockRequest, StockLevel
from shared.clock import isoformat
from shared.errors import DomainError, ValidationFailed
from shared.observability import logger

LOW_STOCK_ROWS = 50
SKU = re.compile(SKU_PATTERN)


@dataclass(frozen=True)
class StockRow:
    level: StockLevel
    reserved_last_7_days: int
    days_of_cover: float | None


def low_stock_rows(request: Request) -> list[StockRow]:
    desk, clock = request.services.desk, request.services.clock
    skus = desk.low_stock.alerted_skus(LOW_STOCK_ROWS)
    levels = desk.stock.levels(skus) if skus else {}
    since = isoformat(clock.now() - timedelta(days=RATE_WINDOW_DAYS))
    rows = []
    for sku in skus:
        level = levels.get(sku)
        if level is None or level.available >= level.low_stock_threshold:
            continue  # back at or above its threshold (or no longer has one) since the alert
        reserved = desk.low_stock.reserved_units_since(sku, since)
        rows.append(StockRow(level, reserved, days_of_stock(level.available, reserved)))
    rows.sort(key=lambda row: (row.days_of_cover is None, row.days_of_cover or 0.0, row.level.available))
    return rows


def stock_page(request: Request) -> Page:
    if len(request.parts) != 1:
        return message_page(404, request.operator, request.locale, request.services, "not_found_page")
    wanted = (request.query.get("sku") or "").strip()
    looked_up = request.services.desk.stock.get(wanted) if SKU.match(wanted) else None
    return page(
        "stock.html",
        200,
        request.operator,
        request.locale,
        request.services,
        "/console/stock",
        "stock_title",
        words=WORDS,
        notice=done_notice(request),
        rows=low_stock_rows(request),
        wanted=wanted,
        looked_up=looked_up,
        reasons=[reason.value for reason in AdjustmentReason],
        may_adjust=request.operator.is_manager,
    )


def _adjustment(request: Request) -> AdjustStockRequest:
    try:
        delta = int(request.field("delta", 12))
    except ValueError:
        raise ValidationFailed(
            "The change in units must be a whole number.",
            details=[{"field": "delta", "issue": "not a number"}],
        ) from None
    try:
        return AdjustStockRequest.model_validate(
            {
                "delta": delta,
                "reason": request.field("reason", 40),
                "note": request.field("note", 500) or None,
            }
        )
    except ValidationError as error:
        raise invalid(error) from None


def adjust(request: Request) -> Page:
    sku = request.segment(1)
    if len(request.parts) != 3 or request.segment(2) != "adjust" or not SKU.match(sku):
        return message_page(404, request.operator, request.locale, request.services, "not_found_page")
    services = request.services
    try:
        body = _adjustment(request)
        result = adjust_stock(
            sku,
            body,
            request.field("nonce"),
            services.desk.stock,
            services.clock,
            by=request.operator.username,
        )
    except DomainError as error:
        logger.info("console stock adjustment refused", extra={"sku": sku, "code": error.code})
        return refused(request, error, "/console/stock", "back_to_stock")
    logger.info(
        "console stock adjusted",
        extra={"sku": sku, "delta": body.delta, "reason": body.reason.value, "replayed": result.replayed},
    )
    return Page(
        303, "", request.locale, location=f"/console/stock?lang={request.locale}&sku={sku}&done=adjusted"
    )


ROUTES = (
    Route("GET", "stock", (AGENT,), stock_page),
    Route("POST", "stock", (MANAGER,), adjust),
)
