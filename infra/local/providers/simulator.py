"""The provider simulator: one HTTP server playing EasyPost, AfterShip, Kuaidi100, 17TRACK and
Shippo's registration APIs, a scheduler that plays each registered number's journey by pushing
signed webhooks to our API, fault injection, and control endpoints. See docs/provider-simulator.md.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from infra.local.faults import PROVIDER_FAULT_KINDS, FaultSpecError, parse
from infra.local.http_server import LocalHTTPServer
from infra.local.providers.aftership import AfterShipApi
from infra.local.providers.base import (
    Answer,
    ProviderApi,
    Push,
    Request,
    RequestHandler,
    Shipment,
    json_answer,
    utc_ms_z,
)
from infra.local.providers.easypost import EasyPostApi
from infra.local.providers.kuaidi100 import Kuaidi100Api
from infra.local.providers.seventeentrack import SeventeenTrackApi
from infra.local.providers.shippo import ShippoApi

PROVIDERS = ("easypost", "aftership", "kuaidi100", "17track", "shippo")
CONTROL = "/_simulator"
BASE_INTERVAL_SECONDS = 3.0
"""Between two pushes of one journey at speed 1 (ORDERTRACK_SIMULATOR_SPEED divides it)."""
RETRIES = 3
RETRY_BACKOFF_SECONDS = 0.2  # doubled at each retry: 0.2, 0.4, 0.8
PUSH_TIMEOUT_SECONDS = 10.0
FAULT_KINDS = PROVIDER_FAULT_KINDS
_LOG = logging.getLogger("ordertrack.local")


def parse_faults(spec: str) -> dict[str, list[tuple[str, float]]]:
    """`provider.<name>=5xx:<rate>` / `provider.<name>=timeout:<rate>` entries of a comma-separated
    fault spec; other entries (`ses.SendEmail=throttle:0.3`, ...) belong to other fakes, but the whole
    spec is validated (`infra.local.faults.parse`), so a typo anywhere is refused here too."""
    faults: dict[str, list[tuple[str, float]]] = {}
    for fault in parse(spec).providers():
        if fault.name not in PROVIDERS:
            raise FaultSpecError(
                f"fault {str(fault)!r}: expected provider.<{'|'.join(PROVIDERS)}>=<5xx|timeout>:<rate 0..1>"
            )
        faults.setdefault(fault.name, []).append((fault.kind, fault.rate))
    return faults


@dataclass
class _Job:
    shipment: Shipment
    advance: bool  # play the journey's next stage before pushing (EasyPost's first push does not)
    attempt: int = 1
    push: Push | None = None  # built at the first attempt, resent as is by the retries


class ProviderSimulator:
    """See docs/provider-simulator.md. `start()` serves on `url`; `stop()` ends serving and pushing."""

    def __init__(
        self,
        webhook_url: Callable[[str], str],
        webhook_secrets: Mapping[str, str],
        api_keys: Mapping[str, str],
        speed: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        timeout_seconds: float = 12.0,
        seed: int | None = None,
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._webhook_url = webhook_url
        self._secrets = dict(webhook_secrets)
        self._keys = dict(api_keys)
        self.interval = BASE_INTERVAL_SECONDS / speed
        self.timeout_seconds = timeout_seconds
        self.rng = random.Random(seed)
        """Draws the faults; replace or seed it in tests."""
        self._bind = (host, port)
        self._lock = threading.RLock()
        self._wakeup = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._queue: list[tuple[float, int, _Job]] = []
        self._sequence = itertools.count()
        self._in_flight = 0
        self._registrations: list[dict[str, Any]] = []
        self._pushes: list[dict[str, Any]] = []
        self._faults: dict[str, list[tuple[str, float]]] = {}
        self._fault_spec = ""
        self._injected: Counter[str] = Counter()
        apis = (EasyPostApi, AfterShipApi, Kuaidi100Api, SeventeenTrackApi, ShippoApi)
        self._apis: dict[str, ProviderApi] = {api.name: api(self) for api in apis}
        self._server: LocalHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._senders: ThreadPoolExecutor | None = None

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> ProviderSimulator:
        server = LocalHTTPServer(self._bind, RequestHandler)
        server.server_name_for_log = "provider-simulator"
        server.simulator = self  # type: ignore[attr-defined]
        self._server = server
        self._stopping.clear()
        self._senders = ThreadPoolExecutor(max_workers=8, thread_name_prefix="provider-push")
        self._threads = [
            threading.Thread(target=server.serve_forever, name="provider-simulator", daemon=True),
            threading.Thread(target=self._run_scheduler, name="provider-scheduler", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        _LOG.info("provider simulator on %s (push interval %.2fs)", self.url, self.interval)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._wakeup:
            self._wakeup.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._senders is not None:
            self._senders.shutdown(wait=True, cancel_futures=True)
        self._threads = []

    def __enter__(self) -> ProviderSimulator:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the provider simulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def base_url(self, provider: str) -> str:
        if provider not in PROVIDERS:
            raise ValueError(f"unknown provider {provider!r}")
        return f"{self.url}/{provider}"

    # -- control ----------------------------------------------------------------------------
    def set_faults(self, spec: str) -> None:
        faults = parse_faults(spec or "")
        with self._lock:
            self._faults, self._fault_spec = faults, spec or ""

    def fault_counts(self) -> dict[str, int]:
        """Faults injected so far, by `provider.<name>=<kind>`."""
        with self._lock:
            return dict(self._injected)

    def registrations(self, provider: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self._registrations if provider is None or r["provider"] == provider]

    def pushes(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(push) for push in self._pushes]

    def idle(self) -> bool:
        """True when no push is scheduled or in flight."""
        with self._lock:
            return not self._queue and self._in_flight == 0

    # -- the Host protocol the provider APIs use ----------------------------------------------
    def api_key(self, provider: str) -> str:
        return self._keys.get(provider, "")

    def secret(self, provider: str) -> str:
        return self._secrets.get(provider, "")

    def webhook_url(self, provider: str) -> str:
        return self._webhook_url(provider)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def record_registration(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._registrations.append(entry)

    def play(self, shipment: Shipment, *, advance: bool = True) -> None:
        """Schedule the shipment's next push one interval from now."""
        self._schedule(_Job(shipment, advance), self._due(shipment, advance))

    # -- HTTP -------------------------------------------------------------------------------
    def serve(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Answer:
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if parts.path == CONTROL or parts.path.startswith(CONTROL + "/"):
            return self._control(method, parts.path.removeprefix(CONTROL), query, body)
        name, _, rest = parts.path.lstrip("/").partition("/")
        api = self._apis.get(name)
        if api is None:
            return json_answer(404, {"message": "Not Found"})
        fault = self._draw_fault(name)
        with self._lock:
            answer = api.handle(Request(method, "/" + rest, query, headers, body), fault)
        if fault == "timeout":
            self._stopping.wait(self.timeout_seconds)
        return answer

    def _draw_fault(self, provider: str) -> str | None:
        with self._lock:
            for kind, rate in self._faults.get(provider, []):
                if self.rng.random() < rate:
                    self._injected[f"provider.{provider}={kind}"] += 1
                    return kind
        return None

    def _control(self, method: str, path: str, query: Mapping[str, str], body: bytes) -> Answer:
        if method == "GET" and path == "/registrations":
            return json_answer(200, self.registrations(query.get("provider") or None))
        if method == "GET" and path == "/pushes":
            return json_answer(200, self.pushes())
        if method == "GET" and path == "/idle":
            return json_answer(200, {"idle": self.idle()})
        if path == "/faults" and method == "GET":
            return json_answer(200, {"faults": self._fault_spec, "injected": self.fault_counts()})
        if path == "/faults" and method == "POST":
            try:
                spec = json.loads(body.decode() or "{}").get("faults") or ""
                if not isinstance(spec, str):
                    raise ValueError("`faults` must be a string")
                self.set_faults(spec)
            except (ValueError, AttributeError) as error:
                return json_answer(400, {"message": str(error)})
            return json_answer(200, {"faults": self._fault_spec})
        return json_answer(404, {"message": "Not Found"})

    # -- scheduler --------------------------------------------------------------------------
    def _due(self, shipment: Shipment, advance: bool) -> float:
        """Monotonic time of the next push: one interval from now, and (for a new checkpoint) in a
        later wall-clock second than the previous checkpoint, since the formats carry whole seconds
        and two checkpoints of one number in the same second would have no order."""
        due = time.monotonic() + self.interval
        if advance and shipment.played:
            due = max(due, time.monotonic() + (shipment.last_stamp + 1.0 - time.time()))
        return due

    def _schedule(self, job: _Job, due: float) -> None:
        with self._wakeup:
            heapq.heappush(self._queue, (due, next(self._sequence), job))
            self._wakeup.notify_all()

    def _run_scheduler(self) -> None:
        with self._wakeup:
            while not self._stopping.is_set():
                if not self._queue:
                    self._wakeup.wait()
                    continue
                wait = self._queue[0][0] - time.monotonic()
                if wait > 0:
                    self._wakeup.wait(wait)
                    continue
                _, _, job = heapq.heappop(self._queue)
                self._in_flight += 1
                assert self._senders is not None
                self._senders.submit(self._deliver, job)

    def _deliver(self, job: _Job) -> None:
        shipment = job.shipment
        api = self._apis[shipment.provider]
        try:
            with self._lock:
                if job.push is None:
                    if job.advance:
                        shipment.play_next(self.now())
                    job.push = api.build_push(shipment)
            push = job.push
            answered, reply, error = self._send(push)
        except Exception as failure:  # noqa: BLE001 - recorded; the journey must go on
            _LOG.exception("provider simulator push failed")
            push, answered, reply, error = job.push, None, b"", repr(failure)
        ok = answered is not None and push is not None and push.acknowledged(answered, reply)
        with self._wakeup:
            self._pushes.append(
                {
                    "provider": shipment.provider,
                    "tracking_number": shipment.number,
                    "stage": shipment.stage,
                    "status": push.status if push else None,
                    "event": push.event if push else None,
                    "attempt": job.attempt,
                    "answer": answered,
                    "error": error,
                    "acknowledged": ok,
                    "url": push.url if push else None,
                    "at": utc_ms_z(self.now()),
                }
            )
            self._in_flight -= 1
            if not self._stopping.is_set():
                if not ok and push is not None and job.attempt <= RETRIES:
                    backoff = RETRY_BACKOFF_SECONDS * 2 ** (job.attempt - 1)
                    retry = _Job(shipment, job.advance, job.attempt + 1, push)
                    heapq.heappush(self._queue, (time.monotonic() + backoff, next(self._sequence), retry))
                elif shipment.has_next and not shipment.ended:
                    due = self._due(shipment, advance=True)
                    heapq.heappush(self._queue, (due, next(self._sequence), _Job(shipment, True)))
            self._wakeup.notify_all()

    def _send(self, push: Push) -> tuple[int | None, bytes, str | None]:
        request = urllib.request.Request(push.url, data=push.body, headers=dict(push.headers), method="POST")
        try:
            with urllib.request.urlopen(request, timeout=PUSH_TIMEOUT_SECONDS) as response:
                return response.status, response.read(), None
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read(), None
        except (urllib.error.URLError, OSError) as failure:
            return None, b"", str(getattr(failure, "reason", failure))
