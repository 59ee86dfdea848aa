"""The one way ordertrack builds a Lambda function.

`FunctionRuntime` holds what every function shares (runtime, architecture, the `functions/` code
asset and the dependencies layer); `ServiceFunction` adds one function with its own role, log group,
X-Ray tracing and Powertools environment. Permissions are granted by the capability construct that
owns the function, with `grant_*`, right after creating it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import (
    REPO_ROOT,
    FunctionSettings,
    QueueConsumerSettings,
    StageConfig,
    StreamConsumerSettings,
)
from infra.constructs.log_groups import retained_log_group
from infra.constructs.logical_ids import pin_logical_id
from infra.constructs.nag import TABLE_INDEX_WILDCARD, suppress
from layers import LAMBDA_ARCHITECTURE, LAMBDA_PYTHON_VERSION
from layers.build import BUILD_DIR as LAYER_BUILD_DIR
from layers.build import SITE_PACKAGES_DIR, STAMP_FILE

FUNCTIONS_DIR = REPO_ROOT / "functions"
CODE_EXCLUDES = [
    "tests",
    "__pycache__",
    "*.pyc",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
]
"""Glob patterns matched against every path's base name inside `functions/`."""
LAYER_EXCLUDES = [STAMP_FILE.name, ".staging-*"]

METRICS_NAMESPACE = "ordertrack"
XRAY_WILDCARD_REASON = (
    "Active X-Ray tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which "
    "support no resource-level permissions, so the statement that CDK adds must use Resource *."
)

RUNTIME: lambda_.Runtime = getattr(lambda_.Runtime, "PYTHON_" + LAMBDA_PYTHON_VERSION.replace(".", "_"))
ARCHITECTURE = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}[
    LAMBDA_ARCHITECTURE
]


LOCAL_OVERRIDE_METADATA_KEY = "ordertrack:local-override"
"""Function Metadata read by the local runtime: {function variable: local setting name}."""
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

STREAM_READ_REASON = (
    "Reading a DynamoDB stream also needs dynamodb:ListStreams, which IAM cannot scope to "
    "a table or stream, so the statement CDK adds for the event source uses Resource *."
)


class LayerNotBuiltError(RuntimeError):
    """Synth needs the dependencies layer on disk; it is built by `make layer`."""


class FunctionRuntime(Construct):
    """Runtime, architecture, code asset and dependencies layer shared by every function."""

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig) -> None:
        super().__init__(scope, construct_id)
        if not SITE_PACKAGES_DIR.is_dir():
            raise LayerNotBuiltError(
                f"the dependencies layer is not built ({SITE_PACKAGES_DIR} is missing): "
                "run `make layer` or `python -m layers.build` before synthesizing"
            )
        self.config = config
        self.runtime = RUNTIME
        self.architecture = ARCHITECTURE
        self.code = lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=CODE_EXCLUDES)
        self.dependencies_layer = lambda_.LayerVersion(
            self,
            "DependenciesLayer",
            code=lambda_.Code.from_asset(str(LAYER_BUILD_DIR), exclude=LAYER_EXCLUDES),
            compatible_runtimes=[self.runtime],
            compatible_architectures=[self.architecture],
            description="ordertrack third-party dependencies (layers/requirements.txt)",
        )
        pin_logical_id(self.dependencies_layer, "DependenciesLayer")


class ServiceFunction(Construct):
    """One Lambda function with its own least-privilege role and log group.

    `name` becomes the pinned logical ids `<name>Function`, `<name>Role` and `<name>Logs`.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        runtime: FunctionRuntime,
        name: str,
        handler: str,
        service_name: str,
        description: str,
        settings: FunctionSettings,
        environment: Mapping[str, str] | None = None,
        unscoped_resource_reasons: Sequence[str] = (),
        local_overrides: Mapping[str, str] | None = None,
    ) -> None:
        """`unscoped_resource_reasons` justify further statements on Resource * in the role's default
        policy (cdk-nag keeps one suppression per finding, so all reasons go into one).

        `local_overrides` maps a function variable to the name of a local setting: when the local
        runtime has that setting, the function gets its value (set or replaced); on AWS nothing
        changes. It lands in the function's `ordertrack:local-override` Metadata."""
        super().__init__(scope, construct_id)
        config = runtime.config
        self.service_name = service_name  # the `service` dimension of its metrics
        self.log_group = retained_log_group(self, "Logs", config.log_retention_days)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of the ordertrack {handler} function",
        )
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=runtime.runtime,
            architecture=runtime.architecture,
            handler=handler,
            code=runtime.code,
            layers=[runtime.dependencies_layer],
            role=self.role,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE,
            memory_size=settings.memory_mb,
            timeout=Duration.seconds(settings.timeout_seconds),
            environment={
                "POWERTOOLS_SERVICE_NAME": service_name,
                "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": config.log_level,
                **(environment or {}),
            },
        )
        pin_logical_id(self.function, f"{name}Function")
        self._local_overrides: dict[str, str] = {}
        for variable, setting in (local_overrides or {}).items():
            self.add_local_override(variable, setting)
        pin_logical_id(self.role, f"{name}Role")
        pin_logical_id(self.log_group, f"{name}Logs")
        suppress(
            self.role,
            "AwsSolutions-IAM5",
            " ".join((XRAY_WILDCARD_REASON, *unscoped_resource_reasons)),
            applies_to=["Resource::*"],
        )

    def add_local_override(self, variable: str, setting: str) -> None:
        """See `local_overrides`: the local runtime may set `variable` from its setting `setting`."""
        if not (_VARIABLE_NAME.match(variable) and _VARIABLE_NAME.match(setting)):
            raise ValueError(f"local override {variable!r} <- {setting!r}: not environment names")
        self._local_overrides[variable] = setting
        self.function.node.default_child.add_metadata(  # type: ignore[union-attr]
            LOCAL_OVERRIDE_METADATA_KEY, dict(sorted(self._local_overrides.items()))
        )

    def grant_table_read_data(self, table: dynamodb.ITable) -> None:
        table.grant_read_data(self.function)
        self._allow_table_indexes()

    def grant_table_read_write_data(self, table: dynamodb.ITable) -> None:
        table.grant_read_write_data(self.function)
        self._allow_table_indexes()

    def _allow_table_indexes(self) -> None:
        suppress(
            self.role,
            "AwsSolutions-IAM5",
            "A table grant_read_data or grant_read_write_data also covers the table's global secondary "
            "indexes, which IAM can only name with the table ARN followed by /index/*.",
            applies_to=[TABLE_INDEX_WILDCARD],
        )

    def consume_table_stream(
        self,
        table: dynamodb.ITable,
        settings: StreamConsumerSettings,
        on_failure: sqs.IQueue,
        pattern: dict[str, Any] | Sequence[dict[str, Any]],
    ) -> None:
        """Read `table`'s stream, only the records matching `pattern` (Lambda event filtering; a
        sequence of patterns: any of them), in order per shard: partial batch failures, bisection
        on error (unless turned off), bounded retries (or until the record expires) and record age,
        and exhausted batches described on `on_failure`."""
        patterns = [pattern] if isinstance(pattern, dict) else list(pattern)
        self.function.add_event_source(
            event_sources.DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=settings.batch_size,
                max_batching_window=Duration.seconds(settings.batching_window_seconds),
                bisect_batch_on_error=settings.bisect_batch_on_error,
                retry_attempts=settings.retry_attempts,
                max_record_age=Duration.seconds(settings.max_record_age_seconds),
                report_batch_item_failures=True,
                on_failure=event_sources.SqsDlq(on_failure),
                filters=[lambda_.FilterCriteria.filter(each) for each in patterns],
            )
        )

    def consume_queue(self, queue: sqs.IQueue, settings: QueueConsumerSettings) -> None:
        """Drain `queue` in batches; the handler reports partial batch failures, always. At most
        `settings.max_concurrency` invocations at once, so a backlog leaves the account's
        concurrency to the API."""
        self.function.add_event_source(
            event_sources.SqsEventSource(
                queue,
                batch_size=settings.batch_size,
                max_batching_window=Duration.seconds(settings.batching_window_seconds),
                report_batch_item_failures=True,
                max_concurrency=settings.max_concurrency,
            )
        )
