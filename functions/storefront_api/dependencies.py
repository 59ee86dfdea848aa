"""Settings and adapters of the storefront API function, built once per container on first use."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from shared.api_keys import keys_in_secret
from shared.aws_clients import aws_client
from shared.clock import Clock, SystemClock
from shared.settings import FunctionSettings

if TYPE_CHECKING:  # adapters are imported on first use: a cold start pays only for what it serves
    from customers.adapters.dynamo_customer_data import DynamoCustomerData
    from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore
    from inventory.adapters.dynamo_stock import DynamoStock
    from notifications.adapters.dynamo_notification_log import DynamoNotificationLog
    from notifications.adapters.dynamo_preferences import DynamoPreferenceStore
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from orders.adapters.dynamo_shipments import DynamoShipments
    from orders.adapters.order_lookups import SecretContactHasher
    from orders.adapters.replacements import OrderReplacements
    from orders.domain.edit_order import EditPorts
    from orders.domain.hold_rules import HoldRules
    from orders.domain.reshipments import ReshipmentPorts
    from service.adapters.dynamo_feedback_list import DynamoFeedbackList
    from service.adapters.dynamo_returns import DynamoReturnDesk
    from service.adapters.dynamo_service import DynamoServiceStore
    from service.adapters.sqs_events import SqsCustomerEvents
    from service.domain.rules import ServiceRules
    from shared.alert_log import DynamoAlertLog
    from stats.adapters.dynamo_aggregates import DynamoAggregates

API_KEY_CACHE_SECONDS = 300


class StorefrontApiSettings(FunctionSettings):
    orders_table_name: str
    api_key_secret_arn: str
    # customer service (feedback, complaints, returns)
    notification_queue_url: str = ""
    link_signing_secret_arn: str = ""
    customer_service_rules: str = "{}"
    # order lookups by phone and email (keyed hashes): unset, none are written or searched
    contact_lookup_secret_arn: str = ""
    # order edits run the hold rules again (the reservation function's HOLD_RULES)
    hold_rules: str = ""


@cache
def settings() -> StorefrontApiSettings:
    return StorefrontApiSettings()  # type: ignore[call-arg]


@cache
def order_repository() -> DynamoOrderRepository:
    from orders.adapters.dynamo_orders import DynamoOrderRepository

    return DynamoOrderRepository(settings().orders_table_name, aws_client("dynamodb"))


@cache
def shipments() -> DynamoShipments:
    from orders.adapters.dynamo_shipments import DynamoShipments

    return DynamoShipments(settings().orders_table_name)


@cache
def stock_levels() -> DynamoStock:
    from inventory.adapters.dynamo_stock import DynamoStock

    return DynamoStock(settings().orders_table_name, aws_client("dynamodb"))


@cache
def aggregates() -> DynamoAggregates:
    from stats.adapters.dynamo_aggregates import DynamoAggregates

    return DynamoAggregates(settings().orders_table_name, aws_client("dynamodb"), lambda: clock().now())


@cache
def alert_log() -> DynamoAlertLog:
    from shared.alert_log import DynamoAlertLog

    return DynamoAlertLog(settings().orders_table_name, aws_client("dynamodb"), lambda: clock().now())


@cache
def preference_store() -> DynamoPreferenceStore:
    from notifications.adapters.dynamo_preferences import DynamoPreferenceStore

    return DynamoPreferenceStore(settings().orders_table_name, aws_client("dynamodb"))


@cache
def notification_log() -> DynamoNotificationLog:
    from notifications.adapters.dynamo_notification_log import DynamoNotificationLog

    return DynamoNotificationLog(settings().orders_table_name, aws_client("dynamodb"))


@cache
def service_store() -> DynamoServiceStore:
    from service.adapters.dynamo_service import DynamoServiceStore

    return DynamoServiceStore(settings().orders_table_name, aws_client("dynamodb"))


@cache
def feedback_list() -> DynamoFeedbackList:
    from service.adapters.dynamo_feedback_list import DynamoFeedbackList

    return DynamoFeedbackList(settings().orders_table_name, aws_client("dynamodb"))


@cache
def return_desk() -> DynamoReturnDesk:
    """The return receipt (restock) transaction and the return queue."""
    from service.adapters.dynamo_returns import DynamoReturnDesk

    return DynamoReturnDesk(settings().orders_table_name, aws_client("dynamodb"))


@cache
def customer_events() -> SqsCustomerEvents:
    from service.adapters.sqs_events import SqsCustomerEvents

    return SqsCustomerEvents(settings().notification_queue_url, aws_client("sqs"))


@cache
def service_rules() -> ServiceRules:
    from service.dependencies import parse_rules

    return parse_rules(settings().customer_service_rules)


@cache
def customer_data() -> DynamoCustomerData:
    from customers.adapters.dynamo_customer_data import DynamoCustomerData

    return DynamoCustomerData(settings().orders_table_name, aws_client("dynamodb"))


@cache
def contact_hasher() -> SecretContactHasher | None:
    """The keyed hash of phones and emails in order lookups; None when the stack gives no key."""
    from orders.adapters.order_lookups import SecretContactHasher

    arn = settings().contact_lookup_secret_arn
    return SecretContactHasher(arn, _secrets_provider()) if arn else None


@cache
def exception_store() -> DynamoExceptionStore:
    from delivery_exceptions.adapters.dynamo_exceptions import DynamoExceptionStore

    return DynamoExceptionStore(settings().orders_table_name, aws_client("dynamodb"))


def reshipment_ports() -> ReshipmentPorts:
    from inventory.adapters.dynamo_reservation_changes import DynamoReservationChanges
    from orders.adapters.dynamo_cases import DynamoOrderCases
    from orders.domain.reshipments import ReshipmentPorts

    table, client = settings().orders_table_name, aws_client("dynamodb")
    return ReshipmentPorts(
        orders=order_repository(),
        cases=DynamoOrderCases(table, client),
        ledger=DynamoReservationChanges(table, client),
        stock=stock_levels(),
        shipments=shipments(),
        events=customer_events(),
        clock=clock(),
    )


def replacements() -> OrderReplacements:
    """The Replacements port (docs/reshipments.md) for the exceptions and returns capabilities."""
    from orders.adapters.replacements import OrderReplacements

    return OrderReplacements(reshipment_ports())


@cache
def hold_rules() -> HoldRules:
    from orders.domain.hold_rules import HoldRules

    raw = settings().hold_rules
    return HoldRules.model_validate_json(raw) if raw else HoldRules()


def edit_ports() -> EditPorts:
    from inventory.adapters.dynamo_reservation_changes import DynamoReservationChanges
    from orders.domain.edit_order import EditPorts
    from orders.domain.hold_rules import ScreeningPolicy

    table, client = settings().orders_table_name, aws_client("dynamodb")
    policy = ScreeningPolicy(rules=hold_rules(), limits=stock_levels(), recent=order_repository())
    return EditPorts(
        orders=order_repository(),
        ledger=DynamoReservationChanges(table, client),
        events=customer_events(),
        clock=clock(),
        policy=policy,
        hasher=contact_hasher(),
    )


def customer_link_keys() -> tuple[str, ...]:
    from shared.link_keys import link_keys

    return link_keys(settings().link_signing_secret_arn).accepted


def accepted_api_keys() -> list[str]:
    """The storefront keys from Secrets Manager (cached per container, refreshed every 5 minutes).
    The secret is JSON: `api_key`, and optionally `previous_api_key` during a rotation."""
    return keys_in_secret(
        _secrets_provider().get(settings().api_key_secret_arn, max_age=API_KEY_CACHE_SECONDS)
    )


@cache
def _secrets_provider() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=aws_client("secretsmanager"))


def clock() -> Clock:
    """The time source of every storefront route: the system clock in Lambda, frozen in tests."""
    return SystemClock()
