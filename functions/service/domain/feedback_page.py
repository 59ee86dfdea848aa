"""The public survey page behind a signed link: what to show for a token and what a submitted
form does. Returns a `Page` (status, template, context); rendering is `service.pages`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from service.domain.errors import IllegalStatusChange, LinkExpired, LinkNotFound
from service.domain.feedback import (
    FeedbackInput,
    FeedbackStoreWithComplaints,
    check_still_open,
    editable_until,
    submit_feedback,
)
from service.domain.links import verify_link
from service.domain.ports import CustomerEvents, OrderLookup, TimeZonePreferences
from service.domain.rules import ServiceRules
from service.models.api import FeedbackForm
from service.models.records import FeedbackRecord
from shared.clock import Clock
from shared.customer_time import format_customer_time, zone_for_order
from shared.errors import Conflict, RetryableError


@dataclass(frozen=True)
class Page:
    status: int
    template: str
    locale: str
    context: dict[str, Any] = field(default_factory=dict)


def _locale(order: Any) -> str:
    return "zh-CN" if getattr(order.customer, "locale", "en") == "zh-CN" else "en"


def _values(feedback: FeedbackRecord | None) -> dict[str, Any]:
    if feedback is None:
        return {"rating": None, "nps": None, "comment": "", "categories": []}
    return {
        "rating": feedback.rating,
        "nps": feedback.nps,
        "comment": feedback.comment,
        "categories": [c.value for c in feedback.categories],
    }


def _message(status: int, kind: str, locale: str = "en", **context: Any) -> Page:
    return Page(status, "feedback_message.html", locale, {"kind": kind, **context})


def _until(moment: datetime, order: Any, locale: str, zones: TimeZonePreferences | None) -> str:
    """`moment` told in the customer's zone, named (`shared.customer_time`: their preference, else
    their address, phone or country), with the year: `Dec 16, 2026, 1:21 PM CST`."""
    preference = zones.time_zone(order.customer.id) if zones is not None else None
    return format_customer_time(moment, zone_for_order(order, preference), locale, with_year=True)


def _linked_order(
    token: str, keys: tuple[str, ...], orders: OrderLookup, now: datetime
) -> tuple[Any, str] | Page:
    """The order a survey token names and its page locale, or the page that says why not."""
    try:
        link = verify_link(keys, token, int(now.timestamp()))
    except LinkNotFound:
        return _message(404, "not_found")
    except LinkExpired:
        return _message(410, "expired")
    order = orders.get(link.order_id)
    if order is None:
        return _message(404, "not_found")
    return order, _locale(order)


def show_feedback_form(
    token: str,
    keys: tuple[str, ...],
    orders: OrderLookup,
    store: FeedbackStoreWithComplaints,
    rules: ServiceRules,
    clock: Clock,
    zones: TimeZonePreferences | None = None,
) -> Page:
    now = clock.now()
    opened = _linked_order(token, keys, orders, now)
    if isinstance(opened, Page):
        return opened
    order, locale = opened
    existing = store.feedback(order.order_id)
    try:
        check_still_open(existing, rules, now)
    except LinkExpired:
        return _message(410, "closed", locale)
    until = _until(editable_until(existing, rules), order, locale, zones) if existing else None
    return Page(
        200,
        "feedback_form.html",
        locale,
        {"values": _values(existing), "errors": {}, "editable_until": until},
    )


def _form_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in error.errors():
        location = problem.get("loc") or ("form",)
        name = str(location[0])
        errors.setdefault(name, problem.get("type", "invalid"))
    return errors


def submit_feedback_form(
    token: str,
    fields: dict[str, list[str]],
    keys: tuple[str, ...],
    orders: OrderLookup,
    store: FeedbackStoreWithComplaints,
    rules: ServiceRules,
    clock: Clock,
    zones: TimeZonePreferences | None = None,
    events: CustomerEvents | None = None,
) -> Page:
    now = clock.now()
    opened = _linked_order(token, keys, orders, now)
    if isinstance(opened, Page):
        return opened
    order, locale = opened
    submitted = {
        "rating": fields.get("rating", [""])[-1],
        "nps": fields.get("nps", [""])[-1],
        "comment": fields.get("comment", [""])[-1],
        "categories": fields.get("categories", []),
    }
    try:
        form = FeedbackForm.model_validate(submitted)
    except ValidationError as error:
        values = {
            "rating": _int_or_none(submitted["rating"]),
            "nps": _int_or_none(submitted["nps"]),
            "comment": submitted["comment"],
            "categories": submitted["categories"],
        }
        return Page(
            400,
            "feedback_form.html",
            locale,
            {"values": values, "errors": _form_errors(error), "editable_until": None},
        )
    entry = FeedbackInput(rating=form.rating, nps=form.nps, comment=form.comment, categories=form.categories)
    try:
        feedback = submit_feedback(order, entry, "customer_link", store, rules, clock, events)
    except LinkExpired:
        return _message(410, "closed", locale)
    except (IllegalStatusChange, Conflict):
        return _message(409, "conflict", locale)
    except RetryableError:  # throttled: nothing was saved; the customer sends the form again
        return _message(503, "busy", locale)
    return _message(
        200,
        "thanks",
        locale,
        summary=_values(feedback),
        editable_until=_until(editable_until(feedback, rules), order, locale, zones),
    )


def _int_or_none(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 4 else None
