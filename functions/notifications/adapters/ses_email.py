"""Email through Amazon SES (v1 `SendEmail`): subject, HTML and text parts, all UTF-8.

With a configuration set, SES publishes the message's bounces and complaints to the set's event
destination (the `EmailFeedback` topic), from which the suppression list is kept, and its `Send`
event, which confirms a delivery a crash interrupted: a message sent within a delivery carries tags
naming its log entry (`delivery_confirmations`)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from notifications.adapters.delivery_confirmations import tags_for
from notifications.adapters.log_entry_records import current_entry_key
from notifications.adapters.provider_errors import delivery_error
from notifications.domain.model import EmailMessage

CHARSET = "UTF-8"


class SesEmailSender:
    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self._client = client
        self._sender = sender
        self._configuration = {"ConfigurationSetName": configuration_set} if configuration_set else {}

    def send(self, recipient: str, message: EmailMessage) -> str:
        key = current_entry_key()
        tags = {"Tags": tags_for(key)} if key is not None and self._configuration else {}
        try:
            response = self._client.send_email(
                **self._configuration,
                **tags,
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
