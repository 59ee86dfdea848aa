"""A carrier sample (``events/carriers/<provider>/`` or any file of the same shape) made into the
request the provider would send now: addressed to a tracking number, re-dated, and signed with a
given secret by the provider's own scheme (``carriers.domain.signatures``).

Used by ``make webhook`` (``infra.local.webhook``) with the running stack's secrets, and by the
tests that post samples. A sample is bytes as the provider sends them: JSON for every provider but
Kuaidi100, whose body is a form with the JSON in ``param`` and the signature in ``sign``.

Re-dating moves every date and time in the sample by one offset, so that its newest time that is not
an estimate (a checkpoint's, or the webhook's own, which is often minutes later) is ``now``, its order and spacing unchanged, and each value keeps its own layout and
UTC offset; dates without a time (estimates) move by whole days. Unix-second fields named ``ts`` or
``timestamp`` move too. Estimates are not the anchor: they stay as far ahead as in the sample.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from carriers.domain.signatures import (
    aftership_signature,
    easypost_signature,
    generic_signature,
    kuaidi100_signature,
    seventeentrack_signature,
)

PROVIDERS = ("easypost", "aftership", "kuaidi100", "17track", "shippo", "generic")
TRACKING_NUMBER_FIELDS = {
    "easypost": "tracking_code",
    "aftership": "tracking_number",
    "kuaidi100": "nu",
    "17track": "number",
    "shippo": "tracking_number",
    "generic": "tracking_number",
}
"""The field that carries the tracking number in each provider's payload."""

_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})(?P<sep>[T ])(?P<hm>\d{2}:\d{2})(?P<s>:\d{2})?(?P<frac>\.\d+)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ESTIMATE_KEY = re.compile(r"(^|_)(est|eta)(_|$)|estimat|expected|promised", re.IGNORECASE)
_UNIX_KEYS = frozenset({"ts", "timestamp"})
_NAIVE_OFFSET = {"kuaidi100": timedelta(hours=8)}
"""The zone of a provider's times written without an offset (Kuaidi100: China time); else UTC."""
_UNIX_RANGE = (946_684_800, 4_102_444_800)  # 2000-01-01 .. 2100-01-01


class SampleError(ValueError):
    """The sample cannot be read as the provider's payload."""


@dataclass(frozen=True)
class WebhookPost:
    """What to POST to ``/v1/webhooks/<provider>``: body, headers and query parameters."""

    provider: str
    body: bytes
    headers: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)


# -- the payload inside the body ----------------------------------------------------------------


def _payload(provider: str, raw: bytes) -> Any:
    try:
        if provider == "kuaidi100":
            return json.loads(_kuaidi100_param(raw))
        return json.loads(raw)
    except (KeyError, ValueError) as error:
        raise SampleError(f"not a {provider} webhook body: {error}") from error


def _kuaidi100_param(raw: bytes) -> str:
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True)["param"][0]
    except (KeyError, UnicodeDecodeError) as error:
        raise SampleError("not a kuaidi100 webhook body: no param field") from error


def _body(provider: str, payload: Any) -> bytes:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if provider == "kuaidi100":
        return urlencode({"param": text}).encode()  # signed by `sign_sample`
    return text.encode()


def _walk(node: Any, visit: Any, key: str = "") -> Any:
    """A copy of ``node`` with ``visit(key, value)`` applied to every scalar."""
    if isinstance(node, dict):
        return {k: _walk(v, visit, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, visit, key) for v in node]
    return visit(key, node)


# -- tracking number ----------------------------------------------------------------------------


def tracking_numbers(provider: str, raw: bytes) -> set[str]:
    """The tracking numbers the sample names (its provider's tracking number field)."""
    found: set[str] = set()
    name = TRACKING_NUMBER_FIELDS[provider]

    def visit(key: str, value: Any) -> Any:
        if key == name and isinstance(value, str) and value:
            found.add(value)
        return value

    _walk(_payload(provider, raw), visit)
    return found


def readdressed(provider: str, raw: bytes, tracking_number: str) -> bytes:
    """The sample about ``tracking_number`` instead of its own."""
    name = TRACKING_NUMBER_FIELDS[provider]

    def visit(key: str, value: Any) -> Any:
        return tracking_number if key == name and isinstance(value, str) and value else value

    return _body(provider, _walk(_payload(provider, raw), visit))


# -- dates --------------------------------------------------------------------------------------


def _parse(value: str, naive_offset: timedelta = timedelta(0)) -> datetime | None:
    match = _DATETIME.match(value)
    if match is None:
        return None
    tz = match["tz"]
    text = f"{match['date']}T{match['hm']}{match['s'] or ':00'}"
    moment = datetime.fromisoformat(text)
    if tz and tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        moment = moment.replace(tzinfo=None) - sign * timedelta(
            hours=int(digits[:2]), minutes=int(digits[2:])
        )
    elif not tz:
        moment -= naive_offset
    return moment.replace(tzinfo=UTC)


def newest_time(provider: str, raw: bytes) -> datetime | None:
    """The sample's newest time that is not an estimate (UTC), or None if it has none."""
    times: list[datetime] = []

    def visit(key: str, value: Any) -> Any:
        if isinstance(value, str) and not _ESTIMATE_KEY.search(key):
            moment = _parse(value, _NAIVE_OFFSET.get(provider, timedelta(0)))
            if moment is not None:
                times.append(moment)
        return value

    _walk(_payload(provider, raw), visit)
    return max(times, default=None)


def _shifted(value: str, delta: timedelta) -> str:
    match = _DATETIME.match(value)
    if match is not None:
        moment = datetime.fromisoformat(f"{match['date']}T{match['hm']}{match['s'] or ':00'}") + delta
        text = f"{moment:%Y-%m-%d}{match['sep']}{moment:%H:%M}"
        return text + (f":{moment:%S}" if match["s"] else "") + (match["frac"] or "") + (match["tz"] or "")
    if _DATE.match(value):
        return (date.fromisoformat(value) + timedelta(days=delta.days)).isoformat()
    return value


def redated(provider: str, raw: bytes, now: datetime) -> bytes:
    """The sample moved in time so that its newest (non-estimate) time is ``now``."""
    newest = newest_time(provider, raw)
    if newest is None:
        return raw
    delta = timedelta(seconds=int((now - newest).total_seconds()))

    def visit(key: str, value: Any) -> Any:
        if isinstance(value, str):
            return _shifted(value, delta)
        if key in _UNIX_KEYS and isinstance(value, int) and _UNIX_RANGE[0] <= value < _UNIX_RANGE[1]:
            return value + int(delta.total_seconds())
        return value

    return _body(provider, _walk(_payload(provider, raw), visit))


# -- signing ------------------------------------------------------------------------------------


def sign_sample(provider: str, raw: bytes, secret: str, now: float) -> WebhookPost:
    """The request the provider sends with ``raw`` as its payload, signed with ``secret`` by its
    own scheme (``now``, Unix seconds, dates the generic scheme's timestamp)."""
    json_type = {"content-type": "application/json"}
    if provider == "kuaidi100":
        param = _kuaidi100_param(raw)  # as the sample serialized it
        body = urlencode({"param": param, "sign": kuaidi100_signature(param, secret)}).encode()
        return WebhookPost(provider, body, {"content-type": "application/x-www-form-urlencoded"})
    if provider == "easypost":
        return WebhookPost(provider, raw, {**json_type, "x-hmac-signature": easypost_signature(raw, secret)})
    if provider == "aftership":
        return WebhookPost(
            provider, raw, {**json_type, "aftership-hmac-sha256": aftership_signature(raw, secret)}
        )
    if provider == "17track":
        return WebhookPost(provider, raw, {**json_type, "sign": seventeentrack_signature(raw, secret)})
    if provider == "generic":
        signature = generic_signature(raw, secret, int(now))
        return WebhookPost(provider, raw, {**json_type, "ordertrack-signature": signature})
    if provider == "shippo":  # Shippo signs nothing: our token rides in the webhook URL's query
        return WebhookPost(provider, raw, json_type, {"token": secret})
    raise SampleError(f"unknown provider {provider!r} (one of {', '.join(PROVIDERS)})")
