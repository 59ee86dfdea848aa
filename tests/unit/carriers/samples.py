"""The carrier sample payloads in events/carriers/ (exact bytes) and request builders for them."""

from __future__ import annotations

import time
from pathlib import Path

from carriers.domain.intake import WebhookRequest
from infra.local.carrier_samples import sign_sample

RECEIVED = "2026-11-24T12:00:00.000Z"  # when the samples are taken to arrive (their dates are before)
CARRIER_EVENTS = Path(__file__).resolve().parents[3] / "events" / "carriers"
SAMPLE_SECRETS = {
    "easypost": "sample-wh-sécret",
    "aftership": "sample-aftership-secret",
    "kuaidi100": "sample-kd100-salt",
    "generic": "sample-generic-secret",
    "17track": "sample-17track-key",
    "shippo": "sample-shippo-token",
}
SAMPLES = {
    "easypost": ["01_in_transit.json", "02_out_for_delivery.json", "03_delivered.json"],
    "aftership": ["01_in_transit.json", "02_exception.json", "03_delivered.json"],
    "kuaidi100": ["01_in_transit.txt", "02_out_for_delivery.txt", "03_delivered.txt"],
    "generic": [
        "01_info_received.json",
        "02_in_transit.json",
        "03_out_for_delivery.json",
        "04_delivered.json",
    ],
    "17track": ["01_in_transit.json", "02_exception.json", "03_delivered.json"],
    "shippo": ["01_in_transit.json", "02_exception.json", "03_delivered.json"],
}


def sample_bytes(provider: str, name: str) -> bytes:
    return (CARRIER_EVENTS / provider / name).read_bytes()


def signed_headers(provider: str, body: bytes, secret: str, now: float | None = None) -> dict[str, str]:
    """The headers the provider sends: its content type and signature (Kuaidi100 signs inside the
    form body, so only the content type)."""
    return sign_sample(provider, body, secret, now or time.time()).headers


def signed_request(
    provider: str, name: str, secret: str | None = None, now: float | None = None
) -> WebhookRequest:
    body = sample_bytes(provider, name)
    key = secret or SAMPLE_SECRETS[provider]
    headers = signed_headers(provider, body, key, now)
    return WebhookRequest(provider=provider, headers=headers, body=body, query=signed_query(provider, key))


def signed_query(provider: str, secret: str) -> dict[str, str]:
    """Shippo proves itself with our token in the webhook URL's query (`?token=`), not a header."""
    return sign_sample(provider, b"{}", secret, time.time()).query if provider == "shippo" else {}
