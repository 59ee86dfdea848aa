"""Typed domain errors. They are mapped to HTTP status codes and JSON bodies in one place
(`shared.http_api`), never by matching message strings."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a machine-readable `code`, a human `message` and optional `details`."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidRequest(DomainError):
    code = "invalid_request"
    http_status = 400


class Unauthorized(DomainError):
    code = "unauthorized"
    http_status = 401


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class PayloadTooLarge(DomainError):
    code = "payload_too_large"
    http_status = 413


class ValidationFailed(DomainError):
    """A rule across fields that JSON Schema does not state (documented in the operation)."""

    code = "validation_failed"
    http_status = 422


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"
    http_status = 415


class MalformedJson(InvalidRequest):
    code = "malformed_json"


class UnknownParameter(InvalidRequest):
    code = "unknown_parameter"


class IdempotencyKeyReused(DomainError):
    """The same Idempotency-Key was sent with a different body."""

    code = "idempotency_key_reused"
    http_status = 422


class StockBelowReserved(Conflict):
    code = "stock_below_reserved"


class RetryableError(Exception):
    """A transient failure: the message or record must be retried by its event source."""
