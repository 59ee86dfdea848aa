"""Settings and adapters of the customer-service functions, built once per container on first use."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from service.domain.rules import ServiceRules
from shared.aws_clients import aws_client
from shared.clock import Clock, SystemClock
from shared.settings import FunctionSettings

if TYPE_CHECKING:
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from service.adapters.dynamo_service import DynamoServiceStore
    from service.adapters.dynamo_time_zones import DynamoTimeZonePreferences
    from service.adapters.sqs_events import SqsCustomerEvents


class FeedbackPageSettings(FunctionSettings):
    orders_table_name: str
    link_signing_secret_arn: str
    customer_service_rules: str = "{}"
    notification_queue_url: str = ""  # a case opened by feedback tells the customer


class OverdueComplaintsSettings(FunctionSettings):
    orders_table_name: str
    operations_alerts_topic_arn: str


def parse_rules(raw: str) -> ServiceRules:
    return ServiceRules.model_validate_json(raw or "{}")


@cache
def page_settings() -> FeedbackPageSettings:
    return FeedbackPageSettings()  # type: ignore[call-arg]


@cache
def page_rules() -> ServiceRules:
    return parse_rules(page_settings().customer_service_rules)


@cache
def page_orders() -> DynamoOrderRepository:
    from orders.adapters.dynamo_orders import DynamoOrderRepository

    return DynamoOrderRepository(page_settings().orders_table_name, aws_client("dynamodb"))


@cache
def page_store() -> DynamoServiceStore:
    from service.adapters.dynamo_service import DynamoServiceStore

    return DynamoServiceStore(page_settings().orders_table_name, aws_client("dynamodb"))


@cache
def page_time_zones() -> DynamoTimeZonePreferences:
    """The customers' preferred zones (their notification preferences), for times on the page."""
    from service.adapters.dynamo_time_zones import DynamoTimeZonePreferences

    return DynamoTimeZonePreferences(page_settings().orders_table_name, aws_client("dynamodb"))


@cache
def page_events() -> SqsCustomerEvents | None:
    """Events for the notification worker (a case opened from the survey), or None without a queue."""
    from service.adapters.sqs_events import SqsCustomerEvents

    url = page_settings().notification_queue_url
    return SqsCustomerEvents(url, aws_client("sqs")) if url else None


def page_link_keys() -> tuple[str, ...]:
    from shared.link_keys import link_keys

    return link_keys(page_settings().link_signing_secret_arn).accepted


def clock() -> Clock:
    """The time source of the feedback page and the complaint watch: frozen in tests."""
    return SystemClock()
