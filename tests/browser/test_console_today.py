"""Today's charts render with data and a manager reads the KPIs by agent, in a real Chromium at
phone and desktop widths: every tile's 30-day chart has its 30 bars (today's orders bar drawn once
the stats capability has counted the order from the stream), nothing scrolls sideways, axe-core
finds no serious or critical violation, no CSP violation; screenshots
`console-today-{phone,desktop}.png` and `console-agents-{phone,desktop}.png`."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.browser.console_steps import sign_in, tea_order
from tests.browser.screens import save_full_page, show
from tests.browser.test_customer_pages import SIZES, blocking_violations
from tests.e2e.conftest import Storefront

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.xdist_group("browser")]
TILES = ("orders", "on_time", "exceptions", "csat", "open_cases", "overdue_cases")


def answered_case(stack: Any) -> str:
    """An order, and a case on it assigned to a new agent who answered it: the agent's name."""
    storefront = Storefront(stack)
    order_id = tea_order(storefront)
    api = f"{storefront.url}/v1/complaints"
    opened = storefront.http.post(
        api,
        json={"order_id": order_id, "category": "delivery_delay", "description": "Late."},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert opened.status_code == 201, opened.text
    case = f"{api}/{opened.json()['complaint_id']}"
    agent = f"ops-{uuid.uuid4().hex[:6]}"
    assert storefront.http.post(f"{case}/assign", json={"assignee": agent, "by": "lead"}, timeout=10).ok
    reply = storefront.http.post(
        f"{case}/replies",
        json={"text": "We are on it.", "by": agent},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    return agent


def test_todays_charts_render_with_data_and_a_manager_reads_kpis_by_agent(
    stack: Any, browser: Any, axe_source: str, screenshots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    agent = answered_case(stack)
    sign_in(browser, stack.api_url, "manager@local")

    # the stats capability counts the order and the case from the stream: wait until both show
    def counted(driver: Any) -> bool:
        show(driver, f"{stack.api_url}/console/today?lang=en", SIZES["desktop"])
        orders = driver.find_elements(By.CSS_SELECTOR, "svg[data-chart=orders] rect")
        opened = driver.find_elements(By.CSS_SELECTOR, "svg[data-chart=open_cases] rect")
        drawn = bool(orders) and float(orders[-1].get_attribute("height")) > 0
        return drawn and bool(opened) and float(opened[-1].get_attribute("height")) > 0

    WebDriverWait(browser, 30, poll_frequency=0.5).until(counted)

    def agent_row(driver: Any) -> list[str]:
        row = driver.find_element(By.XPATH, f"//tr[th[normalize-space()='{agent}']]")
        return [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]

    # the assignment reaches the agents' figures through the same stream, maybe a little later
    def assignment_counted(driver: Any) -> bool:
        show(driver, f"{stack.api_url}/console/agents?lang=en", SIZES["desktop"])
        return bool(driver.find_elements(By.XPATH, f"//tr[th[normalize-space()='{agent}']]")) and (
            agent_row(driver)[0] == "1"
        )

    WebDriverWait(browser, 30, poll_frequency=0.5).until(assignment_counted)
    for size in ("phone", "desktop"):
        width = SIZES[size][0]
        show(browser, f"{stack.api_url}/console/today?lang=zh-CN", SIZES[size])
        for tile in TILES:
            chart = browser.find_element(By.CSS_SELECTOR, f"svg[data-chart={tile}]")
            assert len(chart.find_elements(By.TAG_NAME, "rect")) == 30, tile
            assert chart.size["width"] > 200 and chart.get_attribute("role") == "img"
        counts = browser.find_elements(By.CSS_SELECTOR, "td[data-queue-count]")
        assert len(counts) == 4 and int(counts[1].text) >= 1  # the open case waits in its queue
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-today-{size}.png")

        show(browser, f"{stack.api_url}/console/agents?lang=en", SIZES[size])
        cells = agent_row(browser)
        assert cells[0] == "1" and cells[4] == "1", cells
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
        assert blocking_violations(browser, axe_source) == []
        save_full_page(browser, screenshots / f"console-agents-{size}.png")
    csp_errors = [
        entry for entry in browser.get_log("browser") if "Content Security Policy" in entry["message"]
    ]
    assert csp_errors == []
