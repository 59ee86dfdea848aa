"""boto3 clients, created lazily once per container and shared by the adapters of a function.

Adapters accept a client argument; handlers pass the cached one, tests pass moto-backed or fake
ones. Nothing is created at import time, so importing a handler stays cheap.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def aws_client(service: str) -> Any:
    import boto3  # deferred: boto3 costs ~0.3 s to import and not every code path needs it
    from botocore.config import Config

    # Requests are built by our adapters from typed models, so botocore's client-side parameter
    # validation only repeats work on the hot path (~0.7 ms per call, measured by `make bench`).
    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=2,
        read_timeout=5,
        parameter_validation=False,
    )
    return boto3.session.Session().client(service, config=config)  # type: ignore[call-overload]


PROVIDER_READ_TIMEOUT_SECONDS = 10


@cache
def provider_client(service: str) -> Any:
    """A client for calls that send a message (SES `SendEmail`, SNS `Publish`): no botocore retries,
    which would repeat a request whose answer was lost, and so send it twice
    (`notifications.adapters.provider_errors.call_provider` retries what is safe to), and a longer
    read timeout than `aws_client`'s, so that a slow answer is waited for rather than lost."""
    import boto3
    from botocore.config import Config

    config = Config(
        # `total_max_attempts` counts the first attempt; botocore's `max_attempts` would not
        retries={"mode": "standard", "total_max_attempts": 1},
        connect_timeout=2,
        read_timeout=PROVIDER_READ_TIMEOUT_SECONDS,
        parameter_validation=False,
    )
    return boto3.session.Session().client(service, config=config)  # type: ignore[call-overload]
