"""Suppression rules: which SES feedback and which SMS replies change the suppression list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from notifications.domain.model import Channel, Suppression
from notifications.domain.suppressions import (
    InvalidAddress,
    SuppressionAction,
    SuppressionChange,
    apply_suppression_changes,
    email_feedback_changes,
    keyword_of,
    normalize_address,
    sms_reply_change,
)
from notifications.models.feedback import EmailFeedback, FeedbackPayload, FeedbackQueueRecord, InboundSms
from tests.factories import load_event
from tests.fakes.notifications import InMemorySuppressionList

PAYLOAD = TypeAdapter(FeedbackPayload)
AT = "2026-01-01T00:00:00.000Z"


def sample(name: str) -> EmailFeedback | InboundSms:
    return PAYLOAD.validate_json(json.dumps(load_event(f"sns/{name}.json")))


def sms_reply(body: str, phone: str = "+8613800138000") -> InboundSms:
    reply = load_event("sns/inbound_sms_other.json")
    return InboundSms.model_validate({**reply, "messageBody": body, "originationNumber": phone})


# --- Payloads ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ses_event_bounce_permanent", EmailFeedback),
        ("ses_event_bounce_transient", EmailFeedback),
        ("ses_event_complaint", EmailFeedback),
        ("ses_event_delivery", EmailFeedback),
        ("ses_notification_bounce_permanent", EmailFeedback),
        ("ses_notification_complaint", EmailFeedback),
        ("inbound_sms_stop", InboundSms),
        ("inbound_sms_unsubscribe_zh", InboundSms),
        ("inbound_sms_start", InboundSms),
        ("inbound_sms_other", InboundSms),
    ],
)
def test_every_sample_parses_as_its_kind(name: str, kind: type) -> None:
    assert isinstance(sample(name), kind)


def test_event_publishing_and_identity_notifications_share_one_model() -> None:
    published = sample("ses_event_bounce_permanent")
    notified = sample("ses_notification_bounce_permanent")

    assert isinstance(published, EmailFeedback) and isinstance(notified, EmailFeedback)
    assert published.event_type == notified.event_type == "Bounce"


@pytest.mark.parametrize(
    "body",
    [
        {"hello": "li.wei@example.com"},
        {"originationNumber": "8613800138000", "destinationNumber": "+1", "messageBody": "STOP"},
        {"eventType": "Bounce", "bounce": {"bounceType": "Permanent"}},
    ],
)
def test_unknown_or_broken_payloads_fail_without_repeating_their_content(body: dict[str, Any]) -> None:
    record = {**load_event("sqs/order_confirmed_notification.json")["Records"][0], "body": json.dumps(body)}

    with pytest.raises(ValidationError) as raised:
        FeedbackQueueRecord.model_validate(record)

    assert "li.wei" not in str(raised.value)
    assert "8613800138000" not in str(raised.value)


# --- Email feedback ------------------------------------------------------------------------------


def test_a_permanent_bounce_suppresses_email_to_the_normalized_recipient() -> None:
    feedback = sample("ses_event_bounce_permanent")
    assert isinstance(feedback, EmailFeedback)

    assert email_feedback_changes(feedback) == [
        SuppressionChange(
            action=SuppressionAction.SUPPRESS,
            channel=Channel.EMAIL,
            address="li.wei@example.com",
            source="ses_feedback",
            reason="bounce",
        )
    ]


def test_a_complaint_suppresses_email() -> None:
    feedback = sample("ses_event_complaint")
    assert isinstance(feedback, EmailFeedback)

    [change] = email_feedback_changes(feedback)

    assert (change.channel, change.address, change.reason) == (
        Channel.EMAIL,
        "alex.doe@example.net",
        "complaint",
    )


def test_identity_notifications_count_too_and_one_recipient_spelled_twice_is_one_change() -> None:
    bounce, complaint = sample("ses_notification_bounce_permanent"), sample("ses_notification_complaint")
    assert isinstance(bounce, EmailFeedback) and isinstance(complaint, EmailFeedback)

    assert [c.address for c in email_feedback_changes(bounce)] == ["wang.fang@example.org"]
    assert [c.reason for c in email_feedback_changes(complaint)] == ["complaint"]


@pytest.mark.parametrize("bounce_type", ["Transient", "Undetermined"])
def test_transient_and_undetermined_bounces_change_nothing(bounce_type: str) -> None:
    document = load_event("sns/ses_event_bounce_transient.json")
    document["bounce"]["bounceType"] = bounce_type

    assert email_feedback_changes(EmailFeedback.model_validate(document)) == []


def test_other_sending_events_change_nothing() -> None:
    feedback = sample("ses_event_delivery")
    assert isinstance(feedback, EmailFeedback)

    assert email_feedback_changes(feedback) == []


# --- SMS replies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "STOP",
        "stop",
        "  Stop \n",
        "\uff33\uff34\uff2f\uff30",  # full-width STOP
        "S T O P",
        "Stop.",
        "STOPALL",
        "unsubscribe",
        "Cancel",
        "end",
        "QUIT",
        "OptOut",
        "退订",
        " 退 订 ",
        "退订\uff01",  # full-width exclamation mark
        "\u3000退订\u3000",  # ideographic spaces
        "td",
        "\uff34\uff24",  # full-width TD
    ],
)
def test_opt_out_replies_suppress_sms_for_the_sender(body: str) -> None:
    assert sms_reply_change(sms_reply(body)) == SuppressionChange(
        action=SuppressionAction.SUPPRESS,
        channel=Channel.SMS,
        address="+8613800138000",
        source="sns_inbound",
        reason="sms_stop",
    )


@pytest.mark.parametrize(
    "body", ["START", "start", "Unstop", "\uff53\uff54\uff41\uff52\uff54", "订阅", " 订阅。"]
)
def test_opt_in_replies_lift_the_suppression(body: str) -> None:
    change = sms_reply_change(sms_reply(body))

    assert change is not None
    assert (change.action, change.channel, change.address) == (
        SuppressionAction.LIFT,
        Channel.SMS,
        "+8613800138000",
    )


@pytest.mark.parametrize(
    "body", ["", "Where is my parcel?", "stop please", "STOPP", "停止", "TDX", "start over", "退订 谢谢"]
)
def test_other_replies_change_nothing(body: str) -> None:
    assert sms_reply_change(sms_reply(body)) is None


def test_only_the_reply_text_decides_not_the_provider_keyword() -> None:
    reply = sms_reply("Where is my parcel?").model_copy(update={"message_keyword": "STOP"})

    assert sms_reply_change(reply) is None


def test_keyword_folding() -> None:
    assert keyword_of(" \uff53\uff54\uff4f\uff50! ") == "STOP"
    assert keyword_of("退 订。") == "退订"


# --- Addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "raw", "normalized"),
    [
        (Channel.EMAIL, " Li.Wei@Example.COM ", "li.wei@example.com"),
        (Channel.EMAIL, "Li Wei <Li.Wei@example.com>", "li.wei@example.com"),
        (Channel.SMS, "+8613800138000", "+8613800138000"),
        (Channel.SMS, "+86 138-0013-8000", "+8613800138000"),
        (Channel.SMS, "+1 (212) 555-0101", "+12125550101"),
    ],
)
def test_addresses_are_normalized(channel: Channel, raw: str, normalized: str) -> None:
    assert normalize_address(channel, raw) == normalized


@pytest.mark.parametrize(
    ("channel", "raw"),
    [
        (Channel.EMAIL, "not-an-address"),
        (Channel.EMAIL, "@example.com"),
        (Channel.EMAIL, "li wei@example.com"),
        (Channel.SMS, "8613800138000"),
        (Channel.SMS, "+0613800138000"),
        (Channel.SMS, "+86abc"),
        (Channel.SMS, "+123"),
    ],
)
def test_malformed_addresses_are_refused_without_being_repeated(channel: Channel, raw: str) -> None:
    with pytest.raises(InvalidAddress) as raised:
        normalize_address(channel, raw)

    assert raw not in str(raised.value)


def test_masked_address_never_shows_the_whole_recipient() -> None:
    [change] = email_feedback_changes(sample("ses_event_bounce_permanent"))  # type: ignore[arg-type]

    assert change.masked_address == "l***@example.com"
    assert sms_reply_change(sms_reply("STOP")).masked_address == "+86*******8000"  # type: ignore[union-attr]


# --- Applying changes ----------------------------------------------------------------------------


def test_applying_a_stop_twice_keeps_the_first_record_and_start_lifts_it() -> None:
    # Given an empty suppression list
    suppressions = InMemorySuppressionList()
    stop = sms_reply_change(sms_reply("STOP"))
    assert stop is not None

    # When the same STOP is applied twice, at different times
    apply_suppression_changes([stop], suppressions, AT)
    apply_suppression_changes([stop], suppressions, "2026-01-02T00:00:00.000Z")

    # Then one suppression, from the first time
    assert suppressions.find(Channel.SMS, "+8613800138000") == Suppression(
        Channel.SMS, "sms_stop", "sns_inbound", AT
    )

    # When the customer replies START
    start = sms_reply_change(sms_reply("START"))
    assert start is not None
    apply_suppression_changes([start], suppressions, AT)

    # Then the number may be texted again, and lifting twice is harmless
    assert suppressions.find(Channel.SMS, "+8613800138000") is None
    apply_suppression_changes([start], suppressions, AT)


def test_a_bounce_suppresses_email_only() -> None:
    suppressions = InMemorySuppressionList()
    feedback = sample("ses_event_bounce_permanent")
    assert isinstance(feedback, EmailFeedback)

    apply_suppression_changes(email_feedback_changes(feedback), suppressions, AT)

    assert suppressions.find(Channel.EMAIL, "LI.WEI@example.com") == Suppression(
        Channel.EMAIL, "bounce", "ses_feedback", AT
    )
    assert list(suppressions.items) == [(Channel.EMAIL, "li.wei@example.com")]
