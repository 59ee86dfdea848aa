"""Delivery exceptions as work items (docs/exceptions.md).

The order-events dispatcher publishes `ShipmentExceptionRaised` on the stack's event bus when a
shipment runs into a new delivery problem (no new stream reader: the dispatcher is one of the
stream's two); a rule routes it to the opener's queue, and the opener stores one exception per
episode. The storefront function serves the queue and its actions; the customer-service overdue
schedule also alerts about exceptions past their due time (`service.handlers.flag_overdue_complaints`).
"""

from __future__ import annotations

import json

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from constructs import Construct

from infra.config import DeliveryExceptionSettings
from infra.constructs.domain_events import subscribe_to_domain_events
from infra.constructs.lambda_function import FunctionRuntime, ServiceFunction
from shared.domain_events import ShipmentExceptionRaised

OPENER_HANDLER = "delivery_exceptions.handlers.open_exceptions.handler"
RULES_VARIABLE = "DELIVERY_EXCEPTION_RULES"


class DeliveryExceptions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        settings: DeliveryExceptionSettings,
        orders_table: dynamodb.ITable,
        domain_events: events.IEventBus,
    ) -> None:
        super().__init__(scope, construct_id)
        rules = json.dumps(settings.rules, sort_keys=True, separators=(",", ":"))
        self.opener = ServiceFunction(
            self,
            "OpenDeliveryExceptions",
            runtime=runtime,
            name="OpenDeliveryExceptions",
            handler=OPENER_HANDLER,
            service_name="delivery-exceptions",
            description="Opens one delivery exception (work item) per shipment problem episode",
            settings=settings.opener.function,
            environment={"ORDERS_TABLE_NAME": orders_table.table_name, RULES_VARIABLE: rules},
        )
        self.opener.grant_table_read_write_data(orders_table)
        work = subscribe_to_domain_events(
            self,
            domain_events,
            self.opener,
            logical_id="DeliveryExceptionsQueue",
            detail_types=[ShipmentExceptionRaised],
            settings=settings.opener,
        )
        self.queue = work.queue
        self.dlq = work.dlq
