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
from shared.dynamo import decode_cursor, encode_cursor, from_attributes
from shared.month_partitions import months_back, newest_first

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
        months = months_back(
            datetime.combine(query.last, time(), UTC), datetime.combine(query.first, time(), UTC)
        )
        items, last_key = newest_first(
            self._client,
            [PARTITION_PREFIX + month for month in months],
            lambda partition: self._request(partition, query),
            partition_key="gsi3pk",
            key_names=_CURSOR_KEYS,
            limit=query.limit,
            start=decode_cursor(query.cursor, _CURSOR_KEYS) if query.cursor else None,
        )
        return [FeedbackRecord.model_validate(from_attributes(item)) for item in items], encode_cursor(
            last_key
        )

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
        }
        if query.max_rating is not None:
            request["FilterExpression"] = "rating <= :max_rating"
            values[":max_rating"] = {"N": str(query.max_rating)}
        return request
