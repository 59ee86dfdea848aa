"""Reservation queue -> all-or-nothing stock reservation for the orders of a batch, group-committed:
the orders of one batch that reserve the same SKU do so in one transaction (see
`inventory.domain.group_reservation`). Conflicts are retried in process; records still failing
are handed back to the queue with a visibility of seconds (`ShortRetryBatchProcessor`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field, Json, ValidationError

from inventory import dependencies as wiring
from inventory.adapters.dynamo_stock import DynamoStock
from inventory.domain.reserve_stock import ReservationResult, reserve_orders
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.hold_rules import HoldRules, ScreeningPolicy
from shared.aws_clients import aws_client
from shared.errors import RetryableError
from shared.events import OrderEvent
from shared.observability import logger, metrics
from shared.partial_batches import process_partial_batch
from shared.settings import FunctionSettings
from shared.short_retries import ShortRetryBatchProcessor, SqsVisibility
from shared.sqs_records import SqsRecord


class ReserveStockSettings(FunctionSettings):
    orders_table_name: str
    reservation_queue_url: str
    payment_hold_minutes: int = 30
    hold_rules: Json[HoldRules] = Field(default_factory=HoldRules)  # built on first use


class ReservationMessage(SqsRecord):
    body: Json[OrderEvent]  # type: ignore[assignment]


@dataclass(frozen=True)
class Dependencies:
    orders: DynamoOrderRepository
    stock: DynamoStock
    policy: ScreeningPolicy
    queue: SqsVisibility


SCREENING_THREADS = 8
"""Orders of a batch screened, and those left short marked out of stock, side by side: each is a
conditional write of its own (the duplicate-order marker; the order's move), so a batch of 50 waits
for about 7 round trips instead of 50."""


@cache
def screening_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=SCREENING_THREADS, thread_name_prefix="screening")


@cache
def dependencies() -> Dependencies:
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
    return Dependencies(
        orders, stock, policy, SqsVisibility(settings.reservation_queue_url, aws_client("sqs"))
    )


processor = ShortRetryBatchProcessor(
    event_type=EventType.SQS,
    model=ReservationMessage,
    queue=lambda: dependencies().queue,
    # A batch whose records all failed is still answered with batchItemFailures: its records were
    # handed back with their own (short) visibility, which an invocation error would not change.
    raise_on_entire_batch_failure=False,
)


class BatchDecisions:
    """The decisions of a whole batch, taken together before the processor walks its records: the
    record handler reports each record's decision (a malformed record fails in the processor's
    own validation, as before)."""

    def __init__(self, event: dict[str, Any], context: LambdaContext) -> None:
        messages = []
        for record in event.get("Records", []):
            try:
                messages.append(ReservationMessage.model_validate(record))
            except ValidationError:
                continue
        deps = dependencies()
        self.results = reserve_orders(
            [message.body.order_id for message in messages],
            deps.orders,
            deps.stock,
            wiring.clock(),
            deps.policy,
            concurrently=screening_pool().map,
        )

    def record_handler(self, record: ReservationMessage) -> ReservationResult:
        result = self.results[record.body.order_id]
        logger.append_keys(order_id=record.body.order_id)
        if isinstance(result, RetryableError):
            metrics.add_metric(name="Reservation_retried", unit=MetricUnit.Count, value=1)
            raise result
        logger.info("reservation decided", result=result.value, event_id=record.body.event_id)
        metrics.add_metric(name=f"Reservation_{result.value}", unit=MetricUnit.Count, value=1)
        return result


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_batch(
        event=event,
        record_handler=BatchDecisions(event, context).record_handler,
        processor=processor,
        context=context,
    )
