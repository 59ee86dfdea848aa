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
