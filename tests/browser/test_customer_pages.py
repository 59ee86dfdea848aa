"""The customer's pages in a real browser, checked by axe-core and photographed: the tracking page
(phone and desktop, zh-CN and en), its self-service forms, the notification settings page, the
survey page and the email the customer received. No serious or critical accessibility violation;
a long tracking number stays on one line at 360 px; nothing is wider than the screen.

Screenshots: `.artifacts/screenshots/` (see conftest)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from shared import links
from tests.browser.conftest import LONG_NUMBER
from tests.browser.screens import follow, save_full_page, show
from tests.e2e.conftest import Storefront
from tests.e2e.test_tracking_page import TrackedParcel, link_key

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]

SIZES = {"phone": (390, 844, True), "narrow": (360, 740, True), "desktop": (1280, 800, False)}
BLOCKING = ("serious", "critical")
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then((result) => done(result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' '))}))))
  .catch((error) => done([{id: 'axe-error', impact: 'critical', help: String(error), targets: []}]));
"""
TRACKING_NUMBER_LINES = """
const element = document.querySelector('.tracking-number');
const range = document.createRange();
range.selectNodeContents(element);
const tops = new Set([...range.getClientRects()].map((rect) => Math.round(rect.top)));
const box = element.getBoundingClientRect();
return {lines: tops.size, right: box.right, text: element.textContent,
        viewport: document.documentElement.clientWidth, page: document.documentElement.scrollWidth};
"""


def blocking_violations(browser: Any, axe_source: str) -> list[dict[str, Any]]:
    browser.execute_script(axe_source)
    violations = browser.execute_async_script(RUN_AXE)
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def wait_for_email(storefront: Storefront, recipient: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        emails = [
            m for m in storefront.outbox_for(recipient) if m["channel"] == "email" and "<html" in m["body"]
        ]
        if emails:
            return emails[0]
        time.sleep(0.2)
    raise AssertionError(f"no email for {recipient} within {timeout}s")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_tracking_page_passes_axe_and_is_photographed(
    lang: str, size: str, browser: Any, parcel: TrackedParcel, axe_source: str, screenshots: Path
) -> None:
    show(browser, f"{parcel.url}?lang={lang}", SIZES[size])

    assert browser.find_element("css selector", "html").get_attribute("lang") == lang
    assert browser.find_elements("css selector", "ol.progress li[aria-current='step']")
    assert browser.find_elements("css selector", ".estimate-date")
    assert browser.find_elements("css selector", "form[method='post']")  # the self-service forms
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / f"tracking-page-{lang}-{size}.png")


@pytest.mark.parametrize("size", ["narrow", "phone", "desktop"])
def test_a_long_tracking_number_never_breaks_and_the_page_never_scrolls_sideways(
    size: str, browser: Any, parcel: TrackedParcel, screenshots: Path
) -> None:
    show(browser, parcel.url, SIZES[size])

    measured = browser.execute_script(TRACKING_NUMBER_LINES)

    assert measured["text"] == LONG_NUMBER
    assert measured["lines"] == 1, "the tracking number wraps"
    assert measured["right"] <= measured["viewport"] + 0.5  # scrolls inside its own box if it must
    assert measured["page"] <= measured["viewport"], "the page scrolls horizontally"
    if size == "narrow":
        save_full_page(browser, screenshots / "tracking-page-zh-CN-360px.png")


def test_reporting_a_problem_works_without_javascript_and_the_answer_passes_axe(
    browser: Any, parcel: TrackedParcel, axe_source: str, screenshots: Path
) -> None:
    show(browser, f"{parcel.url}?lang=en", SIZES["phone"])
    browser.find_element("id", "problem-description").send_keys("The parcel has not moved since Monday.")
    follow(browser, browser.find_element("css selector", "form[action$='/problem'] button[type='submit']"))

    heading = browser.find_element("id", "outcome-heading").text
    assert heading == "Thank you, we're on it"
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "self-service-problem-reported-en-phone.png")


def test_the_notification_settings_page_passes_axe(
    stack: Any, browser: Any, parcel: TrackedParcel, axe_source: str, screenshots: Path
) -> None:
    token = links.sign(
        link_key(stack), parcel.order_id, links.UNSUBSCRIBE, expires_at=int(time.time()) + 3600
    )
    show(browser, links.link(stack.api_url, token, links.UNSUBSCRIBE) or "", SIZES["phone"])

    assert browser.find_elements("css selector", "form[action$='/notifications']")
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "notification-settings-zh-CN-phone.png")


def test_the_survey_page_shows_the_shop_and_passes_axe(
    stack: Any, browser: Any, parcel: TrackedParcel, axe_source: str, screenshots: Path
) -> None:
    token = links.sign(link_key(stack), parcel.order_id, links.FEEDBACK, expires_at=int(time.time()) + 86_400)
    show(browser, links.link(stack.api_url, token, links.FEEDBACK) or "", SIZES["phone"])

    assert browser.find_element("css selector", "header.shop").text == "订单演示店"  # the dev stage's brand
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "survey-page-zh-CN-phone.png")


def test_the_was_it_resolved_page_works_without_javascript_and_passes_axe(
    stack: Any, browser: Any, parcel: TrackedParcel, axe_source: str, screenshots: Path
) -> None:
    import uuid

    storefront = Storefront(stack)
    api = f"{storefront.url}/v1/complaints"
    body = {"order_id": parcel.order_id, "category": "damage", "description": "The cup arrived chipped."}
    case_id = storefront.http.post(
        api, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10
    ).json()["complaint_id"]
    storefront.http.post(f"{api}/{case_id}/notes", json={"text": "INTERNAL NOTE", "by": "ops"}, timeout=10)
    resolve = {"resolution": "A new cup is on its way.", "resolved_by": "ops"}
    assert storefront.http.post(f"{api}/{case_id}/resolve", json=resolve, timeout=10).status_code == 200
    token = links.sign(link_key(stack), case_id, links.CASE, expires_at=int(time.time()) + 86_400)
    show(browser, links.link(stack.api_url, token, links.CASE) or "", SIZES["phone"])

    assert browser.find_element("css selector", "header.shop").text == "订单演示店"
    assert "INTERNAL NOTE" not in browser.page_source
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "case-question-zh-CN-phone.png")
    follow(browser, browser.find_element("css selector", "button[value='yes']"))  # a plain form post
    assert "已关闭" in browser.find_element("css selector", "[role='status']").text
    assert blocking_violations(browser, axe_source) == []
    assert storefront.http.get(f"{api}/{case_id}", timeout=10).json()["status"] == "closed"


def test_the_email_the_customer_received_is_photographed(
    stack: Any, browser: Any, parcel: TrackedParcel, screenshots: Path
) -> None:
    recipient = Storefront(stack).order(parcel.order_id)["customer"]["email"]
    email = wait_for_email(Storefront(stack), recipient)
    page = screenshots / "email-zh-CN.html"
    page.write_text(email["body"], encoding="utf-8")

    show(browser, page.as_uri(), SIZES["desktop"])

    assert browser.find_element("css selector", "html").get_attribute("lang") in ("zh-CN", "zh")
    save_full_page(browser, screenshots / "email-zh-CN-desktop.png")
    (screenshots / "email-zh-CN.json").write_text(
        json.dumps({"subject": email["subject"], "to": email["to"]}, ensure_ascii=False), encoding="utf-8"
    )
