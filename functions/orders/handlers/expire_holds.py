"""Scheduled: release the stock of unpaid orders whose payment hold has run out."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from inventory.adapters.dynamo_stock import DynamoStock
from orders import dependencies as wiring
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.manage_orders import expire_due_holds
from shared.aws_clients import aws_client
from shared.observability import logger, metrics
from shared.settings import FunctionSettings


class ExpireHoldsSettings(FunctionSettings):
    orders_table_name: str


@cache
def dependencies() -> tuple[DynamoOrderRepository, DynamoStock]:
    settings = ExpireHoldsSettings()  # type: ignore[call-arg]
    client = aws_client("dynamodb")
    return DynamoOrderRepository(settings.orders_table_name, client), DynamoStock(
        settings.orders_table_name, client
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    orders, stock = dependencies()
    expired = expire_due_holds(
        orders, stock, wiring.clock(), deadline_ms=context.get_remaining_time_in_millis
    )
    metrics.add_metric(name="HoldsExpired", unit=MetricUnit.Count, value=expired)
    logger.info("payment holds swept", expired=expired)
    return {"expired": expired}
