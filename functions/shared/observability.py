"""The Powertools logger and metrics every function shares.

Each reads its service name and namespace from the function's environment
(`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE`), set by the CDK construct.

Tracing: the functions run with X-Ray active tracing (set in CDK), which records every invocation
and its duration without code. The X-Ray SDK (Powertools Tracer) is deliberately not imported:
it adds about 165 ms to every cold start (measured by `make bench`), more than the rest of a
handler's imports together.
"""

from __future__ import annotations

import os
import warnings

from aws_lambda_powertools import Logger, Metrics

# Reads and refused requests legitimately publish no metric; Powertools would warn on each.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
# The namespace comes from POWERTOOLS_METRICS_NAMESPACE (set on every function by CDK); the fallback
# keeps a flush from failing a whole batch where the variable is missing.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "ordertrack"))
