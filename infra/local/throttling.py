"""A stage's throttles, as API Gateway HTTP APIs apply them: a token bucket per route key.

The stage's ``DefaultRouteSettings`` (``ThrottlingRateLimit`` requests per second refilled,
``ThrottlingBurstLimit`` tokens at most) apply to every route that ``RouteSettings`` does not name;
a route ``RouteSettings`` names (by its route key, e.g. ``POST /v1/webhooks/{provider}``) uses its
own limits, a limit it leaves out falling back to the default one. A request that finds its
route's bucket empty is answered ``429 {"message":"Too Many Requests"}`` before any authorizer or
integration runs. A route with no limit at all is not throttled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

TOO_MANY_REQUESTS = {"message": "Too Many Requests"}


@dataclass(frozen=True)
class Limits:
    rate: float | None = None
    burst: int | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None, fallback: Limits | None = None) -> Limits:
        settings = settings or {}
        fallback = fallback or cls()
        rate = settings.get("ThrottlingRateLimit")
        burst = settings.get("ThrottlingBurstLimit")
        return cls(
            float(rate) if rate is not None else fallback.rate,
            int(burst) if burst is not None else fallback.burst,
        )

    @property
    def unlimited(self) -> bool:
        return self.rate is None and self.burst is None


class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` per second; a request takes one."""

    def __init__(self, limits: Limits, now: float) -> None:
        self.rate = limits.rate if limits.rate is not None else float("inf")
        self.capacity = float(limits.burst) if limits.burst is not None else max(self.rate, 1.0)
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: float) -> bool:
        elapsed = max(0.0, now - self.updated)
        self.updated = now
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class StageThrottle:
    """The throttles of one stage, read from its ``AWS::ApiGatewayV2::Stage`` properties."""

    def __init__(
        self,
        default: Limits,
        routes: Mapping[str, Limits],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.default = default
        self.routes = dict(routes)
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_stage(
        cls, properties: Mapping[str, Any], clock: Callable[[], float] = time.monotonic
    ) -> StageThrottle:
        default = Limits.from_settings(properties.get("DefaultRouteSettings"))
        routes = {
            str(route_key): Limits.from_settings(settings, default)
            for route_key, settings in (properties.get("RouteSettings") or {}).items()
        }
        return cls(default, routes, clock)

    def limits_of(self, route_key: str) -> Limits:
        return self.routes.get(route_key, self.default)

    def allow(self, route_key: str) -> bool:
        """Take a token from the route's bucket; ``False``: the request is throttled (429)."""
        limits = self.limits_of(route_key)
        if limits.unlimited:
            return True
        with self._lock:
            now = self._clock()
            bucket = self._buckets.get(route_key)
            if bucket is None:
                bucket = self._buckets[route_key] = TokenBucket(limits, now)
            return bucket.take(now)
