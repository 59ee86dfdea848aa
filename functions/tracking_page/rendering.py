"""The tracking page and the not-found page as HTML: Jinja2 templates in `templates/`, autoescaped,
undefined variables raise. Everything is formatted here for the chosen locale and the shipping
country's time zone, so the templates only place values.

The stylesheet is `templates/page.css`, inlined in a `<style>` element; its SHA-256 goes into the
Content-Security-Policy (`style_source`), so no other style and no script can run on the page.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from carriers.domain.apply_tracking import RANK
from carriers.domain.carrier_catalog import public_tracking_url
from carriers.models.tracking import Checkpoint, TrackingStatus
from notifications.domain.formatting import CARRIER_NAMES, carrier_code, format_money
from notifications.domain.formatting import carrier_name as formatting_carrier_name
from notifications.domain.masking import mask_email, mask_phone
from orders.models.order import OrderRecord
from shared.customer_time import format_customer_time, to_zone, zone_for_order, zone_label
from tracking_page.progress import STEP_KEYS, progress
from tracking_page.read_model import TrackedOrder, TrackedShipment
from tracking_page.self_service_texts import STEP_STATES, STEPS
from tracking_page.self_service_texts import TEXT as SELF_SERVICE_TEXT
from tracking_page.texts import (
    DEFAULT_LOCALE,
    LABELS,
    LANGUAGE_NAMES,
    LOCALES,
    MONTHS_EN,
    NOT_FOUND,
    ORDER_STATUS,
    PROBLEM_BY_REASON,
    PROBLEM_BY_STATUS,
    PROBLEM_STATUSES,
    PROBLEMS,
    SHIPMENT_LINE,
    TRACKING_STATUS,
    WEEKDAYS,
    Locale,
)

if TYPE_CHECKING:  # the brand model pulls in email validation: loaded on the first page only
    from shared.brand import Brand

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PROBLEM_SHIPMENT_STATUSES = frozenset({"delivery_exception", "returned_to_sender"})


@cache
def template_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


@cache
def stylesheet() -> str:
    return (TEMPLATES_DIR / "page.css").read_text(encoding="utf-8")


@cache
def style_source() -> str:
    """The CSP source that allows exactly the inlined stylesheet: `'sha256-<base64>'`."""
    digest = hashlib.sha256(stylesheet().encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def choose_locale(requested: str | None, customer_locale: str) -> Locale:
    """`?lang=` when it names a supported locale, else the customer's own, else English."""
    for candidate in (requested, customer_locale):
        for locale in LOCALES:
            if candidate == locale:
                return locale
    return DEFAULT_LOCALE


# --- formatting -------------------------------------------------------------------------------


def customer_zone(order: OrderRecord, preferred: str | None = None) -> ZoneInfo:
    """The one zone every time on these pages is told in: `shared.customer_time`'s rule (the
    customer's preference, else the shipping address's region, the phone, the country)."""
    return zone_for_order(order, preferred)


def zone_name(order: OrderRecord, zone: ZoneInfo, locale: Locale) -> str:
    """The zone's name as the page's times are labelled (at the order's own time)."""
    return zone_label(to_zone(order.created_at, zone), locale)


def format_day(day: date, locale: Locale) -> str:
    """`Thu 3 Jul 2025` / `2025年7月3日 周四`."""
    weekday = WEEKDAYS[locale][day.weekday()]
    if locale == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def format_moment(moment: datetime, zone: ZoneInfo, locale: Locale) -> str:
    """Every time on the page: `shared.customer_time.format_customer_time` in the customer's zone,
    named, with the year (`Jul 2, 2025, 6:10 AM China time` / `2025年7月2日 06:10(北京时间)` with full-width brackets)."""
    return format_customer_time(moment, zone, locale, with_year=True)


def parse_moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def delivery_day(value: str | None, zone: ZoneInfo) -> date | None:
    """The day of an estimated delivery given as an ISO date or date-time; None when unreadable."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = parse_moment(value)
    except ValueError:
        return None
    return moment.astimezone(zone).date() if moment.tzinfo else moment.date()


def carrier_name(slug: str, locale: Locale) -> str:
    """Display name of a carrier slug; an unknown slug is spelled out (`dhl-ecommerce` -> `DHL Ecommerce`)."""
    if carrier_code(slug) in CARRIER_NAMES:  # the names customers also see in their messages
        return formatting_carrier_name(slug, locale)
    words = slug.replace("_", "-").split("-")
    return " ".join(word.upper() if len(word) <= 3 else word.capitalize() for word in words if word)


def newest_first(checkpoints: list[Checkpoint]) -> list[Checkpoint]:
    """By their own time, newest first; at the same time the further step first (as applied)."""
    return sorted(checkpoints, key=lambda cp: (cp.occurred_at, RANK.get(cp.status, 0)), reverse=True)


# --- the page ---------------------------------------------------------------------------------


def _problem(shipment: TrackedShipment, order_id: str, carrier: str, locale: Locale) -> dict[str, str] | None:
    status = shipment.tracking_status
    if status not in PROBLEM_STATUSES and shipment.status not in PROBLEM_SHIPMENT_STATUSES:
        return None
    kind = (
        PROBLEM_BY_REASON.get(shipment.status_reason or "")
        or PROBLEM_BY_STATUS.get(status or "")
        or PROBLEM_BY_STATUS.get(shipment.status)
        or "other"
    )
    title, advice = PROBLEMS[locale][kind]
    return {
        "kind": kind,
        "title": title,
        "advice": advice.format(carrier=carrier, tracking_number=shipment.tracking_number, order_id=order_id),
    }


def _shipment_status(shipment: TrackedShipment, locale: Locale) -> str:
    if shipment.tracking_status in TRACKING_STATUS[locale]:
        return TRACKING_STATUS[locale][shipment.tracking_status]
    return ORDER_STATUS[locale].get(shipment.status, ORDER_STATUS[locale]["shipped"])[0]


def _shipment_view(
    shipment: TrackedShipment, number: int, count: int, order: OrderRecord, zone: ZoneInfo, locale: Locale
) -> dict[str, Any]:
    labels = LABELS[locale]
    carrier = carrier_name(shipment.carrier, locale)
    estimated = delivery_day(shipment.estimated_delivery, zone)
    delivered = shipment.tracking_status == TrackingStatus.DELIVERED
    steps = [
        {
            "status": TRACKING_STATUS[locale].get(checkpoint.status, TRACKING_STATUS[locale]["unknown"]),
            "message": checkpoint.message,
            "location": checkpoint.location,
            "at": format_moment(checkpoint.occurred_at, zone, locale),
            "datetime": checkpoint.occurred_at.isoformat(),
            "latest": index == 0,
        }
        for index, checkpoint in enumerate(newest_first(shipment.checkpoints))
    ]
    return {
        "id": f"shipment-{number}",
        "heading": labels["shipment_heading"].format(
            number=number, count=count, status=_shipment_status(shipment, locale)
        ),
        "delivered": delivered,
        "carrier": carrier,
        "tracking_number": shipment.tracking_number,
        "shipped_at": format_moment(parse_moment(shipment.created_at), zone, locale),
        "shipped_datetime": shipment.created_at,
        "estimated_delivery": format_day(estimated, locale) if estimated and not delivered else None,
        "estimated_datetime": estimated.isoformat() if estimated else None,
        "carrier_url": public_tracking_url(shipment.carrier, shipment.tracking_number),
        "lines": labels["list_separator"].join(
            SHIPMENT_LINE.format(sku=item_names(order).get(line.sku, line.sku), quantity=line.quantity)
            for line in shipment.lines
        ),
        "problem": _problem(shipment, order_reference(order), carrier, locale),
        "steps": steps,
    }


def destination(order: OrderRecord, locale: Locale) -> str:
    """Where the order goes, no closer than the city: `上海, 上海市, CN` / `CN 上海市 上海`."""
    address = order.shipping_address
    if locale == "zh-CN":
        return " ".join(part for part in (address.country, address.region, address.city) if part)
    return ", ".join(part for part in (address.city, address.region, address.country) if part)


def order_reference(order: OrderRecord) -> str:
    """What the customer knows the order by: the storefront's order number when it has one."""
    return str(getattr(order, "order_number", None) or order.order_id)


def item_names(order: OrderRecord) -> dict[str, str]:
    """SKU -> the product's name (orders placed before names were kept: the SKU)."""
    return {item.sku: getattr(item, "name", None) or item.sku for item in order.items}


def brand_view(brand: Brand, order: OrderRecord, locale: Locale) -> dict[str, Any]:
    shop = brand.name(locale)
    return {
        "name": shop,
        "logo_url": str(brand.logo_url) if brand.logo_url else None,
        "support_email": brand.support_email,
        "support_phone": brand.support_phone,
        "support_url": str(brand.support_url) if brand.support_url else None,
        "order_page": brand.order_page(order.order_id, order_reference(order)),
    }


def progress_view(tracked: TrackedOrder, locale: Locale) -> dict[str, Any]:
    reached = progress(tracked.order, tracked.shipments)
    states = STEP_STATES[locale]
    stages = []
    for index, (key, label) in enumerate(STEPS[locale]):
        if index < reached.step:
            state = "done"
        elif index == reached.step:
            state = "problem" if reached.problem else ("done" if key == STEP_KEYS[-1] else "current")
        else:
            state = "todo"
        stages.append(
            {
                "key": key,
                "label": label,
                "state": state,
                "state_text": states[state],
                "current": index == reached.step,
            }
        )
    return {"stages": stages, "problem": reached.problem}


def estimate_view(shipments: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The estimate in big type: the earliest of the parcels still on their way."""
    pending = [s for s in shipments if s["estimated_delivery"] and s["estimated_datetime"]]
    if not pending:
        return None
    first = min(pending, key=lambda s: s["estimated_datetime"])
    return {"text": first["estimated_delivery"], "datetime": first["estimated_datetime"]}


def page_context(
    tracked: TrackedOrder,
    locale: Locale,
    brand: Brand | None = None,
    actions: dict[str, Any] | None = None,
    preferred_zone: str | None = None,
) -> dict[str, Any]:
    """Everything the page template shows, formatted for `locale`. `actions` are the self-service
    forms (`tracking_page.page.self_service_forms`); None shows none."""
    order = tracked.order
    zone = customer_zone(order, preferred_zone)
    headline, detail = ORDER_STATUS[locale].get(order.status.value, (order.status.value, ""))
    count = len(tracked.shipments)
    if brand is None:
        from shared.brand import brand_from_environment

        brand = brand_from_environment()
    shop = brand
    shipments = [
        _shipment_view(shipment, number, count, order, zone, locale)
        for number, shipment in enumerate(sorted(tracked.shipments, key=lambda s: s.created_at), 1)
    ]
    names = item_names(order)
    return {
        "lang": locale,
        "t": LABELS[locale],
        "s": SELF_SERVICE_TEXT[locale],
        "brand": brand_view(shop, order, locale),
        "progress": progress_view(tracked, locale),
        "estimate": estimate_view(shipments),
        "actions": actions,
        "zone_name": zone_name(order, zone, locale),
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES[code], "current": code == locale} for code in LOCALES
        ],
        "stylesheet": Markup(stylesheet()),  # noqa: S704 - a file of this package, hashed into the CSP
        "order_id": order_reference(order),
        "headline": headline,
        "detail": detail,
        "placed_at": format_moment(parse_moment(order.created_at), zone, locale),
        "placed_datetime": order.created_at,
        "times_in": LABELS[locale]["times_in"].format(zone=zone_name(order, zone, locale)),
        "shipments": shipments,
        "items": [
            {
                "sku": line.sku,
                "name": names[line.sku],
                "image_url": getattr(line, "image_url", None),
                "quantity": line.quantity,
                "amount": format_money(Decimal(line.unit_price) * line.quantity, order.currency, locale),
            }
            for line in order.items
        ],
        "total": format_money(order.total, order.currency, locale),
        "destination": destination(order, locale),
        "email": mask_email(order.customer.email) if order.customer.email else None,
        "phone": mask_phone(order.customer.phone) if order.customer.phone else None,
    }


def render_tracking_page(
    tracked: TrackedOrder,
    locale: Locale,
    brand: Brand | None = None,
    actions: dict[str, Any] | None = None,
    preferred_zone: str | None = None,
) -> str:
    context = page_context(tracked, locale, brand, actions, preferred_zone)
    return template_environment().get_template("page.html").render(context)


@cache
def render_not_found() -> str:
    """One page for every token that does not lead to an order, whatever the reason: the same bytes
    each time, in both languages, so it tells nothing about the token or the order."""
    return (
        template_environment()
        .get_template("not_found.html")
        .render(
            lang=DEFAULT_LOCALE,
            stylesheet=Markup(stylesheet()),  # noqa: S704 - a file of this package, hashed into the CSP
            messages=[
                {"lang": locale, "title": NOT_FOUND[locale][0], "text": NOT_FOUND[locale][1]}
                for locale in LOCALES
            ],
        )
    )
