"""Delivery counts as CloudWatch metrics (EMF, flushed by the handler's `log_metrics`):
`EmailSent`, `SmsSent`, `SmsSuppressed`, `EmailRejected`, `SmsRejected`."""

from __future__ import annotations

from aws_lambda_powertools.metrics import Metrics, MetricUnit

from notifications.domain.model import Channel, DeliveryOutcome

_CHANNEL_NAMES = {Channel.EMAIL: "Email", Channel.SMS: "Sms"}


class PowertoolsDeliveryMetrics:
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def record(self, outcome: DeliveryOutcome) -> None:
        name = _CHANNEL_NAMES[outcome.channel] + outcome.status.value.capitalize()
        self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
