"""Delivery failures, split by what the caller must do about them.

Messages carry provider error codes only, never the recipient: exceptions end up in logs.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.errors import RetryableError


class DeliveryRejected(Exception):
    """The provider refused this message for good (invalid number, rejected content): do not retry."""

    def __init__(self, code: str) -> None:
        super().__init__("delivery rejected by the provider: " + code)
        self.code = code


class DeliveryUnavailable(RetryableError):
    """Throttling, a provider outage, or a configuration problem: retry later (then dead-letter)."""

    def __init__(self, code: str) -> None:
        super().__init__("delivery provider unavailable: " + code)
        self.code = code


class DeliveryInProgress(RetryableError):
    """Another invocation is delivering the same (event, channel) right now: retry later, never send twice."""

    def __init__(self) -> None:
        super().__init__("the same delivery is in progress elsewhere")


class NotificationsPending(RetryableError):
    """Some channels of a notification must be retried; the others are done and will not repeat."""

    def __init__(self, reasons: Mapping[str, str]) -> None:
        self.reasons = {str(channel): reason for channel, reason in sorted(reasons.items())}
        self.channels = list(self.reasons)
        super().__init__("; ".join(f"{channel}: {reason}" for channel, reason in self.reasons.items()))
