"""Feedback, complaints and returns in the single orders table (docs/customer-service.md).

feedback     pk FEEDBACK#<order_id>    sk FEEDBACK         entity feedback
             gsi3 FEEDBACK#<YYYY-MM of submitted_at> / <submitted_at>#<order_id>  (the answers' list,
             `service.adapters.dynamo_feedback_list`)
complaint    pk COMPLAINT#<id>         sk COMPLAINT        entity complaint
             gsi1 CUSTOMER_COMPLAINTS#<customer_id> / <opened_at>#<id>   (repeat complaints)
             gsi2 COMPLAINTS#<status> / <priority>#<due_at>#<id>          (the queue)
             gsi3 COMPLAINT_DUE / <due_at>#<id>  only while open and not flagged overdue
return       pk ORDER#<order_id>       sk RETURN#<id>      entity return
             gsi2 RETURNS#<status> / <entered the status at>#<id>       (the queue, docs/returns.md)
return tally pk ORDER#<order_id>       sk RETURNS          entity return_tally
return shipment + tracking link: as an order's shipment, with `direction` = `return`
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from orders.adapters.dynamo_orders import decode_cursor, encode_cursor
from service.adapters.dynamo_feedback_list import feedback_index_keys
from service.domain.ports import AlreadyExists, ComplaintQuery, StaleWrite
from service.models.records import ComplaintRecord, ComplaintStatus, FeedbackRecord, ReturnRecord
from shared.dynamo import batch_get, cancellation_codes, from_attributes, to_attribute, to_attributes
from shared.errors import RetryableError
from shared.transient import error_code, is_transient

FEEDBACK_SK = "FEEDBACK"
COMPLAINT_SK = "COMPLAINT"
RETURN_SK_PREFIX = "RETURN#"
TALLY_SK = "RETURNS"
DUE_PARTITION = "COMPLAINT_DUE"
_CONDITION_FAILED = "ConditionalCheckFailedException"


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def feedback_key(order_id: str) -> dict[str, Any]:
    return _key(f"FEEDBACK#{order_id}", FEEDBACK_SK)


def complaint_key(complaint_id: str) -> dict[str, Any]:
    return _key(f"COMPLAINT#{complaint_id}", COMPLAINT_SK)


def return_key(order_id: str, return_id: str) -> dict[str, Any]:
    return _key(f"ORDER#{order_id}", f"{RETURN_SK_PREFIX}{return_id}")


def tally_key(order_id: str) -> dict[str, Any]:
    return _key(f"ORDER#{order_id}", TALLY_SK)


def feedback_item(feedback: FeedbackRecord) -> dict[str, Any]:
    values = feedback.model_dump(mode="json")
    values.update(pk=f"FEEDBACK#{feedback.order_id}", sk=FEEDBACK_SK, entity="feedback")
    values.update(feedback_index_keys(feedback.order_id, feedback.submitted_at))
    return to_attributes(values)


def complaint_item(complaint: ComplaintRecord) -> dict[str, Any]:
    values = complaint.model_dump(mode="json")
    values.update(
        pk=f"COMPLAINT#{complaint.complaint_id}",
        sk=COMPLAINT_SK,
        entity="complaint",
        gsi1pk=f"CUSTOMER_COMPLAINTS#{complaint.customer_id}",
        gsi1sk=f"{complaint.opened_at}#{complaint.complaint_id}",
        gsi2pk=f"COMPLAINTS#{complaint.status.value}",
        gsi2sk=f"{complaint.priority.value}#{complaint.due_at}#{complaint.complaint_id}",
    )
    if complaint.status == ComplaintStatus.OPEN and not complaint.overdue:
        values.update(gsi3pk=DUE_PARTITION, gsi3sk=f"{complaint.due_at}#{complaint.complaint_id}")
    return to_attributes(values)


def return_item(record: ReturnRecord) -> dict[str, Any]:
    values = record.model_dump(mode="json")
    values.update(pk=f"ORDER#{record.order_id}", sk=f"{RETURN_SK_PREFIX}{record.return_id}", entity="return")
    values.update(return_queue_keys(record))
    return to_attributes(values)


def return_queue_keys(record: ReturnRecord) -> dict[str, str]:
    """gsi2: the returns in one status, oldest first by the time they entered it."""
    entered = record.history[-1].at if record.history else record.updated_at
    return {"gsi2pk": f"RETURNS#{record.status.value}", "gsi2sk": f"{entered}#{record.return_id}"}


def _condition_failed(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    if code == _CONDITION_FAILED:
        return True
    return code == "TransactionCanceledException" and _CONDITION_FAILED in cancellation_codes(error)


class DynamoServiceStore:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client
        self._single_writes = {
            "Put": client.put_item,
            "Update": client.update_item,
            "Delete": client.delete_item,
        }

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        return from_attributes(item) if item else None

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        """All the actions or none. One action is one plain conditional write: the same outcome
        for half the write units (a transaction bills every item twice)."""
        try:
            single = self._single_writes.get(next(iter(actions[0]))) if len(actions) == 1 else None
            if single is not None:
                single(**next(iter(actions[0].values())))
            else:
                self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if _condition_failed(error):
                raise StaleWrite from None
            if is_transient(error):  # throttled or conflicting: nothing written, safe to retry
                raise RetryableError(error_code(error)) from error
            raise

    # feedback ---------------------------------------------------------------------------------

    def feedback(self, order_id: str) -> FeedbackRecord | None:
        item = self._get(feedback_key(order_id))
        return FeedbackRecord.model_validate(item) if item else None

    def save_feedback(
        self, feedback: FeedbackRecord, previous: FeedbackRecord | None, complaint: ComplaintRecord | None
    ) -> None:
        put: dict[str, Any] = {"TableName": self._table, "Item": feedback_item(feedback)}
        if previous is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "updated_at = :previous"
            put["ExpressionAttributeValues"] = {":previous": {"S": previous.updated_at}}
        actions: list[dict[str, Any]] = [{"Put": put}]
        if complaint is not None:
            actions.append(self._complaint_put(complaint))
        self._transact(actions)

    # complaints -------------------------------------------------------------------------------

    def _complaint_put(self, complaint: ComplaintRecord) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": complaint_item(complaint),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def complaint(self, complaint_id: str) -> ComplaintRecord | None:
        item = self._get(complaint_key(complaint_id))
        return ComplaintRecord.model_validate(item) if item else None

    def create_complaint(self, complaint: ComplaintRecord) -> None:
        try:
            self._client.put_item(**self._complaint_put(complaint)["Put"])
        except ClientError as error:
            if error.response["Error"]["Code"] != _CONDITION_FAILED:
                raise
            raise AlreadyExists(self.complaint(complaint.complaint_id)) from None

    def resolve_complaint(self, complaint: ComplaintRecord) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=complaint_key(complaint.complaint_id),
                UpdateExpression="SET #status = :resolved, resolution = :resolution, resolved_by = :by, "
                "resolved_at = :at, gsi2pk = :queue REMOVE gsi3pk, gsi3sk",
                ConditionExpression="#status = :open",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":resolved": {"S": ComplaintStatus.RESOLVED.value},
                    ":open": {"S": ComplaintStatus.OPEN.value},
                    ":resolution": {"S": complaint.resolution or ""},
                    ":by": {"S": complaint.resolved_by or ""},
                    ":at": {"S": complaint.resolved_at or ""},
                    ":queue": {"S": f"COMPLAINTS#{ComplaintStatus.RESOLVED.value}"},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != _CONDITION_FAILED:
                raise
            return False
        return True

    def complaints(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]:
        """The queue: by priority (p1 first), then by due time; one Query on gsi2 (keys only) and
        one BatchGetItem of the page's complaints, never a scan."""
        condition = "gsi2pk = :queue"
        values: dict[str, Any] = {":queue": {"S": f"COMPLAINTS#{query.status}"}}
        if query.priority:
            condition += " AND begins_with(gsi2sk, :priority)"
            values[":priority"] = {"S": f"{query.priority}#"}
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi2",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "Limit": query.limit,
        }
        if query.cursor:
            request["ExclusiveStartKey"] = decode_cursor(query.cursor, "gsi2")
        response = self._client.query(**request)
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in response.get("Items", [])]
        found = [
            ComplaintRecord.model_validate(from_attributes(item))
            for item in batch_get(self._client, self._table, keys)
        ]
        # gsi2 holds keys only and follows the table asynchronously: a complaint that left the
        # queue since is not shown in it.
        return [c for c in found if c.status == query.status], encode_cursor(response.get("LastEvaluatedKey"))

    def recent_complaint_count(self, customer_id: str, since: str) -> int:
        response = self._client.query(
            TableName=self._table,
            IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :customer AND gsi1sk >= :since",
            ExpressionAttributeValues={
                ":customer": {"S": f"CUSTOMER_COMPLAINTS#{customer_id}"},
                ":since": {"S": since},
            },
            Select="COUNT",
            Limit=10,
        )
        return int(response.get("Count", 0))

    def due_complaints(self, now: str, limit: int) -> list[ComplaintRecord]:
        response = self._client.query(
            TableName=self._table,
            IndexName="gsi3",
            KeyConditionExpression="gsi3pk = :due AND gsi3sk <= :now",
            ExpressionAttributeValues={":due": {"S": DUE_PARTITION}, ":now": {"S": now + "~"}},
            Limit=limit,
        )
        return [ComplaintRecord.model_validate(from_attributes(item)) for item in response.get("Items", [])]

    def mark_overdue(self, complaint: ComplaintRecord) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=complaint_key(complaint.complaint_id),
                UpdateExpression="SET overdue = :true REMOVE gsi3pk, gsi3sk",
                ConditionExpression="#status = :open AND attribute_exists(gsi3pk)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":true": {"BOOL": True},
                    ":open": {"S": ComplaintStatus.OPEN.value},
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != _CONDITION_FAILED:
                raise
            return False
        return True

    def unmark_overdue(self, complaint: ComplaintRecord) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=complaint_key(complaint.complaint_id),
            UpdateExpression="SET overdue = :false, gsi3pk = :due, gsi3sk = :sk",
            ConditionExpression="#status = :open",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":false": {"BOOL": False},
                ":open": {"S": ComplaintStatus.OPEN.value},
                ":due": {"S": DUE_PARTITION},
                ":sk": {"S": f"{complaint.due_at}#{complaint.complaint_id}"},
            },
        )

    # returns ----------------------------------------------------------------------------------

    def returns(self, order_id: str) -> list[ReturnRecord]:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"ORDER#{order_id}"}, ":prefix": {"S": RETURN_SK_PREFIX}},
            ConsistentRead=True,
        )
        records = [ReturnRecord.model_validate(from_attributes(item)) for item in response.get("Items", [])]
        return sorted(records, key=lambda record: (record.requested_at, record.return_id))

    def returned_quantities(self, order_id: str) -> tuple[dict[str, int], int]:
        item = self._get(tally_key(order_id))
        if not item:
            return {}, 0
        return {str(sku): int(qty) for sku, qty in (item.get("quantities") or {}).items()}, int(
            item["version"]
        )

    def _tally_put(self, order_id: str, tally: dict[str, int], version: int) -> dict[str, Any]:
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": {
                **tally_key(order_id),
                "entity": {"S": "return_tally"},
                "order_id": {"S": order_id},
                "quantities": to_attribute(tally),
                "version": {"N": str(version + 1)},
            },
        }
        if version == 0:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :version"
            put["ExpressionAttributeValues"] = {":version": {"N": str(version)}}
        return {"Put": put}

    def create_return(self, record: ReturnRecord, tally: dict[str, int], tally_version: int) -> None:
        actions = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": return_item(record),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            self._tally_put(record.order_id, tally, tally_version),
        ]
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == _CONDITION_FAILED:
                stored = next(
                    (r for r in self.returns(record.order_id) if r.return_id == record.return_id), None
                )
                raise AlreadyExists(stored) from None
            if _condition_failed(error):
                raise StaleWrite from None
            raise

    def _return_put(self, record: ReturnRecord, expected_version: int) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": return_item(record),
                "ConditionExpression": "version = :version",
                "ExpressionAttributeValues": {":version": {"N": str(expected_version)}},
            }
        }

    def update_return(
        self, record: ReturnRecord, expected_version: int, tally: tuple[dict[str, int], int] | None = None
    ) -> None:
        actions = [self._return_put(record, expected_version)]
        if tally is not None:
            actions.append(self._tally_put(record.order_id, *tally))
        self._transact(actions)

    def link_return_shipment(
        self, record: ReturnRecord, expected_version: int, shipment: dict[str, object]
    ) -> None:
        number = str(shipment["tracking_number"])
        shipment_values = {
            **shipment,
            "pk": f"ORDER#{record.order_id}",
            "sk": f"SHIPMENT#{shipment['shipment_id']}",
            "entity": "shipment",
            "order_id": record.order_id,
        }
        link = {
            "pk": f"TRACKING#{number}",
            "sk": "LINK",
            "entity": "tracking_link",
            "tracking_number": number,
            "order_id": record.order_id,
            "shipment_id": shipment["shipment_id"],
            "carrier": shipment["carrier"],
            "direction": "return",
            "created_at": shipment["created_at"],
        }
        self._transact(
            [
                self._return_put(record, expected_version),
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_attributes(shipment_values),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": to_attributes(link),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
