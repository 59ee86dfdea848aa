"""The Returns and Exceptions pages in a real Chromium: an agent receives a return, one unit
resellable and one damaged, with the keyboard only, at phone and desktop widths; only the resellable
unit goes back on hand. The exception a carrier's address problem opened shows in the queue and on
its page. axe-core finds no serious or critical violation, nothing is wider than the screen, no CSP
violation; screenshots `console-returns-*.png` and `console-exceptions-*.png`."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_steps import new_customer, sign_in, tea_order
from tests.browser.screens import left_page, save_full_page, show
from tests.browser.test_customer_pages import SIZES, blocking_violations
from tests.e2e.conftest import Storefront
from tests.e2e.test_carrier_webhooks import post_generic, secret, ship
from tests.e2e.test_console_returns import requested_return
from tests.e2e.test_delivery_exceptions import address_problem_update, shipped_at
from tests.e2e.test_returns import delivered

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def approved_return(stack: Any, storefront: Storefront, sku: str) -> tuple[str, str]:
    """A delivered order of three cups, two of them in a return approved by the storefront API."""
    order_id = delivered(stack, storefront, new_customer(), sku)
    return_id = requested_return(storefront, order_id, sku)
    approved = storefront.http.post(
        f"{storefront.url}/v1/orders/{order_id}/returns/{return_id}/approve", json={"by": "ops"}, timeout=10
    )
    assert approved.status_code == 200, approved.text
    return order_id, return_id


def address_problem(stack: Any, storefront: Storefront) -> str:
    """An order whose carrier reports an address problem: the exception it opens."""
    order_id = tea_order(storefront, unit_price="88.00")
    storefront.wait_for_status(order_id, {"confirmed"})
    tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
    ship(storefront, order_id, "sf-express", tracking_number)
    problem = address_problem_update(tracking_number, shipped_at(storefront, order_id, tracking_number))
    assert post_generic(storefront, problem, secret(stack, "generic")).status_code == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page = storefront.http.get(
            f"{storefront.url}/v1/exceptions", params={"reason": "address_problem", "limit": 100}, timeout=10
        ).json()
        found = [e["exception_id"] for e in page["exceptions"] if e["order_id"] == order_id]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError("no exception was opened")


def fits(browser: Any, size: str) -> bool:
    return browser.execute_script("return document.documentElement.scrollWidth") <= SIZES[size][0]


def test_an_agent_receives_a_return_by_keyboard_and_opens_an_exception(
    stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    wait = WebDriverWait(browser, 10)
    storefront = Storefront(stack)
    skus = {size: f"CUP-{uuid.uuid4().hex[:8].upper()}" for size in ("phone", "desktop")}
    returns = {size: approved_return(stack, storefront, sku) for size, sku in skus.items()}
    exception_id = address_problem(stack, storefront)

    sign_in(browser, stack.api_url, "agent@local")

    for size, (order_id, return_id) in returns.items():
        sku = skus[size]
        show(browser, f"{stack.api_url}/console/returns?lang=en&status=approved", SIZES[size])
        link = browser.find_element(By.XPATH, f"//a[contains(@href, '/{return_id}')]")
        assert fits(browser, size) and blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-returns-queue-{size}.png")
        link.send_keys(Keys.ENTER)  # the keyboard follows the link
        resellable = wait.until(expected_conditions.presence_of_element_located((By.ID, "resellable-1")))
        assert fits(browser, size) and blocking_violations(browser, axe_source) == []
        before = storefront.stock(sku)

        # When the agent types the counts and submits, never touching the mouse
        resellable.send_keys(Keys.CONTROL, "a")
        resellable.send_keys("1")
        resellable.send_keys(Keys.TAB)
        damaged = browser.switch_to.active_element
        assert damaged.get_attribute("id") == "damaged-1"
        damaged.send_keys(Keys.CONTROL, "a")
        damaged.send_keys("1", Keys.TAB)
        note = browser.switch_to.active_element
        assert note.get_attribute("id") == "receive-note"
        note.send_keys("one cracked in transit", Keys.TAB)
        submit = browser.switch_to.active_element
        assert submit.get_attribute("id") == "receive-submit"
        save_full_page(browser, screenshots / f"console-returns-receive-{size}.png")
        submit.send_keys(Keys.ENTER)
        wait.until(left_page(submit))

        # Then the page says so, and only the resellable unit is back on hand
        assert "The receipt is recorded" in browser.page_source, browser.page_source[:800]
        assert "agent@local" in browser.page_source and f"/console/orders/{order_id}" in browser.page_source
        assert fits(browser, size) and blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-returns-received-{size}.png")
        after = storefront.stock(sku)
        assert after["on_hand"] == before["on_hand"] + 1
        assert after["damaged_returns"] == before.get("damaged_returns", 0) + 1

    for size in ("phone", "desktop"):
        show(browser, f"{stack.api_url}/console/exceptions?lang=en&reason=address_problem", SIZES[size])
        assert exception_id in browser.page_source
        assert fits(browser, size) and blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-exceptions-queue-{size}.png")
    show(browser, f"{stack.api_url}/console/exceptions/{exception_id}?lang=zh-CN", SIZES["desktop"])
    assert "address_problem" in browser.page_source and "联系客户" in browser.page_source
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "console-exceptions-detail-desktop.png")
    csp_errors = [
        entry for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]
    ]
    assert csp_errors == []
