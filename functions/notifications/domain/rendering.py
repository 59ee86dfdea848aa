"""Customer messages rendered from Jinja2 templates, one set per notification kind and locale.

Layout: `templates/<kind>/subject.<locale>.txt`, `email.<locale>.html` and `email.<locale>.txt`
(the two parts of one email) and `sms.<locale>.txt`; `templates/_layout.<locale>.html` wraps
every HTML email. HTML is autoescaped, text is not.
Undefined variables raise (StrictUndefined): a broken template fails loudly instead of sending a
message with holes. The environment is built on first use and cached for the container.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from notifications.domain.model import EmailMessage, NotificationKind

if TYPE_CHECKING:
    from orders.models.order import OrderRecord

Locale = Literal["zh-CN", "en"]
LOCALES: tuple[Locale, ...] = ("en", "zh-CN")
DEFAULT_LOCALE: Locale = "en"
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# Characters of short SKUs an SMS may name (then "and N more"), so that with the order id and a
# tracking link it stays within two segments: 153 GSM-7 septets each, but only 67 UCS-2 units.
SMS_SKU_BUDGET: dict[str, int] = {"en": 48, "zh-CN": 20}


@cache
def template_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def format_money(amount: str | Decimal, currency: str, locale: str) -> str:
    """`129.00`, `CNY` -> `¥129.00` in zh-CN, `CNY 129.00` in en; thousands grouped."""
    grouped = f"{Decimal(amount):,}"
    if locale == "zh-CN" and currency == "CNY":
        return "¥" + grouped
    return currency + " " + grouped


def tracking_url(base_url: str, order_id: str) -> str | None:
    """`<base>/<order_id>`, or None when no tracking site is configured."""
    if not base_url.strip():
        return None
    return base_url.strip().rstrip("/") + "/" + quote(order_id, safe="")


def message_locale(order: OrderRecord) -> Locale:
    locale = order.customer.locale
    return locale if locale in LOCALES else DEFAULT_LOCALE


def notification_context(order: OrderRecord, locale: str, tracking_base_url: str = "") -> dict[str, Any]:
    """Everything a template may use, already formatted for the customer's locale."""
    lines = [
        {
            "sku": line.sku,
            "quantity": line.quantity,
            "unit_price": format_money(line.unit_price, order.currency, locale),
            "line_total": format_money(Decimal(line.unit_price) * line.quantity, order.currency, locale),
        }
        for line in order.items
    ]
    short_items = [item.model_dump() for item in order.short_items]
    sms_skus = skus_within(
        SMS_SKU_BUDGET.get(locale, SMS_SKU_BUDGET[DEFAULT_LOCALE]), [i["sku"] for i in short_items]
    )
    return {
        "customer_name": order.customer.name,
        "order_id": order.order_id,
        "items": lines,
        "item_count": sum(line.quantity for line in order.items),
        "total": format_money(order.total, order.currency, locale),
        "short_items": short_items,
        "sms_short_skus": sms_skus,
        "sms_more_skus": len(short_items) - len(sms_skus),
        "tracking_url": tracking_url(tracking_base_url, order.order_id),
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


def skus_within(budget: int, skus: list[str]) -> list[str]:
    """The leading SKUs whose joined length fits the budget (may be none)."""
    chosen: list[str] = []
    used = 0
    for sku in skus:
        used += len(sku) + (2 if chosen else 0)  # a separator: ", " or "、"
        if used > budget:
            break
        chosen.append(sku)
    return chosen


def _render(kind: NotificationKind, part: str, locale: str, context: dict[str, Any]) -> str:
    return template_environment().get_template(template_name(kind, part, locale)).render(context).strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_email(kind: NotificationKind, locale: str, context: dict[str, Any]) -> EmailMessage:
    return EmailMessage(
        subject=_one_line(_render(kind, "subject", locale, context)),
        html=_render(kind, "html", locale, context),
        text=_render(kind, "text", locale, context) + "\n",
    )


def render_sms(kind: NotificationKind, locale: str, context: dict[str, Any]) -> str:
    return _one_line(_render(kind, "sms", locale, context))
