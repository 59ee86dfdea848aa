# ruff: noqa: RUF001  (full-width Chinese punctuation is the text under test)
"""What `notification_context` offers the templates: the right locale, the event's shipment and
problem in plain words, times in the customer's zone, money per locale."""

from __future__ import annotations

from typing import Any

import pytest

from carriers.domain import status_tables
from carriers.models.tracking import TrackingStatus
from notifications.domain.model import NotificationKind as K
from notifications.domain.rendering import (
    PROBLEM_BY_REASON,
    PROBLEMS,
    delivery_problem,
    locale_copy,
    message_locale,
    notification_context,
)
from notifications.domain.sms_segments import SmsEncoding, sms_size
from orders.models.api import Shipment, TimelineEntry
from orders.models.order import OrderRecord
from shared.order_numbers import short_order_code
from tests.unit.notifications.test_rendering_samples import (
    OCCURRED_AT,
    PRODUCT_NAMES,
    TRACKING_URL,
    Variant,
    order_for,
    sample_order,
    tracked_shipment,
    typical,
)

LINES = [{"sku": "TEA-OOLONG-250G", "quantity": 2}, {"sku": "CUP-CELADON", "quantity": 1}]


def _context(
    order: OrderRecord,
    kind: K,
    locale: str = "en",
    time_zone: str = "Asia/Shanghai",
    occurred_at: str = OCCURRED_AT,
    tracking_url: str | None = TRACKING_URL,
) -> dict[str, Any]:
    return notification_context(
        order, kind, locale, time_zone=time_zone, tracking_url=tracking_url, occurred_at=occurred_at
    )


def _with(order: OrderRecord, shipments: list[Shipment], *entries: TimelineEntry) -> OrderRecord:
    return order.model_copy(update={"shipments": shipments, "timeline": [*order.timeline, *entries]})


# -- locale ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferred", "order_locale", "expected"),
    [
        ("zh-CN", "en", "zh-CN"),  # the customer's preference wins
        ("en", "zh-CN", "en"),
        (None, "zh-CN", "zh-CN"),  # else the order's
        ("fr", "zh-CN", "zh-CN"),  # a locale without templates is ignored
        (None, "en", "en"),
    ],
)
def test_message_locale(preferred: str | None, order_locale: str, expected: str) -> None:
    order = sample_order(customer={"locale": order_locale})
    assert message_locale(order, preferred) == expected


def test_message_locale_defaults_to_english() -> None:
    order = sample_order().model_copy(
        update={"customer": sample_order().customer.model_copy(update={"locale": "fr"})}
    )
    assert message_locale(order) == "en"


# -- order, money, times -------------------------------------------------------------------------


def test_order_and_money_are_formatted_for_the_locale() -> None:
    order = sample_order()

    zh = _context(order, K.ORDER_CONFIRMED, "zh-CN")
    en = _context(order, K.ORDER_CONFIRMED, "en")

    assert (zh["total"], en["total"]) == ("¥1,129.00", "CN¥1,129.00")
    assert zh["items"][0] == {
        "sku": "TEA-OOLONG-250G",
        "name": "Tieguanyin oolong, 250 g",
        "image_url": None,
        "quantity": 2,
        "unit_price": "¥19.90",
        "line_total": "¥39.80",
    }
    assert (zh["item_count"], zh["line_count"]) == (3, 2)
    assert zh["order_id"] == "ord_k2m4q6s8u0w2y4a6c8e0g2i4"
    assert zh["order_number"] == zh["order_ref"] == short_order_code("ord_k2m4q6s8u0w2y4a6c8e0g2i4")
    assert zh["shipping_address"] == ["Li Wei", "Shanghai", "1 Century Avenue", "Room 1203", "200120 CN"]
    assert en["shipping_address"] == ["Li Wei", "1 Century Avenue", "Room 1203", "Shanghai 200120", "CN"]
    assert en["paid"] is True and en["shipments"] == [] and en["shipment"] is None


def test_chinese_addresses_read_province_then_city() -> None:
    order = sample_order(
        shipping_address={
            "name": "王芳",
            "line1": "南山区科技园路1号",
            "city": "深圳市",
            "region": "广东省",
            "country": "CN",
        }
    )
    assert _context(order, K.ORDER_CONFIRMED, "zh-CN")["shipping_address"] == [
        "王芳",
        "广东省深圳市",
        "南山区科技园路1号",
        "CN",
    ]


@pytest.mark.parametrize(
    ("time_zone", "locale", "expected"),
    [
        ("Asia/Shanghai", "zh-CN", "11月24日 14:05（北京时间）"),
        ("Asia/Shanghai", "en", "Nov 24, 2:05 PM China time"),
        ("America/Los_Angeles", "en", "Nov 23, 10:05 PM PST"),
        ("America/Chicago", "zh-CN", "11月24日 00:05（北美中部标准时间）"),
    ],
)
def test_the_event_time_is_in_the_customers_zone_and_names_it(
    time_zone: str, locale: str, expected: str
) -> None:
    context = _context(sample_order(), K.ORDER_CONFIRMED, locale, time_zone=time_zone)
    assert context["occurred_at"] == expected


def _scan(status: str, at: str, recorded_at: str, shipment_id: str) -> TimelineEntry:
    """A carrier entry as the order reader returns it (details read back from the shipment)."""
    return TimelineEntry(
        status=status,
        at=at,
        by="carrier:aftership",
        details={"shipment_id": shipment_id, "recorded_at": recorded_at},
    )


def test_a_delivery_is_told_at_the_carriers_time_not_when_it_was_processed() -> None:
    # Given the carrier scanned the delivery on May 15 (Madison, WI), then again on May 16, and
    # ordertrack applied the first scan on Dec 2
    shipment = tracked_shipment(1, [{"sku": "TEA-OOLONG-250G", "quantity": 2}], "delivered", False)
    sid, applied = shipment.shipment_id, "2026-12-02T11:02:00.000Z"
    move = TimelineEntry(
        status="delivered",
        at=applied,
        by="system:carrier-tracking",
        details={"shipment_id": sid, "tracking_status": "delivered"},
    )
    order = _with(
        sample_order(status="delivered"),
        [shipment],
        _scan("out_for_delivery", "2025-05-15T08:02:00-05:00", applied, sid),
        _scan("delivered", "2025-05-15T13:21:00-05:00", applied, sid),
        move,
        _scan("delivered", "2025-05-16T09:00:00-05:00", "2026-12-03T08:00:00.000Z", sid),
    )
    # When the message is rendered for a customer in Chicago's zone
    context = _context(order, K.ORDER_DELIVERED, "en", "America/Chicago", occurred_at=applied)
    # Then it tells the carrier's (first) delivered scan, with the year (not this year's) and the zone
    assert context["occurred_at"] == "May 15, 2025, 1:21 PM CDT"
    zh = _context(order, K.ORDER_DELIVERED, "zh-CN", "Asia/Shanghai", occurred_at=applied)
    assert zh["occurred_at"] == "2025年5月16日 02:21（北京时间）"


def test_the_last_update_is_the_latest_scan_that_reached_the_order_by_then() -> None:
    shipment = tracked_shipment(1, [{"sku": "TEA-OOLONG-250G", "quantity": 2}], "in_transit", False)
    sid = shipment.shipment_id
    move = TimelineEntry(
        status="in_transit",
        at="2026-11-24T06:00:00.000Z",
        by="system:carrier-tracking",
        details={"shipment_id": sid, "tracking_status": "in_transit"},
    )
    order = _with(
        sample_order(status="in_transit"),
        [shipment],
        _scan("in_transit", "2026-11-23T20:00:00+08:00", "2026-11-24T06:00:00.000Z", sid),
        _scan("in_transit", "2026-11-24T09:30:00+08:00", "2026-11-24T06:00:00.000Z", sid),
        move,
        _scan("in_transit", "2026-11-24T13:00:00+08:00", "2026-11-24T07:00:00.000Z", sid),  # later
        _scan("in_transit", "2026-11-24T12:00:00+08:00", "2026-11-24T05:00:00.000Z", "shp_other"),
    )
    assert _context(order, K.ORDER_IN_TRANSIT, "zh-CN")["occurred_at"] == "11月24日 09:30（北京时间）"


def test_a_move_of_ordertracks_own_is_told_at_the_events_time() -> None:
    # a delay the delay check flagged names no tracking status: the event's own time
    shipment = tracked_shipment(1, [{"sku": "TEA-OOLONG-250G", "quantity": 2}], "delivery_exception", False)
    flag = TimelineEntry(
        status="delivery_exception",
        at="2026-11-24T06:05:00.000Z",
        by="system:delay-check",
        details={"shipment_id": shipment.shipment_id, "reason": "stalled"},
    )
    order = _with(sample_order(status="delivery_exception"), [shipment], flag)
    assert _context(order, K.ORDER_DELIVERY_EXCEPTION, "en")["occurred_at"] == "Nov 24, 2:05 PM China time"


def test_a_carrier_entry_is_told_at_its_own_time_and_ordertracks_own_events_at_theirs() -> None:
    shipment = tracked_shipment(1, [{"sku": "TEA-OOLONG-250G", "quantity": 2}], "in_transit", False)
    scan = TimelineEntry(status="in_transit", at="2026-11-24T01:00:00+08:00", by="carrier:kuaidi100")
    order = _with(sample_order(status="in_transit"), [shipment], scan)
    assert _context(order, K.ORDER_IN_TRANSIT, "zh-CN")["occurred_at"] == "11月24日 01:00（北京时间）"
    # an event of ordertrack's own (a confirmation) is told at the event's time
    assert _context(sample_order(), K.ORDER_CONFIRMED, "zh-CN")["occurred_at"] == "11月24日 14:05（北京时间）"


def test_no_tracking_link_is_none() -> None:
    assert _context(sample_order(), K.ORDER_SHIPPED, tracking_url="")["tracking_url"] is None
    assert _context(sample_order(), K.ORDER_SHIPPED, tracking_url=None)["tracking_url"] is None


def test_out_of_stock_names_the_products_that_fit_the_sms_budget() -> None:
    items = [
        {"sku": "TEA-OOLONG-250G", "name": "Oolong, 250 g", "quantity": 2, "unit_price": "1.00"},
        {"sku": "CUP-CELADON", "name": "Celadon cup", "quantity": 2, "unit_price": "1.00"},
        {"sku": "POT-YIXING-CLAY-500ML", "name": "Yixing clay teapot", "quantity": 2, "unit_price": "1.00"},
    ]
    short = [{"sku": item["sku"], "requested": 2, "available": 0} for item in items]
    order = sample_order(items=items, short_items=short)
    zh_order = sample_order(
        items=[
            {**item, "name": name}
            for item, name in zip(items, ["乌龙茶", "青瓷杯", "宜兴紫砂壶"], strict=True)
        ],
        short_items=short,
    )

    en = _context(order, K.ORDER_OUT_OF_STOCK, "en")
    zh_linked = _context(zh_order, K.ORDER_OUT_OF_STOCK, "zh-CN")
    zh = _context(zh_order, K.ORDER_OUT_OF_STOCK, "zh-CN", tracking_url=None)

    # en: 40 characters ("Oolong, 250 g, Celadon cup, Yixing clay teapot" is 46)
    assert (en["sms_short_names"], en["sms_more_names"]) == (["Oolong, 250 g", "Celadon cup"], 1)
    assert (zh_linked["sms_short_names"], zh_linked["sms_more_names"]) == (["乌龙茶", "青瓷杯"], 1)  # 10
    assert (zh["sms_short_names"], zh["sms_more_names"]) == (
        ["乌龙茶", "青瓷杯"],
        1,
    )  # 14: the third needs 7 more
    assert en["short_items"][2] == {
        "sku": "POT-YIXING-CLAY-500ML",
        "name": "Yixing clay teapot",
        "requested": 2,
        "available": 0,
    }


# -- shipments -----------------------------------------------------------------------------------


def test_shipments_carry_the_carrier_name_for_the_locale() -> None:
    order = order_for(typical(K.ORDER_SHIPPED), "zh-CN")

    zh = _context(order, K.ORDER_SHIPPED, "zh-CN")
    en = _context(order, K.ORDER_SHIPPED, "en")

    assert zh["shipment"] == {
        "shipment_id": "shp_00000000000000000001",
        "carrier": "顺丰速运",
        "carrier_code": "sf-express",
        "sms_carrier": "顺丰速运",
        "tracking_number": "SF1234567890121",
        "lines": [{**line, "name": PRODUCT_NAMES["zh-CN"][line["sku"]]} for line in LINES],
        "line_count": 2,
        "item_count": 3,
        "status": "shipped",
        "status_text": "已发货",
        "replacement": False,
    }
    assert (en["shipment"]["carrier"], en["shipment"]["status_text"]) == ("SF Express", "Shipped")
    assert zh["shipments"] == zh["event_shipments"] == [zh["shipment"]]


def test_a_long_carrier_name_is_left_out_of_the_sms() -> None:
    shipment = Shipment(
        shipment_id="shp_1",
        carrier="deutsche-post-dhl-ecommerce-asia",
        tracking_number="420902109400111899223397658538",
        lines=LINES,
        status="shipped",
        created_at=OCCURRED_AT,
    )
    context = _context(_with(sample_order(status="shipped"), [shipment]), K.ORDER_SHIPPED)
    assert context["shipment"]["carrier"] == "deutsche-post-dhl-ecommerce-asia"
    assert context["shipment"]["sms_carrier"] is None


def test_the_event_shipment_is_the_one_its_timeline_entry_names() -> None:
    first = tracked_shipment(1, LINES[:1], "in_transit", worst=False)
    second = tracked_shipment(2, LINES[1:], "in_transit", worst=False)
    entry = TimelineEntry(
        status="in_transit",
        at=OCCURRED_AT,
        by="system:carrier-tracking",
        details={"shipment_id": second.shipment_id},
    )
    order = _with(sample_order(status="in_transit"), [first, second], entry)

    context = _context(order, K.ORDER_IN_TRANSIT)

    assert context["shipment"]["shipment_id"] == second.shipment_id
    assert [s["shipment_id"] for s in context["shipments"]] == [first.shipment_id, second.shipment_id]


def test_a_later_entry_of_the_same_status_is_not_the_event() -> None:
    first = tracked_shipment(1, LINES[:1], "in_transit", worst=False)
    second = tracked_shipment(2, LINES[1:], "in_transit", worst=False)
    entries = [
        TimelineEntry(
            status="in_transit", at=OCCURRED_AT, by="c", details={"shipment_id": first.shipment_id}
        ),
        TimelineEntry(
            status="in_transit",
            at="2026-11-25T00:00:00Z",
            by="c",
            details={"shipment_id": second.shipment_id},
        ),
    ]
    order = _with(sample_order(status="in_transit"), [first, second], *entries)

    assert _context(order, K.ORDER_IN_TRANSIT)["shipment"]["shipment_id"] == first.shipment_id


def test_without_a_timeline_entry_the_shipments_in_the_kinds_status_are_the_event() -> None:
    delivered = tracked_shipment(1, LINES[:1], "delivered", worst=False)
    on_its_way = tracked_shipment(2, LINES[1:], "in_transit", worst=False)
    order = _with(sample_order(status="in_transit"), [delivered, on_its_way])

    assert _context(order, K.ORDER_IN_TRANSIT)["shipment"]["shipment_id"] == on_its_way.shipment_id
    assert _context(order, K.ORDER_SHIPPED)["shipment"]["shipment_id"] == on_its_way.shipment_id  # newest


def test_partial_shipment_lists_what_is_still_to_come() -> None:
    context = _context(order_for(typical(K.ORDER_PARTIALLY_SHIPPED), "en"), K.ORDER_PARTIALLY_SHIPPED)
    assert context["shipment"]["lines"] == [{**LINES[0], "name": "Tieguanyin oolong, 250 g"}]
    assert context["unshipped_items"] == [{"sku": "CUP-CELADON", "name": "Celadon tea cup", "quantity": 1}]
    assert context["unshipped_count"] == 1


def test_non_shipment_kinds_have_no_event_shipment() -> None:
    order = order_for(typical(K.ORDER_SHIPPED), "en")
    context = _context(order, K.ORDER_CANCELLED)
    assert context["shipment"] is None and context["event_shipments"] == []
    assert len(context["shipments"]) == 1


# -- estimated delivery --------------------------------------------------------------------------


def _in_transit(estimated_delivery: str | None) -> OrderRecord:
    shipment = tracked_shipment(
        1,
        LINES,
        "in_transit",
        worst=False,
        tracking_status="in_transit",
        estimated_delivery=estimated_delivery,
    )
    return _with(sample_order(status="in_transit"), [shipment])


@pytest.mark.parametrize(
    ("estimated", "locale", "long", "short"),
    [
        ("2026-11-26", "zh-CN", "11月26日（周四）", "11月26日"),
        ("2026-11-26", "en", "Thu, Nov 26", "Nov 26"),
        ("2026-11-25T20:00:00Z", "zh-CN", "11月26日（周四）", "11月26日"),  # 04:00 on the 26th in Shanghai
        ("2027-01-02", "en", "Sat, Jan 2, 2027", "Jan 2, 2027"),  # another year: say which
        ("2026-11-20", "en", None, None),  # already past: not shown
        (None, "en", None, None),
        ("soon", "en", None, None),
    ],
)
def test_estimated_delivery(estimated: str | None, locale: str, long: str | None, short: str | None) -> None:
    context = _context(_in_transit(estimated), K.ORDER_IN_TRANSIT, locale)
    assert (context["estimated_delivery"], context["sms_estimated_delivery"]) == (long, short)


def test_no_estimated_delivery_once_delivered() -> None:
    assert _context(_in_transit("2026-11-26"), K.ORDER_DELIVERED)["estimated_delivery"] is None


def test_a_shipment_record_without_the_tracking_fields_is_fine() -> None:
    order = order_for(typical(K.ORDER_SHIPPED), "en")
    plain = [Shipment.model_validate(s.model_dump()) for s in order.shipments]
    context = _context(order.model_copy(update={"shipments": plain}), K.ORDER_SHIPPED)
    assert context["estimated_delivery"] is None and context["shipment"]["tracking_number"]


# -- last mile, delivery, problems ---------------------------------------------------------------


def test_a_parcel_at_a_pick_up_point_is_ready_for_pickup() -> None:
    locker = Variant(K.ORDER_OUT_FOR_DELIVERY, False, "locker_or_station", "available_for_pickup")
    van = Variant(K.ORDER_OUT_FOR_DELIVERY, False, None, "out_for_delivery")
    assert _context(order_for(locker, "en"), K.ORDER_OUT_FOR_DELIVERY)["ready_for_pickup"] is True
    assert _context(order_for(van, "en"), K.ORDER_OUT_FOR_DELIVERY)["ready_for_pickup"] is False


def test_delivered_to_someone_else_says_so() -> None:
    variant = Variant(K.ORDER_DELIVERED, False, "signed_by_other", "delivered")
    zh = _context(order_for(variant, "zh-CN"), K.ORDER_DELIVERED, "zh-CN")
    assert zh["delivered_note"] == "包裹已由他人代签收（如门卫或快递驿站）。"
    plain = Variant(K.ORDER_DELIVERED, False, None, "delivered")
    assert _context(order_for(plain, "en"), K.ORDER_DELIVERED)["delivered_note"] is None


@pytest.mark.parametrize(
    ("reason", "tracking_status", "problem"),
    [
        ("stalled", "delivery_exception", "stalled"),
        ("late", "delivery_exception", "late"),
        ("recipient_unavailable", "attempt_fail", "failed_attempt"),
        (None, "attempt_fail", "failed_attempt"),  # no reason: the status decides
        ("weather", "delivery_delayed", "weather"),
        ("address_issue", "exception", "address_issue"),
        ("customer_moved", "exception", "address_issue"),
        ("refused", "exception", "refused"),
        ("lost", "exception", "lost"),
        ("damaged", "exception", "damaged"),
        ("customs_hold", "on_hold", "customs"),
        ("returning", "return_to_sender", "returning"),
        ("other", "exception", "unknown"),
        (None, None, "unknown"),
    ],
)
def test_delivery_problems_in_plain_words(
    reason: str | None, tracking_status: str | None, problem: str
) -> None:
    variant = Variant(K.ORDER_DELIVERY_EXCEPTION, False, reason, tracking_status)
    order = order_for(variant, "en")

    en = _context(order, K.ORDER_DELIVERY_EXCEPTION, "en")
    zh = _context(order, K.ORDER_DELIVERY_EXCEPTION, "zh-CN")

    assert delivery_problem(reason, tracking_status) == problem
    assert en["exception"] == {"reason": problem, **locale_copy("en").problems[problem]}
    assert zh["exception"]["reason"] == problem and zh["exception"]["sms"]


def test_the_reason_falls_back_to_the_shipment_record() -> None:
    shipment = tracked_shipment(
        1, LINES, "delivery_exception", worst=False, tracking_status="exception", status_reason="refused"
    )
    entry = TimelineEntry(status="delivery_exception", at=OCCURRED_AT, by="c", details={"shipment_id": "x"})
    order = _with(sample_order(status="delivery_exception"), [shipment], entry)
    assert _context(order, K.ORDER_DELIVERY_EXCEPTION)["exception"]["reason"] == "refused"


def test_only_delivery_exceptions_have_an_exception() -> None:
    assert _context(order_for(typical(K.ORDER_SHIPPED), "en"), K.ORDER_SHIPPED)["exception"] is None


PROBLEM_STATUSES = {
    TrackingStatus.ATTEMPT_FAIL,
    TrackingStatus.EXCEPTION,
    TrackingStatus.DELIVERY_DELAYED,
    TrackingStatus.ON_HOLD,
    TrackingStatus.CANCELLED,
    TrackingStatus.RETURN_TO_SENDER,
}
GENERIC_REASONS = {"other", "problem_shipment", "delivery_exception", "rejected_by_carrier"}


def test_every_problem_reason_the_carrier_tables_produce_has_its_own_words() -> None:
    """A reason added to the carrier tables must be sorted into a problem here (or be generic)."""
    produced = {
        (status, reason)
        for table in vars(status_tables).values()
        if isinstance(table, dict)
        for mapping in table.values()
        if isinstance(mapping, tuple)
        for status, reason in [mapping]
        if status in PROBLEM_STATUSES and reason
    }
    unsorted = {
        reason
        for status, reason in produced
        if delivery_problem(reason, status) == "unknown" and reason not in GENERIC_REASONS
    }
    assert produced and not unsorted
    assert {"stalled", "late"} <= set(PROBLEM_BY_REASON)  # the delay check's own reasons


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_every_problem_has_its_words_in_every_locale(locale: str) -> None:
    copy = locale_copy(locale)
    assert set(copy.problems) == set(PROBLEMS)
    for problem, words in copy.problems.items():
        assert set(words) == {"headline", "summary", "advice", "sms"}, problem
        assert all(words.values()), problem
        if locale == "en":  # short enough for one segment without a link, and GSM-7
            assert len(words["sms"]) <= 64 and sms_size(words["sms"]).encoding is SmsEncoding.GSM7, problem
        else:
            assert len(words["sms"]) <= 26, problem
