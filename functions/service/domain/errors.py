"""Typed errors of customer service; `shared.http_api` maps them (by class attributes) to HTTP."""

from __future__ import annotations

from typing import Any

from shared.errors import Conflict, DomainError, NotFound


class LinkNotFound(NotFound):
    """Unknown, malformed or tampered link: says nothing more."""

    code = "link_not_found"

    def __init__(self) -> None:
        super().__init__("This link is not valid.")


class LinkExpired(DomainError):
    code = "link_expired"
    http_status = 410

    def __init__(self, message: str = "This link has expired.", details: Any = None) -> None:
        super().__init__(message, details=details)


class IllegalStatusChange(Conflict):
    code = "illegal_transition"

    def __init__(self, kind: str, item_id: str, current: str, requested: str) -> None:
        super().__init__(
            f"The {kind} {item_id} is {current}; it cannot become {requested}.",
            details={f"{kind}_id": item_id, "current_status": current, "requested_status": requested},
        )
        self.current = current


class ReturnNotAllowed(Conflict):
    code = "return_not_allowed"


class ReturnQuantityExceeded(Conflict):
    code = "return_quantity_exceeded"


class CaseAlreadyOpenConflict(Conflict):
    """A case cannot be reopened while another case of its order and category is open."""

    code = "case_already_open"
