"""Typed errors of the return actions (mapped to HTTP by their class attributes)."""

from __future__ import annotations

from shared.errors import Conflict, DomainError


class ReceiptMismatch(Conflict):
    """The received lines are not the return's: another SKU, or more (or fewer) units."""

    code = "receipt_mismatch"


class RefundNotAllowed(Conflict):
    """An exchange is not refunded: its items are replaced."""

    code = "refund_not_allowed"


class RefundAboveComputed(DomainError):
    """A refund above the amount computed on approval, or a partial refund without its reason."""

    code = "refund_amount_invalid"
    http_status = 422


class ReturnStockMissing(Conflict):
    """A returned SKU has no stock item to restock (or count as damaged)."""

    code = "unknown_sku"
