"""The operations console in a real Chromium: an agent signs in through the form (the Secure,
HttpOnly, SameSite=Strict session cookie over http://127.0.0.1, which Chromium treats as a secure
context), approves a held order by keyboard-reachable buttons, and opens Today with its SVG chart,
at phone and desktop widths; axe-core finds no serious or critical violation; screenshots go to
`.artifacts/screenshots/console-*.png`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.local.cognito import DEFAULT_PASSWORD
from tests.browser.console_steps import tea_order
from tests.browser.screens import left_page, save_full_page, show
from tests.browser.test_customer_pages import SIZES, blocking_violations
from tests.e2e.conftest import Storefront

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def held_order(stack: Any) -> str:
    storefront = Storefront(stack)
    order_id = tea_order(storefront, postal_code="12")  # held for review
    storefront.wait_for_status(order_id, {"on_hold"})
    return order_id


def test_an_agent_signs_in_approves_a_held_order_and_opens_today(
    stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.wait import WebDriverWait

    wait = WebDriverWait(browser, 10)  # a form post navigates after click() returns

    order_id = held_order(stack)
    show(browser, f"{stack.api_url}/console/sign-in?lang=en", SIZES["phone"])
    assert blocking_violations(browser, axe_source) == []
    save_full_page(browser, screenshots / "console-sign-in-phone.png")
    browser.find_element(By.ID, "username").send_keys("agent@local")
    password = browser.find_element(By.ID, "password")
    password.send_keys(DEFAULT_PASSWORD + Keys.ENTER)  # the keyboard submits the form
    wait.until(left_page(password))
    assert browser.current_url.endswith("/console/today?lang=en"), browser.page_source[:500]
    # the session cookie is HttpOnly: scripts cannot see it, the browser still sends it
    assert "console_session" not in browser.execute_script("return document.cookie")

    show(browser, f"{stack.api_url}/console/review?lang=en", SIZES["desktop"])
    card = browser.find_element(By.XPATH, f"//li[.//span[contains(., '{order_id}')]]")
    save_full_page(browser, screenshots / "console-review-desktop.png")
    assert blocking_violations(browser, axe_source) == []
    card.find_element(By.CSS_SELECTOR, "button[value=approve]").send_keys(Keys.ENTER)  # keyboard, not mouse
    wait.until(left_page(card))
    assert "The decision is recorded." in browser.page_source
    assert order_id not in browser.page_source
    order = Storefront(stack).order(order_id)
    assert order["timeline"][-1]["by"] == "reviewer:agent@local" or any(
        entry["by"] == "reviewer:agent@local" for entry in order["timeline"]
    )

    # the stats capability counts the order from the table's stream: wait until Today's last bar does
    def counted(driver: Any) -> bool:
        show(driver, f"{stack.api_url}/console/today?lang=zh-CN", SIZES["desktop"])
        bars = driver.find_elements(By.CSS_SELECTOR, "svg[data-chart=orders] rect")
        return bool(bars) and float(bars[-1].get_attribute("height")) > 0

    WebDriverWait(browser, 30, poll_frequency=0.5).until(counted)
    for size in ("phone", "desktop"):
        show(browser, f"{stack.api_url}/console/today?lang=zh-CN", SIZES[size])
        chart = browser.find_element(By.CSS_SELECTOR, "svg[data-chart=orders]")
        assert chart.size["width"] > 200 and len(chart.find_elements(By.TAG_NAME, "rect")) == 30
        assert browser.execute_script("return document.documentElement.scrollWidth") <= SIZES[size][0]
        assert blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-today-{size}.png")
    csp_errors = [
        entry for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]
    ]
    assert csp_errors == []
