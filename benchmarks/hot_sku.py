"""Hot SKU: N concurrent one-unit orders for one SKU through the local stack (HTTP API, stream,
queues, reservation worker) against raw conditional `UpdateItem` calls on the same moto server,
and the DynamoDB calls and write units one order costs from intake to `confirmed` and `shipped`.
The race also counts what reached the reservation queue's dead-letter queue (a conflict must
never put an order there); decisions are watched with `BatchGetItem`s on the table, not through
the storefront function the race measures.

Write units are computed from the items written, by DynamoDB's rules (1 unit per KB for a standard
write, 2 per KB for a transactional one; an update is sized by the item after it), because moto
does not report consumed capacity for transactions."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import requests

from infra.local.write_units import item_size, units_for

DECIDED = {"confirmed", "out_of_stock", "on_hold", "reserved"}
POLL_SECONDS = 0.25
"""How often the race's decisions are read: each read is a consistent BatchGetItem of up to 100
orders on the moto server the race runs on, so reading more often slows the path it times."""


def _order_body(sku: str, customer: str) -> dict[str, Any]:
    from tests.factories import order_body

    body = order_body(items=[{"sku": sku, "name": f"Item {sku}", "quantity": 1, "unit_price": "9.90"}])
    body["customer"] = {**body["customer"], "id": customer}  # distinct customers: no duplicate-order hold
    return body


def _timed_calls(calls: int, clients: int, call: Any) -> tuple[list[Any], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(lambda index: call(index), range(calls)))
    return results, time.perf_counter() - started


def dead_lettered(stack: Any) -> int:
    """Messages in the reservation queue's dead-letter queue (a conflict must never put one there)."""
    attributes = stack.client("sqs").get_queue_attributes(
        QueueUrl=stack.physical("ReservationQueueDlq"),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def reservation_batching(stack: Any) -> tuple[int, int]:
    """(BatchSize, MaximumBatchingWindowInSeconds) of the reservation worker's queue mapping."""
    for resource in stack.template.document["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Lambda::EventSourceMapping" and "ReservationQueue" in json.dumps(
            properties.get("EventSourceArn")
        ):
            return int(properties.get("BatchSize", 10)), int(
                properties.get("MaximumBatchingWindowInSeconds", 0)
            )
    raise LookupError("no event source mapping reads ReservationQueue")


def through_the_stack(stack: Any, attempts: int, units: int, clients: int) -> dict[str, float]:
    dead_before = dead_lettered(stack)
    session = requests.Session()
    session.headers.update({"x-api-key": stack.api_key})
    sku = f"HOT-{uuid.uuid4().hex[:8]}".upper()
    session.put(f"{stack.api_url}/v1/inventory/{sku}", json={"on_hand": units}, timeout=30).raise_for_status()
    stack.wait_idle(120)
    bodies = [_order_body(sku, f"bench-{uuid.uuid4().hex[:10]}") for _ in range(attempts)]

    def place(index: int) -> str:
        response = session.post(
            f"{stack.api_url}/v1/orders",
            json=bodies[index],
            headers={"Idempotency-Key": uuid.uuid4().hex},
            timeout=60,
        )
        response.raise_for_status()
        return str(response.json()["order_id"])

    started = time.perf_counter()
    order_ids, _ = _timed_calls(attempts, clients, place)
    statuses: dict[str, str] = {}
    deadline = time.monotonic() + 600
    while len(statuses) < attempts and time.monotonic() < deadline:
        # the orders' status straight from the table (consistent reads, 100 per call), so watching
        # the race does not load the storefront function it measures
        statuses.update(_decided(stack, [order_id for order_id in order_ids if order_id not in statuses]))
        if len(statuses) < attempts:
            time.sleep(POLL_SECONDS)
    elapsed = time.perf_counter() - started
    level = session.get(f"{stack.api_url}/v1/inventory/{sku}", timeout=30).json()
    counts = Counter(statuses.values())
    return {
        "attempts": attempts,
        "units": units,
        "confirmed": counts["confirmed"],
        "out_of_stock": counts["out_of_stock"],
        "undecided": attempts - len(statuses),
        "oversold": max(
            0, level["reserved"] - level["on_hand"], counts["confirmed"] - units, -level["available"]
        ),
        "decisions_per_s": len(statuses) / elapsed,
        "dead_lettered": dead_lettered(stack) - dead_before,
    }


def _decided(stack: Any, order_ids: list[str]) -> dict[str, str]:
    from orders.adapters.dynamo_orders import order_key

    dynamodb, table = stack.client("dynamodb"), stack.physical("OrdersTable")
    decided: dict[str, str] = {}
    for start in range(0, len(order_ids), 100):
        request: dict[str, Any] = {
            table: {
                "Keys": [order_key(order_id) for order_id in order_ids[start : start + 100]],
                "ConsistentRead": True,
                "ProjectionExpression": "order_id, #status",
                "ExpressionAttributeNames": {"#status": "status"},
            }
        }
        while request:
            response = dynamodb.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(table, []):
                if item["status"]["S"] in DECIDED:
                    decided[item["order_id"]["S"]] = item["status"]["S"]
            request = response.get("UnprocessedKeys") or {}
    return decided


def raw_conditional_updates(stack: Any, attempts: int, units: int, clients: int) -> dict[str, float]:
    """The same race as bare conditional `UpdateItem`s on an item the stream filters ignore."""
    from botocore.exceptions import ClientError

    dynamodb = stack.client("dynamodb")
    table = stack.physical("OrdersTable")
    key = {"pk": {"S": f"BENCH#{uuid.uuid4().hex}"}, "sk": {"S": "STOCK"}}
    dynamodb.put_item(
        TableName=table,
        Item={
            **key,
            "entity": {"S": "benchmark"},
            "on_hand": {"N": str(units)},
            "reserved": {"N": "0"},
            "available": {"N": str(units)},
        },
    )

    def reserve_one(_: int) -> bool:
        try:
            dynamodb.update_item(
                TableName=table,
                Key=key,
                UpdateExpression="SET reserved = reserved + :one, available = available - :one",
                ConditionExpression="available >= :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    results, elapsed = _timed_calls(attempts, clients, reserve_one)
    return {"successes": sum(results), "per_s": attempts / elapsed}


# -- cost of one order -------------------------------------------------------------------------
class CostMeter:
    """Counts DynamoDB requests per operation and the write units of the items they write."""

    WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}

    def __init__(self, client: Any, reader: Any) -> None:
        self.client, self.reader = client, reader
        self.calls: Counter[str] = Counter()
        self.write_units = 0.0
        self._pending: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register("provide-client-params.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self._pending.append((model.name, params))

    def _units_of(
        self, table: str, key: dict[str, Any] | None, item: dict[str, Any] | None, factor: int
    ) -> float:
        if item is None and key is not None:
            item = self.reader.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item", key)
        return factor * units_for(item_size(item or {}))

    def _after(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        name, params = self._pending.pop()
        self.calls[name] += 1
        if name not in self.WRITES or http_response.status_code != 200:
            return
        if name == "TransactWriteItems":
            for action in params["TransactItems"]:
                body = next(iter(action.values()))
                self.write_units += self._units_of(body["TableName"], body.get("Key"), body.get("Item"), 2)
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.write_units += self._units_of(params["TableName"], params.get("Key"), params.get("Item"), 1)

    def snapshot(self) -> tuple[Counter[str], float]:
        return Counter(self.calls), self.write_units


def _screening(orders: Any, ledger: Any) -> tuple[Any, ...]:
    """The hold-rule screening the reservation worker runs (default rules), when it exists."""
    try:
        from orders.domain.hold_rules import HoldRules, ScreeningPolicy
    except ImportError:
        return ()
    return (ScreeningPolicy(rules=HoldRules(), limits=ledger, recent=orders, payment_hold_minutes=30),)


def cost_of_one_order(stack: Any) -> dict[str, Any]:
    """Intake, reservation and shipment of one two-line order, run in process against the stack's
    moto server with the functions' own domain code and adapters (event sources paused)."""
    from inventory.adapters.dynamo_stock import DynamoStock
    from inventory.domain.reserve_stock import reserve_order_stock
    from orders.adapters.dynamo_orders import DynamoOrderRepository
    from orders.domain.place_order import place_order
    from orders.models.api import CreateOrderRequest
    from tests.factories import order_body

    class Clock:
        def now(self) -> datetime:
            return datetime.now(UTC)

    from infra.local.moto_process import local_client

    table = stack.physical("OrdersTable")
    reader = stack.client("dynamodb")
    client = local_client("dynamodb", stack.moto_endpoint)  # its own client: only its calls are metered
    stock = DynamoStock(table, reader)
    body = order_body()
    for line in body["items"]:
        stock.set_on_hand(line["sku"], 1_000_000, datetime.now(UTC).isoformat())
    body["customer"] = {**body["customer"], "id": f"bench-{uuid.uuid4().hex[:10]}"}
    meter = CostMeter(client, reader)
    orders, ledger = DynamoOrderRepository(table, client), DynamoStock(table, client)
    phases: dict[str, Any] = {}
    with stack.event_sources_disabled():
        placed = place_order(CreateOrderRequest.model_validate(body), uuid.uuid4().hex, orders, Clock())
        phases["intake"] = meter.snapshot()
        result = reserve_order_stock(
            placed.order.order_id, orders, ledger, Clock(), *_screening(orders, ledger)
        )
        phases["reservation"] = meter.snapshot()
        phases["result"] = str(result)
        try:
            from orders.adapters.dynamo_shipments import DynamoShipments
            from orders.domain.manage_orders import register_shipment
            from orders.models.api import ShipmentRequest

            request = ShipmentRequest.model_validate(
                {"carrier": "sf-express", "tracking_number": "SF1234567890"}
            )
            register_shipment(placed.order.order_id, request, orders, ledger, DynamoShipments(table), Clock())
            phases["shipment"] = meter.snapshot()
        except (ImportError, TypeError, ValueError) as error:  # the lifecycle side may not be there yet
            phases["shipment_error"] = f"{type(error).__name__}: {error}"
    with contextlib.suppress(TimeoutError):  # the race's notifications may still be draining
        stack.wait_idle(120)
    return phases
