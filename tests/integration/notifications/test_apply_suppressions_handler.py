"""The ApplySuppressions handler against moto: SuppressionQueue batches -> the suppression list."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from notifications.adapters.dynamo_suppressions import DynamoSuppressionList
from notifications.domain.model import Channel
from notifications.handlers import apply_suppressions
from notifications.handlers.apply_suppressions import handler
from tests.factories import FakeLambdaContext, load_event
from tests.integration.conftest import table_items

SQS_RECORD = "sqs/order_confirmed_notification.json"


def feedback_event(*bodies: str) -> dict[str, Any]:
    """An SQS event from SuppressionQueue: raw SNS delivery, so each body is the payload itself."""
    template = load_event(SQS_RECORD)["Records"][0]
    records = [
        {
            **template,
            "messageId": f"msg-{index}",
            "body": body,
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:SuppressionQueue",
        }
        for index, body in enumerate(bodies)
    ]
    return {"Records": records}


def sample(name: str) -> str:
    return json.dumps(load_event(f"sns/{name}.json"), ensure_ascii=False)


@pytest.fixture
def suppressions(monkeypatch: pytest.MonkeyPatch, dynamodb: Any, orders_table: str) -> Iterator[Any]:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "notifications")
    apply_suppressions.default_suppressions.cache_clear()
    yield DynamoSuppressionList(orders_table, dynamodb)
    apply_suppressions.default_suppressions.cache_clear()


def test_bounces_complaints_and_sms_replies_update_the_list(suppressions: DynamoSuppressionList) -> None:
    # Given a batch with a permanent bounce, a complaint, a transient bounce, a STOP, a 退订 and chatter
    event = feedback_event(
        sample("ses_event_bounce_permanent"),
        sample("ses_notification_complaint"),
        sample("ses_event_bounce_transient"),
        sample("inbound_sms_stop"),
        sample("inbound_sms_unsubscribe_zh"),
        sample("inbound_sms_other"),
    )

    # When the handler runs
    response = handler(event, FakeLambdaContext())

    # Then every record succeeded and exactly the right recipients are suppressed
    assert response == {"batchItemFailures": []}
    assert suppressions.find(Channel.EMAIL, "li.wei@example.com").reason == "bounce"  # type: ignore[union-attr]
    assert suppressions.find(Channel.EMAIL, "chen.jie@example.com").reason == "complaint"  # type: ignore[union-attr]
    assert suppressions.find(Channel.EMAIL, "zhang.min@example.org") is None
    assert suppressions.find(Channel.SMS, "+8613800138000").reason == "sms_stop"  # type: ignore[union-attr]
    assert suppressions.find(Channel.SMS, "+8613900139000").source == "sns_inbound"  # type: ignore[union-attr]


def test_a_duplicate_delivery_is_harmless(
    suppressions: DynamoSuppressionList, dynamodb: Any, orders_table: str
) -> None:
    # Given a STOP already applied
    assert handler(feedback_event(sample("inbound_sms_stop")), FakeLambdaContext()) == {
        "batchItemFailures": []
    }
    [before] = table_items(dynamodb, orders_table)

    # When SQS delivers the same message again
    redelivered = feedback_event(sample("inbound_sms_stop"))
    redelivered["Records"][0]["attributes"]["ApproximateReceiveCount"] = "2"
    response = handler(redelivered, FakeLambdaContext())

    # Then it succeeds and the item is unchanged (the first record is kept)
    assert response == {"batchItemFailures": []}
    assert table_items(dynamodb, orders_table) == [before]


def test_start_lifts_a_stop(suppressions: DynamoSuppressionList) -> None:
    handler(feedback_event(sample("inbound_sms_stop")), FakeLambdaContext())

    response = handler(feedback_event(sample("inbound_sms_start")), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    assert suppressions.find(Channel.SMS, "+8613800138000") is None


def test_one_bad_record_fails_alone_and_its_content_is_not_logged(
    suppressions: DynamoSuppressionList, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a batch with a complaint, a body that is not JSON and an unknown payload naming an address
    event = feedback_event(
        sample("ses_event_complaint"),
        "li.wei@example.com unsubscribe me",
        json.dumps({"recipient": "li.wei@example.com"}),
    )

    # When the handler runs
    with caplog.at_level(logging.DEBUG):
        response = handler(event, FakeLambdaContext())

    # Then only the two bad records are reported, and the complaint was applied
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}, {"itemIdentifier": "msg-2"}]}
    assert suppressions.find(Channel.EMAIL, "alex.doe@example.net") is not None
    # And no log line carries the address
    logged = capsys.readouterr().out + caplog.text
    assert "Record processing exception" in logged and "neither an SES event nor an inbound SMS" in logged
    assert "li.wei" not in logged


def test_logs_name_recipients_masked_and_never_an_sms_text(
    suppressions: DynamoSuppressionList, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        handler(feedback_event(sample("inbound_sms_stop"), sample("inbound_sms_other")), FakeLambdaContext())

    records = [vars(record) for record in caplog.records]
    changed = [r for r in records if r["msg"] == "suppression list changed"]
    assert [(r["channel"], r["recipient"], r["action"]) for r in changed] == [
        ("sms", "+86*******8000", "suppress")
    ]
    ignored = [r for r in records if str(r["msg"]).startswith("sms reply ignored")]
    assert [r["inbound_message_id"] for r in ignored] == ["7a8b9c0d-1e2f-5a3b-8c4d-5e6f7a8b9c0d"]
    logged = " ".join(f"{r['msg']} {r}" for r in records)
    assert "+8613800138000" not in logged
    assert "parcel" not in logged
