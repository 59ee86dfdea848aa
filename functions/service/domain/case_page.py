"""The public "was your complaint resolved?" page behind the signed link of a resolved case's
message (purpose `case`; the token names the case). `GET` shows the question, `POST` answers it:
"yes" closes the case, "no" reopens it with its priority raised one step (and a new due time).
The first answer to a resolution counts; answering again changes nothing. The page shows the
case's category and resolution only: never its internal notes, assignee or timeline."""

from __future__ import annotations

from datetime import datetime

from service.domain.cases import close_case, reopen_case
from service.domain.errors import LinkExpired, LinkNotFound
from service.domain.feedback_page import Page
from service.domain.links import CASE, verify_link
from service.domain.ports import ComplaintStore, OrderLookup
from service.domain.rules import ServiceRules
from service.models.records import ComplaintRecord, ComplaintStatus
from shared import form_tokens
from shared.clock import Clock
from shared.errors import DomainError, RetryableError

ACTION = "case_answer"
TEMPLATE = "case_answer.html"
MESSAGE = "case_message.html"
ANSWERABLE = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)


def _message(status: int, kind: str, locale: str = "en") -> Page:
    return Page(status, MESSAGE, locale, {"kind": kind})


def _linked_case(
    token: str, keys: tuple[str, ...], store: ComplaintStore, orders: OrderLookup, now: datetime
) -> tuple[ComplaintRecord, str] | Page:
    try:
        link = verify_link(keys, token, int(now.timestamp()), (CASE,))
    except LinkNotFound:
        return _message(404, "not_found")
    except LinkExpired:
        return _message(410, "expired")
    case = store.complaint(link.order_id)  # a case token names the case
    if case is None:
        return _message(404, "not_found")
    order = orders.get(case.order_id)
    locale = "zh-CN" if order is not None and getattr(order.customer, "locale", "en") == "zh-CN" else "en"
    return case, locale


def _settled(case: ComplaintRecord, locale: str) -> Page | None:
    """The page for a case that takes no answer now: answered already, or being handled again."""
    if case.resolved_at and case.answered_resolution == case.resolved_at:
        return _message(200, "already", locale)
    if case.status not in ANSWERABLE:
        return _message(200, "in_hand", locale)
    return None


def show_case_question(
    token: str, keys: tuple[str, ...], store: ComplaintStore, orders: OrderLookup, clock: Clock, nonce: str
) -> Page:
    now = clock.now()
    found = _linked_case(token, keys, store, orders, now)
    if isinstance(found, Page):
        return found
    case, locale = found
    settled = _settled(case, locale)
    if settled is not None:
        return settled
    form = form_tokens.issue(keys[0], ACTION, token, nonce, int(now.timestamp()))
    return Page(
        200,
        TEMPLATE,
        locale,
        {"category": case.category.value, "resolution": case.resolution or "", "form": form},
    )


def answer_case_question(
    token: str,
    fields: dict[str, list[str]],
    keys: tuple[str, ...],
    store: ComplaintStore,
    orders: OrderLookup,
    rules: ServiceRules,
    clock: Clock,
) -> Page:
    now = clock.now()
    found = _linked_case(token, keys, store, orders, now)
    if isinstance(found, Page):
        return found
    case, locale = found
    if form_tokens.check(keys, ACTION, token, fields, int(now.timestamp())) is None:
        return _message(400, "stale_form", locale)
    answer = (fields.get("resolved") or [""])[-1]
    if answer not in ("yes", "no"):
        return _message(400, "unsupported", locale)
    settled = _settled(case, locale)
    if settled is not None:
        return settled
    try:
        if answer == "no":
            reopen_case(
                case.complaint_id,
                "customer",
                "The customer answered that the problem is not resolved.",
                store,
                rules,
                clock,
                raise_one_step=True,
                customer_answer=True,
            )
            return _message(200, "reopened", locale)
        if case.status == ComplaintStatus.RESOLVED:
            close_case(case.complaint_id, "customer", store, clock, customer_answer=True)
        return _message(200, "closed", locale)
    except RetryableError:
        return _message(503, "busy", locale)
    except DomainError:  # answered at the same moment (Conflict), or another case of the order is open
        return _message(409, "conflict", locale)
