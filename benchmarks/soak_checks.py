"""What the soak (:mod:`benchmarks.soak`) checks once the stack has settled after its journeys.

Each finding is a line in ``losses`` (something the journeys imply is missing or short) or in
``duplicates`` (something happened more than once); both must be empty.

* Orders: delivered when the stock was reserved, out of stock otherwise, and the scarce product's
  units went to exactly as many orders as it had.
* Stock: nothing reserved once every order is shipped or refused, ``on_hand`` is the initial stock
  less the units shipped plus the returned units received back (resellable), nothing oversold, and ``inventory.reconcile`` finds no drift between the
  counters, the live reservations and the audit trail.
* Messages: every entry of an order's notification log is final (sent, collapsed or suppressed);
  the provider (the moto server's outbox) holds exactly as many messages per customer and channel
  as the log says were sent; no (event, channel) was sent twice; the journey's must-have messages
  were sent (its final order event on email and SMS, the survey invitation by email).
* KPIs: ``GET /v1/stats`` moved by exactly what the journeys did (orders received, confirmed, out of
  stock, shipped, delivered, survey responses, complaints opened, returns refunded, messages sent).
* Dead-letter queues: every one is empty (the stack is idle, so no function is left failing).
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime
from typing import Any

FINAL = {"sent", "collapsed", "suppressed"}


def check(stack: Any, run: Any) -> dict[str, Any]:
    from benchmarks.soak import Client

    client = Client(stack.api_url, stack.api_key, Counter())
    losses: list[str] = []
    duplicates: list[str] = []
    _orders(client, run, losses)
    _stock(stack, client, run, losses)
    sent = _messages(stack, client, run, losses, duplicates)
    _kpis(client, run, sent, losses, duplicates)
    _dead_letters(stack, losses)
    return {"losses": losses, "duplicates": duplicates, "messages_sent": sum(sent.values())}


def _orders(client: Any, run: Any, losses: list[str]) -> None:
    from benchmarks.soak import SCARCE

    for journey in run.journeys:
        status = client.call("GET", f"/v1/orders/{journey.order_id}", "check").json()["status"]
        expected = "delivered" if journey.delivered else "out_of_stock"
        if status != expected:
            losses.append(f"order {journey.order_id}: {status}, its journey ends {expected}")
    wanted = sum(j.sku == SCARCE for j in run.journeys)
    confirmed = sum(j.sku == SCARCE and j.delivered for j in run.journeys)
    if confirmed != min(wanted, run.initial_stock[SCARCE]):
        losses.append(
            f"{SCARCE}: {confirmed} orders got a unit, expected {min(wanted, run.initial_stock[SCARCE])}"
        )


def _stock(stack: Any, client: Any, run: Any, losses: list[str]) -> None:
    from inventory.reconcile import reconcile

    for sku, initial in run.initial_stock.items():
        level = client.call("GET", f"/v1/inventory/{sku}", "check").json()
        shipped = sum(j.sku == sku and j.delivered for j in run.journeys)
        restocked = sum(j.sku == sku and j.returned for j in run.journeys)  # a resellable unit each
        if level["reserved"] != 0:
            losses.append(f"{sku}: {level['reserved']} units still reserved after every order ended")
        if level["on_hand"] != initial - shipped + restocked:
            losses.append(
                f"{sku}: on_hand {level['on_hand']}, expected {initial} - {shipped} shipped"
                f" + {restocked} returned"
            )
        if shipped > initial or level["available"] < 0:
            losses.append(f"{sku}: oversold ({shipped} shipped of {initial}, available {level['available']})")
    out = io.StringIO()
    drifts = reconcile(stack.client("dynamodb"), stack.physical("OrdersTable"), fix=False, out=out)
    losses.extend(f"stock books drift: {drift}" for drift in drifts if str(drift.sku).startswith("SOAK-"))


def _messages(stack: Any, client: Any, run: Any, losses: list[str], duplicates: list[str]) -> Counter[str]:
    outbox: Counter[tuple[str, str]] = Counter()
    for message in stack.outbox():
        for recipient in message["to"]:
            outbox[(message["channel"], recipient)] += 1
    sent: Counter[str] = Counter()
    sns = stack.client("sns")
    for journey in run.journeys:
        log = client.call("GET", f"/v1/orders/{journey.order_id}/notifications", "check").json()
        entries = log["notifications"]
        by_key = Counter((e["event_id"], e["channel"]) for e in entries if e["status"] == "sent")
        for (event_id, channel), count in by_key.items():
            if count > 1:
                duplicates.append(f"{journey.order_id}: {event_id} sent {count} times on {channel}")
        for entry in entries:
            if entry["status"] not in FINAL:
                losses.append(
                    f"{journey.order_id}: {entry['event_type']} on {entry['channel']} left {entry['status']}"
                    f" ({entry.get('reason') or 'no reason'})"
                )
        for channel, address in (("email", journey.customer["email"]), ("sms", journey.customer["phone"])):
            logged = sum(1 for e in entries if e["channel"] == channel and e["status"] == "sent")
            received = outbox[(channel, address)]
            sent[channel] += logged
            if received > logged:
                duplicates.append(
                    f"{journey.order_id}: {received} {channel} messages received, {logged} sent"
                )
            elif received < logged:
                losses.append(
                    f"{journey.order_id}: {logged} {channel} messages logged sent, {received} received"
                )
        opted_out = sns.check_if_phone_number_is_opted_out(phoneNumber=journey.customer["phone"])[
            "isOptedOut"
        ]
        for event_type, channel in _must_have(journey):
            # a number on SNS's opt-out list gets no SMS: the entry says so instead
            expected = "suppressed" if channel == "sms" and opted_out else "sent"
            if not any(
                e["event_type"] == event_type and e["channel"] == channel and e["status"] == expected
                for e in entries
            ):
                losses.append(f"{journey.order_id}: {event_type} never {expected} on {channel}")
    return sent


def _must_have(journey: Any) -> list[tuple[str, str]]:
    """What every journey of its kind must have told the customer. (Moto's SNS treats numbers
    ending in 99 as opted out, as the soak's hundredth customer's is.)"""
    if not journey.delivered:
        return [("order.out_of_stock", "email"), ("order.out_of_stock", "sms")]
    return [("order.delivered", "email"), ("order.delivered", "sms"), ("feedback.invite", "email")]


def _kpis(client: Any, run: Any, sent: Counter[str], losses: list[str], duplicates: list[str]) -> None:
    today = datetime.now(UTC).date().isoformat()
    now = client.call("GET", "/v1/stats", "check", params={"from": run.day, "to": today}).json()
    before = run.baseline
    delivered = sum(j.delivered for j in run.journeys)
    expected = {
        ("orders", "received"): len(run.journeys),
        ("orders", "confirmed"): delivered,
        ("orders", "out_of_stock"): len(run.journeys) - delivered,
        ("delivery", "shipped"): delivered,
        ("delivery", "delivered"): delivered,
        ("feedback", "responses"): sum(bool(j.feedback) for j in run.journeys),
        ("complaints", "opened"): sum(j.feedback == "complaint" or j.complaint for j in run.journeys),
        ("returns", "refunded"): sum(j.returned for j in run.journeys),
        ("notifications.sent", "email"): sent["email"],
        ("notifications.sent", "sms"): sent["sms"],
    }
    for (group, name), count in expected.items():
        moved = _figure(now, group, name) - _figure(before, group, name)
        if moved < count:
            losses.append(f"KPI {group}.{name}: moved by {moved}, the journeys imply {count}")
        elif moved > count:
            duplicates.append(f"KPI {group}.{name}: moved by {moved}, the journeys imply {count}")


def _figure(report: dict[str, Any], group: str, name: str) -> int:
    section: Any = report
    for part in group.split("."):
        section = section.get(part) or {}
    return int(section.get(name) or 0)


def _dead_letters(stack: Any, losses: list[str]) -> None:
    sqs = stack.client("sqs")
    for logical_id, queue in (stack.endpoints().get("queues") or {}).items():
        if not logical_id.endswith("Dlq"):
            continue
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue["url"],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        held = sum(int(value) for value in attributes.values())
        if held:
            losses.append(f"{logical_id} holds {held} message(s) after the redrive")
