"""Storefront routes for notifications: a customer's preferences and an order's notification log."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from notifications.domain.preferences import CustomerPreferences, StoredPreferences
from notifications.models.api import OrderNotifications
from shared.clock import isoformat
from shared.errors import NotFound
from storefront_api import dependencies
from storefront_api.dependencies import notification_log, order_repository, preference_store
from storefront_api.params import OrderId

router = APIGatewayHttpRouter()

CustomerId = Annotated[
    str, Path(min_length=1, max_length=128, description="The storefront's customer id (as in orders).")
]


@router.get(
    "/v1/customers/<customer_id>/preferences",
    summary="Read a customer's notification preferences (defaults if never set)",
    tags=["Notifications"],
)
def get_preferences(customer_id: CustomerId) -> StoredPreferences:
    return preference_store().get(customer_id) or StoredPreferences(customer_id=customer_id)


@router.put(
    "/v1/customers/<customer_id>/preferences",
    summary="Replace a customer's notification preferences",
    description="`time_zone` is an IANA zone the runtime knows; `quiet_hours` start and end differ "
    "(422 `validation_failed` otherwise).",
    tags=["Notifications"],
)
def put_preferences(customer_id: CustomerId, body: CustomerPreferences) -> StoredPreferences:
    return preference_store().put(customer_id, body, isoformat(dependencies.clock().now()))


@router.get(
    "/v1/orders/<order_id>/notifications",
    summary="List what the customer was sent about an order, what is still to go out, and what was "
    "suppressed",
    description="In time order (`at`, oldest first). A message waiting out the burst window is "
    "listed as `scheduled` and one waiting for the customer's quiet hours to end as `held`, each with "
    "`release_at`, the time it is due; it becomes `sent` (or `collapsed` into a later update of the "
    "order, or `suppressed`) then.",
    tags=["Notifications"],
)
def list_notifications(order_id: OrderId) -> OrderNotifications:
    if order_repository().get(order_id) is None:
        raise NotFound(f"Order {order_id} does not exist.", details={"order_id": order_id})
    return OrderNotifications.of(order_id, notification_log().entries(order_id))
