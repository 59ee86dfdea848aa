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


class DeliveryOutcomeUnknown(RetryableError):
    """The request reached the provider but its answer was lost (a read timeout, a connection closed
    mid-answer): the message may have been accepted. Never retried in process; the delivery's claim
    is kept for `confirm_within_seconds` when the provider will confirm an accepted message (SES's
    `Send` event), so the retry completes it from that word instead of sending again; with 0 (SMS: no
    such word) the claim is withdrawn and the retry sends."""

    def __init__(self, code: str, confirm_within_seconds: int = 0) -> None:
        super().__init__("delivery outcome unknown: " + code)
        self.code = code
        self.confirm_within_seconds = confirm_within_seconds

    @property
    def retry_after_seconds(self) -> int:
        """Come back once the provider's word had time to arrive (and the kept claim has lapsed)."""
        return self.confirm_within_seconds + 1 if self.confirm_within_seconds else 0


class DeliveryInProgress(RetryableError):
    """Another invocation is delivering the same (event, channel) right now: retry later, never send twice."""

    def __init__(self) -> None:
        super().__init__("the same delivery is in progress elsewhere")


class NotificationsPending(RetryableError):
    """Some channels of a notification must be retried; the others are done and will not repeat."""

    def __init__(self, reasons: Mapping[str, str], retry_after_seconds: int = 0) -> None:
        """`retry_after_seconds`: the earliest useful retry (0: the usual backoff)."""
        self.reasons = {str(channel): reason for channel, reason in sorted(reasons.items())}
        self.channels = list(self.reasons)
        self.retry_after_seconds = retry_after_seconds
        super().__init__("; ".join(f"{channel}: {reason}" for channel, reason in self.reasons.items()))
