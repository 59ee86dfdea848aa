"""Which SES/SNS failures are worth retrying, decided by error code and HTTP status (never by
matching message text). The provider's message is dropped: it may contain the recipient.

`call_provider` makes the calls, on a client without botocore's own retries (`shared.aws_clients.
provider_client`): botocore's standard mode retries a read timeout and a connection closed
mid-answer too, and for `SendEmail` or `Publish` such a retry sends a second message when the first
had been accepted. Here a refusal the provider answered (throttling, 5xx) and a request that never
left (no connection) are retried in process, as botocore would; a request whose answer was lost is
not, unless the call is a read: it raises `DeliveryOutcomeUnknown`."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
)

from notifications.domain.errors import DeliveryOutcomeUnknown, DeliveryRejected, DeliveryUnavailable
from shared.transient import Backoff

T = TypeVar("T")

PROVIDER_ATTEMPTS = 3
PROVIDER_BACKOFF = Backoff(base_seconds=0.1, cap_seconds=1.0)
"""As botocore's standard mode: 3 attempts in all, full jitter (its base is 1 s, capped at 20 s;
shorter here, the worker has more messages to send)."""

ANSWER_LOST = (HTTPClientError,)
"""The request was sent and the answer never came: botocore's `ReadTimeoutError` and
`ConnectionClosedError` (and the rest of `HTTPClientError`). A connect timeout or a refused
connection (`ConnectionError`) means the request never reached the provider."""


THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "Throttled", "TooManyRequestsException", "RequestLimitExceeded"}
)
"""SES v1/v2 and SNS names for "slow down" (v2 `SendEmail` answers 429 `TooManyRequestsException`)."""


def _answered_retry(error: ClientError) -> bool:
    """The provider answered and refused for now (throttling, 5xx): retried as botocore would."""
    code = str(error.response.get("Error", {}).get("Code", ""))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return code in THROTTLING_CODES or status == 429 or status >= 500


def call_provider(
    call: Callable[[], T],
    *,
    read_only: bool = False,
    confirm_within_seconds: int = 0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()` with the retries that cannot send a message twice. `read_only`: a lost answer is
    retried too (a lookup); else it raises `DeliveryOutcomeUnknown(confirm_within_seconds)`."""
    for attempt in range(1, PROVIDER_ATTEMPTS + 1):
        try:
            return call()
        except ANSWER_LOST as error:
            if not read_only:
                raise DeliveryOutcomeUnknown(type(error).__name__, confirm_within_seconds) from None
            failure: DeliveryRejected | DeliveryUnavailable = DeliveryUnavailable(type(error).__name__)
            again = True
        except ClientError as error:
            failure, again = delivery_error(error), _answered_retry(error)
        except BotoCoreError as error:  # the request never left: no connection, no credentials, ...
            failure, again = delivery_error(error), isinstance(error, ConnectionError)
        if not again or attempt == PROVIDER_ATTEMPTS:
            raise failure
        sleep(PROVIDER_BACKOFF.delay(attempt))
    raise AssertionError("unreachable")


# Refusals of this message or recipient (bad number, rejected content): retrying cannot help.
# `BadRequestException` is SES v2's answer to a request it cannot take (its v1 InvalidParameterValue).
PERMANENT_CODES = frozenset(
    {"MessageRejected", "InvalidParameter", "InvalidParameterValue", "BadRequestException"}
)


def delivery_error(error: ClientError | BotoCoreError) -> DeliveryRejected | DeliveryUnavailable:
    """Throttling, 5xx and connection failures are retryable. So is anything unexpected (for example
    AccessDenied or a paused account): those are configuration problems, and a retried message ends
    in the dead-letter queue where it can be redriven once fixed, instead of being lost."""
    if isinstance(error, BotoCoreError):
        return DeliveryUnavailable(type(error).__name__)
    code = str(error.response.get("Error", {}).get("Code", "Unknown"))
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in PERMANENT_CODES and status < 500:
        return DeliveryRejected(code)
    return DeliveryUnavailable(code)
