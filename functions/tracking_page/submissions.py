"""What a self-service form posted to a page does (`POST /track/{token}/{action}`,
`/unsubscribe/{token}/{action}`), and RFC 8058 one-click unsubscribe (`POST /unsubscribe/{token}`).

In order: the link (signed for the page's purpose), the form's encoding and size, the browser's
origin, the form's CSRF token, then the action through `tracking_page.self_service`. Anything
refused is a 4xx page that changes nothing.
"""

from __future__ import annotations

import base64
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.metrics import MetricUnit

from orders.models.order import OrderRecord
from shared import form_tokens
from shared.links import TRACK, verify
from shared.observability import logger, metrics
from tracking_page.forms import MAX_FORM_BYTES, ONE_CLICK_BODY
from tracking_page.page import (
    SETTINGS_ACTIONS,
    HtmlPage,
    PageServices,
    not_found,
    page_frame,
    unsubscribe_order,
)
from tracking_page.rendering import (
    choose_locale,
    template_environment,
)
from tracking_page.self_service import (
    ACTIONS,
    Done,
    FormRejected,
    ask_for_return,
    change_notifications,
    report_problem,
    unsubscribe_everything,
)
from tracking_page.self_service_texts import OUTCOMES
from tracking_page.texts import Locale


def outcome_page(
    status: int, kind: str, locale: Locale, order: OrderRecord, services: PageServices, **context: Any
) -> HtmlPage:
    """What a form did, or why it did nothing, with the way back to the page."""
    title, message = OUTCOMES[locale][kind]
    body = (
        template_environment()
        .get_template("outcome.html")
        .render(
            page_frame(
                locale,
                order,
                services,
                title=title,
                message=message.format(reference=context.get("reference") or ""),
                failed=status >= 400,
                back_url=context.get("back_url"),
            )
        )
    )
    return HtmlPage(status, body, locale, order.order_id)


def read_form(event: dict[str, Any]) -> dict[str, list[str]] | str:
    """The submitted fields, or the outcome kind that refuses the request (`unsupported`, `too_large`)."""
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    content_type = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return "unsupported"
    body = event.get("body") or ""
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    if len(raw) > MAX_FORM_BYTES:
        return "too_large"
    try:  # strict: bytes or percent-escapes that are not UTF-8 are refused, never replaced
        return parse_qs(raw.decode(), keep_blank_values=True, max_num_fields=160, errors="strict")
    except ValueError:
        return "unsupported"


def submit_form(
    token: str, purpose: str, action: str, event: dict[str, Any], services: PageServices
) -> HtmlPage:
    """A self-service form: the link, then the request's origin and CSRF token, then the form."""
    now = services.clock.now()
    if purpose == TRACK:
        link = verify(services.keys(), token, TRACK)
        tracked = services.orders.tracked_order(link.order_id) if link else None
        allowed = ACTIONS
    else:
        tracked = unsubscribe_order(token, services)
        allowed = SETTINGS_ACTIONS
    if tracked is None or services.self_service is None or action not in allowed:
        return not_found()
    order = tracked.order
    headers = event.get("headers") or {}
    fields = read_form(event)
    requested = (fields.get("lang") or [""])[-1] if isinstance(fields, dict) else None
    locale = choose_locale(requested, order.customer.locale)
    back = f"../{token}?lang={locale}"
    if isinstance(fields, str):
        status = (
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE
            if fields == "too_large"
            else HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        )
        return outcome_page(status, fields, locale, order, services, back_url=back)
    if not form_tokens.same_origin_request(headers):
        return outcome_page(HTTPStatus.FORBIDDEN, "cross_site", locale, order, services, back_url=back)
    nonce = form_tokens.check(services.keys(), action, token, fields, int(now.timestamp()))
    if nonce is None:
        return outcome_page(HTTPStatus.FORBIDDEN, "expired_form", locale, order, services, back_url=back)
    ports = services.self_service
    try:
        if action == "problem":
            done = report_problem(order, fields, nonce, ports, services.clock)
        elif action == "return":
            done = ask_for_return(order, fields, nonce, ports, services.clock)
        elif action == "notifications":
            done = change_notifications(order, fields, ports, services.clock)
        else:
            done = unsubscribe_everything(order, ports, services.clock)
    except FormRejected as rejected:
        logger.info("self-service form refused", action=action, reason=rejected.reason)
        return outcome_page(rejected.status, rejected.reason, locale, order, services, back_url=back)
    return _done(done, action, locale, order, services, back)


def _done(
    done: Done, action: str, locale: Locale, order: OrderRecord, services: PageServices, back: str
) -> HtmlPage:
    logger.info("self-service form done", action=action)
    metrics.add_metric(name="SelfServiceAction", unit=MetricUnit.Count, value=1)
    return outcome_page(
        HTTPStatus.OK, done.kind, locale, order, services, reference=done.reference, back_url=back
    )


def one_click_unsubscribe(token: str, event: dict[str, Any], services: PageServices) -> HtmlPage:
    """RFC 8058: a POST whose body is `List-Unsubscribe=One-Click` to the List-Unsubscribe URL
    unsubscribes at once (mail providers send it with no cookie, origin or CSRF token: the signed,
    purpose-bound link is the authority). Any other body changes nothing."""
    tracked = unsubscribe_order(token, services)
    if tracked is None or services.self_service is None:
        return not_found()
    order = tracked.order
    locale = choose_locale(None, order.customer.locale)
    fields = read_form(event)
    body_ok = False
    if isinstance(fields, dict):
        body_ok = fields.get("List-Unsubscribe") == ["One-Click"]
    elif fields == "unsupported":  # some senders post the body as text/plain
        body = event.get("body") or ""
        raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        body_ok = raw.strip() == ONE_CLICK_BODY.encode()
    if not body_ok:
        return outcome_page(HTTPStatus.BAD_REQUEST, "unsupported", locale, order, services)
    done = unsubscribe_everything(order, services.self_service, services.clock)
    metrics.add_metric(name="OneClickUnsubscribe", unit=MetricUnit.Count, value=1)
    return outcome_page(HTTPStatus.OK, done.kind, locale, order, services)
