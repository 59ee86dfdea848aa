"""The Powertools logger and metrics every function shares.

Each reads its service name and namespace from the function's environment
(`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`), set by the CDK construct.

Tracing: the functions run with X-Ray active tracing (set in CDK), which records every invocation
and its duration without code. The X-Ray SDK (Powertools Tracer) is deliberately not imported:
it adds about 165 ms to every cold start (measured by `make bench`), more than the rest of a
handler's imports together.

Log volume (CloudWatch Logs bills every byte ingested; `make bench` section 7 measures bytes per
order at the prod stage's INFO level): a line leaves out what its log stream already says (the
function's name, ARN and memory size; `cold_start` unless it is true). Handlers log a per-record
success at DEBUG; INFO is for what an operator acts on, warnings and errors always stay.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

# Reads and refused requests legitimately publish no metric; Powertools would warn on each.
warnings.filterwarnings("ignore", message="No application metrics to publish")

_IMPLIED_BY_THE_LOG_STREAM = ("function_name", "function_arn", "function_memory_size")


class LeanFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON lines without the keys every line of a function's log stream shares."""

    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        for key in _IMPLIED_BY_THE_LOG_STREAM:
            log.pop(key, None)
        if log.get("cold_start") is False:
            log.pop("cold_start")
        return super().serialize(log)  # type: ignore[arg-type]


logger = Logger(logger_formatter=LeanFormatter())
# The namespace comes from POWERTOOLS_METRICS_NAMESPACE (set on every function by CDK); the fallback
# keeps a flush from failing a whole batch where the variable is missing.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "ordertrack"))
