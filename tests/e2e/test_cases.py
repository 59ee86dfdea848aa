"""Customer-service cases on the local runtime: a complaint is opened, a second one on the same order
and category merges into it, it is assigned, noted, replied to and resolved; the customer gets the
opened, reply and resolved messages (the internal note in none of them), opens the "was this
resolved?" link from the resolved email and answers no: the case is reopened with a raised priority."""

from __future__ import annotations

import html
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Storefront
from tests.e2e.test_customer_service import deliver

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
NOTE = "INTERNAL-ONLY customer flagged as VIP"
PRIORITIES = ["p1", "p2", "p3"]


def case_emails(
    storefront: Storefront, address: str, count: int, timeout: float = 60
) -> list[dict[str, Any]]:
    """The customer's emails about complaints, once `count` are there (or the deadline passed)."""
    deadline = time.monotonic() + timeout
    while True:
        messages = [
            m
            for m in storefront.outbox_for(address)
            if m["channel"] == "email" and "complaint" in m["subject"]
        ]
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def test_a_case_from_complaint_to_the_customers_not_resolved_answer(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer("en", phone=False)  # email only: text messages wait out quiet hours
    order_id = deliver(stack, storefront, lambda *a, **k: customer)
    api = f"{storefront.url}/v1/complaints"

    # Given a complaint, and a second one on the same order and category
    body = {"order_id": order_id, "category": "delivery_delay", "description": "Three days late."}
    opened = storefront.http.post(api, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["complaint_id"]
    again = storefront.http.post(
        api,
        json={**body, "description": "Still waiting."},
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert again.status_code == 200 and again.json()["complaint_id"] == case_id
    listed = storefront.http.get(f"{api}?order_id={order_id}", timeout=10).json()["complaints"]
    assert [c["complaint_id"] for c in listed] == [case_id]

    # When an operator assigns it, notes, replies (a retried reply too) and resolves it
    case = f"{api}/{case_id}"
    assigned = storefront.http.post(f"{case}/assign", json={"assignee": "ops-7", "by": "lead-1"}, timeout=10)
    assert assigned.status_code == 200 and assigned.json()["status"] == "in_progress"
    assert (
        storefront.http.post(f"{case}/notes", json={"text": NOTE, "by": "ops-7"}, timeout=10).status_code
        == 200
    )
    reply = {"text": "Your parcel is at the local depot.", "by": "ops-7"}
    key = {"Idempotency-Key": uuid.uuid4().hex}
    assert storefront.http.post(f"{case}/replies", json=reply, headers=key, timeout=10).status_code == 200
    retried = storefront.http.post(f"{case}/replies", json=reply, headers=key, timeout=10)
    assert retried.headers["Idempotent-Replayed"] == "true"
    resolved = storefront.http.post(
        f"{case}/resolve", json={"resolution": "Delivered today.", "resolved_by": "ops-7"}, timeout=10
    )
    assert resolved.status_code == 200 and resolved.json()["first_response_at"]
    mine = storefront.http.get(f"{api}?assignee=ops-7&status=resolved", timeout=10).json()["complaints"]
    assert case_id in [c["complaint_id"] for c in mine]

    # Then the customer got the opened, reply and resolved emails once each, none with the note
    emails = case_emails(storefront, customer["email"], 3)
    subjects = [m["subject"] for m in emails]
    assert len(subjects) == 3, subjects
    assert any("received your complaint" in s for s in subjects)
    assert any("reply about your complaint" in s for s in subjects)
    assert any("has been resolved" in s for s in subjects)
    assert not any(NOTE in m["body"] for m in storefront.outbox_for(customer["email"]))
    resolved_email = next(m for m in emails if "has been resolved" in m["subject"])
    [link] = set(
        re.findall(r"https?://[^\s\"'<>]+/case/[A-Za-z0-9_.%-]+", html.unescape(resolved_email["body"]))
    )

    # When the customer opens the link and answers "not resolved"
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and "Was this resolved?" in page.text and NOTE not in page.text
    fields = dict(re.findall(r'name="(nonce|issued|csrf)" value="([^"]+)"', page.text))
    answered = requests.post(link, data={**fields, "resolved": "no"}, timeout=10)
    assert answered.status_code == 200 and "reopened" in answered.text
    twice = requests.post(link, data={**fields, "resolved": "yes"}, timeout=10)
    assert twice.status_code == 200 and "already have your answer" in twice.text

    # Then the case is reopened with its priority one step higher, all on its timeline
    final = storefront.http.get(case, timeout=10).json()
    assert final["status"] == "reopened"
    was = resolved.json()["priority"]
    assert PRIORITIES.index(final["priority"]) == max(PRIORITIES.index(was) - 1, 0)
    assert "customer_not_resolved" in final["priority_reasons"]
    assert [e["type"] for e in final["timeline"]] == [
        "opened",
        "merged",
        "assigned",
        "note",
        "reply",
        "resolved",
        "reopened",
    ]
    assert final["timeline"][-1]["by"] == "customer"
