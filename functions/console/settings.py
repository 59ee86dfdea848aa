"""Environment of the operations console function, validated once at cold start."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from shared.settings import FunctionSettings


class ConsoleSettings(FunctionSettings):
    orders_table_name: Annotated[str, Field(min_length=1)]
    link_signing_secret_arn: Annotated[
        str, Field(min_length=1, description="Keys of the forms' CSRF tokens.")
    ]
    console_user_pool_id: Annotated[str, Field(min_length=1)]
    console_client_id: Annotated[str, Field(min_length=1)]
    aws_region: Annotated[str, Field(min_length=1)] = "eu-west-1"
    aws_endpoint_url: Annotated[
        str, Field(description="Locally the moto server, which also serves the pool's JWKS.")
    ] = ""
    notification_queue_url: Annotated[
        str, Field(description="Customer messages of the console's actions (case replies, refunds).")
    ] = ""
    customer_service_rules: Annotated[
        str, Field(description="service.domain.rules.ServiceRules as JSON.")
    ] = "{}"
    hold_rules: Annotated[str, Field(description="orders.domain.hold_rules.HoldRules as JSON.")] = ""
    contact_lookup_secret_arn: Annotated[
        str, Field(description="The key of the phone and email lookups (search).")
    ] = ""
    console_phone_regions: Annotated[
        str,
        Field(
            pattern=r"^([A-Z]{2}(,[A-Z]{2})*)?$",
            description="Comma-separated regions whose national phone numbers search reads (CN,US).",
        ),
    ] = "CN"

    @property
    def phone_regions(self) -> tuple[str, ...]:
        return tuple(region for region in self.console_phone_regions.split(",") if region)
