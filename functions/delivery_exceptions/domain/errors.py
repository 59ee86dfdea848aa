"""Typed errors of delivery-exception work (mapped to HTTP in `shared.http_api`)."""

from __future__ import annotations

from shared.errors import Conflict, ValidationFailed


class ExceptionClosed(Conflict):
    """An action on a resolved exception."""

    code = "illegal_transition"

    def __init__(self, exception_id: str, current: str, requested: str) -> None:
        super().__init__(
            f"The exception {exception_id} is {current}; it cannot take the action {requested}.",
            details={"exception_id": exception_id, "current_status": current, "requested_action": requested},
        )


class RefundNotAllowed(ValidationFailed):
    """A refund of nothing, of more than the order's total (less what was refunded already), or in
    another currency than the order's."""

    code = "refund_not_allowed"


class InvalidDueTime(ValidationFailed):
    code = "validation_failed"
