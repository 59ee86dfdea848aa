"""The console's search, order, customer and stock pages in a real Chromium: an agent searches a
customer's phone from the header (a national number, then the international form), goes from the
results to the order and on to the customer page (links and the keyboard only), at phone and
desktop widths; a manager adjusts a low-stock product with a reason. axe-core finds no serious or
critical violation, no page is wider than the screen, no CSP violation; screenshots `console-search-*.png`, `console-order-*.png`,
`console-customer-*.png`, `console-stock-*.png`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_steps import sign_in
from tests.browser.screens import follow, save_full_page, show
from tests.browser.test_customer_pages import SIZES, blocking_violations
from tests.e2e.conftest import Storefront, body_for

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def fits_and_is_accessible(browser: Any, axe_source: str, size: str) -> None:
    assert browser.execute_script("return document.documentElement.scrollWidth") <= SIZES[size][0]
    assert blocking_violations(browser, axe_source) == []


def test_an_agent_searches_by_phone_and_opens_the_order_and_the_customer(
    stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By

    storefront = Storefront(stack)
    tag = uuid.uuid4().hex[:8]
    tea = f"TEA-{tag}"
    storefront.put_stock(tea, 10)
    phone = f"+86138{uuid.uuid4().int % 10**8:08d}"
    customer = {
        "id": f"cust-{tag}",
        "name": "Lin Mei",
        "email": f"lin-{tag}@example.com",
        "phone": phone,
        "locale": "en",
    }
    line = [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": "3.00"}]
    order_ids = [storefront.place(body_for(customer, line)).json()["order_id"] for _ in range(2)]

    sign_in(browser, stack.api_url, "agent@local")
    for size in ("phone", "desktop"):
        show(browser, f"{stack.api_url}/console/today?lang=en", SIZES[size])
        search = browser.find_element(By.ID, "q")
        national = f"{phone[3:6]} {phone[6:10]} {phone[10:]}"  # CN is the dev stage's phone region
        search.send_keys(national if size == "phone" else f"+86 {national}")
        follow(browser, search, keyboard=True)  # Enter submits the header's search form
        assert "/console/search?" in browser.current_url
        links = [
            browser.find_element(By.CSS_SELECTOR, f"a[href^='/console/orders/{oid}']") for oid in order_ids
        ]
        assert len(links) == 2
        assert "Lin Mei" in browser.page_source  # the customer's name, linked to their page
        fits_and_is_accessible(browser, axe_source, size)
        save_full_page(browser, screenshots / f"console-search-{size}.png")

        follow(browser, links[0], keyboard=True)
        assert f"/console/orders/{order_ids[0]}" in browser.current_url
        assert browser.find_element(By.TAG_NAME, "h1").text
        assert browser.find_elements(
            By.CSS_SELECTOR, f"form[action^='/console/orders/{order_ids[0]}/cancel']"
        )
        fits_and_is_accessible(browser, axe_source, size)
        save_full_page(browser, screenshots / f"console-order-{size}.png")

        customer_link = browser.find_element(
            By.CSS_SELECTOR, f"a[href^='/console/customers/{customer['id']}']"
        )
        follow(browser, customer_link, keyboard=True)
        assert f"/console/customers/{customer['id']}" in browser.current_url
        for order_id in order_ids:
            assert browser.find_elements(By.CSS_SELECTOR, f"a[href^='/console/orders/{order_id}']")
        fits_and_is_accessible(browser, axe_source, size)
        save_full_page(browser, screenshots / f"console-customer-{size}.png")
    csp_errors = [
        entry for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]
    ]
    assert csp_errors == []


def test_a_manager_adjusts_a_low_stock_product_with_a_reason(
    stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.wait import WebDriverWait

    storefront = Storefront(stack)
    cup = f"CUP-{uuid.uuid4().hex[:8]}"
    response = storefront.http.put(
        f"{stack.api_url}/v1/inventory/{cup}", json={"on_hand": 2, "low_stock_threshold": 5}, timeout=10
    )
    assert response.status_code == 200, response.text

    sign_in(browser, stack.api_url, "manager@local")

    def listed(driver: Any) -> bool:  # the inventory's watcher alerts from the table's stream
        show(driver, f"{stack.api_url}/console/stock?lang=en", SIZES["desktop"])
        return bool(driver.find_elements(By.XPATH, f"//li[strong[text()='{cup}']]"))

    WebDriverWait(browser, 30, poll_frequency=0.5).until(listed)
    for size in ("phone", "desktop"):
        show(browser, f"{stack.api_url}/console/stock?lang=en", SIZES[size])
        fits_and_is_accessible(browser, axe_source, size)
        save_full_page(browser, screenshots / f"console-stock-{size}.png")

    card = browser.find_element(By.XPATH, f"//li[strong[text()='{cup}']]")
    card.find_element(By.NAME, "delta").send_keys("10")
    Select(card.find_element(By.NAME, "reason")).select_by_value("restock")
    card.find_element(By.NAME, "note").send_keys("weekly delivery")
    follow(browser, card.find_element(By.CSS_SELECTOR, "button[type=submit]"), keyboard=True)
    assert "The stock is adjusted." in browser.page_source
    assert browser.find_element(By.CSS_SELECTOR, f"[data-available='{cup}']").text == "12"
    fits_and_is_accessible(browser, axe_source, "desktop")
    save_full_page(browser, screenshots / "console-stock-adjusted-desktop.png")
    assert storefront.stock(cup)["on_hand"] == 12
