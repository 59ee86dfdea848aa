"""Storefront routes for stock administration."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from inventory.models.api import SKU_PATTERN, SetStockRequest, StockLevel
from shared.clock import SystemClock, isoformat
from shared.errors import NotFound
from storefront_api.dependencies import stock_levels

router = APIGatewayHttpRouter()

Sku = Annotated[str, Path(pattern=SKU_PATTERN, description="Stock keeping unit.")]


@router.put("/v1/inventory/<sku>", summary="Set the units on hand of a SKU", tags=["Inventory"])
def set_stock(sku: Sku, body: SetStockRequest) -> StockLevel:
    return stock_levels().set_on_hand(sku, body.on_hand, isoformat(SystemClock().now()))


@router.get("/v1/inventory/<sku>", summary="Read the stock of a SKU", tags=["Inventory"])
def get_stock(sku: Sku) -> StockLevel:
    level = stock_levels().get(sku)
    if level is None:
        raise NotFound(f"No stock record for SKU {sku}.", details={"sku": sku})
    return level
