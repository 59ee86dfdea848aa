"""When a notification message that must be retried comes back, and when to stop."""

from __future__ import annotations

MAX_VISIBILITY_SECONDS = 900


def backoff_seconds(attempt: int, base_seconds: int) -> int:
    """Delay before attempt `attempt + 1`: base, 2x base, 4x base... at most 15 minutes."""
    if base_seconds <= 0:
        return 0
    return min(MAX_VISIBILITY_SECONDS, base_seconds * 2 ** max(0, attempt - 1))


def is_last_attempt(attempt: int, max_receive_count: int) -> bool:
    """SQS would move the message to the dead-letter queue instead of delivering it again."""
    return attempt >= max_receive_count
