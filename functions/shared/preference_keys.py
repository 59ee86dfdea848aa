"""Where a customer's notification preferences are kept in the single table (docs/data-model.md):
pk `CUSTOMER#<customer_id>`, sk `PREFERENCES`. Written by the notifications capability; read also by
pages that tell the customer a time in their preferred zone (`shared.customer_time`)."""

from __future__ import annotations

from typing import Any

PREFERENCES_SK = "PREFERENCES"
PREFERENCES_ENTITY = "preferences"


def preferences_key(customer_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"CUSTOMER#{customer_id}"}, "sk": {"S": PREFERENCES_SK}}
