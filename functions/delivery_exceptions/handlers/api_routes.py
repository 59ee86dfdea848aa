"""Storefront routes of the delivery-exception queue (behind the storefront API key)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from delivery_exceptions.models.api import (
    ActionRequest,
    AssignRequest,
    ExceptionPage,
    ExceptionView,
)
from delivery_exceptions.models.records import ExceptionReason, ExceptionStatus
from shared.dynamo import CURSOR_PATTERN
from shared.observability import logger
from storefront_api import dependencies
from storefront_api.params import IdempotencyKey

if TYPE_CHECKING:
    from delivery_exceptions.domain.ports import Replacements

router = APIGatewayHttpRouter()

ExceptionId = Annotated[str, Path(pattern=r"^exc_[a-z2-7]{24}$", description="Exception id from the queue.")]


def _replacements() -> Replacements:
    """The reshipments capability's port (`storefront_api.dependencies.replacements`)."""
    return dependencies.replacements()


@router.get(
    "/v1/exceptions",
    summary="The delivery-exception queue (soonest due first)",
    description="Without `status`: every exception not resolved yet. `overdue=true`: due before now.",
    tags=["Delivery exceptions"],
)
def list_exceptions(
    status: Annotated[ExceptionStatus | None, Query()] = None,
    reason: Annotated[ExceptionReason | None, Query()] = None,
    assignee: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    overdue: Annotated[bool | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page")
    ] = None,
) -> ExceptionPage:
    from delivery_exceptions.domain.ports import ExceptionQuery
    from delivery_exceptions.domain.work import exception_queue
    from shared.clock import isoformat

    now = dependencies.clock().now()
    query = ExceptionQuery(
        status=status.value if status else None,
        reason=reason.value if reason else None,
        assignee=assignee,
        overdue=overdue,
        now=isoformat(now),
        limit=limit,
        cursor=cursor,
    )
    found, next_cursor = exception_queue(query, dependencies.exception_store())
    return ExceptionPage(exceptions=[ExceptionView.of(e, now) for e in found], next_cursor=next_cursor)


@router.get(
    "/v1/exceptions/<exception_id>", summary="Read a delivery exception", tags=["Delivery exceptions"]
)
def get_exception(exception_id: ExceptionId) -> ExceptionView:
    from delivery_exceptions.domain.work import load_exception

    found = load_exception(exception_id, dependencies.exception_store())
    return ExceptionView.of(found, dependencies.clock().now())


@router.post(
    "/v1/exceptions/<exception_id>/assign",
    summary="Give a delivery exception an owner (an open one is then in progress)",
    tags=["Delivery exceptions"],
)
def assign(exception_id: ExceptionId, body: AssignRequest) -> ExceptionView:
    from delivery_exceptions.domain.work import assign_exception

    clock = dependencies.clock()
    found = assign_exception(exception_id, body.assignee, body.by, dependencies.exception_store(), clock)
    logger.info("exception assigned", exception_id=exception_id)
    return ExceptionView.of(found, clock.now())


@router.post(
    "/v1/exceptions/<exception_id>/actions",
    summary="Act on a delivery exception: contact the customer, wait for the carrier, reship, refund, resolve",
    description="Each action takes only its own fields; a missing or foreign one is a 422 "
    "`validation_failed`: `contact_customer` needs `message`; `wait_for_carrier` needs `until` (a future "
    "time), may take `note`; `reship` may take `lines` (every line when left out) and `note`; `refund` "
    "needs `amount`, may take `currency` (the order's) and `note`; `resolve` may take `note`. A refund "
    "above the order total (less what the exception refunded already) or in another currency is a 422 "
    "`refund_not_allowed`. The same key with another body is a 422 `idempotency_key_reused`.",
    tags=["Delivery exceptions"],
)
def act(exception_id: ExceptionId, body: ActionRequest, idempotency_key: IdempotencyKey) -> ExceptionView:
    from delivery_exceptions.domain.work import Services, act_on_exception

    clock = dependencies.clock()
    action = body.to_action()
    request_hash = hashlib.sha256(
        json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    services = Services(
        orders=dependencies.order_repository(),
        events=dependencies.customer_events(),
        replacements=_replacements,
    )
    found, replayed = act_on_exception(
        exception_id, action, idempotency_key, request_hash, dependencies.exception_store(), services, clock
    )
    logger.info("exception action", exception_id=exception_id, action=body.action, replayed=replayed)
    return ExceptionView.of(found, clock.now())
