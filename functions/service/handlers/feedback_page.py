"""The public survey page: `GET /feedback/{token}` shows the form, `POST` stores the answers; and
the "was your complaint resolved?" page of a resolved case: `GET /case/{token}`, `POST` answers.

No API key: the signed token in the path is the customer's proof. Answers are HTML pages in the
order's language; a tampered token gets a 404 page that says nothing about why."""

from __future__ import annotations

import base64
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from service import dependencies
from service.dependencies import (
    page_events,
    page_link_keys,
    page_orders,
    page_rules,
    page_store,
    page_time_zones,
)
from service.domain.feedback_page import Page, show_feedback_form, submit_feedback_form
from service.pages import render_page
from shared.errors import RetryableError
from shared.http_api import RETRY_AFTER_SECONDS
from shared.observability import logger, metrics
from shared.transient import error_code, is_transient

MAX_FORM_BYTES = 16 * 1024
HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token is in the URL
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}

app = APIGatewayHttpResolver()


def _html(page: Page) -> Response:
    headers = dict(HEADERS)
    if page.template.startswith("case_"):
        # the case page checks the form's Origin: with no-referrer browsers would send `Origin: null`
        # (same-origin still keeps the token from other sites)
        headers["Referrer-Policy"] = "same-origin"
    if page.status == HTTPStatus.SERVICE_UNAVAILABLE:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return Response(
        status_code=page.status,
        content_type="text/html; charset=utf-8",
        body=render_page(page),
        headers=headers,
    )


def _raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()


@app.get("/feedback/<token>")
def feedback_form(token: str) -> Response:
    page = show_feedback_form(
        token,
        page_link_keys(),
        page_orders(),
        page_store(),
        page_rules(),
        dependencies.clock(),
        page_time_zones(),
    )
    logger.info("feedback form", status=page.status)
    return _html(page)


@app.post("/feedback/<token>")
def submit_form(token: str) -> Response:
    event = app.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return _html(Page(415, "feedback_message.html", "en", {"kind": "unsupported"}))
    raw = _raw_body(event.raw_event)
    if len(raw) > MAX_FORM_BYTES:
        return _html(Page(413, "feedback_message.html", "en", {"kind": "too_large"}))
    try:  # strict: bytes or percent-escapes that are not UTF-8 are refused, never replaced
        fields = parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=32, errors="strict")
    except ValueError:  # not UTF-8 (UnicodeDecodeError), or more fields than the form has
        return _html(Page(400, "feedback_message.html", "en", {"kind": "unsupported"}))
    page = submit_feedback_form(
        token,
        fields,
        page_link_keys(),
        page_orders(),
        page_store(),
        page_rules(),
        dependencies.clock(),
        page_time_zones(),
        page_events(),
    )
    logger.debug("feedback submitted", status=page.status)
    if page.status == 200:
        metrics.add_metric(name="FeedbackSubmitted", unit=MetricUnit.Count, value=1)
    return _html(page)


def _form_fields(event: Any, page_template: str) -> dict[str, list[str]] | Page:
    """The urlencoded fields of a form POST, or the page that refuses it (415, 413, 400)."""
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return Page(415, page_template, "en", {"kind": "unsupported"})
    raw = _raw_body(event.raw_event)
    if len(raw) > MAX_FORM_BYTES:
        return Page(413, page_template, "en", {"kind": "too_large"})
    try:
        return parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=32, errors="strict")
    except ValueError:
        return Page(400, page_template, "en", {"kind": "unsupported"})


@app.get("/case/<token>")
def case_question(token: str) -> Response:
    from service.domain.case_page import show_case_question
    from shared.form_tokens import new_nonce

    page = show_case_question(
        token, page_link_keys(), page_store(), page_orders(), dependencies.clock(), new_nonce()
    )
    logger.info("case question", status=page.status)
    return _html(page)


@app.post("/case/<token>")
def case_answer(token: str) -> Response:
    from service.domain.case_page import MESSAGE, answer_case_question
    from shared.form_tokens import same_origin_request

    event = app.current_event
    if not same_origin_request(dict(event.headers)):
        return _html(Page(400, MESSAGE, "en", {"kind": "stale_form"}))
    fields = _form_fields(event, MESSAGE)
    if isinstance(fields, Page):
        return _html(fields)
    page = answer_case_question(
        token, fields, page_link_keys(), page_store(), page_orders(), page_rules(), dependencies.clock()
    )
    logger.info("case answered", status=page.status)
    return _html(page)


@app.not_found
def not_found(_: Exception) -> Response:
    return _html(Page(404, "feedback_message.html", "en", {"kind": "not_found"}))


@app.exception_handler(Exception)
def unavailable(error: Exception) -> Response:
    """Throttling left after botocore's retries (reading the order, say): a 503 page asking to
    try again, never Lambda's bare 500. Anything else is a fault and is raised."""
    if not isinstance(error, RetryableError) and not is_transient(error):
        raise error
    logger.warning("temporarily unavailable", reason=error_code(error))
    return _html(Page(503, "feedback_message.html", "en", {"kind": "busy"}))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
