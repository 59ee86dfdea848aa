"""The Exceptions and Returns pages' ports, built from the capabilities' own DynamoDB and SQS
adapters exactly as `storefront_api.dependencies` builds them (the return store and desk, the
exception store, the customer events, the Replacements port over the reshipments capability)."""

from __future__ import annotations

from typing import Any

from console.returns_ports import AfterSales
from orders.adapters.replacements import OrderReplacements
from service.domain.rules import ServiceRules
from shared.clock import Clock


def after_sales(
    table: str, dynamodb: Any, sqs: Any, queue_url: str, rules: ServiceRules, clock: Clock
) -> AfterSales:
    from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore
    from service.adapters.dynamo_returns import DynamoReturnDesk
    from service.adapters.dynamo_service import DynamoServiceStore
    from service.adapters.sqs_events import SqsCustomerEvents

    events = SqsCustomerEvents(queue_url, sqs)

    def replacements() -> OrderReplacements:
        return OrderReplacements(reshipment_ports(table, dynamodb, events, clock))

    return AfterSales(
        returns=DynamoServiceStore(table, dynamodb),
        desk=DynamoReturnDesk(table, dynamodb),
        exceptions=DynamoExceptionStore(table, dynamodb),
        events=events,
        replacements=replacements,
        rules=rules,
    )


def reshipment_ports(table: str, dynamodb: Any, events: Any, clock: Clock) -> Any:
    """The reshipments capability's ports, as `storefront_api.dependencies.reshipment_ports`."""
    from inventory.adapters.dynamo_reservation_changes import DynamoReservationChanges
    from inventory.adapters.dynamo_stock import DynamoStock
    from orders.adapters.dynamo_cases import DynamoOrderCases
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from orders.adapters.dynamo_shipments import DynamoShipments
    from orders.domain.reshipments import ReshipmentPorts

    return ReshipmentPorts(
        orders=DynamoOrderRepository(table, dynamodb),
        cases=DynamoOrderCases(table, dynamodb),
        ledger=DynamoReservationChanges(table, dynamodb),
        stock=DynamoStock(table, dynamodb),
        shipments=DynamoShipments(table),
        events=events,
        clock=clock,
    )
