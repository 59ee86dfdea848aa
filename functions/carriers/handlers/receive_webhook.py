"""`POST /v1/webhooks/{provider}`: verify the provider's signature, validate, enqueue, answer 200."""

from __future__ import annotations

import base64
import json
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from carriers import dependencies as wiring
from carriers.adapters.sqs_webhook_queue import SqsWebhookQueue
from carriers.adapters.webhook_secrets import SecretsManagerWebhookSecrets
from carriers.domain.intake import SecretOf, WebhookRequest, accept_webhook, acknowledgement, provider_of
from carriers.models.tracking import Provider
from shared.aws_clients import aws_client
from shared.clock import isoformat
from shared.errors import DomainError, PayloadTooLarge, Unauthorized
from shared.observability import logger, metrics
from shared.settings import FunctionSettings

if TYPE_CHECKING:  # the ports module imports the order models: not needed at run time here
    from carriers.domain.ports import WebhookQueue


class WebhookSettings(FunctionSettings):
    webhook_queue_url: str
    easypost_webhook_secret_arn: str
    aftership_webhook_secret_arn: str
    kuaidi100_webhook_secret_arn: str
    generic_webhook_secret_arn: str
    seventeentrack_webhook_secret_arn: str
    shippo_webhook_secret_arn: str


class EventFilterSettings(FunctionSettings):
    accept_test_mode_events: bool = True  # stage setting `carriers.accept_test_mode_events`


@cache
def dependencies() -> tuple[SecretOf, WebhookQueue]:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    settings = WebhookSettings()  # type: ignore[call-arg]
    secret_ids = {
        provider: getattr(settings, f"{secret_env_name(provider).lower()}_arn") for provider in Provider
    }
    secrets = SecretsManagerWebhookSecrets(
        secret_ids, SecretsProvider(boto3_client=aws_client("secretsmanager"))
    )
    return secrets, SqsWebhookQueue(settings.webhook_queue_url, aws_client("sqs"))


@cache
def accept_test_mode() -> bool:
    return EventFilterSettings().accept_test_mode_events


MAX_BODY_BYTES = 256 * 1024  # as the storefront API (shared.http_api, not imported: ~0.1 s of cold start)
JSON = "application/json"


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    error: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def secret_env_name(provider: Provider) -> str:
    """`<NAME>_WEBHOOK_SECRET`: environment names cannot start with a digit, so 17track is SEVENTEENTRACK."""
    return f"{provider.name}_WEBHOOK_SECRET"


def _response(status: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON},
        "body": json.dumps(payload, ensure_ascii=False),
    }


def _request(event: dict[str, Any]) -> WebhookRequest:
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is above {MAX_BODY_BYTES} bytes.")
    headers = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
    provider = (event.get("pathParameters") or {}).get("provider", "")
    query = {str(name): str(value) for name, value in (event.get("queryStringParameters") or {}).items()}
    return WebhookRequest(provider=provider, headers=headers, body=raw, query=query)


def receive_webhook(
    event: dict[str, Any], secret_of: SecretOf | None = None, queue: WebhookQueue | None = None
) -> dict[str, Any]:
    try:
        request = _request(event)
        logger.append_keys(provider=request.provider)
        if secret_of is None or queue is None:
            provider_of(request.provider)  # 404 before any AWS call
            secret_of, queue = dependencies()
        now = wiring.clock().now()
        accepted = accept_webhook(
            request, secret_of, queue, now.timestamp(), isoformat(now), accept_test_mode=accept_test_mode()
        )
    except Unauthorized as error:
        source = ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp")
        logger.warning("webhook signature rejected", code=error.code, details=error.details, source_ip=source)
        return _response(error.http_status, error_body(error.code, error.message))
    except DomainError as error:
        logger.info("webhook refused", code=error.code, status=error.http_status)
        return _response(error.http_status, error_body(error.code, error.message, error.details))
    update = accepted.update
    if update is None:  # verified, but not a tracking event (or a test-mode one): 200, not applied
        logger.info("webhook event ignored", reason=accepted.skipped, event_type=accepted.event_type)
        metrics.add_metric(name="WebhookEventsIgnored", unit=MetricUnit.Count, value=1)
        return _response(200, acknowledgement(provider_of(request.provider)))
    if update.ignored:
        logger.warning(
            "webhook values ignored",
            # the carrier's message text may name the recipient: field, raw value and code only
            ignored=[value.model_dump(exclude_none=True, exclude={"message"}) for value in update.ignored],
            tracking_number=update.tracking_number,
        )
        metrics.add_metric(name="CarrierValuesIgnored", unit=MetricUnit.Count, value=len(update.ignored))
    logger.debug("webhook accepted")
    return _response(200, acknowledgement(update.provider))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return receive_webhook(event)
