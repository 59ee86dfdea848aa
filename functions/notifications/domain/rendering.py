"""Customer messages rendered from Jinja2 templates, one set per notification kind and locale.

Layout (see docs/notification-templates.md): `templates/<kind>/subject.<locale>.txt`,
`email.<locale>.html` and `email.<locale>.txt` (the two parts of one email) and `sms.<locale>.txt`;
`templates/_layouts/email.<locale>.html` wraps every HTML email; `templates/_copy/` holds the
wording shared by several kinds (shipment statuses, delivery problems, return reasons, complaint
categories). HTML is autoescaped, text
is not. Undefined variables raise (StrictUndefined): a broken template fails loudly instead of
sending a message with holes. The environment is built on first use and cached for the container.

`notification_context` turns an order into everything a template may use, already formatted for
the locale; `render_email` and `render_sms` only render. The caller picks the locale
(`message_locale`), the customer's time zone, the signed tracking link and, for customer-service
events, passes the event's `details` (and the signed survey link for an invitation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from notifications.domain.branding import shop_context
from notifications.domain.carrier_time import carrier_time
from notifications.domain.estimates import estimate_revision
from notifications.domain.exception_notices import exception_context
from notifications.domain.formatting import (
    carrier_code,
    carrier_name,
    format_date,
    format_money,
    local_date,
    local_time,
    parse_instant,
)
from notifications.domain.model import ORDER_KINDS, SHIPMENT_KINDS, EmailMessage, NotificationKind
from shared.brand import DEV_BRAND, Brand
from shared.customer_time import format_customer_time

if TYPE_CHECKING:
    from collections.abc import Mapping

    from jinja2 import Environment

    from orders.models.api import Shipment, TimelineEntry
    from orders.models.order import OrderRecord

Locale = Literal["zh-CN", "en"]
LOCALES: tuple[Locale, ...] = ("en", "zh-CN")
DEFAULT_LOCALE: Locale = "en"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
COPY_TEMPLATE = "_copy/shipment_updates.{locale}.txt"
SERVICE_COPY_TEMPLATE = "_copy/customer_service.{locale}.txt"

# SMS budgets (characters) for the variable parts of a text, so that every kind stays within its
# segment limit with the longest realistic values and a signed tracking link: GSM-7 gives 160
# septets in one segment, UCS-2 (any Chinese character) only 70 code units, 67 per part after that.
# Product names in an out-of-stock text (then "and N more"), without and with a link.
SMS_NAME_BUDGET: dict[str, tuple[int, int]] = {"en": (40, 40), "zh-CN": (14, 10)}
# Carrier name plus tracking number in a text without a link; the carrier is left out beyond it.
SMS_SHIPMENT_BUDGET: dict[str, int] = {"en": 46, "zh-CN": 30}
_BLANK_LINES = re.compile(r"\n{3,}")
SMS_ORDER_REF_LENGTH = 16  # a longer order number is named by its tail in a text ("...0000012345")

# Delivery problems: the carriers' reason codes (docs/tracking-statuses.md) and the delay check's
# `stalled` / `late`, grouped into what the customer needs to hear and do.
PROBLEM_BY_REASON: dict[str, str] = {
    "stalled": "stalled",
    "late": "late",
    **dict.fromkeys(
        (
            "delayed",
            "missorted",
            "external_delay",
            "processing_delay",
            "late_flight",
            "no_update_too_long",
            "unsigned_too_long",
            "transit_exception",
        ),
        "delayed",
    ),
    "weather": "weather",
    **dict.fromkeys(
        (
            "delivery_failed",
            "delivery_failure",
            "delivery_problem",
            "recipient_unavailable",
            "recipient_unreachable",
            "business_closed",
        ),
        "failed_attempt",
    ),
    **dict.fromkeys(("address_issue", "customer_moved", "outside_service_area"), "address_issue"),
    "refused": "refused",
    **dict.fromkeys(("customs_hold", "missing_documents"), "customs"),
    **dict.fromkeys(
        ("held", "awaiting_information", "held_for_payment", "stuck_at_depot", "security_or_fee_issue"),
        "held",
    ),
    "damaged": "damaged",
    **dict.fromkeys(("lost", "destroyed", "disposed"), "lost"),
    **dict.fromkeys(("pickup_missed", "not_collected_in_time"), "not_collected"),
    **dict.fromkeys(("cancelled", "waybill_cancelled", "cancelled_by_sender"), "cancelled"),
    **dict.fromkeys(("returning", "returned"), "returning"),
}
PROBLEM_BY_TRACKING_STATUS: dict[str, str] = {
    "attempt_fail": "failed_attempt",
    "delivery_delayed": "delayed",
    "on_hold": "held",
    "cancelled": "cancelled",
    "return_to_sender": "returning",
}
PROBLEMS: tuple[str, ...] = (*dict.fromkeys(PROBLEM_BY_REASON.values()), "unknown")

# Return reasons: a storefront sends a code or the customer's own words (docs/customer-service.md).
# Common codes and their usual spellings -> the reason whose words are in `_copy/customer_service`;
# anything else is shown as it was typed.
RETURN_REASON_BY_CODE: dict[str, str] = {
    **dict.fromkeys(("damaged", "damage", "arrived_damaged", "broken"), "damaged"),
    **dict.fromkeys(("defective", "faulty", "not_working", "quality", "quality_issue"), "defective"),
    **dict.fromkeys(("wrong_item", "wrong_product", "incorrect_item", "wrong_item_sent"), "wrong_item"),
    **dict.fromkeys(("missing_parts", "incomplete", "missing_item"), "missing_parts"),
    **dict.fromkeys(
        ("not_as_described", "not_as_pictured", "different_from_description"), "not_as_described"
    ),
    **dict.fromkeys(
        ("size", "wrong_size", "size_or_fit", "too_small", "too_large", "too_big", "fit"), "size"
    ),
    **dict.fromkeys(
        ("changed_mind", "change_of_mind", "no_longer_needed", "not_needed", "unwanted"), "changed_mind"
    ),
    **dict.fromkeys(("arrived_late", "late", "late_delivery", "delivery_delay"), "arrived_late"),
    **dict.fromkeys(("ordered_by_mistake", "mistake", "duplicate_order"), "ordered_by_mistake"),
    **dict.fromkeys(("better_price", "found_cheaper", "better_price_elsewhere"), "better_price"),
    "other": "other",
}
RETURN_REASONS: tuple[str, ...] = tuple(dict.fromkeys(RETURN_REASON_BY_CODE.values()))
RETURN_STATUSES: tuple[str, ...] = ("requested", "approved", "rejected", "received", "refunded")
# Complaint categories (service.models: ComplaintCategory)
COMPLAINT_CATEGORIES: tuple[str, ...] = (
    "delivery_delay",
    "damage",
    "wrong_item",
    "missing_item",
    "service_attitude",
    "other",
)
_RETURN_LINE = re.compile(r"^(?P<sku>\S+) x(?P<quantity>[0-9]+)$")
_CODE_SEPARATORS = re.compile(r"[\s\-]+")


@cache
def template_environment() -> Environment:
    # loaded with the first message rendered: a run that only suppresses or defers never needs it
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@dataclass(frozen=True)
class LocaleCopy:
    """Wording shared by several kinds, from `templates/_copy/shipment_updates.<locale>.txt`."""

    statuses: dict[str, str]  # shipment status (order vocabulary) -> words
    problems: dict[str, dict[str, str]]  # problem -> headline, summary, advice, sms
    delivered_notes: dict[str, str]  # carrier reason on delivery -> a sentence
    # from `templates/_copy/customer_service.<locale>.txt`
    return_statuses: dict[str, str]  # return status -> words
    return_reasons: dict[str, str]  # return reason (RETURN_REASONS) -> words
    complaint_categories: dict[str, str]  # complaint category -> words


@cache
def locale_copy(locale: str) -> LocaleCopy:
    environment = template_environment()
    module = environment.get_template(COPY_TEMPLATE.format(locale=locale)).module
    service = environment.get_template(SERVICE_COPY_TEMPLATE.format(locale=locale)).module
    return LocaleCopy(
        statuses=dict(module.statuses),  # type: ignore[attr-defined]
        problems={key: dict(value) for key, value in module.problems.items()},  # type: ignore[attr-defined]
        delivered_notes=dict(module.delivered_notes),  # type: ignore[attr-defined]
        return_statuses=dict(service.return_statuses),  # type: ignore[attr-defined]
        return_reasons=dict(service.return_reasons),  # type: ignore[attr-defined]
        complaint_categories=dict(service.complaint_categories),  # type: ignore[attr-defined]
    )


def message_locale(order: OrderRecord, preferred: str | None = None) -> Locale:
    """The customer's preferred locale, else the order's, else English."""
    for candidate in (preferred, order.customer.locale):
        for locale in LOCALES:
            if candidate == locale:
                return locale
    return DEFAULT_LOCALE


def delivery_problem(reason: str | None, tracking_status: str | None = None) -> str:
    """The problem a carrier reason (or, without a known reason, the tracking status) stands for."""
    if reason and reason in PROBLEM_BY_REASON:
        return PROBLEM_BY_REASON[reason]
    return PROBLEM_BY_TRACKING_STATUS.get(tracking_status or "", "unknown")


def return_reason_code(reason: str | None) -> str | None:
    """The common return reason (RETURN_REASONS) a storefront's code stands for, else None
    (`Wrong size`, `wrong-size` and `WRONG_SIZE` are all `size`)."""
    if not reason:
        return None
    return RETURN_REASON_BY_CODE.get(_CODE_SEPARATORS.sub("_", reason.strip().lower()))


def return_items(lines: str | None) -> list[dict[str, Any]]:
    """`"TEA-OOLONG-250G x1, CUP x2"` as lines (`sku`, `quantity`); empty when it is not in that
    form (templates then show the text as it is)."""
    if not lines or not lines.strip():
        return []
    items = []
    for part in lines.split(","):
        match = _RETURN_LINE.match(part.strip())
        if match is None:
            return []
        items.append({"sku": match["sku"], "quantity": int(match["quantity"])})
    return items


def names_within(budget: int, names: list[str]) -> list[str]:
    """The leading product names whose joined length fits the budget (may be none)."""
    chosen: list[str] = []
    used = 0
    for name in names:
        used += len(name) + (2 if chosen else 0)  # a separator: ", " or "、"
        if used > budget:
            break
        chosen.append(name)
    return chosen


def sms_order_ref(order_number: str) -> str:
    """How a text names the order: its number, or the number's tail when it is long."""
    if len(order_number) <= SMS_ORDER_REF_LENGTH:
        return order_number
    return "..." + order_number[-(SMS_ORDER_REF_LENGTH - 4) :]


def product_names(order: OrderRecord) -> dict[str, str]:
    """SKU -> the name the customer knows the product by (the first line's, for a SKU listed twice)."""
    names: dict[str, str] = {}
    for line in order.items:
        names.setdefault(line.sku, line.name)
    return names


def _named(sku: str, names: Mapping[str, str]) -> str:
    return names.get(sku, sku)  # a SKU the order does not list (a typed return line) stays as typed


def _shipment_view(
    shipment: Shipment, locale: str, copy: LocaleCopy, names: Mapping[str, str]
) -> dict[str, Any]:
    name = carrier_name(shipment.carrier, locale)
    return {
        "shipment_id": shipment.shipment_id,
        "carrier": name,
        "carrier_code": carrier_code(shipment.carrier),
        "sms_carrier": (
            name if len(name) + len(shipment.tracking_number) <= SMS_SHIPMENT_BUDGET.get(locale, 46) else None
        ),
        "tracking_number": shipment.tracking_number,
        "lines": [
            {"sku": line.sku, "name": _named(line.sku, names), "quantity": line.quantity}
            for line in shipment.lines
        ],
        "line_count": len(shipment.lines),
        "item_count": sum(line.quantity for line in shipment.lines),
        "status": shipment.status,
        "status_text": copy.statuses.get(shipment.status, copy.statuses["unknown"]),
        "replacement": shipment.purpose == "replacement",
    }


def _event_entry(order: OrderRecord, kind: NotificationKind, occurred: datetime) -> TimelineEntry | None:
    """The order's timeline entry for this event: the latest of the order's own moves with the
    kind's status at or before the event's time (the order may have moved on since), else such a
    carrier entry, else the latest one. None for kinds that are not about an order status."""
    if kind not in ORDER_KINDS:
        return None
    status = kind.value.removeprefix("order_")
    matching = [entry for entry in order.timeline if entry.status == status]
    moves = [entry for entry in matching if not entry.by.startswith("carrier:")]  # the order's own
    for candidates in (moves, matching):
        for entry in reversed(candidates):
            try:
                if parse_instant(entry.at) <= occurred:
                    return entry
            except ValueError:
                continue
    return matching[-1] if matching else None


def _event_shipments(
    order: OrderRecord, kind: NotificationKind, entry: TimelineEntry | None, named_by_event: str | None = None
) -> list[Shipment]:
    """The shipment(s) the event is about: the one its timeline entry (or the event) names, else
    those whose status is the kind's, else the newest one."""
    if kind not in SHIPMENT_KINDS or not order.shipments:
        return []
    named = (entry.details or {}).get("shipment_id") if entry else named_by_event
    chosen = [shipment for shipment in order.shipments if shipment.shipment_id == named]
    if chosen:
        return chosen
    status = kind.value.removeprefix("order_")
    chosen = [shipment for shipment in order.shipments if shipment.status == status]
    return chosen or [max(order.shipments, key=lambda shipment: shipment.created_at)]


def _unshipped(order: OrderRecord, names: Mapping[str, str]) -> list[dict[str, Any]]:
    shipped: dict[str, int] = {}
    for shipment in order.shipments:
        for line in shipment.lines:
            shipped[line.sku] = shipped.get(line.sku, 0) + line.quantity
    remaining = []
    for sku, quantity in order.quantities_by_sku().items():
        left = quantity - shipped.get(sku, 0)
        if left > 0:
            remaining.append({"sku": sku, "name": _named(sku, names), "quantity": left})
    return remaining


def _address_lines(order: OrderRecord, locale: str) -> list[str]:
    """The shipping address in the locale's order: province and city first in Chinese."""
    address = order.shipping_address
    region = address.region if address.region and address.region != address.city else None
    if locale == "zh-CN":
        area = [part for part in (region, address.city) if part]
        joiner = "" if all(not part.isascii() for part in area) else " "  # 广东省深圳市, Shanghai
        lines = [address.name, joiner.join(area), address.line1, address.line2]
        lines.append(" ".join(part for part in (address.postal_code, address.country) if part))
    else:
        place = address.city + (", " + region if region else "")
        place += " " + address.postal_code if address.postal_code else ""
        lines = [address.name, address.line1, address.line2, place, address.country]
    return [line for line in lines if line]


def _estimated_delivery(
    shipments: list[Shipment], time_zone: str, occurred_on: date, kind: NotificationKind
) -> date | None:
    """The latest estimated delivery date of the event's shipments, if the carrier gave one that
    is not already past; never for a delivered or returned order."""
    if kind in (NotificationKind.ORDER_DELIVERED, NotificationKind.ORDER_RETURNED_TO_SENDER):
        return None
    days = []
    for shipment in shipments:
        value = shipment.estimated_delivery
        if isinstance(value, str) and value.strip():
            try:
                days.append(local_date(value, time_zone))
            except ValueError:
                continue
    latest = max(days, default=None)
    return latest if latest is not None and latest >= occurred_on else None


def _optional(details: Mapping[str, str], key: str) -> str | None:
    """A detail that may be missing or empty: its text, stripped, or None."""
    value = details.get(key)
    return (value.strip() or None) if isinstance(value, str) else None


def _feedback_expiry(details: Mapping[str, str], time_zone: str) -> datetime | None:
    """When the survey link stops working, in the customer's zone; None when unknown or unreadable."""
    value = _optional(details, "feedback_expires_at")
    if value is None:
        return None
    try:
        return local_time(value, time_zone)
    except ValueError:
        return None


def _return_outcome(details: Mapping[str, str], locale: str) -> dict[str, Any]:
    """The refund amount in the locale's money format (refund returns), or that it is an exchange
    (and its replacement shipment, once received)."""
    amount, currency = _optional(details, "refund_amount"), _optional(details, "refund_currency")
    refund = None
    if amount and currency:
        try:
            refund = format_money(amount, currency, locale)
        except ArithmeticError:  # an unreadable amount is left out, never guessed
            refund = None
    return {
        "return_refund": refund,
        "return_exchange": _optional(details, "resolution") == "exchange",
        "return_reshipment_id": _optional(details, "reshipment_id"),
    }


def _service_context(
    details: Mapping[str, str],
    copy: LocaleCopy,
    time_zone: str,
    occurred: datetime,
    locale: str,
    names: Mapping[str, str],
) -> dict[str, Any]:
    """Survey, return and complaint facts from the event's details, in the locale's words. Every key
    is there for every kind (None when the event does not carry it)."""
    reason = _optional(details, "reason")
    reason_code = return_reason_code(reason)
    status = _optional(details, "status")
    category = _optional(details, "category")
    lines = _optional(details, "lines")
    expires = _feedback_expiry(details, time_zone)
    expires_year = expires is not None and expires.year != occurred.year
    return {
        "feedback_expires": (
            format_customer_time(expires, time_zone, locale, with_year=expires_year) if expires else None
        ),
        "sms_feedback_expires": (
            format_date(expires.date(), locale, with_year=expires_year, weekday=False) if expires else None
        ),
        "return_id": _optional(details, "return_id"),
        "return_status": copy.return_statuses.get(status, status) if status else None,
        "return_lines": lines,
        "return_items": [{**item, "name": _named(item["sku"], names)} for item in return_items(lines)],
        "return_reason": copy.return_reasons[reason_code] if reason_code else reason,
        "return_note": _optional(details, "note"),
        "return_tracking_number": _optional(details, "tracking_number"),
        **_return_outcome(details, locale),
        "complaint_id": _optional(details, "complaint_id"),
        "complaint_category": (
            copy.complaint_categories.get(category, copy.complaint_categories["other"]) if category else None
        ),
        "complaint_resolution": _optional(details, "resolution"),
        "complaint_reply": _optional(details, "reply"),
        **_complaint_due(details, time_zone, occurred, locale),
        **exception_context(details, locale),
        **_reshipment_context(details, locale, names),
    }


def _complaint_due(
    details: Mapping[str, str], time_zone: str, occurred: datetime, locale: str
) -> dict[str, Any]:
    """When a case's first answer is due (`complaint.opened`), in the customer's zone."""
    value = _optional(details, "due_at")
    try:
        due = local_time(value, time_zone) if value else None
    except ValueError:
        due = None
    if due is None:
        return {"complaint_due": None, "sms_complaint_due": None}
    with_year = due.year != occurred.year
    return {
        "complaint_due": format_customer_time(due, time_zone, locale, with_year=with_year),
        "sms_complaint_due": format_customer_time(due, time_zone, locale, with_year=with_year),
    }


ORDER_CHANGES = ("shipping_address", "customer", "items")


def _reshipment_context(details: Mapping[str, str], locale: str, names: Mapping[str, str]) -> dict[str, Any]:
    """A reshipment's lines (named) and parcel, and what an order edit changed (docs/reshipments.md)."""
    carrier = _optional(details, "carrier")
    changed = (_optional(details, "changed") or "").split(",")
    return {
        "reshipment_id": _optional(details, "reshipment_id"),
        "reshipment_items": [
            {**item, "name": _named(item["sku"], names)} for item in return_items(_optional(details, "lines"))
        ],
        "reshipment_carrier": carrier_name(carrier, locale) if carrier else None,
        "reshipment_tracking_number": _optional(details, "tracking_number"),
        "order_changes": [name for name in ORDER_CHANGES if name in changed],
    }


def notification_context(
    order: OrderRecord,
    kind: NotificationKind,
    locale: str,
    *,
    time_zone: str,
    tracking_url: str | None,
    occurred_at: str,
    details: Mapping[str, str] | None = None,
    feedback_url: str | None = None,
    brand: Brand = DEV_BRAND,
) -> dict[str, Any]:
    """Everything a template may use, already formatted for `locale` (see the variable table in
    docs/notification-templates.md). `occurred_at` is the event's ISO 8601 time, shown in the IANA
    zone `time_zone`; `tracking_url` is the signed tracking link, or None. `details` are the event's
    own facts (`OrderEvent.details`: a return's id, status and lines, a complaint's resolution, the
    survey link's expiry); `feedback_url` is the signed survey link of a feedback invitation; `brand`
    is the merchant the message speaks for."""
    copy = locale_copy(locale)
    occurred = local_time(occurred_at, time_zone)
    event_details = {str(key): str(value) for key, value in (details or {}).items() if value is not None}
    money = order.currency
    names = product_names(order)

    items = [
        {
            "sku": line.sku,
            "name": line.name,
            "image_url": line.image_url,
            "quantity": line.quantity,
            "unit_price": format_money(line.unit_price, money, locale),
            "line_total": format_money(Decimal(line.unit_price) * line.quantity, money, locale),
        }
        for line in order.items
    ]
    short_items = [{**item.model_dump(), "name": _named(item.sku, names)} for item in order.short_items]
    name_budget = SMS_NAME_BUDGET.get(locale, SMS_NAME_BUDGET[DEFAULT_LOCALE])[1 if tracking_url else 0]
    sms_names = names_within(name_budget, [item["name"] for item in short_items])

    entry = _event_entry(order, kind, occurred)
    told = carrier_time(entry, order.timeline, occurred)
    entry_details = (entry.details or {}) if entry else {}
    event_shipments = _event_shipments(order, kind, entry, event_details.get("shipment_id"))
    first = event_shipments[0] if event_shipments else None
    reason = entry_details.get("reason") or (first.status_reason if first else None)
    tracking_status = entry_details.get("tracking_status") or (first.tracking_status if first else None)
    reason = reason if isinstance(reason, str) else None
    tracking_status = tracking_status if isinstance(tracking_status, str) else None

    exception = None
    if kind is NotificationKind.ORDER_DELIVERY_EXCEPTION:
        problem = delivery_problem(reason, tracking_status)
        exception = {"reason": problem, **copy.problems.get(problem, copy.problems["unknown"])}
    delivered_note = None
    if kind is NotificationKind.ORDER_DELIVERED and reason:
        delivered_note = copy.delivered_notes.get(reason)

    eta = _estimated_delivery(event_shipments, time_zone, occurred.date(), kind)
    eta_with_year = eta is not None and eta.year != occurred.year
    unshipped = _unshipped(order, names) if order.shipments else []
    views = [_shipment_view(shipment, locale, copy, names) for shipment in order.shipments]
    event_views = [_shipment_view(shipment, locale, copy, names) for shipment in event_shipments]

    return {
        "locale": locale,
        "customer_name": order.customer.name,
        "order_id": order.order_id,
        "order_number": order.order_number,
        "order_ref": sms_order_ref(order.order_number),
        "shop": shop_context(brand, locale, order.order_id, order.order_number),
        "items": items,
        "item_count": sum(line.quantity for line in order.items),
        "line_count": len(order.items),
        "total": format_money(order.total, money, locale),
        "paid": order.payment_status == "paid",
        "short_items": short_items,
        "sms_short_names": sms_names,
        "sms_more_names": len(short_items) - len(sms_names),
        "shipping_address": _address_lines(order, locale),
        "shipments": views,
        "event_shipments": event_views,
        "shipment": event_views[0] if event_views else None,
        "unshipped_items": unshipped,
        "unshipped_count": sum(item["quantity"] for item in unshipped),
        "occurred_at": format_customer_time(told, time_zone, locale, with_year=told.year != occurred.year),
        "estimated_delivery": format_date(eta, locale, with_year=eta_with_year) if eta else None,
        "sms_estimated_delivery": (
            format_date(eta, locale, with_year=eta_with_year, weekday=False) if eta else None
        ),
        "ready_for_pickup": tracking_status == "available_for_pickup",
        "exception": exception,
        "delivered_note": delivered_note,
        "estimate_revision": estimate_revision(event_details, time_zone, locale, occurred.year),
        "tracking_url": tracking_url or None,
        "details": event_details,
        "feedback_url": feedback_url or None,
        **_service_context(event_details, copy, time_zone, occurred, locale, names),
    }


# part -> file name pattern inside the kind's folder
TEMPLATE_FILES: dict[str, str] = {
    "subject": "subject.{locale}.txt",
    "html": "email.{locale}.html",
    "text": "email.{locale}.txt",
    "sms": "sms.{locale}.txt",
}


def template_name(kind: NotificationKind, part: str, locale: str) -> str:
    return kind.value + "/" + TEMPLATE_FILES[part].format(locale=locale)


def _render(kind: NotificationKind, part: str, locale: str, context: dict[str, Any]) -> str:
    return template_environment().get_template(template_name(kind, part, locale)).render(context).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> str:
    """Plain text with at most one blank line in a row (templates may leave more between blocks)."""
    return _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in text.splitlines()))


def render_email(kind: NotificationKind, locale: str, context: dict[str, Any]) -> EmailMessage:
    return EmailMessage(
        subject=_one_line(_render(kind, "subject", locale, context)),
        html=_render(kind, "html", locale, context),
        text=_paragraphs(_render(kind, "text", locale, context)) + "\n",
    )


def render_sms(kind: NotificationKind, locale: str, context: dict[str, Any]) -> str:
    """The text's body on one line, then the operator's note (if any) quoted on a line of its own."""
    from notifications.domain.operator_notes import sms_note

    body = _one_line(_render(kind, "sms", locale, context))
    note = sms_note(kind, locale, context)
    return body + "\n" + note if note else body
