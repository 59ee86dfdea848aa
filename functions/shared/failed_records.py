"""The `FailedRecords` metric of a partial batch response (see `shared.partial_batches`).

Apart from `shared.partial_batches` so that a consumer that builds its own partial batch response
(the stream dispatcher, the KPI aggregates) does not import Powertools' batch utility: once
pydantic is loaded, importing it builds every Powertools event model (`make bench`, section 1).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.observability import metrics

FAILED_RECORDS_METRIC = "FailedRecords"


def with_failed_records_counted(response: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """A partial batch response built without Powertools' processor, its failures counted."""
    record_failed_records(len(response.get("batchItemFailures", [])), context)
    return response


def record_failed_records(count: int, context: LambdaContext) -> None:
    """Emit `FailedRecords` = `count` for this function (nothing when no record failed)."""
    if count <= 0:
        return
    with single_metric(
        name=FAILED_RECORDS_METRIC, unit=MetricUnit.Count, value=count, namespace=metrics.namespace
    ) as metric:
        metric.add_dimension(name="function_name", value=context.function_name)
        if metrics.service:
            metric.add_dimension(name="service", value=str(metrics.service))
