"""The survey answers by submission time, for analysis (`GET /v1/feedback`): gsi3, sparse.

    feedback item   gsi3pk FEEDBACK#<YYYY-MM>   gsi3sk <submitted_at>#<order_id>

One partition per month of submission (a range of at most 92 days reads 4 of them, one `Query`
each and more only for long pages, never a scan); the sort key orders a month's answers by time.
gsi3 projects every attribute, so a page needs no second read and `max_rating` is a filter on the
index itself. The keys are written with every `Put` of the item (`feedback_item`): an edit rewrites
them (an answer keeps its `submitted_at`, hence its place) along with its rating and comment.
Answers stored before these keys existed are not in the index until their next write.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from service.domain.feedback_list import FeedbackListQuery
from service.models.records import FeedbackRecord
from shared.alert_log import months_back
from shared.dynamo import decode_cursor, encode_cursor, from_attributes

INDEX = "gsi3"
PARTITION_PREFIX = "FEEDBACK#"
_CURSOR_KEYS = {"pk", "sk", "gsi3pk", "gsi3sk"}


def feedback_index_keys(order_id: str, submitted_at: str) -> dict[str, str]:
    return {"gsi3pk": f"{PARTITION_PREFIX}{submitted_at[:7]}", "gsi3sk": f"{submitted_at}#{order_id}"}


class DynamoFeedbackList:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table = table_name
        self._client = client

    def answers(self, query: FeedbackListQuery) -> tuple[list[FeedbackRecord], str | None]:
        """Answers submitted on the days `query.first`..`query.last`, newest first."""
        start = decode_cursor(query.cursor, _CURSOR_KEYS) if query.cursor else None
        newest = datetime.combine(query.last, time(), UTC)
        oldest = datetime.combine(query.first, time(), UTC)
        found: list[FeedbackRecord] = []
        last_key: dict[str, Any] | None = None
        for month in months_back(newest, oldest):
            partition = PARTITION_PREFIX + month
            if start is not None and partition > start["gsi3pk"]["S"]:
                continue  # months the earlier pages finished
            request = self._request(partition, query)
            if start is not None and partition == start["gsi3pk"]["S"]:
                request["ExclusiveStartKey"] = start
            while len(found) < query.limit:
                request["Limit"] = query.limit - len(found)
                response = self._client.query(**request)
                for item in response.get("Items", []):
                    found.append(FeedbackRecord.model_validate(from_attributes(item)))
                    last_key = {name: item[name] for name in _CURSOR_KEYS}
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
            if len(found) >= query.limit:
                return found, encode_cursor(last_key)
        return found, None

    def _request(self, partition: str, query: FeedbackListQuery) -> dict[str, Any]:
        values: dict[str, Any] = {
            ":pk": {"S": partition},
            ":first": {"S": query.first.isoformat()},
            ":last": {"S": query.last.isoformat() + "~"},
        }
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": INDEX,
            "KeyConditionExpression": "gsi3pk = :pk AND gsi3sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if query.max_rating is not None:
            request["FilterExpression"] = "rating <= :max_rating"
            values[":max_rating"] = {"N": str(query.max_rating)}
        return request
