"""Storefront routes for customer service: feedback collected by the storefront (behind the
storefront API key); the complaint (case) routes are in `case_routes`, the return routes in
`return_routes`."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from service.models.api import FeedbackRequest, FeedbackView
from shared.observability import logger
from storefront_api import dependencies
from storefront_api.dependencies import customer_events, order_repository, service_rules, service_store
from storefront_api.params import OrderId

router = APIGatewayHttpRouter()


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=body, headers=headers or {})


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
    feedback = submit_feedback(
        order, entry, "storefront", store, service_rules(), dependencies.clock(), customer_events()
    )
    logger.info("feedback stored", rating=feedback.rating, complaint=bool(feedback.complaint_id))
    return _json(201 if first else 200, FeedbackView.of(feedback))
