"""Today and KPIs by agent on the local stack: a case assigned and answered through the service API
reaches the stats capability's per-agent aggregates through the table's stream, and a manager sees
it on the agents page with the case open now; Today counts it in the open-cases queue."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import requests

from tests.e2e.conftest import Storefront, body_for
from tests.e2e.test_console import sign_in


def test_a_manager_sees_an_agents_assigned_and_answered_case(
    stack: Any, storefront: Storefront, new_customer: Any
) -> None:
    # Given an order with a case assigned to a new agent, who answers it
    tea = f"TEA-{uuid.uuid4().hex[:8]}"
    storefront.put_stock(tea, 5)
    body = body_for(
        new_customer("en", phone=False), [{"sku": tea, "name": "Tea", "quantity": 1, "unit_price": "3.00"}]
    )
    order_id = storefront.place(body).json()["order_id"]
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
    reply = {"text": "We are on it.", "by": agent}
    replied = storefront.http.post(
        f"{case}/replies", json=reply, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10
    )
    assert replied.status_code == 200, replied.text

    # When a manager opens the agents page (the stream reaches the aggregates within seconds)
    _, session = sign_in(stack.api_url, "manager@local")
    assert session
    cookies = {"console_session": session}
    deadline, cells = time.monotonic() + 30, None
    while time.monotonic() < deadline:
        page = requests.get(f"{stack.api_url}/console/agents?lang=en", cookies=cookies, timeout=10)
        assert page.status_code == 200
        row = re.search(rf'<th scope="row">{agent}</th>((?:<td[^>]*>[^<]*</td>)+)', page.text)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1)) if row else None
        if cells and cells[0] == "1" and cells[3] != "—":
            break
        time.sleep(0.3)
    # Then it shows one case assigned, none resolved, a first response on time, one open now
    assert cells is not None and cells[0:2] == ["1", "0"] and cells[3] == "100.0%" and cells[4] == "1", cells

    # and Today counts the case in the open-cases queue; an agent may not open the agents page
    _, agent_session = sign_in(stack.api_url, "agent@local")
    today = requests.get(
        f"{stack.api_url}/console/today?lang=en", cookies={"console_session": agent_session}, timeout=10
    )
    counts = dict(
        re.findall(
            r'<a href="/console/(\w+)\?lang=en">[^<]+</a></th><td data-queue-count>(\d+)</td>', today.text
        )
    )
    assert int(counts["cases"]) >= 1 and set(counts) == {"review", "cases", "exceptions", "returns"}
    refused = requests.get(
        f"{stack.api_url}/console/agents", cookies={"console_session": agent_session}, timeout=10
    )
    assert refused.status_code == 403
