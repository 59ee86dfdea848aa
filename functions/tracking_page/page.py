"""The pages behind a customer's signed links, served by one function (docs/tracking-page.md):

    GET  /track/{token}                  the tracking page, with its self-service forms
    POST /track/{token}/{action}         a form: problem, return, notifications, unsubscribe
    GET  /unsubscribe/{token}            the notification settings an email's List-Unsubscribe names
    POST /unsubscribe/{token}            RFC 8058 one-click unsubscribe (`List-Unsubscribe=One-Click`)
    POST /unsubscribe/{token}/{action}   a form of the settings page: notifications, unsubscribe

A token that is malformed, tampered with, signed for another purpose or under a key no longer
accepted, or that names an order that does not exist, gets the same 404 page, byte for byte: the
page never says which. An order id alone is not a token, so it never shows an order.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from aws_lambda_powertools.metrics import MetricUnit

from orders.models.order import OrderRecord
from service.models.api import COMMENT_MAX
from service.models.records import ComplaintCategory
from shared import form_tokens
from shared.clock import Clock, SystemClock
from shared.links import TRACK, UNSUBSCRIBE, sign, verify
from shared.observability import logger, metrics
from tracking_page.forms import MAX_FORM_BYTES, ONE_CLICK_BODY
from tracking_page.read_model import TrackedOrder, TrackingReadModel
from tracking_page.rendering import (
    DEFAULT_LOCALE,
    LANGUAGE_NAMES,
    LOCALES,
    brand_view,
    choose_locale,
    customer_zone,
    format_day,
    item_names,
    render_not_found,
    render_tracking_page,
    style_source,
    stylesheet,
    template_environment,
    zone_name,
)
from tracking_page.self_service import (
    ACTIONS,
    Done,
    FormRejected,
    SelfServicePorts,
    ask_for_return,
    change_notifications,
    current_preferences,
    report_problem,
    return_offer,
    unsubscribe_everything,
)
from tracking_page.self_service_texts import OUTCOMES
from tracking_page.self_service_texts import TEXT as SELF_SERVICE_TEXT
from tracking_page.texts import LABELS, Locale

if TYPE_CHECKING:
    from shared.brand import Brand

HTML = "text/html; charset=utf-8"
SETTINGS_ACTIONS = ("notifications", "unsubscribe")


@dataclass(frozen=True)
class HtmlPage:
    status: int
    body: str
    language: str
    order_id: str | None = None  # the order shown; None for the not-found page


@dataclass
class PageServices:
    """What the pages need: the accepted link keys (current first), the read model, the
    self-service ports (None: the page shows no forms), a clock and the nonce source."""

    accepted_keys: Callable[[], Iterable[str]]
    orders: TrackingReadModel
    self_service: SelfServicePorts | None = None
    clock: Clock = field(default_factory=SystemClock)
    nonce: Callable[[], str] = form_tokens.new_nonce
    brand: Brand | None = None

    def keys(self) -> tuple[str, ...]:
        return tuple(self.accepted_keys())

    def shop(self) -> Brand:
        if self.brand is not None:
            return self.brand
        from shared.brand import brand_from_environment

        return brand_from_environment()


def not_found() -> HtmlPage:
    return HtmlPage(HTTPStatus.NOT_FOUND, render_not_found(), DEFAULT_LOCALE)


# --- the forms on a page ----------------------------------------------------------------------


def _form(services: PageServices, action: str, link_token: str, url: str, now: datetime) -> dict[str, Any]:
    token = form_tokens.issue(services.keys()[0], action, link_token, services.nonce(), int(now.timestamp()))
    return {"url": url, "token": token}


def self_service_forms(
    order: OrderRecord, link_token: str, purpose: str, services: PageServices, locale: Locale
) -> dict[str, Any] | None:
    """The forms of the page for this link: each with its own CSRF token. Relative URLs: the
    forms post to `<page>/<action>` whatever prefix the API is served under."""
    ports = services.self_service
    if ports is None:
        return None
    now = services.clock.now()
    texts = SELF_SERVICE_TEXT[locale]
    actions = ACTIONS if purpose == TRACK else SETTINGS_ACTIONS
    forms = {action: _form(services, action, link_token, f"{link_token}/{action}", now) for action in actions}
    preferences = current_preferences(order, ports)
    quiet = preferences.quiet_hours
    forms["notifications"].update(
        email=preferences.channels.email if order.customer.email else None,
        sms=preferences.channels.sms if order.customer.phone else None,
        quiet_start=quiet.start if quiet else None,
        quiet_end=quiet.end if quiet else None,
    )
    if "problem" in forms:
        forms["problem"].update(
            categories=[(c.value, texts[f"categories.{c.value}"]) for c in ComplaintCategory],
            max_length=COMMENT_MAX,
        )
    if "return" in forms:
        offer = return_offer(order, ports, now)
        names = item_names(order)
        zone = customer_zone(order, preferences.time_zone)
        until = format_day(offer.closes_at.astimezone(zone).date(), locale) if offer.closes_at else ""
        if offer.open:
            state = "open"
        elif offer.closes_at is None:
            state = "not_yet"
        elif now > offer.closes_at:
            state = "closed"
        else:
            state = "none_left"
        forms["return"].update(
            state=state,
            until=until,
            lines=[
                {"sku": sku, "name": names.get(sku, sku), "returnable": quantity}
                for sku, quantity in offer.returnable.items()
            ],
        )
    return forms


# --- GET ------------------------------------------------------------------------------------------


def _preferred_zone(order: OrderRecord, services: PageServices) -> str | None:
    if services.self_service is None:
        return None
    return current_preferences(order, services.self_service).time_zone


def tracking_page(token: str, requested_lang: str | None, services: PageServices) -> HtmlPage:
    link = verify(services.keys(), token, TRACK)
    if link is None:
        return not_found()
    tracked = services.orders.tracked_order(link.order_id)
    if tracked is None:
        return not_found()
    locale = choose_locale(requested_lang, tracked.order.customer.locale)
    actions = self_service_forms(tracked.order, token, TRACK, services, locale)
    body = render_tracking_page(
        tracked, locale, services.shop(), actions, _preferred_zone(tracked.order, services)
    )
    return HtmlPage(HTTPStatus.OK, body, locale, link.order_id)


def _unsubscribe_link(token: str, services: PageServices) -> TrackedOrder | None:
    link = verify(services.keys(), token, UNSUBSCRIBE, now=int(services.clock.now().timestamp()))
    return None if link is None else services.orders.tracked_order(link.order_id)


def _frame(locale: Locale, order: OrderRecord, services: PageServices, **context: Any) -> dict[str, Any]:
    return {
        "lang": locale,
        "t": LABELS[locale],
        "s": SELF_SERVICE_TEXT[locale],
        "brand": brand_view(services.shop(), order, locale),
        "stylesheet": _stylesheet_markup(),
        "languages": [],
        **context,
    }


def _stylesheet_markup() -> Any:
    from markupsafe import Markup

    return Markup(stylesheet())  # noqa: S704 - a file of this package, hashed into the CSP


def _track_url_from(prefix: str, order_id: str, services: PageServices, locale: Locale) -> str:
    return f"{prefix}{sign(services.keys()[0], order_id)}?lang={locale}"


def settings_page(token: str, requested_lang: str | None, services: PageServices) -> HtmlPage:
    tracked = _unsubscribe_link(token, services)
    if tracked is None or services.self_service is None:
        return not_found()
    order = tracked.order
    locale = choose_locale(requested_lang, order.customer.locale)
    actions = self_service_forms(order, token, UNSUBSCRIBE, services, locale)
    zone = customer_zone(order, _preferred_zone(order, services))
    body = (
        template_environment()
        .get_template("settings.html")
        .render(
            _frame(
                locale,
                order,
                services,
                actions=actions,
                zone_name=zone_name(order, zone, locale),
                back_url=_track_url_from("../track/", order.order_id, services, locale),
            )
        )
    )
    return HtmlPage(HTTPStatus.OK, body, locale, order.order_id)


# --- POST -----------------------------------------------------------------------------------------


def outcome_page(
    status: int, kind: str, locale: Locale, order: OrderRecord, services: PageServices, **context: Any
) -> HtmlPage:
    """What a form did, or why it did nothing, with the way back to the page."""
    title, message = OUTCOMES[locale][kind]
    body = (
        template_environment()
        .get_template("outcome.html")
        .render(
            _frame(
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
        tracked = _unsubscribe_link(token, services)
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
    tracked = _unsubscribe_link(token, services)
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


# --- HTTP -----------------------------------------------------------------------------------------


def content_security_policy() -> str:
    """Nothing may load or run but the page's own stylesheet, allowed by its hash, and https images
    (the shop's logo, product pictures): no scripts, no framing; forms post to this site only. A
    hash rather than a nonce: the stylesheet is the same on every response."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {style_source()}",
            "img-src https:",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(language: str) -> dict[str, str]:
    return {
        "Content-Type": HTML,
        "Content-Language": language,
        "Cache-Control": "private, no-store",
        # same-origin: browsers then send a real Origin with the forms (no-referrer would send
        # `Origin: null`), and the link's token still never leaves for another site
        "Referrer-Policy": "same-origin",
        "X-Robots-Tag": "noindex",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": content_security_policy(),
    }


def http_response(page: HtmlPage) -> dict[str, Any]:
    """The HTTP API (payload 2.0) response for a page."""
    return {
        "statusCode": int(page.status),
        "headers": security_headers(page.language),
        "body": page.body,
        "isBase64Encoded": False,
    }


def _route(event: dict[str, Any], services: PageServices) -> HtmlPage:
    parameters = event.get("pathParameters") or {}
    token = parameters.get("token") or ""
    action = parameters.get("action")
    method = (event.get("requestContext", {}).get("http", {}).get("method") or "GET").upper()
    path = event.get("rawPath") or ""
    settings = "/unsubscribe/" in path
    requested_lang = (event.get("queryStringParameters") or {}).get("lang")
    if method == "GET" and action is None:
        return (
            settings_page(token, requested_lang, services)
            if settings
            else tracking_page(token, requested_lang, services)
        )
    if method == "POST" and action is not None:
        return submit_form(token, UNSUBSCRIBE if settings else TRACK, action, event, services)
    if method == "POST" and settings:
        return one_click_unsubscribe(token, event, services)
    return not_found()


def serve(event: dict[str, Any], services: PageServices) -> dict[str, Any]:
    """The page for an HTTP API event."""
    page = _route(event, services)
    if page.order_id is not None:
        logger.append_keys(order_id=page.order_id)
        logger.debug("page shown", locale=page.language, status=int(page.status))
        metrics.add_metric(name="TrackingPageShown", unit=MetricUnit.Count, value=1)
    else:  # the token is never logged: it is the customer's key to the page
        logger.info("tracking page not found")
        metrics.add_metric(name="TrackingPageNotFound", unit=MetricUnit.Count, value=1)
    return http_response(page)


def serve_tracking_page(
    event: dict[str, Any], accepted_keys: Callable[[], Iterable[str]], orders: TrackingReadModel
) -> dict[str, Any]:
    """The tracking page alone (no self-service forms)."""
    return serve(event, PageServices(accepted_keys, orders))


__all__ = ["LANGUAGE_NAMES", "LOCALES", "HtmlPage", "PageServices", "serve", "serve_tracking_page"]
