"""The work queues of the Today page in the orders table, read through the indexes only (never a
scan); each count is paginated to the end of its partition, so it is exact however long the queue:

review     gsi2 `STATUS#on_hold#<shard>` / `<created_at>#<order_id>` (keys only; `shared.status_index`):
           per shard one Query of the sort keys, ascending, so the first is the shard's oldest
cases      gsi2 `COMPLAINTS#<status>` / `<priority>#<due_at>#<id>` (keys only) for open, in_progress
           and reopened: one paginated Query of the keys per status counts them; the oldest is
           among the first case of each status and priority (the due time is the opening plus the
           priority's hours), read with one BatchGetItem
exceptions gsi3 `EXCEPTIONS#active` / `<due_at>#<id>` (every attribute): one Query of `opened_at`
returns   gsi2 `RETURNS#requested` / `<requested_at>#<id>` (keys only): one Query, ascending
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from console.today_ports import OpenCasesByAssignee, QueueSize
from service.models.records import ACTIVE_STATUSES
from shared.dynamo import batch_get
from shared.status_index import STATUS_INDEX, status_partitions

CASE_STATUSES = tuple(status.value for status in ACTIVE_STATUSES)
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="console-queues")
"""The queues' Queries wait on the network, not the CPU: a page sends them side by side (boto3
clients are thread-safe). Threads start on first use, not at import."""


class DynamoWorkQueues:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def _pages(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        request = {"TableName": self._table, **request}
        while True:
            response = self._client.query(**request)
            yield response
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _sort_keys(self, index: str, partition: str) -> QueueSize:
        """Count the partition's index entries; the oldest is the first sort key's time part."""
        count, oldest = 0, None
        request = {
            "IndexName": index,
            "KeyConditionExpression": "#pk = :pk",
            "ProjectionExpression": "#sk",
            "ExpressionAttributeNames": {"#pk": f"{index}pk", "#sk": f"{index}sk"},
            "ExpressionAttributeValues": {":pk": {"S": partition}},
            "ScanIndexForward": True,
        }
        for page in self._pages(request):
            items = page.get("Items", [])
            if oldest is None and items:
                oldest = items[0][f"{index}sk"]["S"].rpartition("#")[0]
            count += int(page.get("Count", 0))
        return QueueSize(count, oldest)

    def held_orders(self) -> QueueSize:
        partitions = status_partitions("on_hold")
        return _merge(iter(_POOL.map(lambda partition: self._sort_keys(STATUS_INDEX, partition), partitions)))

    def requested_returns(self) -> QueueSize:
        return self._sort_keys("gsi2", "RETURNS#requested")

    def open_exceptions(self) -> QueueSize:
        count, oldest = 0, None
        request = {
            "IndexName": "gsi3",
            "KeyConditionExpression": "gsi3pk = :pk",
            "ProjectionExpression": "opened_at",
            "ExpressionAttributeValues": {":pk": {"S": "EXCEPTIONS#active"}},
        }
        for page in self._pages(request):
            count += int(page.get("Count", 0))
            times = [item["opened_at"]["S"] for item in page.get("Items", []) if "opened_at" in item]
            oldest = min([*times, *([oldest] if oldest else [])], default=None)
        return QueueSize(count, oldest)

    def _case_keys(self, status: str, limit: int, priority: str | None = None) -> list[dict[str, Any]]:
        condition = "gsi2pk = :pk"
        values: dict[str, Any] = {":pk": {"S": f"COMPLAINTS#{status}"}}
        if priority:
            condition += " AND begins_with(gsi2sk, :priority)"
            values[":priority"] = {"S": f"{priority}#"}
        request = {
            "IndexName": "gsi2",
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "Limit": limit,
        }
        keys: list[dict[str, Any]] = []
        for page in self._pages(request):
            keys += [{"pk": item["pk"], "sk": item["sk"]} for item in page.get("Items", [])]
            if len(keys) >= limit:
                break
        return keys[:limit]

    def _case_queue(self, status: str) -> tuple[int, list[dict[str, Any]]]:
        """The status's count and the key of its first case per priority, from one paginated Query
        of the index's keys (sorted by priority, then due time). It reads what a `Select=COUNT`
        Query reads (DynamoDB bills the index entries read either way) and needs no second Query per
        priority for the oldest."""
        count, firsts, seen = 0, [], set()
        request = {
            "IndexName": "gsi2",
            "KeyConditionExpression": "gsi2pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"COMPLAINTS#{status}"}},
        }
        for page in self._pages(request):
            count += int(page.get("Count", 0))
            for item in page.get("Items", []):
                priority = item["gsi2sk"]["S"].partition("#")[0]
                if priority not in seen:
                    seen.add(priority)
                    firsts.append({"pk": item["pk"], "sk": item["sk"]})
        return count, firsts

    def open_cases(self) -> QueueSize:
        counted = list(_POOL.map(self._case_queue, CASE_STATUSES))
        count = sum(number for number, _ in counted)
        if not count:
            return QueueSize(0)
        opened = [
            item["opened_at"]["S"]
            for item in batch_get(self._client, self._table, [key for _, keys in counted for key in keys])
            if item.get("status", {}).get("S") in CASE_STATUSES and "opened_at" in item
        ]
        return QueueSize(count, min(opened, default=None))

    def open_cases_by_assignee(self, limit: int) -> OpenCasesByAssignee:
        keys: list[dict[str, Any]] = []
        for status in CASE_STATUSES:
            keys += self._case_keys(status, limit + 1 - len(keys))
            if len(keys) > limit:
                break
        counts: Counter[str] = Counter()
        for item in batch_get(self._client, self._table, keys[:limit]):
            if item.get("status", {}).get("S") in CASE_STATUSES:  # the index follows the table late
                counts[item.get("assignee", {}).get("S", "")] += 1
        return OpenCasesByAssignee(dict(counts), complete=len(keys) <= limit)


def _merge(sizes: Iterator[QueueSize]) -> QueueSize:
    count, oldest = 0, None
    for size in sizes:
        count += size.count
        if size.oldest_at and (oldest is None or size.oldest_at < oldest):
            oldest = size.oldest_at
    return QueueSize(count, oldest)
