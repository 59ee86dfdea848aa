"""The console's Cases pages in a real Chromium: an agent signs in, opens Cases, opens a case from
the queue and replies to the customer and resolves it with the keyboard, at phone and desktop
widths; no horizontal scrolling, axe-core finds no serious or critical violation, no CSP violation;
screenshots `.artifacts/screenshots/console-cases-*.png`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_steps import sign_in, tea_order
from tests.browser.screens import left_page, save_full_page, show
from tests.browser.test_customer_pages import SIZES, blocking_violations
from tests.e2e.conftest import Storefront

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def complaint(stack: Any) -> tuple[str, str]:
    """A storefront complaint on a new order: (complaint id, priority)."""
    storefront = Storefront(stack)
    order_id = tea_order(storefront)
    opened = storefront.http.post(
        f"{storefront.url}/v1/complaints",
        json={"order_id": order_id, "category": "wrong_item", "description": "Green tea instead of oolong."},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert opened.status_code == 201, opened.text
    return opened.json()["complaint_id"], opened.json()["priority"]


def test_an_agent_replies_to_and_resolves_a_case_by_keyboard(
    stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    wait = WebDriverWait(browser, 10)  # a form post navigates after the key press returns
    sign_in(browser, stack.api_url, "agent@local", "phone")

    for size in ("phone", "desktop"):
        width = SIZES[size][0]
        case_id, priority = complaint(stack)

        # the queue, from the header's Cases link
        show(browser, f"{stack.api_url}/console/today?lang=en", SIZES[size])
        browser.find_element(By.CSS_SELECTOR, "header nav a[href^='/console/cases']").send_keys(Keys.ENTER)
        wait.until(expected_conditions.title_contains("Cases"))
        show(browser, f"{stack.api_url}/console/cases?lang=en&priority={priority}", SIZES[size])
        link = browser.find_element(By.CSS_SELECTOR, f"a[href='/console/cases/{case_id}?lang=en']")
        row = link.find_element(By.XPATH, "ancestor::li")
        assert "due in" in row.text and "Wrong item" in row.text
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-cases-queue-{size}.png")

        # the case, opened from the queue by keyboard
        link.send_keys(Keys.ENTER)
        wait.until(expected_conditions.presence_of_element_located((By.ID, "reply")))
        assert case_id in browser.find_element(By.TAG_NAME, "h1").text
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-cases-case-{size}.png")

        # a reply: typed into its labelled field, sent with the keyboard
        reply = browser.find_element(By.ID, "reply")
        reply.send_keys("A bag of oolong is on its way today.")
        reply.find_element(By.XPATH, "ancestor::form//button").send_keys(Keys.ENTER)
        wait.until(left_page(reply))
        assert "The reply is sent." in browser.page_source

        # the resolution
        resolution = browser.find_element(By.ID, "resolution")
        resolution.send_keys("Replacement shipped.")
        resolution.find_element(By.XPATH, "ancestor::form//button").send_keys(Keys.ENTER)
        wait.until(left_page(resolution))
        assert "The case is resolved; the customer is told." in browser.page_source
        assert browser.find_elements(By.ID, "resolution") == []  # a resolved case offers close, reopen
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-cases-resolved-{size}.png")

        case = Storefront(stack).http.get(f"{stack.api_url}/v1/complaints/{case_id}", timeout=10).json()
        assert case["status"] == "resolved"
        assert [(e["type"], e["by"]) for e in case["timeline"][1:]] == [
            ("reply", "agent@local"),
            ("resolved", "agent@local"),
        ]
    csp_errors = [
        entry for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]
    ]
    assert csp_errors == []
