"""Path and header parameters more than one storefront router declares."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from orders.models.api import ORDER_ID_PATTERN

OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN, description="Order id returned at creation.")]

IDEMPOTENCY_KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # 1-255 visible ASCII characters


def idempotency_key(description: str) -> Any:
    """A required `Idempotency-Key` header (documented as required; missing or malformed is a 422)."""
    return Annotated[
        str, Header(alias="idempotency-key", pattern=IDEMPOTENCY_KEY_PATTERN, description=description)
    ]


IdempotencyKey = idempotency_key(
    "Unique per attempt; a retry with the same key and body returns the original response."
)
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="idempotency-key",
        pattern=IDEMPOTENCY_KEY_PATTERN,
        description="Optional; a retry with the same key returns the original response.",
    ),
]
