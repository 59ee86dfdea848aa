"""Transient failures (a transaction conflict, throttling) are retried in process with jittered
exponential backoff a few times; only then does the message go back to its queue, with a
visibility of seconds (`shared.short_retries.ShortRetryBatchProcessor`) rather than the queue's full visibility
timeout, which is six times the function's timeout.

Backoff is AWS's "full jitter": attempt n waits a uniformly random time in [0, min(cap, base *
2^(n-1))]. Sleep and randomness are injected, so unit tests neither sleep nor guess.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from shared.errors import RetryableError

T = TypeVar("T")

THROTTLING_ERROR_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
"""DynamoDB's throttling errors (left once botocore's own retries are spent)."""

TRANSIENT_ERROR_CODES = THROTTLING_ERROR_CODES | {"TransactionInProgressException", "InternalServerError"}
"""Throttling, a transaction on the same items still running, and DynamoDB's own internal error:
all documented as safe to retry (docs: DynamoDB error handling, TransactWriteItems errors)."""

TRANSIENT_CANCELLATION_REASONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
"""Reasons of a cancelled transaction that a retry resolves (docs: TransactWriteItems errors)."""


@dataclass(frozen=True)
class Backoff:
    base_seconds: float
    cap_seconds: float

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))] for attempt 1, 2, ..."""
        return rand() * min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempt - 1))


IN_PROCESS_ATTEMPTS = 4
IN_PROCESS_BACKOFF = Backoff(base_seconds=0.025, cap_seconds=0.4)
"""Four attempts within about half a second at worst: a conflict on one item lasts milliseconds."""

QUEUE_BACKOFF = Backoff(base_seconds=2, cap_seconds=60)
"""Visibility of a message handed back after its in-process retries: 2 s doubling per receive, at
most a minute, jittered; at least 1 s."""


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore `ClientError`, else the exception's class name."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(error).__name__)
    return type(error).__name__


def is_transient(error: Exception) -> bool:
    """A botocore `ClientError` that a retry resolves: throttling, or a transaction cancelled only
    by conflicts or throttling (a `ConditionalCheckFailed` among the reasons is a real refusal)."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return False
    code = response.get("Error", {}).get("Code", "")
    if code in TRANSIENT_ERROR_CODES:
        return True
    if code != "TransactionCanceledException":
        return False
    reasons = [reason.get("Code", "None") for reason in response.get("CancellationReasons") or []]
    return "ConditionalCheckFailed" not in reasons and (
        not reasons or any(reason in TRANSIENT_CANCELLATION_REASONS for reason in reasons)
    )


def retry_transient(
    call: Callable[[], T],
    *,
    attempts: int = IN_PROCESS_ATTEMPTS,
    backoff: Backoff = IN_PROCESS_BACKOFF,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
) -> T:
    """`call()`, retried while it raises `RetryableError`, at most `attempts` times in all; the last
    error goes up (to be handed back to the queue)."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except RetryableError:
            if attempt == attempts:
                raise
            sleep(backoff.delay(attempt, rand))
    raise AssertionError("unreachable")


def visibility_seconds(
    receive_count: int, backoff: Backoff = QUEUE_BACKOFF, rand: Callable[[], float] = random.random
) -> int:
    """The visibility timeout of a message handed back after its `receive_count`-th receive."""
    return max(1, round(backoff.delay(max(1, receive_count), rand)))
