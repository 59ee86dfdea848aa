"""Storefront routes for stock administration."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from inventory.domain.errors import UnknownSku
from inventory.domain.manage_stock import adjust_stock, set_stock
from inventory.models.api import (
    SKU_PATTERN,
    AdjustmentResult,
    AdjustStockRequest,
    SetStockRequest,
    StockHistoryPage,
    StockLevel,
)
from shared.observability import logger
from storefront_api import dependencies
from storefront_api.dependencies import stock_levels
from storefront_api.params import idempotency_key

router = APIGatewayHttpRouter()
AdjustmentKey = idempotency_key("A retried adjustment with the same key applies once.")

Sku = Annotated[str, Path(pattern=SKU_PATTERN, description="Stock keeping unit.")]


@router.put("/v1/inventory/<sku>", summary="Set the units on hand of a SKU", tags=["Inventory"])
def set_stock_level(sku: Sku, body: SetStockRequest) -> StockLevel:
    return set_stock(sku, body, stock_levels(), dependencies.clock())


@router.get("/v1/inventory/<sku>", summary="Read the stock of a SKU", tags=["Inventory"])
def get_stock(sku: Sku) -> StockLevel:
    level = stock_levels().get(sku)
    if level is None:
        raise UnknownSku(sku)
    return level


@router.post(
    "/v1/inventory/<sku>/adjustments",
    summary="Adjust the units on hand by a signed delta, with a reason",
    tags=["Inventory"],
)
def adjust_stock_level(
    sku: Sku,
    body: AdjustStockRequest,
    idempotency_key: AdjustmentKey,
) -> Response[AdjustmentResult]:
    result = adjust_stock(sku, body, idempotency_key, stock_levels(), dependencies.clock())
    logger.info(
        "stock adjusted", sku=sku, delta=body.delta, reason=body.reason.value, replayed=result.replayed
    )
    return Response(
        status_code=200,
        content_type="application/json",
        body=result,
        headers={"Idempotent-Replayed": str(result.replayed).lower()},
    )


@router.get(
    "/v1/inventory/<sku>/history", summary="The audit trail of a SKU, newest first", tags=["Inventory"]
)
def stock_history(
    sku: Sku,
    limit: Annotated[int, Query(ge=1, le=100, description="Entries per page.")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="`next_cursor` of the previous page.")
    ] = None,
) -> StockHistoryPage:
    return stock_levels().history(sku, limit, cursor)
