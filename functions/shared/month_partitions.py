"""Reading month partitions newest first, a page at a time: the stored alerts (`ALERTS#<month>`)
and the survey answers (`FEEDBACK#<month>` on gsi3) are both listed this way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any


def months_back(newest: datetime, oldest: datetime) -> Iterator[str]:
    """The months (`YYYY-MM`) from `newest`'s back to `oldest`'s, newest first."""
    year, month = newest.astimezone(UTC).year, newest.astimezone(UTC).month
    stop = (oldest.astimezone(UTC).year, oldest.astimezone(UTC).month)
    while (year, month) >= stop:
        yield f"{year:04d}-{month:02d}"
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def newest_first(
    client: Any,
    partitions: list[str],
    request_for: Callable[[str], dict[str, Any]],
    *,
    partition_key: str,
    key_names: set[str],
    limit: int,
    start: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Up to `limit` items of `partitions` (newest first; each `Query` is `request_for(partition)`
    read backwards), after `start` (the key of the last item of the previous page). Returns the
    items and, when the page is full, the key of its last item (the next page's `start`)."""
    found: list[dict[str, Any]] = []
    for partition in partitions:
        if start is not None and partition > start[partition_key]["S"]:
            continue  # finished by the earlier pages
        request = {**request_for(partition), "ScanIndexForward": False}
        if start is not None and partition == start[partition_key]["S"]:
            request["ExclusiveStartKey"] = start
        while len(found) < limit:
            response = client.query(**request, Limit=limit - len(found))
            found.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        if len(found) >= limit:
            return found, {name: found[-1][name] for name in key_names}
    return found, None
