"""KPI metric points as CloudWatch embedded-metric-format lines (Powertools Metrics).

Points without dimensions go to the function's `metrics` (dimension `service`, flushed by the
handler's `log_metrics`); points with dimensions (carrier, reason, channel, status; all bounded by
`stats.domain.contributions`) are written at once with `single_metric`, also under `service`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from stats.domain.contributions import MetricPoint

_UNITS = {"Count": MetricUnit.Count, "Seconds": MetricUnit.Seconds}


class EmfKpiMetrics:
    def __init__(self, metrics: Any, service: str) -> None:
        self._metrics = metrics
        self._service = service

    def publish(self, points: Sequence[MetricPoint]) -> None:
        for point in points:
            unit = _UNITS[point.unit]
            if not point.dimensions:
                self._metrics.add_metric(name=point.name, unit=unit, value=point.value)
                continue
            with single_metric(
                name=point.name, unit=unit, value=point.value, namespace=self._metrics.namespace
            ) as metric:
                metric.add_dimension(name="service", value=self._service)
                for name, value in point.dimensions:
                    metric.add_dimension(name=name, value=value)
