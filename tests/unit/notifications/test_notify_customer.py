"""CustomerNotifier with fakes: who gets what, once, and what is retried."""
# ruff: noqa: RUF001  (full-width Chinese punctuation and the multiplication sign are the text under test)

from __future__ import annotations

import json
import logging

import pytest

from notifications.domain.errors import DeliveryRejected, DeliveryUnavailable, NotificationsPending
from notifications.domain.model import Channel, DeliveryKey, DeliveryStatus
from tests.unit.notifications.conftest import (
    EMAIL,
    PHONE,
    World,
    event_for,
    out_of_stock_order,
    sample_order,
)


def test_confirmation_for_an_english_customer_goes_out_by_email_and_sms(world: World) -> None:
    # Given an English-speaking customer with an email and a phone
    order = sample_order()
    world.orders.orders[order.order_id] = order

    # When the order is confirmed
    outcomes = world.notifier.notify(event_for(order))

    # Then one email and one SMS go out, listing the items and the total
    assert [(o.channel, o.status) for o in outcomes] == [
        (Channel.EMAIL, DeliveryStatus.SENT),
        (Channel.SMS, DeliveryStatus.SENT),
    ]
    [(recipient, email)] = world.email.sent
    assert recipient == EMAIL
    assert email.subject == "Your order ord_k2m4q6s8u0w2y4a6c8e0g2i4 is confirmed"
    for part in (email.text, email.html):
        assert "Li Wei" in part
        assert "TEA-OOLONG-250G" in part
        assert "CUP-CELADON" in part
        assert "CNY 1,129.00" in part
        assert "https://track.example.com/orders/ord_k2m4q6s8u0w2y4a6c8e0g2i4" in part
    assert "2 x TEA-OOLONG-250G at CNY 19.90 = CNY 39.80" in email.text
    assert email.html.startswith("<!DOCTYPE html>")
    [(phone, text)] = world.sms.sent
    assert phone == PHONE
    assert text.startswith(
        "Your order ord_k2m4q6s8u0w2y4a6c8e0g2i4 is confirmed: 3 items, total CNY 1,129.00."
    )
    assert world.metrics.counts() == {"email.sent": 1, "sms.sent": 1}


def test_chinese_customer_gets_chinese_messages(world: World) -> None:
    order = sample_order(customer={"name": "李伟", "locale": "zh-CN"})
    world.orders.orders[order.order_id] = order

    world.notifier.notify(event_for(order))

    [(_, email)] = world.email.sent
    assert email.subject == "您的订单 ord_k2m4q6s8u0w2y4a6c8e0g2i4 已确认"
    assert email.text.startswith("李伟，您好：")
    assert "合计：¥1,129.00" in email.text
    assert "TEA-OOLONG-250G × 2，单价 ¥19.90，小计 ¥39.80" in email.text
    assert '<html lang="zh-CN">' in email.html
    [(_, text)] = world.sms.sent
    assert text.startswith("您的订单ord_k2m4q6s8u0w2y4a6c8e0g2i4已确认，共3件，合计¥1,129.00。")


def test_out_of_stock_names_the_short_skus(world: World) -> None:
    order = out_of_stock_order()
    world.orders.orders[order.order_id] = order

    world.notifier.notify(event_for(order))

    [(_, email)] = world.email.sent
    assert "out of stock" in email.subject
    assert "TEA-OOLONG-250G: you ordered 2, we have 0" in email.text
    assert "CUP-CELADON" in email.html
    [(_, text)] = world.sms.sent
    assert "not enough stock of TEA-OOLONG-250G, CUP-CELADON." in text


def test_out_of_stock_in_chinese(world: World) -> None:
    order = out_of_stock_order(customer={"locale": "zh-CN"})
    world.orders.orders[order.order_id] = order

    world.notifier.notify(event_for(order))

    [(_, email)] = world.email.sent
    assert email.subject == "您的订单 ord_k2m4q6s8u0w2y4a6c8e0g2i4 中有商品库存不足"
    assert "TEA-OOLONG-250G：您订购了 2 件，目前库存 0 件" in email.text
    [(_, text)] = world.sms.sent
    assert "中TEA-OOLONG-250G等2种商品库存不足，订单未能确认。" in text


def test_phone_only_customer_gets_only_an_sms(world: World) -> None:
    order = sample_order(customer={"email": None})
    world.orders.orders[order.order_id] = order

    outcomes = world.notifier.notify(event_for(order))

    assert [o.channel for o in outcomes] == [Channel.SMS]
    assert world.email.sent == []
    assert len(world.sms.sent) == 1


def test_email_only_customer_gets_only_an_email(world: World) -> None:
    order = sample_order(customer={"phone": None})
    world.orders.orders[order.order_id] = order

    outcomes = world.notifier.notify(event_for(order))

    assert [o.channel for o in outcomes] == [Channel.EMAIL]
    assert len(world.email.sent) == 1
    assert world.sms.sent == []


def test_opted_out_number_is_not_texted_but_still_emailed(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.sms.opted_out.add(PHONE)

    outcomes = world.notifier.notify(event_for(order))

    assert {o.channel: o.status for o in outcomes} == {
        Channel.EMAIL: DeliveryStatus.SENT,
        Channel.SMS: DeliveryStatus.SUPPRESSED,
    }
    assert world.sms.sent == []
    assert world.metrics.counts() == {"email.sent": 1, "sms.suppressed": 1}


def test_permanent_rejection_is_recorded_and_not_retried(world: World) -> None:
    # Given SNS refuses the number for good
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.sms.failure = DeliveryRejected("InvalidParameter")

    # When the event is processed, then redelivered after the provider would accept it
    first = world.notifier.notify(event_for(order))
    world.sms.failure = None
    world.notifier.notify(event_for(order))

    # Then no exception asks for a retry, and the rejected SMS is not attempted again
    assert {o.channel: o.status for o in first} == {
        Channel.EMAIL: DeliveryStatus.SENT,
        Channel.SMS: DeliveryStatus.REJECTED,
    }
    assert world.sms.sent == []
    assert len(world.email.sent) == 1
    assert world.metrics.counts() == {"email.sent": 1, "sms.rejected": 1}


def test_throttled_channel_is_retried_without_repeating_the_other(world: World) -> None:
    # Given SES is throttling
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.email.failure = DeliveryUnavailable("Throttling")

    # When the event is processed
    with pytest.raises(NotificationsPending) as pending:
        world.notifier.notify(event_for(order))

    # Then the SMS went out and only the email is pending
    assert pending.value.channels == ["email"]
    assert len(world.sms.sent) == 1 and world.email.sent == []

    # When SQS redelivers after the throttling stopped
    world.email.failure = None
    outcomes = world.notifier.notify(event_for(order))

    # Then the email goes out and the SMS is not sent a second time
    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1
    assert {o.channel: o.replayed for o in outcomes} == {Channel.EMAIL: False, Channel.SMS: True}
    assert world.metrics.counts() == {"email.sent": 1, "sms.sent": 1}


def test_redelivered_event_sends_nothing_new(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.notify(event_for(order))
    again = world.notifier.notify(event_for(order))

    assert all(o.replayed for o in again)
    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1
    assert world.metrics.counts() == {"email.sent": 1, "sms.sent": 1}


def test_delivery_in_progress_elsewhere_is_retried_not_sent(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    event = event_for(order)
    world.ledger.in_progress.add(DeliveryKey(event.event_id, Channel.EMAIL))

    with pytest.raises(NotificationsPending) as pending:
        world.notifier.notify(event)

    assert pending.value.channels == ["email"]
    assert world.email.sent == []


@pytest.mark.parametrize("event_type", ["order.received", "order.shipped", "something.else"])
def test_other_event_types_are_skipped(world: World, event_type: str) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order

    assert world.notifier.notify(event_for(order, event_type)) == []
    assert world.email.sent == [] and world.sms.sent == []


def test_unknown_order_is_dropped(world: World) -> None:
    assert world.notifier.notify(event_for(sample_order())) == []
    assert world.email.sent == [] and world.sms.sent == []


def test_logs_never_contain_the_recipient(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.email.failure = DeliveryRejected("MessageRejected")

    world.notifier.notify(event_for(order))

    logs = " ".join(json.dumps(vars(record), default=str, ensure_ascii=False) for record in caplog.records)
    assert "l***@example.com" in logs and "+86*******8000" in logs
    assert EMAIL not in logs and PHONE not in logs and "13800138000" not in logs
