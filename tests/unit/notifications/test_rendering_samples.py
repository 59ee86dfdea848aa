# ruff: noqa: RUF001  (full-width Chinese punctuation in the sample details is intended)
"""Sample orders for every notification kind (typical and worst case) and the SMS measurements the
template tests enforce and docs/notification-templates.md publishes. No tests of its own.

    PYTHONPATH=functions python -m tests.unit.notifications.test_rendering_samples   # the doc's SMS table
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from notifications.domain.branding import signed_sms
from notifications.domain.model import ORDER_KINDS, RETURN_KINDS
from notifications.domain.model import NotificationKind as K
from notifications.domain.rendering import PROBLEMS, notification_context, render_sms
from notifications.domain.sms_segments import SmsSize, sms_size
from orders.models.api import Shipment, TimelineEntry
from orders.models.order import OrderRecord
from shared import links
from shared.brand import DEV_BRAND, Brand
from tests.unit.notifications.conftest import sample_order as base_order

ORDER_ID = "ord_k2m4q6s8u0w2y4a6c8e0g2i4"  # the real format: "ord_" + 24 base32 characters
SIGNING_KEY = "sample-link-signing-key"
BASE_URL = "https://track.example-shop.com"
TRACKING_URL = links.link(BASE_URL, links.sign(SIGNING_KEY, ORDER_ID)) or ""
TIME_ZONE = "Asia/Shanghai"
OCCURRED_AT = "2026-11-24T06:05:00Z"  # 14:05 in Shanghai
WORST_OCCURRED_AT = "2026-12-31T04:05:00Z"  # the survey link then expires in the next year
FEEDBACK_LINK_DAYS = 30
WORST_ORDER_NUMBER = "WEB-2026-" + "7" * 31  # the longest a storefront may send: 40 characters

# The product names customers know, per locale (a shop names its products in its customers' language).
PRODUCT_NAMES: dict[str, dict[str, str]] = {
    "en": {"TEA-OOLONG-250G": "Tieguanyin oolong, 250 g", "CUP-CELADON": "Celadon tea cup"},
    "zh-CN": {"TEA-OOLONG-250G": "铁观音乌龙茶 250 克", "CUP-CELADON": "青瓷茶杯"},
}
WORST_NAME = {  # 200 characters, the most an order line may carry
    "en": ("Hand-thrown Jianzhan tea bowl with hare's fur glaze, gift box edition " * 3)[:200],
    "zh-CN": ("手工建盏兔毫釉茶碗礼盒装限量版" * 14)[:200],
}

# Who the texts come from: the stage's brand, and a worst case (the longest shop name, signature and
# opt-out hint a brand may configure); who they go to: a mainland China number for Chinese texts
# (signature in 【】 and 回TD退订), a US number for English ones.
WORST_BRAND = Brand(
    shop_name={"en": "The Hangzhou Tea & Porcelain Trading Co.", "zh-CN": "杭州" + "茶" * 34 + "有限公司"},
    sms_signature={"zh-CN": "杭州茶瓷贸易有限公司官方", "en": "Hangzhou Tea"},
    sms_opt_out_hint={"zh-CN": "拒收请回复R或回TD退订", "en": "Text STOP to stop texts."},  # 12, 24
    logo_url="https://cdn.hangzhou-tea-and-porcelain.example.com/brand/logo-email-2x.png",
    support_email="customer-service@hangzhou-tea-and-porcelain.example.com",
    support_phone="+86 (571) 8888-8888",
    support_url="https://help.hangzhou-tea-and-porcelain.example.com/contact-us",
    order_page_url="https://www.hangzhou-tea-and-porcelain.example.com/account/orders/{order_number}",
)
SMS_PHONES = {"en": "+14155552671", "zh-CN": "+8613800138000"}


def _expiry(occurred_at: str) -> datetime:
    return datetime.fromisoformat(occurred_at.replace("Z", "+00:00")) + timedelta(days=FEEDBACK_LINK_DAYS)


def feedback_details(occurred_at: str = OCCURRED_AT) -> dict[str, str]:
    """A survey invitation's details as the order-events dispatcher writes them: a signed token
    (`<order_id>.<expiry in base 36>.<mac>`, 56 characters) and its expiry."""
    expires = _expiry(occurred_at)
    return {
        "feedback_token": links.sign(
            SIGNING_KEY, ORDER_ID, links.FEEDBACK, expires_at=int(expires.timestamp())
        ),
        "feedback_expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def feedback_url(occurred_at: str = OCCURRED_AT) -> str:
    """`https://track.example-shop.com/feedback/<token>`: 96 characters."""
    return links.link(BASE_URL, feedback_details(occurred_at)["feedback_token"], links.FEEDBACK) or ""


FEEDBACK_URL = feedback_url()
RETURN_ID = "ret_q3v5x7z2b4d6f8h2j4l6n8p2"
COMPLAINT_ID = "cmp_m2n4p6r8t2v4x6z8b2d4f6h8"
SERVICE_KINDS = tuple(kind for kind in K if kind not in ORDER_KINDS and kind is not K.ESTIMATE_REVISED)
# Return kind -> the return's status
RETURN_STATUS = {kind: kind.value.removeprefix("return_") for kind in RETURN_KINDS}
# Operator notes as a shop would write them for each status (typical data), per locale.
RETURN_NOTES: dict[str, dict[str, str]] = {
    "en": {
        "approved": "Please send the parcel to: Returns, 88 Jiangchang Road, Shanghai 200072.",
        "rejected": "The item has been used, so we can't take it back.",
        "received": "Both items arrived in good condition.",
    },
    "zh-CN": {
        "approved": "请寄至：上海市静安区江场路88号 退货组 收，邮编200072。",
        "rejected": "商品已使用，无法办理退货。",
        "received": "两件商品均已收到，外观完好。",
    },
}

EXCEPTION_ID = "exc_b3d5f7h2j4l6n8p2r4t6v8x2"
EXCEPTION_KINDS = (K.EXCEPTION_CONTACT, K.EXCEPTION_REFUNDED)
# Operator messages about a delivery exception as a shop would write them (typical data), per locale.
EXCEPTION_NOTES: dict[str, str] = {
    "en": "The courier could not find your building. We've asked them to call you before the next try.",
    "zh-CN": "快递员未能找到您的楼栋，我们已请快递员下次派送前先致电您。",
}


def exception_details(variant: Variant, locale: str) -> dict[str, str]:
    """A rejection's category, or a delivery exception's message or refund, as the storefront writes
    them. Worst case: a 2,000-character message over several lines, the largest refund."""
    kind, worst = variant.kind, variant.worst
    if kind is K.ORDER_REJECTED:
        return {"category": "payment_unverified" if worst else "address_unverified"}
    details = {
        "exception_id": EXCEPTION_ID,
        "reason": "address_problem",
        "shipment_id": "shp_" + "0" * 19 + "1",
    }
    note = ((EXCEPTION_NOTES[locale] + "\n") * 40)[:2000] if worst else EXCEPTION_NOTES[locale]
    if kind is K.EXCEPTION_REFUNDED:
        details.update(refund_amount="79919920.08" if worst else "12.50", refund_currency="CNY")
        if worst and not variant.minimal:
            details["note"] = note
    elif not variant.minimal:
        details["note"] = note
    return details


# Problem (delivery exception) -> the carrier reason and tracking status that lead to it.
PROBLEM_SAMPLES: dict[str, tuple[str | None, str]] = {
    "stalled": ("stalled", "delivery_exception"),
    "late": ("late", "delivery_exception"),
    "delayed": ("processing_delay", "delivery_delayed"),
    "weather": ("weather", "delivery_delayed"),
    "failed_attempt": ("recipient_unavailable", "attempt_fail"),
    "address_issue": ("address_issue", "exception"),
    "refused": ("refused", "exception"),
    "customs": ("customs_hold", "on_hold"),
    "held": ("held_for_payment", "on_hold"),
    "damaged": ("damaged", "exception"),
    "lost": ("lost", "exception"),
    "not_collected": ("pickup_missed", "exception"),
    "cancelled": ("waybill_cancelled", "cancelled"),
    "returning": ("returning", "return_to_sender"),
    "unknown": (None, "exception"),
}
assert set(PROBLEM_SAMPLES) == set(PROBLEMS)


@dataclass(frozen=True)
class Variant:
    """One sample order for a kind: `typical` or `worst` data, and the event's details."""

    kind: K
    worst: bool
    reason: str | None = None
    tracking_status: str | None = None
    minimal: bool = False  # customer-service kinds: only the details every event carries


def _order_status(kind: K) -> str:
    """The order's status when the event is sent: customer-service events are about delivered orders."""
    if kind is K.ESTIMATE_REVISED:
        return "in_transit"
    return kind.value.removeprefix("order_") if kind in ORDER_KINDS else "delivered"


def sample_order(**overrides: Any) -> OrderRecord:
    """The suite's sample order, with a full address and the times the sample events refer to."""
    values: dict[str, Any] = {
        "order_id": ORDER_ID,
        "shipping_address": {
            "name": "Li Wei",
            "line1": "1 Century Avenue",
            "line2": "Room 1203",
            "city": "Shanghai",
            "region": "Shanghai",
            "postal_code": "200120",
            "country": "CN",
        },
        "created_at": "2026-11-20T02:00:00.000Z",
        "updated_at": OCCURRED_AT,
        "version": 7,
        "timeline": [{"status": "received", "at": "2026-11-20T02:00:00.000Z", "by": "storefront"}],
    }
    values.update(overrides)
    return base_order(**values)


def tracked_shipment(
    number: int, lines: list[dict[str, Any]], status: str, worst: bool, **tracking: Any
) -> Shipment:
    return Shipment(
        shipment_id=f"shp_{number:020d}",
        carrier="correos-express" if worst else "sf-express",  # an unknown code is shown as it is
        tracking_number=("420902109400111899223397658538" if worst else "SF1234567890123")[:-1] + str(number),
        lines=lines,
        status=status,
        created_at=f"2026-11-2{number}T01:00:00Z",
        **tracking,
    )


def variants(kind: K) -> Iterator[Variant]:
    """Every variant of a kind worth measuring: each delivery problem, both kinds of last mile."""
    for worst in (False, True):
        if kind is K.ORDER_DELIVERY_EXCEPTION:
            for reason, status in PROBLEM_SAMPLES.values():
                yield Variant(kind, worst, reason, status)
        elif kind is K.ORDER_OUT_FOR_DELIVERY:
            yield Variant(kind, worst, None, "out_for_delivery")
            yield Variant(kind, worst, "locker_or_station", "available_for_pickup")
        elif kind is K.ORDER_DELIVERED:
            yield Variant(kind, worst, "signed_by_other" if worst else None, "delivered")
        elif kind is K.ORDER_RETURNED_TO_SENDER:
            yield Variant(kind, worst, "returned", "return_to_sender")
        elif kind is K.ORDER_IN_TRANSIT:
            yield Variant(kind, worst, "departed", "in_transit")
        elif kind is K.ESTIMATE_REVISED:
            yield Variant(kind, worst, None, "in_transit")
        elif kind in SERVICE_KINDS:
            yield Variant(kind, worst)
            yield Variant(kind, worst, minimal=True)
        else:
            yield Variant(kind, worst)


def typical(kind: K) -> Variant:
    return next(variant for variant in variants(kind) if not variant.worst)


def order_for(variant: Variant, locale: str, **customer: Any) -> OrderRecord:
    """The order as it is when the variant's event is sent: status, shipments, timeline."""
    kind, worst = variant.kind, variant.worst
    if worst:
        skus = ["S" + str(n) + "-" + "X" * (62 - len(str(n))) for n in range(8)]
        lines = [
            {"sku": sku, "name": WORST_NAME[locale][:-1] + str(n), "quantity": 999, "unit_price": "9999.99"}
            for n, sku in enumerate(skus)
        ]
        extra: dict[str, Any] = {
            "order_number": WORST_ORDER_NUMBER,
            "customer": {
                "locale": locale,
                "name": "Maximilian Alexander Featherstonehaugh-Worthington",
                **customer,
            },
            "items": lines,
            "total": "79919920.08",
        }
    else:
        skus = ["TEA-OOLONG-250G", "CUP-CELADON"]
        names = PRODUCT_NAMES[locale]
        lines = [
            {
                "sku": "TEA-OOLONG-250G",
                "name": names["TEA-OOLONG-250G"],
                "quantity": 2,
                "unit_price": "19.90",
            },
            {"sku": "CUP-CELADON", "name": names["CUP-CELADON"], "quantity": 1, "unit_price": "1089.20"},
        ]
        extra = {"customer": {"locale": locale, **customer}, "items": lines}
    status = _order_status(kind)
    extra["status"] = status
    if kind is K.ORDER_OUT_OF_STOCK:
        short = skus  # worst: 8 lines of 200-character names, none of which fits a text
        extra["short_items"] = [
            {"sku": sku, "requested": 999 if worst else 2, "available": 0} for sku in short
        ]
    if kind is K.ORDER_EXPIRED:
        extra["payment_status"] = "pending"
    order = sample_order(**extra)

    shipment_lines = [{"sku": line["sku"], "quantity": line["quantity"]} for line in lines]
    shipments: list[Shipment] = []
    if kind in SERVICE_KINDS:
        shipments = [tracked_shipment(1, shipment_lines, "delivered", worst)]
    elif kind is K.ORDER_PARTIALLY_SHIPPED:
        shipments = [tracked_shipment(1, shipment_lines[:1], "shipped", worst)]
    elif kind is K.ORDER_SHIPPED and worst:  # the last of three parcels
        thirds = [shipment_lines[:3], shipment_lines[3:6], shipment_lines[6:]]
        shipments = [tracked_shipment(n + 1, part, "shipped", worst) for n, part in enumerate(thirds)]
    elif kind in (K.ORDER_SHIPPED,):
        shipments = [tracked_shipment(1, shipment_lines, "shipped", worst)]
    elif variant.tracking_status is not None:
        tracking = {
            "tracking_status": variant.tracking_status,
            "status_reason": variant.reason,
            "estimated_delivery": ("2027-01-02" if worst else "2026-11-26"),
        }
        if worst:
            halves = [shipment_lines[:4], shipment_lines[4:]]
            shipments = [
                tracked_shipment(1, halves[0], "delivered", worst),
                tracked_shipment(2, halves[1], status, worst, **tracking),
            ]
        else:
            shipments = [tracked_shipment(1, shipment_lines, status, worst, **tracking)]
    timeline = list(order.timeline)
    if shipments:
        event_shipment = shipments[-1]
        details: dict[str, object] = {"shipment_id": event_shipment.shipment_id}
        if variant.tracking_status:
            details["tracking_status"] = variant.tracking_status
        if variant.reason:
            details["reason"] = variant.reason
        timeline.append(
            TimelineEntry(status=status, at=OCCURRED_AT, by="system:carrier-tracking", details=details)
        )
    else:
        timeline.append(TimelineEntry(status=status, at=OCCURRED_AT, by="storefront"))
    return order.model_copy(update={"shipments": shipments, "timeline": timeline})


def details_for(variant: Variant, locale: str) -> dict[str, str]:
    """The event's details (`OrderEvent.details`) as customer service writes them. Worst case: a
    reason and a note of 500 characters in several lines, 100 lines of 64-character SKUs, a
    40-character return tracking number, a resolution of 2,000 characters, a survey link that
    expires in the next year. Minimal: only the keys every event carries (no expiry, note or
    tracking number; an empty resolution)."""
    kind, worst = variant.kind, variant.worst
    zh = locale == "zh-CN"
    if kind is K.ESTIMATE_REVISED:  # as the dispatcher writes it; the worst moves into the next year
        return {
            "shipment_id": f"shp_{(2 if worst else 1):020d}",
            "previous_estimated_delivery": "2026-12-30" if worst else "2026-11-26",
            "estimated_delivery": "2027-01-02" if worst else "2026-11-28",
        }
    if kind is K.FEEDBACK_INVITE:
        details = feedback_details(WORST_OCCURRED_AT if worst else OCCURRED_AT)
        if variant.minimal:
            del details["feedback_expires_at"]
        return details
    if kind is K.COMPLAINT_OPENED:  # minimal: no due time
        details = {"complaint_id": COMPLAINT_ID, "category": "wrong_item" if worst else "damage"}
        if not variant.minimal:
            details["due_at"] = "2027-01-01T03:30:00.000Z" if worst else "2026-11-21T08:00:00.000Z"
        return details
    if kind is K.COMPLAINT_REPLIED:
        reply = (
            (
                "我们已安排补发，请保留原包装以便快递员取回。\n"
                if zh
                else "We're resending it; please keep the box.\n"
            )
            * (100 if worst else 1)
        )[:2000].strip()
        return {
            "complaint_id": COMPLAINT_ID,
            "category": "wrong_item" if worst else "damage",
            "reply": "" if variant.minimal else reply,
        }
    if kind in EXCEPTION_KINDS or kind is K.ORDER_REJECTED:
        return exception_details(variant, locale)
    if kind is K.COMPLAINT_RESOLVED:
        if worst:
            resolution = (
                "我们已为您补发商品并退还运费。\n"
                if zh
                else "We have resent the item and refunded the shipping.\n"
            ) * 100
            resolution = resolution[:2000]
        else:
            resolution = (
                "我们已为您补发一个青瓷杯，并退还运费¥12.00，新包裹预计两天内送达。"
                if zh
                else "We've sent you a new celadon cup and refunded the CN¥12.00 shipping fee. "
                "It should arrive within two days."
            )
        category = "wrong_item" if worst else "damage"
        return {
            "complaint_id": COMPLAINT_ID,
            "category": category,
            "resolution": "" if variant.minimal else resolution,
        }
    if kind is K.RESHIPMENT_CREATED:  # as orders.domain.reshipments writes it
        lines = (
            ", ".join(f"S{n}-" + "X" * (62 - len(str(n))) + " x999" for n in range(8))
            if worst
            else "CUP-CELADON x1"
        )
        details = {"reshipment_id": "rsp_" + "0" * 20, "lines": lines, "reason": "case"}
        if not variant.minimal:
            details.update(carrier="sf-express", tracking_number="9" * 40 if worst else "SF1234567890123")
        return details
    if kind is K.ORDER_UPDATED:
        return {"changed": "items" if variant.minimal else "shipping_address,customer,items"}
    status = RETURN_STATUS[kind]
    if worst:
        lines = ", ".join(f"S{n}-" + "X" * (62 - len(str(n))) + " x999" for n in range(100))
        words = (
            "商品颜色与图片差别很大，尺码也偏小。\n"
            if zh
            else "The colour is far from the photos and it runs small.\n"
        ) * 30
        reason, note, tracking_number = words[:500], words[:500], "9" * 40
    else:
        lines = "TEA-OOLONG-250G x1, CUP-CELADON x1"
        reason = "damaged"
        note = RETURN_NOTES[locale].get(status)
        tracking_number = "SF1234567890123" if status in ("received", "refunded") else None
    details = {"return_id": RETURN_ID, "status": status, "reason": reason, "lines": lines}
    if status in ("requested", "approved", "received", "refunded"):  # a refund return says its amount
        details.update(refund_amount="999999999999.99" if worst else "107.90", refund_currency="CNY")
    if note and not variant.minimal:
        details["note"] = note
    if tracking_number and not variant.minimal:
        details["tracking_number"] = tracking_number
    return details


def context_for(
    variant: Variant, locale: str, tracking_url: str | None = TRACKING_URL, brand: Brand | None = None
) -> dict[str, Any]:
    """The variant's context; with a link (`tracking_url`), a survey invitation also gets its
    signed survey link (the one link it shows). The brand: the worst one for worst-case data."""
    occurred_at = WORST_OCCURRED_AT if variant.worst else OCCURRED_AT
    return notification_context(
        order_for(variant, locale),
        variant.kind,
        locale,
        time_zone=TIME_ZONE,
        tracking_url=tracking_url,
        occurred_at=occurred_at,
        details=details_for(variant, locale)
        if variant.kind in (*SERVICE_KINDS, K.ESTIMATE_REVISED, K.ORDER_REJECTED)
        else None,
        feedback_url=feedback_url(occurred_at)
        if tracking_url and variant.kind is K.FEEDBACK_INVITE
        else None,
        brand=brand or (WORST_BRAND if variant.worst else DEV_BRAND),
    )


def sms_for(variant: Variant, locale: str, tracking_url: str | None = TRACKING_URL) -> str:
    """The text as sent: the body framed by the brand's signature and opt-out hint, to the locale's
    sample number (mainland China for Chinese)."""
    brand = WORST_BRAND if variant.worst else DEV_BRAND
    body = render_sms(variant.kind, locale, context_for(variant, locale, tracking_url, brand))
    return signed_sms(body, brand, locale, SMS_PHONES[locale])


def largest_sms(kind: K, locale: str, *, linked: bool, worst: bool) -> tuple[SmsSize, str]:
    """The longest SMS of the kind over its variants (typical or worst-case data)."""
    sizes = []
    for variant in variants(kind):
        if variant.worst is worst:
            text = sms_for(variant, locale, TRACKING_URL if linked else None)
            sizes.append((sms_size(text), text))
    return max(sizes, key=lambda pair: (pair[0].segments, pair[0].units))


SMS_TABLE_COLUMNS = [("en", False), ("en", True), ("zh-CN", False), ("zh-CN", True)]


def sms_table() -> str:
    """Markdown: segments (and units) of the longest SMS per kind, locale and link, typical / worst,
    as sent: with the shop's signature and opt-out hint (the stage's brand for typical data, the
    longest a brand may configure for the worst case)."""
    header = "| kind | " + " | ".join(
        f"{loc}{' + link' if linked else ''}" for loc, linked in SMS_TABLE_COLUMNS
    )
    rows = [header + " |", "|---" * (len(SMS_TABLE_COLUMNS) + 1) + "|"]
    for kind in K:
        cells = []
        for locale, linked in SMS_TABLE_COLUMNS:
            typical, _ = largest_sms(kind, locale, linked=linked, worst=False)
            worst, _ = largest_sms(kind, locale, linked=linked, worst=True)
            cells.append(f"{typical.segments} ({typical.units}) / {worst.segments} ({worst.units})")
        rows.append(f"| `{kind.value}` | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(sms_table())
