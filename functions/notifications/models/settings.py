"""Environment of the notification worker, validated once at cold start."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import FunctionSettings


class NotificationSettings(FunctionSettings):
    orders_table_name: Annotated[str, Field(min_length=1)]
    idempotency_table_name: Annotated[str, Field(min_length=1)]
    sender_email: Annotated[str, Field(min_length=3, description="SES-verified From address.")]
    sms_sender_id: Annotated[
        str, Field(pattern=r"^[A-Za-z0-9-]{0,11}$", description="Empty: no sender id.")
    ] = ""
    tracking_base_url: Annotated[str, Field(description="`<base>/<order_id>` is linked; empty: no link.")] = (
        ""
    )
    powertools_metrics_namespace: str = "ordertrack"
