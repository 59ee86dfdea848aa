"""The console's Cases pages on the local stack: a complaint opened through the storefront API is in
the console's queue; an agent assigns it, notes, replies and resolves it with the console's forms;
the case's timeline names the agent, and the customer gets the reply and the resolution by email,
never the internal note."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Storefront, body_for
from tests.e2e.test_cases import case_emails
from tests.e2e.test_console import SAME_SITE, csrf_fields, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
NOTE = "INTERNAL-ONLY console note: reseller"
REPLY = "Your replacement tin ships today."


def test_an_agent_works_a_storefront_complaint_in_the_console(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    # Given an order and a complaint about it from the storefront
    customer = new_customer("en", phone=False)  # email only: text messages wait out quiet hours
    tea = f"TEA-{uuid.uuid4().hex[:8]}"
    storefront.put_stock(tea, 5)
    body = body_for(customer, [{"sku": tea, "name": "Oolong tea", "quantity": 1, "unit_price": "3.00"}])
    placed = storefront.place(body)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    complaint = {"order_id": order_id, "category": "damage", "description": "The tin arrived dented."}
    opened = storefront.http.post(
        f"{storefront.url}/v1/complaints",
        json=complaint,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert opened.status_code == 201, opened.text
    case_id, priority = opened.json()["complaint_id"], opened.json()["priority"]

    # When an agent signs in, finds it in the queue and works it with the case page's forms
    response, session = sign_in(stack.api_url, "agent@local")
    assert response.status_code == 303 and session
    cookies = {"console_session": session}
    queue = requests.get(
        f"{stack.api_url}/console/cases?lang=en&priority={priority}", cookies=cookies, timeout=10
    )
    assert queue.status_code == 200 and f'href="/console/cases/{case_id}?lang=en"' in queue.text
    assert re.search(r"due in \d+ h \d+ min", queue.text)
    case_url = f"{stack.api_url}/console/cases/{case_id}"
    for action, fields in (
        ("assign", {"to": "me"}),
        ("note", {"text": NOTE}),
        ("reply", {"text": REPLY}),
        ("resolve", {"text": "Replacement sent."}),
    ):
        page = requests.get(f"{case_url}?lang=en", cookies=cookies, timeout=10)
        assert page.status_code == 200
        done = requests.post(
            f"{case_url}/{action}?lang=en",
            data={**csrf_fields(page.text), **fields},
            cookies=cookies,
            headers=SAME_SITE,
            allow_redirects=False,
            timeout=10,
        )
        assert done.status_code == 303, (action, done.text[:500])
    # an illegal move posted anyway (a resolved case cannot be resolved differently) changes nothing
    page = requests.get(f"{case_url}?lang=en", cookies=cookies, timeout=10)
    assert "Close case" in page.text and 'action="/console/cases/' + case_id + "/resolve" not in page.text
    again = requests.post(
        f"{case_url}/resolve?lang=en",
        data={**csrf_fields(page.text), "text": "Something else."},
        cookies=cookies,
        headers=SAME_SITE,
        allow_redirects=False,
        timeout=10,
    )
    assert again.status_code == 409 and "illegal_transition" in again.text

    # Then the case's timeline names the agent for every move
    case = storefront.http.get(f"{storefront.url}/v1/complaints/{case_id}", timeout=10).json()
    assert case["status"] == "resolved" and case["assignee"] == "agent@local"
    assert [(e["type"], e["by"]) for e in case["timeline"]] == [
        ("opened", "storefront"),
        ("assigned", "agent@local"),
        ("note", "agent@local"),
        ("reply", "agent@local"),
        ("resolved", "agent@local"),
    ]
    # and the customer got the opened, reply and resolved emails, none with the note
    emails = case_emails(storefront, customer["email"], 3)
    subjects = [m["subject"] for m in emails]
    assert len(subjects) == 3, subjects
    assert any("reply about your complaint" in s for s in subjects)
    assert any("has been resolved" in s for s in subjects)
    assert any(REPLY in m["body"] for m in emails)
    assert not any(NOTE in m["body"] for m in storefront.outbox_for(customer["email"]))
