"""Reservation queue -> all-or-nothing stock reservation for each received order."""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, Json

from inventory import dependencies as wiring
from inventory.adapters.dynamo_stock import DynamoStock
from inventory.domain.reserve_stock import ReservationResult, reserve_order_stock
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.hold_rules import HoldRules, ScreeningPolicy
from shared.aws_clients import aws_client
from shared.events import OrderEvent
from shared.observability import logger, metrics
from shared.settings import FunctionSettings
from shared.sqs_records import SqsRecord


class ReserveStockSettings(FunctionSettings):
    orders_table_name: str
    payment_hold_minutes: int = 30
    hold_rules: Json[HoldRules] = Field(default_factory=HoldRules)  # built on first use


class ReservationMessage(SqsRecord):
    body: Json[OrderEvent]  # type: ignore[assignment]


@cache
def dependencies() -> tuple[DynamoOrderRepository, DynamoStock, ScreeningPolicy]:
    settings = ReserveStockSettings()  # type: ignore[call-arg]
    client = aws_client("dynamodb")
    orders = DynamoOrderRepository(settings.orders_table_name, client)
    stock = DynamoStock(settings.orders_table_name, client)
    policy = ScreeningPolicy(
        rules=settings.hold_rules,
        limits=stock,
        recent=orders,
        payment_hold_minutes=settings.payment_hold_minutes,
    )
    return orders, stock, policy


processor = BatchProcessor(event_type=EventType.SQS, model=ReservationMessage)


def reserve_for_message(record: ReservationMessage) -> ReservationResult:
    orders, stock, policy = dependencies()
    logger.append_keys(order_id=record.body.order_id)
    result = reserve_order_stock(record.body.order_id, orders, stock, wiring.clock(), policy)
    logger.info("reservation decided", result=result.value, event_id=record.body.event_id)
    metrics.add_metric(name=f"Reservation_{result.value}", unit=MetricUnit.Count, value=1)
    return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=reserve_for_message, processor=processor, context=context
    )
