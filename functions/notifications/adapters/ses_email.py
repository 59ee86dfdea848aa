"""Email through Amazon SES (API v2 `SendEmail`, simple content): subject, HTML and text parts, all
UTF-8, and the message's own headers.

A message with an unsubscribe URL carries `List-Unsubscribe: <https://...>` and
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058: mail clients show an unsubscribe
button that POSTs `List-Unsubscribe=One-Click` to the URL). SES v1 `SendEmail` has no way to add
headers short of building the raw MIME message; v2's `Content.Simple.Headers` does
(https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_Message.html; both headers are among
those SES accepts once per message: https://docs.aws.amazon.com/ses/latest/dg/header-fields.html).
The IAM action is `ses:SendEmail` either way. moto accepts the headers and does not keep them.

With a configuration set, SES publishes the message's bounces and complaints to the set's event
destination (the `EmailFeedback` topic), from which the suppression list is kept, and its `Send`
event, which confirms a delivery a crash interrupted: a message sent within a delivery carries tags
naming its log entry (`delivery_confirmations`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from notifications.adapters.delivery_confirmations import CONFIRMATION_SECONDS, tags_for
from notifications.adapters.log_entry_records import current_entry_key
from notifications.adapters.provider_errors import call_provider
from notifications.domain.model import EmailMessage

CHARSET = "UTF-8"
ONE_CLICK = "List-Unsubscribe=One-Click"


def unsubscribe_headers(url: str | None) -> list[dict[str, str]]:
    """RFC 2369 `List-Unsubscribe` (the URL in angle brackets) and, for an https URL, RFC 8058's
    `List-Unsubscribe-Post` (one-click needs https; a local http stack gets the first only)."""
    if not url or not url.startswith(("https://", "http://")) or any(c in url for c in "<>\r\n, "):
        return []
    headers = [{"Name": "List-Unsubscribe", "Value": f"<{url}>"}]
    if url.startswith("https://"):
        headers.append({"Name": "List-Unsubscribe-Post", "Value": ONE_CLICK})
    return headers


class SesEmailSender:
    def __init__(
        self,
        client: Any,
        sender: str,
        configuration_set: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        confirm_within_seconds: int = CONFIRMATION_SECONDS,
    ) -> None:
        """`client`: an `sesv2` client without botocore's retries (`provider_client`).
        `confirm_within_seconds`: how long a tagged email whose answer was lost waits for SES's word."""
        self._client = client
        self._sleep = sleep
        self._confirm_within = confirm_within_seconds
        self._sender = sender
        self._configuration = {"ConfigurationSetName": configuration_set} if configuration_set else {}

    def send(self, recipient: str, message: EmailMessage) -> str:
        key = current_entry_key()
        tags = {"EmailTags": tags_for(key)} if key is not None and self._configuration else {}
        simple: dict[str, Any] = {
            "Subject": {"Data": message.subject, "Charset": CHARSET},
            "Body": {
                "Html": {"Data": message.html, "Charset": CHARSET},
                "Text": {"Data": message.text, "Charset": CHARSET},
            },
        }
        headers = unsubscribe_headers(message.unsubscribe_url)
        if headers:
            simple["Headers"] = headers
        response = call_provider(
            lambda: self._client.send_email(
                **self._configuration,
                **tags,
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [recipient]},
                Content={"Simple": simple},
            ),
            # a tagged email is confirmed by SES's `Send` event (`delivery_confirmations`)
            confirm_within_seconds=self._confirm_within if tags else 0,
            sleep=self._sleep,
        )
        return str(response["MessageId"])
