"""Listing the stored operations alerts (`shared.alert_log`): newest first, back to `since`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from shared.alert_log import StoredAlert
from shared.clock import Clock
from shared.errors import ValidationFailed

KEPT_FOR = timedelta(days=92)
"""Alerts expire 90 days after they were raised (TTL); `since` is never taken further back than
this, so a listing reads four monthly partitions at most."""


class AlertLog(Protocol):
    def newest(
        self, since: datetime, limit: int, cursor: str | None
    ) -> tuple[list[StoredAlert], str | None]: ...


def parse_since(text: str | None) -> datetime | None:
    """`since` as ISO 8601 (its shape checked at the edge); a date that does not exist is a 422."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(
            "Invalid request: query.since.",
            details=[{"field": "query.since", "issue": "not a valid time", "type": "value_error"}],
        ) from None


def alerts_since(
    since: datetime | None, limit: int, cursor: str | None, log: AlertLog, clock: Clock
) -> tuple[list[StoredAlert], str | None]:
    """Alerts raised at or after `since` (naive times are UTC; default and earliest: `KEPT_FOR`
    ago), newest first, `limit` per page."""
    oldest = clock.now() - KEPT_FOR
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return log.newest(max(since or oldest, oldest), limit, cursor)
