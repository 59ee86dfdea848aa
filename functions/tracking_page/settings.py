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
