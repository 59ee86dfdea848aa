"""What the tracking page shows besides the timeline: where the parcel is on five steps, the
estimate in big type, the carrier's own tracking page, the shop and how to reach it, products by
name and the order by its number."""

from __future__ import annotations

import pytest

from carriers.domain.carrier_catalog import public_tracking_url
from shared.brand import Brand
from shared.order_numbers import short_order_code
from tests.unit.tracking_page.conftest import Outline
from tests.unit.tracking_page.fakes import a_shipment, a_tracked_order, checkpoint
from tracking_page.progress import progress
from tracking_page.read_model import TrackedOrder
from tracking_page.rendering import order_reference, render_tracking_page

BRAND = Brand(
    shop_name={"en": "Leaf & Cup", "zh-CN": "叶与杯"},
    logo_url="https://cdn.leafcup.example/logo.png",
    support_email="help@leafcup.example",
    support_phone="+86 21 5555 0100",
    support_url="https://leafcup.example/help",
    order_page_url="https://leafcup.example/orders/{order_number}",
)


def with_order_number(tracked: TrackedOrder, number: str) -> TrackedOrder:
    """The order as the storefront numbered it (`order_number`, optional on orders)."""
    return tracked.model_copy(update={"order": tracked.order.model_copy(update={"order_number": number})})


def stages(html: str) -> list[tuple[str, str | None]]:
    return [
        (attributes["class"].split()[-1], attributes.get("aria-current"))
        for tag, attributes in Outline(html).elements
        if tag == "li" and "stage" in (attributes.get("class") or "").split()
    ]


@pytest.mark.parametrize(
    ("status", "scans", "expected_step", "problem"),
    [
        ("confirmed", None, 0, False),
        ("shipped", ["info_received"], 1, False),
        ("in_transit", ["info_received", "in_transit"], 2, False),
        ("out_for_delivery", ["in_transit", "out_for_delivery"], 3, False),
        ("delivered", ["out_for_delivery", "delivered"], 4, False),
        ("delivery_exception", ["out_for_delivery", "attempt_fail"], 3, True),
        ("returned_to_sender", ["in_transit", "return_to_sender"], 2, True),  # as far as it got
        ("cancelled", None, 0, True),
    ],
)
def test_the_stepper_shows_the_step_reached_and_a_problem_there(
    status: str, scans: list[str] | None, expected_step: int, problem: bool
) -> None:
    shipments = []
    if scans is not None:
        checkpoints = [
            checkpoint(f"2025-07-0{day}T10:00:00+08:00", scan) for day, scan in enumerate(scans, 1)
        ]
        shipments = [a_shipment(status=status, tracking_status=scans[-1], checkpoints=checkpoints)]
    tracked = a_tracked_order(*shipments, status=status)

    reached = progress(tracked.order, tracked.shipments)
    shown = stages(render_tracking_page(tracked, "en", BRAND))

    assert (reached.step, reached.problem) == (expected_step, problem)
    assert len(shown) == 5 and [current for _, current in shown].index("step") == expected_step
    states = [state for state, _ in shown]
    assert states[:expected_step] == ["stage-done"] * expected_step
    assert states[expected_step] in (("stage-problem",) if problem else ("stage-current", "stage-done"))
    assert set(states[expected_step + 1 :]) <= {"stage-todo"}


def test_the_estimate_is_in_big_type_and_the_carrier_links_to_its_own_tracking_page() -> None:
    html = render_tracking_page(a_tracked_order(a_shipment()), "zh-CN", BRAND)
    page = Outline(html)

    assert '<time class="estimate-date" datetime="2025-07-03">2025年7月3日 周四</time>' in html
    carrier_links = [
        a["href"] for tag, a in page.elements if tag == "a" and "sf-express.com" in (a["href"] or "")
    ]
    assert carrier_links == ["https://www.sf-express.com/chn/sc/waybill/waybill-detail/SF1000000001"]
    assert "在顺丰速运官网查询" in page.plain_text


def test_carriers_without_a_known_page_get_no_link_and_numbers_are_escaped_in_links() -> None:
    assert public_tracking_url("some-local-courier", "123") is None
    assert public_tracking_url("UPS", "1Z 999/AA1") == (
        "https://wwwapps.ups.com/WebTracking/track?track=yes&trackNums=1Z%20999%2FAA1"
    )
    html = render_tracking_page(a_tracked_order(a_shipment(carrier="some-local-courier")), "en", BRAND)
    assert "carrier-link" not in html.split("</style>", 1)[1]


def test_the_shop_its_logo_and_every_way_to_reach_it_are_on_the_page() -> None:
    tracked = with_order_number(a_tracked_order(a_shipment()), "LC-10293")
    page = Outline(render_tracking_page(tracked, "en", BRAND))
    hrefs = {a.get("href") for tag, a in page.elements if tag == "a"}
    images = [a for tag, a in page.elements if tag == "img"]

    assert "Leaf & Cup" in page.plain_text
    assert {
        "mailto:help@leafcup.example",
        "tel:+862155550100",
        "https://leafcup.example/help",
        "https://leafcup.example/orders/LC-10293",
    } <= hrefs
    assert images[0]["src"] == "https://cdn.leafcup.example/logo.png" and images[0]["alt"] == ""
    assert "叶与杯" in Outline(render_tracking_page(tracked, "zh-CN", BRAND)).plain_text


def test_products_are_named_and_pictured_and_the_order_is_known_by_its_number() -> None:
    tracked = with_order_number(a_tracked_order(a_shipment()), "LC-10293")
    oolong = tracked.order.items[0]
    named = oolong.model_copy(
        update={"name": "Tieguanyin oolong 250 g", "image_url": "https://cdn.leafcup.example/oolong.jpg"}
    )
    gaiwan = oolong.model_copy(update={"sku": "CUP-GAIWAN", "quantity": 1, "name": None, "image_url": None})
    order = tracked.order.model_copy(update={"items": [named, gaiwan]})
    tracked = tracked.model_copy(update={"order": order})
    html = render_tracking_page(tracked, "en", BRAND)
    text = Outline(html).plain_text

    assert "Tieguanyin oolong 250 g" in text and "Tieguanyin oolong 250 g \u00d7 2" in text
    assert "CUP-GAIWAN" in text  # no name given: the SKU, not nothing
    assert 'src="https://cdn.leafcup.example/oolong.jpg"' in html
    assert "LC-10293" in text and "ord_page0001" not in text


def test_an_order_without_a_number_is_shown_by_its_short_code_never_its_id() -> None:
    html = render_tracking_page(a_tracked_order(a_shipment()), "en", BRAND)

    assert order_reference(a_tracked_order().order) == short_order_code("ord_page0001")
    assert short_order_code("ord_page0001") in html and "ord_page0001" not in html


def test_a_long_tracking_number_is_one_unbreakable_scrollable_unit() -> None:
    number = "JD0123456789012345678901234567890123"
    page = Outline(render_tracking_page(a_tracked_order(a_shipment(tracking_number=number)), "en", BRAND))

    spans = [a for tag, a in page.elements if tag == "span" and "tracking-number" in (a.get("class") or "")]
    assert spans and spans[0]["tabindex"] == "0"  # keyboard users can scroll it
    rule = next(line for line in page.style.splitlines() if line.startswith(".tracking-number"))
    assert "white-space:nowrap" in rule and "overflow-wrap:normal" in rule and "overflow-x:auto" in rule


def test_a_delivered_checkpoint_on_one_parcel_does_not_make_the_order_delivered() -> None:
    first = a_shipment(
        1,
        checkpoints=[checkpoint("2025-07-02T10:00:00+08:00", "delivered")],
        tracking_status="delivered",
        status="delivered",
    )
    second = a_shipment(2)
    tracked = a_tracked_order(first, second, status="partially_shipped")

    assert progress(tracked.order, tracked.shipments).step == 3
