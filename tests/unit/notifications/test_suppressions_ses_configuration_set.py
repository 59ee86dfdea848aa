"""The SES sender names the configuration set whose event destination feeds the suppression list."""

from __future__ import annotations

from typing import Any

from notifications.adapters.ses_email import SesEmailSender
from notifications.domain.model import EmailMessage

MESSAGE = EmailMessage(subject="Your order is confirmed", html="<p>Hi</p>", text="Hi")


class RecordingSes:
    """A fake SES client that keeps every SendEmail request."""

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
    assert request["Source"] == "orders@example.com"
    assert request["Destination"] == {"ToAddresses": ["li.wei@example.com"]}


def test_without_a_configuration_set_none_is_named() -> None:
    ses = RecordingSes()

    SesEmailSender(ses, "orders@example.com").send("li.wei@example.com", MESSAGE)

    assert "ConfigurationSetName" not in ses.requests[0]
