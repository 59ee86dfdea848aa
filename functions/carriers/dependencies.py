"""Wiring shared by the carriers handlers: what every handler of the capability takes from its environment.

Handlers reach these through the module (`dependencies.clock()`), so a test replaces one by
monkeypatching the attribute and every handler follows."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING

from shared.clock import Clock, SystemClock
from shared.settings import FunctionSettings

if TYPE_CHECKING:  # adapters and domain types are imported on first use, not by every handler's import
    from carriers.domain.delays import DelayPolicy
    from carriers.domain.ports import TrackingStore


def clock() -> Clock:
    """The time source of the capability's handlers: the system clock in Lambda, frozen in tests."""
    return SystemClock()


class TrackingWorkerSettings(FunctionSettings):
    """What the functions that apply tracking updates (webhook worker, tracking-link consumer) read."""

    orders_table_name: str
    stalled_after_hours: int = 48
    pre_registration_window_days: int = 30
    registration_queue_url: str = ""  # the worker only: Kuaidi100 `abort` pushes queue a resubscription
    kuaidi100_resubscribe_after_seconds: int = 1800  # Kuaidi100: subscribe again ~30 min after an abort


@cache
def worker_settings() -> TrackingWorkerSettings:
    return TrackingWorkerSettings()  # type: ignore[call-arg]


@cache
def default_store() -> TrackingStore:
    from carriers.adapters.dynamo_tracking import DynamoTrackingStore
    from shared.aws_clients import aws_client

    return DynamoTrackingStore(worker_settings().orders_table_name, aws_client("dynamodb"))


@cache
def delay_policy() -> DelayPolicy:
    from carriers.domain.delays import DelayPolicy

    settings = worker_settings()
    return DelayPolicy(
        stalled_after=timedelta(hours=settings.stalled_after_hours),
        pre_registration_window=timedelta(days=settings.pre_registration_window_days),
    )
