"""The tracking page and the not-found page as HTML: Jinja2 templates in `templates/`, autoescaped,
undefined variables raise. Everything is formatted here for the chosen locale and the shipping
country's time zone, so the templates only place values.

The stylesheet is `templates/page.css`, inlined in a `<style>` element; its SHA-256 goes into the
Content-Security-Policy (`style_source`), so no other style and no script can run on the page.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from carriers.domain.apply_tracking import RANK
from carriers.models.tracking import Checkpoint, TrackingStatus
from notifications.domain.formatting import CARRIER_NAMES, carrier_code, format_money
from notifications.domain.formatting import carrier_name as formatting_carrier_name
from notifications.domain.masking import mask_email, mask_phone
from orders.models.order import OrderRecord
from tracking_page.read_model import TrackedOrder, TrackedShipment
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
    TIME_ZONES,
    TRACKING_STATUS,
    UTC_ZONE,
    WEEKDAYS,
    Locale,
)

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


@dataclass(frozen=True)
class ShippingZone:
    zone: ZoneInfo
    names: dict[Locale, str]

    @classmethod
    def for_country(cls, country: str) -> ShippingZone:
        key, english, chinese = TIME_ZONES.get(country.upper(), UTC_ZONE)
        return cls(ZoneInfo(key), {"en": english, "zh-CN": chinese})


def format_day(day: date, locale: Locale) -> str:
    """`Thu 3 Jul 2025` / `2025年7月3日 周四`."""
    weekday = WEEKDAYS[locale][day.weekday()]
    if locale == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日 {weekday}"
    return f"{weekday} {day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def format_moment(moment: datetime, zone: ZoneInfo, locale: Locale) -> str:
    """`Tue 1 Jul 2025, 18:40` / `2025年7月1日 周二 18:40`, in the shipping country's zone."""
    local = moment.astimezone(zone)
    separator = " " if locale == "zh-CN" else ", "
    return f"{format_day(local.date(), locale)}{separator}{local:%H:%M}"


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
    shipment: TrackedShipment, number: int, count: int, order: OrderRecord, zone: ShippingZone, locale: Locale
) -> dict[str, Any]:
    labels = LABELS[locale]
    carrier = carrier_name(shipment.carrier, locale)
    estimated = delivery_day(shipment.estimated_delivery, zone.zone)
    delivered = shipment.tracking_status == TrackingStatus.DELIVERED
    steps = [
        {
            "status": TRACKING_STATUS[locale].get(checkpoint.status, TRACKING_STATUS[locale]["unknown"]),
            "message": checkpoint.message,
            "location": checkpoint.location,
            "at": format_moment(checkpoint.occurred_at, zone.zone, locale),
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
        "shipped_at": format_moment(parse_moment(shipment.created_at), zone.zone, locale),
        "shipped_datetime": shipment.created_at,
        "estimated_delivery": format_day(estimated, locale) if estimated and not delivered else None,
        "estimated_datetime": estimated.isoformat() if estimated else None,
        "lines": labels["list_separator"].join(
            SHIPMENT_LINE.format(sku=line.sku, quantity=line.quantity) for line in shipment.lines
        ),
        "problem": _problem(shipment, order.order_id, carrier, locale),
        "steps": steps,
    }


def destination(order: OrderRecord, locale: Locale) -> str:
    """Where the order goes, no closer than the city: `上海, 上海市, CN` / `CN 上海市 上海`."""
    address = order.shipping_address
    if locale == "zh-CN":
        return " ".join(part for part in (address.country, address.region, address.city) if part)
    return ", ".join(part for part in (address.city, address.region, address.country) if part)


def page_context(tracked: TrackedOrder, locale: Locale) -> dict[str, Any]:
    """Everything the page template shows, formatted for `locale`."""
    order = tracked.order
    zone = ShippingZone.for_country(order.shipping_address.country)
    headline, detail = ORDER_STATUS[locale].get(order.status.value, (order.status.value, ""))
    count = len(tracked.shipments)
    return {
        "lang": locale,
        "t": LABELS[locale],
        "languages": [
            {"code": code, "name": LANGUAGE_NAMES[code], "current": code == locale} for code in LOCALES
        ],
        "stylesheet": Markup(stylesheet()),  # noqa: S704 - a file of this package, hashed into the CSP
        "order_id": order.order_id,
        "headline": headline,
        "detail": detail,
        "placed_at": format_moment(parse_moment(order.created_at), zone.zone, locale),
        "placed_datetime": order.created_at,
        "times_in": LABELS[locale]["times_in"].format(zone=zone.names[locale]),
        "shipments": [
            _shipment_view(shipment, number, count, order, zone, locale)
            for number, shipment in enumerate(sorted(tracked.shipments, key=lambda s: s.created_at), 1)
        ],
        "items": [
            {
                "sku": line.sku,
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


def render_tracking_page(tracked: TrackedOrder, locale: Locale) -> str:
    return template_environment().get_template("page.html").render(page_context(tracked, locale))


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
