"""Which SES/SNS failures are worth retrying, decided by error code and HTTP status (never by
matching message text). The provider's message is dropped: it may contain the recipient."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from notifications.domain.errors import DeliveryRejected, DeliveryUnavailable

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
