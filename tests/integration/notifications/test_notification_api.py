"""The storefront routes for notification preferences and an order's notification log, through
the storefront API function against moto."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from notifications.adapters.dynamo_notification_log import DynamoNotificationLog
from notifications.domain.model import Channel, NotificationEntry, NotificationStatus
from tests.factories import FakeLambdaContext, http_event, order_body
from tests.integration.conftest import table_items

Call = Callable[..., tuple[int, Any]]
PREFS = "/v1/customers/cust-1001/preferences"
UNKNOWN_ORDER = "ord_aaaaaaaaaaaaaaaaaaaaaaaa"


@pytest.fixture
def call(monkeypatch: pytest.MonkeyPatch, orders_table: str, api_key_secret: str) -> Iterator[Call]:
    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    monkeypatch.setenv("API_KEY_SECRET_ARN", api_key_secret)
    from storefront_api import dependencies
    from storefront_api.handler import handler

    for cached in (
        dependencies.settings,
        dependencies.order_repository,
        dependencies.preference_store,
        dependencies.notification_log,
        dependencies._secrets_provider,
    ):
        cached.cache_clear()

    def invoke(
        method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        response = handler(http_event(method, path, body, headers), FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    yield invoke


# -- preferences ---------------------------------------------------------------------------------


def test_a_customer_who_never_set_preferences_gets_the_defaults(call: Call) -> None:
    status, body = call("GET", PREFS)
    assert status == 200
    assert body == {
        "channels": {"email": True, "sms": True},
        "locale": None,
        "time_zone": None,
        "quiet_hours": None,
        "customer_id": "cust-1001",
        "updated_at": None,
    }


def test_put_then_get(call: Call) -> None:
    # Given a customer who wants no SMS at night in Shanghai
    wanted = {
        "channels": {"email": True, "sms": False},
        "locale": "zh-CN",
        "time_zone": "Asia/Shanghai",
        "quiet_hours": {"start": "22:00", "end": "08:00"},
    }
    # When they save them
    status, saved = call("PUT", PREFS, wanted)
    # Then the answer is the stored document with its time of change
    assert status == 200
    assert {k: saved[k] for k in wanted} == wanted
    assert saved["customer_id"] == "cust-1001" and saved["updated_at"].endswith("Z")
    # And reading them back gives the same
    assert call("GET", PREFS) == (200, saved)


def test_put_replaces_everything(call: Call) -> None:
    call("PUT", PREFS, {"locale": "en", "quiet_hours": {"start": "22:00", "end": "08:00"}})
    status, saved = call("PUT", PREFS, {})
    assert status == 200
    assert (saved["locale"], saved["quiet_hours"], saved["channels"]) == (
        None,
        None,
        {"email": True, "sms": True},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"quiet_hours": {"start": "24:00", "end": "08:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "22:00", "end": "8:00"}}, "quiet_hours.end"),
        ({"quiet_hours": {"start": "22:00", "end": "22:00"}}, "quiet_hours"),
        ({"channels": {"email": "yes"}}, "channels.email"),
        ({"channels": {"push": True}}, "channels.push"),
        ({"locale": "fr"}, "locale"),
        ({"marketing": True}, "marketing"),
    ],
)
def test_bad_preferences_are_422_naming_the_field_and_store_nothing(
    call: Call, dynamodb: Any, orders_table: str, body: dict[str, Any], field: str
) -> None:
    status, got = call("PUT", PREFS, body)
    assert status == 422 and got["error"]["code"] == "validation_failed"
    assert field in [detail["field"] for detail in got["error"]["details"]]
    assert table_items(dynamodb, orders_table) == []


def test_a_customer_id_over_128_characters_is_refused(call: Call) -> None:
    status, got = call("GET", f"/v1/customers/{'c' * 129}/preferences")
    assert status == 422
    assert [detail["field"] for detail in got["error"]["details"]] == ["path.customer_id"]


def test_preferences_need_the_api_key(call: Call, dynamodb: Any, orders_table: str) -> None:
    status, got = call("PUT", PREFS, {}, headers={"x-api-key": "wrong"})
    assert status == 401 and got["error"]["code"] == "unauthorized"
    assert table_items(dynamodb, orders_table) == []


# -- an order's notifications --------------------------------------------------------------------


def test_notifications_of_an_unknown_order_are_404(call: Call) -> None:
    status, got = call("GET", f"/v1/orders/{UNKNOWN_ORDER}/notifications")
    assert status == 404
    assert got["error"] == {
        "code": "not_found",
        "message": f"Order {UNKNOWN_ORDER} does not exist.",
        "details": {"order_id": UNKNOWN_ORDER},
    }


def test_an_order_lists_its_notifications_oldest_first(call: Call, dynamodb: Any, orders_table: str) -> None:
    # Given an order with a sent confirmation and an SMS held for quiet hours
    _, placed = call("POST", "/v1/orders", order_body(), {"idempotency-key": "n-1"})
    order_id = placed["order_id"]
    assert call("GET", f"/v1/orders/{order_id}/notifications") == (
        200,
        {"order_id": order_id, "notifications": []},
    )
    log = DynamoNotificationLog(orders_table, dynamodb)
    held = NotificationEntry(
        order_id=order_id,
        event_id=f"{order_id}:v3",
        event_type="order.shipped",
        channel=Channel.SMS,
        status=NotificationStatus.HELD,
        at="2026-11-24T23:00:00.000Z",
        template="order_shipped",
        locale="zh-CN",
        recipient="+86*******8000",
        reason="quiet_hours",
        release_at="2026-11-25T00:00:00.000Z",
    )
    sent = NotificationEntry(
        order_id=order_id,
        event_id=f"{order_id}:v2",
        event_type="order.confirmed",
        channel=Channel.EMAIL,
        status=NotificationStatus.SENT,
        at="2026-11-24T10:00:00.000Z",
        template="order_confirmed",
        locale="zh-CN",
        recipient="l***@example.com",
        message_id="ses-1",
    )
    log.record(held)
    log.record(sent)

    # When the storefront reads the order's notifications
    status, body = call("GET", f"/v1/orders/{order_id}/notifications")

    # Then both are listed, oldest event first, every field present
    assert status == 200 and body["order_id"] == order_id
    assert body["notifications"] == [
        {
            "notification_id": f"{order_id}:v2:email",
            "event_id": f"{order_id}:v2",
            "event_type": "order.confirmed",
            "channel": "email",
            "template": "order_confirmed",
            "locale": "zh-CN",
            "status": "sent",
            "reason": None,
            "recipient": "l***@example.com",
            "message_id": "ses-1",
            "segments": None,
            "release_at": None,
            "fallback_for": None,
            "at": "2026-11-24T10:00:00.000Z",
        },
        {
            "notification_id": f"{order_id}:v3:sms",
            "event_id": f"{order_id}:v3",
            "event_type": "order.shipped",
            "channel": "sms",
            "template": "order_shipped",
            "locale": "zh-CN",
            "status": "held",
            "reason": "quiet_hours",
            "recipient": "+86*******8000",
            "message_id": None,
            "segments": None,
            "release_at": "2026-11-25T00:00:00.000Z",
            "fallback_for": None,
            "at": "2026-11-24T23:00:00.000Z",
        },
    ]
    # And reading the order itself is not slowed or changed by its notification log
    status, order = call("GET", f"/v1/orders/{order_id}")
    assert status == 200 and "notifications" not in order


def test_notifications_are_in_time_order_and_show_what_is_still_to_go_out(
    call: Call, dynamodb: Any, orders_table: str
) -> None:
    # Given a survey invitation sent before a later status update, which is scheduled (burst
    # window) on one channel and held (quiet hours) on the other
    _, placed = call("POST", "/v1/orders", order_body(), {"idempotency-key": "n-2"})
    order_id = placed["order_id"]
    log = DynamoNotificationLog(orders_table, dynamodb)

    def entry(event: str, channel: Channel, status: NotificationStatus, at: str, **more: Any) -> None:
        log.record(
            NotificationEntry(
                order_id=order_id,
                event_id=f"{order_id}:{event}",
                event_type="feedback.invite" if event == "feedback" else "order.delivery_exception",
                channel=channel,
                status=status,
                at=at,
                **more,
            )
        )

    entry("v9", Channel.SMS, NotificationStatus.HELD, "2026-11-24T23:00:00.000Z", reason="quiet_hours",
          release_at="2026-11-25T00:00:00.000Z")  # fmt: skip
    log.record_scheduled(
        NotificationEntry(
            order_id=order_id,
            event_id=f"{order_id}:v9",
            event_type="order.delivery_exception",
            channel=Channel.EMAIL,
            status=NotificationStatus.SCHEDULED,
            at="2026-11-24T22:59:00.000Z",
            reason="burst_window",
            release_at="2026-11-24T23:01:00.000Z",
        )
    )
    entry("feedback", Channel.EMAIL, NotificationStatus.SENT, "2026-11-24T09:00:00.000Z", message_id="ses-9")

    # When the storefront reads the order's notifications
    status, body = call("GET", f"/v1/orders/{order_id}/notifications")

    # Then they come in time order (the survey first, though the log keeps it after status events),
    # and what is still to go out says when
    assert status == 200
    assert [(n["event_type"], n["channel"], n["status"], n["release_at"]) for n in body["notifications"]] == [
        ("feedback.invite", "email", "sent", None),
        ("order.delivery_exception", "email", "scheduled", "2026-11-24T23:01:00.000Z"),
        ("order.delivery_exception", "sms", "held", "2026-11-25T00:00:00.000Z"),
    ]


def test_a_malformed_order_id_is_422(call: Call) -> None:
    status, got = call("GET", "/v1/orders/not-an-order/notifications")
    assert status == 422 and got["error"]["details"][0]["field"] == "path.order_id"


def test_the_routes_and_models_are_in_the_openapi_document(call: Call) -> None:
    status, document = call("GET", "/openapi.json", headers={"x-api-key": ""})
    assert status == 200
    paths = document["paths"]
    assert {"get", "put"} <= set(paths["/v1/customers/{customer_id}/preferences"])
    assert "get" in paths["/v1/orders/{order_id}/notifications"]
    schemas = document["components"]["schemas"]
    assert {"CustomerPreferences", "StoredPreferences", "OrderNotifications", "NotificationView"} <= set(
        schemas
    )
    assert "QuietHours" in schemas
    view = schemas["NotificationView"]["properties"]
    assert "scheduled" in view["status"]["description"] and "release_at" in view["status"]["description"]
    assert "scheduled" in str(schemas["NotificationStatus"]["enum"])
    operation = paths["/v1/orders/{order_id}/notifications"]["get"]
    assert "time order" in operation["description"]
