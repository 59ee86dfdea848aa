"""Environment of the tracking-page function, validated once at cold start."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import FunctionSettings


class TrackingPageSettings(FunctionSettings):
    orders_table_name: Annotated[str, Field(min_length=1)]
    link_signing_secret_arn: Annotated[
        str, Field(min_length=1, description="Secret with the keys that sign tracking links.")
    ]
    notification_queue_url: Annotated[
        str, Field(description="Where returns tell the customer; empty: the page offers no forms.")
    ] = ""
    customer_service_rules: Annotated[
        str, Field(description="JSON of service.domain.rules.ServiceRules (the return window).")
    ] = "{}"
