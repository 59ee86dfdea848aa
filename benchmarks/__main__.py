"""`make bench`: every figure measured side by side in this run, printed raw and as ratios.

1. Cold-start proxy: handler import time against `import boto3` alone (target: <= 1.5x).
2. Intake throughput: orders per second through the local HTTP API against raw `PutItem` of the
   same item on the same moto server (target: >= 0.5x).
3. Local transaction cost at 0 and 10,000 items, patched moto against stock moto (target: flat).
4. Hot SKU: concurrent one-unit orders for one SKU through the local stack (oversold must be 0)
   against raw conditional `UpdateItem`s, and the DynamoDB cost of one order.
5. Carrier webhooks: acknowledgements per second through the local HTTP API beside raw `PutItem`
   on the same moto server, and webhook accepted -> order timeline updated (p50, p99; target:
   p99 under 1 s).
6. Customer notifications: messages per order over whole journeys under the default policy, SMS
   parts, and the estimated cost per 1,000 orders at list prices, with the breakdown.
7. Write budget and cost model: whole journeys (received -> delivered -> survey answered) at the
   prod stage's log level, every DynamoDB write metered in write units (tables, indexes, hottest
   shared partition key), Lambda invocations, SQS requests and log bytes per order, and the AWS
   cost per million orders at list prices (benchmarks/prices.py).

`--json` prints the report on stderr and one JSON document on stdout.

Absolute numbers depend on the machine and its load; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for path in (REPO / "functions", REPO):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


COLD_START_TARGET = 1.5  # a handler's import time, as a multiple of `import boto3`
SHORT_WINDOWS = {"ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "1", "ORDERTRACK_FEEDBACK_DELAY_SECONDS": "1"}
"""The notification burst window and the survey delay, shortened for sections that wait for an
idle stack between steps (what they time does not pass through either)."""


@contextmanager
def quiet_stack(template: Path, env: dict[str, str] | None = None) -> Iterator[Any]:
    """A local stack whose functions' stdout (their JSON logs) goes to /dev/null, not the report."""
    import os

    from infra.local.stack import LocalStack

    stdout = os.dup(1)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 1)
        try:
            with LocalStack(template, port=0, env=env) as stack:
                yield stack
        finally:
            os.dup2(stdout, 1)


def _verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def cold_start(template: Path, rounds: int) -> list[str]:
    from benchmarks.import_time import report

    rows = report(template, rounds=rounds)
    lines = [
        f"1. Cold-start proxy: median import time in a fresh interpreter (target: handler <= {COLD_START_TARGET}x boto3)"
    ]
    for row in rows:
        ratio = float(row["ratio"])  # type: ignore[arg-type]
        mark = "" if row["name"].startswith("import boto3") else f"  {_verdict(ratio <= COLD_START_TARGET)}"
        lines.append(f"   {row['name']:<45} {float(row['seconds']) * 1000:8.1f} ms  {ratio:5.2f}x{mark}")  # type: ignore[arg-type]
    return lines


def intake(template: Path, calls: int, rounds: int) -> list[str]:
    import os

    from benchmarks.intake import measure
    from infra.local.stack import LocalStack

    lines = ["2. Intake throughput (target: API >= 0.5x raw PutItem of the same item)"]
    stdout = os.dup(1)
    with open(os.devnull, "w") as devnull:  # the functions' JSON logs would drown the report
        os.dup2(devnull.fileno(), 1)
        try:
            with LocalStack(template, port=0) as stack:
                sequential = measure(stack, calls=calls, rounds=rounds, clients=1)
                concurrent = measure(stack, calls=calls, rounds=rounds, clients=4)
        finally:
            os.dup2(stdout, 1)
    for label, figures in (("1 client ", sequential), ("4 clients", concurrent)):
        ratio = figures["api_per_s"] / figures["raw_per_s"]
        lines.append(
            f"   {label}: API {figures['api_per_s']:7.1f} orders/s  raw PutItem {figures['raw_per_s']:7.1f}/s"
            f"  ratio {ratio:4.2f}x  {_verdict(ratio >= 0.5)}"
        )
        lines.append(
            f"              (for information: API {figures['api_with_pipeline_per_s']:7.1f} orders/s while the"
            " reservation and notification pipeline shares the same cores)"
        )
    return lines


def transactions(sizes: tuple[int, ...]) -> list[str]:
    from infra.local.measure import transaction_cost_by_table_size

    results = transaction_cost_by_table_size(sizes)
    lines = ["3. Local TransactWriteItems cost by table size (target: flat)"]
    for variant in ("patched", "unpatched"):
        costs = results[variant]
        base = costs[sizes[0]]
        figures = "  ".join(f"{size:>6} items {costs[size] * 1000:7.1f} ms" for size in sizes)
        ratio = costs[sizes[-1]] / base
        note = f"  {_verdict(ratio <= 2.0)}" if variant == "patched" else "  (stock moto, for comparison)"
        lines.append(f"   {variant:<9} {figures}  {sizes[-1]}/{sizes[0]}: {ratio:5.2f}x{note}")
    return lines


def hot_sku(template: Path, attempts: int, clients: int) -> list[str]:
    import os

    from benchmarks.hot_sku import (
        cost_of_one_order,
        raw_conditional_updates,
        reservation_batching,
        through_the_stack,
    )
    from infra.local.stack import LocalStack
    from inventory.adapters.dynamo_group_reservations import hot_sku_ceiling

    units = attempts // 4
    stdout = os.dup(1)
    with open(os.devnull, "w") as devnull:  # the functions' JSON logs would drown the report
        os.dup2(devnull.fileno(), 1)
        try:
            with LocalStack(template, port=0) as stack:
                batch_size, window = reservation_batching(stack)
                race = through_the_stack(stack, attempts=attempts, units=units, clients=clients)
                raw = raw_conditional_updates(stack, attempts=attempts, units=units, clients=clients)
                try:
                    cost = cost_of_one_order(stack)
                except Exception as error:  # noqa: BLE001 - report the race even if the cost run fails
                    cost = {"result": "not measured", "intake_error": f"{type(error).__name__}: {error}"}
        finally:
            os.dup2(stdout, 1)
    ratio = race["decisions_per_s"] / raw["per_s"]
    lines = [
        f"4. Hot SKU: {attempts} concurrent one-unit orders ({clients} clients) for {units} units (target: 0 oversold)",
        f"   confirmed {race['confirmed']:.0f}  out_of_stock {race['out_of_stock']:.0f}  undecided {race['undecided']:.0f}"
        f"  oversold {race['oversold']:.0f}  dead-lettered {race['dead_lettered']:.0f}"
        f"  {_verdict(race['oversold'] == 0 and race['dead_lettered'] == 0 and race['confirmed'] == units)}",
        f"   orders decided/s (intake -> stream -> queue -> reservation) {race['decisions_per_s']:7.1f}"
        f"  raw conditional UpdateItem/s {raw['per_s']:7.1f} ({raw['successes']:.0f} succeeded)  ratio {ratio:4.2f}x"
        f"  {_verdict(ratio >= 0.25)} (target 0.25x)",
        f"   group commit: batches of up to {batch_size} orders within {window} s; computed ceiling of one SKU"
        f" {hot_sku_ceiling(batch_size):,.0f} one-unit reservations/s (its partition's 1,000 WU/s, transactional"
        f" writes double; one order per transaction: {hot_sku_ceiling(1):,.0f}/s)",
    ]
    previous: Any = None
    for phase in ("intake", "reservation", "shipment"):
        if phase not in cost:
            lines.append(f"   {phase:<11} not measured: {cost.get(phase + '_error', 'missing')}")
            continue
        calls, units_written = cost[phase]
        if previous is not None:
            calls, units_written = calls - previous[0], units_written - previous[1]
        previous = cost[phase]
        listed = ", ".join(f"{name} {count}" for name, count in sorted(calls.items()))
        lines.append(
            f"   {phase:<11} {sum(calls.values()):3d} DynamoDB calls ({listed}), {units_written:4.0f} write units"
        )
    if previous is None:
        return lines
    total_calls, total_units = previous
    lines.append(
        f"   one order, intake -> {'shipped' if 'shipment' in cost else cost['result']}: "
        f"{sum(total_calls.values())} calls, {total_units:.0f} write units "
        "(plus the notification worker: 1 GetItem + 2 writes on the log entry per message and channel)"
    )
    return lines


def webhooks(template: Path, calls: int, samples: int) -> list[str]:
    from benchmarks.webhooks import measure

    # The samples wait for an idle stack; each webhook's customer message would otherwise hold it
    # busy for the stage's burst window (30 s in dev), and the section would take a quarter of an
    # hour to time what is not on the measured path.
    with quiet_stack(template, SHORT_WINDOWS) as stack:
        figures = measure(stack, calls=calls, clients=4, samples=samples)
    return [
        "5. Carrier webhooks (generic, signed) through the local HTTP API, 4 clients",
        f"   acknowledged {figures['ack_per_s']:7.1f}/s  raw PutItem {figures['raw_per_s']:7.1f}/s"
        f"  ratio {figures['ack_per_s'] / figures['raw_per_s']:4.2f}x",
        f"   webhook 200 -> checkpoint on the order timeline: p50 {figures['p50_ms']:6.1f} ms"
        f"  p99 {figures['p99_ms']:6.1f} ms  ({figures['samples']:.0f} webhooks, each on an idle stack)"
        f"  (target: p99 < 1000 ms)  {_verdict(figures['p99_ms'] < 1000)}",
    ]


def notifications(template: Path, orders: int, sms_country: str, sms_price: float | None) -> list[str]:
    from benchmarks.notifications import SES_PRICE_PER_1000, SMS_PRICE_PER_PART, run_journeys, summarize

    price = sms_price if sms_price is not None else SMS_PRICE_PER_PART[sms_country]
    env = {"ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "1", "ORDERTRACK_FEEDBACK_DELAY_SECONDS": "1"}
    with quiet_stack(template, env) as stack:
        figures = summarize(run_journeys(stack, orders), price)
    every_event_both = (
        sum(figures["by_event_channel"].values())
        and len({event for event, _ in figures["by_event_channel"]}) * 2
    )
    lines = [
        f"6. Customer notifications: {figures['orders']} journeys (half en, half zh-CN) to delivered"
        f" ({figures['delivered']} delivered), default policy",
        f"   per order: {figures['emails_per_order']:.1f} emails, {figures['sms_per_order']:.1f} SMS"
        f" = {figures['parts_per_order']:.1f} SMS parts"
        f"  (a policy texting and emailing every event would send {every_event_both} messages)",
        "   SMS parts per message: "
        + ", ".join(f"{locale} {parts:.2f}" for locale, parts in sorted(figures["parts_by_locale"].items())),
        "   sent per order by event and channel:",
    ]
    for (event, channel), count in sorted(figures["by_event_channel"].items()):
        lines.append(f"     {event:<26} {channel:<5} {count / figures['orders']:.1f}")
    total = figures["email_cost_per_1000"] + figures["sms_cost_per_1000"]
    lines += [
        f"   log statuses: {dict(sorted(figures['statuses'].items()))}",
        f"   cost per 1,000 orders: email ${figures['email_cost_per_1000']:.2f}"
        f" (SES ${SES_PRICE_PER_1000:.2f}/1,000)  SMS ${figures['sms_cost_per_1000']:.2f}"
        f" ({sms_country} ${price:.5f}/part)  total ${total:.2f}",
    ]
    return lines


FIGURES: dict[str, Any] = {}
"""Sections' figures by name, for `--json`."""


def budget(template: Path, orders: int) -> list[str]:
    from benchmarks.budget import measure, report
    from infra.config import read_cdk_json_context

    log_level = str(
        ((read_cdk_json_context().get("stages") or {}).get("prod") or {}).get("log_level", "INFO")
    )
    env = {"ORDERTRACK_LOCAL_LOG_LEVEL": log_level, **SHORT_WINDOWS}
    with quiet_stack(template, env) as stack:
        figures = measure(stack, orders)
    figures["log_level"] = log_level
    FIGURES["budget"] = figures
    return report(figures)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run, not for figures)")
    parser.add_argument("--only", type=int, choices=range(1, 8), help="run one section")
    parser.add_argument("--json", action="store_true", help="report on stderr, figures as JSON on stdout")
    parser.add_argument("--sms-country", default="CN", help="SMS list price of this country (US, CN)")
    parser.add_argument("--sms-price", type=float, help="USD per SMS part (overrides --sms-country)")
    args = parser.parse_args()
    from infra.synth import ensure_synthesized

    template = Path(ensure_synthesized())
    rounds, calls = (2, 60) if args.quick else (7, 200)
    runs = {
        1: lambda: cold_start(template, rounds=rounds),
        2: lambda: intake(template, calls=calls, rounds=max(2, rounds // 2)),
        3: lambda: transactions((0, 10_000)),
        4: lambda: hot_sku(template, attempts=200 if not args.quick else 40, clients=16),
        5: lambda: webhooks(template, calls=calls, samples=40 if not args.quick else 10),
        6: lambda: notifications(template, 4 if args.quick else 10, args.sms_country, args.sms_price),
        7: lambda: budget(template, 4 if args.quick else 10),
    }
    sections = {number: run() for number, run in runs.items() if args.only in (None, number)}
    out = sys.stderr if args.json else sys.stdout
    print(file=out)
    print("ordertrack benchmarks (ratios are measured side by side in this run)", file=out)
    for section in sections.values():
        print(file=out)
        print("\n".join(section), file=out)
    if args.json:
        import json

        document = {"sections": {str(number): lines for number, lines in sections.items()}, **FIGURES}
        print(json.dumps(document, indent=2, default=str))


if __name__ == "__main__":
    main()
