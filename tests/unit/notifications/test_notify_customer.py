"""CustomerNotifier with fakes: who gets what, when, once; and what is held, suppressed or retried."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from notifications.domain.errors import (
    DeliveryOutcomeUnknown,
    DeliveryRejected,
    DeliveryUnavailable,
    NotificationsPending,
)
from notifications.domain.model import Channel, DeliveryKey, NotificationEntry, NotificationStatus
from notifications.domain.ports import NotificationLog
from notifications.domain.preferences import ChannelSwitches, CustomerPreferences, QuietHours
from notifications.domain.tasks import Delivery
from orders.models.order import OrderRecord
from tests.unit.notifications.conftest import (
    EMAIL,
    PHONE,
    TRACKING,
    World,
    build_world,
    event_for,
    out_of_stock_order,
    sample_order,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def shipped_order(version: int = 5, status: str = "shipped", **overrides: object) -> OrderRecord:
    return sample_order(
        status=status,
        version=version,
        shipments=[
            {
                "shipment_id": "shp_1",
                "carrier": "sf-express",
                "tracking_number": "SF1234567890",
                "lines": [{"sku": "TEA-OOLONG-250G", "quantity": 2}, {"sku": "CUP-CELADON", "quantity": 1}],
                "status": status,
                "created_at": "2026-11-24T09:00:00.000Z",
            }
        ],
        **overrides,
    )


def test_confirmation_goes_out_by_email_and_sms_and_is_logged(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    [(recipient, email)] = world.email.sent
    assert recipient == EMAIL
    assert order.order_number in email.subject and order.order_id not in email.subject
    for part in (email.text, email.html):
        assert "Tieguanyin oolong, 250 g" in part and "Celadon tea cup" in part
        assert "TEA-OOLONG-250G" not in part and "Ordertrack Demo Shop" in part
    assert email.html.startswith("<!DOCTYPE html>")
    [(phone, text)] = world.sms.sent
    assert phone == PHONE and order.order_number in text
    assert text.startswith("【演示店】") and text.endswith("回TD退订")  # a mainland China number
    assert world.log.statuses(order.order_id) == [
        ("order.confirmed", "email", "sent"),
        ("order.confirmed", "sms", "sent"),
    ]
    sms_entry = world.log.entries(order.order_id)[1]
    assert sms_entry.recipient == "+86*******8000" and sms_entry.segments and sms_entry.locale == "en"
    assert sms_entry.template == "order_confirmed" and sms_entry.message_id == "sms-1"
    assert world.metrics.counts() == {"email.sent": 1, "sms.sent": 1}


def test_chinese_customer_gets_chinese_text(world: World) -> None:
    order = sample_order(customer={"name": "李伟", "locale": "zh-CN"})
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    [(_, email)] = world.email.sent
    assert CJK.search(email.subject) and CJK.search(email.text)
    assert '<html lang="zh-CN">' in email.html
    [(_, text)] = world.sms.sent
    assert CJK.search(text)
    assert {entry.locale for entry in world.log.entries(order.order_id)} == {"zh-CN"}


def test_preferred_locale_wins_over_the_order_locale(world: World) -> None:
    order = sample_order()  # ordered in English
    world.orders.orders[order.order_id] = order
    world.preferences.put("cust-1", CustomerPreferences(locale="zh-CN"), "2026-11-01T00:00:00.000Z")

    world.notifier.accept(event_for(order))

    [(_, text)] = world.sms.sent
    assert CJK.search(text)


def test_shipment_messages_carry_carrier_tracking_number_and_signed_link(world: World) -> None:
    order = shipped_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    link = TRACKING + order.order_id + ".signed"
    [(_, email)] = world.email.sent
    [(_, text)] = world.sms.sent
    for body in (email.text, email.html, text):
        assert link in body
    assert "SF1234567890" in email.text


def test_in_transit_scans_are_emailed_but_not_texted_by_default(world: World) -> None:
    order = shipped_order(version=6, status="in_transit")
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert len(world.email.sent) == 1 and world.sms.sent == []


def test_events_outside_the_policy_reach_no_one(world: World) -> None:
    world.use_policy(events={"order.confirmed": (Channel.EMAIL,)})
    order = shipped_order()
    world.orders.orders[order.order_id] = order

    assert world.notifier.accept(event_for(order)) == []
    assert world.email.sent == [] and world.sms.sent == [] and world.log.entries(order.order_id) == []


@pytest.mark.parametrize("event_type", ["order.received", "order.reserved"])
def test_internal_event_types_are_skipped(world: World, event_type: str) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order

    assert world.notifier.accept(event_for(order, event_type)) == []
    assert world.email.sent == [] and world.sms.sent == []


def test_unknown_order_is_dropped(world: World) -> None:
    assert world.notifier.accept(event_for(sample_order())) == []


def test_phone_only_and_email_only_customers(world: World) -> None:
    phone_only = sample_order(order_id="ord_phone", customer={"email": None})
    email_only = sample_order(order_id="ord_email", customer={"phone": None})
    for order in (phone_only, email_only):
        world.orders.orders[order.order_id] = order
        world.notifier.accept(event_for(order))

    assert [r for r, _ in world.email.sent] == [EMAIL]
    assert [p for p, _ in world.sms.sent] == [PHONE]
    assert world.log.statuses("ord_phone") == [("order.confirmed", "sms", "sent")]
    assert world.log.statuses("ord_email") == [("order.confirmed", "email", "sent")]


# -- quiet hours ----------------------------------------------------------------------------


def quiet_customer(world: World, start: str = "22:00", end: str = "08:00") -> None:
    world.preferences.put(
        "cust-1",
        CustomerPreferences(time_zone="Asia/Shanghai", quiet_hours=QuietHours(start=start, end=end)),
        "2026-11-01T00:00:00.000Z",
    )


def test_message_in_quiet_hours_is_held_then_sent_when_they_end(world: World) -> None:
    # Given a customer in Shanghai with quiet hours 22:00-08:00, and it is 23:30 there
    quiet_customer(world)
    world.clock.moment = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    order = shipped_order()
    world.orders.orders[order.order_id] = order

    # When the shipment event comes
    world.notifier.accept(event_for(order))

    # Then nothing is sent; both channels are held until 08:00 local (00:00 UTC)
    assert world.email.sent == [] and world.sms.sent == []
    held = world.log.entries(order.order_id)
    assert {(e.channel.value, e.status) for e in held} == {
        ("email", NotificationStatus.HELD),
        ("sms", NotificationStatus.HELD),
    }
    assert {e.release_at for e in held} == {"2026-11-25T00:00:00.000Z"}
    [(_, delay)] = world.scheduler.scheduled
    assert delay == 900  # re-checked every 15 minutes at most (SQS delay limit)

    # When the delivery comes back still inside the window, it is held again
    world.clock.moment += timedelta(seconds=900)
    world.run_due()
    assert world.sms.sent == [] and len(world.scheduler.scheduled) == 1

    # When it comes back after 08:00 local, both go out, once
    world.scheduler.take()
    world.clock.moment = datetime(2026, 11, 25, 0, 0, 5, tzinfo=UTC)
    world.notifier.deliver(event_for(order))
    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1
    assert [s for _, _, s in world.log.statuses(order.order_id)] == ["sent", "sent"]
    assert world.scheduler.scheduled == []


def test_quiet_hours_close_to_their_end_schedule_exactly_the_rest(world: World) -> None:
    quiet_customer(world)
    world.clock.moment = datetime(2026, 11, 24, 23, 50, tzinfo=UTC)  # 07:50 in Shanghai
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert world.scheduler.scheduled[0][1] == 600


def test_outside_quiet_hours_messages_go_at_once(world: World) -> None:
    quiet_customer(world)  # it is 18:00 in Shanghai
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert len(world.sms.sent) == 1


def test_critical_events_bypass_quiet_hours(world: World) -> None:
    quiet_customer(world)
    world.clock.moment = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    order = shipped_order(version=7, status="delivery_exception")
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert len(world.sms.sent) == 1 and len(world.email.sent) == 1


def test_policy_default_quiet_hours_use_the_shipping_country_time_zone(world: World) -> None:
    world.use_policy(default_quiet_hours=QuietHours(start="21:00", end="08:00"), collapse_window_seconds=0)
    world.clock.moment = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai (order ships to CN)
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert world.sms.sent == []
    assert {e.status for e in world.log.entries(order.order_id)} == {NotificationStatus.HELD}


# -- suppression and fallback --------------------------------------------------------------


def test_number_on_the_sns_opt_out_list_is_not_texted_and_is_remembered(world: World) -> None:
    world.sms.opted_out.add(PHONE)
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert world.sms.sent == [] and len(world.email.sent) == 1
    sms = next(e for e in world.log.entries(order.order_id) if e.channel is Channel.SMS)
    assert (sms.status, sms.reason) == (NotificationStatus.SUPPRESSED, "provider_opt_out")
    assert world.suppressions.find(Channel.SMS, PHONE) is not None


def test_bounced_email_is_suppressed_and_falls_back_to_sms(world: World) -> None:
    # Given the policy emails (only) in-transit scans, and the customer's address bounced
    world.suppressions.suppress(Channel.EMAIL, EMAIL, "bounce", "ses_feedback", "2026-11-01T00:00:00.000Z")
    order = shipped_order(version=6, status="in_transit")
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    # Then the update goes by SMS instead
    assert world.email.sent == []
    [(phone, _)] = world.sms.sent
    assert phone == PHONE
    [email, sms] = world.log.entries(order.order_id)
    assert (email.status, email.reason) == (NotificationStatus.SUPPRESSED, "bounce")
    assert (sms.status, sms.fallback_for) == (NotificationStatus.SENT, Channel.EMAIL)


def test_stopped_sms_falls_back_to_email_when_the_policy_only_texts(world: World) -> None:
    world.use_policy(events={"order.out_for_delivery": (Channel.SMS,)}, collapse_window_seconds=0)
    world.suppressions.suppress(Channel.SMS, PHONE, "sms_stop", "sns_inbound", "2026-11-01T00:00:00.000Z")
    order = shipped_order(version=8, status="out_for_delivery")
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert world.sms.sent == [] and [r for r, _ in world.email.sent] == [EMAIL]


def test_no_fallback_when_the_other_channel_is_switched_off_or_missing(world: World) -> None:
    world.preferences.put(
        "cust-1", CustomerPreferences(channels=ChannelSwitches(email=False)), "2026-11-01T00:00:00.000Z"
    )
    world.sms.opted_out.add(PHONE)
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert world.email.sent == [] and world.sms.sent == []
    assert {(e.channel.value, e.reason) for e in world.log.entries(order.order_id)} == {
        ("email", "channel_off"),
        ("sms", "provider_opt_out"),
    }


def test_switched_off_channel_is_not_used(world: World) -> None:
    world.preferences.put(
        "cust-1", CustomerPreferences(channels=ChannelSwitches(sms=False)), "2026-11-01T00:00:00.000Z"
    )
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    assert world.sms.sent == [] and len(world.email.sent) == 1


# -- bursts --------------------------------------------------------------------------------


def test_burst_of_updates_becomes_one_message_with_the_latest_state() -> None:
    world = build_world()  # default policy: 120 s window
    shipped = shipped_order(version=5)
    world.orders.orders[shipped.order_id] = shipped
    world.notifier.accept(event_for(shipped))
    out_for_delivery = shipped_order(version=7, status="out_for_delivery")
    world.orders.orders[shipped.order_id] = out_for_delivery
    world.notifier.accept(event_for(out_for_delivery))
    delivered = shipped_order(version=8, status="delivered")
    world.orders.orders[shipped.order_id] = delivered
    world.notifier.accept(event_for(delivered))
    assert [delay for _, delay in world.scheduler.scheduled] == [120, 120, 120]
    assert world.sms.sent == []  # nothing before the window ends

    world.run_due()

    [(_, text)] = world.sms.sent
    [(_, email)] = world.email.sent
    assert "deliver" in text.lower() and "deliver" in email.subject.lower()
    statuses = world.log.statuses(shipped.order_id)
    assert statuses == [
        ("order.shipped", "email", "collapsed"),
        ("order.shipped", "sms", "collapsed"),
        ("order.out_for_delivery", "email", "collapsed"),
        ("order.out_for_delivery", "sms", "collapsed"),
        ("order.delivered", "email", "sent"),
        ("order.delivered", "sms", "sent"),
    ]
    assert world.log.entries(shipped.order_id)[0].reason == "replaced by v8"


def test_out_of_order_arrival_still_sends_only_the_latest() -> None:
    world = build_world()
    delivered = shipped_order(version=8, status="delivered")
    world.orders.orders[delivered.order_id] = delivered
    world.notifier.accept(event_for(delivered))
    world.notifier.accept(event_for(shipped_order(version=5)))  # a late, older event

    world.run_due()

    assert len(world.sms.sent) == 1
    assert ("order.delivered", "sms", "sent") in world.log.statuses(delivered.order_id)


# -- exactly once, retries, failures ----------------------------------------------------------


def test_duplicate_event_sends_once(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))
    world.notifier.accept(event_for(order))  # SQS redelivery / a replayed stream record
    world.notifier.deliver(event_for(order))

    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1
    assert world.metrics.counts() == {"email.sent": 1, "sms.sent": 1}


def test_delivery_in_progress_elsewhere_is_retried_not_sent(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.ledger.in_progress.add(DeliveryKey(event_for(order).event_id, Channel.SMS))

    with pytest.raises(NotificationsPending) as pending:
        world.notifier.accept(event_for(order))

    assert pending.value.channels == ["sms"] and world.sms.sent == [] and len(world.email.sent) == 1


def deliver_attempt(world: World, order: OrderRecord, attempt: int) -> None:
    event = event_for(order)
    world.runner.run(event, False, Delivery(attempt=attempt, receipt_handle=f"rh-{attempt}", raw_body="{}"))


def test_provider_failing_twice_sends_on_the_third_try_with_backoff(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.sms.failures = [DeliveryUnavailable("Throttling"), DeliveryUnavailable("InternalError")]

    for attempt in (1, 2):
        with pytest.raises(NotificationsPending):
            deliver_attempt(world, order, attempt)
    deliver_attempt(world, order, 3)

    assert len(world.sms.sent) == 1 and len(world.email.sent) == 1  # the email went out once, first time
    assert world.retries.visibility == [("rh-1", 30), ("rh-2", 60)]
    assert world.retries.dead_letters == []
    assert world.log.statuses(order.order_id) == [
        ("order.confirmed", "email", "sent"),
        ("order.confirmed", "sms", "sent"),
    ]


def test_an_email_whose_answer_was_lost_comes_back_after_ses_word_had_time_to_arrive(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.email.failure = DeliveryOutcomeUnknown("ReadTimeoutError", confirm_within_seconds=60)

    with pytest.raises(NotificationsPending) as pending:
        deliver_attempt(world, order, 1)

    assert pending.value.channels == ["email"] and len(world.sms.sent) == 1  # the SMS went on
    assert world.retries.visibility == [("rh-1", 61)]  # not the 30 s backoff: SES's word comes first


def test_an_email_superseded_after_its_answer_was_lost_is_logged_sent_once_ses_confirms_it(
    world: World,
) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.email.failure = DeliveryOutcomeUnknown("ConnectionClosedError", confirm_within_seconds=60)
    with pytest.raises(NotificationsPending):
        deliver_attempt(world, order, 1)
    world.email.failure = None
    [held] = world.ledger.held
    # Given a newer order event that supersedes it
    world.log.advance_latest(order.order_id, [Channel.EMAIL], (order.version or 0) + 3)
    # When it comes back before SES's word: it waits (neither collapsed nor sent)
    with pytest.raises(NotificationsPending):
        deliver_attempt(world, order, 2)
    # and after SES's word, the log says sent with SES's id, and nothing was sent again
    world.ledger.confirm(held, "ses-lost-1")
    deliver_attempt(world, order, 3)
    email = [e for e in world.log.entries(order.order_id) if e.channel is Channel.EMAIL]
    assert [(e.status, e.message_id) for e in email] == [(NotificationStatus.SENT, "ses-lost-1")]
    assert world.email.sent == [] and held not in world.ledger.held


def test_a_superseded_email_never_attempted_is_collapsed(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.log.advance_latest(order.order_id, [Channel.EMAIL], (order.version or 0) + 3)
    deliver_attempt(world, order, 1)
    [email] = [e for e in world.log.entries(order.order_id) if e.channel is Channel.EMAIL]
    assert email.status is NotificationStatus.COLLAPSED and world.email.sent == []


def test_an_sms_whose_answer_was_lost_comes_back_on_the_usual_backoff(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.sms.failures = [DeliveryOutcomeUnknown("ReadTimeoutError")]

    with pytest.raises(NotificationsPending):
        deliver_attempt(world, order, 1)
    deliver_attempt(world, order, 2)

    assert world.retries.visibility == [("rh-1", 30)] and len(world.sms.sent) == 1


def test_permanent_failure_is_recorded_and_not_retried(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.sms.failure = DeliveryRejected("InvalidParameter")

    deliver_attempt(world, order, 1)  # no exception: nothing to retry
    world.sms.failure = None
    deliver_attempt(world, order, 1)  # the same event again: the refusal stands

    assert world.sms.sent == [] and world.retries.visibility == []
    sms = next(e for e in world.log.entries(order.order_id) if e.channel is Channel.SMS)
    assert (sms.status, sms.reason) == (NotificationStatus.FAILED, "InvalidParameter")


def test_exhausted_retries_go_to_the_dead_letter_queue_with_the_reason(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.sms.failure = DeliveryUnavailable("Throttling")

    deliver_attempt(world, order, 5)  # the last receive: no exception, the message is forwarded

    [dead] = world.retries.dead_letters
    assert dead["channels"] == ["sms"] and "Throttling" in dead["reason"]
    sms = next(e for e in world.log.entries(order.order_id) if e.channel is Channel.SMS)
    assert sms.status is NotificationStatus.FAILED and sms.reason.startswith("retries_exhausted")


def test_unexpected_error_is_retried_by_the_queue_and_dead_lettered_at_the_end(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.email.failure = KeyError("bug")

    with pytest.raises(KeyError):
        deliver_attempt(world, order, 1)
    assert world.retries.visibility == []  # the queue's own visibility timeout applies
    deliver_attempt(world, order, 5)
    assert world.retries.dead_letters[0]["reason"] == "KeyError"


class _StillThrottled(Exception):
    """Shaped like botocore's ClientError once its retries are spent (a log entry write throttled)."""

    response = {"Error": {"Code": "ProvisionedThroughputExceededException"}}


def test_a_table_still_throttled_after_botocore_is_retried_on_the_backoff_not_the_queue_timeout(
    world: World,
) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.email.failure = _StillThrottled("throttled")

    with pytest.raises(_StillThrottled):
        deliver_attempt(world, order, 1)
    assert world.retries.visibility == [("rh-1", 30)]


def test_logs_never_contain_the_recipient(world: World, caplog: pytest.LogCaptureFixture) -> None:
    world.sms.opted_out.add(PHONE)
    order = shipped_order(version=6, status="in_transit")
    world.orders.orders[order.order_id] = order
    world.suppressions.suppress(Channel.EMAIL, EMAIL, "bounce", "ses_feedback", "2026-11-01T00:00:00.000Z")

    with caplog.at_level(logging.DEBUG):
        world.notifier.accept(event_for(order))

    text = caplog.text + json.dumps([e.__dict__ for e in world.log.entries(order.order_id)], default=str)
    assert EMAIL not in text and PHONE not in text and "13800138000" not in text


def test_out_of_stock_message_names_the_short_skus(world: World) -> None:
    order = out_of_stock_order()
    world.orders.orders[order.order_id] = order

    world.notifier.accept(event_for(order))

    [(_, email)] = world.email.sent
    assert "Tieguanyin oolong, 250 g" in email.text and "Celadon tea cup" in email.html


def test_events_not_due_yet_wait_in_steps_of_at_most_fifteen_minutes() -> None:
    world = build_world()
    order = shipped_order(version=9, status="delivered")
    world.orders.orders[order.order_id] = order
    event = event_for(order).model_copy(update={"not_before": "2026-11-24T10:20:00.000Z"})  # now + 20 min

    world.notifier.accept(event)
    assert [delay for _, delay in world.scheduler.scheduled] == [900]
    world.clock.moment += timedelta(seconds=900)
    world.run_due()
    assert world.email.sent == [] and [delay for _, delay in world.scheduler.scheduled] == [300]
    world.clock.moment += timedelta(seconds=300)
    world.run_due()
    assert len(world.email.sent) == 1 and len(world.sms.sent) == 1


def test_survey_invitation_links_the_form_once_per_order(world: World) -> None:
    world.notifier.feedback_link = lambda token: "https://shop.example/feedback/" + token
    order = shipped_order(version=9, status="delivered")
    world.orders.orders[order.order_id] = order
    invite = event_for(order).model_copy(
        update={
            "event_id": order.order_id + ":feedback",
            "event_type": "feedback.invite",
            "details": {"feedback_token": "tok.en", "feedback_expires_at": "2026-12-24T10:00:00.000Z"},
        }
    )

    world.notifier.accept(invite)
    world.notifier.accept(invite)  # the dispatcher's event delivered twice

    [(_, email)] = world.email.sent
    assert "https://shop.example/feedback/tok.en" in email.text
    assert world.sms.sent == []  # the survey goes by email only by default
    assert world.log.statuses(order.order_id) == [("feedback.invite", "email", "sent")]


def test_return_updates_carry_their_details(world: World) -> None:
    order = shipped_order(version=9, status="delivered")
    world.orders.orders[order.order_id] = order
    approved = event_for(order).model_copy(
        update={
            "event_id": order.order_id + ":return:rtn_1:approved",
            "event_type": "return.approved",
            "status": "approved",
            "details": {
                "return_id": "rtn_1",
                "status": "approved",
                "reason": "damaged",
                "lines": "CUP-CELADON x1",
            },
        }
    )

    world.notifier.accept(approved)

    [(_, email)] = world.email.sent
    assert "rtn_1" in email.text and "Celadon tea cup" in email.text
    assert len(world.sms.sent) == 1


class CountingLog:
    """The notifier's view of the log, counting what the notifier itself records (the ledger
    writes through the log it was built with)."""

    def __init__(self, log: NotificationLog) -> None:
        self.log = log
        self.recorded: list[NotificationEntry] = []

    def record(self, entry: NotificationEntry) -> None:
        self.recorded.append(entry)
        self.log.record(entry)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.log, name)


def test_a_sent_message_is_logged_by_the_ledger_not_recorded_again(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    counting = CountingLog(world.log)
    world.notifier.log = counting

    world.notifier.accept(event_for(order))

    assert counting.recorded == []  # the ledger's completion wrote both entries
    assert world.log.statuses(order.order_id) == [
        ("order.confirmed", "email", "sent"),
        ("order.confirmed", "sms", "sent"),
    ]
    assert world.log.entries(order.order_id)[0].message_id == "email-1"


def test_a_replayed_refusal_is_logged_again_but_not_counted_again(world: World) -> None:
    order = sample_order()
    world.orders.orders[order.order_id] = order
    world.sms.failure = DeliveryRejected("InvalidParameter")
    world.notifier.accept(event_for(order))
    counting = CountingLog(world.log)
    world.notifier.log = counting

    world.notifier.deliver(event_for(order))  # a redelivery: the email is done, the SMS replays

    assert [(e.channel, e.status, e.reason) for e in counting.recorded] == [
        (Channel.SMS, NotificationStatus.FAILED, "InvalidParameter")
    ]
    assert world.metrics.counts() == {"email.sent": 1, "sms.failed": 1}
