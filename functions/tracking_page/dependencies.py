"""The one wiring module of the tracking-page function: settings, adapters and the clock, each
built on first use and cached for the container, never at import time; `reset()` for tests."""

from __future__ import annotations

from functools import cache

from shared.clock import Clock, DeferredClock, SystemClock
from tracking_page.page import PageServices
from tracking_page.settings import TrackingPageSettings


@cache
def settings() -> TrackingPageSettings:
    return TrackingPageSettings()  # type: ignore[call-arg]


def accepted_keys() -> tuple[str, ...]:
    from shared.link_keys import link_keys

    return link_keys(settings().link_signing_secret_arn).accepted


@cache
def page_services() -> PageServices:
    from notifications.adapters.dynamo_preferences import DynamoPreferenceStore
    from service.adapters.dynamo_service import DynamoServiceStore
    from service.adapters.sqs_events import SqsCustomerEvents
    from service.domain.rules import ServiceRules
    from shared.aws_clients import aws_client
    from tracking_page.dynamo_read_model import DynamoTrackingReadModel
    from tracking_page.self_service import SelfServicePorts

    config = settings()
    dynamodb = aws_client("dynamodb")
    table = config.orders_table_name
    ports = None
    if config.notification_queue_url:
        store = DynamoServiceStore(table, dynamodb)
        ports = SelfServicePorts(
            preferences=DynamoPreferenceStore(table, dynamodb),
            complaints=store,
            returns=store,
            events=SqsCustomerEvents(config.notification_queue_url, aws_client("sqs")),
            rules=ServiceRules.model_validate_json(config.customer_service_rules or "{}"),
        )
    return PageServices(
        accepted_keys=accepted_keys,
        orders=DynamoTrackingReadModel(table, dynamodb),
        self_service=ports,
        clock=DeferredClock(lambda: clock()),
    )


def clock() -> Clock:
    """The pages' time source: frozen in tests."""
    return SystemClock()


def reset() -> None:
    for cached in (settings, page_services):
        cached.cache_clear()
