"""Notification outcomes as CloudWatch metrics (EMF, flushed by the handler's `log_metrics`):
`<Channel><Status>`, e.g. `EmailSent`, `SmsSent`, `SmsSuppressed`, `EmailFailed`, `SmsHeld`,
`EmailCollapsed`; plus `SmsSegments` (parts billed)."""

from __future__ import annotations

from aws_lambda_powertools.metrics import Metrics, MetricUnit

from notifications.domain.model import Channel, NotificationEntry

_CHANNEL_NAMES = {Channel.EMAIL: "Email", Channel.SMS: "Sms"}


class PowertoolsDeliveryMetrics:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def record(self, entry: NotificationEntry) -> None:
        name = _CHANNEL_NAMES[entry.channel] + entry.status.value.capitalize()
        self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        if entry.segments:
            self._metrics.add_metric(name="SmsSegments", unit=MetricUnit.Count, value=entry.segments)
