"""Steps the console's browser tests share: signing in with the keyboard, and an order of one tea
for a new English-speaking customer placed through the storefront API of the local stack."""

from __future__ import annotations

import uuid
from typing import Any

from infra.local.cognito import DEFAULT_PASSWORD
from tests.browser.screens import left_page, show
from tests.browser.test_customer_pages import SIZES
from tests.e2e.conftest import Storefront, body_for


def sign_in(browser: Any, url: str, username: str, size: str = "desktop") -> None:
    """Signs in on the console's form (Enter submits it) and lands on Today."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.wait import WebDriverWait

    browser.delete_all_cookies()
    show(browser, f"{url}/console/sign-in?lang=en", SIZES[size])
    browser.find_element(By.ID, "username").send_keys(username)
    password = browser.find_element(By.ID, "password")
    password.send_keys(DEFAULT_PASSWORD + Keys.ENTER)
    WebDriverWait(browser, 10).until(left_page(password))
    assert browser.current_url.endswith("/console/today?lang=en"), browser.page_source[:500]


def new_customer(**fields: str) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    return {"id": f"cust-{tag}", "name": "Lin", "email": f"lin-{tag}@example.com", "locale": "en", **fields}


def tea_order(
    storefront: Storefront,
    customer: dict[str, Any] | None = None,
    *,
    unit_price: str = "3.00",
    postal_code: str | None = None,
) -> str:
    """One oolong tea of a new SKU (5 in stock) for the customer (a new one by default): its id.
    A `postal_code` replaces the shipping address's (`12` is held for review)."""
    tea = f"TEA-{uuid.uuid4().hex[:8].upper()}"
    storefront.put_stock(tea, 5)
    lines = [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": unit_price}]
    body = body_for(customer or new_customer(), lines)
    if postal_code is not None:
        body["shipping_address"] = {**body["shipping_address"], "postal_code": postal_code}
    placed = storefront.place(body)
    assert placed.status_code in (200, 201, 202), placed.text
    return str(placed.json()["order_id"])
