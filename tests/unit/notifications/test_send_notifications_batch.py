"""The worker's record handler under the Powertools batch processor: partial batch failures."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch import process_partial_response
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from notifications.domain.errors import DeliveryRejected, DeliveryUnavailable
from notifications.handlers.send_notifications import notify_for_message, processor
from tests.factories import load_event
from tests.unit.notifications.conftest import World, build_world, out_of_stock_order, sample_order


def run_batch(world: World, event: dict[str, Any]) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=partial(notify_for_message, runner=world.runner), processor=processor
    )


def test_sample_event_is_processed_and_acknowledged(world: World) -> None:
    world.orders.orders["ord_k2m4q6s8u0w2y4a6c8e0g2i4"] = sample_order()

    response = run_batch(world, load_event("sqs/order_confirmed_notification.json"))

    assert response == {"batchItemFailures": []}
    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1


def test_throttled_delivery_reports_the_record_as_failed(world: World) -> None:
    # Given SNS throttles, and a batch with a confirmed order (email + SMS) and an out-of-stock
    # order of an email-only customer
    world.orders.orders["ord_k2m4q6s8u0w2y4a6c8e0g2i4"] = sample_order()
    world.orders.orders["ord_n3p5r7t9v1x3z5b7d9f1h3j5"] = out_of_stock_order(
        order_id="ord_n3p5r7t9v1x3z5b7d9f1h3j5", customer={"phone": None}
    )
    world.sms.failure = DeliveryUnavailable("Throttling")
    confirmed = load_event("sqs/order_confirmed_notification.json")
    out_of_stock = load_event("sqs/order_out_of_stock_notification.json")
    event = {"Records": confirmed["Records"] + out_of_stock["Records"]}

    # When the batch is processed
    response = run_batch(world, event)

    # Then only the confirmed record comes back, and both emails went out
    assert response == {"batchItemFailures": [{"itemIdentifier": confirmed["Records"][0]["messageId"]}]}
    assert len(world.email.sent) == 2
    # and the failed record comes back after the first backoff step, not the queue's timeout
    assert world.retries.visibility == [(confirmed["Records"][0]["receiptHandle"], 30)]


def test_a_batch_where_every_record_failed_fails_the_invocation(world: World) -> None:
    world.orders.orders["ord_k2m4q6s8u0w2y4a6c8e0g2i4"] = sample_order()
    world.email.failure = DeliveryUnavailable("Throttling")

    with pytest.raises(BatchProcessingError):  # Powertools: SQS then retries the whole batch
        run_batch(world, load_event("sqs/order_confirmed_notification.json"))


def test_permanent_error_is_not_retried(world: World) -> None:
    world.orders.orders["ord_k2m4q6s8u0w2y4a6c8e0g2i4"] = sample_order()
    world.email.failure = DeliveryRejected("MessageRejected")

    response = run_batch(world, load_event("sqs/order_confirmed_notification.json"))

    assert response == {"batchItemFailures": []}


def test_only_the_failing_record_of_a_batch_is_retried(world: World) -> None:
    # Given a batch with a confirmed order and a body that is not an OrderEvent
    world.orders.orders["ord_k2m4q6s8u0w2y4a6c8e0g2i4"] = sample_order()
    event = load_event("sqs/order_confirmed_notification.json")
    poison = json.loads(json.dumps(event["Records"][0]))
    poison.update(messageId="poison-1", body='{"not": "an order event"}')
    event["Records"].append(poison)

    response = run_batch(world, event)

    assert response == {"batchItemFailures": [{"itemIdentifier": "poison-1"}]}
    assert len(world.email.sent) == 1


def test_due_deliveries_are_delivered_and_new_events_accepted() -> None:
    world = build_world()  # 120 s burst window
    world.orders.orders["ord_k2m4q6s8u0w2y4a6c8e0g2i4"] = sample_order()
    event = load_event("sqs/order_confirmed_notification.json")

    assert run_batch(world, event) == {"batchItemFailures": []}
    assert world.email.sent == [] and len(world.scheduler.scheduled) == 1  # accepted, delivery scheduled

    body = json.loads(event["Records"][0]["body"])
    event["Records"][0]["body"] = json.dumps({**body, "due": True})
    assert run_batch(world, event) == {"batchItemFailures": []}
    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1


def test_last_attempt_is_forwarded_to_the_dead_letter_queue_with_its_reason(world: World) -> None:
    world.orders.orders["ord_k2m4q6s8u0w2y4a6c8e0g2i4"] = sample_order()
    world.sms.failure = DeliveryUnavailable("Throttling")
    event = load_event("sqs/order_confirmed_notification.json")
    event["Records"][0]["attributes"]["ApproximateReceiveCount"] = "5"

    assert run_batch(world, event) == {"batchItemFailures": []}  # acknowledged: it is in the DLQ now

    [dead] = world.retries.dead_letters
    assert json.loads(dead["body"])["event_id"] == "ord_k2m4q6s8u0w2y4a6c8e0g2i4:v2"
    assert dead["channels"] == ["sms"] and "Throttling" in dead["reason"]
