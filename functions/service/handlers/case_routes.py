"""Storefront routes of customer-service cases (`/v1/complaints`, docs/cases.md): open (or add to
the order's open case of the category), list through the indexes, read with the timeline, assign,
internal notes, replies to the customer, resolve, close and reopen. Each is one domain call."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter
from aws_lambda_powertools.metrics import MetricUnit

from orders.models.api import ORDER_ID_PATTERN
from service.models.api import ComplaintRequest, ComplaintView, ResolveRequest
from service.models.case_api import (
    AssignRequest,
    CasePage,
    CaseView,
    CloseRequest,
    NoteRequest,
    ReopenRequest,
    ReplyRequest,
)
from service.models.records import ACTIVE_STATUSES, ComplaintSource, ComplaintStatus, Priority
from shared.clock import isoformat
from shared.observability import logger, metrics
from storefront_api import dependencies
from storefront_api.dependencies import (
    customer_events,
    customer_link_keys,
    order_repository,
    service_rules,
    service_store,
)
from storefront_api.params import IdempotencyKey, OptionalIdempotencyKey

if TYPE_CHECKING:
    from service.domain.cases import AnswerLinks

router = APIGatewayHttpRouter()

ComplaintId = Annotated[str, Path(pattern=r"^cmp_[a-z2-7]{24}$")]
TAGS = ["Customer service"]


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type="application/json", body=body, headers=headers or {})


def _hash(body: object) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _answer_links() -> AnswerLinks:
    """(complaint id, resolved time) -> the signed "was this resolved?" token."""
    from datetime import datetime, timedelta

    from service.domain.links import case_token
    from shared.link_keys import link_keys

    days = service_rules().case_answer_days

    def sign(complaint_id: str, resolved_at: datetime) -> str | None:
        arn = dependencies.settings().link_signing_secret_arn
        if not arn:
            return None
        expires = int((resolved_at + timedelta(days=days)).timestamp())
        return case_token(link_keys(arn).current, complaint_id, expires)

    return sign


@router.post(
    "/v1/complaints",
    summary="Open a case, or add to the order's open case of the category",
    description="Send exactly one of `order_id` and `token` (a customer's signed link); both or "
    "neither is a 422 `validation_failed`. An invalid token is a 404 `link_not_found`, an expired one "
    "410. While the order has a case of the category that is open, in_progress or reopened, the "
    "description is added to that case's timeline and the answer is that case with 200 (201: a new case).",
    tags=TAGS,
)
def create_complaint(body: ComplaintRequest, idempotency_key: IdempotencyKey) -> Response[CaseView]:
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
        events=customer_events(),
    )
    case = opened.complaint
    logger.info(
        "complaint opened",
        complaint_id=case.complaint_id,
        priority=case.priority.value,
        replayed=opened.replayed,
        merged=opened.merged,
    )
    if not opened.replayed and not opened.merged:
        metrics.add_metric(name="ComplaintOpened", unit=MetricUnit.Count, value=1)
    headers = {
        "Location": f"/v1/complaints/{case.complaint_id}",
        "Idempotent-Replayed": str(opened.replayed).lower(),
    }
    return _json(200 if opened.merged else 201, CaseView.of_case(case, opened.timeline), headers)


@router.get(
    "/v1/complaints",
    summary="Cases: the queue (p1 first, then by due time), or a customer's or an order's cases",
    description="Without `status`: the open queue, or the open, in_progress and reopened cases "
    "with `assignee` or `overdue`, or every status with `customer_id` or `order_id` (newest first). "
    "Unknown parameters are a 400 `unknown_parameter`. A page may hold fewer than `limit` cases "
    "(the filters the index does not hold are applied to the page); follow `next_cursor`.",
    tags=TAGS,
)
def list_complaints(
    status: Annotated[ComplaintStatus | None, Query()] = None,
    priority: Annotated[Priority | None, Query()] = None,
    assignee: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    order_id: Annotated[str | None, Query(pattern=ORDER_ID_PATTERN)] = None,
    customer_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    overdue: Annotated[Literal["true"] | None, Query(description="`true`: past the due time")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=2048, description="`next_cursor` of the previous page")
    ] = None,
) -> CasePage:
    from service.domain.complaints import complaint_queue
    from service.domain.ports import ComplaintQuery

    if status is not None:
        statuses: tuple[str, ...] = (status.value,)
    elif customer_id or order_id:
        statuses = ()
    elif overdue or assignee:
        statuses = tuple(s.value for s in ACTIVE_STATUSES)
    else:
        statuses = (ComplaintStatus.OPEN.value,)
    query = ComplaintQuery(
        statuses=statuses,
        priority=priority.value if priority else None,
        assignee=assignee,
        order_id=order_id,
        customer_id=customer_id,
        overdue_at=isoformat(dependencies.clock().now()) if overdue else None,
        limit=limit,
        cursor=cursor,
    )
    found, next_cursor = complaint_queue(query, service_store())
    return CasePage(complaints=[ComplaintView.of(c) for c in found], next_cursor=next_cursor)


@router.get("/v1/complaints/<complaint_id>", summary="Read a case with its timeline", tags=TAGS)
def get_complaint(complaint_id: ComplaintId) -> CaseView:
    from service.domain.complaints import load_case

    return CaseView.of_case(*load_case(complaint_id, service_store()))


@router.post(
    "/v1/complaints/<complaint_id>/assign",
    summary="Give a case an owner (an open case moves to in_progress)",
    tags=TAGS,
)
def assign(complaint_id: ComplaintId, body: AssignRequest) -> CaseView:
    from service.domain.cases import assign_case

    case, timeline = assign_case(complaint_id, body.assignee, body.by, service_store(), dependencies.clock())
    logger.info("case assigned", complaint_id=complaint_id, status=case.status.value)
    return CaseView.of_case(case, timeline)


@router.post(
    "/v1/complaints/<complaint_id>/notes",
    summary="Add an internal note (never shown to the customer)",
    tags=TAGS,
)
def note(
    complaint_id: ComplaintId, body: NoteRequest, idempotency_key: OptionalIdempotencyKey = None
) -> CaseView:
    from service.domain.cases import add_note

    (case, timeline), replayed = add_note(
        complaint_id,
        body.text,
        body.by,
        idempotency_key,
        _hash(body.model_dump(mode="json")),
        service_store(),
        dependencies.clock(),
    )
    logger.info("case note added", complaint_id=complaint_id, replayed=replayed)
    return CaseView.of_case(case, timeline)


@router.post(
    "/v1/complaints/<complaint_id>/replies",
    summary="Reply to the customer (sent as a message)",
    tags=TAGS,
)
def reply(
    complaint_id: ComplaintId, body: ReplyRequest, idempotency_key: IdempotencyKey
) -> Response[CaseView]:
    from service.domain.cases import reply_to_customer

    (case, timeline), replayed = reply_to_customer(
        complaint_id,
        body.text,
        body.by,
        idempotency_key,
        _hash(body.model_dump(mode="json")),
        service_store(),
        customer_events(),
        dependencies.clock(),
    )
    logger.info("case reply sent", complaint_id=complaint_id, replayed=replayed)
    headers = {"Idempotent-Replayed": str(replayed).lower()}
    return _json(200, CaseView.of_case(case, timeline), headers)


@router.post(
    "/v1/complaints/<complaint_id>/resolve",
    summary="Record a case's resolution (the customer is asked whether it is resolved)",
    tags=TAGS,
)
def resolve(complaint_id: ComplaintId, body: ResolveRequest) -> CaseView:
    from service.domain.cases import resolve_case

    (case, timeline), replayed = resolve_case(
        complaint_id,
        body.resolution,
        body.resolved_by,
        service_store(),
        customer_events(),
        dependencies.clock(),
        _answer_links(),
    )
    logger.info("complaint resolved", complaint_id=complaint_id, replayed=replayed)
    return CaseView.of_case(case, timeline)


@router.post("/v1/complaints/<complaint_id>/close", summary="Close a resolved case", tags=TAGS)
def close(complaint_id: ComplaintId, body: CloseRequest) -> CaseView:
    from service.domain.cases import close_case

    (case, timeline), _ = close_case(complaint_id, body.by, service_store(), dependencies.clock())
    return CaseView.of_case(case, timeline)


@router.post(
    "/v1/complaints/<complaint_id>/reopen",
    summary="Reopen a resolved or closed case (a new due time from now)",
    tags=TAGS,
)
def reopen(complaint_id: ComplaintId, body: ReopenRequest) -> CaseView:
    from service.domain.cases import reopen_case

    (case, timeline), _ = reopen_case(
        complaint_id, body.by, body.reason, service_store(), service_rules(), dependencies.clock()
    )
    return CaseView.of_case(case, timeline)
