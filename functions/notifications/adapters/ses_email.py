"""Email through Amazon SES (v1 `SendEmail`): subject, HTML and text parts, all UTF-8.

With a configuration set, SES publishes the message's bounces and complaints to the set's event
destination (the `EmailFeedback` topic), from which the suppression list is kept."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from notifications.adapters.provider_errors import delivery_error
from notifications.domain.model import EmailMessage

CHARSET = "UTF-8"


class SesEmailSender:
    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self._client = client
        self._sender = sender
        self._configuration = {"ConfigurationSetName": configuration_set} if configuration_set else {}

    def send(self, recipient: str, message: EmailMessage) -> str:
        try:
            response = self._client.send_email(
                **self._configuration,
                Source=self._sender,
                Destination={"ToAddresses": [recipient]},
                Message={
                    "Subject": {"Data": message.subject, "Charset": CHARSET},
                    "Body": {
                        "Html": {"Data": message.html, "Charset": CHARSET},
                        "Text": {"Data": message.text, "Charset": CHARSET},
                    },
                },
            )
        except (ClientError, BotoCoreError) as error:
            raise delivery_error(error) from None  # `from None`: the provider's text may name the recipient
        return str(response["MessageId"])
