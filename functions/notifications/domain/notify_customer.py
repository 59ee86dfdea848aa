"""Tell the customer about an order event: the right channels, at the right time, exactly once.

Two steps, both driven by the notification queue:

1. `accept(event)`: a new order event. Its channels come from the policy, the customer's
   preferences and the addresses the order has. For each, the order's *latest notifiable version*
   on that channel is raised to the event's version; then the delivery is scheduled at the end of
   the burst window (`collapse_window_seconds`, or delivered at once when the window is 0).
2. `deliver(event)`: the window is over. Per channel, in this order:
   - already sent (the notification log says so): nothing to do;
   - a later event of the same order took over the channel within the window: `collapsed`;
     the later event's message carries the latest state;
   - in the customer's quiet hours (and the event is not critical): `held`; the delivery is
     scheduled again for when they end (in steps of at most 15 minutes, the SQS delay limit);
   - suppressed (our list: STOP replies, bounces, complaints; or the SNS opt-out list) or the
     channel switched off: `suppressed`, and the message falls back to the customer's other
     channel if it is on, has an address and was not planned anyway;
   - otherwise rendered and sent through the delivery ledger, whose conditional write keyed by
     (event, channel) makes a redelivered or replayed event send nothing new: `sent`, or
     `failed` when the provider refuses it for good. The ledger's record is the channel's log
     entry, so completing it also logs the outcome.
   Retryable provider errors are collected and raised together (NotificationsPending) after
   the other channels are done; the handler retries them through SQS with backoff.

Every outcome is written to the order's notification log; recipients appear there and in logs
masked only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from notifications.domain.branding import signed_sms
from notifications.domain.errors import DeliveryRejected, NotificationsPending
from notifications.domain.formatting import local_date, parse_instant
from notifications.domain.masking import mask_email, mask_phone
from notifications.domain.model import (
    KIND_BY_EVENT_TYPE,
    Channel,
    DeliveryOutcome,
    DeliveryStatus,
    EmailMessage,
    NotificationEntry,
    NotificationKind,
    NotificationStatus,
    Suppression,
)
from notifications.domain.policy import NotificationPolicy, default_policy
from notifications.domain.ports import (
    DeliveryLedger,
    DeliveryMetrics,
    EmailSender,
    NotificationLog,
    OrderReader,
    PreferenceStore,
    SmsSender,
    SuppressionList,
    TaskScheduler,
)
from notifications.domain.preferences import StoredPreferences
from notifications.domain.rendering import message_locale, notification_context, render_email, render_sms
from notifications.domain.sms_segments import sms_size
from orders.models.order import OrderRecord
from shared.brand import DEV_BRAND, Brand
from shared.clock import Clock, SystemClock, isoformat
from shared.customer_time import zone_for_order
from shared.errors import RetryableError
from shared.events import OrderEvent
from shared.observability import logger

MAX_DELAY_SECONDS = 900  # SQS DelaySeconds limit
OTHER_CHANNEL = {Channel.EMAIL: Channel.SMS, Channel.SMS: Channel.EMAIL}
PROVIDER_OPT_OUT = "provider_opt_out"
CHANNEL_OFF = "channel_off"


def _no_link(_order_id: str) -> str | None:
    return None


@dataclass(frozen=True)
class Recipient:
    channel: Channel
    address: str

    @property
    def masked(self) -> str:
        return mask_email(self.address) if self.channel is Channel.EMAIL else mask_phone(self.address)


@dataclass(frozen=True)
class _Situation:
    """What one delivery attempt knows about the order and the customer."""

    event: OrderEvent
    order: OrderRecord
    kind: NotificationKind
    preferences: StoredPreferences | None
    locale: str
    zone: ZoneInfo
    now: datetime

    def switched_on(self, channel: Channel) -> bool:
        return self.preferences is None or bool(getattr(self.preferences.channels, channel.value))

    def recipient(self, channel: Channel) -> Recipient | None:
        address = self.order.customer.email if channel is Channel.EMAIL else self.order.customer.phone
        return Recipient(channel, address) if address else None


@dataclass
class CustomerNotifier:
    orders: OrderReader
    email: EmailSender
    sms: SmsSender
    ledger: DeliveryLedger
    metrics: DeliveryMetrics
    preferences: PreferenceStore
    suppressions: SuppressionList
    log: NotificationLog
    scheduler: TaskScheduler
    policy: NotificationPolicy = field(default_factory=default_policy)
    tracking_link: Callable[[str], str | None] = _no_link  # order id -> signed tracking-page URL
    feedback_link: Callable[[str], str | None] = _no_link  # signed survey token -> survey URL
    case_link: Callable[[str], str | None] = _no_link  # signed case token -> "was it resolved?" URL
    unsubscribe_link: Callable[[str], str | None] = _no_link  # order id -> signed settings URL (emails)
    clock: Clock = field(default_factory=SystemClock)
    brand: Brand = DEV_BRAND  # the merchant every message speaks for

    # -- step 1 -------------------------------------------------------------------------

    def accept(self, event: OrderEvent) -> list[Channel]:
        """Note a new event and schedule its delivery; returns the channels it will go out on."""
        situation = self._situation(event)
        if situation is None:
            return []
        channels = self._planned(situation)
        if not channels:
            logger.debug("event reaches no channel", event_type=event.event_type)
            return []
        wait = self._seconds_until(event.not_before, situation.now)
        window = max(self.policy.collapse_window_seconds, wait)
        reason = "not_before" if wait >= window else "burst_window"
        pending = self._scheduled_entries(situation, channels, window, reason) if window > 0 else []
        if event.version:  # order status events collapse; others (returns, surveys) never do
            # the markers' one write also lists the event as scheduled on each channel it raises
            self.log.advance_latest(event.order_id, channels, event.version, pending)
        if window > 0:
            self.scheduler.schedule(event, min(MAX_DELAY_SECONDS, window))
            if not event.version:
                for entry in pending:
                    self.log.record_scheduled(entry)
        else:
            self._deliver(situation)
        return channels

    @staticmethod
    def _scheduled_entries(
        situation: _Situation, channels: list[Channel], seconds: int, reason: str
    ) -> list[NotificationEntry]:
        """Each channel as `scheduled`, due `seconds` from now, so the order's notifications show
        what is coming while the burst window (or the event's `not_before`) runs."""
        release_at = isoformat(situation.now + timedelta(seconds=seconds))
        entries = []
        for channel in channels:
            recipient = situation.recipient(channel)
            entries.append(
                NotificationEntry(
                    order_id=situation.event.order_id,
                    event_id=situation.event.event_id,
                    event_type=situation.event.event_type,
                    channel=channel,
                    status=NotificationStatus.SCHEDULED,
                    at=isoformat(situation.now),
                    template=situation.kind.value,
                    locale=situation.locale,
                    recipient=recipient.masked if recipient else None,
                    reason=reason,
                    release_at=release_at,
                )
            )
        return entries

    # -- step 2 -------------------------------------------------------------------------

    def deliver(self, event: OrderEvent) -> list[NotificationEntry]:
        """Deliver `event` on each of its channels; raises NotificationsPending if any must be retried."""
        situation = self._situation(event)
        if situation is None:
            return []
        return self._deliver(situation)

    def _deliver(self, situation: _Situation) -> list[NotificationEntry]:
        event = situation.event
        wait = self._seconds_until(event.not_before, situation.now)
        if wait > 0:  # not due yet (a delay longer than SQS can hold): check again later
            self.scheduler.schedule(event, min(MAX_DELAY_SECONDS, wait))
            return []
        done = {
            entry.channel
            for entry in self.log.entries(event.order_id)
            if entry.event_id == event.event_id and entry.status is NotificationStatus.SENT
        }
        queue: list[tuple[Channel, Channel | None]] = [(c, None) for c in self._planned(situation)]
        considered = {channel for channel, _ in queue}
        entries: list[NotificationEntry] = []
        pending: dict[str, str] = {}
        retry_after = 0
        hold_until: datetime | None = None
        while queue:
            channel, fallback_for = queue.pop(0)
            recipient = situation.recipient(channel)
            if recipient is None or channel in done:
                continue
            try:
                entry, release = self._deliver_on(situation, recipient, fallback_for)
            except RetryableError as error:
                logger.warning("delivery will be retried", channel=channel.value, reason=str(error))
                pending[channel.value] = str(error)
                retry_after = max(retry_after, int(getattr(error, "retry_after_seconds", 0)))
                continue
            entries.append(entry)
            if release is not None:
                hold_until = release if hold_until is None else min(hold_until, release)
            if entry.status is NotificationStatus.SUPPRESSED:
                other = OTHER_CHANNEL[channel]
                if other not in considered and situation.recipient(other) and situation.switched_on(other):
                    considered.add(other)
                    queue.append((other, channel))
        if hold_until is not None:
            delay = math.ceil((hold_until - situation.now).total_seconds())
            self.scheduler.schedule(event, max(1, min(MAX_DELAY_SECONDS, delay)))
        if pending:
            raise NotificationsPending(pending, retry_after)
        return entries

    def give_up(self, event: OrderEvent, channels: list[str], reason: str) -> None:
        """Retries are exhausted: the message goes to the dead-letter queue; the log says so."""
        order = self.orders.get(event.order_id)
        kind = KIND_BY_EVENT_TYPE.get(event.event_type)
        for name in channels:
            channel = Channel(name)
            self._record(
                NotificationEntry(
                    order_id=event.order_id,
                    event_id=event.event_id,
                    event_type=event.event_type,
                    channel=channel,
                    status=NotificationStatus.FAILED,
                    at=isoformat(self.clock.now()),
                    template=kind.value if kind else None,
                    locale=message_locale(order) if order else None,
                    reason="retries_exhausted: " + reason,
                )
            )

    # -- one channel ---------------------------------------------------------------------

    def _deliver_on(
        self, situation: _Situation, recipient: Recipient, fallback_for: Channel | None
    ) -> tuple[NotificationEntry, datetime | None]:
        """The entry recorded for this channel and, when held, its release time. Raises a
        RetryableError when the channel must be tried again later."""
        event, channel = situation.event, recipient.channel

        def draft(status: NotificationStatus, **values: object) -> NotificationEntry:
            return NotificationEntry(
                order_id=event.order_id,
                event_id=event.event_id,
                event_type=event.event_type,
                channel=channel,
                status=status,
                at=isoformat(situation.now),
                template=situation.kind.value,
                locale=situation.locale,
                recipient=recipient.masked,
                fallback_for=fallback_for,
                **values,  # type: ignore[arg-type]
            )

        def entry(status: NotificationStatus, **values: object) -> NotificationEntry:
            """The delivery is not made: unless an earlier attempt had reached the provider (a
            claim its provider confirmed), which is then what the log says."""
            pending = draft(NotificationStatus.SENT)
            earlier = self.ledger.settle_unsent(pending)
            if earlier is not None:
                logger.info("an earlier attempt had been sent", channel=channel.value, instead=status.value)
                return self._record(pending.delivered(earlier), counted=False)
            return self._record(draft(status, **values))

        if fallback_for is None and event.version:
            latest = self.log.latest(event.order_id, channel)
            if latest is not None and latest > event.version:
                return entry(NotificationStatus.COLLAPSED, reason=f"replaced by v{latest}"), None
        release = self._quiet_until(situation, channel)
        if release is not None:
            return entry(
                NotificationStatus.HELD, reason="quiet_hours", release_at=isoformat(release)
            ), release
        if not situation.switched_on(channel):
            return entry(NotificationStatus.SUPPRESSED, reason=CHANNEL_OFF), None
        suppression = self._suppression(recipient, situation.now)
        if suppression is not None:
            logger.info("delivery suppressed", channel=channel.value, reason=suppression.reason)
            return entry(NotificationStatus.SUPPRESSED, reason=suppression.reason), None
        pending = draft(NotificationStatus.SENT)
        outcome = self.ledger.deliver_once(pending, partial(self._send, situation, recipient))
        delivered = pending.delivered(outcome)
        if outcome.replayed:  # logged as after any delivery (a `sent` entry stays as it is)
            logger.debug("delivery already done for this event", channel=channel.value)
            return self._record(delivered, counted=False), None
        self.metrics.record(delivered)  # the ledger's completion wrote it to the log
        return delivered, None

    def _quiet_until(self, situation: _Situation, channel: Channel) -> datetime | None:
        if channel not in self.policy.quiet_hours_channels or self.policy.is_critical(
            situation.event.event_type
        ):
            return None
        preferences = situation.preferences
        quiet = preferences.quiet_hours if preferences is not None else None
        quiet = quiet or self.policy.default_quiet_hours
        return quiet.release_at(situation.now, situation.zone) if quiet is not None else None

    def _suppression(self, recipient: Recipient, now: datetime) -> Suppression | None:
        found = self.suppressions.find(recipient.channel, recipient.address)
        if found is not None or recipient.channel is not Channel.SMS:
            return found
        if not self.sms.is_opted_out(recipient.address):
            return None
        at = isoformat(now)
        self.suppressions.suppress(Channel.SMS, recipient.address, PROVIDER_OPT_OUT, "sns_opt_out_list", at)
        return Suppression(Channel.SMS, PROVIDER_OPT_OUT, "sns_opt_out_list", at)

    def _send(self, situation: _Situation, recipient: Recipient) -> DeliveryOutcome:
        context = notification_context(
            situation.order,
            situation.kind,
            situation.locale,
            time_zone=situation.zone.key,
            tracking_url=self.tracking_link(situation.order.order_id),
            occurred_at=situation.event.occurred_at,
            details=situation.event.details,
            feedback_url=self._feedback_url(situation.event),
            brand=self.brand,
        )
        channel = recipient.channel
        try:
            if channel is Channel.EMAIL:
                message: EmailMessage = replace(
                    render_email(situation.kind, situation.locale, context),
                    unsubscribe_url=self.unsubscribe_link(situation.order.order_id),
                )
                message_id, segments = self.email.send(recipient.address, message), None
            else:
                body = render_sms(situation.kind, situation.locale, context)
                text = signed_sms(body, self.brand, situation.locale, recipient.address)
                message_id, segments = self.sms.send(recipient.address, text), sms_size(text).segments
        except DeliveryRejected as rejected:
            logger.warning("delivery rejected: not retried", channel=channel.value, code=rejected.code)
            outcome = DeliveryOutcome(channel, DeliveryStatus.REJECTED, reason=rejected.code)
        else:
            logger.debug(
                "delivered", channel=channel.value, recipient=recipient.masked, message_id=message_id
            )
            outcome = DeliveryOutcome(channel, DeliveryStatus.SENT, message_id, segments=segments)
        return outcome

    # -- shared ---------------------------------------------------------------------------

    def _situation(self, event: OrderEvent) -> _Situation | None:
        kind = KIND_BY_EVENT_TYPE.get(event.event_type)
        if kind is None or not self.policy.channels_for(event.event_type):
            logger.debug("event skipped: no customer notification for this type", event_type=event.event_type)
            return None
        order = self.orders.get(event.order_id)
        if order is None:
            logger.warning("order not found: notification dropped", event_type=event.event_type)
            return None
        preferences = self.preferences.get(order.customer.id)
        zone = zone_for_order(
            order, preferences.time_zone if preferences else None, self.policy.default_time_zones
        )
        if kind is NotificationKind.ESTIMATE_REVISED and not self._estimate_slipped(event, zone):
            logger.debug("estimate revision not told: earlier, or within the policy's slip")
            return None
        return _Situation(
            event=event,
            order=order,
            kind=kind,
            preferences=preferences,
            locale=message_locale(order, preferences.locale if preferences else None),
            zone=zone,
            now=self.clock.now(),
        )

    def _estimate_slipped(self, event: OrderEvent, zone: ZoneInfo) -> bool:
        """A revised estimate is told when the delivery date, in the customer's zone, moved later
        by the policy's `estimate_slip_days` or more; never when either date is unreadable."""
        try:
            previous = local_date(event.details["previous_estimated_delivery"], zone.key)
            revised = local_date(event.details["estimated_delivery"], zone.key)
        except (KeyError, ValueError):
            return False
        return self.policy.tells_estimate_revision(previous, revised)

    def _feedback_url(self, event: OrderEvent) -> str | None:
        token = event.details.get("feedback_token")
        if token:
            return self.feedback_link(token)
        case = event.details.get("case_token")  # "was this resolved?" of a resolved case
        return self.case_link(case) if case else None

    @staticmethod
    def _seconds_until(moment: str | None, now: datetime) -> int:
        if not moment:
            return 0
        due = parse_instant(moment)
        return max(0, math.ceil((due - now).total_seconds()))

    def _planned(self, situation: _Situation) -> list[Channel]:
        """The policy's channels for the event that the customer has an address for."""
        return [c for c in self.policy.channels_for(situation.event.event_type) if situation.recipient(c)]

    def _record(self, entry: NotificationEntry, counted: bool = True) -> NotificationEntry:
        self.log.record(entry)
        if counted:
            self.metrics.record(entry)
        return entry
