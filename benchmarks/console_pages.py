"""`make bench` (and `python -m benchmarks.console_pages`): server time per console page.

A moto server (the local runtime's, patched) gets the orders table exactly as the synthesized
template declares it (keys, indexes, projections), seeded with `--orders` orders (one in 50 on
hold), cases (one per 50 orders; open, in progress, reopened and resolved, with assignees), delivery
exceptions and returns (one per 200 orders), and 30 days of stats aggregates. Then every GET page of
the console's page table (`console.routes.ROUTES`, so pages added by other areas are timed too) is
rendered `--iterations` times in process through `console.routes.route` with the function's own
wiring (`console.dependencies.console_services`: the real adapters against moto), as a signed-in
manager (the session check is a stub: JWT verification is not what is measured). Each page's p50
and p95 are printed with the DynamoDB operations one rendering issues, recorded through botocore's
event hooks; a `Scan` fails the run. Target: p95 at most 300 ms per page.

What is timed is the page's server time in this process, against a moto server on this machine:
moto answers slower than DynamoDB for queries, so the figures are an upper bound of the page's own
work plus its round trips.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for _path in (REPO / "functions", REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

TARGET_P95_MS = 300.0
FORM_KEY = "b" * 32
SAMPLE_PATHS = {
    "orders": "/console/orders/{order_id}",
    "search": "/console/search?q={order_id}",
    "customers": "/console/customers/{customer_id}",
}
"""A page that needs more than its name: its sample path (the others are `/console/<page>`)."""
DETAIL_PATHS = {
    "cases/{id}": "/console/cases/{case_id}",
    "exceptions/{id}": "/console/exceptions/{exception_id}",
    "returns/{order}/{id}": "/console/returns/{return_order_id}/{return_id}",
    "search?q={number}": "/console/search?q={order_number}",
}
"""Pages of one item, timed beside the page table's (a case, an exception, a return, a search by
order number)."""
SKIPPED = {"account"}
"""The account page reads the operator from Cognito (GetUser with the access token): not a table page."""
CUSTOMERS = 2_000
"""Customers among the seeded orders: 10,000 orders are five per customer."""
REDIRECTING = {"search": 303, "search?q={number}": 303}
"""Pages whose success is a redirect (search by an order id opens the order)."""
AGENTS = ("agent@local", "lin@local", "wu@local", None)


def bench_order_id(index: int) -> str:
    """A valid order id (`ord_` + 24 base32 characters) for the index-th seeded order."""
    return "ord_" + base64.b32encode(index.to_bytes(15, "big")).decode().lower()


@dataclass(frozen=True)
class Seeded:
    order_id: str
    orders: int
    held: int
    cases: int
    exceptions: int
    returns: int
    order_number: str = ""
    customer_id: str = ""

    def samples(self) -> dict[str, str]:
        """What the sample paths name: the first order's, case's, exception's and return's ids."""
        return {
            "order_id": self.order_id,
            "order_number": self.order_number,
            "customer_id": self.customer_id,
            "case_id": "cmp_bench000000",
            "exception_id": "exc_bench000000",
            "return_order_id": bench_order_id(0),
            "return_id": "ret_bench000000",
        }


@dataclass
class PageFigures:
    page: str
    path: str
    statuses: Counter[int] = field(default_factory=Counter)
    durations_ms: list[float] = field(default_factory=list)
    operations: Counter[str] = field(default_factory=Counter)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.durations_ms)
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]

    @property
    def per_render(self) -> dict[str, float]:
        runs = max(1, len(self.durations_ms))
        return {name: count / runs for name, count in sorted(self.operations.items())}


# seeding ---------------------------------------------------------------------------------------


def _write(client: Any, table: str, items: list[dict[str, Any]], workers: int = 4) -> None:
    def batch(start: int) -> None:
        request = {table: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]}
        while request:
            request = client.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(batch, range(0, len(items), 25)))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def seed(client: Any, table: str, orders: int, now: datetime) -> Seeded:
    """Orders, cases, exceptions, returns and 30 days of aggregates, written with the capabilities'
    own item builders (so the keys and indexes are the adapters')."""
    from delivery_exceptions.adapters.dynamo_exceptions import exception_item
    from delivery_exceptions.models.records import ExceptionRecord, ExceptionStatus
    from orders.adapters.dynamo_orders import order_item
    from orders.adapters.order_lookups import lookup_item
    from orders.domain.order_lookups import order_lookups
    from orders.domain.place_order import place_order
    from orders.models.api import CreateOrderRequest, TimelineEntry
    from orders.models.order import OrderStatus
    from service.adapters.dynamo_cases import complaint_item
    from service.adapters.dynamo_service import return_item
    from service.models.records import ComplaintRecord, ReturnRecord
    from tests.factories import order_body
    from tests.fakes.orders import FrozenClock, InMemoryOrders

    template = place_order(
        CreateOrderRequest.model_validate(order_body()), "bench", InMemoryOrders(), FrozenClock(now)
    ).order
    items, first_id, held = [], "", 0
    for index in range(orders):
        placed = now - timedelta(minutes=7 * index)
        order_id = bench_order_id(index)
        status = OrderStatus.ON_HOLD if index % 50 == 1 else OrderStatus.DELIVERED
        held += status == OrderStatus.ON_HOLD
        timeline = [TimelineEntry(status=status, at=_iso(placed), by="bench", details=None)]
        order = template.model_copy(
            update={
                "order_id": order_id,
                "order_number": f"SO-{index:06d}",  # the storefront's own number (looked up)
                "customer": template.customer.model_copy(update={"id": f"cust-bench-{index % CUSTOMERS}"}),
                "created_at": _iso(placed),
                "updated_at": _iso(placed),
                "status": status,
                "timeline": [*template.timeline, *timeline],
                "hold_reasons": ["first_order_high_value"] if status == OrderStatus.ON_HOLD else [],
            }
        )
        items.append(order_item(order))
        # the order-number lookup the intake writes beside the order (phones and emails need the key)
        items += [lookup_item(lookup) for lookup in order_lookups(order, None)]
        first_id = first_id or order_id
    cases = max(8, orders // 50)
    statuses = ("open", "in_progress", "reopened", "resolved")
    for index in range(cases):
        opened = now - timedelta(hours=3 * index + 1)
        status = statuses[index % 4]
        items.append(
            complaint_item(
                ComplaintRecord.model_validate(
                    {
                        "complaint_id": f"cmp_bench{index:06d}",
                        "order_id": bench_order_id(index * 3),
                        "customer_id": f"cust-bench-{(index * 3) % CUSTOMERS}",
                        "category": "delivery_delay",
                        "description": "late",
                        "priority": ("p1", "p2", "p3")[index % 3],
                        "status": status,
                        "opened_at": _iso(opened),
                        "due_at": _iso(opened + timedelta(hours=24)),
                        "source": "storefront",
                        "assignee": AGENTS[(index // 4) % len(AGENTS)] if status != "open" else None,
                    }
                )
            )
        )
    side = max(4, orders // 200)
    for index in range(side):
        opened = now - timedelta(hours=5 * index + 2)
        items.append(
            exception_item(
                ExceptionRecord(
                    exception_id=f"exc_bench{index:06d}",
                    order_id=bench_order_id(index * 5),
                    shipment_id="shp_1",
                    reason="delayed",  # type: ignore[arg-type]
                    status=ExceptionStatus.RESOLVED if index % 3 == 2 else ExceptionStatus.OPEN,
                    assignee="unassigned",
                    opened_at=_iso(opened),
                    due_at=_iso(opened + timedelta(hours=24)),
                )
            )
        )
        requested = _iso(now - timedelta(hours=4 * index + 1))
        items.append(
            return_item(
                ReturnRecord.model_validate(
                    {
                        "return_id": f"ret_bench{index:06d}",
                        "order_id": bench_order_id(index * 7),
                        "status": "requested" if index % 2 == 0 else "approved",
                        "lines": [{"sku": "TEA-1", "quantity": 1}],
                        "reason_code": "damaged",
                        "requested_at": requested,
                        "updated_at": requested,
                    }
                )
            )
        )
    _write(client, table, items)
    _seed_aggregates(client, table, now)
    return Seeded(
        first_id,
        orders,
        held,
        cases,
        side,
        side,
        order_number="SO-000000",
        customer_id=f"cust-bench-{0 % CUSTOMERS}",
    )


def _seed_aggregates(client: Any, table: str, now: datetime) -> None:
    from stats.adapters.dynamo_aggregates import DynamoAggregates

    store = DynamoAggregates(table, client, lambda: now)
    for back in range(30):
        day = (now - timedelta(days=back)).date().isoformat()
        counters = {
            (day, "ORDERS"): {"received": 300 + 7 * back, "delivered": 280},
            (day, "SHIPMENTS"): {"shipped": 290, "promised": 280, "on_time": 250 + back, "exceptions": 6},
            (day, "FEEDBACK"): {"responses": 40, "satisfied": 33},
            (day, "COMPLAINTS"): {"opened": 5, "resolved": 4, "overdue": back % 3},
            (day, "AGENTS"): {
                "agent@local#assigned": 3,
                "agent@local#resolved": 2,
                "agent@local#first_response#b100": 2,
                "agent@local#first_response#count": 2,
                "agent@local#response_due": 2,
                "agent@local#responded_on_time": 1,
                "lin@local#assigned": 2,
            },
        }
        store.apply_group(f"bench-{day}", "1", counters)


# timing ----------------------------------------------------------------------------------------


class _Manager:
    """The session check, stubbed: every request is manager@local's."""

    def operator(self, cookie: str | None) -> Any:
        from console.sessions import MANAGER, Operator

        return Operator(username="manager@local", groups=frozenset({MANAGER}), subject="bench", expires=2**40)


def function_environment(table: str) -> dict[str, str]:
    """What `console.settings.ConsoleSettings` needs (the secret and the pool are never reached)."""
    return {
        "ORDERS_TABLE_NAME": table,
        "LINK_SIGNING_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench",
        "CONSOLE_USER_POOL_ID": "eu-west-1_bench",
        "CONSOLE_CLIENT_ID": "bench",
    }


def console_services(now: datetime) -> Any:
    """The function's own wiring (`console.dependencies`, its environment set by the caller: see
    `function_environment`), signed in as a manager, with a fixed form key and clock."""
    from console import dependencies
    from tests.fakes.orders import FrozenClock

    dependencies.reset()
    services = dependencies.console_services()
    return replace(services, verifier=_Manager(), form_keys=lambda: (FORM_KEY,), clock=FrozenClock(now))


def page_paths(seeded: Seeded) -> dict[str, str]:
    """Every GET page of the page table with its sample path."""
    from console.routes import ROUTES

    samples = seeded.samples()
    pages = sorted(page for method, page in ROUTES if method == "GET" and page not in SKIPPED)
    paths = {page: SAMPLE_PATHS.get(page, f"/console/{page}").format(**samples) for page in pages}
    return {**paths, **{label: path.format(**samples) for label, path in DETAIL_PATHS.items()}}


def _event(path: str) -> dict[str, Any]:
    raw, _, query = path.partition("?")
    parameters = dict(part.split("=", 1) for part in query.split("&") if "=" in part)
    return {
        "rawPath": raw,
        "queryStringParameters": {"lang": "en", **parameters},
        "requestContext": {"http": {"method": "GET"}},
        "headers": {"accept-language": "en"},
        "cookies": ["console_session=bench"],
    }


@contextmanager
def recorded_operations(client: Any) -> Iterator[list[str]]:
    """The DynamoDB operations `client` issues inside the block, by name (botocore event hooks)."""
    seen: list[str] = []

    def record(model: Any, **_: Any) -> None:
        seen.append(model.name)

    client.meta.events.register("before-call.dynamodb", record)
    try:
        yield seen
    finally:
        client.meta.events.unregister("before-call.dynamodb", record)


def time_pages(services: Any, client: Any, paths: dict[str, str], iterations: int) -> list[PageFigures]:
    from console.routes import route

    figures = {page: PageFigures(page, path) for page, path in paths.items()}
    for _ in range(iterations):
        for page, path in paths.items():
            with recorded_operations(client) as seen:
                started = time.perf_counter()
                answer = route(_event(path), services)
                elapsed = (time.perf_counter() - started) * 1000
            figures[page].durations_ms.append(elapsed)
            figures[page].statuses[answer.status] += 1
            figures[page].operations.update(seen)
    return list(figures.values())


def problems(figures: list[PageFigures]) -> list[str]:
    """What must never happen: a Scan, or a page that does not answer as it should."""
    found = []
    for page in figures:
        if page.operations.get("Scan"):
            found.append(f"{page.page}: issued Scan")
        expected = REDIRECTING.get(page.page, 200)
        if set(page.statuses) != {expected}:
            found.append(f"{page.page}: answered {dict(page.statuses)}, not {expected}")
    return found


def report(figures: list[PageFigures], seeded: Seeded) -> list[str]:
    lines = [
        f"Console pages: server time per page with {seeded.orders:,} orders ({seeded.held} on hold), "
        f"{seeded.cases} cases, {seeded.exceptions} exceptions, {seeded.returns} returns "
        f"(target: p95 <= {TARGET_P95_MS:.0f} ms)",
        f"   {'page':<22} {'p50 ms':>8} {'p95 ms':>8}  DynamoDB operations per rendering",
    ]
    for page in figures:
        p95 = page.quantile(0.95)
        verdict = "meets target" if p95 <= TARGET_P95_MS else "MISSES target"
        operations = ", ".join(f"{name} {count:g}" for name, count in page.per_render.items()) or "none"
        lines.append(f"   {page.page:<22} {page.quantile(0.5):8.1f} {p95:8.1f}  {operations}  {verdict}")
    return lines


def _orders_table(resolver: Any) -> Any:
    for resource in resolver.active():
        if resource.type == "AWS::DynamoDB::Table":
            indexes = resolver.properties(resource).get("GlobalSecondaryIndexes") or []
            if {index["IndexName"] for index in indexes} >= {"gsi1", "gsi2", "gsi3"}:
                return resource
    raise LookupError("no orders table (with gsi1..gsi3) in the template")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()

    from infra.local.moto_process import MotoServer, local_client
    from infra.local.provision import Provisioner
    from infra.local.template import REGION, Resolver, Template
    from infra.synth import ensure_synthesized

    template = Template.load(Path(ensure_synthesized()))
    now = datetime.now(UTC).replace(microsecond=0)
    with MotoServer() as moto:
        os.environ.update(
            AWS_ENDPOINT_URL=moto.endpoint,
            AWS_DEFAULT_REGION=REGION,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's dummy credentials
        )
        resolver = Resolver(template, endpoint=moto.endpoint, api_url="http://127.0.0.1:9")
        provisioner = Provisioner(resolver, lambda service: local_client(service, moto.endpoint), {})
        resource = _orders_table(resolver)
        provisioner._table(resource)  # only the table, as the template declares it
        table = resolver.physical_name(resource)
        started = time.perf_counter()
        seeded = seed(local_client("dynamodb", moto.endpoint), table, args.orders, now)
        print(f"seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)

        from shared.aws_clients import aws_client

        aws_client.cache_clear()
        os.environ.update(function_environment(table))
        services = console_services(now)
        paths = page_paths(seeded)
        time_pages(services, aws_client("dynamodb"), paths, 2)  # warm: templates, connections
        figures = time_pages(services, aws_client("dynamodb"), paths, args.iterations)
    print("\n".join(report(figures, seeded)))
    found = problems(figures)
    if found:
        print("\n".join(["PROBLEMS:", *found]))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
