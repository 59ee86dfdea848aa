"""The per-order notification log and the per-channel 'latest version' markers in the single
DynamoDB table (see docs/data-model.md).

Both live in the order's own notification partition, `NOTIFY#<order_id>`, not in `ORDER#<order_id>`:
reading an order queries its whole partition, and the log must not make that read larger.

Entry: pk `NOTIFY#<order_id>`, sk `ENTRY#<event sort key>#<channel>`, `entity` = `notification`,
every `NotificationEntry` field. The event sort key (`shared.events.event_sort_key`) is the order
version in 10 digits for status events (oldest first), and `~<rest of the event id>` for other
events of the order (survey, returns), which sort after them; then by channel. `recipient` is masked by the caller;
this adapter never sees a full address.
Marker: pk `NOTIFY#<order_id>`, sk `LATEST#<channel>`, `entity` = `notification_latest`,
`latest_version`.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from botocore.exceptions import ClientError

from notifications.domain.model import Channel, NotificationEntry, NotificationStatus
from shared.dynamo import from_attributes, to_attributes
from shared.events import event_sort_key

ENTRY_PREFIX = "ENTRY#"
LATEST_PREFIX = "LATEST#"
ENTRY_ENTITY = "notification"
LATEST_ENTITY = "notification_latest"
_ENTRY_FIELDS = frozenset(field.name for field in fields(NotificationEntry))


def notify_partition(order_id: str) -> str:
    return f"NOTIFY#{order_id}"


def entry_sort_key(entry: NotificationEntry) -> str:
    segment = event_sort_key(entry.order_id, entry.event_id)
    return f"{ENTRY_PREFIX}{segment}#{Channel(entry.channel).value}"


def entry_item(entry: NotificationEntry) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: value.value if isinstance(value, Channel | NotificationStatus) else value
        for name, value in asdict(entry).items()
    }
    values.update(
        pk=notify_partition(entry.order_id),
        sk=entry_sort_key(entry),
        entity=ENTRY_ENTITY,
    )
    return to_attributes(values)


def entry_from_item(item: dict[str, Any]) -> NotificationEntry:
    values = {name: value for name, value in from_attributes(item).items() if name in _ENTRY_FIELDS}
    values["channel"] = Channel(values["channel"])
    values["status"] = NotificationStatus(values["status"])
    if values.get("fallback_for") is not None:
        values["fallback_for"] = Channel(values["fallback_for"])
    return NotificationEntry(**values)


def _condition_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DynamoNotificationLog:
    """The `NotificationLog` port on DynamoDB (low-level client, injected)."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def record(self, entry: NotificationEntry) -> None:
        """Write the entry as it is now (a whole-item upsert), unless the stored one is `sent`."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=entry_item(entry),
                ConditionExpression="attribute_not_exists(pk) OR #status <> :sent",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":sent": {"S": NotificationStatus.SENT.value}},
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    def entries(self, order_id: str) -> list[NotificationEntry]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": notify_partition(order_id)},
                ":prefix": {"S": ENTRY_PREFIX},
            },
            "ConsistentRead": True,
        }
        found: list[NotificationEntry] = []
        while True:
            response = self._client.query(**request)
            found.extend(entry_from_item(item) for item in response.get("Items", []))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return found
            request["ExclusiveStartKey"] = last_key

    def advance_latest(self, order_id: str, channel: Channel, version: int) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._latest_key(order_id, channel),
                UpdateExpression="SET latest_version = :v, entity = :entity, order_id = :order, channel = :channel",
                ConditionExpression="attribute_not_exists(latest_version) OR latest_version < :v",
                ExpressionAttributeValues={
                    ":v": {"N": str(version)},
                    ":entity": {"S": LATEST_ENTITY},
                    ":order": {"S": order_id},
                    ":channel": {"S": Channel(channel).value},
                },
            )
        except ClientError as error:
            if not _condition_failed(error):  # failed condition: a newer version is already there
                raise

    def latest(self, order_id: str, channel: Channel) -> int | None:
        response = self._client.get_item(
            TableName=self._table,
            Key=self._latest_key(order_id, channel),
            ConsistentRead=True,
            ProjectionExpression="latest_version",
        )
        value = (response.get("Item") or {}).get("latest_version")
        return int(value["N"]) if value else None

    @staticmethod
    def _latest_key(order_id: str, channel: Channel) -> dict[str, Any]:
        return {
            "pk": {"S": notify_partition(order_id)},
            "sk": {"S": f"{LATEST_PREFIX}{Channel(channel).value}"},
        }
