"""Transactional SMS through Amazon SNS (`Publish` to a phone number), with the opt-out check."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from notifications.adapters.provider_errors import delivery_error


class SnsSmsSender:
    def __init__(self, client: Any, sender_id: str = "") -> None:
        self._client = client
        self._attributes: dict[str, dict[str, str]] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        }
        if sender_id:  # not every country supports sender ids (mainland China does not)
            self._attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": sender_id}

    def is_opted_out(self, phone: str) -> bool:
        try:
            response = self._client.check_if_phone_number_is_opted_out(phoneNumber=phone)
        except (ClientError, BotoCoreError) as error:
            raise delivery_error(error) from None
        return bool(response["isOptedOut"])

    def send(self, phone: str, text: str) -> str:
        try:
            response = self._client.publish(
                PhoneNumber=phone, Message=text, MessageAttributes=self._attributes
            )
        except (ClientError, BotoCoreError) as error:
            raise delivery_error(error) from None
        return str(response["MessageId"])
