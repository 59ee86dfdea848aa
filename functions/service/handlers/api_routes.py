"""Storefront routes for customer service: feedback collected by the storefront and complaints
(behind the storefront API key); the return routes are in `return_routes`."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from service.models.api import (
    ComplaintPage,
    ComplaintRequest,
    ComplaintView,
    FeedbackRequest,
    FeedbackView,
    ResolveRequest,
)
from service.models.records import ComplaintSource, ComplaintStatus, Priority
from shared.observability import logger, metrics
from storefront_api import dependencies
from storefront_api.dependencies import (
    customer_events,
    customer_link_keys,
    order_repository,
    service_rules,
    service_store,
)
from storefront_api.params import IdempotencyKey, OrderId

router = APIGatewayHttpRouter()

ComplaintId = Annotated[str, Path(pattern=r"^cmp_[a-z2-7]{24}$")]


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=body, headers=headers or {})


def _hash(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# feedback ---------------------------------------------------------------------------------------


@router.post(
    "/v1/orders/<order_id>/feedback",
    summary="Store a delivered order's feedback collected by the storefront",
    tags=["Customer service"],
)
def storefront_feedback(order_id: OrderId, body: FeedbackRequest) -> Response[FeedbackView]:
    from service.domain.feedback import FeedbackInput, load_order, submit_feedback

    logger.append_keys(order_id=order_id)
    order = load_order(order_id, order_repository())
    entry = FeedbackInput(rating=body.rating, nps=body.nps, comment=body.comment, categories=body.categories)
    store = service_store()
    first = store.feedback(order_id) is None
    feedback = submit_feedback(order, entry, "storefront", store, service_rules(), dependencies.clock())
    logger.info("feedback stored", rating=feedback.rating, complaint=bool(feedback.complaint_id))
    return _json(201 if first else 200, FeedbackView.of(feedback))


# complaints -------------------------------------------------------------------------------------


@router.post(
    "/v1/complaints",
    summary="Open a complaint ticket",
    description="Send exactly one of `order_id` and `token` (a customer's signed link); both or "
    "neither is a 422 `validation_failed`. An invalid token is a 404 `link_not_found`, an expired one 410.",
    tags=["Customer service"],
)
def create_complaint(body: ComplaintRequest, idempotency_key: IdempotencyKey) -> Response[ComplaintView]:
    from service.domain.complaints import open_complaint
    from service.domain.feedback import load_order
    from service.domain.links import FEEDBACK, TRACK, verify_link

    source: ComplaintSource = "storefront"
    order_id = body.order_id
    if body.token is not None:
        link = verify_link(
            customer_link_keys(), body.token, int(dependencies.clock().now().timestamp()), (FEEDBACK, TRACK)
        )
        order_id, source = link.order_id, "customer_link"
    assert order_id is not None
    logger.append_keys(order_id=order_id)
    order = load_order(order_id, order_repository())
    opened = open_complaint(
        order=order,
        category=body.category,
        description=body.description,
        source=source,
        idempotency_key=idempotency_key,
        request_hash=_hash(body.model_dump(mode="json")),
        store=service_store(),
        rules=service_rules(),
        clock=dependencies.clock(),
    )
    complaint = opened.complaint
    logger.info(
        "complaint opened",
        complaint_id=complaint.complaint_id,
        priority=complaint.priority.value,
        replayed=opened.replayed,
    )
    if not opened.replayed:
        metrics.add_metric(name="ComplaintOpened", unit=MetricUnit.Count, value=1)
    headers = {
        "Location": f"/v1/complaints/{complaint.complaint_id}",
        "Idempotent-Replayed": str(opened.replayed).lower(),
    }
    return _json(201, ComplaintView.of(complaint), headers)


@router.get(
    "/v1/complaints", summary="The complaint queue (p1 first, then by due time)", tags=["Customer service"]
)
def list_complaints(
    status: Annotated[ComplaintStatus, Query()] = ComplaintStatus.OPEN,
    priority: Annotated[Priority | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="`next_cursor` of the previous page")
    ] = None,
) -> ComplaintPage:
    from service.domain.complaints import complaint_queue
    from service.domain.ports import ComplaintQuery

    query = ComplaintQuery(
        status=status.value, priority=priority.value if priority else None, limit=limit, cursor=cursor
    )
    found, next_cursor = complaint_queue(query, service_store())
    return ComplaintPage(complaints=[ComplaintView.of(c) for c in found], next_cursor=next_cursor)


@router.get("/v1/complaints/<complaint_id>", summary="Read a complaint", tags=["Customer service"])
def get_complaint(complaint_id: ComplaintId) -> ComplaintView:
    from service.domain.complaints import load_complaint

    return ComplaintView.of(load_complaint(complaint_id, service_store()))


@router.post(
    "/v1/complaints/<complaint_id>/resolve",
    summary="Record a complaint's resolution (once)",
    tags=["Customer service"],
)
def resolve(complaint_id: ComplaintId, body: ResolveRequest) -> ComplaintView:
    from service.domain.complaints import resolve_complaint

    complaint, replayed = resolve_complaint(
        complaint_id,
        body.resolution,
        body.resolved_by,
        service_store(),
        customer_events(),
        dependencies.clock(),
    )
    logger.info("complaint resolved", complaint_id=complaint_id, replayed=replayed)
    return ComplaintView.of(complaint)
