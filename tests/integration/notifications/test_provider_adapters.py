"""SES and SNS adapters against moto."""
# ruff: noqa: RUF001  (full-width Chinese punctuation and the multiplication sign are the text under test)

from __future__ import annotations

from typing import Any

import pytest

from notifications.adapters.ses_email import SesEmailSender
from notifications.adapters.sns_sms import SnsSmsSender
from notifications.domain.errors import DeliveryRejected
from notifications.domain.model import EmailMessage
from tests.integration.notifications.conftest import SENDER, sent_emails, sent_sms


@pytest.fixture
def ses(aws: None) -> Any:
    from shared.aws_clients import aws_client

    aws_client("ses").verify_email_identity(EmailAddress=SENDER)
    return aws_client("sesv2")  # the sender uses SES v2 (custom headers); moto shares one outbox


@pytest.fixture
def sns(aws: None) -> Any:
    from shared.aws_clients import aws_client

    return aws_client("sns")


def test_ses_sends_a_utf8_email(ses: Any) -> None:
    message = EmailMessage(subject="您的订单已确认", html="<p>合计：¥1,129.00</p>", text="合计：¥1,129.00\n")

    message_id = SesEmailSender(ses, SENDER).send("li.wei@example.com", message)

    [email] = sent_emails()
    assert email.id == message_id
    assert email.subject == "您的订单已确认"


def test_moto_accepts_the_list_unsubscribe_headers(ses: Any) -> None:
    url = "https://track.example.com/unsubscribe/ord_1.abc.MAC"
    message = EmailMessage(
        subject="Shipped", html="<p>On its way</p>", text="On its way", unsubscribe_url=url
    )

    message_id = SesEmailSender(ses, SENDER).send("li.wei@example.com", message)

    [email] = sent_emails()
    assert email.id == message_id and email.subject == "Shipped"


def test_ses_refusal_of_an_unverified_sender_is_permanent(ses: Any) -> None:
    with pytest.raises(DeliveryRejected) as rejected:
        SesEmailSender(ses, "nobody@unverified.example.com").send(
            "li.wei@example.com", EmailMessage("s", "h", "t")
        )
    assert rejected.value.code == "MessageRejected"


def test_sns_texts_and_checks_opt_outs(sns: Any) -> None:
    sender = SnsSmsSender(sns, sender_id="ordertrack")

    assert sender.is_opted_out("+8613800138000") is False
    assert sender.is_opted_out("+8613800138099") is True  # moto: numbers ending in 99 opted out
    sender.send("+8613800138000", "您的订单已确认")

    assert sent_sms() == [("+8613800138000", "您的订单已确认")]
