"""Webhook intake with fakes: verify, validate, enqueue; 401 / 404 / 400 write nothing."""

from __future__ import annotations

import time

import pytest

from carriers.domain.intake import (
    MalformedWebhook,
    SignatureInvalid,
    UnknownProvider,
    WebhookRequest,
    accept_webhook,
)
from carriers.models.tracking import Provider
from shared.errors import UnsupportedMediaType
from tests.unit.carriers.fakes import ListQueue
from tests.unit.carriers.samples import RECEIVED, SAMPLE_SECRETS, SAMPLES, signed_request

NOW = time.time()


def secret_of(provider: Provider) -> str:
    return SAMPLE_SECRETS[provider.value]


def accept(request: WebhookRequest, queue: ListQueue, now: float = NOW) -> None:
    accept_webhook(request, secret_of, queue, now, "2026-11-24T12:00:00.000Z")


@pytest.mark.parametrize(("provider", "name"), [(p, n) for p, names in SAMPLES.items() for n in names])
def test_valid_samples_are_enqueued(provider: str, name: str) -> None:
    queue = ListQueue()
    accept(signed_request(provider, name, now=NOW), queue)
    assert [m.provider.value for m in queue.messages] == [provider]


def _flip(request: WebhookRequest) -> WebhookRequest:
    body = bytearray(request.body)
    middle = len(body) // 2
    body[middle] = body[middle] ^ 0x01
    return WebhookRequest(provider=request.provider, headers=request.headers, body=bytes(body))


@pytest.mark.parametrize("provider", sorted(SAMPLES))
def test_a_flipped_byte_is_refused(provider: str) -> None:
    queue = ListQueue()
    with pytest.raises(SignatureInvalid):
        accept(_flip(signed_request(provider, SAMPLES[provider][0], now=NOW)), queue)
    assert queue.messages == []


@pytest.mark.parametrize("provider", sorted(SAMPLES))
def test_a_wrong_secret_is_refused(provider: str) -> None:
    queue = ListQueue()
    request = signed_request(provider, SAMPLES[provider][0], secret="not-the-secret", now=NOW)
    if provider == "kuaidi100":  # the sign is inside the body; a different salt is the wrong secret
        with pytest.raises(SignatureInvalid):
            accept_webhook(request, lambda _: "not-the-salt", queue, NOW, "x")
    else:
        with pytest.raises(SignatureInvalid):
            accept(request, queue)
    assert queue.messages == []


@pytest.mark.parametrize("provider", ["easypost", "aftership", "generic"])
def test_a_missing_signature_is_refused(provider: str) -> None:
    request = signed_request(provider, SAMPLES[provider][0], now=NOW)
    with pytest.raises(SignatureInvalid):
        headers = {"content-type": "application/json"}
        accept(WebhookRequest(provider=provider, headers=headers, body=request.body), ListQueue())


def test_a_stale_generic_timestamp_is_refused() -> None:
    request = signed_request("generic", SAMPLES["generic"][0], now=NOW - 301)
    with pytest.raises(SignatureInvalid) as refused:
        accept(request, ListQueue())
    assert refused.value.details == {"reason": "stale_timestamp"}


def test_an_unknown_provider_is_not_found() -> None:
    with pytest.raises(UnknownProvider):
        accept(WebhookRequest(provider="fedex-direct", headers={}, body=b"{}"), ListQueue())


@pytest.mark.parametrize(
    "body", [b"not json", b'{"event_id": "x"}', b'{"event_id":"x","tracking_number":"T","checkpoints":[]}']
)
def test_a_signed_but_malformed_body_is_a_400(body: bytes) -> None:
    from carriers.domain.signatures import generic_signature

    headers = {
        "content-type": "application/json",
        "ordertrack-signature": generic_signature(body, SAMPLE_SECRETS["generic"], int(NOW)),
    }
    queue = ListQueue()
    with pytest.raises(MalformedWebhook):
        accept(WebhookRequest(provider="generic", headers=headers, body=body), queue)
    assert queue.messages == []


def test_a_kuaidi100_body_without_param_is_a_400() -> None:
    with pytest.raises(MalformedWebhook):
        form = {"content-type": "application/x-www-form-urlencoded"}
        accept(WebhookRequest(provider="kuaidi100", headers=form, body=b"sign=ABC"), ListQueue())


@pytest.mark.parametrize(
    ("provider", "content_type"),
    [
        ("easypost", None),
        ("aftership", "text/plain"),
        ("generic", "application/x-www-form-urlencoded"),
        ("17track", "application/json; charset=latin-1"),
        ("kuaidi100", "application/json"),
    ],
)
def test_a_body_of_another_media_type_is_415_before_anything_else(
    provider: str, content_type: str | None
) -> None:
    request = signed_request(provider, SAMPLES[provider][0], now=NOW)
    headers = {name: value for name, value in request.headers.items() if name != "content-type"}
    if content_type:
        headers["content-type"] = content_type
    queue = ListQueue()
    with pytest.raises(UnsupportedMediaType):
        accept(WebhookRequest(provider=provider, headers=headers, body=request.body), queue)
    assert queue.messages == []


@pytest.mark.parametrize("provider", ["easypost", "generic", "17track"])
def test_a_charset_parameter_is_allowed(provider: str) -> None:
    request = signed_request(provider, SAMPLES[provider][0], now=NOW)
    queue = ListQueue()
    accept(
        WebhookRequest(
            provider=provider,
            headers={**request.headers, "content-type": "application/json; charset=UTF-8"},
            body=request.body,
        ),
        queue,
    )
    assert len(queue.messages) == 1


def test_a_signed_body_that_is_not_utf8_is_a_400() -> None:
    from carriers.domain.signatures import generic_signature

    body = b'{"event_id": "\xff"}'  # one byte that is not UTF-8
    headers = {
        "content-type": "application/json",
        "ordertrack-signature": generic_signature(body, SAMPLE_SECRETS["generic"], int(NOW)),
    }
    with pytest.raises(MalformedWebhook):
        accept(WebhookRequest(provider="generic", headers=headers, body=body), ListQueue())


def test_a_generic_webhook_with_a_date_out_of_bounds_is_a_400_and_nothing_is_queued() -> None:
    import json

    from carriers.domain.date_bounds import DateOutOfBounds
    from carriers.domain.signatures import generic_signature

    document = json.loads(signed_request("generic", SAMPLES["generic"][0], now=NOW).body)
    document["checkpoints"][0]["occurred_at"] = "9999-12-31T23:59:59+14:00"
    document["estimated_delivery"] = "not-a-date"
    body = json.dumps(document).encode()
    headers = {
        "content-type": "application/json",
        "ordertrack-signature": generic_signature(body, SAMPLE_SECRETS["generic"], int(NOW)),
    }
    queue = ListQueue()
    with pytest.raises(DateOutOfBounds) as refused:
        accept(WebhookRequest(provider="generic", headers=headers, body=body), queue)
    assert {detail["field"] for detail in refused.value.details} == {
        "checkpoints.0.occurred_at",
        "estimated_delivery",
    }
    assert queue.messages == []


def test_a_provider_webhook_with_dates_out_of_bounds_is_accepted_and_reports_them() -> None:
    import json

    from carriers.domain.signatures import aftership_signature

    document = json.loads(signed_request("aftership", SAMPLES["aftership"][0], now=NOW).body)
    document["msg"]["expected_delivery"] = "0001-01-01"
    body = json.dumps(document).encode()
    headers = {
        "content-type": "application/json",
        "aftership-hmac-sha256": aftership_signature(body, SAMPLE_SECRETS["aftership"]),
    }
    queue = ListQueue()
    accepted = accept_webhook(
        WebhookRequest(provider="aftership", headers=headers, body=body), secret_of, queue, NOW, RECEIVED
    )
    assert queue.messages == [accepted.message]
    assert accepted.update is not None
    assert [value.field for value in accepted.update.ignored] == ["estimated_delivery"]
    assert accepted.update.estimated_delivery is None


def easypost_event(name: str, **changes: object) -> WebhookRequest:
    import json

    from carriers.domain.signatures import easypost_signature

    document = json.loads(signed_request("easypost", name, now=NOW).body)
    document.update(changes)
    body = json.dumps(document).encode()
    headers = {
        "content-type": "application/json",
        "x-hmac-signature": easypost_signature(body, SAMPLE_SECRETS["easypost"]),
    }
    return WebhookRequest(provider="easypost", headers=headers, body=body)


@pytest.mark.parametrize(
    "description", ["batch.updated", "payment.completed", "refund.successful", "insurance.purchased", ""]
)
def test_easypost_events_that_are_not_about_a_tracker_are_acknowledged_and_never_queued(
    description: str,
) -> None:
    queue = ListQueue()
    accepted = accept_webhook(
        easypost_event("04_batch_updated.json", description=description), secret_of, queue, NOW, RECEIVED
    )
    assert (accepted.skipped, accepted.message, queue.messages) == ("not_a_tracking_event", None, [])


def test_the_batch_sample_as_sent_is_skipped_and_still_needs_its_signature() -> None:
    queue = ListQueue()
    accepted = accept_webhook(
        signed_request("easypost", "04_batch_updated.json", now=NOW), secret_of, queue, NOW, RECEIVED
    )
    assert accepted.skipped == "not_a_tracking_event" and accepted.event_type == "batch.updated"
    request = signed_request("easypost", "04_batch_updated.json", secret="not-the-secret", now=NOW)
    with pytest.raises(SignatureInvalid):
        accept(request, queue)


@pytest.mark.parametrize(("accept_test_mode", "queued"), [(True, 1), (False, 0)])
def test_test_mode_tracker_events_follow_the_stage_setting(accept_test_mode: bool, queued: int) -> None:
    queue = ListQueue()
    accepted = accept_webhook(
        easypost_event(SAMPLES["easypost"][0], mode="test"),
        secret_of,
        queue,
        NOW,
        RECEIVED,
        accept_test_mode=accept_test_mode,
    )
    assert len(queue.messages) == queued
    assert accepted.skipped == (None if accept_test_mode else "test_mode")


def test_production_tracker_events_are_applied_on_every_stage() -> None:
    queue = ListQueue()
    accept_webhook(
        easypost_event(SAMPLES["easypost"][0], mode="production"),
        secret_of,
        queue,
        NOW,
        RECEIVED,
        accept_test_mode=False,
    )
    assert len(queue.messages) == 1
