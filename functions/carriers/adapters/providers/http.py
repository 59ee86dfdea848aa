"""One HTTP exchange with a provider, retried in-process on what is worth retrying.

429, 5xx, timeouts and refused connections are retried `attempts` times with full-jitter
exponential backoff (a `Retry-After` is honoured up to `max_delay`); what still fails raises
`ProviderUnavailable`, and the registration queue redelivers the job later. Other answers are
returned to the adapter, which reads the provider's own error format. Nothing here logs a key,
a phone number or a body.
"""

from __future__ import annotations

import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from carriers.domain.register_tracking import ProviderUnavailable
from shared.observability import logger

RETRYABLE = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


Transport = Callable[[urllib.request.Request, float], Reply]


def urllib_transport(request: urllib.request.Request, timeout: float) -> Reply:
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            return Reply(response.status, response.read(), dict(response.headers.items()))
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read(), dict(error.headers.items()) if error.headers else {})


@dataclass
class ProviderHttp:
    provider: str
    base_url: str
    timeout: float = 8.0
    attempts: int = 3
    backoff: float = 0.25
    max_delay: float = 5.0
    transport: Transport = urllib_transport
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        scheme, _, rest = self.base_url.partition("://")
        local = rest.startswith(("127.0.0.1", "localhost"))
        if scheme != "https" and not (scheme == "http" and local):
            raise ValueError(f"{self.provider}: the API URL must be https (http only on loopback)")

    def request(
        self, method: str, path: str, *, headers: Mapping[str, str], body: bytes | None = None
    ) -> Reply:
        url = self.base_url.rstrip("/") + path
        last = "no attempt"
        retry_after: float | None = None
        for attempt in range(self.attempts):
            if attempt:
                ceiling = min(self.max_delay, self.backoff * 2 ** (attempt - 1))
                self.sleep(min(self.max_delay, retry_after) if retry_after else self.rng.uniform(0, ceiling))
            request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))  # noqa: S310
            try:
                reply = self.transport(request, self.timeout)
            except TimeoutError:
                last, retry_after = "timeout", None
                continue
            except (urllib.error.URLError, ConnectionError, OSError) as error:
                last, retry_after = f"connection failed ({type(error).__name__})", None
                continue
            if reply.status not in RETRYABLE:
                return reply
            last = f"HTTP {reply.status}"
            retry_after = _seconds(reply.headers)
        logger.warning("provider unavailable", provider=self.provider, path=path.split("?")[0], detail=last)
        raise ProviderUnavailable(self.provider, last, retry_after)


def _seconds(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
