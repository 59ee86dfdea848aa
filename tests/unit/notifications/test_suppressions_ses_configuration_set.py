"""The SES sender (API v2): the configuration set whose event destination feeds the suppression list,
and the List-Unsubscribe headers of RFC 2369 and RFC 8058, in requests valid for SES's own API model."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from notifications.adapters.ses_email import SesEmailSender
from notifications.domain.model import EmailMessage

MESSAGE = EmailMessage(subject="Your order is confirmed", html="<p>Hi</p>", text="Hi")
UNSUBSCRIBE = "https://track.example.com/unsubscribe/ord_1.abc.MAC"


class RecordingSes:
    """A fake SES v2 client that keeps every SendEmail request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    def send_email(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        return {"MessageId": f"m-{len(self.requests)}"}


def test_email_is_sent_with_the_configuration_set() -> None:
    ses = RecordingSes()

    message_id = SesEmailSender(ses, "orders@example.com", configuration_set="Notifications").send(
        "li.wei@example.com", MESSAGE
    )

    assert message_id == "m-1"
    [request] = ses.requests
    assert request["ConfigurationSetName"] == "Notifications"
    assert request["FromEmailAddress"] == "orders@example.com"
    assert request["Destination"] == {"ToAddresses": ["li.wei@example.com"]}


def test_without_a_configuration_set_none_is_named() -> None:
    ses = RecordingSes()

    SesEmailSender(ses, "orders@example.com").send("li.wei@example.com", MESSAGE)

    assert "ConfigurationSetName" not in ses.requests[0]


def test_an_email_with_an_unsubscribe_link_carries_list_unsubscribe_and_one_click_post() -> None:
    ses = RecordingSes()
    message = EmailMessage(MESSAGE.subject, MESSAGE.html, MESSAGE.text, unsubscribe_url=UNSUBSCRIBE)

    SesEmailSender(ses, "orders@example.com").send("li.wei@example.com", message)

    assert ses.requests[0]["Content"]["Simple"]["Headers"] == [
        {"Name": "List-Unsubscribe", "Value": f"<{UNSUBSCRIBE}>"},
        {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
    ]


@pytest.mark.parametrize(
    ("url", "names"),
    [
        (None, None),
        ("http://127.0.0.1:3000/unsubscribe/t", ["List-Unsubscribe"]),  # one-click needs https
        ("https://x.example/u, <mailto:a@b>", None),  # never a header built from an odd value
        ("javascript:alert(1)", None),
    ],
)
def test_headers_only_for_a_plain_web_url(url: str | None, names: list[str] | None) -> None:
    ses = RecordingSes()
    message = EmailMessage(MESSAGE.subject, MESSAGE.html, MESSAGE.text, unsubscribe_url=url)

    SesEmailSender(ses, "orders@example.com").send("li.wei@example.com", message)

    headers = ses.requests[0]["Content"]["Simple"].get("Headers")
    assert (None if headers is None else [header["Name"] for header in headers]) == names


def test_the_request_is_valid_for_the_sesv2_api_model() -> None:
    """botocore's Stubber checks the parameters against SES v2's own service model."""
    client = boto3.client(
        "sesv2", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    message = EmailMessage("您的订单已确认", "<p>合计</p>", "合计", unsubscribe_url=UNSUBSCRIBE)
    with Stubber(client) as stubber:
        stubber.add_response(
            "send_email",
            {"MessageId": "m-1"},
            {
                "FromEmailAddress": "orders@example.com",
                "Destination": {"ToAddresses": ["li.wei@example.com"]},
                "ConfigurationSetName": "Notifications",
                "Content": {
                    "Simple": {
                        "Subject": {"Data": "您的订单已确认", "Charset": "UTF-8"},
                        "Body": {
                            "Html": {"Data": "<p>合计</p>", "Charset": "UTF-8"},
                            "Text": {"Data": "合计", "Charset": "UTF-8"},
                        },
                        "Headers": [
                            {"Name": "List-Unsubscribe", "Value": f"<{UNSUBSCRIBE}>"},
                            {"Name": "List-Unsubscribe-Post", "Value": "List-Unsubscribe=One-Click"},
                        ],
                    }
                },
            },
        )
        sender = SesEmailSender(client, "orders@example.com", configuration_set="Notifications")

        assert sender.send("li.wei@example.com", message) == "m-1"
        stubber.assert_no_pending_responses()
