"""The console's order page and its actions (cancel, edit the address, reship), search by every
kind and the customer page, over fakes with the DynamoDB adapters' rules (docs/console.md,
"Orders, customers, search and stock")."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from console.ports import ConsoleServices
from orders.domain.place_order import place_order
from orders.models.api import (
    CreateOrderRequest,
    Shipment,
    ShipmentLine,
    TimelineEntry,
    TrackingRegistrationView,
)
from orders.models.order import OrderRecord, OrderStatus
from tests.factories import order_body
from tests.fakes.console_orders import Desk, LedgerWithLevels, SearchableOrders, contact_hasher
from tests.fakes.customers import InMemoryCustomerStore
from tests.fakes.orders import FrozenClock
from tests.unit.console.conftest import mint
from tests.unit.console.test_routes import csrf_fields, request

AGENT_NAME = "agent@local"


@pytest.fixture
def desk(services: ConsoleServices, clock: FrozenClock) -> Desk:
    orders = SearchableOrders()
    ledger = LedgerWithLevels(orders, {"TEA-OOLONG-250G": 10, "CUP-PORCELAIN": 5})
    fakes = Desk(orders=orders, ledger=ledger, clock=clock)
    services.orders = orders
    services.desk = fakes.desk()
    return fakes


def placed(desk: Desk, key: str = "k", **overrides: Any) -> OrderRecord:
    body = CreateOrderRequest.model_validate(order_body(**overrides))
    return place_order(body, key, desk.orders, desk.clock, contact_hasher).order


def moved_to(desk: Desk, order: OrderRecord, status: str) -> OrderRecord:
    stored = desk.orders.get(order.order_id)
    assert stored is not None
    entry = TimelineEntry(status=status, at=stored.updated_at, by="test")
    desk.orders.orders[order.order_id] = stored.model_copy(
        update={"status": OrderStatus(status), "timeline": [*stored.timeline, entry]}
    )
    return desk.orders.orders[order.order_id]


def get(services: ConsoleServices, clock: FrozenClock, path: str) -> dict[str, Any]:
    return request(services, "GET", path, token=mint(clock))


def post(services: ConsoleServices, clock: FrozenClock, path: str, form: dict[str, str]) -> dict[str, Any]:
    page_path = path.rsplit("/", 1)[0] if "/console/orders/" in path else "/console/today"
    fields = csrf_fields(get(services, clock, page_path)["body"])
    return request(services, "POST", path, {**fields, **form}, token=mint(clock))


def test_the_order_page_shows_shipments_with_registration_and_checkpoints_cases_and_returns(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = moved_to(desk, placed(desk), "in_transit")
    shipment = Shipment(
        shipment_id="shp_1",
        carrier="sf-express",
        tracking_number="SF1234567890",
        lines=[ShipmentLine(sku="TEA-OOLONG-250G", quantity=2)],
        status="shipped",
        created_at=order.created_at,
        tracking_status="in_transit",
        tracking_registration=TrackingRegistrationView(provider="kuaidi100", status="registered"),
    )
    checkpoint = TimelineEntry(
        status="in_transit",
        at="2026-11-24T11:00:00+00:00",
        by="carrier:kuaidi100",
        details={"shipment_id": "shp_1", "location": "Shanghai hub", "message": "Departed the hub"},
    )
    desk.orders.orders[order.order_id] = order.model_copy(
        update={"shipments": [shipment], "timeline": [*order.timeline, checkpoint]}
    )
    desk.cases.by_order[order.order_id] = [
        SimpleNamespace(
            complaint_id="cmp_1", category="damage", status="open", priority="high", opened_at="x"
        )
    ]
    services.returns = SimpleNamespace(  # type: ignore[assignment]
        returns=lambda order_id: [
            SimpleNamespace(
                return_id="ret_1", status="requested", resolution="refund", reason_code=None, requested_at="y"
            )
        ]
    )
    page = get(services, clock, f"/console/orders/{order.order_id}?lang=en")
    body = page["body"]
    assert page["statusCode"] == 200
    assert "Carrier registration: kuaidi100 · <strong>registered</strong>" in body
    assert "Shanghai hub" in body and "Departed the hub" in body and "Checkpoints (1)" in body
    assert 'href="/console/cases/cmp_1?lang=en"' in body
    assert f'href="/console/returns/{order.order_id}/ret_1?lang=en"' in body
    assert 'href="/console/customers/cust-1001?lang=en"' in body
    # in transit: no cancel, no edit, no reship
    assert "No action is possible in this status." in body and "/cancel" not in body


def test_an_agent_cancels_an_order_on_its_timeline_and_a_second_cancel_changes_nothing(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = placed(desk)
    page = get(services, clock, f"/console/orders/{order.order_id}?lang=en")
    assert 'action="/console/orders/' + order.order_id + '/cancel?lang=en"' in page["body"]
    response = post(
        services, clock, f"/console/orders/{order.order_id}/cancel?lang=en", {"reason": "customer called"}
    )
    assert response["statusCode"] == 303
    assert response["headers"]["Location"] == f"/console/orders/{order.order_id}?lang=en&done=cancelled"
    cancelled = desk.orders.get(order.order_id)
    assert cancelled is not None and cancelled.status == OrderStatus.CANCELLED
    assert cancelled.timeline[-1].by == AGENT_NAME
    assert cancelled.timeline[-1].details == {"reason": "customer called"}
    after = get(services, clock, response["headers"]["Location"])
    assert "The order is cancelled." in after["body"]


def test_cancelling_a_shipped_order_is_a_409_page_that_changes_nothing(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = moved_to(desk, placed(desk), "shipped")
    response = post(services, clock, f"/console/orders/{order.order_id}/cancel?lang=en", {})
    assert response["statusCode"] == 409
    assert "it cannot become cancelled" in response["body"] and 'role="alert"' in response["body"]
    assert desk.orders.get(order.order_id).status == OrderStatus.SHIPPED  # type: ignore[union-attr]


ADDRESS = {
    "name": "Wang Fang",
    "line1": "88 Century Avenue",
    "line2": "",
    "city": "Shanghai",
    "region": "",
    "postal_code": "200120",
    "country": "cn",
}


def test_an_agent_edits_the_shipping_address_once_per_form(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = placed(desk)
    path = f"/console/orders/{order.order_id}/edit?lang=en"
    fields = csrf_fields(get(services, clock, f"/console/orders/{order.order_id}")["body"])
    response = request(services, "POST", path, {**fields, **ADDRESS}, token=mint(clock))
    assert response["statusCode"] == 303 and response["headers"]["Location"].endswith("done=edited")
    edited = desk.orders.get(order.order_id)
    assert edited is not None
    assert edited.shipping_address.line1 == "88 Century Avenue" and edited.shipping_address.line2 is None
    entry = edited.timeline[-1]
    assert entry.by == AGENT_NAME and entry.details and entry.details["changed"] == ["shipping_address"]
    again = request(services, "POST", path, {**fields, **ADDRESS}, token=mint(clock))  # the same form resent
    assert again["statusCode"] == 303
    assert desk.orders.get(order.order_id).version == edited.version  # type: ignore[union-attr]
    assert [event.event_type for event in desk.events.published] == ["order.updated", "order.updated"]


def test_an_address_the_intake_model_refuses_is_a_422_page_that_changes_nothing(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = placed(desk)
    response = post(
        services,
        clock,
        f"/console/orders/{order.order_id}/edit?lang=en",
        {**ADDRESS, "city": "", "country": "XX"},
    )
    assert response["statusCode"] == 422
    assert "shipping_address.city" in response["body"] and "shipping_address.country" in response["body"]
    assert desk.orders.get(order.order_id).version == order.version  # type: ignore[union-attr]


def test_reship_is_offered_and_opened_only_when_the_reshipment_rules_allow_it(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    received = placed(desk, "k1")
    assert "/reship" not in get(services, clock, f"/console/orders/{received.order_id}")["body"]
    refused = post(services, clock, f"/console/orders/{received.order_id}/reship?lang=en", {})
    assert refused["statusCode"] == 409 and "can be reshipped" in refused["body"]

    failed = moved_to(desk, placed(desk, "k2"), "delivery_exception")
    page = get(services, clock, f"/console/orders/{failed.order_id}?lang=en")
    assert f'action="/console/orders/{failed.order_id}/reship?lang=en"' in page["body"]
    response = post(services, clock, f"/console/orders/{failed.order_id}/reship?lang=en", {"note": "lost"})
    assert response["statusCode"] == 303 and response["headers"]["Location"].endswith("done=reshipped")
    reshipped = desk.orders.get(failed.order_id)
    assert reshipped is not None and len(reshipped.reshipments) == 1
    assert reshipped.reshipments[0].by == AGENT_NAME and reshipped.timeline[-1].by == AGENT_NAME
    assert desk.ledger.reserved == {"TEA-OOLONG-250G": 2, "CUP-PORCELAIN": 1}


def test_the_reship_form_chooses_the_units_per_product_and_refuses_bad_quantities(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    failed = moved_to(desk, placed(desk), "delivery_exception")  # 2 teas, 1 cup
    path = f"/console/orders/{failed.order_id}"
    body = get(services, clock, f"{path}?lang=en")["body"]
    assert 'name="quantity.TEA-OOLONG-250G" min="0" max="2" value="2"' in body
    assert 'name="quantity.CUP-PORCELAIN" min="0" max="1" value="1"' in body

    for form, status in (
        ({"quantity.TEA-OOLONG-250G": "0", "quantity.CUP-PORCELAIN": "0"}, 422),  # nothing chosen
        ({"quantity.TEA-OOLONG-250G": "1.5", "quantity.CUP-PORCELAIN": "0"}, 422),
        ({"quantity.TEA-OOLONG-250G": "3", "quantity.CUP-PORCELAIN": "0"}, 409),  # more than ordered
        ({"quantity.ESPRESSO": "1"}, 409),  # not on the order
    ):
        refused = post(services, clock, f"{path}/reship?lang=en", form)
        assert refused["statusCode"] == status, form
    assert desk.orders.get(failed.order_id).reshipments == []  # type: ignore[union-attr]
    assert desk.ledger.reserved == {}

    chosen = {"quantity.TEA-OOLONG-250G": "1", "quantity.CUP-PORCELAIN": "0", "note": "one tea lost"}
    response = post(services, clock, f"{path}/reship?lang=en", chosen)
    assert response["statusCode"] == 303, response["body"]
    assert desk.ledger.reserved == {"TEA-OOLONG-250G": 1}
    body = get(services, clock, f"{path}?lang=en")["body"]  # what is left to reship
    assert 'name="quantity.TEA-OOLONG-250G" min="0" max="1" value="1"' in body
    assert 'name="quantity.CUP-PORCELAIN" min="0" max="1" value="1"' in body


def test_an_unknown_action_or_order_is_a_404_page(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = placed(desk)
    assert post(services, clock, f"/console/orders/{order.order_id}/refund", {})["statusCode"] == 404
    assert post(services, clock, "/console/orders/ord_nope/cancel", {})["statusCode"] == 404
    assert get(services, clock, "/console/orders/ord_nope")["statusCode"] == 404


def search(services: ConsoleServices, clock: FrozenClock, query: str) -> dict[str, Any]:
    from urllib.parse import quote

    return get(services, clock, f"/console/search?lang=en&q={quote(query)}")


def test_search_finds_an_order_by_phone_email_order_number_and_tracking_number(
    services: ConsoleServices, clock: FrozenClock, desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    order = placed(desk, order_number="SO-88001")
    desk.orders.orders[order.order_id] = order.model_copy(
        update={
            "shipments": [
                Shipment(
                    shipment_id="shp_1",
                    carrier="sf-express",
                    tracking_number="SF1234567890",
                    lines=[],
                    status="shipped",
                    created_at=order.created_at,
                )
            ]
        }
    )
    opened = f"/console/orders/{order.order_id}?lang=en"
    for query in ("+86 138-0013-8000", " Li.Wei@Example.COM ", "SO-88001", "sf1234567890", order.order_id):
        response = search(services, clock, query)
        assert response["statusCode"] == 303, query
        assert response["headers"]["Location"] == opened, query
    searches = [record for record in caplog.records if record.getMessage() == "console search"]
    assert len(searches) == 5
    logged = " ".join(str(value) for record in caplog.records for value in record.__dict__.values()).lower()
    for personal in ("138-0013", "8613800138000", "li.wei", "example.com", "so-88001", "sf1234567890"):
        assert personal not in logged


def test_several_orders_of_one_phone_are_listed_with_their_customer_and_none_is_a_404(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    first, second = placed(desk, "k1"), placed(desk, "k2")
    response = search(services, clock, "+8613800138000")
    assert response["statusCode"] == 200
    body = response["body"]
    assert f"/console/orders/{first.order_id}" in body and f"/console/orders/{second.order_id}" in body
    assert 'href="/console/customers/cust-1001?lang=en"' in body
    nothing = search(services, clock, "+8613900139000")
    assert nothing["statusCode"] == 404 and "No order matches." in nothing["body"]
    assert search(services, clock, "nobody@example.com")["statusCode"] == 404
    invalid = search(services, clock, "+12")
    assert invalid["statusCode"] == 422 and "phone is not valid" in invalid["body"]


def test_a_national_number_is_searched_as_a_phone_of_the_stages_regions(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = placed(desk)  # the customer's phone is +8613800138000
    assert search(services, clock, "138 0013 8000")["statusCode"] == 404  # no region: not a phone

    services.desk.phone_regions = ("US", "CN")
    for query in ("13800138000", "138-0013-8000", "138 0013 8000"):
        response = search(services, clock, query)
        assert response["statusCode"] == 303, query
        assert response["headers"]["Location"] == f"/console/orders/{order.order_id}?lang=en"
    assert search(services, clock, "13900139000")["statusCode"] == 404


def test_search_kinds_reads_a_bare_number_in_each_region_where_it_is_valid() -> None:
    from console.views.search import search_kinds

    assert search_kinds("13800138000", ("US", "CN")) == [
        ("number", "13800138000"),
        ("tracking", "13800138000"),
        ("phone", "+8613800138000"),
    ]
    assert ("phone", "+12025550123") in search_kinds("(202) 555-0123", ("US", "CN"))
    assert ("phone", "+8613800138000") not in search_kinds("13800138000", ("US",))
    assert search_kinds("+86 138 0013 8000", ("US",)) == [("phone", "+86 138 0013 8000")]
    assert search_kinds("li.wei@example.com", ("CN",)) == [("email", "li.wei@example.com")]
    assert all(kind != "phone" for kind, _ in search_kinds("SO-88001", ("CN", "US")))


def test_search_by_phone_without_a_lookup_key_says_it_is_not_configured(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    services.desk.hasher = None
    response = search(services, clock, "+8613800138000")
    assert response["statusCode"] == 503 and "not configured" in response["body"]


def test_the_customer_page_lists_orders_cases_returns_preferences_and_messages(
    services: ConsoleServices, clock: FrozenClock, desk: Desk
) -> None:
    order = placed(desk)
    store = InMemoryCustomerStore(
        [
            {
                "pk": f"ORDER#{order.order_id}",
                "sk": "ORDER",
                "entity": "order",
                **order.model_dump(mode="json"),
            },
            {
                "pk": f"ORDER#{order.order_id}",
                "sk": "RETURN#ret_1",
                "entity": "return",
                "return_id": "ret_1",
                "order_id": order.order_id,
                "status": "approved",
                "requested_at": "2026-11-24T10:00:00Z",
            },
            {
                "pk": "COMPLAINT#cmp_1",
                "sk": "COMPLAINT",
                "entity": "complaint",
                "complaint_id": "cmp_1",
                "customer_id": "cust-1001",
                "category": "damage",
                "status": "open",
                "opened_at": "2026-11-24T10:00:00Z",
            },
            {"pk": "CUSTOMER#cust-1001", "sk": "PREFERENCES", "entity": "preferences", "channels": "email"},
            {
                "pk": f"NOTIFY#{order.order_id}",
                "sk": "LOG#1",
                "entity": "notification",
                "channel": "email",
                "status": "sent",
                "at": "2026-11-24T10:00:01Z",
            },
        ]
    )
    services.desk.customers = store
    page = get(services, clock, "/console/customers/cust-1001?lang=en")
    body = page["body"]
    assert page["statusCode"] == 200 and "Customer cust-1001" in body
    assert f'href="/console/orders/{order.order_id}?lang=en"' in body
    assert 'href="/console/cases/cmp_1?lang=en"' in body
    assert f'href="/console/returns/{order.order_id}/ret_1?lang=en"' in body
    assert "<dt>channels</dt><dd>email</dd>" in body and "sent 1" in body
    assert get(services, clock, "/console/customers/nobody")["statusCode"] == 404
