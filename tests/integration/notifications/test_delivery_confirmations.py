# ruff: noqa: F811 - pytest fixtures imported from the ledger tests are named as parameters
"""A delivery a crash interrupted between SES's answer and the completion write: SES's `Send` event
recorded on the still-claimed entry makes the retry complete it as sent instead of sending again
(against moto; the claim is seeded as a dead invocation leaves it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from notifications.adapters import log_entry_records
from notifications.adapters.delivery_confirmations import (
    ACCEPTED,
    CONFIRMATION_SECONDS,
    IN_PROGRESS,
    RECORD_STATUS,
    DynamoDeliveryConfirmations,
    entry_of,
    tags_for,
)
from notifications.adapters.dynamo_notification_log import DynamoNotificationLog, entry_key
from notifications.adapters.idempotent_ledger import IdempotentDeliveryLedger, delivery_idempotency_config
from notifications.adapters.log_entry_records import LogEntryPersistenceLayer
from notifications.domain.errors import DeliveryInProgress, DeliveryOutcomeUnknown
from notifications.domain.model import DeliveryOutcome, NotificationStatus
from tests.factories import FakeLambdaContext
from tests.integration.notifications.test_idempotent_ledger import (  # noqa: F401 - fixtures
    ENTRY,
    FAR_AHEAD_MS,
    FAR_AHEAD_S,
    LONG_AGO_MS,
    ORDER,
    entry_item,
    ledger,
    log,
    seed,
    sent,
)


@pytest.fixture
def confirmations(dynamodb: Any, orders_table: str) -> DynamoDeliveryConfirmations:
    return DynamoDeliveryConfirmations(orders_table, dynamodb)


def never_sent() -> DeliveryOutcome:
    raise AssertionError("sent a second time")


def test_an_abandoned_claim_that_ses_confirmed_is_completed_as_sent_and_not_sent_again(
    ledger: IdempotentDeliveryLedger,
    log: DynamoNotificationLog,
    seed: Callable[..., None],
    confirmations: DynamoDeliveryConfirmations,
) -> None:
    # Given a claim whose invocation died after SES accepted the email, and SES's Send event
    seed("INPROGRESS", FAR_AHEAD_S, lock=LONG_AGO_MS)
    assert confirmations.accepted(entry_key(ENTRY), "ses-m-1") is True
    # When the delivery comes again, then nothing is sent and the entry reads sent with SES's id
    outcome = ledger.deliver_once(ENTRY, never_sent)
    assert (outcome.status.value, outcome.message_id, outcome.replayed) == ("sent", "ses-m-1", True)
    [entry] = log.entries(ORDER)
    assert (entry.status, entry.message_id) == (NotificationStatus.SENT, "ses-m-1")
    # and a later replay answers the same
    assert ledger.deliver_once(ENTRY, never_sent).message_id == "ses-m-1"


def test_an_abandoned_claim_without_ses_word_is_sent_again(
    ledger: IdempotentDeliveryLedger, seed: Callable[..., None]
) -> None:
    seed("INPROGRESS", FAR_AHEAD_S, lock=LONG_AGO_MS)
    assert ledger.deliver_once(ENTRY, lambda: sent("m-2")) == sent("m-2")


def test_a_confirmed_claim_still_within_its_lock_is_in_progress_not_completed(
    ledger: IdempotentDeliveryLedger,
    seed: Callable[..., None],
    confirmations: DynamoDeliveryConfirmations,
    dynamodb: Any,
    orders_table: str,
) -> None:
    # its own invocation is about to complete it
    seed("INPROGRESS", FAR_AHEAD_S, lock=FAR_AHEAD_MS)
    confirmations.accepted(entry_key(ENTRY), "ses-m-1")
    with pytest.raises(DeliveryInProgress):
        ledger.deliver_once(ENTRY, never_sent)
    item = entry_item(dynamodb, orders_table)
    assert item is not None and item[RECORD_STATUS]["S"] == IN_PROGRESS


def test_ses_word_is_written_only_on_a_claimed_entry(
    ledger: IdempotentDeliveryLedger,
    confirmations: DynamoDeliveryConfirmations,
    dynamodb: Any,
    orders_table: str,
) -> None:
    # a completed delivery (the usual case: the Send event arrives after the completion)
    ledger.deliver_once(ENTRY, lambda: sent("m-1"))
    assert confirmations.accepted(entry_key(ENTRY), "m-1") is False
    item = entry_item(dynamodb, orders_table)
    assert item is not None and ACCEPTED not in item
    # an email that names no entry of ours (already gone)
    other = {"pk": {"S": f"NOTIFY#{ORDER}"}, "sk": {"S": "ENTRY#nothing#email"}}
    assert confirmations.accepted(other, "m-9") is False
    assert dynamodb.get_item(TableName=orders_table, Key=other).get("Item") is None


def test_tags_name_the_entry_in_ses_characters_and_round_trip() -> None:
    key = entry_key(ENTRY)
    tags = tags_for(key)
    for tag in tags:
        assert tag["Value"] and all(c.isascii() and (c.isalnum() or c in "_-") for c in tag["Value"])
        assert len(tag["Value"]) <= 256
    as_published = {tag["Name"]: [tag["Value"]] for tag in tags}  # SES events list each tag's values
    assert entry_of({**as_published, "ses:configuration-set": ["set"]}) == key
    assert entry_of({"ses:configuration-set": ["set"]}) is None
    assert entry_of({**as_published, "ordertrack-entry": ["%%%"]}) is None


def test_the_claims_status_is_named_as_the_layer_writes_it() -> None:
    assert (RECORD_STATUS, IN_PROGRESS) == (log_entry_records.STATUS, log_entry_records.INPROGRESS)


def test_the_suppression_worker_records_ses_send_event_on_a_claimed_entry(
    monkeypatch: pytest.MonkeyPatch, seed: Callable[..., None], dynamodb: Any, orders_table: str
) -> None:
    import json

    from notifications.handlers import apply_suppressions
    from tests.factories import FakeLambdaContext, load_event
    from tests.integration.notifications.test_apply_suppressions_handler import feedback_event

    monkeypatch.setenv("ORDERS_TABLE_NAME", orders_table)
    apply_suppressions.default_confirmations.cache_clear()
    # Given ENTRY's delivery claimed by an invocation that died after SES accepted the email
    seed("INPROGRESS", FAR_AHEAD_S, lock=LONG_AGO_MS)
    send_event = load_event("sns/ses_event_send.json")
    # When SES's Send event (the sample names ENTRY in its tags) and a Delivery event arrive
    event = feedback_event(json.dumps(send_event), json.dumps(load_event("sns/ses_event_delivery.json")))
    response = apply_suppressions.handler(event, FakeLambdaContext())
    # Then SES's message id is on the entry, and nothing was suppressed
    assert response == {"batchItemFailures": []}
    item = entry_item(dynamodb, orders_table)
    assert item is not None and item[ACCEPTED]["S"] == send_event["mail"]["messageId"]
    apply_suppressions.default_confirmations.cache_clear()


# -- an email whose SendEmail answer was lost (a read timeout): SES may have accepted it -----------


@pytest.fixture
def ledger_at(dynamodb: Any, orders_table: str) -> Callable[[dt.datetime], IdempotentDeliveryLedger]:
    """The delivery ledger of an invocation whose clock reads `now` (Powertools stamps its own
    records with the process clock, so `now` is dated from it)."""

    def at(now: dt.datetime) -> IdempotentDeliveryLedger:
        config = delivery_idempotency_config()
        config.register_lambda_context(FakeLambdaContext())
        layer = LogEntryPersistenceLayer(orders_table, dynamodb, now=lambda: now, sleep=lambda _: None)
        return IdempotentDeliveryLedger(layer, config)

    return at


def answer_lost(confirm_within: int) -> Callable[[], DeliveryOutcome]:
    def send() -> DeliveryOutcome:
        raise DeliveryOutcomeUnknown("ReadTimeoutError", confirm_within)

    return send


def test_an_email_whose_answer_was_lost_keeps_its_claim_until_ses_word_completes_it(
    ledger_at: Callable[[dt.datetime], IdempotentDeliveryLedger],
    confirmations: DynamoDeliveryConfirmations,
    log: DynamoNotificationLog,
    dynamodb: Any,
    orders_table: str,
) -> None:
    start = dt.datetime.now()
    # Given SendEmail sent and its answer lost
    with pytest.raises(DeliveryOutcomeUnknown):
        ledger_at(start).deliver_once(ENTRY, answer_lost(CONFIRMATION_SECONDS))
    # Then the claim stays, locked for the confirmation's time
    item = entry_item(dynamodb, orders_table)
    assert item is not None and item[RECORD_STATUS]["S"] == IN_PROGRESS
    until = start + dt.timedelta(seconds=CONFIRMATION_SECONDS)
    assert int(item["idempotency_in_progress_expiration"]["N"]) == int(until.timestamp() * 1000)
    assert log.entries(ORDER) == []  # nothing logged yet
    # and a retry within that time sends nothing
    with pytest.raises(DeliveryInProgress):
        ledger_at(start + dt.timedelta(seconds=30)).deliver_once(ENTRY, never_sent)
    # When SES's Send event is recorded, the retry after the lock completes the entry with SES's id
    assert confirmations.accepted(entry_key(ENTRY), "ses-m-7") is True
    later = start + dt.timedelta(seconds=CONFIRMATION_SECONDS + 1)
    outcome = ledger_at(later).deliver_once(ENTRY, never_sent)
    assert (outcome.status.value, outcome.message_id) == ("sent", "ses-m-7")
    [entry] = log.entries(ORDER)
    assert (entry.status, entry.message_id) == (NotificationStatus.SENT, "ses-m-7")


def test_an_email_whose_answer_was_lost_and_that_ses_never_confirmed_is_sent_after_the_wait(
    ledger_at: Callable[[dt.datetime], IdempotentDeliveryLedger],
) -> None:
    start = dt.datetime.now()
    with pytest.raises(DeliveryOutcomeUnknown):
        ledger_at(start).deliver_once(ENTRY, answer_lost(CONFIRMATION_SECONDS))
    later = start + dt.timedelta(seconds=CONFIRMATION_SECONDS + 1)
    assert ledger_at(later).deliver_once(ENTRY, lambda: sent("m-8")) == sent("m-8")


def test_a_lost_answer_nothing_will_confirm_withdraws_the_claim_so_the_retry_sends(
    ledger_at: Callable[[dt.datetime], IdempotentDeliveryLedger], dynamodb: Any, orders_table: str
) -> None:
    start = dt.datetime.now()
    with pytest.raises(DeliveryOutcomeUnknown):
        ledger_at(start).deliver_once(ENTRY, answer_lost(0))
    assert entry_item(dynamodb, orders_table) is None  # the claim had created the item
    assert ledger_at(start).deliver_once(ENTRY, lambda: sent("m-9")) == sent("m-9")


# -- a delivery superseded (collapsed, held, suppressed) after an attempt left its claim ---------


def test_settling_an_entry_never_attempted_writes_nothing(
    ledger: IdempotentDeliveryLedger, dynamodb: Any, orders_table: str
) -> None:
    assert ledger.settle_unsent(ENTRY) is None
    assert entry_item(dynamodb, orders_table) is None


def test_settling_a_held_claim_ses_confirmed_completes_it_as_sent(
    ledger_at: Callable[[dt.datetime], IdempotentDeliveryLedger],
    confirmations: DynamoDeliveryConfirmations,
    log: DynamoNotificationLog,
) -> None:
    start = dt.datetime.now()
    with pytest.raises(DeliveryOutcomeUnknown):
        ledger_at(start).deliver_once(ENTRY, answer_lost(CONFIRMATION_SECONDS))
    with pytest.raises(DeliveryInProgress):  # held for SES's word
        ledger_at(start + dt.timedelta(seconds=1)).settle_unsent(ENTRY)
    confirmations.accepted(entry_key(ENTRY), "ses-m-11")
    later = start + dt.timedelta(seconds=CONFIRMATION_SECONDS + 1)
    outcome = ledger_at(later).settle_unsent(ENTRY)
    assert outcome is not None and (outcome.status.value, outcome.message_id) == ("sent", "ses-m-11")
    [entry] = log.entries(ORDER)
    assert (entry.status, entry.message_id) == (NotificationStatus.SENT, "ses-m-11")


def test_settling_an_abandoned_claim_without_ses_word_withdraws_it_and_sends_nothing(
    ledger_at: Callable[[dt.datetime], IdempotentDeliveryLedger],
    seed: Callable[..., None],
    dynamodb: Any,
    orders_table: str,
) -> None:
    seed("INPROGRESS", FAR_AHEAD_S, lock=LONG_AGO_MS)
    assert ledger_at(dt.datetime.now()).settle_unsent(ENTRY) is None
    item = entry_item(dynamodb, orders_table)
    assert item is None or RECORD_STATUS not in item
