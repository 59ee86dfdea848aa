"""SES's word that it accepted an email, kept on the delivery's log entry: what lets a retry after a
crash tell "the send had gone through" from "it had not".

A delivery claims its entry, calls SES, then completes the entry (two writes; see
`log_entry_records`). If the invocation dies between SES's answer and the completion (a Lambda
timeout or out-of-memory), the claim is left `INPROGRESS` and the message comes back once its lock
has expired: without more, the retry would send the email again. So every email carries SES message
tags naming its entry (`tags_for`), the configuration set publishes SES's `Send` event for every
accepted message to the `EmailFeedback` topic (event publishing, which the suppression worker
already reads for bounces and complaints), and the suppression worker records the event's message
id on the entry **only while the entry is still claimed** (`DynamoDeliveryConfirmations`: a read,
and a write only in that case, so an email costs no extra write units). A retry that finds an
abandoned claim with SES's message id on it completes the entry as sent instead of sending again.

SES publishes `Send` within seconds of accepting a message; the retry comes after the queue's
visibility timeout (minutes), so the word is there first. Tag names and values may hold only ASCII
letters, digits, `_` and `-` (SES `MessageTag`), hence the base64url of the entry's sort key.
https://docs.aws.amazon.com/ses/latest/APIReference/API_MessageTag.html
https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

ORDER_TAG = "ordertrack-order"
ENTRY_TAG = "ordertrack-entry"
ACCEPTED = "provider_accepted_message_id"
"""The entry attribute holding SES's message id of an email SES accepted while the entry was claimed."""
CONFIRMATION_SECONDS = 60
"""How long a claim is kept for SES's word after `SendEmail`'s answer was lost (a read timeout):
SES publishes `Send` within seconds, and the suppression worker gathers events for up to 5 s."""
_PARTITION_PREFIX, _ENTRY_PREFIX = "NOTIFY#", "ENTRY#"


def tags_for(key: Mapping[str, Any]) -> list[dict[str, str]]:
    """SES `Tags` naming the log entry whose item key is `key` (`{"pk": {"S"}, "sk": {"S"}}`)."""
    order_id = str(key["pk"]["S"]).removeprefix(_PARTITION_PREFIX)
    entry = base64.urlsafe_b64encode(str(key["sk"]["S"]).encode()).decode().rstrip("=")
    return [{"Name": ORDER_TAG, "Value": order_id}, {"Name": ENTRY_TAG, "Value": entry}]


def entry_of(tags: Mapping[str, Any]) -> dict[str, Any] | None:
    """The entry item key an event's `mail.tags` name (values are lists in SES events), or `None`
    for a message that is not a delivery's (or tags that do not decode)."""

    def first(name: str) -> str | None:
        value = tags.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return value if isinstance(value, str) and value else None

    order_id, entry = first(ORDER_TAG), first(ENTRY_TAG)
    if order_id is None or entry is None:
        return None
    try:
        padded = entry + "=" * (-len(entry) % 4)
        sort_key = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not sort_key.startswith(_ENTRY_PREFIX):
        return None
    return {"pk": {"S": f"{_PARTITION_PREFIX}{order_id}"}, "sk": {"S": sort_key}}


RECORD_STATUS, IN_PROGRESS = "idempotency_status", "INPROGRESS"
"""The claim's status attribute and value, as `log_entry_records` writes them (a test ties them)."""


class DynamoDeliveryConfirmations:
    """Records SES's acceptance on an entry that is still claimed (`INPROGRESS`); else nothing."""

    def __init__(
        self,
        table_name: str,
        client: Any,
        status_attribute: str = RECORD_STATUS,
        in_progress: str = IN_PROGRESS,
    ) -> None:
        self._table = table_name
        self._client = client
        self._status = status_attribute
        self._in_progress = in_progress

    def accepted(self, key: Mapping[str, Any], message_id: str) -> bool:
        """`True` when the id was recorded (the entry was still claimed)."""
        item = self._client.get_item(
            TableName=self._table,
            Key=dict(key),
            ConsistentRead=True,
            ProjectionExpression="#status, #accepted",
            ExpressionAttributeNames={"#status": self._status, "#accepted": ACCEPTED},
        ).get("Item")
        if not item or item.get(self._status, {}).get("S") != self._in_progress or ACCEPTED in item:
            return False  # completed already (the usual case), withdrawn, or recorded before
        try:
            self._client.update_item(
                TableName=self._table,
                Key=dict(key),
                UpdateExpression="SET #accepted = :message_id",
                ConditionExpression="#status = :in_progress",
                ExpressionAttributeNames={"#status": self._status, "#accepted": ACCEPTED},
                ExpressionAttributeValues={
                    ":message_id": {"S": message_id},
                    ":in_progress": {"S": self._in_progress},
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False  # completed meanwhile
            raise
        return True
