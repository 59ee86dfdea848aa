"""The per-order notification log and the per-channel 'latest version' markers in the single
DynamoDB table (see docs/data-model.md).

Both live in the order's own notification partition, `NOTIFY#<order_id>`, not in `ORDER#<order_id>`:
reading an order queries its whole partition, and the log must not make that read larger.

Entry: pk `NOTIFY#<order_id>`, sk `ENTRY#<event sort key>#<channel>`, `entity` = `notification`,
every `NotificationEntry` field. The event sort key (`shared.events.event_sort_key`) is the order
version in 10 digits for status events (oldest first), and `~<rest of the event id>` for other
events of the order (survey, returns), which sort after them; then by channel. `recipient` is masked by the caller;
this adapter never sees a full address. A sent (or refused) delivery's entry also carries the
delivery ledger's idempotency record (`idempotency_*` attributes, see `log_entry_records`): entries
are written field by field so that record stays, and an item holding only a claim (a delivery
still being sent, nothing logged yet) is not an entry.
Markers: pk `NOTIFY#<order_id>`, sk `LATEST`, `entity` = `notification_latest`, one attribute per
channel, `latest_<channel>` (an event's channels are raised in one write). Orders whose markers were
written before that have an item per channel, sk `LATEST#<channel>`, `latest_version`: read too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, fields
from typing import Any

from botocore.exceptions import ClientError

from notifications.domain.model import Channel, NotificationEntry, NotificationStatus
from shared.dynamo import from_attributes, update_request
from shared.events import event_sort_key

ENTRY_PREFIX = "ENTRY#"
LATEST_PREFIX = "LATEST#"  # before: one marker item per channel (still read)
MARKERS_SK = "LATEST"
MARKER_PREFIX = "latest_"
ENTRY_ENTITY = "notification"
LATEST_ENTITY = "notification_latest"
_ENTRY_FIELDS = frozenset(field.name for field in fields(NotificationEntry))


def notify_partition(order_id: str) -> str:
    return f"NOTIFY#{order_id}"


def entry_key(entry: NotificationEntry) -> dict[str, Any]:
    segment = event_sort_key(entry.order_id, entry.event_id)
    return {
        "pk": {"S": notify_partition(entry.order_id)},
        "sk": {"S": f"{ENTRY_PREFIX}{segment}#{Channel(entry.channel).value}"},
    }


def entry_fields(entry: NotificationEntry) -> tuple[dict[str, Any], list[str]]:
    """The entry's attributes to SET (its fields that have a value, and `entity`) and to REMOVE
    (the empty ones: absent fields are not stored as nulls)."""
    values = {
        name: value.value if isinstance(value, Channel | NotificationStatus) else value
        for name, value in asdict(entry).items()
    }
    present = {name: value for name, value in values.items() if value is not None}
    return {**present, "entity": ENTRY_ENTITY}, sorted(name for name in values if values[name] is None)


def is_entry(item: dict[str, Any]) -> bool:
    """False for an item that only holds a delivery's claim (nothing was logged for it yet)."""
    return "status" in item


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
        """Write the entry as it is now (every field, in one update that leaves the delivery's
        idempotency record on the item alone), unless the stored one is `sent`."""
        request = update_request(*entry_fields(entry))
        request["ExpressionAttributeValues"][":sent"] = {"S": NotificationStatus.SENT.value}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=entry_key(entry),
                ConditionExpression="attribute_not_exists(#status) OR #status <> :sent",
                **request,
            )
        except ClientError as error:
            if not _condition_failed(error):
                raise

    def record_scheduled(self, entry: NotificationEntry) -> None:
        """Write the `scheduled` entry only on an item without an entry (none, or a delivery's bare
        claim) or with a scheduled one."""
        request = update_request(*entry_fields(entry))
        request["ExpressionAttributeValues"][":scheduled"] = {"S": NotificationStatus.SCHEDULED.value}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=entry_key(entry),
                ConditionExpression="attribute_not_exists(#status) OR #status = :scheduled",
                **request,
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
            found.extend(entry_from_item(item) for item in response.get("Items", []) if is_entry(item))
            last_key = response.get("LastEvaluatedKey")
            if not last_key:
                return found
            request["ExclusiveStartKey"] = last_key

    def advance_latest(self, order_id: str, channels: Sequence[Channel], version: int) -> None:
        """One write for all the event's channels (a marker attribute per channel on one item);
        only when another event already raised one of them further (events out of order) is each
        channel written on its own, so none is ever lowered."""
        names = [Channel(channel).value for channel in channels]
        if not names:
            return
        try:
            self._raise(order_id, names, version)
        except ClientError as error:
            if not _condition_failed(error):
                raise
            if len(names) == 1:
                return  # a newer version is already there
            for name in names:
                try:
                    self._raise(order_id, [name], version)
                except ClientError as single:
                    if not _condition_failed(single):
                        raise

    def _raise(self, order_id: str, channels: list[str], version: int) -> None:
        attributes = {f"#c{index}": f"{MARKER_PREFIX}{channel}" for index, channel in enumerate(channels)}
        self._client.update_item(
            TableName=self._table,
            Key={"pk": {"S": notify_partition(order_id)}, "sk": {"S": MARKERS_SK}},
            UpdateExpression="SET entity = :entity, order_id = :order, "
            + ", ".join(f"{name} = :v" for name in attributes),
            ConditionExpression=" AND ".join(
                f"(attribute_not_exists({name}) OR {name} < :v)" for name in attributes
            ),
            ExpressionAttributeNames=attributes,
            ExpressionAttributeValues={
                ":v": {"N": str(version)},
                ":entity": {"S": LATEST_ENTITY},
                ":order": {"S": order_id},
            },
        )

    def latest(self, order_id: str, channel: Channel) -> int | None:
        """The channel's marker: one query of the order's markers (the per-channel items written
        before the markers shared one item are read too)."""
        name = Channel(channel).value
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={
                ":pk": {"S": notify_partition(order_id)},
                ":prefix": {"S": MARKERS_SK},
            },
            ConsistentRead=True,
        )
        versions = []
        for item in response.get("Items", []):
            value = item.get(f"{MARKER_PREFIX}{name}")
            if item["sk"]["S"] == f"{LATEST_PREFIX}{name}":
                value = item.get("latest_version")
            if value:
                versions.append(int(value["N"]))
        return max(versions, default=None)
