"""Carrier checkpoints, shipments and order updates in the single table (docs/carrier-webhooks.md).

checkpoint:         pk TRACKING#<n>  sk EVENT#<utc time>#<hash>  entity tracking_event
delivery estimate:  pk TRACKING#<n>  sk ESTIMATE                 entity tracking_estimate
                    (`estimated_delivery`, `as_of`: written only if no later webhook's is stored)
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from carriers.adapters.shipment_records import LINK_SK, SHIPMENT_SK_PREFIX, shipment_key, tracking_key
from carriers.models.registration import TrackingRegistration
from carriers.models.shipment import (
    OrderChange,
    ShipmentChange,
    ShipmentState,
    TrackingLink,
    Watch,
    watch_partitions,
)
from carriers.models.tracking import Checkpoint, TrackingEstimate, TrackingUpdate
from orders.adapters.dynamo_orders import order_from_item, order_key
from orders.adapters.timeline_items import timeline_item
from orders.models.order import OrderRecord
from shared.checkpoint_records import FULL_FIELDS, compact_checkpoints, full_checkpoints, last_checkpoint_at
from shared.dynamo import from_attributes, to_attribute, to_attributes
from shared.errors import RetryableError
from shared.status_index import status_partition

EVENT_SK_PREFIX = "EVENT#"
EVENT_FIELDS = FULL_FIELDS  # a checkpoint item under its tracking number holds every field
ESTIMATE_SK = "ESTIMATE"


class DynamoTrackingStore:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def _query(self, pk: str, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":prefix": {"S": prefix}},
            "ConsistentRead": True,
        }
        while True:
            response = self._client.query(**request)
            items.extend(from_attributes(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def events(self, tracking_number: str) -> dict[str, Checkpoint]:
        items = self._query(f"TRACKING#{tracking_number}", EVENT_SK_PREFIX)
        return {
            item["sk"].removeprefix(EVENT_SK_PREFIX): Checkpoint.model_validate(
                {field: item.get(field) for field in EVENT_FIELDS}
            )
            for item in items
        }

    def save_events(self, update: TrackingUpdate, checkpoints: list[Checkpoint]) -> None:
        puts = [
            {
                "PutRequest": {
                    "Item": to_attributes(
                        {
                            "pk": f"TRACKING#{update.tracking_number}",
                            "sk": f"{EVENT_SK_PREFIX}{cp.event_key}",
                            "entity": "tracking_event",
                            "tracking_number": update.tracking_number,
                            "provider_event_id": update.provider_event_id,
                            **cp.as_record(),
                        }
                    )
                }
            }
            for cp in checkpoints
        ]
        for start in range(0, len(puts), 25):
            request: dict[str, Any] = {self._table: puts[start : start + 25]}
            while request:
                response = self._client.batch_write_item(RequestItems=request)
                request = response.get("UnprocessedItems") or {}

    def estimate(self, tracking_number: str) -> TrackingEstimate | None:
        item = self._client.get_item(
            TableName=self._table, Key=tracking_key(tracking_number, ESTIMATE_SK), ConsistentRead=True
        ).get("Item")
        return TrackingEstimate.model_validate(from_attributes(item)) if item else None

    def save_estimate(self, estimate: TrackingEstimate) -> bool:
        item = {
            "pk": f"TRACKING#{estimate.tracking_number}",
            "sk": ESTIMATE_SK,
            "entity": "tracking_estimate",
            **estimate.model_dump(),
        }
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_attributes(item),
                ConditionExpression="attribute_not_exists(pk) OR #as_of <= :as_of",
                ExpressionAttributeNames={"#as_of": "as_of"},
                ExpressionAttributeValues={":as_of": {"S": estimate.as_of}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False  # a later webhook's estimate is stored already
        return True

    def link(self, tracking_number: str) -> TrackingLink | None:
        item = self._client.get_item(
            TableName=self._table, Key=tracking_key(tracking_number, LINK_SK), ConsistentRead=True
        ).get("Item")
        if not item:
            return None
        values = from_attributes(item)
        values.setdefault("tracking_number", tracking_number)
        return TrackingLink.model_validate(values)

    def shipments(self, order_id: str) -> list[ShipmentState]:
        return [shipment_state(item) for item in self._query(f"ORDER#{order_id}", SHIPMENT_SK_PREFIX)]

    def order(self, order_id: str) -> OrderRecord | None:
        item = self._client.get_item(TableName=self._table, Key=order_key(order_id), ConsistentRead=True).get(
            "Item"
        )
        return order_from_item(item) if item else None

    def commit(self, shipment: ShipmentChange, order: OrderChange | None) -> None:
        """The shipment update and the order update in one transaction (one plain conditional
        update when the order does not change). The delay watch is a timer of the shipment kept
        outside the transaction, written only when it moves: the new watch before, the superseded
        one deleted after. A crash in between leaves an extra watch, never a missing one, and the
        delay job drops any watch that is not the shipment's (`carriers.domain.flag_delays`)."""
        watch, previous = shipment.watch, shipment.previous_watch_key
        if watch is not None:  # even under the previous key: the delay job may have re-armed it away
            self._client.put_item(TableName=self._table, Item=_watch_item(watch))
        actions = [self._shipment_update(shipment)]
        if order is not None:
            actions.append(self._order_update(order))
        try:
            if len(actions) == 1:
                self._client.update_item(**actions[0]["Update"])
            else:
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if error.response["Error"]["Code"] not in (
                "TransactionCanceledException",
                "ConditionalCheckFailedException",
            ):
                raise
            raise RetryableError(
                "the shipment or its order changed while a carrier event was applied"
            ) from None
        if previous and (watch is None or watch.key != previous):
            self._client.delete_item(TableName=self._table, Key=_watch_key(previous))

    def commit_order(self, order: OrderChange) -> None:
        try:
            self._client.update_item(**self._order_update(order)["Update"])
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise RetryableError("the order changed while a carrier event was applied") from None

    def due_watches(self, day: str, until: str) -> list[Watch]:
        """The watches due on `day` up to `until`: one query per partition of the day, in deadline order."""
        items: list[dict[str, Any]] = []
        for partition in watch_partitions(day):
            request: dict[str, Any] = {
                "TableName": self._table,
                "KeyConditionExpression": "pk = :pk AND sk <= :until",
                "ExpressionAttributeValues": {":pk": {"S": partition}, ":until": {"S": f"{until}#~"}},
            }
            while True:
                response = self._client.query(**request)
                items.extend(from_attributes(item) for item in response.get("Items", []))
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        watches = [
            Watch.model_validate({**item, "partition": item["pk"]})
            for item in items
            if item["deadline"] <= until
        ]
        return sorted(watches, key=lambda watch: watch.sk)

    def put_watch(self, watch: Watch) -> None:
        self._client.put_item(TableName=self._table, Item=_watch_item(watch))

    def delete_watch(self, key: str) -> None:
        self._client.delete_item(TableName=self._table, Key=_watch_key(key))

    def mark_watch_queried(self, watch: Watch) -> None:
        """The delay check asked the provider once about this deadline (if the watch still exists)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_watch_key(watch.key),
                UpdateExpression="SET queried = :yes",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":yes": {"BOOL": True}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def save_registration(
        self,
        order_id: str,
        shipment_id: str,
        registration: TrackingRegistration,
        *,
        unless_registered: bool = False,
    ) -> bool:
        """SET the shipment's `tracking_registration` (only this attribute: tracking commits and
        registration writes never overwrite each other)."""
        condition = "attribute_exists(pk)"
        values: dict[str, Any] = {
            ":registration": to_attribute(registration.model_dump(exclude_defaults=True))
        }
        if unless_registered:
            condition += (
                " AND (attribute_not_exists(#registration) OR #registration.#status <> :registered"
                " OR #registration.#provider <> :provider)"
            )
            values[":registered"] = {"S": "registered"}
            values[":provider"] = {"S": registration.provider}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=shipment_key(order_id, shipment_id),
                UpdateExpression="SET #registration = :registration",
                ConditionExpression=condition,
                ExpressionAttributeNames={
                    "#registration": "tracking_registration",
                    **({"#status": "status", "#provider": "provider"} if unless_registered else {}),
                },
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def _shipment_update(self, change: ShipmentChange) -> dict[str, Any]:
        state = change.shipment
        fields = {
            "status": state.status,
            "tracking_status": state.tracking_status,
            "status_reason": state.status_reason,
            "checkpoints": compact_checkpoints(state.checkpoints, state.carrier) or None,
            "applied_events": None,  # the checkpoints' own keys: `shipment_state` derives them
            "last_checkpoint_at": None,  # the last checkpoint's time: `shipment_state` derives it
            "estimated_delivery": state.estimated_delivery,
            "first_estimated_delivery": state.first_estimated_delivery,
            "tracking_version": state.tracking_version,
            "watch_key": state.watch_key,
        }
        names: dict[str, str] = {}
        values: dict[str, Any] = {":expected": {"N": str(change.expected_version)}}
        assignments = []
        removals = []
        for index, (name, value) in enumerate(fields.items()):
            names[f"#f{index}"] = name
            if value is None:
                removals.append(f"#f{index}")
            else:
                values[f":f{index}"] = to_attribute(value)
                assignments.append(f"#f{index} = :f{index}")
        expression = "SET " + ", ".join(assignments) + (" REMOVE " + ", ".join(removals) if removals else "")
        names["#version"] = "tracking_version"
        return {
            "Update": {
                "TableName": self._table,
                "Key": shipment_key(state.order_id, state.shipment_id),
                "UpdateExpression": expression,
                "ConditionExpression": "attribute_exists(pk) AND "
                "(attribute_not_exists(#version) OR #version = :expected)",
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }

    def _order_update(self, change: OrderChange) -> dict[str, Any]:
        values: dict[str, Any] = {
            ":from": {"S": change.from_status.value},
            ":to": {"S": change.to_status.value},
            ":version": {"N": str(change.expected_version)},
            ":one": {"N": "1"},
            ":entries": to_attribute([timeline_item(entry) for entry in change.entries]),
            ":now": {"S": change.at},
            ":gsi2pk": {"S": status_partition(change.to_status.value, change.order_id)},
        }
        return {
            "Update": {
                "TableName": self._table,
                "Key": order_key(change.order_id),
                "UpdateExpression": "SET #status = :to, version = version + :one, "
                "timeline = list_append(timeline, :entries), updated_at = :now, gsi2pk = :gsi2pk",
                "ConditionExpression": "#status = :from AND version = :version",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": values,
            }
        }


def shipment_state(values: dict[str, Any]) -> ShipmentState:
    """A shipment item (plain values) as the tracking worker reads it: its checkpoints in full
    (stored compactly, `shared.checkpoint_records`), `last_checkpoint_at` (the last one's time) and
    `applied_events`: the event keys of its checkpoints, which are exactly the events applied to it
    (an item written before the compact form keeps its own copies of both, which are read)."""
    values = dict(values)
    stored = values.get("checkpoints") or []
    values["last_checkpoint_at"] = last_checkpoint_at(values)
    values["checkpoints"] = full_checkpoints(stored, values.get("carrier"))
    if "applied_events" not in values and not any("status" in item for item in stored):
        keys = {Checkpoint.model_validate(record).event_key for record in values["checkpoints"]}
        values["applied_events"] = sorted(keys)
    return ShipmentState.model_validate(values)


def _watch_key(key: str) -> dict[str, Any]:
    pk, _, sk = key.partition("|")
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _watch_item(watch: Watch) -> dict[str, Any]:
    return to_attributes({"pk": watch.pk, "sk": watch.sk, "entity": "shipment_watch", **watch.model_dump()})
