"""Delivery exceptions in the orders table.

    pk EXCEPTION#<exception_id>  sk EXCEPTION  entity delivery_exception
    gsi3 EXCEPTIONS#active | EXCEPTIONS#resolved / <due_at>#<exception_id>   the queue, by due time
    gsi2 EXCEPTION_DUE / <due_at>#<exception_id>   only while unresolved and not alerted overdue

gsi3 projects every attribute (infra.table_indexes), so the queue's filters (status, reason,
assignee) are a FilterExpression of the same Query; gsi2 holds keys only, so the overdue sweep reads
its few items with one BatchGetItem.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import ClientError

from delivery_exceptions.domain.ports import ExceptionQuery
from delivery_exceptions.models.records import ExceptionRecord, ExceptionStatus
from shared.dynamo import batch_get, decode_cursor, encode_cursor, from_attributes, to_attributes

SK = "EXCEPTION"
ENTITY = "delivery_exception"
ACTIVE, RESOLVED = "EXCEPTIONS#active", "EXCEPTIONS#resolved"
DUE_PARTITION = "EXCEPTION_DUE"
QUEUE_KEYS = {"pk", "sk", "gsi3pk", "gsi3sk"}
QUERY_PAGE = 100
_INTERNAL = {"pk", "sk", "entity", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk"}


def exception_key(exception_id: str) -> dict[str, Any]:
    return to_attributes({"pk": f"EXCEPTION#{exception_id}", "sk": SK})


def exception_item(exception: ExceptionRecord) -> dict[str, Any]:
    values = exception.model_dump(mode="json")
    position = f"{exception.due_at}#{exception.exception_id}"
    values.update(
        pk=f"EXCEPTION#{exception.exception_id}",
        sk=SK,
        entity=ENTITY,
        gsi3pk=ACTIVE if exception.active else RESOLVED,
        gsi3sk=position,
    )
    if exception.active and exception.overdue_alerted_at is None:
        values.update(gsi2pk=DUE_PARTITION, gsi2sk=position)
    return to_attributes(values)


def _record(item: dict[str, Any]) -> ExceptionRecord:
    values = from_attributes(item)
    return ExceptionRecord.model_validate({k: v for k, v in values.items() if k not in _INTERNAL})


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "ClientError"))


class DynamoExceptionStore:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def exception(self, exception_id: str) -> ExceptionRecord | None:
        item = self._client.get_item(
            TableName=self._table, Key=exception_key(exception_id), ConsistentRead=True
        ).get("Item")
        return _record(item) if item else None

    def open_all(self, exceptions: Sequence[ExceptionRecord]) -> dict[int, str]:
        refused: dict[int, str] = {}
        for index, exception in enumerate(exceptions):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=exception_item(exception),
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as error:
                if _code(error) != "ConditionalCheckFailedException":  # taken: opened already
                    refused[index] = _code(error)
        return refused

    def save(self, exception: ExceptionRecord, expected_version: int) -> bool:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=exception_item(exception),
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":expected": {"N": str(expected_version)}},
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def queue(self, query: ExceptionQuery) -> tuple[list[ExceptionRecord], str | None]:
        resolved = query.status == ExceptionStatus.RESOLVED.value
        names: dict[str, str] = {}
        values: dict[str, Any] = {":queue": {"S": RESOLVED if resolved else ACTIVE}}
        condition = "gsi3pk = :queue"
        if query.overdue is not None:
            condition += " AND gsi3sk < :now" if query.overdue else " AND gsi3sk >= :now"
            values[":now"] = {"S": query.now}
        filters = []
        for name in ("status", "reason", "assignee"):
            value = getattr(query, name)
            if value is not None and not (name == "status" and resolved):
                names[f"#{name}"] = name
                values[f":{name}"] = {"S": value}
                filters.append(f"#{name} = :{name}")
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi3",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "Limit": max(query.limit, QUERY_PAGE) if filters else query.limit,
        }
        if filters:
            request["FilterExpression"] = " AND ".join(filters)
            request["ExpressionAttributeNames"] = names
        if query.cursor:
            request["ExclusiveStartKey"] = decode_cursor(query.cursor, QUEUE_KEYS)
        found: list[dict[str, Any]] = []
        while True:
            response = self._client.query(**request)
            found += response.get("Items") or []
            last = response.get("LastEvaluatedKey")
            if len(found) >= query.limit or not last:
                break
            request["ExclusiveStartKey"] = last
        page = found[: query.limit]
        more = len(found) > query.limit or (last is not None and len(found) == query.limit)
        cursor = encode_cursor({name: page[-1][name] for name in QUEUE_KEYS}) if page and more else None
        return [_record(item) for item in page], cursor

    def due(self, now: str, limit: int) -> list[ExceptionRecord]:
        response = self._client.query(
            TableName=self._table,
            IndexName="gsi2",
            KeyConditionExpression="gsi2pk = :due AND gsi2sk < :now",
            ExpressionAttributeValues={":due": {"S": DUE_PARTITION}, ":now": {"S": now}},
            Limit=limit,
        )
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in response.get("Items") or []]
        items = batch_get(self._client, self._table, keys, consistent=True) if keys else []
        records = [_record(item) for item in items]
        return [r for r in records if r.active and r.overdue_alerted_at is None and r.due_at < now]
