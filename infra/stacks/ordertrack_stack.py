"""The Ordertrack stack: composes one construct per capability, tags them and runs cdk-nag."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Aspects, Stack, Tags
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from infra.config import STACK_NAME, QueueConsumerSettings, StageConfig
from infra.constructs.carrier_tracking import CarrierTracking
from infra.constructs.contact_lookups import ContactLookups
from infra.constructs.customer_links import CustomerLinks
from infra.constructs.customer_notifications import CustomerNotifications
from infra.constructs.customer_service import CustomerService
from infra.constructs.data import Data
from infra.constructs.delivery_exceptions import DeliveryExceptions
from infra.constructs.domain_events import DomainEvents
from infra.constructs.lambda_function import FunctionRuntime
from infra.constructs.operations_console import OperationsConsole
from infra.constructs.order_events import OrderEvents
from infra.constructs.order_holds import OrderHolds
from infra.constructs.service_kpis import (
    ServiceKpis,
    service_functions_in,
    work_queue_dead_letter_queues_in,
)
from infra.constructs.stock_alerts import StockAlerts
from infra.constructs.stock_reservation import StockReservation
from infra.constructs.storefront_api import StorefrontApi
from infra.constructs.tracking_page import TrackingPage

__all__ = ["STACK_NAME", "OrdertrackStack"]


class OrdertrackStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"ordertrack order tracking and customer notifications ({config.stage})",
            **kwargs,
        )
        self.config = config
        runtime = FunctionRuntime(self, "Functions", config=config)
        self.data = Data(self, "Data", search_index_projection=config.search_index_projection)
        self.domain_events = DomainEvents(self, "DomainEvents", stage=config.stage)
        self.customer_links = CustomerLinks(self, "CustomerLinks")
        self.stock_reservation = StockReservation(
            self,
            "StockReservation",
            runtime=runtime,
            settings=config.stock_reservation,
            orders_table=self.data.orders_table,
        )
        self.customer_notifications = CustomerNotifications(
            self,
            "CustomerNotifications",
            runtime=runtime,
            config=config,
            orders_table=self.data.orders_table,
            idempotency_table=self.data.idempotency_table,
            customer_links=self.customer_links,
        )
        self.stock_alerts = StockAlerts(
            self,
            "StockAlerts",
            runtime=runtime,
            settings=QueueConsumerSettings(),
            orders_table=self.data.orders_table,
            operations_alerts=self.customer_notifications.operations_alerts,
            domain_events=self.domain_events.bus,
        )
        self.order_events = OrderEvents(
            self,
            "OrderEvents",
            runtime=runtime,
            settings=config.order_events,
            orders_table=self.data.orders_table,
            reservation_queue=self.stock_reservation.queue,
            notification_queue=self.customer_notifications.queue,
            domain_events=self.domain_events,
        )
        self.order_holds = OrderHolds(
            self,
            "OrderHolds",
            runtime=runtime,
            settings=config.order_lifecycle,
            orders_table=self.data.orders_table,
        )
        lifecycle = config.order_lifecycle
        self.stock_reservation.worker.function.add_environment(
            "PAYMENT_HOLD_MINUTES", str(lifecycle.payment_hold_minutes)
        )
        self.stock_reservation.worker.function.add_environment("HOLD_RULES", json.dumps(lifecycle.hold_rules))
        self.storefront_api = StorefrontApi(
            self, "StorefrontApi", runtime=runtime, config=config, orders_table=self.data.orders_table
        )
        # order edits run the hold rules again (docs/reshipments.md)
        self.storefront_api.handler.function.add_environment("HOLD_RULES", json.dumps(lifecycle.hold_rules))
        self.customer_notifications.link_tracking_page(
            config.tracking_base_url or self.storefront_api.http_api.api_endpoint
        )
        self.carrier_tracking = CarrierTracking(
            self,
            "CarrierTracking",
            runtime=runtime,
            config=config,
            orders_table=self.data.orders_table,
            http_api=self.storefront_api.http_api,
            operations_alerts=self.customer_notifications.operations_alerts,
            domain_events=self.domain_events.bus,
        )
        # carriers' retries and storefront bursts each have their own throttle
        self.storefront_api.limit_routes(
            self.carrier_tracking.webhook_routes,
            rate_limit=config.api.webhook_throttling_rate_limit,
            burst_limit=config.api.webhook_throttling_burst_limit,
        )
        self.tracking_page = TrackingPage(
            self,
            "TrackingPage",
            runtime=runtime,
            config=config,
            orders_table=self.data.orders_table,
            http_api=self.storefront_api.http_api,
            customer_links=self.customer_links,
            notification_queue=self.customer_notifications.queue,
        )
        self.operations_console = OperationsConsole(
            self,
            "OperationsConsole",
            runtime=runtime,
            config=config,
            orders_table=self.data.orders_table,
            http_api=self.storefront_api.http_api,
            customer_links=self.customer_links,
            notification_queue=self.customer_notifications.queue,
            service_rules=json.dumps(config.customer_service.rules, sort_keys=True, separators=(",", ":")),
            hold_rules=json.dumps(lifecycle.hold_rules),
        )
        self.customer_service = CustomerService(
            self,
            "CustomerService",
            runtime=runtime,
            settings=config.customer_service,
            orders_table=self.data.orders_table,
            http_api=self.storefront_api.http_api,
            storefront=self.storefront_api.handler,
            notification_queue=self.customer_notifications.queue,
            operations_alerts=self.customer_notifications.operations_alerts,
            brand=config.effective_brand,
        )
        dispatcher = self.order_events.dispatcher.function
        service = config.customer_service
        dispatcher.add_environment("FEEDBACK_DELAY_SECONDS", str(int(service.feedback_delay_hours * 3600)))
        dispatcher.add_environment("FEEDBACK_LINK_DAYS", str(service.feedback_link_days))
        # locally the survey can be tried in seconds: ORDERTRACK_FEEDBACK_DELAY_SECONDS
        self.order_events.dispatcher.add_local_override(
            "FEEDBACK_DELAY_SECONDS", "ORDERTRACK_FEEDBACK_DELAY_SECONDS"
        )
        for function in (
            dispatcher,
            self.customer_service.page.function,
            self.storefront_api.handler.function,
        ):
            self.customer_links.grant_to(function, function)
        storefront = self.storefront_api.handler.function
        self.contact_lookups = ContactLookups(self, "ContactLookups")
        self.contact_lookups.grant_to(storefront, storefront)
        console = self.operations_console.function
        self.contact_lookups.grant_to(console, console)  # search by phone and email
        self.delivery_exceptions = DeliveryExceptions(
            self,
            "DeliveryExceptions",
            runtime=runtime,
            settings=config.delivery_exceptions,
            orders_table=self.data.orders_table,
            domain_events=self.domain_events.bus,
        )
        # last: the dashboard and alarms cover every function and dead-letter queue composed above
        self.service_kpis = ServiceKpis(
            self,
            "ServiceKpis",
            runtime=runtime,
            settings=config.kpi_aggregates,
            orders_table=self.data.orders_table,
            operations_alerts=self.customer_notifications.operations_alerts,
            functions=service_functions_in(self),
            dead_letter_queues=[
                *work_queue_dead_letter_queues_in(self),
                self.order_events.dlq,
            ],
        )

        Tags.of(self).add("project", "ordertrack")
        Tags.of(self).add("stage", config.stage)
        Aspects.of(self).add(AwsSolutionsChecks(verbose=True))
