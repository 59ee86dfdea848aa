"""`make webhook`'s request builder (infra.local.carrier_samples): every carrier sample, addressed to
another tracking number, re-dated and signed, is accepted by the product's own intake (signature
and model) and says what the sample says, every time moved by one offset."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from carriers.domain.intake import SignatureInvalid, WebhookRequest, parse_update, provider_of, verify
from carriers.models.tracking import TrackingUpdate
from infra.local.carrier_samples import (
    newest_time,
    readdressed,
    redated,
    sign_sample,
    tracking_numbers,
)

CARRIERS = Path(__file__).resolve().parents[2] / "events" / "carriers"
NOW = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)  # far from every sample's dates
SECRET = "a-local-sécret"
SAMPLES = [
    (provider.name, sample.name)
    for provider in sorted(CARRIERS.iterdir())
    if provider.is_dir() and provider.name != "lambda"
    for sample in sorted(provider.glob("0*"))
    if sample.name != "04_batch_updated.json"  # an EasyPost batch event: no tracking number
]


def accepted(provider: str, raw: bytes, now: datetime) -> TrackingUpdate:
    """What the product's intake makes of the signed request (its signature checked at ``now``)."""
    post = sign_sample(provider, raw, SECRET, now.timestamp())
    request = WebhookRequest(provider, {k.lower(): v for k, v in post.headers.items()}, post.body, post.query)
    payload = verify(request, provider_of(provider), SECRET, now.timestamp())
    return parse_update(provider_of(provider), payload, now.isoformat())


@pytest.mark.parametrize(("provider", "name"), SAMPLES)
def test_a_sample_readdressed_redated_and_signed_is_the_same_news_at_another_time(
    provider: str, name: str
) -> None:
    raw = (CARRIERS / provider / name).read_bytes()
    newest = newest_time(provider, raw)
    assert newest is not None
    delta = NOW - newest

    # Given the sample as it is, and the same addressed to another number and moved to NOW
    original = accepted(provider, raw, newest + timedelta(minutes=5))
    moved = accepted(provider, redated(provider, readdressed(provider, raw, "TEST0000000001"), NOW), NOW)

    # Then the product reads the same news: the new number, every scan moved by the one offset
    assert original.tracking_number in tracking_numbers(provider, raw)
    assert moved.tracking_number == "TEST0000000001"
    assert [(c.status, c.message) for c in moved.checkpoints] == [
        (c.status, c.message) for c in original.checkpoints
    ]
    assert [c.occurred_at for c in moved.checkpoints] == [c.occurred_at + delta for c in original.checkpoints]
    assert [c.occurred_at.utcoffset() for c in moved.checkpoints] == [
        c.occurred_at.utcoffset() for c in original.checkpoints
    ]
    assert all(c.occurred_at <= NOW for c in moved.checkpoints)
    assert not moved.ignored  # no date outside the window the product believes
    if original.estimated_delivery:  # an estimate keeps its distance, in whole days
        shift = moved_days(original.estimated_delivery, moved.estimated_delivery)
        assert shift == delta.days


def moved_days(before: str | None, after: str | None) -> int:
    assert before and after
    return (date.fromisoformat(after[:10]) - date.fromisoformat(before[:10])).days


@pytest.mark.parametrize("provider", ["easypost", "aftership", "kuaidi100", "17track", "shippo", "generic"])
def test_a_sample_signed_with_another_secret_is_refused(provider: str) -> None:
    name = next(sample for p, sample in SAMPLES if p == provider)
    post = sign_sample(provider, (CARRIERS / provider / name).read_bytes(), "another secret", NOW.timestamp())
    request = WebhookRequest(provider, {k.lower(): v for k, v in post.headers.items()}, post.body, post.query)
    with pytest.raises(SignatureInvalid):
        verify(request, provider_of(provider), SECRET, NOW.timestamp())


def test_kuaidi100_times_without_offset_are_china_time() -> None:
    raw = (CARRIERS / "kuaidi100" / "03_delivered.txt").read_bytes()
    moved = accepted("kuaidi100", redated("kuaidi100", raw, NOW), NOW)
    # the newest scan, written without an offset in China time, is NOW once read as China time
    assert max(c.occurred_at for c in moved.checkpoints) == NOW
