"""Transactional SMS through Amazon SNS (`Publish` to a phone number), with the opt-out check.

The request is `events/providers/sns/publish_sms_request.json`: the sender id goes only to numbers
whose country supports one (`notifications.domain.branding.supports_sender_id`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from notifications.adapters.provider_errors import call_provider
from notifications.domain.branding import supports_sender_id

_TRANSACTIONAL = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}


class SnsSmsSender:
    def __init__(self, client: Any, sender_id: str = "", sleep: Callable[[float], None] = time.sleep) -> None:
        """`client`: an `sns` client without botocore's retries (`provider_client`)."""
        self._client = client
        self._sender_id = sender_id
        self._sleep = sleep

    def attributes_for(self, phone: str) -> dict[str, dict[str, str]]:
        """The message attributes of a text to this number."""
        if self._sender_id and supports_sender_id(phone):
            sender = {"DataType": "String", "StringValue": self._sender_id}
            return {**_TRANSACTIONAL, "AWS.SNS.SMS.SenderID": sender}
        return dict(_TRANSACTIONAL)

    def is_opted_out(self, phone: str) -> bool:
        response = call_provider(
            lambda: self._client.check_if_phone_number_is_opted_out(phoneNumber=phone),
            read_only=True,
            sleep=self._sleep,
        )
        return bool(response["isOptedOut"])

    def send(self, phone: str, text: str) -> str:
        """An answer lost on the way back is `DeliveryOutcomeUnknown` with nothing to confirm it:
        the retry sends again (see docs/notifications.md)."""
        response = call_provider(
            lambda: self._client.publish(
                PhoneNumber=phone, Message=text, MessageAttributes=self.attributes_for(phone)
            ),
            sleep=self._sleep,
        )
        return str(response["MessageId"])
