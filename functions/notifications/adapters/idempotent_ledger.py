"""The delivery ledger on Powertools idempotency: one record per (event_id, channel), kept on the
delivery's notification log entry (`LogEntryPersistenceLayer`), 14 days.

While a delivery runs its record is INPROGRESS; a second invocation with the same key gets
`IdempotencyAlreadyInProgressError`, which becomes DeliveryInProgress (retryable), so the SQS
record is retried later instead of sending twice. If the send raises, Powertools deletes the
record so the retry can send. The in-progress lock expires with the invocation's remaining time,
which is why the handler must call `config.register_lambda_context(context)` on every invocation.
Completing the record writes the entry's outcome too: a sent message is two writes on one item.

Keys are prefixed with a fixed name rather than the Lambda function name (the Powertools
default), so renaming or replacing the function does not forget what was already sent. They are
the keys the records had in the idempotency table before, which the layer still reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from notifications.adapters.log_entry_records import LogEntryPersistenceLayer
from notifications.domain.errors import DeliveryInProgress
from notifications.domain.model import Channel, DeliveryOutcome, DeliveryStatus, NotificationEntry

KEY_PREFIX = "notifications.delivery"
RETENTION_SECONDS = 14 * 24 * 60 * 60


def _mark_replayed(response: Any, _record: DataRecord) -> Any:
    return {**response, "replayed": True}


def delivery_idempotency_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="[event_id, channel]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=RETENTION_SECONDS,
        response_hook=_mark_replayed,
    )


def outcome_to_dict(outcome: DeliveryOutcome) -> dict[str, Any]:
    return {
        "channel": outcome.channel.value,
        "status": outcome.status.value,
        "message_id": outcome.message_id,
        "reason": outcome.reason,
        "segments": outcome.segments,
    }


def outcome_from_dict(stored: dict[str, Any]) -> DeliveryOutcome:
    return DeliveryOutcome(
        channel=Channel(stored["channel"]),
        status=DeliveryStatus(stored["status"]),
        message_id=stored.get("message_id"),
        replayed=bool(stored.get("replayed", False)),
        reason=stored.get("reason"),
        segments=int(stored["segments"]) if stored.get("segments") is not None else None,
    )


def _run_delivery(*, delivery: dict[str, str], send: Callable[[], DeliveryOutcome]) -> dict[str, Any]:
    return outcome_to_dict(send())


class IdempotentDeliveryLedger:
    def __init__(self, persistence_store: LogEntryPersistenceLayer, config: IdempotencyConfig) -> None:
        self._store = persistence_store
        self._deliver = idempotent_function(
            _run_delivery,
            data_keyword_argument="delivery",
            persistence_store=persistence_store,
            config=config,
            key_prefix=KEY_PREFIX,
        )

    def deliver_once(self, entry: NotificationEntry, send: Callable[[], DeliveryOutcome]) -> DeliveryOutcome:
        key = entry.delivery_key

        def completed(response: dict[str, Any]) -> NotificationEntry:
            return entry.delivered(outcome_from_dict(response))

        try:
            with self._store.delivering(entry, completed):
                stored = self._deliver(
                    delivery={"event_id": key.event_id, "channel": key.channel.value}, send=send
                )
        except IdempotencyAlreadyInProgressError:
            raise DeliveryInProgress() from None
        return outcome_from_dict(stored)

    def settle_unsent(self, entry: NotificationEntry) -> DeliveryOutcome | None:
        """One consistent read of the entry; only a claim on it costs more: the claim is taken
        through Powertools as a delivery whose send is refused (`_NotSent`), so a confirmed send
        is completed (a replay), a live claim is in progress and an abandoned one is withdrawn."""
        if not self._store.claimed(entry):
            return None
        try:
            return self.deliver_once(entry, _not_sent)
        except _NotSent:
            return None


class _NotSent(Exception):
    """The delivery was superseded: its claim is withdrawn instead of sending."""


def _not_sent() -> DeliveryOutcome:
    raise _NotSent
