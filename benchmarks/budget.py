"""The write budget and the cost model, measured over whole journeys on the local stack.

Each order goes received -> reserved -> shipped -> in transit -> out for delivery -> delivered ->
survey answered (the invitation's link, followed from the email the customer got), one step for
all orders at a time with the pipeline idle in between. Around the journeys the local moto
server's meter (:mod:`infra.local.request_meter`) counts every DynamoDB write in write units as
DynamoDB bills them (tables, indexes, partition keys) and every request by action, and the local
runtime counts each function's invocations, duration and the bytes it wrote to its log stream.

Everything is divided by the number of orders. Partition keys are told apart: a key that names
one order (its id, tracking number, customer or survey token) only ever carries that order's
writes, so the key that limits throughput is the hottest *shared* key: at 1,000 write units a
second per partition, it caps the orders a second at 1,000 / (its units per order).
"""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter
from typing import Any

import requests

from benchmarks import prices
from benchmarks.notifications import ship_and_deliver

SKU = "BENCH-BUDGET-SKU"
PARTITION_UNITS_PER_S = 1000
TARGET_UNITS = 60
TARGET_LOG_BYTES = 4 * 1024
TARGET_COST = 50.0
ITEM_LINES = 14
PLATFORM_LOG_BYTES_PER_INVOCATION = 71 + 52 + 205
"""Lambda's own lines per invocation in the TEXT log format (the local runtime writes none):
``START RequestId: <id> Version: $LATEST`` (71 bytes), ``END RequestId: <id>`` (52) and
``REPORT RequestId: <id>`` with duration, billed duration, memory size, memory used and, with
active tracing, the X-Ray trace and segment ids (about 205). Counted in the logs' cost, apart from
the functions' own bytes (the target); a SystemLogLevel of WARN (JSON log format) drops them."""
_FEEDBACK_LINK = re.compile(r"/feedback/([A-Za-z0-9._~-]+)")


def _runtime_counts(stack: Any) -> dict[str, dict[str, float]]:
    return {
        name: {"invocations": float(function.invocations), "log_bytes": float(function.log_bytes)}
        for name, function in stack.functions.items()
    }


def _gb_s(stack: Any, runtime: dict[str, dict[str, float]], quantile: float) -> float:
    """GB-seconds of the measured invocations, each function's invocations at the given quantile of
    its local durations. This shared machine's timings stretch with its load; the lower quartile is
    the uncontended end of them (cold starts and waits on busy cores sit in the upper half)."""
    total = 0.0
    for name, figures in runtime.items():
        function = stack.functions[name]
        count = int(figures["invocations"])
        recent = sorted(list(function.durations_ms)[-count:]) if count else []
        if recent:
            typical = recent[min(len(recent) - 1, int(len(recent) * quantile))]
            total += count * typical / 1000 * function.spec.memory_mb / 1024
    return total


def _journeys(stack: Any, orders: int) -> tuple[list[str], set[str]]:
    """Run the journeys; returns the order ids and every value that names one order."""
    from tests.factories import order_body

    api = stack.api_url
    session = requests.Session()
    session.headers["x-api-key"] = stack.api_key
    own: set[str] = set()
    placed = []
    for index in range(orders):
        tag = uuid.uuid4().hex[:8]
        customer = {
            "id": f"budget-{tag}",
            "name": "Alex Doe",
            "email": f"budget-{tag}@example.com",
            "phone": f"+8613900{index:06d}",
            "locale": "zh-CN" if index % 2 else "en",
        }
        body = order_body(
            customer=customer,
            items=[{"sku": SKU, "name": f"Item {SKU}", "quantity": 1, "unit_price": "66.00"}],
        )
        response = session.post(
            f"{api}/v1/orders", json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30
        )
        if response.status_code != 201:
            raise RuntimeError(f"order refused: {response.status_code} {response.text[:200]}")
        placed.append(response.json()["order_id"])
        own |= {customer["id"], customer["email"], customer["phone"]}
    own |= set(placed)
    stack.wait_idle(120)
    own |= set(ship_and_deliver(stack, session, placed).values())
    tokens = _survey_tokens(stack, orders)
    own |= tokens
    for token in tokens:
        answered = requests.post(f"{api}/feedback/{token}", data={"rating": "5"}, timeout=30)
        if answered.status_code != 200:
            raise RuntimeError(f"survey answer refused: {answered.status_code}")
    stack.wait_idle(120)
    return placed, own


def _survey_tokens(stack: Any, orders: int, timeout: float = 60) -> set[str]:
    """The survey tokens of the invitations the customers received (one per order)."""
    deadline = time.monotonic() + timeout
    while True:
        tokens = {
            match.group(1)
            for message in stack.outbox()
            if message["channel"] == "email" and "budget-" in " ".join(message["to"])
            for match in _FEEDBACK_LINK.finditer(message["body"] or "")
        }
        if len(tokens) >= orders or time.monotonic() > deadline:
            return tokens
        stack.wait_idle(60)
        time.sleep(0.2)


def measure(stack: Any, orders: int) -> dict[str, Any]:
    requests.put(
        f"{stack.api_url}/v1/inventory/{SKU}",
        json={"on_hand": 100000},
        headers={"x-api-key": stack.api_key},
        timeout=30,
    )
    stack.wait_idle(60)
    stack.moto.reset_meter()
    before = _runtime_counts(stack)
    placed, own = _journeys(stack, orders)
    meter = stack.moto.meter()
    after = _runtime_counts(stack)
    scheduled = _scheduled_only(stack)
    runtime = {
        name: {key: after[name][key] - before[name][key] for key in after[name]}
        for name in after
        if name not in scheduled
    }
    figures = summarize(stack, meter, runtime, len(placed), own, _gb_s(stack, runtime, 0.25))
    figures["lambda_gb_s_per_order_at_local_median"] = _gb_s(stack, runtime, 0.5) / len(placed)
    figures["scheduled_functions_left_out"] = sorted(scheduled)
    return figures


def _scheduled_only(stack: Any) -> set[str]:
    """Functions only a schedule runs: their invocations follow the clock, not the orders."""
    scheduled = {schedule.function.spec.logical_id for schedule in stack.schedules.schedules.values()}
    triggered = _http_functions(stack) | {
        source.function.spec.logical_id for source in [*stack.sqs_sources, *stack.stream_sources]
    }
    return scheduled - triggered


def _logical_names(stack: Any) -> dict[str, str]:
    return {physical: logical for logical, physical in stack.endpoints()["tables"].items()}


def summarize(
    stack: Any,
    meter: dict[str, Any],
    runtime: dict[str, dict[str, float]],
    orders: int,
    own: set[str],
    gb_s: float,
) -> dict[str, Any]:
    names = _logical_names(stack)

    def label(target: str) -> str:
        table, _, index = target.partition("/")
        return f"{names.get(table, table)}/{index}" if index else names.get(table, table)

    units = {label(target): count / orders for target, count in meter["write_units"].items()}
    shared = [p for p in meter["partitions"] if not any(value in p["key"] for value in own)]
    per_order = [p for p in meter["partitions"] if p not in shared]
    hottest = max(shared, key=lambda p: p["units"], default=None)
    hottest_units = hottest["units"] / orders if hottest else 0.0
    requests_ = Counter(meter["requests"])
    sqs = {name: count / orders for name, count in requests_.items() if name.startswith("sqs.")}
    sqs_billed = sum(count for name, count in sqs.items() if name not in _LOCAL_ONLY_SQS)
    invocations = {name: figures["invocations"] / orders for name, figures in runtime.items()}
    log_bytes = {name: figures["log_bytes"] / orders for name, figures in runtime.items()}
    gb_s /= orders
    api_requests = (
        sum(figures["invocations"] for name, figures in runtime.items() if name in _http_functions(stack))
        / orders
    )
    events = requests_.get("events.PutEvents entries", 0) / orders
    emails = requests_.get("ses.SendEmail", 0) / orders + requests_.get("email.SendEmail", 0) / orders
    texts = requests_.get("sns.Publish", 0) / orders
    total_units = sum(units.values())
    total_invocations = sum(invocations.values())
    total_log = sum(log_bytes.values())
    million = 1e6
    cost = {
        "DynamoDB writes": total_units * prices.DYNAMODB_WRITE_REQUEST_UNIT * million,
        "Lambda requests": total_invocations * prices.LAMBDA_REQUEST * million,
        "Lambda duration (arm64, local p25 timings)": gb_s * prices.LAMBDA_ARM64_GB_SECOND * million,
        "SQS requests": sqs_billed * prices.SQS_STANDARD_REQUEST * million,
        "EventBridge events": events * prices.EVENTBRIDGE_CUSTOM_EVENT * million,
        "HTTP API requests": api_requests * prices.HTTP_API_REQUEST * million,
        "CloudWatch Logs ingestion (functions + platform lines)": (
            total_log + total_invocations * PLATFORM_LOG_BYTES_PER_INVOCATION
        )
        / 1024**3
        * prices.LOGS_INGESTION_GB
        * million,
        "X-Ray traces (default sampling)": total_invocations
        * prices.XRAY_DEFAULT_SAMPLED_SHARE
        * prices.XRAY_TRACE_RECORDED
        * million,
    }
    return {
        "orders": orders,
        "write_units_per_order": total_units,
        "write_units_by_target": dict(sorted(units.items(), key=lambda kv: -kv[1])),
        "writes": {name: count / orders for name, count in sorted(meter["writes"].items())},
        "write_units_by_item": [
            {
                "target": label(entry["target"]),
                "item": entry["shape"],
                "operation": entry["operation"],
                "units_per_order": entry["units"] / orders,
                "largest_item_bytes": entry.get("largest_item_bytes", 0),
            }
            for entry in meter.get("items", [])
        ],
        "hottest_shared_partition": {
            "target": label(hottest["target"]) if hottest else None,
            "key": hottest["key"] if hottest else None,
            "units_per_order": hottest_units,
            "orders_per_s_ceiling": PARTITION_UNITS_PER_S / hottest_units if hottest_units else None,
        },
        "shared_partitions": [
            {"target": label(p["target"]), "key": p["key"], "units_per_order": p["units"] / orders}
            for p in sorted(shared, key=lambda p: -p["units"])[:8]
        ],
        "largest_single_order_partition_units": max((p["units"] for p in per_order), default=0),
        "lambda_invocations_per_order": total_invocations,
        "lambda_invocations_by_function": {k: v for k, v in sorted(invocations.items()) if v},
        "lambda_gb_s_per_order": gb_s,
        "sqs_requests_per_order": sqs_billed,
        "sqs_requests_by_action": dict(sorted(sqs.items())),
        "eventbridge_events_per_order": events,
        "http_api_requests_per_order": api_requests,
        "log_bytes_per_order": total_log,
        "platform_log_bytes_per_order": total_invocations * PLATFORM_LOG_BYTES_PER_INVOCATION,
        "log_bytes_by_function": {k: v for k, v in sorted(log_bytes.items(), key=lambda kv: -kv[1]) if v},
        "emails_per_order": emails,
        "sms_per_order": texts,
        "cost_per_million_orders": cost,
        "cost_per_million_orders_before_ses_sms": sum(cost.values()),
        "ses_per_million_orders": emails * prices.SES_EMAIL * million,
        "prices_read_on": prices.PRICES_READ_ON,
        "targets": {
            "write_units_per_order": TARGET_UNITS,
            "log_bytes_per_order": TARGET_LOG_BYTES,
            "cost_per_million_orders": TARGET_COST,
        },
    }


_LOCAL_ONLY_SQS = frozenset({"sqs.ReceiveMessage (empty)", "sqs.GetQueueAttributes", "sqs.GetQueueUrl"})
"""Requests only the local runtime makes (idle checks, empty polls of an idle queue; Lambda's own
pollers' empty receives are billed too, but do not grow with orders)."""


def _http_functions(stack: Any) -> set[str]:
    return {route.function.spec.logical_id for route in stack.routes.routes}


def _verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def report(figures: dict[str, Any]) -> list[str]:
    orders = figures["orders"]
    units = figures["write_units_per_order"]
    hottest = figures["hottest_shared_partition"]
    log_bytes = figures["log_bytes_per_order"]
    cost = figures["cost_per_million_orders_before_ses_sms"]
    lines = [
        f"7. Write budget and cost: {orders} journeys (received -> delivered -> survey answered),"
        f" functions logging at {figures.get('log_level', 'INFO')}",
        f"   DynamoDB write units per order {units:6.1f}  (target <= {TARGET_UNITS})  {_verdict(units <= TARGET_UNITS)}",
    ]
    lines += [f"     {target:<32} {value:6.1f}" for target, value in figures["write_units_by_target"].items()]
    lines.append(
        "     writes per order: "
        + ", ".join(f"{name} {count:.1f}" for name, count in figures["writes"].items())
    )
    lines.append("     by item (table or index, key shape, operation, largest item), the most:")
    lines += [
        f"       {entry['target']:<18} {entry['item'][:36]:<36} {entry['operation'][:28]:<28}"
        f" {entry['largest_item_bytes']:6,d} B {entry['units_per_order']:5.1f}"
        for entry in figures.get("write_units_by_item", [])[:ITEM_LINES]
    ]
    if hottest["target"]:
        lines.append(
            f"   hottest shared partition key: {hottest['target']} {hottest['key']!r}"
            f" {hottest['units_per_order']:.2f} WU/order -> ceiling"
            f" {hottest['orders_per_s_ceiling']:,.0f} orders/s at {PARTITION_UNITS_PER_S:,} WU/s per partition"
        )
        lines += [
            f"     {p['target']:<20} {p['key'][:48]!r:<52} {p['units_per_order']:5.2f} WU/order"
            for p in figures["shared_partitions"][1:5]
        ]
    lines += [
        f"   largest per-order partition: {figures['largest_single_order_partition_units']} WU over the whole journey",
        f"   Lambda invocations per order {figures['lambda_invocations_per_order']:5.1f}"
        f" (scheduled jobs left out: {', '.join(n.removesuffix('Function') for n in figures.get('scheduled_functions_left_out', [])) or 'none'}): "
        + ", ".join(
            f"{name.removesuffix('Function')} {count:.1f}"
            for name, count in figures["lambda_invocations_by_function"].items()
        ),
        f"   SQS requests per order {figures['sqs_requests_per_order']:5.1f}: "
        + ", ".join(
            f"{name.removeprefix('sqs.')} {count:.1f}"
            for name, count in figures["sqs_requests_by_action"].items()
            if name not in _LOCAL_ONLY_SQS
        )
        + "  (not counted, the local runtime's own: "
        + ", ".join(
            f"{name.removeprefix('sqs.')} {count:.1f}"
            for name, count in figures["sqs_requests_by_action"].items()
            if name in _LOCAL_ONLY_SQS
        )
        + ")",
        f"   log bytes per order (the functions' own) {log_bytes:7.0f}  (target <= {TARGET_LOG_BYTES})"
        f"  {_verdict(log_bytes <= TARGET_LOG_BYTES)}",
        f"     plus Lambda's START/END/REPORT lines, about {figures['platform_log_bytes_per_order']:.0f} bytes"
        f" ({PLATFORM_LOG_BYTES_PER_INVOCATION} per invocation, not written locally; in the cost below)",
        "     "
        + ", ".join(
            f"{name.removesuffix('Function')} {count:.0f}"
            for name, count in list(figures["log_bytes_by_function"].items())[:8]
        ),
        f"   AWS cost per million orders before SES and SMS ${cost:8.2f}  (target <= ${TARGET_COST:.0f})"
        f"  {_verdict(cost <= TARGET_COST)}  (list prices read {figures['prices_read_on']})",
    ]
    lines += [f"     {name:<54} ${value:8.2f}" for name, value in figures["cost_per_million_orders"].items()]
    median_cost = figures["lambda_gb_s_per_order_at_local_median"] * prices.LAMBDA_ARM64_GB_SECOND * 1e6
    lines.append(
        f"     (Lambda GB-s per order {figures['lambda_gb_s_per_order']:.2f} at local p25 timings,"
        f" {figures['lambda_gb_s_per_order_at_local_median']:.2f} at medians = ${median_cost:.2f})"
    )
    lines.append(
        f"     excluded: SES ${figures['ses_per_million_orders']:.2f} ({figures['emails_per_order']:.1f} emails/order),"
        f" SMS {figures['sms_per_order']:.1f}/order at the destination's rate (section 6)"
    )
    return lines
