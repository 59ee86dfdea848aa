# ruff: noqa: RUF001  (full-width Chinese punctuation is the text under test)
"""The survey page tells "editable until" in the customer's zone, named, by the same rule as the
messages (`shared.customer_time`): their preference, else their address, else their country."""

from __future__ import annotations

from datetime import timedelta

from service.domain.feedback_page import show_feedback_form, submit_feedback_form
from service.domain.links import feedback_token
from service.domain.rules import ServiceRules
from service.pages import render_page
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import DELIVERED_AT, InMemoryService, Orders, delivered_order

KEY = "test-link-key"
NOW = DELIVERED_AT + timedelta(days=1)  # answered then: editable for 7 days, until NOW + 7 days
RULES = ServiceRules()


class Zones:
    """Fake `TimeZonePreferences`: the zones customers chose."""

    def __init__(self, **zones: str) -> None:
        self.zones = zones

    def time_zone(self, customer_id: str) -> str | None:
        return self.zones.get(customer_id.replace("-", "_"))


def _answer(order_update: dict[str, object] | None = None, zones: Zones | None = None) -> tuple[str, str]:
    order = delivered_order()
    if order_update:
        order = order.model_copy(update=order_update)
    token = feedback_token(KEY, order.order_id, int((DELIVERED_AT + timedelta(days=30)).timestamp()))
    store, orders = InMemoryService(), Orders(order)
    thanks = submit_feedback_form(
        token, {"rating": ["5"]}, (KEY,), orders, store, RULES, FrozenClock(NOW), zones
    )
    form = show_feedback_form(token, (KEY,), orders, store, RULES, FrozenClock(NOW), zones)
    assert thanks.context["editable_until"] == form.context["editable_until"]
    assert thanks.context["editable_until"] in render_page(thanks)
    return thanks.locale, str(thanks.context["editable_until"])


def test_editable_until_is_in_the_shipping_countrys_zone_when_nothing_else_is_known() -> None:
    # NOW + 7 days = 2026-11-28 08:00 UTC
    assert _answer() == ("zh-CN", "2026年11月28日 16:00（北京时间）")


def test_editable_until_follows_the_customers_preferred_zone() -> None:
    assert _answer(zones=Zones(cust_1="America/Chicago")) == (
        "zh-CN",
        "2026年11月28日 02:00（北美中部标准时间）",
    )


def test_a_customer_in_wisconsin_reads_central_time_not_utc() -> None:
    order = delivered_order()
    address = order.shipping_address.model_copy(update={"country": "US", "region": "WI", "city": "Madison"})
    customer = order.customer.model_copy(update={"locale": "en", "phone": None})
    assert _answer({"shipping_address": address, "customer": customer}) == ("en", "Nov 28, 2026, 2:00 AM CST")
