"""Typed errors of the statistics capability (mapped to HTTP in `shared.http_api`)."""

from __future__ import annotations

from shared.errors import DomainError


class InvalidStatsRange(DomainError):
    """`from` / `to` are not a valid range of UTC days."""

    code = "validation_failed"
    http_status = 422

    def __init__(self, field: str, issue: str) -> None:
        super().__init__(
            f"Invalid request: {field}.", details=[{"field": field, "issue": issue, "type": "value_error"}]
        )
