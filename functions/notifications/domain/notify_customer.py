"""Tell the customer about an order event on every channel they gave us, once per channel.

Each (event, channel) delivery goes through the ledger, so a redelivered or replayed event sends
nothing new. Channels are independent: a throttled email does not stop the SMS; the channels that
must be retried are reported together at the end (NotificationsPending), and on the retry the
channels already done are answered from the ledger instead of being sent again.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from notifications.domain.errors import DeliveryRejected, NotificationsPending
from notifications.domain.masking import mask_email, mask_phone
from notifications.domain.model import (
    KIND_BY_EVENT_TYPE,
    Channel,
    DeliveryKey,
    DeliveryOutcome,
    DeliveryStatus,
    EmailMessage,
)
from notifications.domain.ports import DeliveryLedger, DeliveryMetrics, EmailSender, OrderReader, SmsSender
from notifications.domain.rendering import message_locale, notification_context, render_email, render_sms
from shared.errors import RetryableError
from shared.events import OrderEvent
from shared.observability import logger


@dataclass(frozen=True)
class CustomerNotifier:
    orders: OrderReader
    email: EmailSender
    sms: SmsSender
    ledger: DeliveryLedger
    metrics: DeliveryMetrics
    tracking_base_url: str = ""

    def notify(self, event: OrderEvent) -> list[DeliveryOutcome]:
        """Deliver the notification for `event`; raises NotificationsPending if a channel must be retried."""
        kind = KIND_BY_EVENT_TYPE.get(event.event_type)
        if kind is None:
            logger.info("event skipped: no customer notification for this type", event_type=event.event_type)
            return []
        order = self.orders.get(event.order_id)
        if order is None:
            logger.warning("order not found: notification dropped", event_type=event.event_type)
            return []

        locale = message_locale(order)
        context = notification_context(order, locale, self.tracking_base_url)
        deliveries = []
        if order.customer.email:
            message = render_email(kind, locale, context)
            deliveries.append((Channel.EMAIL, partial(self._send_email, order.customer.email, message)))
        if order.customer.phone:
            text = render_sms(kind, locale, context)
            deliveries.append((Channel.SMS, partial(self._send_sms, order.customer.phone, text)))
        if not deliveries:
            logger.warning("customer has no email or phone: nothing to send")
            return []

        outcomes: list[DeliveryOutcome] = []
        pending: list[Channel] = []
        for channel, send in deliveries:
            try:
                outcome = self.ledger.deliver_once(DeliveryKey(event.event_id, channel), send)
            except RetryableError as error:
                logger.warning("delivery will be retried", channel=channel.value, reason=str(error))
                pending.append(channel)
                continue
            if outcome.replayed:
                logger.info(
                    "delivery already done for this event", channel=channel.value, status=outcome.status.value
                )
            else:
                self.metrics.record(outcome)
            outcomes.append(outcome)
        if pending:
            raise NotificationsPending(pending)
        return outcomes

    def _send_email(self, address: str, message: EmailMessage) -> DeliveryOutcome:
        try:
            message_id = self.email.send(address, message)
        except DeliveryRejected as rejected:
            logger.warning("email rejected: not retried", recipient=mask_email(address), code=rejected.code)
            return DeliveryOutcome(Channel.EMAIL, DeliveryStatus.REJECTED)
        logger.info("email sent", recipient=mask_email(address), message_id=message_id)
        return DeliveryOutcome(Channel.EMAIL, DeliveryStatus.SENT, message_id)

    def _send_sms(self, phone: str, text: str) -> DeliveryOutcome:
        try:
            if self.sms.is_opted_out(phone):
                logger.info("sms suppressed: number opted out", recipient=mask_phone(phone))
                return DeliveryOutcome(Channel.SMS, DeliveryStatus.SUPPRESSED)
            message_id = self.sms.send(phone, text)
        except DeliveryRejected as rejected:
            logger.warning("sms rejected: not retried", recipient=mask_phone(phone), code=rejected.code)
            return DeliveryOutcome(Channel.SMS, DeliveryStatus.REJECTED)
        logger.info("sms sent", recipient=mask_phone(phone), message_id=message_id)
        return DeliveryOutcome(Channel.SMS, DeliveryStatus.SENT, message_id)
