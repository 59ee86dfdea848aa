"""The one wiring module of the operations console function: settings, adapters and the clock,
each built on first use and cached for the container, never at import time; `reset()` for tests."""

from __future__ import annotations

from functools import cache

from console.ports import ConsoleServices
from console.settings import ConsoleSettings
from shared.clock import Clock, DeferredClock, SystemClock

JWKS_CACHE_SECONDS = 3600


@cache
def settings() -> ConsoleSettings:
    return ConsoleSettings()  # type: ignore[call-arg]


def form_keys() -> tuple[str, ...]:
    from shared.link_keys import link_keys

    return link_keys(settings().link_signing_secret_arn).accepted


@cache
def console_services() -> ConsoleServices:
    from jwt import PyJWKClient

    from console.adapters.today import DynamoWorkQueues
    from console.cognito_sign_in import CognitoSignIn
    from console.sessions import TokenVerifier, issuer_for, jwks_url_for
    from notifications.adapters.dynamo_notification_log import DynamoNotificationLog
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from service.adapters.dynamo_service import DynamoServiceStore
    from shared.alert_log import DynamoAlertLog
    from shared.aws_clients import aws_client
    from stats.adapters.dynamo_aggregates import DynamoAggregates

    config = settings()
    dynamodb = aws_client("dynamodb")
    table = config.orders_table_name
    deferred = DeferredClock(lambda: clock())
    pool = config.console_user_pool_id
    keys = PyJWKClient(
        jwks_url_for(config.aws_region, pool, config.aws_endpoint_url or None),
        cache_keys=True,
        lifespan=JWKS_CACHE_SECONDS,
        timeout=5,
    )
    return ConsoleServices(
        verifier=TokenVerifier(keys, issuer_for(config.aws_region, pool), config.console_client_id, deferred),
        authenticator=CognitoSignIn(config.console_client_id, aws_client("cognito-idp")),
        orders=DynamoOrderRepository(table, dynamodb),
        aggregates=DynamoAggregates(table, dynamodb, deferred.now),
        alerts=DynamoAlertLog(table, dynamodb, deferred.now),
        form_keys=form_keys,
        clock=deferred,
        notifications=DynamoNotificationLog(table, dynamodb),
        returns=DynamoServiceStore(table, dynamodb),
        queues=DynamoWorkQueues(table, dynamodb),
    )


def clock() -> Clock:
    """The console's time source: frozen in tests."""
    return SystemClock()


def reset() -> None:
    for cached in (settings, console_services):
        cached.cache_clear()
