"""Self-service from the tracking link: each form is a POST that works without JavaScript, carries a
CSRF token bound to the link, the action and a per-render nonce, is refused from another site, and
acts through the existing domains (complaints, returns and their window, notification preferences).
Bad input is a 4xx page that changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import urlencode

import pytest

from service.domain.rules import ServiceRules
from shared import links
from tests.factories import http_event
from tests.fakes.notifications import InMemoryPreferenceStore
from tests.fakes.orders import FrozenClock
from tests.unit.service.fakes import DELIVERED_AT, InMemoryService, RecordingEvents, delivered_order
from tests.unit.tracking_page.conftest import KEY
from tracking_page.page import PageServices
from tracking_page.read_model import TrackedOrder
from tracking_page.routes import serve
from tracking_page.self_service import SelfServicePorts

HOST = "track.example.com"
ORDER = delivered_order()  # two TEA-OOLONG-250G, delivered DELIVERED_AT
TOKEN = links.sign(KEY, ORDER.order_id)


class OneOrder:
    def __init__(self, tracked: TrackedOrder) -> None:
        self.tracked = tracked

    def tracked_order(self, order_id: str) -> TrackedOrder | None:
        return self.tracked if order_id == self.tracked.order.order_id else None


class Nonces:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"nonce-{self.count:012d}"


class World:
    def __init__(self, days_after_delivery: float = 2, rules: ServiceRules | None = None) -> None:
        self.service = InMemoryService()
        self.events = RecordingEvents()
        self.preferences = InMemoryPreferenceStore()
        self.clock = FrozenClock(DELIVERED_AT + timedelta(days=days_after_delivery))
        self.ports = SelfServicePorts(
            preferences=self.preferences,
            complaints=self.service,
            returns=self.service,
            events=self.events,
            rules=rules or ServiceRules(),
        )
        self.services = PageServices(
            accepted_keys=lambda: (KEY,),
            orders=OneOrder(TrackedOrder(order=ORDER, shipments=[])),
            self_service=self.ports,
            clock=self.clock,
            nonce=Nonces(),
        )

    def get(self, path: str) -> dict:
        event = http_event("GET", path, headers={"host": HOST})
        event["pathParameters"] = _parameters(path)
        return serve(event, self.services)

    def post(self, path: str, fields: dict | str, headers: dict | None = None) -> dict:
        body = fields if isinstance(fields, str) else urlencode(fields, doseq=True)
        sent = {"content-type": "application/x-www-form-urlencoded", "host": HOST, **(headers or {})}
        event = http_event("POST", path, body=body, headers=sent)
        event["pathParameters"] = _parameters(path)
        return serve(event, self.services)

    def form(self, page_path: str, action: str) -> dict[str, str]:
        """The hidden fields of one form as the page rendered them."""
        html = self.get(page_path)["body"]
        found = re.search(rf'<form method="post" action="[^"]*/{action}"(.*?)</form>', html, re.S)
        assert found, f"no {action} form on {page_path}"
        return {
            name: unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="(\w+)" value="([^"]*)"', found.group(1)
            )
        }


def _parameters(path: str) -> dict[str, str]:
    parts = path.split("?")[0].strip("/").split("/")
    return {"token": parts[1], **({"action": parts[2]} if len(parts) > 2 else {})}


def test_the_page_offers_the_three_forms_each_with_its_own_csrf_token() -> None:
    world = World()

    html = world.get(f"/track/{TOKEN}")["body"]

    for action in ("problem", "return", "notifications", "unsubscribe"):
        assert f'action="{TOKEN}/{action}"' in html
    tokens = re.findall(r'name="csrf" value="([^"]+)"', html)
    assert len(tokens) == 4 and len(set(tokens)) == 4
    assert "<script" not in html  # every form works without JavaScript


def test_reporting_a_problem_opens_one_complaint_even_when_the_form_is_sent_twice() -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "problem")
    fields = {**hidden, "category": "damage", "description": "The tin arrived dented."}

    first = world.post(f"/track/{TOKEN}/problem", fields, {"origin": f"https://{HOST}"})
    again = world.post(f"/track/{TOKEN}/problem", fields, {"origin": f"https://{HOST}"})

    assert (first["statusCode"], again["statusCode"]) == (200, 200)
    [complaint] = world.service.complaints_by_id.values()
    assert complaint.order_id == ORDER.order_id and complaint.source == "customer_link"
    assert complaint.category.value == "damage" and complaint.description == "The tin arrived dented."
    assert complaint.complaint_id in first["body"]


def test_a_return_within_the_window_goes_through_the_returns_domain() -> None:
    world = World(days_after_delivery=2)
    hidden = world.form(f"/track/{TOKEN}", "return")

    response = world.post(
        f"/track/{TOKEN}/return", {**hidden, "qty.TEA-OOLONG-250G": "1", "reason": "Too bitter"}
    )

    assert response["statusCode"] == 200
    [record] = world.service.returns(ORDER.order_id)
    assert [(line.sku, line.quantity) for line in record.lines] == [("TEA-OOLONG-250G", 1)]
    assert [event.event_type for event in world.events.sent] == ["return.requested"]


def test_after_the_window_the_page_offers_no_return_and_a_late_form_changes_nothing() -> None:
    world = World(days_after_delivery=2.9, rules=ServiceRules(return_window_days=3))
    hidden = world.form(f"/track/{TOKEN}", "return")
    world.clock.moment = DELIVERED_AT + timedelta(days=3, hours=1)

    page = world.get(f"/track/{TOKEN}?lang=en")["body"]
    response = world.post(f"/track/{TOKEN}/return", {**hidden, "qty.TEA-OOLONG-250G": "1", "reason": "x"})

    assert f'action="{TOKEN}/return"' not in page and "The return window closed on" in page
    assert response["statusCode"] == 409
    assert world.service.returns(ORDER.order_id) == [] and world.events.sent == []


def test_more_than_was_delivered_is_refused() -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "return")

    response = world.post(f"/track/{TOKEN}/return", {**hidden, "qty.TEA-OOLONG-250G": "3", "reason": "x"})

    assert response["statusCode"] == 409
    assert world.service.returns(ORDER.order_id) == []


def test_notification_choices_and_quiet_hours_are_saved_to_the_preferences() -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "notifications")

    response = world.post(
        f"/track/{TOKEN}/notifications",
        {**hidden, "email": "on", "quiet_start": "22:00", "quiet_end": "08:00"},
    )

    assert response["statusCode"] == 200
    stored = world.preferences.get(ORDER.customer.id)
    assert stored is not None
    assert (stored.channels.email, stored.channels.sms) == (True, False)
    assert stored.quiet_hours is not None and (stored.quiet_hours.start, stored.quiet_hours.end) == (
        "22:00",
        "08:00",
    )
    assert 'value="22:00"' in world.get(f"/track/{TOKEN}")["body"]  # the page shows them next time


def test_unsubscribe_all_switches_every_channel_off() -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "unsubscribe")

    response = world.post(f"/track/{TOKEN}/unsubscribe", hidden)

    assert response["statusCode"] == 200
    stored = world.preferences.get(ORDER.customer.id)
    assert stored is not None and (stored.channels.email, stored.channels.sms) == (False, False)


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"csrf": "A" * 22}, 403),  # forged
        ({"nonce": "nonce-999999999999"}, 403),  # the token was for another nonce
        ({"issued": "1"}, 403),  # expired long ago
        ({"csrf": None}, 403),  # missing
        ({"quiet_start": "25:00", "quiet_end": "08:00"}, 400),
        ({"quiet_start": "22:00"}, 400),  # an end is needed too
        ({"email": "yes"}, 400),
    ],
)
def test_bad_forms_are_4xx_pages_that_change_nothing(change: dict, status: int) -> None:
    world = World()
    fields = {**world.form(f"/track/{TOKEN}", "notifications"), "email": "on"}
    fields.update(change)

    response = world.post(f"/track/{TOKEN}/notifications", {k: v for k, v in fields.items() if v is not None})

    assert response["statusCode"] == status
    assert world.preferences.get(ORDER.customer.id) is None


def test_a_token_for_one_action_cannot_be_used_for_another() -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "notifications")

    response = world.post(f"/track/{TOKEN}/unsubscribe", hidden)

    assert response["statusCode"] == 403
    assert world.preferences.get(ORDER.customer.id) is None


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},  # a sandboxed or no-referrer page elsewhere
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": f"https://{HOST}"},
    ],
)
def test_a_form_sent_from_another_site_is_refused_even_with_a_genuine_token(headers: dict) -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "unsubscribe")

    response = world.post(f"/track/{TOKEN}/unsubscribe", hidden, headers)

    assert response["statusCode"] == 403
    assert world.preferences.get(ORDER.customer.id) is None


def test_a_form_that_is_not_urlencoded_or_too_large_is_refused() -> None:
    world = World()
    hidden = world.form(f"/track/{TOKEN}", "problem")

    as_json = world.post(
        f"/track/{TOKEN}/problem", '{"category":"damage"}', {"content-type": "application/json"}
    )
    huge = world.post(
        f"/track/{TOKEN}/problem", {**hidden, "category": "damage", "description": "x" * 20_000}
    )

    assert (as_json["statusCode"], huge["statusCode"]) == (415, 413)
    assert world.service.complaints_by_id == {}


def test_the_link_purpose_is_checked_a_survey_or_unsubscribe_token_opens_no_tracking_page() -> None:
    world = World()
    expires = int(world.clock.now().timestamp()) + 86_400
    survey = links.sign(KEY, ORDER.order_id, links.FEEDBACK, expires_at=expires)
    unsubscribe = links.sign(KEY, ORDER.order_id, links.UNSUBSCRIBE, expires_at=expires)
    hidden = world.form(f"/track/{TOKEN}", "unsubscribe")

    assert world.get(f"/track/{survey}")["statusCode"] == 404
    assert world.get(f"/track/{unsubscribe}")["statusCode"] == 404
    assert world.get(f"/unsubscribe/{TOKEN}")["statusCode"] == 404
    assert world.post(f"/track/{survey}/unsubscribe", hidden)["statusCode"] == 404
    assert world.post(f"/unsubscribe/{TOKEN}", "List-Unsubscribe=One-Click")["statusCode"] == 404
    assert world.preferences.get(ORDER.customer.id) is None


def test_one_click_unsubscribe_rfc_8058_needs_only_the_signed_link_and_the_exact_body() -> None:
    world = World()
    expires = int(world.clock.now().timestamp()) + 86_400
    token = links.sign(KEY, ORDER.order_id, links.UNSUBSCRIBE, expires_at=expires)

    wrong = world.post(f"/unsubscribe/{token}", "List-Unsubscribe=Maybe")
    assert wrong["statusCode"] == 400 and world.preferences.get(ORDER.customer.id) is None

    # a mail provider's POST: no origin, no CSRF token (RFC 8058 section 3.1)
    done = world.post(f"/unsubscribe/{token}", "List-Unsubscribe=One-Click")
    assert done["statusCode"] == 200
    stored = world.preferences.get(ORDER.customer.id)
    assert stored is not None and (stored.channels.email, stored.channels.sms) == (False, False)


def test_the_unsubscribe_link_opens_the_settings_page_whose_forms_work_and_expire_with_it() -> None:
    world = World()
    expires = int(world.clock.now().timestamp()) + 86_400
    token = links.sign(KEY, ORDER.order_id, links.UNSUBSCRIBE, expires_at=expires)

    page = world.get(f"/unsubscribe/{token}")
    hidden = world.form(f"/unsubscribe/{token}", "notifications")
    saved = world.post(f"/unsubscribe/{token}/notifications", {**hidden, "sms": "on"})
    problem = world.post(f"/unsubscribe/{token}/problem", hidden)  # not offered there
    world.clock.moment = DELIVERED_AT + timedelta(days=10)

    assert page["statusCode"] == 200 and f'action="{token}/unsubscribe"' in page["body"]
    assert saved["statusCode"] == 200 and problem["statusCode"] == 404
    stored = world.preferences.get(ORDER.customer.id)
    assert stored is not None and (stored.channels.email, stored.channels.sms) == (False, True)
    assert world.get(f"/unsubscribe/{token}")["statusCode"] == 404  # expired
