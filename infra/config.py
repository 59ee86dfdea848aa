"""Per-stage settings of the CDK app, validated before any construct is built.

A stage is chosen with `-c stage=NAME` (CDK CLI) or the `stage` key of the `cdk.json` context;
its overrides live under `context.stages.NAME` in `cdk.json` and are merged over the defaults
below. With no context at all the defaults describe the `dev` stage.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

REPO_ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_ROOT = REPO_ROOT / "functions"
if str(FUNCTIONS_ROOT) not in sys.path:
    # The Lambda source root, importable as on Lambda: stage settings that the functions read are
    # validated with the functions' own models (one definition), e.g. the notification policy.
    sys.path.append(str(FUNCTIONS_ROOT))

from carriers.domain.carrier_catalog import CarrierRouting  # noqa: E402
from notifications.domain.policy import DEFAULT_POLICY, NotificationPolicy  # noqa: E402
from shared.brand import DEV_BRAND, Brand  # noqa: E402

CDK_JSON = REPO_ROOT / "cdk.json"
DEFAULT_STAGE = "dev"
STACK_NAME = "Ordertrack"
"""The one stack; its template is `cdk.out/Ordertrack.template.json`."""

LOG_RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
"""The retention periods CloudWatch Logs accepts."""

VISIBILITY_TIMEOUT_FACTOR = 6
"""AWS guidance: a queue's visibility timeout is at least six times its consumer's timeout."""

PLACEHOLDER_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
"""Domains reserved for documentation (RFC 2606): no mail sent from or to them reaches anyone. The
default `sender_email` is one; every stage but dev must replace it."""


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FunctionSettings(_Settings):
    memory_mb: int = Field(default=512, ge=128, le=10240)
    timeout_seconds: int = Field(default=30, ge=1, le=900)


class ApiSettings(_Settings):
    function: FunctionSettings = FunctionSettings(timeout_seconds=10)
    throttling_rate_limit: float = Field(default=50, gt=0, description="steady requests per second")
    throttling_burst_limit: int = Field(default=100, gt=0)
    webhook_throttling_rate_limit: float = Field(
        default=50,
        gt=0,
        description="steady requests per second of the carrier webhook route, its own limit apart from "
        "the storefront routes' (the stage default), so neither can use up the other's",
    )
    webhook_throttling_burst_limit: int = Field(default=100, gt=0)
    authorizer: FunctionSettings = FunctionSettings(memory_mb=256, timeout_seconds=5)
    authorizer_cache_seconds: int = Field(
        default=300,
        ge=0,
        le=3600,
        description="how long API Gateway caches the authorizer's answer per API key (0: no cache)",
    )

    @field_validator("function")
    @classmethod
    def _fits_http_api_timeout(cls, function: FunctionSettings) -> FunctionSettings:
        if function.timeout_seconds > 30:
            raise ValueError("an HTTP API integration times out after 30 s; keep the API function below")
        return function


class StreamConsumerSettings(_Settings):
    """The DynamoDB stream event source mapping and its function."""

    function: FunctionSettings = FunctionSettings()
    batch_size: int = Field(default=100, ge=1, le=10000)
    batching_window_seconds: int = Field(default=1, ge=0, le=300)
    retry_attempts: int | None = Field(
        default=5, ge=0, le=10000, description="None: retried until the record expires from the stream"
    )
    max_record_age_seconds: int = Field(default=86400, ge=60, le=604800)
    bisect_batch_on_error: bool = True


class QueueConsumerSettings(_Settings):
    """An SQS queue, its dead-letter queue and the worker that drains it."""

    function: FunctionSettings = FunctionSettings()
    batch_size: int = Field(default=10, ge=1, le=10000)
    batching_window_seconds: int = Field(default=0, ge=0, le=300)
    max_receive_count: int = Field(default=5, ge=1, le=1000)
    max_concurrency: int = Field(
        default=5,
        ge=2,
        le=1000,
        description="most concurrent invocations the queue's event source mapping starts (AWS minimum 2), "
        "so a backlog cannot take the account's concurrency from the API",
    )
    visibility_timeout_seconds: int | None = Field(
        default=None, ge=0, le=43200, description="None: six times the function timeout plus the window"
    )

    @model_validator(mode="after")
    def _check_batching(self) -> QueueConsumerSettings:
        if self.batch_size > 10 and self.batching_window_seconds < 1:
            raise ValueError("SQS batches above 10 messages need a batching window of at least 1 s")
        minimum = self.minimum_visibility_timeout_seconds
        if self.visibility_timeout_seconds is not None and self.visibility_timeout_seconds < minimum:
            raise ValueError(
                f"visibility_timeout_seconds must be at least {VISIBILITY_TIMEOUT_FACTOR} x the function "
                f"timeout ({minimum} s), or a message is redelivered while it is still being processed"
            )
        return self

    @property
    def minimum_visibility_timeout_seconds(self) -> int:
        return VISIBILITY_TIMEOUT_FACTOR * self.function.timeout_seconds

    @property
    def effective_visibility_timeout_seconds(self) -> int:
        if self.visibility_timeout_seconds is not None:
            return self.visibility_timeout_seconds
        return self.minimum_visibility_timeout_seconds + self.batching_window_seconds


class CustomerNotificationSettings(QueueConsumerSettings):
    """NotificationQueue and its worker, plus what the worker is told about the policy and retries."""

    policy: NotificationPolicy = Field(
        default=DEFAULT_POLICY,
        description="notifications.domain.policy.NotificationPolicy: fields not given keep its defaults",
    )
    retry_base_seconds: int = Field(
        default=30, ge=1, le=900, description="first delay of the worker's own retries (doubles each time)"
    )

    def policy_json(self) -> str:
        """The policy as the worker's NOTIFICATION_POLICY variable: compact and deterministic (sets
        sorted), so an unchanged policy never changes the template."""
        document = self.policy.model_dump(mode="json")
        for name, value in self.policy:
            if isinstance(value, set | frozenset):
                document[name] = sorted(document[name])
        return json.dumps(document, separators=(",", ":"), sort_keys=True)


class OrderLifecycleSettings(_Settings):
    """Pending-payment holds and the rules that hold suspicious orders for review."""

    payment_hold_minutes: int = Field(default=30, ge=1, le=7 * 24 * 60)
    expiry_sweep_minutes: int = Field(
        default=1, ge=1, le=60, description="how often unpaid holds are released"
    )
    hold_rules: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of orders.domain.hold_rules.HoldRules (address_completeness, "
        "enforce_max_per_order, duplicate_window_minutes, max_order_value)",
    )
    sweeper: FunctionSettings = FunctionSettings(timeout_seconds=60)


class CustomerServiceSettings(_Settings):
    """Feedback, complaints and returns (docs/customer-service.md)."""

    feedback_delay_hours: float = Field(default=24, ge=0, le=24 * 30, description="survey after delivery")
    feedback_link_days: int = Field(default=30, ge=1, le=365, description="the survey link's validity")
    overdue_check_minutes: int = Field(default=15, ge=1, le=1440, description="complaint overdue sweep")
    rules: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of service.domain.rules.ServiceRules (feedback_edit_days, return_window_days, "
        "response_hours, high_value, base_priority, repeat_window_days, low_rating_max, refund_shipping, "
        "manager_refund_above)",
    )
    page: FunctionSettings = FunctionSettings(timeout_seconds=10)
    sweeper: FunctionSettings = FunctionSettings(timeout_seconds=60)


class DeliveryExceptionSettings(_Settings):
    """Delivery exceptions as work items (docs/exceptions.md)."""

    rules: dict[str, Any] = Field(
        default_factory=dict,
        description="overrides of delivery_exceptions.domain.rules.ExceptionRules (due_hours per reason, "
        "default_assignee)",
    )
    opener: QueueConsumerSettings = QueueConsumerSettings(function=FunctionSettings(timeout_seconds=10))


class OperationsConsoleSettings(_Settings):
    """The operations console (docs/console.md)."""

    phone_regions: list[str] = Field(
        default_factory=lambda: ["CN"],
        max_length=5,
        description="regions (ISO 3166-1 alpha-2) whose national phone numbers the console's search "
        "reads without a +: with CN, 13800138000 finds +8613800138000; each is one more lookup",
    )

    @field_validator("phone_regions")
    @classmethod
    def _known_regions(cls, regions: list[str]) -> list[str]:
        import phonenumbers

        unknown = [region for region in regions if region not in phonenumbers.SUPPORTED_REGIONS]
        if unknown:
            raise ValueError(f"unknown phone regions {unknown}: use ISO 3166-1 alpha-2 codes such as CN, US")
        if len(set(regions)) != len(regions):
            raise ValueError("phone_regions lists a region twice")
        return regions


class CarrierSettings(_Settings):
    accept_test_mode_events: bool | None = Field(
        default=None,
        description="Apply providers' test-mode events (EasyPost `mode: test`); "
        "default: only on the dev stage, ignored (200, counted) elsewhere",
    )
    pre_registration_window_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Events that arrived before a shipment registered its tracking number apply to it "
        "only if of its carrier and at most this many days older than its registration",
    )
    routing: CarrierRouting = Field(
        default=CarrierRouting(),
        description="Which provider each carrier's tracking numbers are registered with: `routes` "
        "(carrier slug -> easypost | aftership | kuaidi100 | 17track | shippo | none) and `default`",
    )
    webhook_worker: QueueConsumerSettings = QueueConsumerSettings(max_concurrency=5)
    registration_worker: QueueConsumerSettings = QueueConsumerSettings(
        function=FunctionSettings(timeout_seconds=120), batch_size=5, max_concurrency=2
    )
    registration_retry_base_seconds: int = Field(
        default=30, ge=1, le=900, description="first backoff after a provider outage (doubles per receive)"
    )

    def routing_json(self) -> str:
        return json.dumps(self.routing.model_dump(), separators=(",", ":"), sort_keys=True)


class StageConfig(_Settings):
    stage: str = Field(default=DEFAULT_STAGE, pattern=r"^[a-z][a-z0-9-]{0,19}$")
    search_index_projection: Literal["KEYS_ONLY", "ALL"] = Field(
        default="KEYS_ONLY",
        description="What the orders table's gsi1 and gsi2 hold. KEYS_ONLY (new stacks): a write that "
        "leaves an index key alone costs the index nothing (docs/capacity.md). ALL: for a stack first "
        "deployed with all-attribute indexes, which CloudFormation cannot change in place "
        "(docs/data-model.md); the code reads either.",
    )
    brand: Brand | None = Field(
        default=None,
        description="shared.brand.Brand: the shop's name (required on every stage but dev, which uses "
        "a demo brand), logo, support contacts, order-page URL pattern and SMS signature",
    )
    sender_email: EmailStr = "orders@example.com"
    sms_sender_id: str = Field(
        default="ordertrack", pattern=r"^[A-Za-z0-9-]{0,11}$", description="empty: no sender id"
    )
    tracking_base_url: str = ""
    operations_emails: list[EmailStr] = Field(
        default_factory=list, description="addresses subscribed to the OperationsAlerts topic"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_retention_days: int = 30
    api: ApiSettings = ApiSettings()
    order_events: StreamConsumerSettings = StreamConsumerSettings()
    kpi_aggregates: StreamConsumerSettings = Field(
        default=StreamConsumerSettings(
            retry_attempts=None, bisect_batch_on_error=False, batch_size=1000, batching_window_seconds=10
        ),
        description="The KPI aggregates' stream reader: a failed batch is retried, whole or from the "
        "group it reports, until it succeeds (the on-failure queue only receives the batch's metadata, "
        "so a discarded batch would lose counts); bisection would start a retry inside a written group. "
        "Batches of up to 1,000 changes gathered for up to 10 s: the aggregates are written once per "
        "group of a batch (a checkpoint and one update per day and family it touches, in one "
        "transaction), so the fuller the batch, the fewer writes per order; the KPIs lag the orders by "
        "those seconds at most.",
    )
    stock_reservation: QueueConsumerSettings = Field(
        default=QueueConsumerSettings(
            batch_size=50, batching_window_seconds=1, max_receive_count=100, max_concurrency=10
        ),
        description="ReservationQueue and ReserveStock. Batches of up to 50 orders within 1 s are "
        "group-committed (one transaction and one audit record per SKU per batch: a hot SKU's "
        "ceiling is 6,250 one-unit reservations/s, see inventory.adapters.dynamo_group_reservations). "
        "max_receive_count is 100 because a conflict must never dead-letter an order: conflicts are "
        "retried 4 times in process and then come back within seconds (2 s doubling per receive, "
        "at most 60 s, jittered), so 100 receives are about 45 minutes of a conflict that never "
        "clears, i.e. an outage; a record failing for any other reason keeps the 181 s visibility "
        "timeout and dead-letters after about 5 hours.",
    )
    notifications: CustomerNotificationSettings = CustomerNotificationSettings(max_concurrency=5)
    order_lifecycle: OrderLifecycleSettings = OrderLifecycleSettings()
    customer_service: CustomerServiceSettings = CustomerServiceSettings()
    carriers: CarrierSettings = CarrierSettings()
    delivery_exceptions: DeliveryExceptionSettings = DeliveryExceptionSettings()
    console: OperationsConsoleSettings = OperationsConsoleSettings()

    @property
    def effective_brand(self) -> Brand:
        """The stage's brand; dev falls back to the demo brand."""
        return self.brand or DEV_BRAND

    @property
    def accepts_test_mode_events(self) -> bool:
        configured = self.carriers.accept_test_mode_events
        return self.stage == DEFAULT_STAGE if configured is None else configured

    @field_validator("log_retention_days")
    @classmethod
    def _known_retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"CloudWatch Logs accepts only these retention periods: {sorted(LOG_RETENTION_DAYS)}"
            )
        return days

    @model_validator(mode="after")
    def _deployable_stage_reaches_people(self) -> StageConfig:
        """Every stage but dev sends customers' email from a real address and pages real people:
        the placeholder sender and an empty alert list stop synthesis, naming the cdk.json keys."""
        if self.stage == DEFAULT_STAGE:
            return self
        key = f"context.stages.{self.stage}"
        problems = []
        if self.brand is None:
            problems.append(
                f"set {key}.brand.shop_name in cdk.json to the shop's name customers know "
                '(e.g. {"en": "Acme", "zh-CN": "艾克米"}): every message and page carries it'
            )
        if is_placeholder_email(self.sender_email):
            problems.append(
                f"set {key}.sender_email in cdk.json to the address customers' email is sent from "
                f"(now {self.sender_email!r}, a documentation domain nobody receives mail from)"
            )
        if not self.operations_emails:
            problems.append(
                f"set {key}.operations_emails in cdk.json to the addresses the OperationsAlerts topic "
                "emails (alarms and operations alerts reach no one without them)"
            )
        placeholders = [address for address in self.operations_emails if is_placeholder_email(address)]
        if placeholders:
            problems.append(
                f"replace {placeholders} in {key}.operations_emails in cdk.json: a documentation "
                "domain receives no mail"
            )
        if problems:
            raise ValueError(f"stage {self.stage!r} cannot be deployed yet: " + "; ".join(problems))
        return self


def is_placeholder_email(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].lower()
    return any(
        domain == placeholder or domain.endswith(f".{placeholder}")
        for placeholder in PLACEHOLDER_EMAIL_DOMAINS
    )


class UnknownStageError(ValueError):
    """The requested stage has no entry under `stages` in the cdk.json context."""


def read_cdk_json_context(cdk_json: Path = CDK_JSON) -> dict[str, Any]:
    """The `context` block of cdk.json (feature flags, stage, stages); empty if there is none."""
    if not cdk_json.is_file():
        return {}
    context = json.loads(cdk_json.read_text()).get("context", {})
    return dict(context)


def load_stage_config(context: Mapping[str, Any] | None = None) -> StageConfig:
    """Resolve the stage named in `context` (defaults to cdk.json's) into a validated StageConfig."""
    context = read_cdk_json_context() if context is None else context
    stage = str(context.get("stage") or DEFAULT_STAGE)
    stages: Mapping[str, Any] = context.get("stages") or {}
    if stage not in stages and stage != DEFAULT_STAGE:
        known = ", ".join(sorted(stages)) or "none"
        raise UnknownStageError(
            f"stage {stage!r} is not defined under context.stages in cdk.json (known: {known})"
        )
    return StageConfig.model_validate({**stages.get(stage, {}), "stage": stage})
