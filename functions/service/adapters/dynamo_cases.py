"""Customer-service cases (complaints) in the single orders table (docs/cases.md).

case          pk COMPLAINT#<id>        sk COMPLAINT          entity complaint
              gsi1 CUSTOMER_CASES#<customer_id> / <opened_at>#<id>     (a customer's cases)
              gsi2 COMPLAINTS#<status> / <priority>#<due_at>#<id>       (the queues)
              gsi3 ORDER_CASES#<order_id> / <opened_at>#<id>            (an order's cases)
case entry    pk COMPLAINT#<id>        sk ENTRY#<entry_id>   entity complaint_entry
open-case lock pk ORDER#<order_id>     sk OPEN_CASE#<category>  entity open_case_lock

Timeline entries are items of their own under the case's partition: the case item stays small
(a write is billed per started KB) and one Query reads the case with its timeline. The lock exists
while a case of that order and category is open, in_progress or reopened; it is created and
deleted in the same transaction as the case's status change, so two complaints cannot both open a
case. Every change of a case is conditional on its `version`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from service.domain.ports import (
    AlreadyExists,
    CaseAlreadyOpen,
    ComplaintQuery,
    LockMove,
    MergeIntoCase,
    NewCase,
    StaleWrite,
)
from service.models.records import ACTIVE_STATUSES, CaseEntry, ComplaintRecord, Priority
from shared.dynamo import (
    batch_get,
    cancellation_codes,
    decode_cursor,
    encode_cursor,
    from_attributes,
    to_attributes,
)
from shared.errors import InvalidRequest

COMPLAINT_SK = "COMPLAINT"
ENTRY_PREFIX = "ENTRY#"
LOCK_PREFIX = "OPEN_CASE#"
_FAILED = "ConditionalCheckFailedException"
_FAILED_IN_TRANSACTION = ("ConditionalCheckFailed", _FAILED)  # a cancellation reason's code
_PRIORITIES = [p.value for p in Priority]


def complaint_key(complaint_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"COMPLAINT#{complaint_id}"}, "sk": {"S": COMPLAINT_SK}}


def lock_key(order_id: str, category: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": f"{LOCK_PREFIX}{category}"}}


def complaint_item(complaint: ComplaintRecord) -> dict[str, Any]:
    values = complaint.model_dump(mode="json")
    ordered = f"{complaint.opened_at}#{complaint.complaint_id}"
    values.update(
        pk=f"COMPLAINT#{complaint.complaint_id}",
        sk=COMPLAINT_SK,
        entity="complaint",
        gsi1pk=f"CUSTOMER_CASES#{complaint.customer_id}",
        gsi1sk=ordered,
        gsi2pk=f"COMPLAINTS#{complaint.status.value}",
        gsi2sk=f"{complaint.priority.value}#{complaint.due_at}#{complaint.complaint_id}",
        gsi3pk=f"ORDER_CASES#{complaint.order_id}",
        gsi3sk=ordered,
    )
    return to_attributes(values)


def entry_item(complaint_id: str, entry: CaseEntry) -> dict[str, Any]:
    values = entry.model_dump(mode="json", exclude_none=True)
    values.update(
        pk=f"COMPLAINT#{complaint_id}",
        sk=f"{ENTRY_PREFIX}{entry.entry_id}",
        entity="complaint_entry",
        complaint_id=complaint_id,
    )
    return to_attributes(values)


def _failed(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    return code == _FAILED or (
        code == "TransactionCanceledException"
        and any(reason in _FAILED_IN_TRANSACTION for reason in cancellation_codes(error))
    )


def _failed_at(error: ClientError, index: int) -> bool:
    codes = cancellation_codes(error)
    return len(codes) > index and codes[index] in _FAILED_IN_TRANSACTION


def encode_page_cursor(segment: int, last_key: dict[str, Any] | None) -> str | None:
    """A multi-query page position: the query's number and its LastEvaluatedKey."""
    token = encode_cursor(last_key)
    return f"{segment}.{token}" if token else None


def decode_page_cursor(cursor: str, index: str, segments: int) -> tuple[int, dict[str, Any] | None]:
    number, dot, token = cursor.partition(".")
    if not dot or not (number.isascii() and number.isdigit()) or len(number) > 3 or int(number) >= segments:
        raise InvalidRequest(
            "The cursor is not one this route returned.",
            details=[{"field": "query.cursor", "issue": "invalid"}],
        )
    start = decode_cursor(token, {"pk", "sk", f"{index}pk", f"{index}sk"}) if token else None
    return int(number), start


class DynamoCaseStore:
    """The case methods of `DynamoServiceStore` (it holds `_table`, `_client`, `_transact`)."""

    _table: str
    _client: Any

    def _transact(self, actions: list[dict[str, Any]]) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    # writes -------------------------------------------------------------------------------------

    def _case_put(self, case: ComplaintRecord, expected_version: int | None) -> dict[str, Any]:
        put: dict[str, Any] = {"TableName": self._table, "Item": complaint_item(case)}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = (
                "attribute_exists(pk) AND (version = :version OR attribute_not_exists(version))"
                if expected_version == 1
                else "version = :version"
            )
            put["ExpressionAttributeValues"] = {":version": {"N": str(expected_version)}}
        return {"Put": put}

    def _entry_put(self, complaint_id: str, entry: CaseEntry) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self._table,
                "Item": entry_item(complaint_id, entry),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _lock_action(self, case: ComplaintRecord, move: str) -> dict[str, Any]:
        mine = {
            "ConditionExpression": "attribute_not_exists(pk) OR complaint_id = :me",
            "ExpressionAttributeValues": {":me": {"S": case.complaint_id}},
        }
        key = lock_key(case.order_id, case.category.value)
        if move == "release":
            return {"Delete": {"TableName": self._table, "Key": key, **mine}}
        item = {
            **key,
            "entity": {"S": "open_case_lock"},
            "order_id": {"S": case.order_id},
            "category": {"S": case.category.value},
            "complaint_id": {"S": case.complaint_id},
        }
        return {"Put": {"TableName": self._table, "Item": item, **mine}}

    def case_actions(self, write: ComplaintRecord | NewCase | MergeIntoCase) -> list[dict[str, Any]]:
        """The transaction items that open a case or add to one (for `save_feedback` too)."""
        if isinstance(write, ComplaintRecord):
            from service.domain.complaints import opened_entry

            write = NewCase(write, opened_entry(write))
        if isinstance(write, NewCase):
            lock = self._lock_action(write.case, "take")
            lock["Put"]["ConditionExpression"] = "attribute_not_exists(pk)"
            lock["Put"].pop("ExpressionAttributeValues")
            return [
                self._case_put(write.case, None),
                self._entry_put(write.case.complaint_id, write.entry),
                lock,
            ]
        return [
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": lock_key(write.order_id, write.category),
                    "ConditionExpression": "complaint_id = :case",
                    "ExpressionAttributeValues": {":case": {"S": write.complaint_id}},
                }
            },
            self._entry_put(write.complaint_id, write.entry),
        ]

    def open_case(self, new: NewCase) -> None:
        try:
            self._client.transact_write_items(TransactItems=self.case_actions(new))
        except ClientError as error:
            if _failed_at(error, 0):
                raise AlreadyExists(self.complaint(new.case.complaint_id)) from None
            if _failed_at(error, 2):
                raise CaseAlreadyOpen(
                    self.open_case_for(new.case.order_id, new.case.category.value)
                ) from None
            if _failed(error):
                raise StaleWrite from None
            raise

    def merge_into_case(self, merge: MergeIntoCase) -> None:
        self._transact(self.case_actions(merge))

    def change_case(
        self, case: ComplaintRecord, expected_version: int, entry: CaseEntry, lock: LockMove = None
    ) -> None:
        actions = [self._case_put(case, expected_version), self._entry_put(case.complaint_id, entry)]
        if lock:
            actions.append(self._lock_action(case, lock))
        try:
            self._client.transact_write_items(TransactItems=actions)
        except ClientError as error:
            if lock == "take" and _failed_at(error, 2) and not _failed_at(error, 0):
                raise CaseAlreadyOpen(self.open_case_for(case.order_id, case.category.value)) from None
            if _failed(error):
                raise StaleWrite from None
            from shared.errors import RetryableError
            from shared.transient import error_code, is_transient

            if is_transient(error):
                raise RetryableError(error_code(error)) from error
            raise

    # reads --------------------------------------------------------------------------------------

    def complaint(self, complaint_id: str) -> ComplaintRecord | None:
        item = self._client.get_item(
            TableName=self._table, Key=complaint_key(complaint_id), ConsistentRead=True
        )
        found = item.get("Item")
        return ComplaintRecord.model_validate(from_attributes(found)) if found else None

    def case(self, complaint_id: str) -> tuple[ComplaintRecord, list[CaseEntry]] | None:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"COMPLAINT#{complaint_id}"}},
            "ConsistentRead": True,
        }
        case: ComplaintRecord | None = None
        entries: list[CaseEntry] = []
        while True:
            response = self._client.query(**request)
            for raw in response.get("Items", []):
                values = from_attributes(raw)
                if values["sk"] == COMPLAINT_SK:
                    case = ComplaintRecord.model_validate(values)
                elif str(values["sk"]).startswith(ENTRY_PREFIX):
                    entries.append(CaseEntry.model_validate(values))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if case is None:
            return None
        return case, sorted(entries, key=CaseEntry.order_key)

    def open_case_for(self, order_id: str, category: str) -> str | None:
        item = self._client.get_item(
            TableName=self._table, Key=lock_key(order_id, category), ConsistentRead=True
        ).get("Item")
        return item["complaint_id"]["S"] if item else None

    def _segments(self, query: ComplaintQuery) -> tuple[str, list[tuple[str, str, str | None]], bool]:
        """(index, [(partition, low, high)], newest first) for the query's filters."""
        if query.customer_id:
            return "gsi1", [(f"CUSTOMER_CASES#{query.customer_id}", "", None)], True
        if query.order_id:
            return "gsi3", [(f"ORDER_CASES#{query.order_id}", "", None)], True
        priorities = [query.priority] if query.priority else _PRIORITIES
        segments: list[tuple[str, str, str | None]] = []
        for status in query.statuses:
            for priority in priorities:
                high = f"{priority}#{query.overdue_at}" if query.overdue_at else f"{priority}#~"
                segments.append((f"COMPLAINTS#{status}", f"{priority}#", high))
        return "gsi2", segments, False

    def _keep(self, case: ComplaintRecord, query: ComplaintQuery) -> bool:
        return (
            (not query.statuses or case.status.value in query.statuses)
            and (query.priority is None or case.priority.value == query.priority)
            and (query.assignee is None or case.assignee == query.assignee)
            and (query.order_id is None or case.order_id == query.order_id)
            and (query.customer_id is None or case.customer_id == query.customer_id)
            and (query.overdue_at is None or case.due_at <= query.overdue_at)
        )

    def complaints(self, query: ComplaintQuery) -> tuple[list[ComplaintRecord], str | None]:
        """A page of cases: Queries on one index (gsi1 a customer's, gsi3 an order's, else the gsi2
        queues, p1 first then by due time), read on from query to query until `limit` keys, then one
        BatchGetItem; the other filters are applied to the page (it may come back short)."""
        index, segments, newest_first = self._segments(query)
        segment: int = 0
        start: dict[str, Any] | None = None
        if query.cursor:
            segment, start = decode_page_cursor(query.cursor, index, len(segments))
        keys: list[dict[str, Any]] = []
        next_cursor: str | None = None
        while segment < len(segments) and len(keys) < query.limit:
            partition, low, high = segments[segment]
            condition = f"{index}pk = :pk"
            values: dict[str, Any] = {":pk": {"S": partition}}
            if high is not None:
                condition += f" AND {index}sk BETWEEN :low AND :high"
                values.update({":low": {"S": low}, ":high": {"S": high}})
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": index,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values,
                "Limit": query.limit - len(keys),
                "ScanIndexForward": not newest_first,
            }
            if start:
                request["ExclusiveStartKey"] = start
            response = self._client.query(**request)
            keys.extend({"pk": item["pk"], "sk": item["sk"]} for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if start:
                next_cursor = encode_page_cursor(segment, start)
                if len(keys) >= query.limit:
                    break
                continue
            segment, next_cursor = segment + 1, None
            if segment < len(segments) and len(keys) >= query.limit:
                next_cursor = f"{segment}."  # the next query, from its start
        records = (
            ComplaintRecord.model_validate(from_attributes(item))
            for item in batch_get(self._client, self._table, keys)
        )
        found = {case.complaint_id: case for case in records}
        ordered = [found[i] for i in (k["pk"]["S"].removeprefix("COMPLAINT#") for k in keys) if i in found]
        # the indexes follow the table asynchronously: a case that left the filter since is left out
        return [c for c in ordered if self._keep(c, query)], next_cursor

    def _all(self, query: ComplaintQuery) -> list[ComplaintRecord]:
        found: list[ComplaintRecord] = []
        cursor: str | None = None
        while True:
            page, cursor = self.complaints(
                ComplaintQuery(
                    statuses=query.statuses,
                    customer_id=query.customer_id,
                    order_id=query.order_id,
                    overdue_at=query.overdue_at,
                    limit=100,
                    cursor=cursor,
                )
            )
            found.extend(page)
            if cursor is None:
                return found

    def complaints_of_customer(self, customer_id: str) -> list[ComplaintRecord]:
        return self._all(ComplaintQuery(statuses=(), customer_id=customer_id))

    def complaints_of_order(self, order_id: str) -> list[ComplaintRecord]:
        return self._all(ComplaintQuery(statuses=(), order_id=order_id))

    # overdue ------------------------------------------------------------------------------------

    def due_complaints(self, now: str, limit: int) -> list[ComplaintRecord]:
        """Active cases due before `now` not flagged yet: the gsi2 queues of the active statuses,
        each priority's range up to `now` (flagged ones are read and skipped)."""
        query = ComplaintQuery(statuses=tuple(s.value for s in ACTIVE_STATUSES), overdue_at=now + "~")
        due = [c for c in self._all(query) if not c.overdue]
        return sorted(due, key=lambda c: (c.due_at, c.complaint_id))[:limit]

    def _flag(self, complaint: ComplaintRecord, value: bool) -> bool:
        statuses = {f":s{i}": {"S": s.value} for i, s in enumerate(ACTIVE_STATUSES)}
        condition = f"#status IN ({', '.join(statuses)})"
        if value:
            condition += " AND (attribute_not_exists(overdue) OR overdue = :false)"
        try:
            self._client.update_item(
                TableName=self._table,
                Key=complaint_key(complaint.complaint_id),
                UpdateExpression="SET overdue = :value",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":value": {"BOOL": value},
                    **statuses,
                    **({":false": {"BOOL": False}} if value else {}),
                },
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != _FAILED:
                raise
            return False
        return True

    def mark_overdue(self, complaint: ComplaintRecord) -> bool:
        return self._flag(complaint, True)

    def unmark_overdue(self, complaint: ComplaintRecord) -> None:
        self._flag(complaint, False)
