"""The webhook function and the worker against moto: samples in, order timeline out."""

from __future__ import annotations

import base64
import copy
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from carriers.adapters.dynamo_tracking import DynamoTrackingStore
from carriers.handlers import apply_linked_events, apply_tracking_events, receive_webhook
from notifications.domain.model import NotificationKind
from notifications.domain.rendering import notification_context
from orders.adapters.dynamo_orders import DynamoOrderRepository
from orders.domain.change_events import domain_events_for_change
from tests.factories import FakeLambdaContext, from_bus, http_event, load_event, stream_record_change
from tests.integration.carriers.conftest import sqs_event_from_queue
from tests.unit.carriers.samples import SAMPLE_SECRETS, SAMPLES, sample_bytes, signed_headers

TRACKING = {
    "easypost": "700000000015",
    "aftership": "9400100000000000000015",
    "kuaidi100": "YT9990000000015",
    "generic": "SF1234567890123",
    "17track": "1Z999AA10000000031",
    "shippo": "9400100000000000000022",
}


def webhook_event(
    provider: str, body: bytes, headers: dict[str, str], base64_body: bool = False
) -> dict[str, Any]:
    path = f"/v1/webhooks/{provider}"
    event = http_event("POST", path, body=None, headers=headers)
    event["headers"].pop("x-api-key", None)
    event["routeKey"] = "POST /v1/webhooks/{provider}"
    event["pathParameters"] = {"provider": provider}
    if provider == "shippo":  # Shippo's proof is our token in the URL's query
        token = SAMPLE_SECRETS["shippo"] if "x-test-wrong-token" not in headers else "wrong"
        event["rawQueryString"] = f"token={token}"
        event["queryStringParameters"] = {"token": token}
    if base64_body:
        event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    else:
        event["body"], event["isBase64Encoded"] = body.decode(), False
    return event


def post(provider: str, name: str, **kwargs: Any) -> dict[str, Any]:
    body = sample_bytes(provider, name)
    headers = signed_headers(provider, body, SAMPLE_SECRETS[provider], time.time())
    if provider == "kuaidi100":
        headers["content-type"] = "application/x-www-form-urlencoded"
    return receive_webhook.handler(webhook_event(provider, body, headers, **kwargs), FakeLambdaContext())


def drain(queue_url: str) -> dict[str, Any]:
    return apply_tracking_events.handler(sqs_event_from_queue(queue_url), FakeLambdaContext())


@pytest.mark.parametrize("provider", sorted(SAMPLES))
def test_each_providers_samples_end_on_the_order_timeline(
    provider: str, webhook_env: dict[str, str], shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    order_id = shipped(TRACKING[provider])
    for name in SAMPLES[provider]:
        response = post(provider, name, base64_body=provider == "kuaidi100")
        assert response["statusCode"] == 200, response
    assert drain(webhook_env["queue_url"]) == {"batchItemFailures": []}
    order = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    assert order.status.value == "delivered"
    carrier_entries = [entry for entry in order.timeline if entry.by == f"carrier:{provider}"]
    assert carrier_entries and carrier_entries[-1].details["tracking_number"] == TRACKING[provider]


def test_kuaidi100_gets_the_exact_acknowledgement_it_expects(webhook_env: dict[str, str]) -> None:
    response = post("kuaidi100", SAMPLES["kuaidi100"][0])
    assert response["body"] == '{"result": true, "returnCode": "200", "message": "成功"}'


def test_replaying_a_webhook_changes_nothing(
    webhook_env: dict[str, str], shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    order_id = shipped(TRACKING["aftership"])
    post("aftership", "02_exception.json")
    drain(webhook_env["queue_url"])
    before = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    assert before.status.value == "delivery_exception"
    post("aftership", "02_exception.json")
    drain(webhook_env["queue_url"])
    assert DynamoOrderRepository(orders_table, dynamodb).get(order_id) == before


@pytest.mark.parametrize("provider", sorted(set(SAMPLES) - {"shippo"}))
def test_a_flipped_byte_is_401_and_nothing_is_queued(
    provider: str,
    webhook_env: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = bytearray(sample_bytes(provider, SAMPLES[provider][0]))
    headers = signed_headers(provider, bytes(body), SAMPLE_SECRETS[provider], time.time())
    body[len(body) // 2] ^= 0x01
    response = receive_webhook.handler(webhook_event(provider, bytes(body), headers), FakeLambdaContext())
    assert response["statusCode"] == 401
    assert '"code": "invalid_signature"' in response["body"]
    assert sqs_event_from_queue(webhook_env["queue_url"]) == {"Records": []}
    rejected = [record for record in caplog.records if record.getMessage() == "webhook signature rejected"]
    assert len(rejected) == 1
    assert TRACKING[provider] not in str(vars(rejected[0]))  # no payload in the security log line


def test_unknown_provider_is_404_and_malformed_body_is_400(webhook_env: dict[str, str]) -> None:
    response = receive_webhook.handler(webhook_event("dhl-direct", b"{}", {}), FakeLambdaContext())
    assert response["statusCode"] == 404
    body = b"{not json"
    headers = signed_headers("generic", body, SAMPLE_SECRETS["generic"], time.time())
    response = receive_webhook.handler(webhook_event("generic", body, headers), FakeLambdaContext())
    assert response["statusCode"] == 400
    assert '"code": "malformed_body"' in response["body"]


def test_events_before_the_shipment_are_applied_when_its_link_is_written(
    webhook_env: dict[str, str], shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    order_id = shipped(TRACKING["generic"], register=False)
    for name in SAMPLES["generic"][:2]:
        post("generic", name)
    assert drain(webhook_env["queue_url"]) == {"batchItemFailures": []}
    assert DynamoOrderRepository(orders_table, dynamodb).get(order_id).status.value == "shipped"

    from carriers.adapters.shipment_records import register_shipment

    register_shipment(
        dynamodb,
        orders_table,
        order_id=order_id,
        shipment_id="shp_1",
        carrier="sf-express",
        tracking_number=TRACKING["generic"],
        lines=[{"sku": "TEA-OOLONG-250G", "quantity": 1}],
        created_at="2026-11-24T10:00:00.000Z",
    )
    # the link's stream record, as the dispatcher publishes it and its rule delivers it
    stream_event = copy.deepcopy(load_event("carriers/lambda/tracking_link_inserted.json"))
    stream_event["Records"][0]["dynamodb"]["NewImage"]["order_id"] = {"S": order_id}
    _, image = stream_record_change(stream_event["Records"][0])
    [linked] = domain_events_for_change(None, image, "e4da3b7fbbce2345d7772b0674a318d5", "t")
    response = apply_linked_events.handler(
        from_bus("sqs/shipment_tracking_linked_from_bus.json", linked), FakeLambdaContext()
    )
    assert response == {"batchItemFailures": []}
    order = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    assert order.status.value == "in_transit"
    assert [e.status for e in order.timeline if e.by == "carrier:generic"] == ["info_received", "in_transit"]
    (shipment,) = DynamoTrackingStore(orders_table, dynamodb).shipments(order_id)
    assert shipment.estimated_delivery == "2025-07-03"  # given with the checkpoints, before the link


def test_a_provider_push_with_impossible_dates_is_acknowledged_counted_and_never_used(
    webhook_env: dict[str, str],
    shipped: Callable[..., str],
    dynamodb: Any,
    orders_table: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    order_id = shipped(TRACKING["aftership"])
    document = json.loads(sample_bytes("aftership", SAMPLES["aftership"][0]))
    document["msg"]["expected_delivery"] = "not-a-date"
    document["msg"]["checkpoints"][-1]["checkpoint_time"] = "9999-12-31T23:59:59+14:00"
    body = json.dumps(document).encode()
    headers = signed_headers("aftership", body, SAMPLE_SECRETS["aftership"], time.time())

    response = receive_webhook.handler(webhook_event("aftership", body, headers), FakeLambdaContext())

    assert response["statusCode"] == 200  # acknowledged: AfterShip would retry a refusal
    ignored = [r for r in caplog.records if r.getMessage() == "webhook values ignored"]
    assert len(ignored) == 1
    assert document["msg"]["checkpoints"][-1]["message"] not in str(vars(ignored[0]))
    assert '"CarrierValuesIgnored":[2.0]' in capsys.readouterr().out.replace(" ", "")
    assert drain(webhook_env["queue_url"]) == {"batchItemFailures": []}
    order = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    shipment = order.shipments[0]
    assert shipment.estimated_delivery is None
    assert all(not str(entry.at).startswith("9999") for entry in order.timeline)
    # the next push of the same tracking number is applied as usual
    assert post("aftership", SAMPLES["aftership"][1])["statusCode"] == 200
    assert drain(webhook_env["queue_url"]) == {"batchItemFailures": []}


def test_an_easypost_batch_event_is_acknowledged_counted_and_not_queued(
    webhook_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    response = post("easypost", "04_batch_updated.json")
    assert response["statusCode"] == 200 and json.loads(response["body"]) == {"received": True}
    assert '"WebhookEventsIgnored":[1.0]' in capsys.readouterr().out.replace(" ", "")
    assert sqs_event_from_queue(webhook_env["queue_url"]) == {"Records": []}


def test_test_mode_events_are_ignored_where_the_stage_says_so(
    webhook_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = json.loads(sample_bytes("easypost", SAMPLES["easypost"][0]))
    document["mode"] = "test"
    body = json.dumps(document).encode()
    headers = signed_headers("easypost", body, SAMPLE_SECRETS["easypost"], time.time())
    monkeypatch.setenv("ACCEPT_TEST_MODE_EVENTS", "false")
    receive_webhook.accept_test_mode.cache_clear()
    try:
        response = receive_webhook.handler(webhook_event("easypost", body, headers), FakeLambdaContext())
    finally:
        receive_webhook.accept_test_mode.cache_clear()
    assert response["statusCode"] == 200
    assert sqs_event_from_queue(webhook_env["queue_url"]) == {"Records": []}


def test_a_shippo_push_without_our_token_is_401_and_nothing_is_queued(
    webhook_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    body = sample_bytes("shippo", SAMPLES["shippo"][0])
    headers = {**signed_headers("shippo", body, SAMPLE_SECRETS["shippo"]), "x-test-wrong-token": "1"}
    response = receive_webhook.handler(webhook_event("shippo", body, headers), FakeLambdaContext())
    assert response["statusCode"] == 401 and '"code": "invalid_signature"' in response["body"]
    event = webhook_event("shippo", body, signed_headers("shippo", body, SAMPLE_SECRETS["shippo"]))
    del event["queryStringParameters"]
    assert receive_webhook.handler(event, FakeLambdaContext())["statusCode"] == 401
    assert sqs_event_from_queue(webhook_env["queue_url"]) == {"Records": []}
    assert SAMPLE_SECRETS["shippo"] not in caplog.text  # the token is never logged


def test_a_shippo_transaction_event_is_acknowledged_and_not_queued(webhook_env: dict[str, str]) -> None:
    document = json.loads(sample_bytes("shippo", SAMPLES["shippo"][0]))
    document["event"] = "transaction_created"
    body = json.dumps(document).encode()
    response = receive_webhook.handler(
        webhook_event("shippo", body, signed_headers("shippo", body, SAMPLE_SECRETS["shippo"])),
        FakeLambdaContext(),
    )
    assert response["statusCode"] == 200
    assert sqs_event_from_queue(webhook_env["queue_url"]) == {"Records": []}


# The carrier's own time of each provider's delivered sample, as that provider documents it:
# EasyPost's `datetime` and Shippo's `status_date` are UTC, AfterShip's `checkpoint_time` and
# 17track's `time_iso` carry the scan's offset, Kuaidi100's `ftime` is China time without one.
DELIVERED_AT = {
    "easypost": "2025-06-05T19:47:00+00:00",
    "aftership": "2025-05-15T13:21:00-05:00",
    "kuaidi100": "2025-06-21T14:26:31+08:00",
    "generic": "2025-07-02T14:30:00+08:00",
    "17track": "2025-04-10T13:05:00-04:00",
    "shippo": "2025-06-13T17:51:00+00:00",
}


@pytest.mark.parametrize("provider", sorted(SAMPLES))
def test_the_delivery_is_told_at_the_carriers_time_not_ours(
    provider: str, webhook_env: dict[str, str], shipped: Callable[..., str], dynamodb: Any, orders_table: str
) -> None:
    order_id = shipped(TRACKING[provider])
    for name in SAMPLES[provider]:
        assert post(provider, name, base64_body=provider == "kuaidi100")["statusCode"] == 200
    assert drain(webhook_env["queue_url"]) == {"batchItemFailures": []}

    order = DynamoOrderRepository(orders_table, dynamodb).get(order_id)
    move = next(
        e for e in reversed(order.timeline) if e.status == "delivered" and e.by == "system:carrier-tracking"
    )
    assert move.at != DELIVERED_AT[provider]  # the order's move is timed when ordertrack applied it

    # the customer is told the carrier's time, in their own zone, with the zone named
    context = notification_context(
        order,
        NotificationKind.ORDER_DELIVERED,
        "en",
        time_zone="America/Chicago",
        tracking_url=None,
        occurred_at=move.at,
    )
    told = datetime.fromisoformat(DELIVERED_AT[provider]).astimezone(ZoneInfo("America/Chicago"))
    hour = told.hour % 12 or 12
    assert context["occurred_at"] == (
        f"{told:%b} {told.day}, 2025, {hour}:{told:%M} {'AM' if told.hour < 12 else 'PM'} CDT"
    )
    if provider == "aftership":  # the example: delivered 2025-05-15 13:21 in Madison, WI
        assert context["occurred_at"] == "May 15, 2025, 1:21 PM CDT"
