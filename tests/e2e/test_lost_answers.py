"""An answer lost on its way back from SES (the `lost` fault: SES takes the email, the connection
closes before its answer) on the local stack: the customer gets the email once, and the log
records it sent with SES's message id, completed from SES's `Send` event instead of a second send
(the stack waits 10 s for that event here; 60 s on AWS)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Storefront
from tests.e2e.test_notification_journey import notification_log, place_confirmed

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def confirmation_entry(storefront: Storefront, order_id: str, timeout: float = 60) -> dict[str, Any]:
    """The confirmation email's log entry once it is sent (polled with a deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        entries = [
            e
            for e in notification_log(storefront, order_id)
            if e["event_type"] == "order.confirmed" and e["channel"] == "email"
        ]
        if (entries and entries[0]["status"] == "sent") or time.monotonic() > deadline:
            assert entries and entries[0]["status"] == "sent", entries
            return entries[0]
        time.sleep(0.5)


def test_an_email_whose_answer_was_lost_is_sent_once_and_logged_sent_from_ses_word(
    stack: Any, storefront: Storefront, new_customer: Callable[..., dict[str, Any]]
) -> None:
    customer = new_customer(locale="en")
    before = stack.fault_counts().get("ses.SendEmail=lost", 0)
    # Given every SendEmail answer lost after SES took the email
    stack.set_faults("ses.SendEmail=lost:1.0")
    try:
        # When an order is confirmed
        order_id = place_confirmed(storefront, customer)
        entry = confirmation_entry(storefront, order_id)
        lost = stack.fault_counts().get("ses.SendEmail=lost", 0) - before
    finally:
        stack.set_faults("")
    # Then SES took exactly one email for the customer, and the log names it
    emails = [m for m in storefront.outbox_for(customer["email"]) if m["channel"] == "email"]
    assert len(emails) == 1, [(m["id"], m["subject"], m["timestamp"]) for m in emails]
    assert lost >= 1  # its SendEmail (other tests' mail may have met the fault too)
    assert entry["message_id"] == emails[0]["id"]
    # and the SMS went as usual
    sms = [m for m in storefront.outbox_for(customer["phone"]) if m["channel"] == "sms"]
    assert len(sms) == 1
