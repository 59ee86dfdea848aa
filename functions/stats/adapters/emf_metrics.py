"""KPI metric points as CloudWatch embedded-metric-format lines (Powertools Metrics).

Points without dimensions go to the function's `metrics` (dimension `service`, flushed by the
handler's `log_metrics`). Points with dimensions (carrier, reason, channel, status; all bounded by
`stats.domain.contributions`) are written at once, one EMF line per dimension set of a `publish`
call with every metric and value of that set (EMF carries a list of values per metric), also under
`service`: an EMF line is a log line, billed by the byte, so one per set rather than one per point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from stats.domain.contributions import MetricPoint

_UNITS = {"Count": MetricUnit.Count, "Seconds": MetricUnit.Seconds}


class EmfKpiMetrics:
    def __init__(self, metrics: Any, service: str) -> None:
        self._metrics = metrics
        self._service = service

    def publish(self, points: Sequence[MetricPoint]) -> None:
        by_dimensions: dict[tuple[tuple[str, str], ...], list[MetricPoint]] = {}
        for point in points:
            if not point.dimensions:
                self._metrics.add_metric(name=point.name, unit=_UNITS[point.unit], value=point.value)
            else:
                by_dimensions.setdefault(tuple(point.dimensions), []).append(point)
        for dimensions, group in by_dimensions.items():
            line = EphemeralMetrics(namespace=self._metrics.namespace)
            line.add_dimension(name="service", value=self._service)
            for name, value in dimensions:
                line.add_dimension(name=name, value=value)
            for point in group:
                line.add_metric(name=point.name, unit=_UNITS[point.unit], value=point.value)
            line.flush_metrics()
