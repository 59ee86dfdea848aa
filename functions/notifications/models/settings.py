"""Environment of the notification worker, validated once at cold start."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Json

from notifications.domain.policy import NotificationPolicy, default_policy
from shared.brand import DEV_BRAND, Brand
from shared.settings import FunctionSettings


class NotificationSettings(FunctionSettings):
    orders_table_name: Annotated[str, Field(min_length=1)]
    idempotency_table_name: Annotated[
        str,
        Field(
            min_length=1,
            description="Read only: delivery records written before they moved to the log entries "
            "(kept 14 days).",
        ),
    ]
    sender_email: Annotated[str, Field(min_length=3, description="SES-verified From address.")]
    sms_sender_id: Annotated[
        str, Field(pattern=r"^[A-Za-z0-9-]{0,11}$", description="Empty: no sender id.")
    ] = ""
    tracking_base_url: Annotated[
        str, Field(description="Links are `<base>/track/<token>`; empty: messages carry no link.")
    ] = ""
    link_signing_secret_arn: Annotated[str, Field(description="Empty: messages carry no link.")] = ""
    notification_policy: Json[NotificationPolicy] = Field(
        default_factory=default_policy
    )  # built on first use
    collapse_window_seconds: Annotated[
        int | None, Field(ge=0, le=900, description="Overrides the policy's window (local runs).")
    ] = None
    notification_queue_url: Annotated[str, Field(description="Where due deliveries are scheduled.")] = ""
    notification_dlq_url: Annotated[str, Field(description="Where exhausted messages go, with a reason.")] = (
        ""
    )
    max_receive_count: Annotated[int, Field(ge=1, description="The queue's redrive maxReceiveCount.")] = 5
    retry_base_seconds: Annotated[int, Field(ge=0, le=900, description="First retry delay; doubles.")] = 30
    ses_configuration_set: str = ""
    ses_confirmation_seconds: Annotated[
        int,
        Field(
            ge=1,
            le=600,
            description="How long a claim waits for SES's Send event after SendEmail's answer was lost.",
        ),
    ] = 60  # notifications.adapters.delivery_confirmations.CONFIRMATION_SECONDS
    brand: Json[Brand] = Field(
        default_factory=lambda: DEV_BRAND,
        description="`BRAND`: the merchant every message speaks for (shared.brand); the dev brand when unset.",
    )
    powertools_metrics_namespace: str = "ordertrack"

    def policy(self) -> NotificationPolicy:
        if self.collapse_window_seconds is None:
            return self.notification_policy
        return self.notification_policy.model_copy(
            update={"collapse_window_seconds": self.collapse_window_seconds}
        )
