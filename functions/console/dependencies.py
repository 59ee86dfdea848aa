"""The one wiring module of the operations console function: settings, adapters and the clock,
each built on first use and cached for the container, never at import time; `reset()` for tests."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from console.cases_ports import CaseDesk
from console.ports import ConsoleServices
from console.settings import ConsoleSettings
from console.sign_in_ports import SessionServices
from shared.clock import Clock, DeferredClock, SystemClock

if TYPE_CHECKING:
    from console.orders_ports import OrderDesk

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

    from console.adapters.returns import after_sales
    from console.adapters.signin import DynamoRevokedSessions
    from console.adapters.today import DynamoWorkQueues
    from console.cognito_sign_in import CognitoAccount, CognitoSignIn
    from console.sessions import TokenVerifier, issuer_for, jwks_url_for
    from notifications.adapters.dynamo_notification_log import DynamoNotificationLog
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from service.adapters.dynamo_service import DynamoServiceStore
    from service.dependencies import parse_rules
    from shared.alert_log import DynamoAlertLog
    from shared.aws_clients import aws_client
    from stats.adapters.dynamo_aggregates import DynamoAggregates

    config = settings()
    dynamodb = aws_client("dynamodb")
    table = config.orders_table_name
    deferred = DeferredClock(lambda: clock())
    pool = config.console_user_pool_id
    cognito = aws_client("cognito-idp")
    keys = PyJWKClient(
        jwks_url_for(config.aws_region, pool, config.aws_endpoint_url or None),
        cache_keys=True,
        lifespan=JWKS_CACHE_SECONDS,
        timeout=5,
    )
    return ConsoleServices(
        verifier=TokenVerifier(keys, issuer_for(config.aws_region, pool), config.console_client_id, deferred),
        authenticator=CognitoSignIn(config.console_client_id, cognito),
        orders=DynamoOrderRepository(table, dynamodb),
        aggregates=DynamoAggregates(table, dynamodb, deferred.now),
        alerts=DynamoAlertLog(table, dynamodb, deferred.now),
        form_keys=form_keys,
        clock=deferred,
        notifications=DynamoNotificationLog(table, dynamodb),
        returns=DynamoServiceStore(table, dynamodb),
        after_sales=after_sales(
            table,
            dynamodb,
            aws_client("sqs"),
            config.notification_queue_url,
            parse_rules(config.customer_service_rules),
            deferred,
        ),
        cases=case_desk(deferred),
        sessions=SessionServices(
            account=CognitoAccount(config.console_client_id, cognito),
            revoked=DynamoRevokedSessions(table, dynamodb),
        ),
        desk=order_desk(table, dynamodb, deferred),
        queues=DynamoWorkQueues(table, dynamodb),
    )


def case_desk(clock: Clock) -> CaseDesk:
    """The Cases pages' desk: the service store, customer events on the notification queue, the
    service rules and "was this resolved?" links signed with the link-signing key (as the
    storefront's case routes wire them)."""
    from console.adapters.cases import ServiceCaseDesk, signed_answer_links
    from service.adapters.dynamo_service import DynamoServiceStore
    from service.adapters.sqs_events import SqsCustomerEvents
    from service.dependencies import parse_rules
    from shared.aws_clients import aws_client
    from shared.link_keys import link_keys

    config = settings()
    rules = parse_rules(config.customer_service_rules)
    return ServiceCaseDesk(
        store=DynamoServiceStore(config.orders_table_name, aws_client("dynamodb")),
        events=SqsCustomerEvents(config.notification_queue_url, aws_client("sqs")),
        rules=rules,
        clock=clock,
        answer_links=signed_answer_links(
            lambda: link_keys(config.link_signing_secret_arn).current, rules.case_answer_days
        ),
    )


def order_desk(table: str, dynamodb: Any, deferred: DeferredClock) -> OrderDesk:
    """The order actions', customer page's, search's and stock page's ports, wired as the
    storefront's (`storefront_api.dependencies`): the same adapters over the same table."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from console.adapters.orders import AlertedLowStock
    from console.adapters.returns import reshipment_ports as returns_reshipment_ports
    from console.orders_ports import OrderDesk
    from customers.adapters.dynamo_customer_data import DynamoCustomerData
    from inventory.adapters.dynamo_low_stock import DynamoLowStockFlags
    from inventory.adapters.dynamo_reservation_changes import DynamoReservationChanges
    from inventory.adapters.dynamo_stock import DynamoStock
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from orders.adapters.order_lookups import SecretContactHasher
    from orders.domain.edit_order import EditPorts
    from orders.domain.hold_rules import HoldRules, ScreeningPolicy
    from orders.domain.reshipments import ReshipmentPorts
    from service.adapters.dynamo_service import DynamoServiceStore
    from service.adapters.sqs_events import SqsCustomerEvents
    from shared.alert_log import DynamoAlertLog
    from shared.aws_clients import aws_client

    config = settings()
    orders = DynamoOrderRepository(table, dynamodb)
    stock = DynamoStock(table, dynamodb)
    arn = config.contact_lookup_secret_arn
    hasher = (
        SecretContactHasher(arn, SecretsProvider(boto3_client=aws_client("secretsmanager"))) if arn else None
    )

    def events() -> SqsCustomerEvents:
        return SqsCustomerEvents(config.notification_queue_url, aws_client("sqs"))

    def edit_ports() -> EditPorts:
        rules = HoldRules.model_validate_json(config.hold_rules) if config.hold_rules else HoldRules()
        return EditPorts(
            orders=orders,
            ledger=DynamoReservationChanges(table, dynamodb),
            events=events(),
            clock=deferred,
            policy=ScreeningPolicy(rules=rules, limits=stock, recent=orders),
            hasher=hasher,
        )

    def reshipment_ports() -> ReshipmentPorts:  # the same ports as the exceptions' and returns' reships
        return returns_reshipment_ports(table, dynamodb, events(), deferred)

    return OrderDesk(
        stock=stock,
        customers=DynamoCustomerData(table, dynamodb),
        cases=DynamoServiceStore(table, dynamodb),
        low_stock=AlertedLowStock(
            DynamoAlertLog(table, dynamodb, deferred.now), DynamoLowStockFlags(table, dynamodb), deferred.now
        ),
        hasher=hasher,
        phone_regions=config.phone_regions,
        edit_ports=edit_ports,
        reshipment_ports=reshipment_ports,
    )


def clock() -> Clock:
    """The console's time source: frozen in tests."""
    return SystemClock()


def reset() -> None:
    for cached in (settings, console_services):
        cached.cache_clear()
