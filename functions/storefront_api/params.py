"""Path parameters more than one storefront router declares."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from orders.models.api import ORDER_ID_PATTERN

OrderId = Annotated[str, Path(pattern=ORDER_ID_PATTERN, description="Order id returned at creation.")]
