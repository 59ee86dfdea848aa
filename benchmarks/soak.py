"""The soak: whole journeys through the local stack with faults on; nothing lost, nothing doubled.

``make soak`` (``python -m benchmarks.soak``) runs N journeys (order, stock reservation, shipment,
carrier updates, delivery, survey, a complaint, a return) with a mix of faults injected where AWS and
the providers produce them (``ORDERTRACK_LOCAL_FAULTS``, docs/local-runtime.md): throttling and 5xx
answers from DynamoDB, SES, SNS and EventBridge, crashes of the reservation and notification
workers, provider outages. Then it switches the faults off, waits for the stack to settle, redrives
every dead-letter queue once, settles again and checks (:mod:`benchmarks.soak_checks`) that

* every order is in the final state its journey implies, the stock books balance and nothing is
  oversold;
* every customer message was sent exactly once per (order, event, channel);
* every KPI equals the count the journeys imply;
* no dead-letter queue holds anything and no function is left failing.

It prints the journeys, the faults injected by kind, the retries, the redriven messages, the losses
and duplicates (both must be 0) and the time to settle, and exits 1 on any loss or duplicate.

The storefront and the carriers behave as real ones do: a 5xx, a 429 or a broken connection is
retried with backoff (the order with the same ``Idempotency-Key``, the webhook with the same body).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO / "functions", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks.notifications import CARRIER_STEPS, GENERIC, redated  # noqa: E402
from carriers.domain.signatures import generic_signature  # noqa: E402

_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


def fault_mix(
    throttle: float,
    sns_5xx: float,
    put_events: float,
    crashes: dict[str, float],
    kuaidi100_5xx: float,
    lost_emails: float = 0.0,
) -> str:
    """A fault spec: `throttle` on SES `SendEmail`, SNS `Publish` and every DynamoDB write, SNS 5xx,
    EventBridge `PutEvents` throttling, crash rates by function, Kuaidi100 API 5xx, and `SendEmail`
    answers lost after SES took the email (`lost_emails`)."""
    return ",".join(
        [
            f"ses.SendEmail=throttle:{throttle:g}",
            *([f"ses.SendEmail=lost:{lost_emails:g}"] if lost_emails else []),
            f"sns.Publish=throttle:{throttle:g}",
            f"sns.Publish=5xx:{sns_5xx:g}",
            *(f"dynamodb.{action}=throttle:{throttle:g}" for action in _WRITES),
            f"events.PutEvents=throttle:{put_events:g}",
            *(f"lambda.{function}=crash:{rate:g}" for function, rate in crashes.items()),
            f"provider.kuaidi100=5xx:{kuaidi100_5xx:g}",
        ]
    )


DEFAULT_FAULTS = fault_mix(
    0.1, 0.02, 0.05, {"ReserveStockFunction": 0.05, "SendNotificationsFunction": 0.05}, 0.2, 0.02
)
"""The default mix: at least 10% throttling on SES, SNS and DynamoDB writes, 5% crashes of the
reservation and notification workers, a flaky tracking provider, and 2% of the emails SES takes
with its answer lost (each then waits for SES's `Send` event: 20 s in the soak's windows)."""
SOAK_WINDOWS = {
    "ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "1",
    "ORDERTRACK_FEEDBACK_DELAY_SECONDS": "1",
    "ORDERTRACK_SIMULATOR_SPEED": "20",
    # an email whose answer was lost waits 20 s for SES's Send event (60 s on AWS); the local
    # suppression worker gathers events for up to 5 s
    "ORDERTRACK_SES_CONFIRMATION_SECONDS": "20",
}
PLENTY, SCARCE = "SOAK-PLENTY", "SOAK-SCARCE"
CLIENT_ATTEMPTS = 8


@dataclass
class Journey:
    index: int
    customer: dict[str, Any]
    sku: str
    order_id: str = ""
    decided: str = ""  # confirmed or out_of_stock
    tracking_number: str = ""
    feedback: str = ""  # "complaint" (a low rating with a category), "happy" or "" (no survey)
    complaint: bool = False  # opened through the API
    returned: bool = False

    @property
    def delivered(self) -> bool:
        return self.decided == "confirmed"


CARRIER_LEAD = timedelta(hours=1)  # the last carrier checkpoint is dated this long before the run


@dataclass
class SoakRun:
    journeys: list[Journey]
    initial_stock: dict[str, int]
    day: str
    baseline: dict[str, Any]
    retries: Counter[str] = field(default_factory=Counter)


class Client:
    """An HTTP client that retries 5xx, 429 and broken connections with backoff, as a storefront or
    a carrier does; counts its retries by route."""

    def __init__(self, base: str, api_key: str, retries: Counter[str]) -> None:
        self.base = base
        self.session = requests.Session()
        self.session.headers["x-api-key"] = api_key
        self.retries = retries

    def call(self, method: str, path: str, label: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        for attempt in range(CLIENT_ATTEMPTS):
            try:
                response = self.session.request(method, f"{self.base}{path}", **kwargs)
            except requests.ConnectionError:
                response = None
            if response is not None and response.status_code < 500 and response.status_code != 429:
                return response
            self.retries[label] += 1
            time.sleep(min(2.0, 0.1 * 2**attempt))  # backoff between a real client's attempts
        raise RuntimeError(f"{method} {path}: still failing after {CLIENT_ATTEMPTS} attempts")


def _customer(index: int) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:10]
    return {
        "id": f"soak-{tag}",
        "name": "Alex Doe",
        "email": f"soak-{tag}@example.com",
        "phone": f"+86139{index:08d}",
        "locale": "zh-CN" if index % 2 else "en",
    }


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"soak: {what} not reached within {timeout:.0f}s")
        time.sleep(0.5)


def _status(client: Client, order_id: str) -> str:
    return str(client.call("GET", f"/v1/orders/{order_id}", "read order").json()["status"])


def run_journeys(stack: Any, count: int, timeout: float) -> SoakRun:
    """Place and carry `count` orders to the end of their journeys (faults as the stack has them)."""
    from tests.factories import order_body

    retries: Counter[str] = Counter()
    client = Client(stack.api_url, stack.api_key, retries)
    scarce = max(1, count // 6)
    initial = {PLENTY: count * 2, SCARCE: scarce}
    journeys = [Journey(i, _customer(i), SCARCE if i % 3 == 0 else PLENTY) for i in range(count)]
    started = datetime.now(UTC).replace(microsecond=0)
    last_checkpoint = started - CARRIER_LEAD
    day = first_day(started)
    params = {"from": day, "to": started.date().isoformat()}
    baseline = client.call("GET", "/v1/stats", "stats", params=params).json()
    for sku, on_hand in initial.items():
        client.call("PUT", f"/v1/inventory/{sku}", "stock", json={"on_hand": on_hand})

    def place(journey: Journey) -> None:
        body = order_body(
            customer=journey.customer,
            items=[{"sku": journey.sku, "name": f"Item {journey.sku}", "quantity": 1, "unit_price": "66.00"}],
        )
        key = {"Idempotency-Key": f"soak-{uuid.uuid4().hex}"}
        response = client.call("POST", "/v1/orders", "place order", json=body, headers=key)
        if response.status_code != 201:
            raise RuntimeError(f"order refused: {response.status_code} {response.text[:200]}")
        journey.order_id = response.json()["order_id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(place, journeys))

    def decided(journey: Journey) -> bool:
        status = _status(client, journey.order_id)
        if status in ("confirmed", "out_of_stock"):
            journey.decided = status
        return bool(journey.decided)

    _wait(lambda: all(j.decided or decided(j) for j in journeys), timeout, "every order decided")
    shipped = [j for j in journeys if j.delivered]
    for journey in shipped:
        journey.tracking_number = f"SF{uuid.uuid4().int % 10**13:013d}"
        body = {"carrier": "sf-express", "tracking_number": journey.tracking_number}
        response = client.call("POST", f"/v1/orders/{journey.order_id}/shipments", "ship", json=body)
        if response.status_code >= 300 and _status(client, journey.order_id) != "shipped":
            raise RuntimeError(f"shipment refused: {response.status_code} {response.text[:200]}")
    _post_carrier_steps(stack, client, shipped, last_checkpoint)
    _wait(
        lambda: all(_status(client, j.order_id) == "delivered" for j in shipped),
        timeout,
        "every shipped order delivered",
    )
    _answer_surveys(stack, client, shipped, timeout)
    _complaints_and_returns(client, shipped)
    return SoakRun(journeys, initial, day, baseline, retries)


def first_day(started: datetime) -> str:
    """The first day whose KPIs a run can move: the carrier's checkpoints are dated up to
    `CARRIER_LEAD` before the run started, and the delivered KPI counts the carrier's day, so a run
    started just after midnight moves the day before too."""
    return (started - CARRIER_LEAD).date().isoformat()


def _post_carrier_steps(stack: Any, client: Client, shipped: list[Journey], last: datetime) -> None:
    secret = stack.settings.get("ORDERTRACK_GENERIC_WEBHOOK_SECRET", "local-generic-secret")
    samples = [json.loads((GENERIC / step).read_text(encoding="utf-8")) for step in CARRIER_STEPS]
    for template in redated(samples, last):
        for journey in shipped:
            body = json.dumps({**template, "tracking_number": journey.tracking_number}).encode()
            headers = {
                "content-type": "application/json",
                "ordertrack-signature": generic_signature(body, secret, int(time.time())),
            }
            response = client.call(
                "POST", "/v1/webhooks/generic", "carrier webhook", data=body, headers=headers
            )
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code} {response.text[:200]}")


def _answer_surveys(stack: Any, client: Client, shipped: list[Journey], timeout: float) -> None:
    """Every delivered order's customer follows the survey link of the invitation email; one in
    five answers with a low rating and a category, which opens a complaint."""
    import re

    link = re.compile(r"/feedback/([A-Za-z0-9._~-]+)")
    tokens: dict[str, str] = {}

    def invited() -> bool:
        for message in stack.outbox():
            if message["channel"] != "email":
                continue
            for journey in shipped:
                if journey.customer["email"] in message["to"] and (
                    found := link.search(message["body"] or "")
                ):
                    tokens[journey.order_id] = found.group(1)
        return len(tokens) == len(shipped)

    _wait(invited, timeout, "every survey invitation received")
    for journey in shipped:
        journey.feedback = "complaint" if journey.index % 5 == 1 else "happy"
        form = {"rating": "1", "categories": "damaged", "comment": "box crushed"}
        if journey.feedback == "happy":
            form = {"rating": "5"}
        token = tokens[journey.order_id]
        response = client.call("POST", f"/feedback/{token}", "survey", data=form)
        if response.status_code != 200:
            raise RuntimeError(f"survey answer refused: {response.status_code}")


def _complaints_and_returns(client: Client, shipped: list[Journey]) -> None:
    for journey in shipped:
        if journey.index % 5 == 2:
            body = {"order_id": journey.order_id, "category": "wrong_item", "description": "wrong colour"}
            key = {"Idempotency-Key": f"soak-complaint-{journey.order_id}"}
            response = client.call("POST", "/v1/complaints", "complaint", json=body, headers=key)
            if response.status_code != 201:
                raise RuntimeError(f"complaint refused: {response.status_code} {response.text[:200]}")
            journey.complaint = True
        if journey.index % 5 == 4:
            base = f"/v1/orders/{journey.order_id}/returns"
            body = {
                "lines": [{"sku": journey.sku, "quantity": 1}],
                "reason_code": "changed_mind",
                "reason": "changed my mind",
            }
            key = {"Idempotency-Key": f"soak-return-{journey.order_id}"}
            created = client.call("POST", base, "return", json=body, headers=key)
            if created.status_code != 201:
                raise RuntimeError(f"return refused: {created.status_code} {created.text[:200]}")
            return_id = created.json()["return_id"]
            for action in ("approve", "receive", "refund"):
                moved = client.call("POST", f"{base}/{return_id}/{action}", "return", json={})
                if moved.status_code not in (200, 409):  # 409: a retried step that had landed
                    raise RuntimeError(f"return {action}: {moved.status_code} {moved.text[:200]}")
            journey.returned = True


def settle_and_redrive(stack: Any, timeout: float) -> tuple[float, dict[str, int]]:
    """Faults off; wait for the stack to settle; redrive every dead-letter queue once; settle again.
    Returns the seconds it took and the messages redriven per queue."""
    from infra.redrive import dead_letter_queue_url, redrive

    started = time.monotonic()
    stack.set_faults("")
    stack.wait_idle(timeout)
    sqs = stack.client("sqs")
    moved: dict[str, int] = {}
    for logical_id, queue in (stack.endpoints().get("queues") or {}).items():
        attributes = sqs.get_queue_attributes(QueueUrl=queue["url"], AttributeNames=["RedrivePolicy"])
        if "RedrivePolicy" not in attributes.get("Attributes", {}):
            continue
        report = redrive(sqs, queue["url"], dead_letter_queue_url(sqs, queue["url"], logical_id))
        if report.moved:
            moved[logical_id] = len(report.moved)
    stack.wait_idle(timeout)
    return time.monotonic() - started, moved


def soak(stack: Any, journeys: int, faults: str, timeout: float) -> dict[str, Any]:
    from benchmarks.soak_checks import check

    stack.set_faults(faults)
    started = time.monotonic()
    run = run_journeys(stack, journeys, timeout)
    journeys_s = time.monotonic() - started
    injected = stack.fault_counts()
    settle_s, redriven = settle_and_redrive(stack, timeout)
    findings = check(stack, run)
    return {
        "journeys": len(run.journeys),
        "delivered": sum(j.delivered for j in run.journeys),
        "out_of_stock": sum(not j.delivered for j in run.journeys),
        "faults": faults,
        "injected": injected,
        "client_retries": dict(run.retries),
        "redriven": redriven,
        "journeys_seconds": round(journeys_s, 1),
        "settle_seconds": round(settle_s, 1),
        **findings,
    }


def report_lines(figures: dict[str, Any]) -> list[str]:
    injected = figures["injected"]
    lines = [
        f"soak: {figures['journeys']} journeys ({figures['delivered']} delivered, "
        f"{figures['out_of_stock']} out of stock) in {figures['journeys_seconds']}s, "
        f"settled and redriven in {figures['settle_seconds']}s",
        f"  faults: {figures['faults']}",
        f"  injected: {sum(injected.values())} ("
        + ", ".join(f"{name} {count}" for name, count in sorted(injected.items()))
        + ")",
        "  client retries: "
        + (", ".join(f"{k} {v}" for k, v in sorted(figures["client_retries"].items())) or "none"),
        "  redriven: " + (", ".join(f"{k} {v}" for k, v in sorted(figures["redriven"].items())) or "none"),
        f"  messages sent: {figures['messages_sent']}  losses: {len(figures['losses'])}  "
        f"duplicates: {len(figures['duplicates'])}",
    ]
    lines += [f"  LOST {loss}" for loss in figures["losses"][:40]]
    lines += [f"  DOUBLED {dup}" for dup in figures["duplicates"][:40]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=100)
    parser.add_argument("--faults", default=DEFAULT_FAULTS, help="a fault spec (default: the default mix)")
    parser.add_argument("--seed", type=int, default=None, help="ORDERTRACK_LOCAL_FAULTS_SEED")
    parser.add_argument("--timeout", type=float, default=900, help="seconds any one phase may take")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args(argv)

    from benchmarks.__main__ import quiet_stack
    from infra.synth import ensure_synthesized

    env = dict(SOAK_WINDOWS)
    if args.seed is not None:
        env["ORDERTRACK_LOCAL_FAULTS_SEED"] = str(args.seed)
    with quiet_stack(Path(ensure_synthesized()), env) as stack:
        figures = soak(stack, args.journeys, args.faults, args.timeout)
    for line in report_lines(figures):
        print(line)
    if args.json:
        print(json.dumps(figures, default=str))
    return 1 if figures["losses"] or figures["duplicates"] else 0


if __name__ == "__main__":
    sys.exit(main())
