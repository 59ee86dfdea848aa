"""What every simulated provider shares: the HTTP request and answer, a registered shipment playing
its journey, time formats, and the provider API base class (routing, faults, auth, records)."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, unquote

from infra.local.providers import journeys

EVENTS = Path(__file__).resolve().parents[3] / "events"
"""The provider samples (events/providers/, events/carriers/): the simulator's templates."""

_LOG = logging.getLogger("ordertrack.local")
FAULT_ANSWERS = {"5xx": "unavailable", "timeout": "timeout"}
"""A drawn fault -> the error kind the provider answers with (HTTP 503 / 504)."""


def sample(relative: str) -> Any:
    """A JSON sample under events/, parsed (a fresh copy for every caller)."""
    return json.loads((EVENTS / relative).read_text(encoding="utf-8"))


def template(document: Any) -> Any:
    return copy.deepcopy(document)


# -- time formats -----------------------------------------------------------------------------
CHINA = timezone(timedelta(hours=8))


def whole_second(moment: datetime) -> datetime:
    """`moment` truncated to the second: a stamp is never later than the real time."""
    return moment.replace(microsecond=0)


def utc_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_ms_z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def utc_offset(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def local_iso(moment: datetime, offset_hours: int) -> str:
    return moment.astimezone(timezone(timedelta(hours=offset_hours))).isoformat(timespec="seconds")


def china_time(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def hex_id(length: int = 32) -> str:
    return (uuid.uuid4().hex + uuid.uuid4().hex)[:length]


def int32_hash(value: Any) -> int:
    digest = hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


# -- HTTP -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    method: str
    path: str  # under the provider's base URL, e.g. "/v2/trackers"
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        """The JSON body; ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    @property
    def is_form(self) -> bool:
        return self.headers.get("content-type", "").lower().startswith("application/x-www-form-urlencoded")


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"


def json_answer(status: int, document: Any) -> Answer:
    return Answer(status, json.dumps(document, ensure_ascii=False).encode("utf-8"))


def answer_code(answer: Answer) -> Any:
    """The provider's own code in an answer (`meta.code`, `returnCode`, `error.code`, `code`), or None."""
    try:
        document = json.loads(answer.body)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    for outer, inner in (("meta", "code"), ("error", "code")):
        if isinstance(document.get(outer), dict) and inner in document[outer]:
            return document[outer][inner]
    return document.get("returnCode", document.get("code"))


def compact(document: Any) -> bytes:
    """A push body: compact JSON, UTF-8, non-ASCII as is (what the providers send)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Push:
    """One webhook a provider sends: where, the exact bytes, and what it says."""

    url: str
    body: bytes
    headers: Mapping[str, str]
    status: str  # the provider's own status value in it
    event: str  # the provider's event name (tracker.updated, tracking_update, polling, ...)
    acknowledged: Callable[[int, bytes], bool] = lambda status, _body: 200 <= status < 300


# -- a registered shipment --------------------------------------------------------------------
@dataclass
class Played:
    """A journey stage the provider has seen: its stage name and when (the real time, whole second)."""

    stage: str
    at: datetime
    id: str = field(default_factory=hex_id)


@dataclass
class Shipment:
    """One registration (a tracker, a tracking, a subscription) and the journey it plays."""

    provider: str
    number: str  # normalized: upper case, no spaces
    given: str  # as registered
    carrier: Any  # the provider's carrier code (given or detected)
    journey: tuple[str, ...]
    registered_at: datetime
    id: str = field(default_factory=hex_id)
    extra: dict[str, Any] = field(default_factory=dict)
    played: list[Played] = field(default_factory=list)
    ended: bool = False  # Kuaidi100: the subscription was ended by a shutdown or abort push

    @property
    def has_next(self) -> bool:
        return len(self.played) < len(self.journey)

    def play_next(self, at: datetime) -> Played:
        played = Played(self.journey[len(self.played)], whole_second(at))
        self.played.append(played)
        return played

    @property
    def stage(self) -> str | None:
        return self.played[-1].stage if self.played else None

    @property
    def last_stamp(self) -> float:
        return self.played[-1].at.timestamp() if self.played else 0.0

    def checkpoints(self, stages: Mapping[str, Any] | frozenset[str]) -> list[Played]:
        """The played stages that are carrier scans in this provider's table, oldest first."""
        return [played for played in self.played if played.stage in stages]

    def delivery_estimate(self) -> datetime:
        return self.registered_at + timedelta(days=journeys.ESTIMATE_DAYS)


class Host(Protocol):
    """What a provider API needs from the simulator."""

    def api_key(self, provider: str) -> str: ...
    def secret(self, provider: str) -> str: ...
    def webhook_url(self, provider: str) -> str: ...
    def now(self) -> datetime: ...
    def play(self, shipment: Shipment, *, advance: bool = True) -> None: ...
    def record_registration(self, entry: dict[str, Any]) -> None: ...


Handler = Callable[[Request, dict[str, str]], Answer]


class ProviderApi:
    """One provider's API. Subclasses list `routes` (method, path pattern, handler name, kind) and
    implement `error`, `authorized`, `numbers` and `build_push`. All calls come under the
    simulator's lock."""

    name: ClassVar[str]
    routes: ClassVar[tuple[tuple[str, str, str, str], ...]]

    def __init__(self, host: Host) -> None:
        self.host = host

    # -- to implement -----------------------------------------------------------------------
    def error(self, kind: str, number: str = "") -> Answer:
        """The provider's documented answer for `kind`: bad_key, rate_limit, unavailable, timeout,
        bad_carrier, not_found, bad_request."""
        raise NotImplementedError

    def authorized(self, request: Request) -> bool:
        raise NotImplementedError

    def numbers(self, request: Request) -> list[tuple[str, Any]]:
        """(number, carrier) of a registration request, read leniently (for the records)."""
        raise NotImplementedError

    def build_push(self, shipment: Shipment) -> Push:
        raise NotImplementedError

    # -- shared -----------------------------------------------------------------------------
    def route(self, request: Request) -> tuple[Handler, str, dict[str, str]] | None:
        segments = [part for part in request.path.split("/") if part]
        for method, pattern, handler, kind in self.routes:
            expected = [part for part in pattern.split("/") if part]
            if method != request.method or len(expected) != len(segments):
                continue
            params: dict[str, str] = {}
            for want, got in zip(expected, segments, strict=True):
                if want.startswith("{"):
                    params[want[1:-1]] = unquote(got)
                elif want != got:
                    break
            else:
                return getattr(self, handler), kind, params
        return None

    def handle(self, request: Request, fault: str | None) -> Answer:
        found = self.route(request)
        if found is None:
            return json_answer(404, {"message": "Not Found"})
        handler, kind, params = found
        refusal = FAULT_ANSWERS[fault] if fault else None
        if refusal is None and not self.authorized(request):
            refusal = "bad_key"
        if refusal is None:
            return handler(request, params)
        answer = self.error(refusal)
        if kind == "register":
            for number, carrier in self.numbers(request):
                self.record(number, carrier, answer, accepted=False)
        return answer

    def record(
        self,
        number: str,
        carrier: Any,
        answer: Answer,
        *,
        accepted: bool,
        duplicate: bool = False,
        code: Any = None,
    ) -> None:
        self.host.record_registration(
            {
                "provider": self.name,
                "tracking_number": journeys.normalize(number) if number else number,
                "carrier": carrier,
                "accepted": accepted,
                "duplicate": duplicate,
                "status": answer.status,
                "code": answer_code(answer) if code is None else code,
                "at": utc_ms_z(self.host.now()),
            }
        )

    def refused_number(self, number: str) -> str | None:
        """The error kind a documented test number (FAIL429, FAIL503, FAILKEY, FAILCARRIER) asks for."""
        return journeys.failure_of(number)


class RequestHandler(BaseHTTPRequestHandler):
    """Hands every request to the `serve(method, target, headers, body)` of `server.simulator`."""

    protocol_version = "HTTP/1.1"
    server_version = "ordertrack-provider-simulator"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            answer = self.server.simulator.serve(self.command, self.path, headers, body)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a simulator bug answers 500, the server keeps serving
            _LOG.exception("provider simulator request failed")
            answer = json_answer(500, {"message": "Internal Server Error"})
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("provider simulator %s", format % args)
